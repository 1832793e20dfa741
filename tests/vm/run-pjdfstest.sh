#!/bin/bash
# tests/vm/run-pjdfstest.sh --port HOSTPORT [--export /export] [--out DIR] [--expected FILE]
#                           [--jobs N] [--smp N] [--tests "chmod rename/00.t"] [--shell busybox|system]
#                           [--timeout S] [--file-timeout S] [--opts MOUNTOPTS] [--append KARGS] [--env K=V]... [--quiet]
#
# The whole pjdfstest suite (github:pjd/pjdfstest, ~8,800 assertions in 238
# test files) through the stock Debian 6.1 NFS client in a qemu TCG VM,
# against an NFS server listening on the host at 127.0.0.1:HOSTPORT (guest
# side: tests/vm/guest/pjdfstest.sh). pjdfstest is built outside the tree
# (scripts/build-suites.sh pjdfstest, into $STRATA_SUITES_DIR).
#
#   --port P           host port of the server (required); the guest sees it as 10.0.2.100:P
#   --export PATH      export to mount (default /export; Strata: /)
#   --out DIR          artefacts (default /tmp/strata-pjdfstest-<timestamp>): console.log,
#                      prove.log, tap/, failures.txt, failures-detail.txt, results.tsv
#   --expected FILE    expected failures ("<dir>/<NN.t> <assertions|*>  # reason" lines);
#                      the run passes only when every failing assertion is listed there
#                      (without it: passes only when nothing fails)
#   --jobs N           test files run at once (prove -j, each in its own directory;
#                      default: --smp + 1, which keeps the vCPUs busy while jobs
#                      wait for the server: 396 s instead of 449 s with -j2)
#   --smp N            guest CPUs (default 2)
#   --tests LIST       subset, relative to tests/ (e.g. "chmod rename/00.t"; default all)
#   --shell S          busybox (default: the .t files run under busybox sh, whose
#                      applets replace tail/grep/awk/dd... execs) or system (/bin/sh = dash)
#   --timeout S        whole-VM limit (default 3600); the guest stops prove 120 s before
#   --file-timeout S   per test file (default 900)
#   --opts O           extra mount options
#   --append KARGS     extra guest kernel command line
#   --env K=V          passed to the guest (KEEP_TESTDIR=1, ...)
#   --quiet            do not echo the guest console
# Exit: 0 passed (no failure outside --expected), 1 unexpected failures or the
# guest failed (mount, timeout), 2 no result from the VM, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT=""; EXPORT=/export; OUT=""; EXPECTED=""; JOBS=""; SMP=2; TESTS=""; SHELLK=busybox
TIMEOUT=3600; FTIMEOUT=900; OPTS=""; APPEND=""; ENVS=(); QUIET=()
usage() { sed -n '2,30p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --export) EXPORT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --expected) EXPECTED=$2; shift 2;;
    --jobs) JOBS=$2; shift 2;;
    --smp) SMP=$2; shift 2;;
    --tests) TESTS=$2; shift 2;;
    --shell) SHELLK=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --file-timeout) FTIMEOUT=$2; shift 2;;
    --opts) OPTS=$2; shift 2;;
    --append) APPEND=$2; shift 2;;
    --env) ENVS+=(--env "$2"); shift 2;;
    --quiet) QUIET=(--quiet); shift;;
    -h|--help) usage;;
    *) echo "run-pjdfstest: unknown argument $1" >&2; usage;;
  esac
done
[[ $PORT =~ ^[0-9]+$ ]] || { echo "run-pjdfstest: --port HOSTPORT is required" >&2; usage; }
[ -n "$JOBS" ] || JOBS=$((SMP + 1))
[[ $JOBS =~ ^[1-9][0-9]*$ && $SMP =~ ^[1-9][0-9]*$ && $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -gt 300 ]] || usage
[ -z "$EXPECTED" ] || [ -f "$EXPECTED" ] || { echo "run-pjdfstest: no expected list $EXPECTED" >&2; exit 3; }
[ -z "$EXPECTED" ] || EXPECTED=$(realpath "$EXPECTED")
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
[ -n "$OUT" ] || OUT=/tmp/strata-pjdfstest-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/tap" "$OUT/prove.log" "$OUT/prove.rc" "$OUT"/failures*.txt "$OUT/results.tsv"

if ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "run-pjdfstest: nothing listens on 127.0.0.1:$PORT" >&2; exit 3
fi
T0=$(date +%s)
if [ ! -f "$CACHE/env" ]; then
  "$HERE/prepare.sh" "$CACHE" || { echo "run-pjdfstest: prepare.sh failed" >&2; exit 3; }
fi
"$ROOT/scripts/build-suites.sh" pjdfstest || { echo "run-pjdfstest: build-suites.sh pjdfstest failed" >&2; exit 3; }
# shellcheck disable=SC1091
. "${STRATA_SUITES_DIR:-/var/tmp/strata-suites}/suites.env"
[ -n "${PJDFSTEST_DIR:-}" ] || { echo "run-pjdfstest: no PJDFSTEST_DIR in suites.env" >&2; exit 3; }
for t in $TESTS; do
  [ -e "$PJDFSTEST_DIR/tests/$t" ] || { echo "run-pjdfstest: --tests: no tests/$t in $PJDFSTEST_DIR" >&2; exit 3; }
done
T1=$(date +%s)

RUNARGS=(--cache "$CACHE" --port "$PORT" --timeout "$TIMEOUT" --smp "$SMP" --out "$OUT" "${QUIET[@]}")
[ -z "$APPEND" ] || RUNARGS+=(--append "$APPEND")
"$HERE/run.sh" "${RUNARGS[@]}" \
  --env "NFS_PORT=$PORT" --env "NFS_EXPORT=$EXPORT" --env "NFS_OPTS=$OPTS" \
  --env "PJDFSTEST_DIR=$PJDFSTEST_DIR" --env "PJD_JOBS=$JOBS" --env "PJD_TESTS_SEL=$TESTS" \
  --env "PJD_SHELL=$SHELLK" --env "PJD_TIMEOUT=$((TIMEOUT - 120))" --env "PJD_FILE_TIMEOUT=$FTIMEOUT" \
  "${ENVS[@]}" "$HERE/guest/pjdfstest.sh"
RC=$?
T2=$(date +%s)

# ---- summary
LOG="$OUT/console.log"
echo
echo "=== pjdfstest summary (server 127.0.0.1:$PORT$EXPORT; out $OUT)"
grep -a '^VMTEST PHASE ' "$LOG" | tr -d '\r' | sed 's/^VMTEST PHASE /  phase /'
[ -f "$OUT/pjd-env.txt" ] && echo "  suite sees: $(cat "$OUT/pjd-env.txt"); jobs $JOBS, smp $SMP"
tr -d '\r' < "$OUT/prove.log" 2>/dev/null | grep -a '^Files=' | sed 's/^/  prove: /'
REP=0
if [ -d "$OUT/tap" ]; then
  PJD_SUBSET="$TESTS" "$HERE/pjdfstest-report.pl" "$OUT/tap" "$PJDFSTEST_DIR/tests" "$OUT" ${EXPECTED:+"$EXPECTED"}
  REP=$?
else
  echo "run-pjdfstest: no TAP output ($OUT/tap)"; REP=1
fi
[ -z "$EXPECTED" ] && [ -s "$OUT/failures.txt" ] && REP=1
ptime=$(tr -d '\r' < "$LOG" | grep -a '^VMTEST PHASE pjdfstest ' | awk '{print $4}')
echo "time: suite ${ptime:-?} in the guest; host: setup $((T1 - T0))s, VM $((T2 - T1))s"
if [ $RC -ge 2 ]; then echo "run-pjdfstest: NO RESULT (rc=$RC: timeout or VM failure; see $LOG)"; exit 2; fi
if [ $RC = 1 ]; then echo "run-pjdfstest: FAIL (guest: $(grep -a '^VMTEST failed phases\|^VMTEST ABORT' "$LOG" | tr -d '\r' | sed 's/^VMTEST //' | head -1))"; exit 1; fi
if [ $REP = 0 ]; then echo "run-pjdfstest: PASS"; exit 0; fi
[ $REP = 3 ] && { echo "run-pjdfstest: bad expected list"; exit 3; }
echo "run-pjdfstest: FAIL (failures not in ${EXPECTED:-an expected list}: $OUT/failures.txt)"
exit 1
