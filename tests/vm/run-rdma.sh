#!/bin/bash
# tests/vm/run-rdma.sh [--build BUILD] [--out DIR] [--timeout S] [--env K=V]... [--quiet]
#
# NFSv4.1 over RPC-over-RDMA (issue 17, step 2) with the stock Linux 6.1
# client in one qemu VM: the host has no RDMA, so the guest brings up
# Soft-RoCE (rdma_rxe on eth0) and runs strata-mds itself (the host-built
# binary, seen through 9p) bound to its own address with --rdma, then
# mounts it with vers=4.1,proto=rdma,port=20049. Phases and checks in
# tests/vm/guest/rdma-test.sh (Soft-RoCE up, server up, proto=rdma in
# /proc/mounts and mountstats, 64 MiB written and read back with equal
# sha256 through Read and Write chunks, a 3,000-entry listing exact
# through Reply chunks, fsx, the server alive with a clean log); then, in
# the same boot, pNFS over RDMA (decision 0029): an MDS and 2 data servers
# with --rdma, PNFS_MB (32) MiB through a proto=rdma mount, the data
# servers' own counters showing the file RDMA-Read and RDMA-written by them.
#
#   --build BUILD  build dir with nfsd/strata-mds (default: build/; e.g.
#                  build-asan for the sanitizer build)
#   --out DIR      artefacts (default /tmp/strata-rdma-<time>): console.log,
#                  mds.log, mountstats.txt, xprt-*.txt, rdma-link.txt,
#                  pnfs-mds.log, pnfs-ds*.log, pnfs-xprts.txt
#   --timeout S    whole-VM limit (default 900)
#   --env K=V      to the guest (BIG_MB, NDIR, FSX_OPS, FSX_SEED, PNFS_MB)
#   --quiet        do not echo the guest console
# Exit: 0 pass, 1 fail, 2 no result from the VM, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$ROOT/build; OUT=""; TIMEOUT=900; ENVS=(); QUIET=()
usage() { sed -n '2,24p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd) || usage; shift 2;;
    --out) OUT=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --env) ENVS+=(--env "$2"); shift 2;;
    --quiet) QUIET=(--quiet); shift;;
    -h|--help) usage;;
    *) echo "run-rdma: unknown argument $1" >&2; usage;;
  esac
done
for b in nfsd/strata-mds nfsd/strata-ds tools/strata-stat; do
  [ -x "$BUILD/$b" ] || { echo "run-rdma: no $BUILD/$b (build first)" >&2; exit 3; }
done
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
[ -f "$CACHE/env" ] || "$HERE/prepare.sh" "$CACHE" || { echo "run-rdma: VM cache" >&2; exit 3; }
SUITES=${STRATA_SUITES_DIR:-/var/tmp/strata-suites}
[ -f "$SUITES/suites.env" ] && grep -q '^FSX_BIN=' "$SUITES/suites.env" ||
  "$ROOT/scripts/build-suites.sh" fsx >/dev/null || { echo "run-rdma: cannot build fsx" >&2; exit 3; }
# shellcheck disable=SC1091
source "$SUITES/suites.env"
[ -n "$OUT" ] || OUT=/tmp/strata-rdma-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
t0=$(date +%s)
STRATA_VM_CACHE=$CACHE "$HERE/run.sh" --no-net-fwd --timeout "$TIMEOUT" --out "$OUT" \
  --env STRATA_ROOT="$ROOT" --env STRATA_BUILD="$BUILD" --env FSX_BIN="$FSX_BIN" \
  ${ENVS[@]+"${ENVS[@]}"} ${QUIET[@]+"${QUIET[@]}"} "$HERE/guest/rdma-test.sh"
rc=$?
echo "run-rdma: phases:"; grep -a '^VMTEST PHASE' "$OUT/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/  /'
echo "run-rdma: exit=$rc wall=$(( $(date +%s) - t0 ))s out=$OUT"
exit $rc
