#!/bin/bash
# tests/install.sh BUILD_DIR -- `cmake --install` of a built tree into a
# scratch prefix P (docs/operations.md "Installing"), then checks:
#   1. P/bin holds strata-mds, strata-ds, strata-fsck, strata-stat,
#      strata-bench (and the admin CLI `strata` when BUILD_DIR built it),
#      executable, and the installed programs run (--help prints usage);
#   2. P/etc/strata/strata.conf.sample is there, every key of nfsd/config.c
#      is in it and in docs/operations.md, and each setting in it, commented
#      out or not, is accepted by the installed strata-mds (keys of work
#      not landed yet, PENDING below, may be refused until nfsd/config.c
#      has them);
#   3. P/lib/systemd/system has strata-mds.service and strata-ds@.service,
#      whose ExecStart= is the installed program under P (the prefix is
#      baked in at install time), and `systemd-analyze verify` of
#      strata-mds.service and of the instance strata-ds@1.service succeeds
#      without a line about our units (other units of this machine may
#      draw remarks; those are ignored).
# Needs systemd-analyze (Debian package systemd; PID 1 need not be systemd).
set -euo pipefail
BUILD=${1:?usage: tests/install.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PENDING="metrics_listen metrics_port heartbeat"

fail() { echo "install.sh: FAIL: $*" >&2; exit 1; }
command -v systemd-analyze > /dev/null ||
  fail "systemd-analyze not found (Debian package systemd; scripts/install-deps.sh installs it)"
[ -f "$BUILD/CMakeCache.txt" ] || fail "$BUILD is not a configured build tree"

T=$(mktemp -d /tmp/strata-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
P=$T/prefix
cmake --install "$BUILD" --prefix "$P" > "$T/install.log" 2>&1 ||
  { cat "$T/install.log" >&2; fail "cmake --install failed"; }

# ---- 1. programs
progs=(strata-mds strata-ds strata-fsck strata-stat strata-bench)
[ -f "$BUILD/tools/strata" ] && progs+=(strata)
for p in "${progs[@]}"; do
  [[ -f "$P/bin/$p" && -x "$P/bin/$p" ]] || fail "$P/bin/$p missing or not executable"
done
for p in strata-mds strata-ds strata-fsck strata-stat strata-bench; do
  "$P/bin/$p" --help > "$T/help" 2>&1 || true
  grep -q "^usage: $p" "$T/help" || { cat "$T/help" >&2; fail "installed $p --help prints no usage"; }
done

# ---- 2. the sample configuration
SAMPLE=$P/etc/strata/strata.conf.sample
[[ -f "$SAMPLE" && -r "$SAMPLE" ]] || fail "$SAMPLE missing"
keys=$(grep -oE 'strcmp\(key, "[a-z_]+"\)' "$ROOT/nfsd/config.c" | sed -E 's/.*"(.*)".*/\1/' | sort -u)
[ "$(wc -w <<< "$keys")" -ge 10 ] || fail "cannot list the keys of nfsd/config.c (found: $keys)"
for k in $keys; do
  grep -qE "^#?$k = " "$SAMPLE" || fail "key $k (nfsd/config.c) is not in the sample configuration"
  grep -qF "\`$k\`" "$ROOT/docs/operations.md" || fail "key $k (nfsd/config.c) is not in docs/operations.md"
done
n=0
while IFS= read -r line; do
  k=${line%% =*}; k=${k#\#}
  printf '[server]\n%s\n' "${line#\#}" > "$T/one.conf"
  "$P/bin/strata-mds" --config "$T/one.conf" --help > "$T/cfg.out" 2>&1 || true
  if grep -q '^config:' "$T/cfg.out"; then
    if [[ " $PENDING " == *" $k "* ]] && ! grep -qx "$k" <<< "$keys"; then
      echo "install.sh: note: sample key $k not known to this build yet (pending)"
    else
      cat "$T/cfg.out" >&2; fail "strata-mds refuses the sample's setting '${line#\#}'"
    fi
  fi
  n=$((n + 1))
done < <(grep -E '^#?[a-z_]+ = ' "$SAMPLE")
[ "$n" -ge 15 ] || fail "only $n settings found in the sample configuration"

# ---- 3. systemd units
UNITS=$P/lib/systemd/system
exec_start() {  # exec_start UNIT PROG: ExecStart= runs PREFIX/bin/PROG
  local lines path
  lines=$(grep '^ExecStart=' "$UNITS/$1") || fail "$1 has no ExecStart="
  [ "$(wc -l <<< "$lines")" = 1 ] || fail "$1 has more than one ExecStart="
  path=${lines#ExecStart=}; path=${path%% *}
  [ "$path" = "$P/bin/$2" ] || fail "$1: ExecStart= runs $path, not $P/bin/$2"
  [ -x "$path" ] || fail "$1: $path is not executable"
}
verify() {  # verify UNIT_PATH: systemd-analyze verify, nothing about our units
  local rc=0 ours
  systemd-analyze verify "$1" > "$T/verify.out" 2>&1 || rc=$?
  ours=$(grep -E 'strata-(mds|ds@)' "$T/verify.out" || true)
  if [ "$rc" != 0 ] || [ -n "$ours" ]; then
    cat "$T/verify.out" >&2
    fail "systemd-analyze verify $(basename "$1"): exit $rc${ours:+, remarks on our units}"
  fi
}
for u in strata-mds.service strata-ds@.service; do
  [ -f "$UNITS/$u" ] || fail "$UNITS/$u missing"
done
exec_start strata-mds.service strata-mds
exec_start strata-ds@.service strata-ds
verify "$UNITS/strata-mds.service"
# An instance of the template: systemd-analyze (252) loads strata-ds@.service
# from the same directory.
verify "$UNITS/strata-ds@1.service"
echo "install.sh: PASS (${#progs[@]} programs, $n sample settings, 2 units verified)"
