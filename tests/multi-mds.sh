#!/bin/bash
# tests/multi-mds.sh -- several metadata nodes on loopback (docs/decisions/0024).
#   tests/multi-mds.sh [--build DIR] [--port P] [--dir DIR] [--no-pynfs] [--keep]
# Starts, with scripts/strata-local, node 1 (owner of every partition, a
# pNFS MDS with 2 data servers) on P (default 21300; data servers P+1, P+2)
# and node 2 on P+7, a front that owns nothing and forwards every
# operation after SEQUENCE to node 1. Then:
#   1. pynfs 4.1 `all` through node 2: every test's operations forwarded,
#      at least $STRATA_PYNFS_MIN_PASS (default 180) passed, failures only
#      those of pynfs-conf/expected-failures-4.1.txt (the single-node list)
#   2. pynfs `pnfs` flags against node 1 (the pNFS MDS itself)
#   3. tests/multi-mds/cross_front.py: a client on each node sees the same
#      files, bytes, attributes and listing; identity on the wire; a lock
#      held through the front blocks the owner's client until released;
#      a client's state goes when its front reaps it
#   4. strata-bench (create, stat, smallwrite, smallread, remove; 100 files,
#      MM_BENCH_FILES) through
#      node 2; its /metrics must count the sub-compounds it sent and node
#      1's those it served (as many as sent), node 2's namespace must stay
#      empty (strata-fsck: the root alone); `strata status --json` of each
#      node says its node id, partitions owned (2 and 0), entries (node 2:
#      none) and the same sub-compound counts
#   5. tests/multi-mds/owner_restart.py on a second pair of nodes (P+20,
#      P+27; lease and grace 10 s): a client of the front holds a lock,
#      the owner is SIGKILLed and restarted; the front tells the client to
#      reclaim (RESTART_RECLAIM_NEEDED), it reclaims its open and lock
#      through the front, a client of the owner is denied the lock, the
#      bytes are intact; then the front is SIGKILLed and restarted and the
#      owner lets the lock go
#   6. tests/multi-mds/answer_lost.py on the same pair: the owner exits
#      right after committing a front's CREATE, before answering
#      (failpoint peer-answer-exit); once it is back the client's CREATE
#      answers NFS4_OK (not EXIST), the directory exists once; fsck of
#      the owner clean
#   7. tests/multi-mds/owner_crash.sh on the same pair: a create/write/
#      rename/remove workload through the front while the owner is
#      SIGKILLed and restarted 3 times; no op may fail, the namespace must
#      be exactly the acknowledged one through the front and at the owner
#      (seed $STRATA_OWNER_CRASH_SEED, default 1; more seeds: run
#      owner_crash.sh by hand on a cluster, see docs/testing.md)
#   8. three nodes each owning a partition (--spread): tests/multi-mds/
#      several_owners.py, plain and with deltas held back (--race)
#   9. the spread cluster's node 3 SIGKILLed under a client of node 2
#      holding a lock on one of its files (owner_restart.py --status-cmd),
#      then twice under owner_crash.sh --spread through node 2
#  10. the same spread cluster: tests/multi-mds/cross_rename.py, RENAME
#      across nodes (two-phase commit): renamed files found, read, listed
#      and removed through every node, before and after every node's
#      restart; a node killed at each step of the transaction (failpoints)
#      leaves exactly the old or the new name
#  11. tests/multi-mds/storm.sh: a random node of a spread cluster SIGKILLed
#      and restarted every 5-15 s for 60 s under three clients' renames,
#      links, removes, mkdir, rmdir and directory moves across nodes
#      (docs/testing.md "The storm")
#  12. a spread cluster with 2 data servers every node talks to:
#      tests/multi-mds/spread_pnfs.py, layouts from all three owners
#      through one front, their stripes read back through another node,
#      GETDEVICEINFO, per-node boot epochs on the data servers (node 3's
#      restart voids its own layouts only), a truncate through another
#      node recalls a layout across fronts, a LAYOUTRETURN of type ALL
#      through a front returns the layouts at every owner, a RENAME over
#      a file across nodes recalls its layout first (xtx_break.h), each
#      owner reclaims its removed files' stripes (decision 0036)
#  13. a spread cluster with 2 data servers and one object store (dir:)
#      every node tiers to, a policy offloading and releasing idle files
#      and the orphan collector every second: tests/multi-mds/
#      spread_tier.py, each node tiers and recalls its own files,
#      `strata tier status` sums the nodes, each node's collector
#      deletes only its own orphans (decision 0037)
#   (after 8 to 13 the cluster's fsck, strata-fsck --cluster-map, is
#   clean)
# and checks that no sanitizer report appeared in any server's log.
# Exit 0 passed, 1 a check failed, 2 setup error. (About 4.5 minutes on
# the ASan build: pynfs is most of it.)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build; PORT=21300; DIR=""; PYNFS=1; KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd) || exit 2; shift 2;;
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    --no-pynfs) PYNFS=0; shift;;
    --keep) KEEP=1; shift;;
    *) sed -n '2,25p' "$0" >&2; exit 2;;
  esac
done
fail() { echo "multi-mds: FAIL: $*" >&2; exit 1; }
OWN_DIR=0
if [ -z "$DIR" ]; then DIR=$(mktemp -d "${TMPDIR:-/tmp}/multi-mds.XXXXXX"); OWN_DIR=1; fi
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
LOCAL="$ROOT/scripts/strata-local"
SRV=$DIR/srv
cleanup() {
  "$LOCAL" down --dir "$SRV" > /dev/null 2>&1 || true
  "$LOCAL" down --dir "$DIR/srv2" > /dev/null 2>&1 || true
  "$LOCAL" down --dir "$DIR/srv3" > /dev/null 2>&1 || true
  "$LOCAL" down --dir "$DIR/srv4" > /dev/null 2>&1 || true
  "$LOCAL" down --dir "$DIR/srv5" > /dev/null 2>&1 || true
  [ $OWN_DIR = 1 ] && [ $KEEP = 0 ] && rm -rf "$DIR"
}
trap cleanup EXIT

"$ROOT/scripts/build-suites.sh" pynfs > /dev/null || { echo "multi-mds: pynfs not built" >&2; exit 2; }
# shellcheck disable=SC1091
. "${STRATA_SUITES_DIR:-/var/tmp/strata-suites}/suites.env"
export PATH=/usr/bin:/bin:$PATH     # Debian's python3 (pynfs needs python3-ply)

N1=$PORT; N2=$((PORT + 7)); MB=$((PORT + 10000))
if ! "$LOCAL" up --dir "$SRV" --port "$N1" --data-servers 2 --mds 2 --mds-ports "$N2" \
     --lease 20 --grace 0 --build "$BUILD" > "$DIR/up.out" 2>&1; then
  cat "$DIR/up.out" >&2; echo "multi-mds: the cluster did not start" >&2; exit 2
fi
grep -E '^(Cluster|Mount)' "$DIR/up.out"

metric() { # metric PORT NAME{LABELS}: its value
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m { print $2 }'
}
alive() { "$LOCAL" status --dir "$SRV" > /dev/null || { "$LOCAL" status --dir "$SRV"; tail -30 "$SRV"/mds*.log; fail "a server died ($1)"; }; }

if [ $PYNFS = 1 ]; then
  "$ROOT/scripts/pynfs-run.sh" --server "127.0.0.1:$N2" --export / --minorversion 1 \
    --out "$DIR/pynfs-front" --min-pass "${STRATA_PYNFS_MIN_PASS:-180}" all ||
    fail "pynfs all through the front"
  alive "pynfs all"
  "$ROOT/scripts/pynfs-run.sh" --server "127.0.0.1:$N1" --export / --minorversion 1 \
    --out "$DIR/pynfs-pnfs-flags" --expected "$ROOT/pynfs-conf/expected-failures-4.1-pnfs.txt" pnfs ||
    fail "pynfs pnfs flags against node 1"
  alive "pynfs pnfs"
fi

/usr/bin/python3 "$ROOT/tests/multi-mds/cross_front.py" --owner "127.0.0.1:$N1" \
  --front "127.0.0.1:$N2" --pynfs "$PYNFS_DIR" --lease 20 || fail "cross_front.py"
alive "cross_front"

sent0=$(metric $((MB + 102)) 'strata_peer_subcompounds_total{dir="sent"}')
"$BUILD/tools/strata-bench" --server "127.0.0.1:$N2" --workload create,stat,smallwrite,smallread,remove \
  --files "${MM_BENCH_FILES:-100}" --no-pnfs --tag multi-mds > "$DIR/bench.out" 2>&1 || { cat "$DIR/bench.out"; fail "strata-bench through the front"; }
grep -E '^(create|stat|smallwrite|smallread|remove) ' "$DIR/bench.out"
sent=$(metric $((MB + 102)) 'strata_peer_subcompounds_total{dir="sent"}')
served=$(metric "$MB" 'strata_peer_subcompounds_total{dir="served"}')
echo "multi-mds: node 2 sent $sent sub-compounds ($((sent - sent0)) during strata-bench), node 1 served $served"
[ -n "$sent" ] && [ -n "$served" ] || fail "no strata_peer_subcompounds_total on /metrics"
[ $((sent - sent0)) -ge $((5 * ${MM_BENCH_FILES:-100})) ] || fail "strata-bench's $((5 * ${MM_BENCH_FILES:-100}))+ COMPOUNDs were not forwarded ($((sent - sent0)))"
[ "$served" -ge "$sent" ] || fail "node 1 served $served sub-compounds, node 2 sent $sent"
[ "$(metric "$MB" 'strata_peer_subcompounds_total{dir="sent"}')" = 0 ] || fail "node 1 (the owner) forwarded"
# the admin CLI's view of each node (strata status --json: namespace)
ns_of() { # ns_of PORT: "node owned partitions entries sent served"
  "$BUILD/tools/strata" --server "127.0.0.1:$1" --key "$SRV/cluster.key" --json status |
    /usr/bin/python3 -c 'import json,sys; n=json.load(sys.stdin)["servers"][0]["namespace"]; print(n["node"], n["partitions_owned"], n["partitions"], n["entries"], n["subcompounds_sent"], n["subcompounds_served"])'
}
read -r n1 o1 p1 e1 s1 r1 <<< "$(ns_of "$N1")"; read -r n2 o2 p2 e2 s2 r2 <<< "$(ns_of "$N2")"
echo "multi-mds: strata status: node $n1 owns $o1 of $p1 partitions, $e1 entries, served $r1; node $n2 owns $o2, $e2 entries, sent $s2"
[ "$n1 $o1 $p1 $n2 $o2 $e2" = "1 2 2 2 0 0" ] || fail "strata status: nodes, partitions or entries wrong"
[ "$e1" -ge 1 ] && [ "$s2" = "$sent" ] && [ "$r1" -ge "$sent" ] || fail "strata status: entries or sub-compound counts wrong"

"$LOCAL" down --dir "$SRV" > /dev/null
"$BUILD/tools/strata-fsck" --dir "$SRV/mds2/meta" > "$DIR/fsck2.out" 2>&1 || { cat "$DIR/fsck2.out"; fail "fsck of node 2"; }
grep -q 'fsck: 1 inodes, 0 entries, 0 violations' "$DIR/fsck2.out" ||
  { cat "$DIR/fsck2.out"; fail "node 2 (a front) holds namespace entries of its own"; }
"$BUILD/tools/strata-fsck" --dir "$SRV/data/meta" > "$DIR/fsck1.out" 2>&1 || { cat "$DIR/fsck1.out"; fail "fsck of node 1"; }
# 5. the owner SIGKILLed under a front's client
SRV2=$DIR/srv2; R1=$((PORT + 20)); R2=$((PORT + 27))
if ! "$LOCAL" up --dir "$SRV2" --port "$R1" --mds 2 --mds-ports "$R2" --lease 10 --grace 10 \
     --no-metrics --build "$BUILD" > "$DIR/up2.out" 2>&1; then
  cat "$DIR/up2.out" >&2; echo "multi-mds: the second cluster did not start" >&2; exit 2
fi
/usr/bin/python3 "$ROOT/tests/multi-mds/owner_restart.py" --owner "127.0.0.1:$R1" --front "127.0.0.1:$R2" \
  --pynfs "$PYNFS_DIR" \
  --restart "'$LOCAL' mds-kill --dir '$SRV2' --index 1 && '$LOCAL' mds-start --dir '$SRV2' --index 1" \
  --restart-front "'$LOCAL' mds-kill --dir '$SRV2' --index 2 && '$LOCAL' mds-start --dir '$SRV2' --index 2" ||
  { tail -20 "$SRV2"/mds*.log; fail "owner_restart.py"; }
# 6. the owner dies between a commit and its answer: the front sends the
#    sub-compound again, the owner answers from the record it committed
/usr/bin/python3 "$ROOT/tests/multi-mds/answer_lost.py" --owner "127.0.0.1:$R1" --front "127.0.0.1:$R2" \
  --pynfs "$PYNFS_DIR" \
  --arm "'$LOCAL' mds-kill --dir '$SRV2' --index 1 && '$LOCAL' mds-start --dir '$SRV2' --index 1 --failpoint peer-answer-exit" \
  --start "'$LOCAL' mds-start --dir '$SRV2' --index 1" ||
  { tail -20 "$SRV2"/mds*.log; fail "answer_lost.py"; }
grep -q "answered from its record" "$SRV2"/mds*.log ||
  fail "answer_lost.py passed, but no owner log says it answered a resend from its record"
# 7. the owner SIGKILLed three times under a workload through the front
"$ROOT/tests/multi-mds/owner_crash.sh" --dir "$SRV2" --owner "$R1" --front "$R2" --out "$DIR/owner-crash" \
  --kills 3 --seed "${STRATA_OWNER_CRASH_SEED:-1}" --local "$LOCAL" || fail "owner_crash.sh"
"$LOCAL" down --dir "$SRV2" > /dev/null
"$BUILD/tools/strata-fsck" --dir "$SRV2/data/meta" > "$DIR/fsck3.out" 2>&1 || { cat "$DIR/fsck3.out"; fail "fsck of the restarted owner"; }
# 8. three nodes each owning a partition (--spread): one directory's
#    entries over all three, listings across them, directory counts by
#    deltas, RENAME within the directory; then, with deltas held back
#    300 ms (failpoint), an RMDIR right after a create in the directory
#    still answers NOTEMPTY (a reply waits for its deltas); after each
#    run the cluster's fsck (strata-fsck --cluster-map) is clean
SRV3=$DIR/srv3; S1=$((PORT + 40)); S2=$((PORT + 47)); S3=$((PORT + 48))
spread_up() { # spread_up [--failpoint NAME]
  "$LOCAL" up --dir "$SRV3" --port "$S1" --mds 3 --mds-ports "$S2,$S3" --spread \
    --lease 20 --grace 0 --build "$BUILD" "$@" > "$DIR/up3.out" 2>&1 ||
    { cat "$DIR/up3.out" >&2; fail "the 3-node cluster did not start"; }
}
status_cmd() { echo "$BUILD/tools/strata --server {} --key $SRV3/cluster.key --json status"; }
owners() {
  /usr/bin/python3 "$ROOT/tests/multi-mds/several_owners.py" --node "127.0.0.1:$S1" \
    --node "127.0.0.1:$S2" --node "127.0.0.1:$S3" --status-cmd "$(status_cmd)" --pynfs "$PYNFS_DIR" "$@"
}
spread_up
owners || { tail -n 20 "$SRV3"/mds*.log; fail "several_owners.py"; }
"$LOCAL" down --dir "$SRV3" > /dev/null
cluster_fsck() {
  "$BUILD/tools/strata-fsck" --cluster-map "$SRV3/cluster.map" "$SRV3/data/meta" "$SRV3/mds2/meta" \
    "$SRV3/mds3/meta" > "$DIR/fsck-cluster.out" 2>&1 || { cat "$DIR/fsck-cluster.out"; fail "cluster fsck"; }
  grep 'cluster of' "$DIR/fsck-cluster.out"
}
cluster_fsck
spread_up --failpoint delta-delay
owners --race || { tail -n 20 "$SRV3"/mds*.log; fail "several_owners.py --race"; }
"$LOCAL" down --dir "$SRV3" > /dev/null
cluster_fsck
# 9. the same spread cluster: tests/multi-mds/owner_restart.py with a file
#    of node 3's (its lock reclaimed through node 2 after node 3's
#    SIGKILL, a client of node 3 denied); then node 3 SIGKILLed and
#    restarted twice under the crash workload through node 2 (renames of
#    names on two nodes are cross-node transactions): every acknowledged op
#    there exactly once, through node 2 and at node 3; cluster fsck clean
spread_up --lease 10 --grace 10
/usr/bin/python3 "$ROOT/tests/multi-mds/owner_restart.py" --owner "127.0.0.1:$S3" --front "127.0.0.1:$S2" \
  --pynfs "$PYNFS_DIR" --status-cmd "$(status_cmd)" \
  --restart "'$LOCAL' mds-kill --dir '$SRV3' --index 3 >/dev/null && '$LOCAL' mds-start --dir '$SRV3' --index 3 >/dev/null" ||
  { tail -n 20 "$SRV3"/mds*.log; fail "owner_restart.py on the spread cluster"; }
"$ROOT/tests/multi-mds/owner_crash.sh" --dir "$SRV3" --owner "$S3" --front "$S2" --index 3 --spread \
  --out "$DIR/owner-crash-spread" --kills 2 --seed "${STRATA_OWNER_CRASH_SEED:-1}" --local "$LOCAL" ||
  { tail -n 20 "$SRV3"/mds*.log; fail "owner_crash.sh --spread"; }
"$LOCAL" down --dir "$SRV3" > /dev/null
cluster_fsck
# 10. RENAME across nodes (the two-phase commit, decision 0024): on the
#    spread cluster, tests/multi-mds/cross_rename.py renames files whose
#    old and new names are on two nodes (within a directory, into
#    another, over an existing file), then finds, reads, lists and
#    removes them through every node; links files to names on another
#    node (numlinks 2, then 1 once the first name is removed); every node is SIGKILLed and
#    restarted and the result checked again; then one rename per step a
#    node can die at (failpoints xtx-prepared-exit and xtx-decided-exit
#    at the coordinator, xtx-prepare-exit and xtx-finish-exit at a
#    participant): after the restart and the resolvers exactly the old or
#    the new name is left, as the decision was; cluster fsck clean (no
#    transaction record left)
spread_up
SM=$((S1 + 10000)) # strata-local's metrics ports: node 1's, node I's + 100 + I
xr() {
  /usr/bin/python3 "$ROOT/tests/multi-mds/cross_rename.py" --node "127.0.0.1:$S1" --node "127.0.0.1:$S2" \
    --node "127.0.0.1:$S3" --map "$SRV3/cluster.map" --pynfs "$PYNFS_DIR" \
    --metrics "http://127.0.0.1:$SM/metrics" --metrics "http://127.0.0.1:$((SM + 102))/metrics" \
    --metrics "http://127.0.0.1:$((SM + 103))/metrics" "$@"
}
xr --state "$DIR/cross-rename.state" || { tail -n 20 "$SRV3"/mds*.log; fail "cross_rename.py"; }
for i in 1 2 3; do "$LOCAL" mds-kill --dir "$SRV3" --index $i > /dev/null || fail "mds-kill $i"; done
for i in 1 2 3; do "$LOCAL" mds-start --dir "$SRV3" --index $i > /dev/null || fail "mds-start $i"; done
xr --phase after --state "$DIR/cross-rename.state" || { tail -n 20 "$SRV3"/mds*.log; fail "cross_rename.py after the restarts"; }
for fpi in xtx-prepared-exit:1 xtx-decided-exit:1 xtx-prepare-exit:2 xtx-finish-exit:3; do
  fp=${fpi%:*}; i=${fpi#*:}
  xr --crash "$fp" \
    --arm "'$LOCAL' mds-kill --dir '$SRV3' --index $i >/dev/null && '$LOCAL' mds-start --dir '$SRV3' --index $i --failpoint $fp >/dev/null" \
    --start "'$LOCAL' mds-start --dir '$SRV3' --index $i >/dev/null" ||
    { tail -n 20 "$SRV3"/mds*.log; fail "cross_rename.py --crash $fp"; }
done
"$LOCAL" down --dir "$SRV3" > /dev/null
cluster_fsck
# 11. the storm (issue 15, acceptance 4): three clients, one per node, rename,
#    link, remove, mkdir, rmdir and move directories across nodes while a random node is
#    SIGKILLed and restarted every 5-15 s (seed $STRATA_STORM_SEED, default
#    1, for $STRATA_STORM_SECONDS, default 60); the trees exact through
#    every node, no transaction left, cluster fsck clean
"$ROOT/tests/multi-mds/storm.sh" --build "$BUILD" --port $((PORT + 60)) --dir "$DIR/storm" \
  --seed "${STRATA_STORM_SEED:-1}" --seconds "${STRATA_STORM_SECONDS:-60}" || fail "storm.sh"
# 12. pNFS from every owner of a spread cluster (decision 0036)
SRV4=$DIR/srv4; P1=$((PORT + 80)); P2=$((PORT + 87)); P3=$((PORT + 88))
"$LOCAL" up --dir "$SRV4" --port "$P1" --mds 3 --mds-ports "$P2,$P3" --spread --data-servers 2 \
  --lease 10 --grace 3 --no-metrics --build "$BUILD" > "$DIR/up4.out" 2>&1 ||
  { cat "$DIR/up4.out" >&2; fail "the spread cluster with data servers did not start"; }
/usr/bin/python3 "$ROOT/tests/multi-mds/spread_pnfs.py" --node "127.0.0.1:$P1" --node "127.0.0.1:$P2" \
  --node "127.0.0.1:$P3" --ds "127.0.0.1:$((P1 + 1))" --ds "127.0.0.1:$((P1 + 2))" --dir "$SRV4" \
  --pynfs "$PYNFS_DIR" \
  --restart3 "'$LOCAL' mds-kill --dir '$SRV4' --index 3 >/dev/null && '$LOCAL' mds-start --dir '$SRV4' --index 3 >/dev/null" ||
  { tail -n 20 "$SRV4"/mds*.log; fail "spread_pnfs.py"; }
"$LOCAL" down --dir "$SRV4" > /dev/null
"$BUILD/tools/strata-fsck" --cluster-map "$SRV4/cluster.map" "$SRV4/data/meta" "$SRV4/mds2/meta" \
  "$SRV4/mds3/meta" > "$DIR/fsck-cluster4.out" 2>&1 || { cat "$DIR/fsck-cluster4.out"; fail "cluster fsck (pNFS)"; }
# 13. the object tier per owner (decision 0037)
SRV5=$DIR/srv5; Q1=$((PORT + 90)); Q2=$((PORT + 97)); Q3=$((PORT + 98))
"$LOCAL" up --dir "$SRV5" --port "$Q1" --mds 3 --mds-ports "$Q2,$Q3" --spread --data-servers 2 \
  --lease 20 --grace 3 --no-metrics --build "$BUILD" --tier "dir:$SRV5/objects" \
  --tier-policy "/ access_idle=2 modify_idle=2 release_after=3" --tier-scan-interval 1 \
  --tier-gc-interval 1 --tier-gc-grace 1 > "$DIR/up5.out" 2>&1 ||
  { cat "$DIR/up5.out" >&2; fail "the spread cluster with a tier did not start"; }
/usr/bin/python3 "$ROOT/tests/multi-mds/spread_tier.py" --node "127.0.0.1:$Q1" --node "127.0.0.1:$Q2" \
  --node "127.0.0.1:$Q3" --dir "$SRV5" --objects "$SRV5/objects" --pynfs "$PYNFS_DIR" \
  --strata "$BUILD/tools/strata --dir $SRV5" ||
  { tail -n 20 "$SRV5"/mds*.log; fail "spread_tier.py"; }
"$LOCAL" down --dir "$SRV5" > /dev/null
"$BUILD/tools/strata-fsck" --cluster-map "$SRV5/cluster.map" "$SRV5/data/meta" "$SRV5/mds2/meta" \
  "$SRV5/mds3/meta" > "$DIR/fsck-cluster5.out" 2>&1 || { cat "$DIR/fsck-cluster5.out"; fail "cluster fsck (tier)"; }
if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$SRV"/mds*.log "$SRV"/ds*.log "$SRV2"/mds*.log "$SRV3"/mds*.log "$SRV4"/mds*.log "$SRV4"/ds*.log "$SRV5"/mds*.log "$SRV5"/ds*.log 2>/dev/null; then
  fail "sanitizer report in the log(s) above"
fi
echo "multi-mds: PASS"
