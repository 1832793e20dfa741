# shellcheck shell=bash
# tests/lib/loopback.sh -- sourced by the loopback tests that start a
# cluster with scripts/strata-local and talk to it with pynfs's client
# library (tests/datagen.sh, tests/tier-local.sh). Needs ROOT (the
# checkout) and NAME (the test's name, for messages). Sets PYNFS_DIR,
# LOCAL, DIR.
#   loopback_need BIN...     exit 3 unless each is built
#   loopback_pynfs           pynfs from scripts/build-suites.sh; exit 3 if not
#   loopback_dir [DIR]       DIR made and absolute, or a fresh one removed at
#                            exit; the cluster in it is stopped at exit
#   loopback_sanitized RC    RC, or 1 when a sanitizer report is in a log of
#                            DIR (named on stderr)

loopback_need() {
  local b
  for b in "$@"; do
    [ -x "$b" ] || { echo "$NAME: $b not built" >&2; exit 3; }
  done
}

loopback_pynfs() {
  export PATH=/usr/bin:/bin:$PATH     # Debian's python3 (python3-ply for pynfs)
  "$ROOT/scripts/build-suites.sh" pynfs > /dev/null ||
    { echo "$NAME: scripts/build-suites.sh pynfs failed" >&2; exit 3; }
  # shellcheck disable=SC1091
  . "${STRATA_SUITES_DIR:-/var/tmp/strata-suites}/suites.env"
}

loopback_dir() {
  LOOPBACK_OWN_DIR=0
  DIR=${1:-}
  if [ -z "$DIR" ]; then
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX"); LOOPBACK_OWN_DIR=1
  fi
  mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
  LOCAL="$ROOT/scripts/strata-local"
  trap loopback_cleanup EXIT
}

loopback_cleanup() {
  "$LOCAL" down --dir "$DIR" > /dev/null 2>&1 || true
  [ "$LOOPBACK_OWN_DIR" = 0 ] || rm -rf "$DIR"
}

loopback_sanitized() {
  if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
       "$DIR"/mds.log* "$DIR"/ds*.log 2>/dev/null; then
    echo "$NAME: FAIL: sanitizer report in the log(s) above" >&2
    [ "$1" = 0 ] && return 1
  fi
  return "$1"
}
