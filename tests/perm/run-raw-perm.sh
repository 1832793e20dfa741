#!/bin/bash
# tests/perm/run-raw-perm.sh -- server-side POSIX permission checks, seen by a
# raw NFSv4.1 client (tests/perm/raw_perm.py: AUTH_SYS COMPOUNDs of chosen
# uid/gid straight over TCP, no kernel client in the way).
#   tests/perm/run-raw-perm.sh [--build DIR] [--port P] [--data-servers N]
#                              [--dir DIR] [--either] [--keep]
# Starts its own Strata with scripts/strata-local (MDS on P, default 21200;
# with --data-servers N, data servers on P+1..P+N: pNFS, the test's READ and
# WRITE still go through the MDS since it asks for no layout), runs
# raw_perm.py against it, stops it, and checks that no sanitizer report
# appeared in the servers' logs. Server data in DIR (default a fresh
# mktemp -d, removed at the end unless --keep). --either is passed on to
# raw_perm.py (NFS4ERR_ACCESS and NFS4ERR_PERM both accepted as refusals).
# pynfs's client library is imported at run time from the build that
# scripts/build-suites.sh pynfs makes outside the tree (suites.env).
# Exit: 0 all checks passed; 1 a check failed (or a sanitizer report);
# 2 setup/protocol error or the server did not start; 3 usage/pynfs missing.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$ROOT/build; PORT=21200; NDS=0; DIR=""; KEEP=0; PYARGS=()
usage() { sed -n '2,19p' "$0" >&2; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd) || exit 3; shift 2;;
    --port) PORT=$2; shift 2;;
    --data-servers) NDS=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    --either) PYARGS+=(--either); shift;;
    --keep) KEEP=1; PYARGS+=(--keep); shift;;
    -h|--help) usage;;
    *) echo "run-raw-perm: unknown argument $1" >&2; usage;;
  esac
done
[[ $PORT =~ ^[0-9]+$ && $NDS =~ ^[0-9]+$ ]] || usage
[ -x "$BUILD/nfsd/strata-mds" ] || { echo "run-raw-perm: $BUILD/nfsd/strata-mds not built" >&2; exit 3; }

PY=/usr/bin/python3
export PATH=/usr/bin:/bin:$PATH     # not the pyenv shim: pynfs needs Debian's python3-ply
"$ROOT/scripts/build-suites.sh" pynfs > /dev/null ||
  { echo "run-raw-perm: scripts/build-suites.sh pynfs failed" >&2; exit 3; }
S=${STRATA_SUITES_DIR:-/var/tmp/strata-suites}
# shellcheck disable=SC1091
. "$S/suites.env"
[ -n "${PYNFS_DIR:-}" ] && [ -f "$PYNFS_DIR/nfs4.1/nfs4client.py" ] ||
  { echo "run-raw-perm: pynfs not built under $S" >&2; exit 3; }

OWN_DIR=0
if [ -z "$DIR" ]; then DIR=$(mktemp -d "${TMPDIR:-/tmp}/raw-perm.XXXXXX"); OWN_DIR=1; fi
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
LOCAL="$ROOT/scripts/strata-local"
cleanup() {
  "$LOCAL" down --dir "$DIR" > /dev/null 2>&1 || true
  [ $OWN_DIR = 1 ] && [ $KEEP = 0 ] && rm -rf "$DIR"
}
trap cleanup EXIT

UP=(up --dir "$DIR" --port "$PORT" --lease 20 --grace 0 --build "$BUILD")
[ "$NDS" -gt 0 ] && UP+=(--data-servers "$NDS")
if ! "$LOCAL" "${UP[@]}" > "$DIR/up.out" 2>&1; then
  cat "$DIR/up.out" >&2
  echo "run-raw-perm: FAIL: the server did not start" >&2
  exit 2
fi
echo "run-raw-perm: Strata on 127.0.0.1:$PORT ($NDS data servers), data $DIR; pynfs $PYNFS_STAMP"

"$PY" "$ROOT/tests/perm/raw_perm.py" --server "127.0.0.1:$PORT" --pynfs "$PYNFS_DIR" "${PYARGS[@]}"
RC=$?

"$LOCAL" down --dir "$DIR" > /dev/null 2>&1
if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$DIR"/mds.log "$DIR"/ds*.log 2>/dev/null; then
  echo "run-raw-perm: FAIL: sanitizer report in the log(s) above" >&2
  [ $RC = 0 ] && RC=1
fi
case $RC in
  0) echo "run-raw-perm: OK";;
  1) echo "run-raw-perm: FAIL (see the FAIL lines above)";;
  *) echo "run-raw-perm: ERROR (raw_perm.py exit $RC)";;
esac
exit $RC
