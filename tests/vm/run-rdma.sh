#!/bin/bash
# tests/vm/run-rdma.sh [--build BUILD] [--out DIR] [--timeout S] [--env K=V]...
#                      [--phases "P1 P2 ..."] [--suites] [--quiet]
#
# NFSv4.1 over RPC-over-RDMA (issue 17) with the stock Linux 6.1
# client in one qemu VM: the host has no RDMA, so the guest brings up
# Soft-RoCE (rdma_rxe on eth0) and runs strata-mds itself (the host-built
# binary, seen through 9p) bound to its own address with --rdma, then
# mounts it with vers=4.1,proto=rdma,port=20049. Phases and checks in
# tests/vm/guest/rdma-test.sh (Soft-RoCE up, server up, proto=rdma in
# /proc/mounts and mountstats, a bad client, 64 MiB written and read back
# with equal sha256 through Read and Write chunks, a 3,000-entry listing
# exact through Reply chunks, fsx, a CB_RECALL over the RDMA backchannel,
# the server alive with a clean log); then, in the same boot, pNFS over
# RDMA (decision 0029): an MDS and 2 data servers with --rdma, PNFS_MB (32)
# MiB through a proto=rdma mount, the data servers' own counters showing
# the file RDMA-Read and RDMA-written by them, a CB_LAYOUTRECALL over RDMA;
# then restarts (issue 17, acceptance 4): mds-restart (the MDS SIGKILLed
# under a lock holder's write loop and restarted: the RDMA mount
# reconnects, open and lock reclaimed, a second locker refused until the
# release, the data whole) and ds-restart (a data server SIGKILLed mid-read
# and restarted: the read ends right, the restarted server serves over
# RDMA again).
#
#   --build BUILD  build dir with nfsd/strata-mds (default: build/; e.g.
#                  build-asan for the sanitizer build)
#   --out DIR      artefacts (default /tmp/strata-rdma-<time>): console.log,
#                  mds.log, mds.log.killed, mountstats.txt, xprt-*.txt,
#                  rdma-link.txt, pnfs-mds.log, pnfs-ds*.log,
#                  pnfs-ds1.log.killed, pnfs-xprts*.txt, mds-restart-ctl/;
#                  with --suites: logs/PHASE.log, phases.tsv, mountstats-41.txt
#   --timeout S    whole-VM limit (default 900; 5400 with --suites)
#   --mem MB       guest RAM (default 2048; 3072 for PNFS_MB=256)
#   --env K=V      to the guest (BIG_MB, NDIR, FSX_OPS, FSX_SEED, PNFS_MB, NPDS,
#                  RESTART_MB1, DSR_MB, RESTART_BREAK; with --suites:
#                  SUITES_ON=mds|pnfs, FSX_SEEDS, SUITE_PHASES)
#   --phases LIST  only these optional phases (e.g. "mds-restart ds-restart";
#                  rxe, server and mount always run, pnfs-up when needed)
#   --suites       by hand, not in CI (issue 17, acceptance 2 over RDMA):
#                  the POSIX suites of run-posix.sh through a proto=rdma
#                  mount of the MDS in the guest (or, SUITES_ON=pnfs, of
#                  the pNFS cluster): cthon04 basic, general,
#                  special and lock; fsx 10,000 ops buffered and O_DIRECT
#                  with seeds 4242 and 90210; a 5,000-entry directory listed
#                  exactly; a tar copy compared with diff -r
#   --quiet        do not echo the guest console
# Exit: 0 pass, 1 fail, 2 no result from the VM, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$ROOT/build; OUT=""; TIMEOUT=""; ENVS=(); QUIET=(); SUITES_MODE=0; MEM=()
usage() { sed -n '2,47p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd) || usage; shift 2;;
    --out) OUT=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --mem) MEM=(--mem "$2"); shift 2;;
    --env) ENVS+=(--env "$2"); shift 2;;
    --phases) ENVS+=(--env "PHASES=$2"); shift 2;;
    --suites) SUITES_MODE=1; shift;;
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
if [ $SUITES_MODE = 1 ]; then
  "$ROOT/scripts/build-suites.sh" cthon04 fsx >/dev/null || { echo "run-rdma: cannot build cthon04 and fsx" >&2; exit 3; }
else
  [ -f "$SUITES/suites.env" ] && grep -q '^FSX_BIN=' "$SUITES/suites.env" ||
    "$ROOT/scripts/build-suites.sh" fsx >/dev/null || { echo "run-rdma: cannot build fsx" >&2; exit 3; }
fi
# shellcheck disable=SC1091
source "$SUITES/suites.env"
if [ $SUITES_MODE = 1 ]; then
  [ -n "${CTHON04_DIR:-}" ] || { echo "run-rdma: cthon04 not built under $SUITES" >&2; exit 3; }
  ENVS+=(--env RDMA_SUITES=1 --env "CTHON04_DIR=$CTHON04_DIR")
fi
[ -n "$TIMEOUT" ] || { [ $SUITES_MODE = 1 ] && TIMEOUT=5400 || TIMEOUT=900; }
[ -n "$OUT" ] || OUT=/tmp/strata-rdma-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
t0=$(date +%s)
STRATA_VM_CACHE=$CACHE "$HERE/run.sh" --no-net-fwd --timeout "$TIMEOUT" --out "$OUT" ${MEM[@]+"${MEM[@]}"} \
  --env STRATA_ROOT="$ROOT" --env STRATA_BUILD="$BUILD" --env FSX_BIN="$FSX_BIN" \
  ${ENVS[@]+"${ENVS[@]}"} ${QUIET[@]+"${QUIET[@]}"} "$HERE/guest/rdma-test.sh"
rc=$?
echo "run-rdma: phases:"; grep -a '^VMTEST PHASE' "$OUT/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/  /'
echo "run-rdma: exit=$rc wall=$(( $(date +%s) - t0 ))s out=$OUT"
exit $rc
