#!/bin/bash
# tests/tier-faults.sh -- the object tier under faults against a real S3
# server (issue 16, acceptance 4, host side): OpenStack Swift with s3api
# on 127.0.0.1 (tests/s3/swift.sh, ports P+5..P+9, stopped by its PIDs),
# MDS + 2 data servers started with scripts/strata-local --tier
# s3:http://127.0.0.1:P+5/BUCKET --tier-credentials (MDS on P, data
# servers on P+1, P+2; 1 MiB stripes; the orphan collector every second
# with 1 s of grace), the bucket made by curl --aws-sigv4; then
# tests/tier-faults/tier_faults.py:
#   a. ROUNDS rounds, each an offload, release or recall of a file (5,000
#      B, 1 MiB, 3 MiB; with --big also 64 MiB, a multipart upload) cut
#      by the MDS exiting right before step N of the job (strata-mds
#      --failpoint tier-step:N, nfsd/tier_failstep.h), after its last
#      step, or by a SIGKILL a seeded random time into it; the schedule
#      covers every kind of step of the three jobs first. After each:
#      strata-fsck of the crash image clean (tier invariants), the job
#      given up at restart, every file a full data-server copy or an
#      object verified by curl (sha256) or both, its bytes exact through
#      the MDS (READs retried through DELAY);
#   b. the S3 proxy SIGKILLed during a 17 MiB multipart offload the policy
#      started: the offload fails and is retried, nothing is released (a
#      manual release of a BOTH file fails too, its copy kept); the proxy
#      back, the offload completes and the file is released, its object
#      verified by curl;
#   c. the proxy stopped again: a READ of the offloaded file waits
#      (DELAY); the proxy back, it returns the exact bytes;
#   z. an orphan object (put by curl) deleted by the collector, the
#      bucket's listing (curl) exactly the objects the files' residency
#      names, and no multipart upload left unfinished (the one b cut
#      aborted by the collector).
#   tests/tier-faults.sh [--build DIR] [--port P] [--dir DIR] [--rounds N]
#                        [--seed S] [--big] [--skip-outage]
# The seed is printed (--seed repeats a run). pynfs's client library comes
# from scripts/build-suites.sh pynfs. No sanitizer report may appear in
# any log. Exit 0 passed, 1 failed, 2/3 setup.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build; PORT=21480; DIR=""; PYARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd) || exit 3; shift 2;;
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    --rounds|--seed) PYARGS+=("$1" "$2"); shift 2;;
    --big|--skip-outage) PYARGS+=("$1"); shift;;
    *) echo "usage: $0 [--build DIR] [--port P] [--dir DIR] [--rounds N] [--seed S] [--big] [--skip-outage]" >&2
       exit 3;;
  esac
done
CLI=$BUILD/tools/strata
NAME=tier-faults
# shellcheck source=tests/lib/loopback.sh
. "$ROOT/tests/lib/loopback.sh"
loopback_need "$CLI" "$BUILD/nfsd/strata-mds" "$BUILD/nfsd/strata-ds" "$BUILD/tools/strata-fsck"
loopback_pynfs
loopback_dir "$DIR"
SW=$DIR/swift SPORT=$((PORT + 5)) BUCKET=strata-faults
cleanup() {
  loopback_cleanup
  "$ROOT/tests/s3/swift.sh" stop "$SW" || true
}
trap cleanup EXIT
T0=$(date +%s)
"$LOCAL" down --dir "$DIR" > /dev/null 2>&1
rm -rf "$DIR/data" "$DIR"/ds[0-9]* "$DIR"/mds.log*
"$ROOT/tests/s3/swift.sh" start "$SW" "$SPORT" > "$DIR/swift.out" 2>&1 ||
  { cat "$DIR/swift.out" >&2; echo "$NAME: FAIL: Swift did not start" >&2; exit 2; }
# The independent client's credentials: the access key holds ':', so they
# go through a netrc file, never the command line.
printf 'machine 127.0.0.1\nlogin %s\npassword %s\n' \
  "$(sed -n 1p "$SW/credentials")" "$(sed -n 2p "$SW/credentials")" > "$DIR/netrc"
chmod 600 "$DIR/netrc"
if ! "$LOCAL" up --dir "$DIR" --port "$PORT" --lease 20 --grace 0 --build "$BUILD" \
     --no-metrics --data-servers 2 --stripe-unit 1048576 \
     --tier "s3:http://127.0.0.1:$SPORT/$BUCKET" --tier-credentials "$SW/credentials" \
     --tier-gc-interval 1 --tier-gc-grace 1 > "$DIR/up.out" 2>&1; then
  cat "$DIR/up.out" >&2; echo "$NAME: FAIL: the servers did not start" >&2; exit 2
fi
/usr/bin/python3 "$ROOT/tests/tier-faults/tier_faults.py" --server "127.0.0.1:$PORT" \
  --strata "$CLI" --fsck "$BUILD/tools/strata-fsck" --dir "$DIR" --local "$LOCAL" \
  --endpoint "http://127.0.0.1:$SPORT" --bucket $BUCKET --netrc "$DIR/netrc" \
  --swift "$ROOT/tests/s3/swift.sh" --swift-dir "$SW" --pynfs "$PYNFS_DIR" ${PYARGS[@]+"${PYARGS[@]}"}
RC=$?
"$LOCAL" down --dir "$DIR" > /dev/null 2>&1
loopback_sanitized $RC; RC=$?
[ $RC = 0 ] && echo "$NAME: OK ($(( $(date +%s) - T0 )) s)" || echo "$NAME: FAIL (exit $RC)"
exit $RC
