#!/bin/bash
# tests/datagen.sh -- data generations on real processes (issue 16,
# docs/decisions/0030-data-generations.md): MDS + 2 data servers started
# with scripts/strata-local on loopback (MDS on P, data servers on P+1,
# P+2; 1 MiB stripes), then tests/datagen/datagen.py: a file written at
# generation 0; (a) a copy at generation 1 made by the MDS through the
# tier's data interface, both copies read and written by their own DS
# handles; (b) generation 0 fenced: its handles NFS4ERR_STALE on both
# data servers; (c) generation 1 dropped: its handles STALE, generation
# 2 (copied from it first) and the current copy intact; (d) both data
# servers SIGKILLed and restarted: the fence of (b), which they forgot,
# is sent again by the MDS, generation 0 STALE again.
#   tests/datagen.sh [--build DIR] [--port P] [--dir DIR]
# pynfs's client library comes from scripts/build-suites.sh pynfs. No
# sanitizer report may appear in any log. Exit 0 passed, 1 failed, 2/3
# setup.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build; PORT=21480; DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd) || exit 3; shift 2;;
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    *) echo "usage: $0 [--build DIR] [--port P] [--dir DIR]" >&2; exit 3;;
  esac
done
TOOL=$BUILD/tests/datagen/strata-datagen-tool
NAME=datagen
# shellcheck source=tests/lib/loopback.sh
. "$ROOT/tests/lib/loopback.sh"
loopback_need "$TOOL" "$BUILD/nfsd/strata-mds" "$BUILD/nfsd/strata-ds"
loopback_pynfs
loopback_dir "$DIR"
UNIT=1048576
if ! "$LOCAL" up --dir "$DIR" --port "$PORT" --lease 20 --grace 0 --build "$BUILD" \
     --data-servers 2 --stripe-unit $UNIT > "$DIR/up.out" 2>&1; then
  cat "$DIR/up.out" >&2; echo "datagen: FAIL: the servers did not start" >&2; exit 2
fi
/usr/bin/python3 "$ROOT/tests/datagen/datagen.py" --server "127.0.0.1:$PORT" \
  --ds "127.0.0.1:$((PORT + 1)),127.0.0.1:$((PORT + 2))" --key "$DIR/cluster.key" \
  --tool "$TOOL" --unit $UNIT --pynfs "$PYNFS_DIR" --local "$LOCAL" --dir "$DIR"
RC=$?
"$LOCAL" down --dir "$DIR" > /dev/null 2>&1
loopback_sanitized $RC; RC=$?
[ $RC = 0 ] && echo "datagen: OK" || echo "datagen: FAIL (exit $RC)"
exit $RC
