#!/bin/bash
# tests/vm/run-nfstest-pnfs.sh [--port P] [--out DIR] [--build BUILD]
#                              [--tests LIST] [--timeout S]
#                              [--stripe-unit B] [--iosize S]
# NFStest's nfstest_pnfs in the VM against an MDS with three data servers
# (pNFS issue, item 4; guest side: tests/vm/guest/nfstest-pnfs.sh). Builds
# NFStest outside the checkout first (scripts/build-suites.sh nfstest, from
# the mirror of github:Vicente-Cheng/nfstest). Cluster: strata-local up
# --data-servers 3 --ds-advertise 10.0.2.101-103:2049; the VM reaches the MDS
# as 10.0.2.105:2049 and data server I as 10.0.2.10I:2049.
#   --port P      MDS port (default 20780; data servers P+1..P+3)
#   --tests LIST  nfstest_pnfs --runtest (default read,write)
#   --stripe-unit B  the cluster's stripe unit (default 65536); NFStest's
#                 files are three stripe units, so each reaches every data
#                 server whatever its first stripe index. NFStest builds its
#                 data in Python, ~13 s per MiB under TCG: 64 KiB stripes
#                 keep the run near 2 minutes (3 MiB files: 5).
#   --iosize S    rsize/wsize and NFStest's I/O size (default 1m; its
#                 rw_* tests expect it below half the file size)
# Exit: 0 pass, 1 fail, 2 no result, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT=20780; OUT=""; BUILD=(); TESTS=read,write; TIMEOUT=900; NDS=3; SU=65536; IOSIZE=1m
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --build) BUILD=(--build "$2"); shift 2;;
    --tests) TESTS=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --stripe-unit) SU=$2; shift 2;;
    --iosize) IOSIZE=$2; shift 2;;
    *) sed -n '2,20p' "$0"; exit 3;;
  esac
done
[[ $PORT =~ ^[0-9]+$ && $TESTS =~ ^[a-z_,]+$ && $SU =~ ^[0-9]+$ && $IOSIZE =~ ^[0-9]+[km]?$ ]] && [ $((SU % 65536)) = 0 ] && [ "$SU" -gt 0 ] || { sed -n '2,20p' "$0"; exit 3; }
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
[ -f "$CACHE/env" ] || "$HERE/prepare.sh" "$CACHE" || exit 3
"$ROOT/scripts/build-suites.sh" nfstest || { echo "run-nfstest-pnfs: building NFStest failed" >&2; exit 3; }
. "${STRATA_SUITES_DIR:-/var/tmp/strata-suites}/suites.env"
[ -n "${NFSTEST_DIR:-}" ] || { echo "run-nfstest-pnfs: no NFSTEST_DIR in suites.env" >&2; exit 3; }
[ -n "$OUT" ] || OUT=/tmp/strata-nfstest-pnfs-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
CL=$OUT/cluster
LOCAL=("$ROOT/scripts/strata-local")
for ((i = 0; i <= NDS; i++)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$((PORT + i))") 2>/dev/null; then
    echo "run-nfstest-pnfs: something already listens on 127.0.0.1:$((PORT + i))" >&2; exit 3
  fi
done
STARTED=0
trap '[ $STARTED = 1 ] && "${LOCAL[@]}" down --dir "$CL" >/dev/null 2>&1' EXIT
rm -rf "$CL"; STARTED=1
"${LOCAL[@]}" up --dir "$CL" --port "$PORT" --data-servers $NDS --stripe-unit "$SU" "${BUILD[@]}" \
  --ds-advertise 10.0.2.101:2049,10.0.2.102:2049,10.0.2.103:2049 --lease 20 --grace 0 \
  > "$OUT/strata-local.out" 2>&1 || { cat "$OUT/strata-local.out" >&2; exit 3; }
FWDS=(--fwd "10.0.2.105:2049:$PORT")
for ((i = 1; i <= NDS; i++)); do FWDS+=(--fwd "10.0.2.10$i:2049:$((PORT + i))"); done
"$HERE/run.sh" --cache "$CACHE" --no-net-fwd "${FWDS[@]}" --timeout "$TIMEOUT" --out "$OUT" --quiet \
  --env "NFSTEST_DIR=$NFSTEST_DIR" --env "TESTS=$TESTS" --env "NFSTEST_FILESIZE=$((3 * SU / 1024))k" \
  --env "NFSTEST_IOSIZE=$IOSIZE" \
  "$HERE/guest/nfstest-pnfs.sh"
RC=$?
"${LOCAL[@]}" status --dir "$CL" > "$OUT/status.txt" 2>&1 || { echo "run-nfstest-pnfs: not every server is running at the end"; RC=1; }
grep -a '^VMTEST PHASE\|^ *PASS\|^ *FAIL\|tests (' "$OUT/console.log" | tr -d '\r' | sed 's/^/  /'
[ $RC = 0 ] && echo "run-nfstest-pnfs: PASS" || echo "run-nfstest-pnfs: FAIL (rc=$RC; $OUT/nfstest-pnfs.log)"
exit $RC
