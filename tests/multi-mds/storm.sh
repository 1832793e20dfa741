#!/bin/bash
# tests/multi-mds/storm.sh -- a seeded rename storm over three metadata
# nodes while a random node is SIGKILLed and restarted every 5-15 s
# (issue 15, acceptance 4; docs/testing.md "The storm").
#
#   storm.sh [--build DIR] [--port P] [--dir DIR] [--seed S] [--seconds N]
#            [--keep]
#
# Starts `strata-local up --mds 3 --spread` on P, P+7, P+8 (every node owns
# partitions, so most names and files of a directory are on other nodes
# than the directory). One tests/multi-mds/storm.py client per node, each
# in its own top directory: creates, appends, renames within and across
# directories and over existing files, links, removes, mkdir, rmdir and
# directory moves (within their parent and to another one).
# For N seconds (default 60) a node chosen by the seed is SIGKILLed and
# started again, 5-15 s apart (the seed picks the gaps too), most times
# armed with a failpoint that makes it exit at one step of its work (after
# a commit before its answer; at each step of a cross-node transaction),
# then started again unarmed. Then:
#   - every node's strata_xtx_records comes to 0 (no transaction left);
#   - each journal's tree, read through every node, is exactly the
#     acknowledged one: every name there once, the names of a file sharing
#     its fileid, numlinks = names, directory size = entries and numlinks
#     = 2 + subdirectories, every acknowledged write's bytes;
#   - the cluster's fsck (strata-fsck --cluster-map) is clean.
# A client whose node dies connects again and finds out whether its op in
# flight happened (storm.py). Any other error a client gets fails the run.
#
# CI runs seed 1 for 60 s (scripts/test.sh); more seeds by hand:
#   for s in 2 3 4 5; do tests/multi-mds/storm.sh --seed $s --seconds 120 || break; done
# Needs pynfs ($PYNFS_DIR, default /var/tmp/strata-suites/pynfs). Exit 0
# passed, 1 failed, 2 setup.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$ROOT/build; PORT=21400; DIR=""; SEED=1; SECONDS_RUN=60; KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift 2;;
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    --seed) SEED=$2; shift 2;;
    --seconds) SECONDS_RUN=$2; shift 2;;
    --keep) KEEP=1; shift;;
    *) sed -n '6,7p' "$0" >&2; exit 2;;
  esac
done
BUILD=$(cd "$BUILD" && pwd)
DIR=${DIR:-/tmp/strata-storm-$PORT}
LOCAL=$ROOT/scripts/strata-local
export STRATA_PYNFS=${STRATA_PYNFS:-${PYNFS_DIR:-/var/tmp/strata-suites/pynfs}}
SRV=$DIR/srv; P=("" "$PORT" "$((PORT + 7))" "$((PORT + 8))")
MBASE=$((PORT + 10000)); M=("" "$MBASE" "$((MBASE + 102))" "$((MBASE + 103))")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  [ $KEEP = 1 ] || "$LOCAL" down --dir "$SRV" > /dev/null 2>&1
}
trap cleanup EXIT
fail() { echo "storm: FAIL: $*" >&2; tail -n 15 "$SRV"/mds*.log >&2; exit 1; }

rm -rf "$DIR"; mkdir -p "$DIR"
"$LOCAL" up --dir "$SRV" --port "$PORT" --mds 3 --mds-ports "${P[2]},${P[3]}" --spread \
  --lease 10 --grace 3 --metrics-base "$MBASE" --build "$BUILD" > "$DIR/up.out" 2>&1 ||
  { cat "$DIR/up.out" >&2; echo "storm: the cluster did not start" >&2; exit 2; }

for i in 1 2 3; do
  /usr/bin/python3 "$ROOT/tests/multi-mds/storm.py" run --port "${P[i]}" \
    --journal "$DIR/w$i.journal" --top "storm$SEED-n$i" --seed $((SEED * 10 + i)) \
    > "$DIR/w$i.out" 2>&1 &
  PIDS+=($!)
done
alive() { for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || return 1; done; }
acked() { cat "$DIR"/w*.journal 2>/dev/null | grep -vc '^pending\|^refused'; }

# A restarted node is armed, as the seed says, with nothing or with a
# failpoint that makes it exit at one step of its work: right after
# committing a front's sub-compound before answering it (the front sends it
# again), or at a step of a cross-node transaction (coordinator: all
# prepared / decided; participant: prepared / finished). A node that exited
# at its failpoint is started again unarmed at once.
FPS=(none none peer-answer-exit xtx-prepared-exit xtx-decided-exit xtx-prepare-exit xtx-finish-exit)
ARMED=("" "" "" "")
pidf() { if [ "$1" = 1 ]; then echo "$SRV/mds.pid"; else echo "$SRV/mds$1.pid"; fi; }
node_alive() { # not a zombie either (an exited node may wait unreaped)
  local p st
  p=$(cat "$(pidf "$1")" 2>/dev/null) && st=$(ps -o stat= -p "$p" 2>/dev/null) &&
    [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}
fp_exits=0
watch_nodes() { # a node that exited at its failpoint: start it again
  local i
  for i in 1 2 3; do
    node_alive "$i" && continue
    [ -n "${ARMED[i]}" ] || fail "node $i died unarmed: $(tail -n 3 "$SRV/mds$([ "$i" = 1 ] || echo "$i").log")"
    "$LOCAL" mds-start --dir "$SRV" --index "$i" > /dev/null || fail "mds-start $i"
    fp_exits=$((fp_exits + 1))
    echo "storm: node $i exited at its failpoint ${ARMED[i]}; started again"
    ARMED[i]=""
  done
}
RANDOM=$SEED; t_end=$((SECONDS + SECONDS_RUN)); kills=0
while :; do
  gap=$((5 + RANDOM % 11)); node=$((1 + RANDOM % 3)); fp=${FPS[RANDOM % ${#FPS[@]}]}
  [ $((SECONDS + gap)) -le $t_end ] || break
  deadline=$((SECONDS + gap))
  while [ $SECONDS -lt $deadline ]; do
    alive || { cat "$DIR"/w*.out >&2; fail "a client stopped"; }
    watch_nodes
    sleep 0.2
  done
  a0=$(acked)
  if node_alive "$node"; then
    "$LOCAL" mds-kill --dir "$SRV" --index "$node" > /dev/null || fail "mds-kill $node"
  fi
  if [ "$fp" = none ]; then
    ARMED[node]=""
    "$LOCAL" mds-start --dir "$SRV" --index "$node" > /dev/null || fail "mds-start $node"
  else
    ARMED[node]=$fp
    "$LOCAL" mds-start --dir "$SRV" --index "$node" --failpoint "$fp" > /dev/null || fail "mds-start $node"
  fi
  kills=$((kills + 1))
  echo "storm: kill $kills: node $node at $a0 acknowledged ops (t=$((SECONDS_RUN - t_end + SECONDS)) s), restarted with failpoint $fp"
done
# disarm: a node still armed is killed and started plainly
for i in 1 2 3; do
  watch_nodes
  [ -n "${ARMED[i]}" ] || continue
  "$LOCAL" mds-kill --dir "$SRV" --index "$i" > /dev/null 2>&1
  "$LOCAL" mds-start --dir "$SRV" --index "$i" > /dev/null || fail "mds-start $i"
  ARMED[i]=""
done
sleep 1
alive || { cat "$DIR"/w*.out >&2; fail "a client stopped"; }
for p in "${PIDS[@]}"; do kill "$p"; wait "$p" 2>/dev/null; done; PIDS=()
n=$(acked); r=$(cat "$DIR"/w*.journal | grep -c '^refused')
echo "storm: $n operations acknowledged by 3 clients across $kills node kills and $fp_exits failpoint exits ($r not done when their node died)"
[ "$kills" -ge 1 ] || fail "no node was killed"
[ "$n" -ge 100 ] || fail "only $n operations acknowledged"

# every transaction resolved
xtx() { curl -s --max-time 5 "http://127.0.0.1:$1/metrics" | sed -n 's/^strata_xtx_records //p'; }
deadline=$((SECONDS + 60))
while :; do
  left=""; for i in 1 2 3; do v=$(xtx "${M[i]}"); [ "$v" = 0 ] || left+=" node$i=${v:-?}"; done
  [ -z "$left" ] && break
  [ $SECONDS -lt $deadline ] || fail "transaction records left after 60 s:$left"
  sleep 0.5
done
echo "storm: every node's strata_xtx_records is 0"

J=(); for i in 1 2 3; do J+=(--journal "$DIR/w$i.journal"); done
for i in 1 2 3; do
  /usr/bin/python3 "$ROOT/tests/multi-mds/storm.py" verify --port "${P[i]}" "${J[@]}" \
    > "$DIR/verify$i.out" 2>&1 || { cat "$DIR/verify$i.out" >&2; fail "verify through node $i"; }
done
grep -h 'tree OK\|data:' "$DIR/verify1.out"
echo "storm: the same trees, names, links, sizes and bytes through each of the 3 nodes"

"$LOCAL" down --dir "$SRV" > /dev/null
"$BUILD/tools/strata-fsck" --cluster-map "$SRV/cluster.map" "$SRV/data/meta" "$SRV/mds2/meta" \
  "$SRV/mds3/meta" > "$DIR/fsck.out" 2>&1 || { cat "$DIR/fsck.out" >&2; fail "cluster fsck"; }
grep 'cluster of' "$DIR/fsck.out"
if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$SRV"/mds*.log 2>/dev/null; then
  fail "sanitizer report in the log(s) above"
fi
echo "storm: PASS (seed $SEED, $SECONDS_RUN s, $kills kills, $fp_exits failpoint exits)"
[ $KEEP = 1 ] || rm -rf "$DIR"
