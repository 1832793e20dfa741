#!/bin/bash
# tests/vm/run-multi-front.sh --port P [--build DIR] [--dir DIR] [--out DIR]
#                             [--spread-files N]
# Two stock Linux clients on two nodes of two 3-node Strata clusters, in
# one VM boot (issue 15; docs/decisions/0024). Starts with
# scripts/strata-local cluster "one": node 1 (the owner of every
# partition) on P, nodes 2 and 3 (fronts that own nothing) on P+7 and
# P+8; and cluster "spread": three nodes on P+20, P+27, P+28, node I
# owning partition I-1 (--spread), all three handing out layouts over two
# data servers on P+21 and P+22 (the guest reaches them as 10.0.2.102 and
# .103, port 2049; decision 0036); lease and grace 15 s. Then boots the
# VM with guest/multi-front-test.sh, which for each cluster puts client A
# on node 2 (guest 10.0.2.100) and client B on node 3 (guest 10.0.2.101):
# B lists and reads exactly what A made (in "spread" 2,000 files and 200
# directories in one directory, each node's entries within 20% of a
# third of them, asked of the host mid-run); a lock A holds blocks B until
# released; a read delegation A holds is recalled when B writes and A
# reads B's bytes; in "spread" B reads A's 1 MiB files through layouts
# and truncates them while A holds them open; everything is removed again.
# On the host afterwards: in "one", each front's `strata status` says it
# sent sub-compounds and owns no entries, the owner served them, and the
# owner's namespace is fsck-clean; in "spread", every node served
# sub-compounds and the clients' nodes sent some, A's node sent the
# CB_RECALL and CB_LAYOUTRECALLs, nodes 1 and 3 got A's answer to some
# (recalls across nodes), and the cluster's
# fsck (strata-fsck --cluster-map) is clean with the root alone left (the
# tree went); no sanitizer report in any log.
# Exit: 0 pass, 1 fail, 2 no result from the VM, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT=""; BUILD=$ROOT/build; DIR=/tmp/strata-multi-front; OUT=""; SPREAD_FILES=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --build) BUILD=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --spread-files) SPREAD_FILES=$2; shift 2;; # and a tenth as many dirs
    *) echo "run-multi-front: unknown argument $1" >&2; exit 3;;
  esac
done
[[ $PORT =~ ^[0-9]+$ ]] || { sed -n '2,14p' "$0"; exit 3; }
[[ $SPREAD_FILES =~ ^[1-9][0-9]*$ ]] || { echo "run-multi-front: --spread-files wants a count" >&2; exit 3; }
[ -n "$OUT" ] || OUT=$DIR/vm
LOCAL=$ROOT/scripts/strata-local
SRV=$DIR/srv; A=$((PORT + 7)); B=$((PORT + 8))
SP=$DIR/srv-spread; S1=$((PORT + 20)); S2=$((PORT + 27)); S3=$((PORT + 28))
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
[ -f "$CACHE/env" ] || "$HERE/prepare.sh" "$CACHE" || exit 3
"$LOCAL" down --dir "$SRV" > /dev/null 2>&1
"$LOCAL" down --dir "$SP" > /dev/null 2>&1
rm -rf "$SRV" "$SP" "$OUT"; mkdir -p "$DIR" "$OUT"
if ! "$LOCAL" up --dir "$SRV" --port "$PORT" --mds 3 --mds-ports "$A,$B" --lease 15 --grace 15 \
     --no-metrics --build "$BUILD" > "$DIR/up.out" 2>&1; then
  cat "$DIR/up.out" >&2; echo "run-multi-front: the cluster did not start" >&2; exit 3
fi
# The spread cluster's nodes hand out layouts over two data servers (P+21,
# P+22 on the host; 10.0.2.102 and .103:2049 to the guest; decision 0036).
DS1=$((S1 + 1)); DS2=$((S1 + 2))
if ! "$LOCAL" up --dir "$SP" --port "$S1" --mds 3 --mds-ports "$S2,$S3" --spread --lease 15 --grace 15 \
     --data-servers 2 --ds-advertise 10.0.2.102:2049,10.0.2.103:2049 \
     --no-metrics --build "$BUILD" > "$DIR/up-spread.out" 2>&1; then
  cat "$DIR/up-spread.out" >&2; "$LOCAL" down --dir "$SRV" > /dev/null 2>&1
  echo "run-multi-front: the spread cluster did not start" >&2; exit 3
fi
RC=0
fail() { echo "run-multi-front: FAIL: $*"; RC=1; }
ns_of() { # ns_of PORT [SRVDIR]: "node partitions_owned entries sent served"
  "$BUILD/tools/strata" --server "127.0.0.1:$1" --key "${2:-$SRV}/cluster.key" --json status |
    /usr/bin/python3 -c 'import json,sys; n=json.load(sys.stdin)["servers"][0]["namespace"]; print(n["node"], n["partitions_owned"], n["entries"], n["subcompounds_sent"], n["subcompounds_served"])'
}
# The guest's request (tests/vm/hostreq.sh): `entries spread`, once
# client A made its big directory in the spread cluster: each node's
# namespace entries (strata status) within 20% of a third of their sum
# (issue 15, acceptance 2).
# shellcheck source=tests/vm/hostreq.sh
source "$HERE/hostreq.sh"
answer() {
  local e p es=() sum=0 bad=""
  [ "$1" = entries ] || { echo "FAIL unknown request $*"; return; }
  for p in "$S1" "$S2" "$S3"; do
    read -r _ _ e _ _ <<< "$(ns_of "$p" "$SP")"
    es+=("${e:-0}"); sum=$((sum + ${e:-0}))
  done
  for e in "${es[@]}"; do
    # |e - sum/3| <= 0.2 * sum/3  <=>  |3e - sum| * 5 <= sum
    local d=$((3 * e - sum)); [ $d -lt 0 ] && d=$((-d))
    [ $((d * 5)) -le "$sum" ] || bad+=" $e"
  done
  [ -z "$bad" ] && echo "ok entries per node ${es[*]} of $sum (each within 20% of a third)" ||
    echo "FAIL entries per node ${es[*]} of $sum: off a third by more than 20%:$bad"
}
"$HERE/run.sh" --cache "$CACHE" --port "$A" --port "$S2" --fwd "10.0.2.101:$B:$B" --fwd "10.0.2.101:$S3:$S3" \
  --fwd "10.0.2.102:2049:$DS1" --fwd "10.0.2.103:2049:$DS2" \
  --timeout 900 --out "$OUT" --quiet \
  --env "CLUSTERS=one:$A:$B spread:$S2:$S3" --env "SPREAD_NFILES=$SPREAD_FILES" \
  --env "SPREAD_NDIRS=$((SPREAD_FILES / 10))" \
  "$HERE/guest/multi-front-test.sh" &
VMPID=$!
serve_requests run-multi-front
wait "$VMPID"; VRC=$?; VMPID=""
grep -a '^VMTEST PHASE\|client A:\|A made\|B: ' "$OUT/console.log" | tr -d '\r'
[ $VRC = 0 ] || { [ $VRC = 1 ] && fail "a guest phase failed ($OUT/console.log)" || RC=$VRC; }
read -r n1 o1 e1 s1 r1 <<< "$(ns_of "$PORT")"
read -r n2 o2 e2 s2 r2 <<< "$(ns_of "$A")"
read -r n3 o3 e3 s3 r3 <<< "$(ns_of "$B")"
echo "run-multi-front: node $n1 owns $o1 partitions, $e1 entries, served $r1; node $n2 sent $s2 ($e2 entries); node $n3 sent $s3 ($e3 entries)"
[ "$n1 $n2 $n3" = "1 2 3" ] && [ "$o2 $o3 $e2 $e3" = "0 0 0 0" ] || fail "the fronts own partitions or entries"
[ "${s2:-0}" -ge 100 ] && [ "${s3:-0}" -ge 100 ] || fail "a front forwarded almost nothing (node 2: $s2, node 3: $s3)"
[ "${r1:-0}" -ge $((s2 + s3)) ] || fail "the owner served $r1 sub-compounds, the fronts sent $((s2 + s3))"
# the owner's recall of A's delegation went out on A's back channel at
# front A (client ids start with their node: 2...)
grep -Eq 'CB_RECALL sent to client 2[0-9a-f]{12} ' "$SRV/mds2.log" ||
  fail "no CB_RECALL to client A in front A's log (mds2.log)"
"$LOCAL" down --dir "$SRV" > /dev/null
"$BUILD/tools/strata-fsck" --dir "$SRV/data/meta" > "$DIR/fsck.out" 2>&1 || { cat "$DIR/fsck.out"; fail "fsck of the owner"; }
# the spread cluster: every node owns a partition and served its part;
# the clients' nodes (2, 3) sent what they did not own
for p in "$S1" "$S2" "$S3"; do
  read -r n o e s r <<< "$(ns_of "$p" "$SP")"
  echo "run-multi-front: spread node $n owns $o partition(s), sent $s, served $r"
  [ "${o:-0}" = 1 ] && [ "${r:-0}" -ge 20 ] && { [ "$p" = "$S1" ] || [ "${s:-0}" -ge 20 ]; } ||
    fail "spread node $n: owns ${o:-?}, sent ${s:-?}, served ${r:-?} sub-compounds"
done
grep -Eq 'CB_RECALL sent to client 2[0-9a-f]{12} ' "$SP/mds2.log" ||
  fail "no CB_RECALL to client A in its node's log (spread mds2.log)"
# B's truncates recalled A's layouts: sent on A's back channel at node 2,
# and answered to owners that are other nodes (decision 0036)
nlr=$(grep -Ec 'CB_LAYOUTRECALL sent to client 2[0-9a-f]{12} ' "$SP/mds2.log")
nfar=$(cat "$SP/mds.log" "$SP/mds3.log" 2>/dev/null | grep -Ec 'client 2[0-9a-f]{12} answered CB_LAYOUTRECALL')
echo "run-multi-front: spread: $nlr CB_LAYOUTRECALL sent to client A at node 2, $nfar answered to nodes 1 and 3"
[ "${nlr:-0}" -ge 1 ] && [ "${nfar:-0}" -ge 1 ] || fail "no layout recall of client A across nodes"
"$LOCAL" down --dir "$SP" > /dev/null
"$BUILD/tools/strata-fsck" --cluster-map "$SP/cluster.map" "$SP/data/meta" "$SP/mds2/meta" "$SP/mds3/meta" \
  > "$DIR/fsck-spread.out" 2>&1 || { cat "$DIR/fsck-spread.out"; fail "fsck of the spread cluster"; }
grep -q 'cluster of 3 nodes: 1 inodes, 0 entries, 0 violations' "$DIR/fsck-spread.out" ||
  { cat "$DIR/fsck-spread.out"; fail "the spread cluster keeps entries after the tree was removed"; }
if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$SRV"/mds*.log "$SP"/mds*.log "$SP"/ds*.log 2>/dev/null; then
  fail "sanitizer report in the log(s) above"
fi
[ $RC = 0 ] && echo "run-multi-front: PASS" || echo "run-multi-front: FAIL (rc=$RC)"
exit $RC
