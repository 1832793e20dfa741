#!/bin/bash
# Guest script (run by tests/vm/run.sh inside the VM, as root): lock and open
# reclaim after the server is SIGKILLed, with a second client waiting on the
# lock. Host side: tests/vm/run-reclaim.sh, which kills and restarts the server
# when the guest asks for it (handshake files in /vmout, see below).
#
# Two NFSv4.1 clients in one guest: the kernel shares one nfs_client (one
# client ID) between mounts of the same server address, and builds the 4.1
# co_ownerid from the uniquifier (nfs.nfs4_unique_id) and the nodename of the
# mounting process's UTS namespace ("Linux NFSv4.1 <uuid>/<hostname>"). So
# client B is a mount from another UTS namespace (hostname <host>-b) through a
# second guest-visible address of the same server (run.sh --fwd
# 10.0.2.101:P:P). Client A: $VMTEST_SERVER_IP, hostname $VMTEST_HOSTNAME.
#
# Sequence (CTL=/tmp/ctl: guest-local handshake files between the processes;
# every wait polls for a file or a counter with a bounded timeout):
#   1 two-clients  mount A and B; /proc/fs/nfsfs/servers must list two clients;
#                  create the file; 4 MiB warm-up write on A (see s_two_clients)
#   2 b-open       B's waiter opens the file first (so A's open has a conflict
#                  and a server that hands out delegations would not delegate)
#   3 a-dirty      A's holder takes an fcntl F_SETLKW write lock on the whole
#                  file and writes SIZE1_MB of a pattern without fsync; no WRITE
#                  may have been sent (periodic writeback is off in the guest)
#   4 b-blocked    B: F_GETLK must report the conflict (LOCKT), then F_SETLKW
#                  blocks; wait until B's mount has sent LOCK (denied), B must
#                  not have the lock
#   5 restart      /vmout/locked -> host SIGKILLs and restarts the server ->
#                  /vmout/restarted (still no WRITE sent by A before the kill)
#   6 reclaim      A continues: writes SIZE2_MB more, fsync (the client must
#                  reclaim open + lock in grace first), reads back; B still waits
#   7 after-grace  /vmout/grace-over (host saw "grace period over"): F_GETLK
#                  from B must still report A's lock; B still waits
#   8 release      A unlocks; B must get the lock within ACQUIRE_S and read the
#                  whole file (both parts) with the expected sha256
#   9 verify       drop_caches, sha256 of the file through A equals the pattern
#                  and the READ replies carried the whole file
# Env: NFS_PORT (default $VMTEST_PORT), NFS_PORT_B (B's, default NFS_PORT:
# another port is another metadata node, a front), NFS_EXPORT (/), NFS_SERVER_B
#   (10.0.2.101), SIZE1_MB (2), SIZE2_MB (1), WAIT_S (180: handshakes),
#   ACQUIRE_S (40: B after A's release; the Linux client polls a denied
#   blocking lock with backoff up to 30 s), A_IDLE=1 (steps 7 before 6: A's
#   process stays idle until grace is over, so A's client has to notice the
#   restart by itself, through its lease renewal, and reclaim in grace).
# Artefacts: /vmout/timings.tsv (step, seconds), /vmout/fileid (hex),
#   /vmout/mountstats.txt, /vmout/ctl/ (the handshake files, with timestamps).
source "$VMTEST_HARNESS/guest/lib.sh"

SERVER=${NFS_SERVER:-$VMTEST_SERVER_IP} SERVER_B=${NFS_SERVER_B:-10.0.2.101}
PORT=${NFS_PORT:-$VMTEST_PORT} EXPORT=${NFS_EXPORT:-/}
PORT_B=${NFS_PORT_B:-$PORT}
SIZE1=$(( ${SIZE1_MB:-2} * 1048576 )) SIZE2=$(( ${SIZE2_MB:-1} * 1048576 ))
WAIT_S=${WAIT_S:-180} ACQUIRE_S=${ACQUIRE_S:-40}
PY=/usr/bin/python3
MA=/mnt/a MB=/mnt/b CTL=/tmp/ctl
T=reclaim-${VMTEST_UUID:0:8}
FA=$MA/$T/data FB=$MB/$T/data
SEED1=A1-$VMTEST_UUID SEED2=A2-$VMTEST_UUID
mkdir -p $MA $MB $CTL
: > /vmout/timings.tsv
PIDS=()
# shellcheck disable=SC2154  # p is the loop variable inside the trap
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done' EXIT

# Polling without an exec per round (an exec costs ~0.25 s under TCG): a
# timed read on a FIFO nobody writes is bash's own sleep.
mkfifo /tmp/snooze.fifo; exec {SNOOZE}<>/tmp/snooze.fifo
snooze() { read -r -t "$1" -u "$SNOOZE"; :; }
now() { local t; read -r t _ < /proc/uptime; echo "$t"; }
since() { printf '%.3f' "$(echo "$(now) - $1" | bc)"; }
timing() { printf '%s\t%s\n' "$1" "$2" >> /vmout/timings.tsv; echo "TIMING $1 $2 s"; }
fail() { echo "ASSERT: $*"; return 1; }
# wait_file FILE SECONDS: 0 when FILE exists; 1 on timeout, on /vmout/abort,
# or when a helper reported an error (CTL/*.error)
wait_file() {
  local f=$1 end; end=$(( SECONDS + $2 ))
  while [ ! -e "$f" ]; do
    [ -e /vmout/abort ] && { echo "host aborted: $(cat /vmout/abort)"; return 1; }
    for e in $CTL/*.error; do [ -e "$e" ] && { echo "$(basename "$e"): $(cat "$e")"; return 1; }; done
    [ $SECONDS -ge $end ] && { echo "timeout (${2}s) waiting for $f"; return 1; }
    snooze 0.1
  done
}
# opcount MNT OP: the op's count in /proc/self/mountstats for that mount
opcount() {
  local a b rest m in=0
  while read -r a b rest; do
    if [ "$a" = device ]; then read -r _ _ m _ <<< "$rest"; [ "$m" = "$1" ] && in=1 || in=0
    elif [ $in = 1 ] && [ "$a" = "$2:" ]; then echo "$b"; return; fi
  done < /proc/self/mountstats
  echo 0
}
readbytes() {  # bytes received by READ replies on mount $1 (6th field of the READ: line)
  awk -v m="$1" '$1=="device" {p = ($5 == m)} p && $1=="READ:" {print $6; exit}' /proc/self/mountstats
}

# The processes: A's holder, B's waiter, and helpers (one python each).
cat > /tmp/reclaim.py <<'EOF'
import fcntl, hashlib, os, random, struct, sys, time
FLOCK = '@hhqqi4x'          # struct flock on x86_64 (32 bytes)
def gen(seed, n): return random.Random(seed).randbytes(n)
def mark(ctl, name, text=''):
    tmp = os.path.join(ctl, '.' + name)
    with open(tmp, 'w') as f: f.write('%.3f %s\n' % (time.monotonic(), text))
    os.rename(tmp, os.path.join(ctl, name))
def wait(ctl, name, timeout):
    p, end = os.path.join(ctl, name), time.monotonic() + timeout
    while not os.path.exists(p):
        if time.monotonic() > end: raise RuntimeError('timeout waiting for ' + name)
        time.sleep(0.05)
def pwrite_all(fd, data, off):
    mv = memoryview(data)
    while mv:
        n = os.pwrite(fd, mv, off); mv = mv[n:]; off += n
def read_all(fd):
    out, off = [], 0
    while True:
        b = os.pread(fd, 1 << 20, off)
        if not b: return b''.join(out)
        out.append(b); off += len(b)
def getlk(fd):
    r = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(FLOCK, fcntl.F_WRLCK, 0, 0, 0, 0))
    return struct.unpack(FLOCK, r)[0]
def holder(path, ctl, n1, n2, s1, s2):
    d1, d2 = gen(s1, n1), gen(s2, n2)
    fd = os.open(path, os.O_RDWR)
    fcntl.lockf(fd, fcntl.LOCK_EX)            # F_SETLKW, whole file
    pwrite_all(fd, d1, 0)                     # dirty in the page cache, no fsync
    mark(ctl, 'a.locked', 'pid %d wrote %d bytes' % (os.getpid(), n1))
    wait(ctl, 'go', 600)
    t0 = time.monotonic()
    pwrite_all(fd, d2, n1)
    t1 = time.monotonic()
    os.fsync(fd)                              # EIO if the lock/open was lost
    t2 = time.monotonic()
    st = os.fstat(fd).st_size
    if st != n1 + n2: raise RuntimeError('size %d after fsync, want %d' % (st, n1 + n2))
    if read_all(fd) != d1 + d2: raise RuntimeError('read-back differs after fsync')
    mark(ctl, 'a.holding', 'write2 %.2f fsync %.2f' % (t1 - t0, t2 - t1))
    wait(ctl, 'release', 600)
    fcntl.lockf(fd, fcntl.LOCK_UN)
    mark(ctl, 'a.released')
    os.close(fd)
def waiter(path, ctl, n, sha):
    fd = os.open(path, os.O_RDWR)
    mark(ctl, 'b.opened')
    wait(ctl, 'b.go', 600)
    t = getlk(fd)
    if t != fcntl.F_WRLCK: raise RuntimeError('F_GETLK from B: l_type %d, want F_WRLCK (A holds it)' % t)
    mark(ctl, 'b.trying')
    fcntl.lockf(fd, fcntl.LOCK_EX)            # must block until A releases
    mark(ctl, 'b.acquired')
    data = read_all(fd)                       # lock = cache coherency point: from the server
    got = hashlib.sha256(data).hexdigest()
    if len(data) != n or got != sha:
        raise RuntimeError('B read %d bytes sha256 %s, want %d bytes %s' % (len(data), got, n, sha))
    mark(ctl, 'b.verified', got)
    fcntl.lockf(fd, fcntl.LOCK_UN)
    os.close(fd)
def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == 'expect':
        print(hashlib.sha256(gen(a[0], int(a[1])) + gen(a[2], int(a[3]))).hexdigest()); return
    if cmd == 'getlk':
        fd = os.open(a[0], os.O_RDONLY); t = getlk(fd); os.close(fd)
        print({fcntl.F_WRLCK: 'F_WRLCK', fcntl.F_RDLCK: 'F_RDLCK', fcntl.F_UNLCK: 'F_UNLCK'}.get(t, t))
        sys.exit(0 if t == fcntl.F_WRLCK else 1)
    ctl, who = a[1], cmd[0]
    try:
        if cmd == 'holder': holder(a[0], ctl, int(a[2]), int(a[3]), a[4], a[5])
        elif cmd == 'waiter': waiter(a[0], ctl, int(a[2]), a[3])
        else: raise SystemExit('unknown command ' + cmd)
    except Exception as e:
        mark(ctl, who + '.error', repr(e)); print('%s: %r' % (cmd, e), file=sys.stderr); sys.exit(1)
main()
EOF

# ------------------------------------------------------------------ steps
s_two_clients() {
  mount -t nfs4 -o "vers=4.1,port=$PORT" "$SERVER:$EXPORT" $MA || fail "mount A failed" || return
  unshare --uts bash -c 'echo "$1" > /proc/sys/kernel/hostname && exec mount -t nfs4 -o "vers=4.1,port=$2" "$3" "$4"' \
    _ "$VMTEST_HOSTNAME-b" "$PORT_B" "$SERVER_B:$EXPORT" $MB || fail "mount B failed" || return
  grep -E " ($MA|$MB) " /proc/mounts
  cat /proc/fs/nfsfs/servers
  # a second client with the same client ID would have been folded into the
  # first by the client's trunking detection: two entries = two client IDs
  [ "$(grep -c '^v4 ' /proc/fs/nfsfs/servers)" = 2 ] || fail "want 2 NFSv4 clients in /proc/fs/nfsfs/servers" || return
  mkdir $MA/$T && : > "$FA" || fail "create $FA failed" || return
  # The 6.1 client writes back the first ~2 MiB dirtied on a fresh mount at
  # once (seen: 23 WRITEs during the first 2 MiB, none for later data): warm
  # A's mount up so that the holder's data stays in the page cache.
  dd if=/dev/zero of=$MA/$T/warmup bs=1M count=4 conv=fsync status=none && rm $MA/$T/warmup || fail "warm-up write failed" || return
  printf '%x\n' "$(stat -c %i "$FA")" > /vmout/fileid
  echo "file $FA fileid 0x$(cat /vmout/fileid)"
  EXPECT=$($PY /tmp/reclaim.py expect "$SEED1" $SIZE1 "$SEED2" $SIZE2) || fail "expect" || return
  echo "expected sha256 $EXPECT ($((SIZE1 + SIZE2)) bytes)"
}

s_b_open() {
  $PY /tmp/reclaim.py waiter "$FB" $CTL $((SIZE1 + SIZE2)) "$EXPECT" & PIDS+=($!); BPID=$!
  wait_file $CTL/b.opened 120
}

s_a_dirty() {
  W0=$(opcount $MA WRITE)
  $PY /tmp/reclaim.py holder "$FA" $CTL $SIZE1 $SIZE2 "$SEED1" "$SEED2" & PIDS+=($!); APID=$!
  wait_file $CTL/a.locked 120 || return
  echo "holder: $(cat $CTL/a.locked)"
  local w; w=$(opcount $MA WRITE)
  echo "A: WRITE ops $W0 -> $w, LOCK ops $(opcount $MA LOCK); $(grep -E '^nr_dirty ' /proc/vmstat)"
  [ "$w" = "$W0" ] || fail "A sent WRITE: the data is not dirty any more"
}

s_b_blocked() {
  local t0; t0=$(now)
  : > $CTL/b.go
  wait_file $CTL/b.trying 60 || return
  # the blocking LOCK has been sent and denied once B's mount counts a LOCK
  local end=$(( SECONDS + 60 ))
  until [ "$(opcount $MB LOCK)" -ge 1 ]; do
    [ $SECONDS -ge $end ] && { fail "B sent no LOCK within 60 s"; return; }
    [ -e $CTL/b.error ] && { fail "B: $(cat $CTL/b.error)"; return; }
    snooze 0.1
  done
  B_LOCK0=$(opcount $MB LOCK)
  timing b-first-denied "$(since "$t0")"
  [ ! -e $CTL/b.acquired ] || fail "B acquired the lock A holds" || return
  echo "B: F_GETLK saw F_WRLCK, F_SETLKW blocked; LOCK ops $B_LOCK0 LOCKT ops $(opcount $MB LOCKT)"
  [ "$(opcount $MA WRITE)" = "$W0" ] || fail "A sent WRITE before the kill"
}

s_restart() {
  local t0; t0=$(now)
  echo "$(now) fileid $(cat /vmout/fileid)" > /vmout/.locked && mv /vmout/.locked /vmout/locked
  wait_file /vmout/restarted 120 || return
  timing host-kill-restart "$(since "$t0")"
  echo "host: $(cat /vmout/restarted)"
  # nothing was flushed before the kill: A's data was only in its page cache
  [ "$(opcount $MA WRITE)" = "$W0" ] || fail "A sent WRITE before the kill"
  [ ! -e $CTL/b.acquired ] || fail "B acquired the lock during the restart"
}

s_reclaim() {
  local t0; t0=$(now)
  : > $CTL/go
  wait_file $CTL/a.holding "$WAIT_S" || return
  timing a-continue-write-fsync "$(since "$t0")"
  echo "holder: $(cat $CTL/a.holding); A WRITE ops now $(opcount $MA WRITE)"
  [ ! -e $CTL/b.acquired ] || fail "B acquired the lock while A still holds it (after the restart)"
}

s_after_grace() {
  local t0 r; t0=$(now)
  wait_file /vmout/grace-over "$WAIT_S" || return
  timing wait-grace-over "$(since "$t0")"
  echo "host: $(cat /vmout/grace-over)"
  # LOCKT from B to the restarted server: A's reclaimed lock is there
  r=$($PY /tmp/reclaim.py getlk "$FB") || fail "F_GETLK from B after grace: $r (want F_WRLCK: A's reclaimed lock)" || return
  echo "B: F_GETLK after grace: $r; B LOCK ops since the first denial: $(( $(opcount $MB LOCK) - B_LOCK0 ))"
  [ ! -e $CTL/b.acquired ] || fail "B acquired the lock while A still holds it (after grace)"
}

s_release() {
  : > $CTL/release
  wait_file $CTL/a.released 60 || return
  wait_file $CTL/b.acquired "$ACQUIRE_S" || { fail "B did not get the lock within ${ACQUIRE_S}s of A's release"; return; }
  local tr ta; read -r tr _ < $CTL/a.released; read -r ta _ < $CTL/b.acquired
  timing b-acquire-after-release "$(printf '%.3f' "$(echo "$ta - $tr" | bc)")"
  wait_file $CTL/b.verified 120 || return
  echo "B read the whole file after acquiring: sha256 $(cut -d' ' -f2 $CTL/b.verified)"
  wait "$APID" || fail "holder exited $?" || return
  wait "$BPID" || fail "waiter exited $?"
}

s_verify() {
  local n=$((SIZE1 + SIZE2)) r0 r1 got
  echo 3 > /proc/sys/vm/drop_caches
  [ "$(stat -c %s "$FA")" = $n ] || fail "size $(stat -c %s "$FA") != $n" || return
  r0=$(readbytes $MA)
  got=$(sha256sum < "$FA") || fail "read failed" || return
  r1=$(readbytes $MA)
  got=${got%% *}
  echo "sha256 through A after drop_caches: $got (READ bytes $r0 -> $r1)"
  [ "$got" = "$EXPECT" ] || fail "sha256 mismatch: want $EXPECT" || return
  [ $(( r1 - r0 )) -ge $n ] || fail "READ replies carried $(( r1 - r0 )) < $n bytes: not read from the server"
}

s_cleanup() {
  awk -v a=$MA -v b=$MB '$1=="device" {p = ($5 == a || $5 == b)} p' /proc/self/mountstats > /vmout/mountstats.txt
  rm -rf "${MA:?}/$T" && umount $MB && umount $MA
}

# ------------------------------------------------------------------ main
echo "VMTEST reclaim-test: server $SERVER:$PORT (A) and $SERVER_B:$PORT_B (B), export $EXPORT"
# Keep A's data dirty until its fsync: no periodic writeback.
echo 0 > /proc/sys/vm/dirty_writeback_centisecs; echo 360000 > /proc/sys/vm/dirty_expire_centisecs
T0=$(now)
must modprobe    modprobe -a sunrpc nfs nfsv4
must two-clients s_two_clients
must b-open      s_b_open
must a-dirty     s_a_dirty
must b-blocked   s_b_blocked
must restart     s_restart
if [ "${A_IDLE:-0}" = 1 ]; then   # A's client must notice the restart by itself (lease renewal)
  must after-grace s_after_grace
  must reclaim     s_reclaim
else
  must reclaim     s_reclaim
  must after-grace s_after_grace
fi
must release     s_release
must verify      s_verify
trap - EXIT
cp -r $CTL /vmout/ctl
phase cleanup s_cleanup
timing total "$(since "$T0")"
verdict
