#!/bin/bash
# Guest script (run by tests/vm/run.sh inside the VM, as root): layout recall
# with two stock Linux clients, and a data server killed mid-read (pNFS
# issue, items 2 and 3). Host side: tests/vm/run-pnfs-faults.sh (MDS with
# three data servers advertised as 10.0.2.101-103:2049; the MDS reachable as
# 10.0.2.100:P for client A and 10.0.2.104:P for client B).
#
# The host answers requests: the guest writes /vmout/req.N ("ds-kill I",
# "ds-start I", "objects FILEID", "await-mds-read S", "ds-counter I NAME",
# "recalls FILEID") and waits for /vmout/ack.N, whose first word is ok or
# FAIL and whose rest is the answer (see run-pnfs-faults.sh).
#
# Phases:
#   mount          A mounts 10.0.2.100:/ at /mnt/a; B mounts 10.0.2.104:/ at
#                  /mnt/b from its own UTS namespace (another hostname: the
#                  kernel makes a second nfs_client with its own owner string)
#   layout         A's mount uses the files layout driver
#   clients        A opens a file read-write and takes an fcntl lock on it
#                  (a helper process keeps both); the host's `strata
#                  clients` (issue 14) lists A's client (owner "Linux
#                  NFSv4.1 [uniquifier/]<hostname>") with exactly one open and one lock;
#                  the helper unlocks and closes.
#   truncate       A writes an 8 MiB file, keeps it open and reads 2 MiB
#                  through the layout; B truncates it to 3 MiB. B's truncate
#                  succeeds; the MDS logged A's answer to CB_LAYOUTRECALL for
#                  that fileid (OK, or NOMATCHING_LAYOUT: see recalled()). B then
#                  writes 1 MiB at 5 MiB; A reopens and reads 6 MiB: the old
#                  bytes up to 3 MiB, zeros from 3 to 5 MiB (data cut off by
#                  the truncate must not come back from a data server), B's
#                  bytes after.
#   remove         A writes a 4 MiB file, keeps it open and reads 1 MiB; B
#                  removes it. B's rm succeeds; the layout was recalled (MDS
#                  log); the name is gone for A too; A's open descriptor
#                  reads the rest of the file as written (the server serves
#                  unlinked open files to their openers, nfsd/state/orphan.h); A
#                  closes and unmounts, and the data servers no longer hold
#                  the file's stripe objects (the data waits for the last
#                  open, not longer); A remounts.
#   ds-kill-read   A writes a 64 MiB file and reads 16 MiB of it after
#                  dropping caches (through the data servers); the host
#                  SIGKILLs data server 2 and the guest's connects to it
#                  fail from then on (see dead_ds_route); A's reader goes
#                  on; the host waits until the MDS receives READs (the
#                  client fell back to MDS I/O) and starts data server 2
#                  again; the reader ends without an error and the sha256
#                  of all it read equals the source's.
#   ds-return      A writes a new 12 MiB file: its new layout names a device
#                  the client fetches anew (GETDEVICEINFO count grows) and the
#                  restarted data server 2 receives its share of WRITE bytes.
#   ds-lost        data server 3 loses its disk's stripe objects (issue 13):
#                  A writes a 6 MiB file and six 512 KiB files; the host
#                  deletes data server 3's objects and restarts it. After
#                  drop_caches, dd of the 6 MiB file fails with EIO and what
#                  it wrote is a prefix of the file (no zeros stand in for
#                  lost bytes); each small file whose bytes were on data
#                  server 3 fails with EIO, every other one reads back
#                  right; a file written after the loss reads back right.
#   cleanup, umount (always)
# Env: NFS_PORT (default $VMTEST_PORT), B_IP (10.0.2.104), WAIT_S (420: per
#   host request), PHASES (default "clients truncate remove ds-kill-read ds-lost": which of
#   the test phases to run; ds-return runs after ds-kill-read passed),
#   DS_TIMEO/DS_RETRANS (50/1: the files layout module's dataserver_timeo,
#   dataserver_retrans), NFS_DEBUG/RPC_DEBUG (diagnosis: the kernel's
#   nfs_debug/rpc_debug flags around the truncate and the kill; the dmesg
#   of the kill window lands in /vmout/dmesg-kill.txt).
source "$VMTEST_HARNESS/guest/lib.sh"

SERVER=$VMTEST_SERVER_IP PORT=${NFS_PORT:-$VMTEST_PORT} B_IP=${B_IP:-10.0.2.104}
WAIT_S=${WAIT_S:-420}
MA=/mnt/a MB=/mnt/b T=pnfs-faults-${VMTEST_UUID:0:8}
MiB=1048576
mkdir -p $MA $MB

mkfifo /tmp/snooze.fifo; exec {SNOOZE}<>/tmp/snooze.fifo
snooze() { read -r -t "$1" -u "$SNOOZE"; :; }
fail() { echo "ASSERT: $*"; return 1; }

fileid() { printf '%016x' "$(stat -c %i "$1")"; }
sha() { local s; s=$(sha256sum "$@") || return 1; echo "${s%% *}"; }

s_mount() {
  mount -t nfs4 -o "vers=4.1,port=$PORT" "$SERVER:/" $MA || return 1
  unshare --uts sh -c "hostname client-b-${VMTEST_UUID:0:8}; mount -t nfs4 -o vers=4.1,port=$PORT $B_IP:/ $MB" || return 1
  grep " $MA \| $MB " /proc/mounts
  [ "$(grep -c '^v4 ' /proc/fs/nfsfs/servers)" -ge 2 ] || { cat /proc/fs/nfsfs/servers; fail "one nfs_client for both mounts"; return 1; }
  mkdir $MA/$T
}
s_layout() {
  awk -v m=" $MA " '$0 ~ "^device " && index($0, m) {p=1; next} /^device /{p=0} p' /proc/self/mountstats |
    grep -q 'pnfs=LAYOUT_NFSV4_1_FILES' || { fail "mount A does not use the files layout driver"; return 1; }
}

# recalled FILEID LR0: the MDS logged client A's answer to a CB_LAYOUTRECALL
# for FILEID. The answer is NFS4_OK (A then sends LAYOUTRETURN) or, when A
# had no I/O in flight, NFS4ERR_NOMATCHING_LAYOUT: the 6.1 client frees the
# unused layout segments at once and says it holds none ("forgetful client",
# RFC 8881 §12.5.5.1), which returns the layout as well.
recalled() {
  local lr
  host recalls "$1" || return 1
  [ "${ANSWER%% *}" -ge 1 ] 2>/dev/null || { fail "no answer to a CB_LAYOUTRECALL for fileid $1 (MDS log: $ANSWER)"; return 1; }
  lr=$(opcount $MA LAYOUTRETURN)
  echo "A: CB_LAYOUTRECALL answered ($ANSWER); LAYOUTRETURN sent on its own: $2 -> ${lr:-0}"
}

s_truncate() {
  local f=$T/trunc lr0 got want id
  head -c $((8 * MiB)) /dev/urandom > /tmp/t-src || return 1
  dd if=/tmp/t-src of=$MA/$f bs=1M conv=fsync status=none || return 1
  echo 3 > /proc/sys/vm/drop_caches
  id=$(fileid $MA/$f)
  exec 7< $MA/$f
  dd bs=1M count=2 status=none <&7 > /tmp/t-a1 || return 1
  cmp -n $((2 * MiB)) /tmp/t-a1 /tmp/t-src || { fail "A's first read differs"; return 1; }
  lr0=$(opcount $MA LAYOUTRETURN)
  [ -n "${NFS_DEBUG:-}" ] && echo "$NFS_DEBUG" > /proc/sys/sunrpc/nfs_debug
  truncate -s $((3 * MiB)) $MB/$f || { fail "B's truncate failed"; return 1; }
  [ "$(stat -c %s $MB/$f)" = $((3 * MiB)) ] || { fail "size after truncate $(stat -c %s $MB/$f)"; return 1; }
  [ -n "${NFS_DEBUG:-}" ] && { echo 0 > /proc/sys/sunrpc/nfs_debug; dmesg | tail -200; }
  recalled "$id" "${lr0:-0}" || return 1
  exec 7<&-
  # B extends the file past a hole: 3-5 MiB must read as zeros
  head -c $MiB /dev/urandom > /tmp/t-b || return 1
  dd if=/tmp/t-b of=$MB/$f bs=1M seek=5 conv=fsync,notrunc status=none || return 1
  { head -c $((3 * MiB)) /tmp/t-src; head -c $((2 * MiB)) /dev/zero; cat /tmp/t-b; } > /tmp/t-want
  want=$(sha /tmp/t-want)
  echo 3 > /proc/sys/vm/drop_caches
  [ "$(stat -c %s $MA/$f)" = $((6 * MiB)) ] || { fail "A sees size $(stat -c %s $MA/$f), want 6 MiB"; return 1; }
  got=$(sha $MA/$f)
  [ "$got" = "$want" ] || { cmp /tmp/t-want $MA/$f | head -3; fail "A reads other bytes than truncate + B's write"; return 1; }
  echo "truncate: sizes and contents right (sha256 $got)"
  rm -f /tmp/t-src /tmp/t-b /tmp/t-want /tmp/t-a1
}

s_remove() {
  local f=$T/rm lr0 id
  head -c $((4 * MiB)) /dev/urandom > /tmp/r-src || return 1
  dd if=/tmp/r-src of=$MA/$f bs=1M conv=fsync status=none || return 1
  echo 3 > /proc/sys/vm/drop_caches
  id=$(fileid $MA/$f)
  exec 8< $MA/$f
  dd bs=1M count=1 status=none <&8 > /tmp/r-a1 || return 1
  host objects "$id" || return 1
  [ "${ANSWER%% *}" -ge 3 ] 2>/dev/null || { fail "stripe objects of $id before rm: $ANSWER"; return 1; }
  lr0=$(opcount $MA LAYOUTRETURN)
  rm $MB/$f || { fail "B's rm failed"; return 1; }
  recalled "$id" "${lr0:-0}" || return 1
  ls $MA/$T > /tmp/r-ls || return 1
  ! grep -qx rm /tmp/r-ls || { fail "A still lists the removed file"; return 1; }
  # A's open descriptor: the server keeps the file while A's open lasts and
  # serves it (nfsd/state/orphan.h, POSIX unlink semantics): the rest of the
  # file
  # reads back as written
  echo 3 > /proc/sys/vm/drop_caches
  dd bs=1M status=none <&8 > /tmp/r-a2 2> /tmp/r-err || { cat /tmp/r-err; fail "A's read through its open descriptor after rm failed"; return 1; }
  cat /tmp/r-a1 /tmp/r-a2 | cmp - /tmp/r-src || { fail "A's open file reads other bytes after rm"; return 1; }
  echo "remove: A's open descriptor reads the rest of the removed file ($(stat -c %s /tmp/r-a2) bytes)"
  exec 8<&-
  # the space comes back when A's open goes (its CLOSE), at the latest when
  # A's state goes: A unmounts, its lease runs out
  umount $MA || return 1
  local end=$(( SECONDS + 120 ))
  while :; do
    ls $MB/$T > /dev/null || return 1
    host objects "$id" || return 1
    [ "$ANSWER" = "0 0" ] && break
    [ $SECONDS -ge $end ] && { fail "the data servers still hold $ANSWER of $id 120 s after A's unmount"; return 1; }
    snooze 1
  done
  mount -t nfs4 -o "vers=4.1,port=$PORT" "$SERVER:/" $MA || return 1
  echo "remove: recalled, name gone, stripe objects dropped once A's open went"
  rm -f /tmp/r-src /tmp/r-a1 /tmp/r-a2
}

# A data server killed on a live host refuses the client's reconnects
# (ECONNREFUSED), and the client falls back to the MDS at once. Behind
# slirp it cannot: slirp completes the guest's connect before the host side
# is tried, the forwarder then finds nothing listening and closes, and the
# client, whose data-server RPCs are hard with "fail if the connect fails"
# (RPC_TASK_SOFTCONN), reconnects with growing back-off and saw a failed
# connect only after 120-240 s, or not within 360 s. So while data server 2
# is down the guest routes its address nowhere (`unreachable`): its
# connects fail with EHOSTUNREACH, which the files layout driver treats like
# ECONNREFUSED (device unavailable, I/O through the MDS).
DEAD_DS_IP=10.0.2.102
dead_ds_route() {
  ip route "$1" unreachable $DEAD_DS_IP/32 && echo "route to $DEAD_DS_IP: $1 unreachable"
}

s_ds_kill_read() {
  local f=$T/big want got rd rc
  head -c $((64 * MiB)) /dev/urandom > /tmp/k-src || return 1
  want=$(sha /tmp/k-src)
  dd if=/tmp/k-src of=$MA/$f bs=1M conv=fsync status=none || return 1
  rm -f /tmp/k-src
  echo 3 > /proc/sys/vm/drop_caches
  GDI0=$(opcount $MA GETDEVICEINFO)
  exec 9< $MA/$f
  dd bs=1M count=16 status=none <&9 > /tmp/k-p1 || return 1
  cat /sys/module/nfs_layout_nfsv41_files/parameters/dataserver_timeo /sys/module/nfs_layout_nfsv41_files/parameters/dataserver_retrans
  [ -n "${RPC_DEBUG:-}" ] && { dmesg -C; echo "$RPC_DEBUG" > /proc/sys/sunrpc/rpc_debug; echo "${NFS_DEBUG:-0}" > /proc/sys/sunrpc/nfs_debug; }
  dead_ds_route add || return 1
  host ds-kill 2 || return 1
  dd bs=1M status=none <&9 > /tmp/k-p2 &
  rd=$!
  host await-mds-read 360 || { kill $rd; return 1; }
  [ -n "${RPC_DEBUG:-}" ] && { echo 0 > /proc/sys/sunrpc/rpc_debug; echo 0 > /proc/sys/sunrpc/nfs_debug; dmesg > /vmout/dmesg-kill.txt; }
  host ds-start 2 || { kill $rd; return 1; }
  dead_ds_route del || { kill $rd; return 1; }
  wait $rd; rc=$?
  exec 9<&-
  [ $rc = 0 ] || { fail "the reader failed (dd rc=$rc)"; return 1; }
  got=$(cat /tmp/k-p1 /tmp/k-p2 | sha256sum); got=${got%% *}
  [ "$got" = "$want" ] || { fail "read $(($(stat -c %s /tmp/k-p1) + $(stat -c %s /tmp/k-p2))) bytes, sha256 $got, want $want"; return 1; }
  echo "ds-kill-read: no error, sha256 ok"
  rm -f /tmp/k-p1 /tmp/k-p2
}

s_ds_return() {
  local gdi
  host ds-counter 2 write_bytes || return 1
  local w0=$ANSWER
  head -c $((12 * MiB)) /dev/urandom > /tmp/n-src || return 1
  dd if=/tmp/n-src of=$MA/$T/new bs=1M conv=fsync status=none || return 1
  echo 3 > /proc/sys/vm/drop_caches
  cmp /tmp/n-src $MA/$T/new || { fail "new file reads back other bytes"; return 1; }
  gdi=$(opcount $MA GETDEVICEINFO)
  echo "A: GETDEVICEINFO ${GDI0:-0} -> ${gdi:-0}"
  [ "${gdi:-0}" -gt "${GDI0:-0}" ] || { fail "no new GETDEVICEINFO after the data server came back"; return 1; }
  host ds-counter 2 write_bytes || return 1
  echo "restarted data server 2: write_bytes $w0 -> $ANSWER"
  [ "$ANSWER" -ge $((4 * MiB)) ] 2>/dev/null || { fail "the restarted data server got $ANSWER WRITE bytes of a 12 MiB file, want its 4 MiB"; return 1; }
  rm -f /tmp/n-src
}

# The helper of s_clients: open read-write, lock, say so, wait for a line
# on stdin, unlock, close.
HOLDER_PY='
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"held\n")
fcntl.lockf(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.readline()
fcntl.lockf(fd, fcntl.LOCK_UN)
os.close(fd)
'
s_clients() {
  local line me=$(hostname) t ok=0 rc=0
  coproc HOLDER { python3 -c "$HOLDER_PY" "$MA/$T/held"; }
  read -r -t 60 line <&"${HOLDER[0]}"
  [ "$line" = locked ] || { fail "the holder did not lock (got '$line')"; return 1; }
  host clients || rc=1
  echo release >&"${HOLDER[1]}"
  wait "$HOLDER_PID" || { fail "the holder failed"; return 1; }
  [ $rc = 0 ] || return 1
  for t in $ANSWER; do
    # "Linux NFSv4.1 [UNIQUIFIER/]HOSTNAME" (the 6.1 client's owner)
    [[ $t =~ ^([0-9]+)/([0-9]+)/Linux_NFSv4\.1_([^/]*/)?${me}$ ]] || continue
    echo "clients: A's client: ${BASH_REMATCH[1]} open(s), ${BASH_REMATCH[2]} lock(s)"
    [ "${BASH_REMATCH[1]}" = 1 ] && [ "${BASH_REMATCH[2]}" = 1 ] && ok=1
  done
  [ $ok = 1 ] || { fail "strata clients does not list A ($me) with 1 open and 1 lock: $ANSWER"; return 1; }
}

s_ds_lost() {
  local d=$MA/$T/lost i id h n_lost=0 n_ok=0 rc
  mkdir -p $d || return 1
  head -c $((6 * MiB)) /dev/urandom > /tmp/l-big || return 1
  dd if=/tmp/l-big of=$d/big bs=1M conv=fsync status=none || return 1
  declare -A HOLD
  for i in 1 2 3 4 5 6; do
    head -c $((512 * 1024)) /dev/urandom > /tmp/l-s$i || return 1
    dd if=/tmp/l-s$i of=$d/s$i bs=64k conv=fsync status=none || return 1
    host holders "$(fileid $d/s$i)" || return 1
    HOLD[$i]=${ANSWER// /}
    [[ ${HOLD[$i]} =~ ^[1-3]$ ]] || { fail "small file s$i's bytes on data servers '$ANSWER', want one"; return 1; }
  done
  host lose-objects 3 || return 1
  echo 3 > /proc/sys/vm/drop_caches
  rc=0; dd if=$d/big of=/tmp/l-out bs=1M status=none 2> /tmp/l-err || rc=$?
  cat /tmp/l-err
  [ $rc != 0 ] || { fail "dd of a file with lost stripes succeeded"; return 1; }
  grep -q 'Input/output error' /tmp/l-err || { fail "dd failed, but not with EIO"; return 1; }
  n=$(stat -c %s /tmp/l-out)
  [ "$n" -lt $((6 * MiB)) ] || { fail "dd wrote the whole file"; return 1; }
  cmp -n "$n" /tmp/l-out /tmp/l-big || { fail "dd's $n bytes are not the file's first $n bytes (zeros for lost data?)"; return 1; }
  echo "ds-lost: dd got EIO after $n right bytes of 6 MiB"
  for i in 1 2 3 4 5 6; do
    if [ "${HOLD[$i]}" = 3 ]; then
      if cat $d/s$i > /tmp/l-got 2> /tmp/l-err; then fail "s$i (bytes on the lost server) read without error"; return 1; fi
      grep -q 'Input/output error' /tmp/l-err || { cat /tmp/l-err; fail "s$i: not EIO"; return 1; }
      cmp -n "$(stat -c %s /tmp/l-got)" /tmp/l-got /tmp/l-s$i || { fail "s$i: wrong bytes before the error"; return 1; }
      n_lost=$((n_lost + 1))
    else
      cmp $d/s$i /tmp/l-s$i || { fail "s$i (on data server ${HOLD[$i]}) reads other bytes"; return 1; }
      n_ok=$((n_ok + 1))
    fi
  done
  echo "ds-lost: small files: $n_lost EIO (on data server 3), $n_ok right (on 1 and 2)"
  [ $n_lost -ge 1 ] && [ $n_ok -ge 1 ] || { fail "want small files on both sides (placement: ${HOLD[*]})"; return 1; }
  head -c $((6 * MiB)) /dev/urandom > /tmp/l-new || return 1
  dd if=/tmp/l-new of=$d/new bs=1M conv=fsync status=none || { fail "writing a new file after the loss failed"; return 1; }
  echo 3 > /proc/sys/vm/drop_caches
  cmp $d/new /tmp/l-new || { fail "a file written after the loss reads back other bytes"; return 1; }
  echo "ds-lost: a file written after the loss reads back right"
  rm -f /tmp/l-*
}

# Data-server RPC timeouts: 5 s, one retry (the module's defaults are 60 s
# and more retries). A data server that died on a live host refuses the
# client's reconnect, and the client falls back to the MDS at once; behind
# slirp the guest's connect always succeeds (slirp accepts before the host
# side is tried): see dead_ds_route. Shorter timeouts keep the waits of
# the other phases short.
must modprobe bash -c "modprobe -a sunrpc nfs nfsv4 &&
  modprobe nfs_layout_nfsv41_files dataserver_timeo=${DS_TIMEO:-50} dataserver_retrans=${DS_RETRANS:-1}"
must mount s_mount
must layout s_layout
PHASES=" ${PHASES:-clients truncate remove ds-kill-read ds-lost} "
[[ $PHASES == *" clients "* ]] && phase clients s_clients
[[ $PHASES == *" truncate "* ]] && phase truncate s_truncate
[[ $PHASES == *" remove "* ]] && phase remove s_remove
if [[ $PHASES == *" ds-kill-read "* ]] && phase ds-kill-read s_ds_kill_read; then
  phase ds-return s_ds_return
fi
[[ $PHASES == *" ds-lost "* ]] && phase ds-lost s_ds_lost
awk '/^device .* nfs4 /{p=1} /^device /&&!/ nfs4 /{p=0} p' /proc/self/mountstats > /vmout/mountstats.txt
ip route del unreachable $DEAD_DS_IP/32 2>/dev/null
phase cleanup rm -rf "${MA:?}/$T"
phase umount bash -c "umount $MA; umount $MB"
verdict
