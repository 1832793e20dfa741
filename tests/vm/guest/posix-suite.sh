#!/bin/bash
# Guest script (run by tests/vm/run.sh inside the VM, as root): POSIX/data
# correctness of an NFSv4.1 server through the stock Linux client.
# Host side: tests/vm/run-posix.sh, which passes the env below.
#
# Env:
#   NFS_PORT     server port on $VMTEST_SERVER_IP (default $VMTEST_PORT)
#   NFS_EXPORT   exported path (default /export)
#   NFS_OPTS     extra mount options for both mounts (default none)
#   PHASES       phases to run, space/comma separated, shell patterns allowed
#                (e.g. "cthon-* fsx-buf-*"); default: $DEFAULT_PHASES below.
#                The setup (modprobe, mount-41) and teardown (cleanup, umount)
#                always run.
#   CTHON04_DIR  built cthon04 tree (host path, visible read-only in the guest)
#   FSX_BIN      built fsx binary
#   FSX_OPS      fsx operations per run (default 10000)
#   FSX_SEEDS    fsx seeds (default "4242 90210"): phases fsx-buf-SEED, fsx-dio-SEED
#   BIG_MB       size of the big-file phase (default 64)
#   NDIR         entries in the dir-5000 phase (default 5000)
#   TREE_SRC     tree copied by tar-tree (default /usr/include/linux, from linux-libc-dev)
#   PHASE_TIMEOUT seconds per phase (default 900); a phase that hits it aborts the
#                run (the server is presumably hung)
#   KEEP_TESTDIR=1  leave the test directory on the server
# Phases: mount-default (plain `mount -t nfs4 -o port=P`, must negotiate 4.1 or 4.2),
#   cthon-basic, cthon-general, cthon-special, cthon-lock, fsx-buf-SEED,
#   fsx-dio-SEED (O_DIRECT), big-file (BIG_MB write + sha256 after drop_caches),
#   dir-5000 (create/list exactly/remove NDIR entries), tar-tree (tar copy + diff -r).
# Artefacts in /vmout: logs/PHASE.log, mountstats-41.txt, mountstats-default.txt,
# default-vers.txt, phases.tsv (name, seconds, rc).
source "$VMTEST_HARNESS/guest/lib.sh"

export SERVER=${NFS_SERVER:-$VMTEST_SERVER_IP} PORT=${NFS_PORT:-$VMTEST_PORT}
export EXPORT=${NFS_EXPORT:-/export} NFS_OPTS=${NFS_OPTS:-}
export FSX_OPS=${FSX_OPS:-10000} FSX_SEEDS=${FSX_SEEDS:-"4242 90210"}
export BIG_MB=${BIG_MB:-64} NDIR=${NDIR:-5000}
if [ -z "${TREE_SRC:-}" ]; then   # a few MB of host files, read-only through 9p
  for TREE_SRC in /usr/include/linux /usr/share/perl5 /usr/lib/python3/dist-packages; do [ -d "$TREE_SRC" ] && break; done
fi
export TREE_SRC
export PHASE_TIMEOUT=${PHASE_TIMEOUT:-900}
export MNT=/mnt/nfs MNT_DEF=/mnt/nfsdef
export T=posix-${VMTEST_UUID:0:8}     # per-run directory on the server
export D=$MNT/$T
export LOGS=/vmout/logs

fsx_phases() { local s; for s in $FSX_SEEDS; do echo -n "fsx-buf-$s "; done; for s in $FSX_SEEDS; do echo -n "fsx-dio-$s "; done; }
DEFAULT_PHASES="mount-default cthon-basic cthon-general cthon-special cthon-lock $(fsx_phases)big-file dir-5000 tar-tree"
# host side (run-posix.sh) asks for the phase names to check --phases before booting
if [ "${1:-}" = __list ]; then echo "$DEFAULT_PHASES"; exit 0; fi
mkdir -p "$MNT" "$MNT_DEF" "$LOGS"

now() { date +%s.%N; }
step() {  # step NAME CMD... : timed sub-step inside a phase, "STEP" line (stderr) in the phase log
  local n=$1 t0 rc; shift; t0=$(now); "$@"; rc=$?
  printf 'STEP %-22s %8.2fs rc=%d\n' "$n" "$(echo "$(now) - $t0" | bc)" "$rc" >&2; return $rc
}
die() { echo "ASSERT: $*"; exit 1; }
opstat() {  # opstat OP -> "ops bytes_received" of the vers=4.1 mount (from mountstats)
  awk -v m="$MNT" -v op="$1:" '$1=="device" {p = ($5 == m)} p && $1==op {print $2, $6; exit}' /proc/self/mountstats
}

# ------------------------------------------------------------------ phases
ph_mount-default() {
  mount -t nfs4 -o "port=$PORT${NFS_OPTS:+,$NFS_OPTS}" "$SERVER:$EXPORT" $MNT_DEF || die "default mount failed"
  local line vers
  line=$(grep " $MNT_DEF " /proc/mounts); echo "$line"
  vers=$(sed -n 's/.*[ ,]vers=\([0-9.]*\)[ ,].*/\1/p' <<< "$line")
  echo "$vers" > /vmout/default-vers.txt
  echo "negotiated: vers=$vers"
  local f=$MNT_DEF/$T-default rc=0
  echo "default-mount $VMTEST_UUID" > "$f" && [ "$(cat "$f")" = "default-mount $VMTEST_UUID" ] && rm "$f" || { echo "ASSERT: write/read/remove on the default mount failed"; rc=1; }
  awk -v m="$MNT_DEF" '$1=="device" {p = ($5 == m)} p' /proc/self/mountstats > /vmout/mountstats-default.txt
  umount $MNT_DEF || { echo "ASSERT: umount failed"; rc=1; }
  case "$vers" in 4.1|4.2) ;; *) die "default mount negotiated vers=$vers, want 4.1 or 4.2";; esac
  return $rc
}

cthon_prep() {  # cthon04 writes into its own tree (make copy, runtests): work on a copy in /tmp
  [ -n "${CTHON04_DIR:-}" ] && [ -x "$CTHON04_DIR/runtests" ] || die "CTHON04_DIR not set or not built ($CTHON04_DIR)"
  [ -d /tmp/cthon04 ] || cp -a "$CTHON04_DIR" /tmp/cthon04 || die "copy of cthon04 failed"
}
cthon() {  # cthon -b|-g|-s|-l NAME
  cthon_prep
  local out=/tmp/cthon-$2.out rc
  (cd /tmp/cthon04 && ./runtests "$1" -t "$D/$2") 2>&1 | tee "$out"; rc=${PIPESTATUS[0]}
  [ $rc = 0 ] || die "cthon04 runtests $1 exited $rc"
  grep -q '^All tests completed' "$out" || die "cthon04 runtests $1: no 'All tests completed'"
  [ ! -e "$D/$2" ] || die "cthon04 left $D/$2 behind"
}
ph_cthon-basic()   { cthon -b cthon-basic; }
ph_cthon-general() { cthon -g cthon-general; }
ph_cthon-special() { cthon -s cthon-special; }
ph_cthon-lock()    { cthon -l cthon-lock; }

fsx_run() {  # fsx_run NAME SEED [fsx options]
  local name=$1 seed=$2; shift 2
  [ -x "${FSX_BIN:-}" ] || die "FSX_BIN not set or not built ($FSX_BIN)"
  local wd=/tmp/$name; mkdir -p "$wd"
  echo "fsx $* -N $FSX_OPS -S $seed -P $wd $D/$name"
  if ! "$FSX_BIN" "$@" -N "$FSX_OPS" -S "$seed" -P "$wd" "$D/$name"; then
    cp -a "$wd" "/vmout/$name-artefacts" 2>/dev/null
    die "fsx failed (artefacts in /vmout/$name-artefacts)"
  fi
  rm -f "$D/$name" || die "rm $D/$name failed"
}
ph_fsx-buf() { fsx_run "fsx-buf-$1" "$1"; }
# O_DIRECT: -Z, with page-aligned reads/writes/truncates and no mmap I/O (-R -W)
ph_fsx-dio() { fsx_run "fsx-dio-$1" "$1" -Z -R -W -r 4096 -w 4096 -t 4096; }

ph_big-file() {
  local n=$((BIG_MB * 1048576)) want got
  step gen   dd if=/dev/urandom of=/tmp/big bs=1M count="$BIG_MB" status=none || die "dd urandom"
  want=$(sha256sum < /tmp/big | cut -d' ' -f1)
  step write dd if=/tmp/big of="$D/big" bs=1M conv=fsync status=none || die "write failed"
  rm -f /tmp/big
  echo 3 > /proc/sys/vm/drop_caches
  [ "$(stat -c %s "$D/big")" = $n ] || die "size $(stat -c %s "$D/big") != $n"
  local r0 r1; r0=$(opstat READ)
  got=$(step read sha256sum < "$D/big") || die "read failed"
  r1=$(opstat READ)
  got=${got%% *}; [ "$got" = "$want" ] || die "sha256 mismatch after drop_caches: want $want got $got"
  echo "sha256 $want ok ($BIG_MB MiB); READ ops/bytes before: $r0, after: $r1"
  # the bytes must have come from the server, not from a cache
  [ $(( ${r1#* } - ${r0#* } )) -ge $n ] || die "READ replies carried less than $n bytes: the data was not read from the server"
  step rm rm "$D/big" || die "rm failed"
}

ph_dir-5000() {
  # one perl process per step: an exec costs ~0.25 s under TCG
  perl -MTime::HiRes=time -e '
    use strict; my ($d, $n, $list) = @ARGV;
    # names: varied lengths (7..~200 bytes, so READDIR needs many replies and
    # cookies), some with spaces and UTF-8 bytes
    my @names;
    for my $i (1 .. $n) {
      my $s = sprintf("e%05d", $i) . ("x" x (($i * 7) % 190));
      $s .= " sp ace" if $i % 97 == 0;
      $s .= "-\xc3\xa9\xe6\x97\xa5" if $i % 89 == 0;
      push @names, $s;
    }
    my %u = map { $_ => 1 } @names; die "names not unique" if keys %u != $n;
    open(my $L, ">", $list) or die; print $L "$_\n" for sort @names; close $L;
    mkdir $d or die "mkdir $d: $!";
    my $t0 = time;
    for my $nm (@names) { open(my $f, ">", "$d/$nm") or die "create $nm: $!"; close $f or die "close $nm: $!"; }
    printf "STEP %-22s %8.2fs rc=0\n", "create-$n", time - $t0;
  ' "$D/dir" "$NDIR" /tmp/dir-expected.txt || die "create failed"
  echo 3 > /proc/sys/vm/drop_caches
  local r0 r1; r0=$(opstat READDIR)
  perl -MTime::HiRes=time -e '
    use strict; my ($d, $out) = @ARGV; my $t0 = time;
    opendir(my $h, $d) or die "opendir: $!";
    my @e = grep { $_ ne "." && $_ ne ".." } readdir($h); closedir $h;
    my %c; my @dups = grep { $c{$_}++ } @e; die "duplicate entries from readdir: @dups[0..($#dups<4?$#dups:4)]\n" if @dups;
    open(my $O, ">", $out) or die; print $O "$_\n" for sort @e; close $O;
    printf "STEP %-22s %8.2fs rc=0 (%d entries)\n", "readdir", time - $t0, scalar @e;
  ' "$D/dir" /tmp/dir-listed.txt || die "readdir failed"
  r1=$(opstat READDIR); echo "READDIR ops/bytes before: $r0, after: $r1"
  [ "${r1%% *}" -gt "${r0%% *}" ] || die "no READDIR sent: the listing came from the cache"
  if ! cmp -s /tmp/dir-expected.txt /tmp/dir-listed.txt; then
    diff /tmp/dir-expected.txt /tmp/dir-listed.txt | head -20
    cp /tmp/dir-expected.txt /tmp/dir-listed.txt /vmout/ 2>/dev/null
    die "listing differs from the created names (expected $(wc -l < /tmp/dir-expected.txt), listed $(wc -l < /tmp/dir-listed.txt))"
  fi
  echo "listing exact: $(wc -l < /tmp/dir-listed.txt) names"
  # ls (getdents64 with its own buffer size) must agree too
  [ "$(ls -1UA "$D/dir" | wc -l)" = "$NDIR" ] || die "ls -1UA count != $NDIR"
  perl -MTime::HiRes=time -e '
    use strict; my ($d, $list) = @ARGV; my $t0 = time;
    open(my $L, "<", $list) or die; while (my $nm = <$L>) { chomp $nm; unlink("$d/$nm") or die "unlink $nm: $!"; }
    opendir(my $h, $d) or die; my @left = grep { $_ ne "." && $_ ne ".." } readdir($h); closedir $h;
    die scalar(@left) . " entries left after unlinking all\n" if @left;
    rmdir $d or die "rmdir: $!";
    printf "STEP %-22s %8.2fs rc=0\n", "unlink-all+rmdir", time - $t0;
  ' "$D/dir" /tmp/dir-expected.txt || die "remove failed"
}

ph_tar-tree() {
  [ -d "$TREE_SRC" ] || die "no $TREE_SRC"
  local base; base=$(basename "$TREE_SRC")
  mkdir "$D/tree" || die mkdir
  echo "tree: $TREE_SRC ($(du -sh "$TREE_SRC" | cut -f1), $(find "$TREE_SRC" | wc -l) entries)"
  step tar-in bash -c 'tar -C "$(dirname "$1")" -cf - "$2" | tar -C "$3" -xf -' _ "$TREE_SRC" "$base" "$D/tree" || die "tar copy failed"
  echo 3 > /proc/sys/vm/drop_caches
  step diff-r diff -r "$TREE_SRC" "$D/tree/$base" || die "diff -r found differences"
  # types, modes, sizes (not of directories: fs-specific), mtimes (whole
  # seconds) and names must match too
  local fmt=( \( -type d -printf 'd %m - %T@ %P\n' \) -o -printf '%y %m %s %T@ %P\n' )
  local frac='s/^\([^ ]* [^ ]* [^ ]* [0-9]*\)\.[0-9]* /\1 /'
  (cd "$TREE_SRC" && find . "${fmt[@]}" | sed "$frac" | sort) > /tmp/tree-src.txt
  (cd "$D/tree/$base" && find . "${fmt[@]}" | sed "$frac" | sort) > /tmp/tree-dst.txt
  if ! cmp -s /tmp/tree-src.txt /tmp/tree-dst.txt; then
    diff /tmp/tree-src.txt /tmp/tree-dst.txt > /tmp/tree-diff.txt
    cp /tmp/tree-src.txt /tmp/tree-dst.txt /tmp/tree-diff.txt /vmout/ 2>/dev/null
    grep '^<' /tmp/tree-diff.txt | head -5; grep '^>' /tmp/tree-diff.txt | head -5
    echo "$(grep -c '^<' /tmp/tree-diff.txt) entries differ (both listings in the artefacts)"
    die "metadata (type/mode/size/mtime) differs"
  fi
  echo "metadata identical for $(wc -l < /tmp/tree-src.txt) entries"
  step rm-rf rm -rf "$D/tree" || die "rm -rf failed"
}

ph_mount-41() {
  mount -t nfs4 -o "vers=4.1,port=$PORT${NFS_OPTS:+,$NFS_OPTS}" "$SERVER:$EXPORT" $MNT || die "mount failed"
  grep " $MNT " /proc/mounts
  grep " $MNT " /proc/mounts | grep -q "[ ,]vers=4.1[ ,]" || die "not vers=4.1"
  mkdir "$D" || die "mkdir $D failed"
}
ph_cleanup() { rm -rf "$D" || die "rm -rf $D failed"; [ ! -e "$D" ] || die "$D still exists"; }
ph_umount() { umount $MNT || die "umount failed"; ! grep -q " $MNT " /proc/mounts || die "still mounted"; }

# ---------------------------------------------------- dispatch (subprocess)
if [ "${1:-}" = __run ]; then
  name=$2
  case "$name" in
    fsx-buf-*) ph_fsx-buf "${name#fsx-buf-}";;
    fsx-dio-*) ph_fsx-dio "${name#fsx-dio-}";;
    *) "ph_$name";;
  esac
  exit $?
fi

# ------------------------------------------------------------------ main
selected() {  # selected NAME: in $PHASES (patterns) or, with no PHASES, in the default list
  local p
  for p in ${PHASES:-$DEFAULT_PHASES}; do
    # shellcheck disable=SC2053
    [[ $1 == $p ]] && return 0
  done
  return 1
}
PHASES=${PHASES//,/ }
RUN=()
for p in $DEFAULT_PHASES; do selected "$p" && RUN+=("$p"); done
for p in ${PHASES:-}; do   # literal names that are not in the default list (e.g. other fsx seeds)
  case "$p" in *[*?[]*) continue;; esac
  case " ${RUN[*]} " in *" $p "*) continue;; esac
  case "$p" in modprobe|mount-41|cleanup|umount) continue;; esac
  if declare -F "ph_$p" >/dev/null || [[ $p == fsx-buf-* || $p == fsx-dio-* ]]; then RUN+=("$p"); else echo "VMTEST unknown phase $p"; exit 2; fi
done
echo "VMTEST posix-suite: server $SERVER:$PORT export $EXPORT; phases: ${RUN[*]}"
: > /vmout/phases.tsv
ABORTED=0
run_phase() {  # run_phase NAME: subprocess with a timeout, log to $LOGS/NAME.log
  local name=$1 t0 rc secs
  echo "--- phase $name (T+$(cut -d' ' -f1 /proc/uptime))"
  t0=$(now)
  timeout -k 20 "$PHASE_TIMEOUT" bash "$0" __run "$name" > "$LOGS/$name.log" 2>&1; rc=$?
  secs=$(echo "$(now) - $t0" | bc)
  grep -a '^STEP ' "$LOGS/$name.log" | sed "s/^STEP /VMTEST STEP $name /"
  if [ $rc != 0 ]; then
    echo "--- phase $name FAILED rc=$rc; last lines of $name.log:"; tail -n 40 "$LOGS/$name.log" | sed 's/^/    /'
  fi
  printf 'VMTEST PHASE %-16s %8.3fs rc=%d\n' "$name" "$secs" "$rc"
  printf '%s\t%.1f\t%d\n' "$name" "$secs" "$rc" >> /vmout/phases.tsv
  [ $rc = 0 ] || VMTEST_FAILS+=("$name")
  if [ $rc = 124 ] || [ $rc = 137 ]; then echo "VMTEST phase $name timed out after ${PHASE_TIMEOUT}s: aborting"; ABORTED=1; fi
  return $rc
}

must modprobe modprobe -a sunrpc nfs nfsv4 nfs_layout_nfsv41_files
selected mount-default && run_phase mount-default
run_phase mount-41 || { echo "VMTEST ABORT: mount-41 failed"; verdict; exit 1; }
for p in "${RUN[@]}"; do
  [ "$p" = mount-default ] && continue
  [ $ABORTED = 1 ] && { echo "VMTEST PHASE $p skipped (aborted)"; VMTEST_FAILS+=("$p"); continue; }
  run_phase "$p"
done
if [ $ABORTED = 0 ] && [ "${KEEP_TESTDIR:-0}" != 1 ]; then
  run_phase cleanup
fi
awk -v m="$MNT" '$1=="device" {p = ($5 == m)} p' /proc/self/mountstats > /vmout/mountstats-41.txt
echo "=== per-op counts (vers=4.1 mount, nonzero)"
awk '/per-op statistics/{o=1; next} o && NF>1 && $2>0 {printf "%s %s  ", $1, $2} END{print ""}' /vmout/mountstats-41.txt
if [ $ABORTED = 1 ]; then
  echo "VMTEST skipping umount (aborted; server may be hung)"
else
  run_phase umount
fi
verdict
