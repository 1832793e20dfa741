#!/bin/bash
# Guest script (run by tests/vm/run.sh inside the VM, as root): the whole
# pjdfstest suite through the stock Linux NFSv4.1 client.
# Host side: tests/vm/run-pjdfstest.sh, which passes the env below, then
# parses /vmout/tap and compares the failures with an expected list.
#
# Env:
#   PJDFSTEST_DIR  built pjdfstest tree (scripts/build-suites.sh pjdfstest;
#                  host path, visible read-only in the guest)
#   NFS_PORT       server port on $VMTEST_SERVER_IP (default $VMTEST_PORT)
#   NFS_EXPORT     exported path (default /export)
#   NFS_OPTS       extra mount options
#   PJD_JOBS       test files run at once (prove -j; default: the guest's CPUs)
#   PJD_TESTS_SEL  subset: test dirs or files relative to tests/, space
#                  separated (e.g. "chmod rename/00.t"); default: all of tests/
#   PJD_SHELL      busybox (default) or system: the shell that runs the .t files
#                  (busybox sh, whose grep/tail/dd/awk... are built in, or /bin/sh
#                  = dash with Debian's dynamic coreutils: ~2-3x slower under TCG)
#   BUSYBOX        static busybox (default /bin/busybox, else the VM cache's)
#   PJD_TIMEOUT    seconds for the whole prove run (default 3000)
#   PJD_FILE_TIMEOUT seconds per test file (default 900)
#   KEEP_TESTDIR=1 leave the test directory on the server
# Artefacts in /vmout: prove.log (prove --timer), tap/<dir>/<NN.t>.{tap,err,rc},
# prove.rc, mountstats.txt, pjd-env.txt.
# Exit: 0 when prove ran to the end (test failures are judged on the host),
# 1 when the mount failed, prove timed out or cleanup/umount failed.
source "$VMTEST_HARNESS/guest/lib.sh"

SERVER=${NFS_SERVER:-$VMTEST_SERVER_IP} PORT=${NFS_PORT:-$VMTEST_PORT}
EXPORT=${NFS_EXPORT:-/export} NFS_OPTS=${NFS_OPTS:-}
PJD_JOBS=${PJD_JOBS:-$(nproc)} PJD_SHELL=${PJD_SHELL:-busybox}
PJD_TIMEOUT=${PJD_TIMEOUT:-3000}
export PJD_FILE_TIMEOUT=${PJD_FILE_TIMEOUT:-900}
MNT=/mnt/nfs
D=$MNT/pjd-${VMTEST_UUID:0:8}          # per-run directory on the server
[ -x "${PJDFSTEST_DIR:-}/pjdfstest" ] && [ -f "$PJDFSTEST_DIR/tests/misc.sh" ] \
  || { echo "VMTEST ABORT: PJDFSTEST_DIR not set or not built (${PJDFSTEST_DIR:-})"; exit 1; }
if [ -z "${BUSYBOX:-}" ]; then
  for BUSYBOX in /bin/busybox "$VMTEST_CACHE/initramfs/bin/busybox"; do [ -x "$BUSYBOX" ] && break; done
fi
case "$PJD_SHELL" in
  busybox) [ -x "$BUSYBOX" ] || { echo "VMTEST ABORT: no busybox ($BUSYBOX)"; exit 1; }
           export PJD_SH="$BUSYBOX sh";;
  system)  export PJD_SH=/bin/sh;;
  *) echo "VMTEST ABORT: PJD_SHELL must be busybox or system"; exit 1;;
esac
export PJD_TESTS=$PJDFSTEST_DIR/tests PJD_WORK=$D PJD_TAP=/vmout/tap
SEL=()
for t in ${PJD_TESTS_SEL:-}; do SEL+=("$PJD_TESTS/$t"); done
[ ${#SEL[@]} -gt 0 ] || SEL=("$PJD_TESTS")

must modprobe modprobe -a sunrpc nfs nfsv4
mkdir -p $MNT
mount41() {
  mount -t nfs4 -o "vers=4.1,port=$PORT${NFS_OPTS:+,$NFS_OPTS}" "$SERVER:$EXPORT" $MNT || return 1
  grep " $MNT " /proc/mounts
  grep " $MNT " /proc/mounts | grep -q "[ ,]vers=4.1[ ,]" || { echo "ASSERT: not vers=4.1"; return 1; }
  mkdir "$D" || { echo "ASSERT: mkdir $D failed"; return 1; }
  # what the suite's conf sees: fs=`df -PT . | ...` (NFS4), os=`uname` (Linux)
  (cd "$D" && $PJD_SH -c 'echo "os=$(uname) fs=$(df -PT . | tail -1 | awk "{print toupper(\$2)}") sh=$0"') | tee /vmout/pjd-env.txt
}
must mount-41 mount41

rm -rf /vmout/tap; mkdir -p /vmout/tap
run_prove() {
  echo "prove -j$PJD_JOBS --timer --exec \"$PJD_SH $VMTEST_HARNESS/guest/pjdfstest-exec.sh\" -r ${SEL[*]}"
  (cd "$D" && timeout -k 30 "$PJD_TIMEOUT" prove -j"$PJD_JOBS" --timer \
      --exec "$PJD_SH $VMTEST_HARNESS/guest/pjdfstest-exec.sh" -r "${SEL[@]}") 2>&1 | tee /vmout/prove.log
  local rc=${PIPESTATUS[0]}
  echo "$rc" > /vmout/prove.rc
  echo "prove exit $rc"
  # prove exits 1 when a test failed: that is for the host to judge
  [ "$rc" = 0 ] || [ "$rc" = 1 ]
}
phase pjdfstest run_prove
awk -v m="$MNT" '$1=="device" {p = ($5 == m)} p' /proc/self/mountstats > /vmout/mountstats.txt
echo "=== per-op counts (nonzero)"
awk '/per-op statistics/{o=1; next} o && NF>1 && $2>0 {printf "%s %s  ", $1, $2} END{print ""}' /vmout/mountstats.txt
if [ "${KEEP_TESTDIR:-0}" != 1 ]; then
  phase cleanup rm -rf "$D"
fi
phase umount umount $MNT
verdict
