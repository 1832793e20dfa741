#!/bin/bash
# tests/tier-watermark.sh -- the object tier's capacity watermarks end to
# end (issue 16, docs/decisions/0032): MDS + 2 data servers started with
# scripts/strata-local --tier dir:DIR/tier on loopback (MDS on P, data
# servers on P+1, P+2, their metrics on M+1, M+2; one shard, 64 KiB
# stripes), each data server reporting a capacity of 7 MiB with the bytes
# under its data directory as used (--ds-capacity, the test knob
# store_capacity), the policy "/wm access_idle=1d" with --tier-high-pct 55
# --tier-low-pct 20 and a pass every second; then
# tests/tier-watermark/tier_watermark.py: eight 1 MiB files, the oldest
# written read again before the eighth crosses the high mark; the passes
# offload and release the six oldest by access and no more, the fill
# ends below the low mark; `strata residency /wm` and `strata tier status`
# show the totals per state.
#   tests/tier-watermark.sh [--build DIR] [--port P] [--dir DIR]
#                           [--metrics-port M] [--high PCT] [--heartbeat S]
# --high 0 runs it with the watermarks off (it must then fail: b.*).
# The MDS asks the data servers' fill every --heartbeat S (default 3): a
# pass acting on a fill from before its releases would go past the low
# mark (b.3 watches S + 3 seconds of passes).
# pynfs's client library comes from scripts/build-suites.sh pynfs. No
# sanitizer report may appear in any log. Exit 0 passed, 1 failed, 2/3
# setup.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build; PORT=26900; DIR=""; MPORT=""; HIGH=55; LOW=20
CAP=$((7 << 20)); HB=3
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd) || exit 3; shift 2;;
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    --metrics-port) MPORT=$2; shift 2;;
    --high) HIGH=$2; shift 2;;
    --heartbeat) HB=$2; shift 2;;
    *) echo "usage: $0 [--build DIR] [--port P] [--dir DIR] [--metrics-port M] [--high PCT] [--heartbeat S]" >&2; exit 3;;
  esac
done
[ -n "$MPORT" ] || MPORT=$((PORT + 10000))
[ "$HIGH" != 0 ] || LOW=0
CLI=$BUILD/tools/strata
NAME=tier-watermark
# shellcheck source=tests/lib/loopback.sh
. "$ROOT/tests/lib/loopback.sh"
loopback_need "$CLI" "$BUILD/nfsd/strata-mds" "$BUILD/nfsd/strata-ds"
command -v promtool > /dev/null || { echo "$NAME: promtool is needed" >&2; exit 3; }
loopback_pynfs
loopback_dir "$DIR"
T0=$(date +%s)
if ! "$LOCAL" up --dir "$DIR" --port "$PORT" --lease 20 --grace 0 --build "$BUILD" --metrics-base "$MPORT" \
     --shards 1 --data-servers 2 --stripe-unit 65536 --ds-capacity "$CAP" --tier "dir:$DIR/tier" \
     --tier-policy "/wm access_idle=1d" --tier-high-pct "$HIGH" --tier-low-pct "$LOW" \
     --tier-scan-interval 1 --heartbeat "$HB" > "$DIR/up.out" 2>&1; then
  cat "$DIR/up.out" >&2; echo "$NAME: FAIL: the servers did not start" >&2; exit 2
fi
DEADLINE=()
[ "$HIGH" != 0 ] || DEADLINE=(--deadline 8)   # expected to fail: fail sooner
/usr/bin/python3 "$ROOT/tests/tier-watermark/tier_watermark.py" --server "127.0.0.1:$PORT" \
  --strata "$CLI" --dir "$DIR" --pynfs "$PYNFS_DIR" --capacity "$CAP" \
  --high "${HIGH/#0/55}" --low "${LOW/#0/20}" ${DEADLINE[@]+"${DEADLINE[@]}"} --stable $((HB + 3)) \
  --metrics "http://127.0.0.1:$MPORT/metrics" \
  --ds-metrics "http://127.0.0.1:$((MPORT + 1))/metrics,http://127.0.0.1:$((MPORT + 2))/metrics"
RC=$?
"$LOCAL" down --dir "$DIR" > /dev/null 2>&1
loopback_sanitized $RC; RC=$?
[ $RC = 0 ] && echo "$NAME: OK ($(( $(date +%s) - T0 )) s)" || echo "$NAME: FAIL (exit $RC)"
exit $RC
