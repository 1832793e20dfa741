#!/bin/sh
# prove --exec wrapper for pjdfstest (tests/vm/guest/pjdfstest.sh runs
# `prove --exec "$PJD_SH pjdfstest-exec.sh"`): runs one test file FILE.t
#
#   - in its own fresh directory $PJD_WORK/<syscall>/<NN.t> on the file
#     system under test, so test files running in parallel (prove -j) never
#     see each other's entries or parent-directory time changes;
#   - with $PJD_SH (busybox sh: its applets grep, tail, dd, awk... run
#     without loading a dynamic binary, see pjdfstest.sh);
#   - under `timeout $PJD_FILE_TIMEOUT` (a hung server stops one file, not the run);
#   - keeping its TAP output, stderr and exit status in
#     $PJD_TAP/<syscall>/<NN.t>.{tap,err,rc} for the host to parse.
# POSIX sh only: it is run by busybox sh in the guest and by dash/bash elsewhere.
t=$1
rel=${t#"$PJD_TESTS"/}
d=${rel%/*}; f=${rel##*/}
w="$PJD_WORK/$d/$f"
mkdir -p "$PJD_TAP/$d" "$w" && cd "$w" || { echo "1..1"; echo "not ok 1 - pjdfstest-exec: cannot make $w"; exit 1; }
timeout "${PJD_FILE_TIMEOUT:-900}" $PJD_SH "$t" > "$PJD_TAP/$d/$f.tap" 2> "$PJD_TAP/$d/$f.err"
rc=$?
echo "$rc" > "$PJD_TAP/$d/$f.rc"
cat "$PJD_TAP/$d/$f.tap"
cd / && rmdir "$w" 2>/dev/null
exit $rc
