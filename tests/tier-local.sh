#!/bin/bash
# tests/tier-local.sh -- the object tier in a real strata-mds (issue 16,
# docs/decisions/0031-tier-worker.md): MDS + 2 data servers started with
# scripts/strata-local --tier dir:DIR/tier on loopback (MDS on P, data
# servers on P+1, P+2; 1 MiB stripes), then tests/tier-local/tier_local.py:
# files of 0, 5,000 and 3 MiB + 123 bytes written through the MDS,
# offloaded and released with the admin CLI (`strata tier ...`; the
# objects' bytes and the data servers' emptied directories checked), read
# with a raw NFSv4.1 client (the first READ DELAY, the first LAYOUTGET
# LAYOUTTRYLATER, each queuing one recall; then the exact bytes, and a
# layout), then released again and the MDS SIGKILLed and restarted (the
# bytes still exact after recall), and once more SIGKILLed right after a
# recall was queued; an OPEN of an offloaded file brings its data back
# with no READ sent (a file not opened stays offloaded); `strata tier
# status` and the MDS's strata_tier_* metrics (on P+10000, checked with
# promtool) count exactly the steps the test made; the MDS restarted with
# a policy rule (decision 0032) offloads and releases an idle file by
# itself and keeps a file read meanwhile local; with an offloaded file's
# object moved aside, READ waits (DELAY) --tier-recall-timeout 3 s, then
# gets NFS4ERR_IO (LAYOUTGET LAYOUTUNAVAILABLE), and reads exact once the
# object is back; the orphan collector (every second, 1 s of grace)
# deletes an object nothing refers to, keeps the live one and a foreign
# file.
#   tests/tier-local.sh [--build DIR] [--port P] [--dir DIR] [--metrics-port M]
# (the MDS's metrics on M, default P+10000; the data servers' on M+1, M+2)
# pynfs's client library comes from scripts/build-suites.sh pynfs. No
# sanitizer report may appear in any log. Exit 0 passed, 1 failed, 2/3
# setup.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build; PORT=21490; DIR=""; MPORT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd) || exit 3; shift 2;;
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    --metrics-port) MPORT=$2; shift 2;;
    *) echo "usage: $0 [--build DIR] [--port P] [--dir DIR] [--metrics-port M]" >&2; exit 3;;
  esac
done
[ -n "$MPORT" ] || MPORT=$((PORT + 10000))
CLI=$BUILD/tools/strata
NAME=tier-local
# shellcheck source=tests/lib/loopback.sh
. "$ROOT/tests/lib/loopback.sh"
loopback_need "$CLI" "$BUILD/nfsd/strata-mds" "$BUILD/nfsd/strata-ds"
command -v promtool > /dev/null || { echo "$NAME: promtool is needed" >&2; exit 3; }
loopback_pynfs
loopback_dir "$DIR"
UNIT=1048576
T0=$(date +%s)
if ! "$LOCAL" up --dir "$DIR" --port "$PORT" --lease 20 --grace 0 --build "$BUILD" --metrics-base "$MPORT" \
     --data-servers 2 --stripe-unit $UNIT --tier "dir:$DIR/tier" > "$DIR/up.out" 2>&1; then
  cat "$DIR/up.out" >&2; echo "tier-local: FAIL: the servers did not start" >&2; exit 2
fi
/usr/bin/python3 "$ROOT/tests/tier-local/tier_local.py" --server "127.0.0.1:$PORT" \
  --ds "127.0.0.1:$((PORT + 1)),127.0.0.1:$((PORT + 2))" --strata "$CLI" --dir "$DIR" \
  --tier-dir "$DIR/tier" --local "$LOCAL" --unit $UNIT --pynfs "$PYNFS_DIR" \
  --metrics "http://127.0.0.1:$MPORT/metrics"
RC=$?
"$LOCAL" down --dir "$DIR" > /dev/null 2>&1
loopback_sanitized $RC; RC=$?
[ $RC = 0 ] && echo "tier-local: OK ($(( $(date +%s) - T0 )) s)" || echo "tier-local: FAIL (exit $RC)"
exit $RC
