#!/bin/bash
# scripts/build-suites.sh [--force] [--list] [SUITE...]
#
# Builds the third-party test suites used by the Strata test harness, OUTSIDE
# the project tree, from the bare git mirrors fetched by the lead:
#
#   cthon04  github:phdeniel/cthon04   -> $STRATA_SUITES_DIR/cthon04/   (runtests, basic/ general/ special/ lock/)
#   fsx      github:kdave/xfstests     -> $STRATA_SUITES_DIR/fsx/fsx    (ltp/fsx.c only, no configure)
#   pynfs    github:kofemann/pynfs     -> $STRATA_SUITES_DIR/pynfs/     (XDR code generated in place)
#   nfstest  github:Vicente-Cheng/nfstest -> $STRATA_SUITES_DIR/nfstest/ (pure Python; only when named)
#   pjdfstest github:pjd/pjdfstest    -> $STRATA_SUITES_DIR/pjdfstest/ (pjdfstest binary, linked
#                                        statically, + tests/; only when named)
#
# SUITE defaults to cthon04, fsx and pynfs. Idempotent: a suite is rebuilt only when its
# mirror commit or this script's recipe changed (stamp file .strata-built), or
# with --force. Each suite is built in a scratch dir and moved into place, so
# a half-finished build is never mistaken for a good one.
#
# Writes $STRATA_SUITES_DIR/suites.env (shell syntax) with CTHON04_DIR, FSX_BIN,
# PYNFS_DIR, NFSTEST_DIR, PJDFSTEST_DIR and the commits, for tests/vm/run-*.sh and
# scripts/pynfs-run.sh.
#
# Env:
#   STRATA_SUITES_DIR  build/cache dir            (default /var/tmp/strata-suites)
#   STRATA_MIRROR      where the mirrors live     (default /work/.mirror), laid out as
#                      $STRATA_MIRROR/<owner>+<name>/repo/.git  or  .../repo (bare)
# Exit: 0 ok, 1 build failure, 3 a needed mirror is missing (named on stderr).
# Build deps (Debian): build-essential libtirpc-dev python3-ply autoconf automake; optional
# libaio-dev liburing-dev (fsx -A/-U). scripts/install-deps.sh installs them.
set -euo pipefail
S=${STRATA_SUITES_DIR:-/var/tmp/strata-suites}
M=${STRATA_MIRROR:-/work/.mirror}
RECIPE=3          # bump when a build recipe below changes
FORCE=0; LIST=0; WANT=()
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1;;
    --list) LIST=1;;
    -h|--help) sed -n '2,27p' "$0"; exit 0;;
    cthon04|fsx|pynfs|nfstest|pjdfstest) WANT+=("$1");;
    *) echo "build-suites: unknown argument $1 (suites: cthon04 fsx pynfs nfstest pjdfstest)" >&2; exit 3;;
  esac
  shift
done
[ ${#WANT[@]} -gt 0 ] || WANT=(cthon04 fsx pynfs)
log() { echo "[build-suites] $*" >&2; }

declare -A REPO=([cthon04]=phdeniel/cthon04 [fsx]=kdave/xfstests [pynfs]=kofemann/pynfs
                 [nfstest]=Vicente-Cheng/nfstest [pjdfstest]=pjd/pjdfstest)

# gitdir OWNER/NAME -> prints the git dir of the mirror, or nothing
gitdir() {
  local base="$M/${1/\//+}" d
  for d in "$base/repo/.git" "$base/repo" "$base"; do
    if [ -f "$d/HEAD" ] && [ -d "$d/objects" ]; then echo "$d"; return 0; fi
  done
  return 1
}

# ---- all needed mirrors present? (report every missing one, then exit 3) ----
missing=0
declare -A GD=() COMMIT=()
for s in "${WANT[@]}"; do
  r=${REPO[$s]}
  if ! g=$(gitdir "$r"); then
    echo "build-suites: mirror missing for $s: github:$r (expected $M/${r/\//+}/repo/.git or $M/${r/\//+}/repo)" >&2
    missing=1; continue
  fi
  if ! c=$(git --git-dir="$g" rev-parse --verify -q 'HEAD^{commit}'); then
    echo "build-suites: mirror for $s at $g has no readable HEAD commit" >&2; missing=1; continue
  fi
  GD[$s]=$g; COMMIT[$s]=$c
done
[ $missing = 0 ] || exit 3
if [ $LIST = 1 ]; then
  for s in "${WANT[@]}"; do echo "$s ${REPO[$s]} ${COMMIT[$s]} ${GD[$s]}"; done; exit 0
fi

mkdir -p "$S"
S=$(cd "$S" && pwd)
stamp_of() { echo "commit=${COMMIT[$1]} recipe=$RECIPE"; }
is_built() { [ $FORCE = 0 ] && [ -f "$S/$1/.strata-built" ] && [ "$(cat "$S/$1/.strata-built")" = "$(stamp_of "$1")" ]; }
# export_tree SUITE DEST: the mirror's HEAD tree, extracted into DEST
export_tree() { rm -rf "$2"; mkdir -p "$2"; git --git-dir="${GD[$1]}" archive --format=tar HEAD | tar -x -C "$2"; }
# finish SUITE SCRATCH: stamp and atomically replace $S/SUITE
finish() {
  stamp_of "$1" > "$2/.strata-built"
  rm -rf "$S/$1.old"; [ -e "$S/$1" ] && mv "$S/$1" "$S/$1.old"
  mv "$2" "$S/$1"; rm -rf "$S/$1.old"
}

build_cthon04() {
  local w="$S/.build-cthon04"
  export_tree cthon04 "$w"
  # the sub-runtests source tests.init, which sets LIBS=-lnsl and the old Linux
  # CFLAGS; make them match the build below in case make rebuilds something
  # in the guest (it copies the tree to /tmp and runs `make copy` there).
  local old='CFLAGS=`echo -DLINUX -DHAVE_SOCKLEN_T -DGLIBC=22 -DMMAP -DSTDARG`'
  grep -qxF "$old" "$w/tests.init" || { log "cthon04: tests.init has no line '$old' (layout changed?)"; return 1; }
  sed -i -e 's|^CFLAGS=`echo -DLINUX -DHAVE_SOCKLEN_T -DGLIBC=22 -DMMAP -DSTDARG`$|CFLAGS="-DLINUX -DHAVE_SOCKLEN_T -DGLIBC=22 -DMMAP -DSTDARG -I/usr/include/tirpc"|' \
         -e 's|^LIBS=`echo -lnsl`$|LIBS="-ltirpc -lm"|' "$w/tests.init"
  (cd "$w" && make CFLAGS="-DLINUX -DHAVE_SOCKLEN_T -DGLIBC=22 -DMMAP -DSTDARG -I/usr/include/tirpc" \
        LIBS="-ltirpc -lm" >"$w/.build.log" 2>&1) || { tail -30 "$w/.build.log" >&2; log "cthon04: make failed (log $w/.build.log)"; return 1; }
  local b
  for b in runtests basic/test1 basic/test9 general/large1.c special/bigfile2 special/op_unlk lock/tlocklfs; do
    [ -e "$w/$b" ] || { log "cthon04: $b missing after make"; return 1; }
  done
  finish cthon04 "$w"
}

build_fsx() {
  # Only ltp/fsx.c. Its one generated input is include/config.h (autoconf);
  # we write the few HAVE_* it consults by hand instead of running
  # autoreconf+configure for the whole of xfstests (minutes on 2 cores).
  local w="$S/.build-fsx" src
  src="$w/src-tree"; mkdir -p "$w"
  rm -rf "$src"; mkdir -p "$src"
  git --git-dir="${GD[fsx]}" archive --format=tar HEAD ltp/fsx.c src/global.h src/statx.h include | tar -x -C "$src"
  cat > "$w/config.h" <<'EOF'
/* hand-written stand-in for xfstests' autoconf include/config.h (fsx only) */
#define HAVE_ASSERT_H 1
#define HAVE_LIBGEN_H 1
#define HAVE_DIRENT_H 1
#define HAVE_ERRNO_H 1
#define HAVE_MALLOC_H 1
#define HAVE_SYS_FILE_H 1
#define HAVE_SYS_FCNTL_H 1
#define HAVE_SYS_PARAM_H 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_STATVFS_H 1
#define HAVE_SYS_TIME_H 1
#define HAVE_SYS_IOCTL_H 1
#define HAVE_SYS_WAIT_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_STRINGS_H 1
#define HAVE_ERR_H 1
#define HAVE_LINUX_FALLOC_H 1
#define HAVE_SYS_MMAN_H 1
#define HAVE_STDLIB_H 1
#define HAVE_UNISTD_H 1
#define HAVE_STRING_H 1
#define STDC_HEADERS 1
#include <getopt.h>   /* normally pulled in through xfs/xfs.h */
EOF
  local defs=(-DFALLOCATE -DHAVE_COPY_FILE_RANGE) libs=()
  if [ -f /usr/include/libaio.h ]; then defs+=(-DAIO); libs+=(-laio -lpthread); else log "fsx: no libaio.h, building without -A"; fi
  if [ -f /usr/include/liburing.h ]; then defs+=(-DURING); libs+=(-luring); else log "fsx: no liburing.h, building without -U"; fi
  gcc -std=gnu11 -funsigned-char -fno-strict-aliasing -Wall -O2 -g \
      -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I"$w" -I"$src/include" -I"$src/src" "${defs[@]}" \
      "$src/ltp/fsx.c" -o "$w/fsx" "${libs[@]}" >"$w/.build.log" 2>&1 \
    || { cat "$w/.build.log" >&2; log "fsx: compile failed"; return 1; }
  # smoke test on the local disk: 500 ops must pass
  local t; t=$(mktemp -d)
  "$w/fsx" -q -N 500 -S 1 -P "$t" "$t/smoke" >"$w/.smoke.log" 2>&1 || { cat "$w/.smoke.log" >&2; rm -rf "$t"; log "fsx: smoke test failed"; return 1; }
  rm -rf "$t"
  finish fsx "$w"
}

build_pynfs() {
  local w="$S/.build-pynfs"
  export_tree pynfs "$w"
  # /usr/bin first: the python3 on PATH may be a pyenv shim without Debian's
  # modules (ply), and setup.py re-execs "python3" from PATH per subdir; with
  # the wrong one it "succeeds" without generating the XDR code.
  /usr/bin/python3 -c 'import ply' 2>/dev/null || { log "pynfs: /usr/bin/python3 cannot import ply (apt-get install python3-ply)"; return 1; }
  (cd "$w" && PATH=/usr/bin:/bin:$PATH /usr/bin/python3 setup.py build >"$w/.build.log" 2>&1) \
    || { tail -30 "$w/.build.log" >&2; log "pynfs: setup.py build failed"; return 1; }
  local f
  for f in nfs4.1/xdrdef/nfs4_pack.py nfs4.1/xdrdef/nfs4_const.py rpc/rpc_pack.py nfs4.0/xdrdef/nfs4_pack.py; do
    [ -s "$w/$f" ] || { log "pynfs: generated $f missing (see $w/.build.log)"; return 1; }
  done
  (cd "$w/nfs4.1" && PATH=/usr/bin:/bin:$PATH /usr/bin/python3 testserver.py --showflags >/dev/null 2>"$w/.smoke.log") \
    || { cat "$w/.smoke.log" >&2; log "pynfs: testserver.py --showflags failed"; return 1; }
  finish pynfs "$w"
}

build_nfstest() {
  local w="$S/.build-nfstest"
  export_tree nfstest "$w"
  (cd "$w" && PYTHONPATH="$w" /usr/bin/python3 test/nfstest_pnfs --help >/dev/null 2>"$w/.smoke.log") \
    || { cat "$w/.smoke.log" >&2; log "nfstest: nfstest_pnfs --help failed"; return 1; }
  finish nfstest "$w"
}

build_pjdfstest() {
  # autoreconf + configure + make, as its README says; linked statically:
  # every assertion of the suite is one run of this binary, and under qemu
  # TCG a static binary starts ~3x faster than a dynamic one (no ld.so
  # work), which is most of the suite's time in the VM (docs/testing.md).
  local w="$S/.build-pjdfstest"
  export_tree pjdfstest "$w"
  (cd "$w" && autoreconf -ifs && ./configure && make LDFLAGS=-static) >"$w/.build.log" 2>&1 \
    || { tail -30 "$w/.build.log" >&2; log "pjdfstest: build failed (log $w/.build.log)"; return 1; }
  [ -x "$w/pjdfstest" ] && [ -f "$w/tests/misc.sh" ] && [ -f "$w/tests/conf" ] || { log "pjdfstest: no pjdfstest binary or tests/ after make"; return 1; }
  file "$w/pjdfstest" 2>/dev/null | grep -q 'statically linked' || ! command -v file >/dev/null \
    || { log "pjdfstest: binary is not statically linked"; return 1; }
  # smoke test on the local disk
  local t; t=$(mktemp -d)
  { "$w/pjdfstest" mkdir "$t/d" 0755 && [ "$("$w/pjdfstest" stat "$t/d" mode)" = 0755 ]; } >"$w/.smoke.log" 2>&1 \
    || { cat "$w/.smoke.log" >&2; rm -rf "$t"; log "pjdfstest: smoke test failed"; return 1; }
  rm -rf "$t"
  finish pjdfstest "$w"
}

rc=0
for s in "${WANT[@]}"; do
  if is_built "$s"; then log "$s: up to date (${COMMIT[$s]:0:12})"; continue; fi
  t0=$(date +%s)
  log "$s: building from ${REPO[$s]} ${COMMIT[$s]:0:12} into $S/$s"
  if "build_$s"; then log "$s: built in $(( $(date +%s) - t0 ))s"; else rc=1; log "$s: FAILED"; fi
done

# suites.env: everything built so far (not only this invocation's suites)
{
  echo "# written by scripts/build-suites.sh"
  echo "STRATA_SUITES_DIR=$S"
  [ -f "$S/cthon04/.strata-built" ] && echo "CTHON04_DIR=$S/cthon04" && echo "CTHON04_STAMP='$(cat "$S/cthon04/.strata-built")'"
  [ -f "$S/fsx/.strata-built" ] && echo "FSX_BIN=$S/fsx/fsx" && echo "FSX_STAMP='$(cat "$S/fsx/.strata-built")'"
  [ -f "$S/pynfs/.strata-built" ] && echo "PYNFS_DIR=$S/pynfs" && echo "PYNFS_STAMP='$(cat "$S/pynfs/.strata-built")'"
  [ -f "$S/nfstest/.strata-built" ] && echo "NFSTEST_DIR=$S/nfstest" && echo "NFSTEST_STAMP='$(cat "$S/nfstest/.strata-built")'"
  [ -f "$S/pjdfstest/.strata-built" ] && echo "PJDFSTEST_DIR=$S/pjdfstest" && echo "PJDFSTEST_STAMP='$(cat "$S/pjdfstest/.strata-built")'"
  true
} > "$S/suites.env.$$" && mv "$S/suites.env.$$" "$S/suites.env"   # $$: test.sh runs two lanes at once
exit $rc
