#!/bin/bash
# Guest script: NFStest's nfstest_pnfs (github:Vicente-Cheng/nfstest, built
# outside the checkout by scripts/build-suites.sh nfstest) against Strata's
# MDS with three data servers (pNFS issue, item 4). Host side:
# tests/vm/run-nfstest-pnfs.sh, which forwards 10.0.2.105:2049 to the MDS (so
# NFStest's own packet matching sees NFS on its default port) and
# 10.0.2.101-103:2049 to the data servers.
#
# nfstest_pnfs mounts the server itself (vers=4.1), captures with tcpdump on
# eth0 and checks the trace: EXCHANGE_ID/CREATE_SESSION to each data server,
# READ/WRITE of each stripe sent to the right data server with the right
# filehandle and stateid, COMMIT and LAYOUTCOMMIT, GETATTR size, the
# DESTROY_SESSION at unmount. Its exit status is the verdict (0: all its
# assertions passed); its log is copied to /vmout/nfstest-pnfs.log.
# Env: NFSTEST_DIR (the built tree), TESTS (default "read,write"),
#   MDS_IP (10.0.2.105), NFSTEST_FILESIZE (default 3m, see below),
#   NFSTEST_IOSIZE (default 1m, see below).
source "$VMTEST_HARNESS/guest/lib.sh"
NT=${NFSTEST_DIR:?NFSTEST_DIR not set}
TESTS=${TESTS:-read,write} MDS_IP=${MDS_IP:-10.0.2.105}
# A file that reaches every data server: nfstest_pnfs checks which data
# servers a file smaller than (servers - 1) x stripe unit + 1 byte touches
# as if its first stripe index were always 0, but Strata rotates the first
# stripe index per file (RFC 8881 §13.4.1, required by the pNFS issue), so
# with NFStest's default 64 KiB file it expects traffic on DS(0) when the
# file lives on DS(2). A file of three stripe units touches all of them
# whatever the first index: the host passes NFSTEST_FILESIZE (3 MiB when
# run without it, for 1 MiB stripes).
FILESIZE=${NFSTEST_FILESIZE:-3m}
# NFStest mounts with rsize=wsize=4096 and reads/writes in 4 KiB blocks by
# default; the stock client's default is the server's maximum (1 MiB for
# Strata), and a trace of 4 KiB I/Os takes NFStest's Python analysis many
# minutes under TCG. Mount and I/O sizes follow NFSTEST_IOSIZE instead.
IOSIZE=${NFSTEST_IOSIZE:-1m}
case $IOSIZE in *k) IOB=$(( ${IOSIZE%k} * 1024 ));; *m) IOB=$(( ${IOSIZE%m} * 1048576 ));; *) IOB=$IOSIZE;; esac

# NFStest starts tcpdump through "sh -c" and, run as root, stops it by
# signalling that shell. Debian's sh (dash) forks the command instead of
# exec'ing it, so tcpdump outlives the signal, keeps capturing, and the trace
# NFStest then reads lacks the packets still in tcpdump's write buffer
# (seen: the MDS's DESTROY_SESSION at unmount, the last packets of the
# read test). bash execs a lone command: give the guest (a tmpfs overlay,
# nothing on the host changes) bash as sh.
must sh-is-bash ln -sf bash /usr/bin/sh
must modprobe modprobe -a sunrpc nfs nfsv4 nfs_layout_nfsv41_files
mkdir -p /mnt/t /tmp/nfstest
run_nfstest() {
  cd /tmp/nfstest || return 1
  PYTHONPATH=$NT /usr/bin/python3 "$NT/test/nfstest_pnfs" --server "$MDS_IP" --export / \
    --nfsversion 4.1 --interface eth0 --mtpoint /mnt/t --tmpdir /tmp/nfstest \
    --datadir "nfstest-${VMTEST_UUID:0:8}" --notty --filesize "$FILESIZE" \
    --mtopts "hard,rsize=$IOB,wsize=$IOB" --rsize "$IOSIZE" --wsize "$IOSIZE" --runtest "$TESTS" > /vmout/nfstest-pnfs.log 2>&1
  local rc=$?
  grep -E "^ *(PASS|FAIL|WARN)|tests \(|^\*\*\*|TEST: " /vmout/nfstest-pnfs.log | head -200
  # NFStest keeps its packet traces when a check fails: bring them out.
  [ $rc = 0 ] || { mkdir -p /vmout/traces; cp /tmp/nfstest/*.cap* /vmout/traces/ 2>/dev/null; }
  return $rc
}
phase nfstest-pnfs run_nfstest
grep -q " /mnt/t " /proc/mounts && umount /mnt/t
verdict
