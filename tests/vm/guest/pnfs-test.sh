#!/bin/bash
# Guest script (run by tests/vm/run.sh inside the VM, as root): pNFS file
# layout striping through the stock Linux client (pNFS issue, item 1).
# Host side: tests/vm/run-pnfs.sh, which starts an MDS with three data
# servers and forwards 10.0.2.100:P to the MDS and 10.0.2.101-103:2049 to the
# data servers (the addresses the MDS advertises in GETDEVICEINFO).
#
# Phases:
#   modprobe     sunrpc, nfs, nfsv4, nfs_layout_nfsv41_files
#   source       FILE_MB MiB from /dev/urandom into /tmp (tmpfs), sha256
#   capture      tcpdump -i eth0 -s 96 -U on TCP port P or 2049 (and UDP port 9
#                for the end marker), into /tmp/pnfs.pcap; waits for its
#                "listening on" line
#   mount        mount -t nfs4 -o vers=4.1,port=P 10.0.2.100:/ /mnt; a per-run dir
#   write        dd to /mnt/pnfs-<uuid8>/data bs=1M conv=fsync
#   read         drop_caches; the read-back's sha256 equals the source's
#   capture-stop a marker datagram (UDP to 10.0.2.2:9, captured on the way out,
#                dropped by slirp) shows tcpdump has written every earlier
#                packet; then SIGINT, wait
#   host-check   (HOST_CHECK=1) /vmout/written -> the host checks, with the
#                file on the server, that the MDS's data store holds no file
#                bytes and the data servers hold the file -> /vmout/checked
#   layout       mountstats of /mnt: the mount uses the files layout driver
#                (pnfs=LAYOUT_NFSV4_1_FILES) and GETDEVICEINFO > 0 (the client
#                asks for a device only after it got a layout naming it).
#                LAYOUTGET is reported, not required: the 6.1 client puts
#                LAYOUTGET into the OPEN compound (and LAYOUTRETURN into CLOSE)
#                when the server takes it there, and mountstats counts each RPC
#                once, under its main operation, so it can show LAYOUTGET 0
#                while layouts are in use; run-pnfs.sh checks the MDS's own
#                LAYOUTGET counter.
#   pcap         tests/vm/pcap_bytes.py: the data servers carry >= MIN_DS_SHARE
#                (0.95) of all TCP payload bytes (to and from MDS + DSs), each
#                data server within +-BALANCE (0.20) of their mean
#   cleanup, umount  (always)
# Env: NFS_PORT (default $VMTEST_PORT), FILE_MB (256), DS_ADDRS ("10.0.2.101:2049
#   10.0.2.102:2049 10.0.2.103:2049"), MIN_DS_SHARE, BALANCE, HOST_CHECK (0),
#   WAIT_S (300: the host check), KEEP_PCAP=1 (copy the capture to /vmout even
#   when the pcap phase passes; it is copied when it fails).
# Artefacts in /vmout: mountstats.txt (all of /proc/self/mountstats),
#   mountstats-pnfs.txt (the /mnt mount), pcap-summary.txt, pcap-bytes.tsv,
#   tcpdump.txt, timings.tsv, [pnfs.pcap].
source "$VMTEST_HARNESS/guest/lib.sh"

SERVER=$VMTEST_SERVER_IP PORT=${NFS_PORT:-$VMTEST_PORT}
FILE_MB=${FILE_MB:-256} SIZE=$(( ${FILE_MB:-256} * 1048576 ))
DS_ADDRS=${DS_ADDRS:-"10.0.2.101:2049 10.0.2.102:2049 10.0.2.103:2049"}
MIN_DS_SHARE=${MIN_DS_SHARE:-0.95} BALANCE=${BALANCE:-0.20}
HOST_CHECK=${HOST_CHECK:-0} WAIT_S=${WAIT_S:-300}
PY=/usr/bin/python3
MNT=/mnt T=pnfs-${VMTEST_UUID:0:8}
F=$MNT/$T/data SRC=/tmp/pnfs-src PCAP=/tmp/pnfs.pcap TDERR=/tmp/tcpdump.err
MARKER=pnfs-capture-end-$VMTEST_UUID
: > /vmout/timings.tsv

# Waiting without an exec per round (an exec costs ~0.25 s under TCG): a timed
# read on a FIFO nobody writes is bash's own sleep; file contents via read.
mkfifo /tmp/snooze.fifo; exec {SNOOZE}<>/tmp/snooze.fifo
snooze() { read -r -t "$1" -u "$SNOOZE"; :; }
has_line() {  # has_line FILE STRING: some line of FILE contains STRING
  local l
  [ -f "$1" ] || return 1
  while IFS= read -r l || [ -n "$l" ]; do [[ $l == *"$2"* ]] && return 0; done < "$1"
  return 1
}
now() { local t; read -r t _ < /proc/uptime; echo "$t"; }
timing() { printf '%s\t%s\n' "$1" "$2" >> /vmout/timings.tsv; echo "TIMING $1 $2 s" >&2; }
timed() {  # timed NAME CMD...: run CMD, record its seconds (stdout is CMD's)
  local n=$1 t0 rc; shift; t0=$(now); "$@"; rc=$?
  timing "$n" "$(echo "$(now) - $t0" | bc)"; return $rc
}
fail() { echo "ASSERT: $*"; return 1; }

TDPID="" CAPTURED=0
# shellcheck disable=SC2317  # called by the trap
stop_tcpdump() { [ -n "$TDPID" ] || return 0; kill -INT "$TDPID" 2>/dev/null; wait "$TDPID"; local rc=$?; TDPID=""; return $rc; }
trap 'stop_tcpdump' EXIT

s_source() {
  timed source-gen head -c "$SIZE" /dev/urandom > $SRC || return 1
  WANT=$(timed source-sha256 sha256sum < $SRC) || return 1
  WANT=${WANT%% *}
  echo "source: $FILE_MB MiB, sha256 $WANT"
}
s_capture() {
  local f
  f="(tcp and (port $PORT or port 2049)) or (udp and dst port 9)"
  # -Z root: write the file as root (tcpdump would switch to user tcpdump);
  # -U: every packet written at once, so the end marker below is a barrier
  tcpdump -i eth0 -n -s 96 -B 32768 -U -Z root -w $PCAP "$f" 2> $TDERR &
  TDPID=$!
  local end=$(( SECONDS + 60 ))
  until has_line $TDERR "listening on"; do
    kill -0 "$TDPID" 2>/dev/null || { cat $TDERR; TDPID=""; fail "tcpdump exited"; return 1; }
    [ $SECONDS -ge $end ] && { cat $TDERR; fail "tcpdump not listening after 60 s"; return 1; }
    snooze 0.05
  done
  cat $TDERR
}
s_mount() {
  mount -t nfs4 -o "vers=4.1,port=$PORT" "$SERVER:/" $MNT || return 1
  grep " $MNT " /proc/mounts
  mkdir "$MNT/$T"
}
s_write() {
  timed write dd if=$SRC of="$F" bs=1M conv=fsync status=none || return 1
  rm -f $SRC
}
s_read() {
  echo 3 > /proc/sys/vm/drop_caches
  local size got
  size=$(stat -c %s "$F") || return 1
  [ "$size" = $SIZE ] || { fail "size $size, want $SIZE"; return 1; }
  got=$(timed read sha256sum < "$F") || return 1
  got=${got%% *}
  [ "$got" = "$WANT" ] || { fail "sha256 after drop_caches $got, want $WANT"; return 1; }
  echo "read back: sha256 $got ok"
}
s_capture_stop() {
  local t0 end rc=0
  t0=$(now)
  echo "$MARKER" > /dev/udp/10.0.2.2/9 || { fail "cannot send the marker datagram"; return 1; }
  end=$(( SECONDS + 60 ))
  until grep -qaF "$MARKER" $PCAP; do
    kill -0 "$TDPID" 2>/dev/null || { fail "tcpdump died"; return 1; }
    [ $SECONDS -ge $end ] && { fail "marker not in the capture after 60 s"; rc=1; break; }
    snooze 0.2
  done
  timing capture-drain "$(echo "$(now) - $t0" | bc)"
  stop_tcpdump || { fail "tcpdump exited with $?"; rc=1; }
  cp $TDERR /vmout/tcpdump.txt
  cat $TDERR
  ls -l $PCAP
  local dropped
  dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' $TDERR)
  [ "${dropped:-0}" = 0 ] || echo "WARNING: tcpdump: $dropped packets dropped by the kernel (byte counts are low by that much)"
  [ $rc = 0 ] && CAPTURED=1
  return $rc
}
s_host_check() {
  local r
  echo "$T/data $SIZE" > /vmout/.written && mv /vmout/.written /vmout/written
  local end=$(( SECONDS + WAIT_S ))
  while [ ! -e /vmout/checked ]; do
    [ -e /vmout/abort ] && { fail "host aborted: $(cat /vmout/abort)"; return 1; }
    [ $SECONDS -ge $end ] && { fail "no answer from the host in ${WAIT_S}s (/vmout/checked)"; return 1; }
    snooze 0.2
  done
  IFS= read -r r < /vmout/checked
  echo "host: $r"
  [[ $r == ok* ]]
}
s_layout() {
  cp /proc/self/mountstats /vmout/mountstats.txt
  awk -v m="$MNT" '$1=="device" {p = ($5 == m)} p' /proc/self/mountstats > /vmout/mountstats-pnfs.txt
  # one awk: the layout driver and per-op counts of the /mnt mount
  local v
  v=$(awk '
    /^[ \t]*nfsv4:/ { n = split($0, a, ","); for (i = 1; i <= n; i++) if (a[i] ~ /^pnfs=/) pnfs = substr(a[i], 6) }
    /^[ \t]*bytes:/ { bytes = $0; sub(/^[ \t]*/, "", bytes) }
    $1 ~ /^[A-Z_]+:$/ { op = substr($1, 1, length($1) - 1); c[op] = $2 }
    END { gsub(/ /, "_", pnfs); printf "pnfs=%s LAYOUTGET=%d GETDEVICEINFO=%d LAYOUTRETURN=%d LAYOUTCOMMIT=%d READ=%d WRITE=%d COMMIT=%d\n%s\n",
            pnfs, c["LAYOUTGET"], c["GETDEVICEINFO"], c["LAYOUTRETURN"], c["LAYOUTCOMMIT"], c["READ"], c["WRITE"], c["COMMIT"], bytes }' \
    /vmout/mountstats-pnfs.txt)
  echo "mountstats $MNT: ${v%%$'\n'*}"
  echo "  (READ/WRITE/COMMIT count the RPCs to the data servers too; LAYOUTGET/LAYOUTRETURN only those sent"
  echo "   on their own, not those inside OPEN/CLOSE compounds)"
  echo "  ${v#*$'\n'}"
  local line=${v%%$'\n'*} rc=0
  [[ $line == *"pnfs=LAYOUT_NFSV4_1_FILES "* ]] || { fail "the mount does not use the files layout driver (${line%% *})"; rc=1; }
  [[ $line =~ GETDEVICEINFO=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] || { fail "no GETDEVICEINFO sent"; rc=1; }
  return $rc
}
s_pcap() {
  local a=(--mds "$SERVER:$PORT") d rc
  for d in $DS_ADDRS; do a+=(--ds "$d"); done
  timed pcap-analysis $PY "$VMTEST_HARNESS/pcap_bytes.py" "${a[@]}" --min-ds-share "$MIN_DS_SHARE" \
    --balance "$BALANCE" --tsv /vmout/pcap-bytes.tsv $PCAP > /vmout/pcap-summary.txt
  rc=$?
  cat /vmout/pcap-summary.txt
  if [ $rc != 0 ] || [ "${KEEP_PCAP:-0}" = 1 ]; then
    cp $PCAP /vmout/pnfs.pcap && echo "capture kept: /vmout/pnfs.pcap"
  fi
  return $rc
}
s_cleanup() { rm -rf "${MNT:?}/$T"; }

must modprobe modprobe -a sunrpc nfs nfsv4 nfs_layout_nfsv41_files
must source s_source
must capture s_capture
must mount s_mount
if phase write s_write && phase read s_read; then
  phase capture-stop s_capture_stop
  [ "$HOST_CHECK" = 1 ] && phase host-check s_host_check
else
  stop_tcpdump
fi
phase layout s_layout
[ $CAPTURED = 1 ] && phase pcap s_pcap
phase cleanup s_cleanup
phase umount umount $MNT
verdict
