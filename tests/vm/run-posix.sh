#!/bin/bash
# tests/vm/run-posix.sh --port HOSTPORT [--export /export] [--out DIR] [--phases "P1 P2 ..."]
#                       [--timeout S] [--phase-timeout S] [--opts MOUNTOPTS] [--env K=V]... [--quiet]
#
# Runs the POSIX/data suite (tests/vm/guest/posix-suite.sh: mounts, cthon04
# basic/general/special/lock, fsx buffered + O_DIRECT, 64 MiB sha256, 5,000-entry
# directory, tar tree + diff -r) in a qemu TCG VM with the stock Debian 6.1 NFS
# client, against an NFS server listening on the host at 127.0.0.1:HOSTPORT.
#
# It first makes sure the VM cache exists (tests/vm/prepare.sh into
# $STRATA_VM_CACHE, default /var/tmp/strata-vmcache) and that the suites are
# built (scripts/build-suites.sh into $STRATA_SUITES_DIR, default
# /var/tmp/strata-suites; mirrors from $STRATA_MIRROR, default /work/.mirror).
#
#   --port P           host port of the server (required); the guest sees it as 10.0.2.100:P
#   --export PATH      export to mount (default /export)
#   --out DIR          artefacts (default /tmp/strata-posix-<timestamp>): console.log,
#                      logs/PHASE.log, phases.tsv, mountstats-*.txt, default-vers.txt
#   --phases LIST      subset, space/comma separated, shell patterns ok, e.g. "cthon-* big-file"
#                      (default: all; see posix-suite.sh for the names)
#   --timeout S        whole-VM limit (default 3600)
#   --phase-timeout S  per-phase limit inside the guest (default 900)
#   --opts O           extra mount options for both mounts
#   --env K=V          passed to the guest (FSX_OPS, FSX_SEEDS, BIG_MB, NDIR, TREE_SRC, KEEP_TESTDIR)
#   --quiet            do not echo the guest console
# Exit: 0 all phases passed, 1 a phase failed, 2 no result from the VM (timeout,
# crash), 3 setup error (VM cache, suites, usage).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT=""; EXPORT=/export; OUT=""; PHASES=""; TIMEOUT=3600; PTIMEOUT=900; OPTS=""; ENVS=(); QUIET=()
usage() { sed -n '2,27p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --export) EXPORT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --phases) PHASES=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --phase-timeout) PTIMEOUT=$2; shift 2;;
    --opts) OPTS=$2; shift 2;;
    --env) ENVS+=(--env "$2"); shift 2;;
    --quiet) QUIET=(--quiet); shift;;
    -h|--help) usage;;
    *) echo "run-posix: unknown argument $1" >&2; usage;;
  esac
done
[[ $PORT =~ ^[0-9]+$ ]] || { echo "run-posix: --port HOSTPORT is required" >&2; usage; }
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
S=${STRATA_SUITES_DIR:-/var/tmp/strata-suites}
[ -n "$OUT" ] || OUT=/tmp/strata-posix-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/logs" "$OUT/phases.tsv" "$OUT"/mountstats-*.txt "$OUT/default-vers.txt" "$OUT"/fsx-*-artefacts

# check --phases against the guest script's names before booting anything
if [ -n "$PHASES" ]; then
  known=" $(VMTEST_HARNESS=$HERE FSX_SEEDS="$(printf '%s\n' "${ENVS[@]}" | sed -n 's/^FSX_SEEDS=//p')" bash "$HERE/guest/posix-suite.sh" __list) "
  for p in ${PHASES//,/ }; do
    ok=0
    # shellcheck disable=SC2053  # $p is a pattern on purpose
    for k in $known; do [[ $k == $p ]] && { ok=1; break; }; done
    [[ $p =~ ^fsx-(buf|dio)-[0-9]+$ ]] && ok=1
    [ $ok = 1 ] || { echo "run-posix: --phases: '$p' matches no phase (phases:$known)" >&2; exit 3; }
  done
fi
if ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "run-posix: nothing listens on 127.0.0.1:$PORT" >&2; exit 3
fi
T0=$(date +%s)
if [ ! -f "$CACHE/env" ]; then
  echo "run-posix: preparing VM cache $CACHE"
  "$HERE/prepare.sh" "$CACHE" || { echo "run-posix: prepare.sh failed" >&2; exit 3; }
fi
"$ROOT/scripts/build-suites.sh" cthon04 fsx || { rc=$?; echo "run-posix: build-suites.sh failed (rc=$rc)" >&2; exit 3; }
# shellcheck disable=SC1091
. "$S/suites.env"
[ -n "${CTHON04_DIR:-}" ] && [ -n "${FSX_BIN:-}" ] || { echo "run-posix: suites not built under $S" >&2; exit 3; }
T1=$(date +%s)

"$HERE/run.sh" --cache "$CACHE" --port "$PORT" --timeout "$TIMEOUT" --out "$OUT" "${QUIET[@]}" \
  --env "NFS_PORT=$PORT" --env "NFS_EXPORT=$EXPORT" --env "NFS_OPTS=$OPTS" --env "PHASES=$PHASES" \
  --env "PHASE_TIMEOUT=$PTIMEOUT" --env "CTHON04_DIR=$CTHON04_DIR" --env "FSX_BIN=$FSX_BIN" \
  "${ENVS[@]}" "$HERE/guest/posix-suite.sh"
RC=$?
T2=$(date +%s)

# ---- summary ----
LOG="$OUT/console.log"
echo
echo "=== posix-suite summary (server 127.0.0.1:$PORT$EXPORT; out $OUT)"
printf '%-18s %9s  %s\n' phase seconds result
grep -a '^VMTEST PHASE ' "$LOG" | tr -d '\r' | while read -r _ _ name secs rest; do
  case "$rest" in
    rc=0) r=PASS;; rc=124|rc=137) r="FAIL (timeout)";; rc=*) r="FAIL (${rest})";;
    *) r="SKIPPED"; rest=""; secs="-";;
  esac
  printf '%-18s %9s  %s\n' "$name" "${secs%s}" "$r"
done
grep -a '^VMTEST STEP ' "$LOG" | tr -d '\r' | sed 's/^VMTEST STEP /  step: /'
[ -s "$OUT/default-vers.txt" ] && echo "default mount negotiated vers=$(cat "$OUT/default-vers.txt")"
boot=$(tr -d '\r' < "$LOG" | grep -a -m1 'stage2 ready' | sed -n 's/^VMTEST T+\([0-9.]*\).*/\1/p')
off=$(tr -d '\r' < "$LOG" | grep -a -m1 ' poweroff$' | sed -n 's/^VMTEST T+\([0-9.]*\).*/\1/p')
echo "guest: ready at T+${boot:-?}s, poweroff at T+${off:-?}s; host: setup $((T1 - T0))s, VM $((T2 - T1))s"
case $RC in
  0) echo "run-posix: PASS";;
  1) echo "run-posix: FAIL ($(grep -a '^VMTEST failed phases' "$LOG" | tr -d '\r' | sed 's/^VMTEST //'))";;
  *) echo "run-posix: NO RESULT (rc=$RC: timeout or VM failure; see $LOG)";;
esac
exit $RC
