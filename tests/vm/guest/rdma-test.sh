#!/bin/bash
# tests/vm/guest/rdma-test.sh — NFSv4.1 over RPC-over-RDMA with the stock
# client, Strata's MDS running in this guest (issue 17, step 2). Run by
# tests/vm/run-rdma.sh; env: STRATA_ROOT (the source tree, visible here
# through 9p), STRATA_BUILD (its build dir), FSX_BIN, BIG_MB (64),
# NDIR (3000), FSX_OPS (2000), FSX_SEED (4242).
#
# Phases (each must pass; `must` aborts the rest):
#   rxe       Soft-RoCE on eth0 (rdma link shows rxe0 on eth0), rpcrdma loaded
#   server    strata-local up --rdma bound to the guest's address; the log
#             says the RDMA listener is up
#   mount     mount -o vers=4.1,proto=rdma,port=20049; /proc/mounts has
#             proto=rdma and /proc/self/mountstats an "xprt: rdma" line
#   bad-input tests/rdma/rdma_probe on its own connection: a bad version
#             gets ERR_VERS, a bad chunk list ERR_CHUNK, a NULL call then
#             an inline reply with credits > 0, a Read chunk with a bad
#             rkey a disconnect of that client only: the mount's
#             connection count is unchanged and it still works
#   big-file  BIG_MB random bytes written (conv=fsync), drop_caches, read
#             back: same sha256; the client sent Read chunks (WRITE data
#             the server must RDMA-Read: the sha256 shows it did) and
#             offered Write chunks, and the server reported >= BIG_MB MiB
#             RDMA-written into them (the client's total_rdma_reply)
#   dir-list  NDIR entries created in one perl process, drop_caches, the
#             listing equals the names exactly; the client offered Reply
#             chunks and the server RDMA-wrote bytes to them (no READ runs
#             then: READDIR replies too large for one Send, as RDMA_NOMSG)
#   fsx       fsx -N FSX_OPS -S FSX_SEED on the mount
#   alive     the server still runs, its log has no sanitizer report
# Prints the rdma xprt line of mountstats before and after each data phase.
set -uo pipefail
source "$VMTEST_HARNESS/guest/lib.sh"
ROOT=${STRATA_ROOT:?}; BUILD=${STRATA_BUILD:-$ROOT/build}
IP=${VMTEST_GUEST_IP:-10.0.2.15}; RPORT=20049
BIG_MB=${BIG_MB:-64}; NDIR=${NDIR:-3000}; FSX_OPS=${FSX_OPS:-2000}; FSX_SEED=${FSX_SEED:-4242}
M=/mnt/rdma; SRV=/tmp/srv
mkdir -p $M

# The rdma xprt counters of our mount (Linux 6.1 xprt_rdma_print_stats):
# after "rdma": port bind connect connect_time idle sends recvs bad_xids
# req_u bklog_u read_chunks write_chunks reply_chunks rdma_request_bytes
# rdma_reply_bytes ...
xprt_line() { awk -v m=" $M " '$0 ~ "^device " && index($0, m) {p=1; next} /^device /{p=0} p && $1 == "xprt:" {print; exit}' /proc/self/mountstats; }
xprt_field() { xprt_line | awk -v f="$1" '{print $(f + 2)}'; }  # 1-based after "rdma"
READ_CHUNKS=11; WRITE_CHUNKS=12; REPLY_CHUNKS=13; RDMA_REPLY_BYTES=15

ph_rxe() {
  modprobe rdma_rxe || return 1
  rdma link add rxe0 type rxe netdev eth0 || return 1
  rdma link show | tee /vmout/rdma-link.txt | grep -q 'rxe0.*netdev eth0' || return 1
  modprobe rpcrdma || return 1
  ibv_devinfo -d rxe0 > /vmout/ibv_devinfo.txt 2>&1 || true
}
ph_server() {
  ulimit -l unlimited
  "$ROOT/scripts/strata-local" up --dir $SRV --build "$BUILD" --listen "$IP" --port 2049 \
    --rdma --rdma-port $RPORT --no-metrics --lease 20 --grace 0 || return 1
  grep -q "rdma: serving NFSv4.1 over RPC-over-RDMA on $IP:$RPORT" $SRV/mds.log
}
ph_mount() {
  mount -t nfs -o vers=4.1,proto=rdma,port=$RPORT "$IP:/" $M || return 1
  grep " $M " /proc/mounts | tee /vmout/proc-mounts.txt | grep -q 'proto=rdma' || return 1
  xprt_line | tee /vmout/xprt-after-mount.txt | grep -q 'xprt:[[:space:]]*rdma' || return 1
  mkdir $M/t
}
ph_bad() {
  local c0 c1
  c0=$(xprt_field 3)
  "$BUILD/tests/rdma/rdma_probe" "$IP" $RPORT || return 1
  ls -la $M/t > /dev/null || return 1
  c1=$(xprt_field 3)
  echo "mount's connect_count $c0 -> $c1"
  [ "$c0" = "$c1" ] || { echo "the mount's connection was dropped too"; return 1; }
  grep -E 'bad header|disconnecting|RDMA Read' $SRV/mds.log | tail -5
}
ph_big() {
  local a b rc0 wc0 rb0 rc1 wc1 rb1
  dd if=/dev/urandom of=/tmp/big bs=1M count=$BIG_MB status=none || return 1
  a=$(sha256sum < /tmp/big)
  rc0=$(xprt_field $READ_CHUNKS)
  dd if=/tmp/big of=$M/t/big bs=1M conv=fsync status=none || return 1
  rc1=$(xprt_field $READ_CHUNKS)
  echo 3 > /proc/sys/vm/drop_caches
  wc0=$(xprt_field $WRITE_CHUNKS); rb0=$(xprt_field $RDMA_REPLY_BYTES)
  b=$(sha256sum < $M/t/big)
  wc1=$(xprt_field $WRITE_CHUNKS); rb1=$(xprt_field $RDMA_REPLY_BYTES)
  xprt_line | tee /vmout/xprt-after-big.txt
  echo "sha256 local $a / nfs $b; read chunks $rc0 -> $rc1; write chunks $wc0 -> $wc1; rdma reply bytes $rb0 -> $rb1"
  [ "$a" = "$b" ] || { echo "sha256 differs"; return 1; }
  [ "$rc1" -gt "$rc0" ] || { echo "no Read chunk sent for the writes"; return 1; }
  [ "$wc1" -gt "$wc0" ] || { echo "no Write chunk used for the reads"; return 1; }
  [ $((rb1 - rb0)) -ge $((BIG_MB << 20)) ] || { echo "less than $BIG_MB MiB RDMA-written to the client"; return 1; }
  rm -f /tmp/big
}
ph_dir() {
  local r0 r1 b0 b1
  mkdir $M/t/d || return 1
  perl -e 'my ($d, $n) = @ARGV; for my $i (1 .. $n) { my $f = sprintf("%s/entry-%06d-%s", $d, $i, "x" x ($i % 150)); open(my $h, ">", $f) or die "$f: $!"; close $h; }' $M/t/d $NDIR || return 1
  echo 3 > /proc/sys/vm/drop_caches
  r0=$(xprt_field $REPLY_CHUNKS); b0=$(xprt_field $RDMA_REPLY_BYTES)
  perl -e 'my ($d, $n) = @ARGV; opendir(my $h, $d) or die; my @e = grep { $_ ne "." && $_ ne ".." } readdir $h; my %want = map { (sprintf("entry-%06d-%s", $_, "x" x ($_ % 150)) => 1) } 1 .. $n; my %seen; for (@e) { die "duplicate $_\n" if $seen{$_}++; die "unexpected $_\n" unless $want{$_}; } die "listed " . scalar(@e) . " of $n\n" unless @e == $n; print "listed $n exactly\n";' $M/t/d $NDIR || return 1
  r1=$(xprt_field $REPLY_CHUNKS); b1=$(xprt_field $RDMA_REPLY_BYTES)
  xprt_line | tee /vmout/xprt-after-dir.txt
  echo "reply chunks offered $r0 -> $r1; rdma reply bytes $b0 -> $b1"
  [ "$r1" -gt "$r0" ] || { echo "the client offered no Reply chunk for the listing"; return 1; }
  # No READ runs here: bytes the server reports RDMA-written are READDIR
  # replies sent as RDMA_NOMSG through the Reply chunk.
  [ "$b1" -gt "$b0" ] || { echo "the server wrote no Reply chunk"; return 1; }
  rm -rf $M/t/d
}
ph_fsx() {
  [ -x "${FSX_BIN:-}" ] || { echo "FSX_BIN not built"; return 1; }
  mkdir -p /tmp/fsx-art
  "$FSX_BIN" -N "$FSX_OPS" -S "$FSX_SEED" -P /tmp/fsx-art $M/t/fsx || { cp -r /tmp/fsx-art /vmout/ 2>/dev/null; return 1; }
}
ph_alive() {
  local pid; pid=$(cat $SRV/mds.pid)
  kill -0 "$pid" || { echo "strata-mds died"; return 1; }
  ! grep -E 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error:' $SRV/mds.log
}
finish() {
  umount $M 2>/dev/null
  "$ROOT/scripts/strata-local" down --dir $SRV >/dev/null 2>&1
  cp $SRV/mds.log /vmout/mds.log 2>/dev/null
  cat /proc/self/mountstats > /vmout/mountstats.txt 2>/dev/null
}
trap finish EXIT

must rxe ph_rxe
must server ph_server
must mount ph_mount
phase bad-input ph_bad
phase big-file ph_big
phase dir-list ph_dir
phase fsx ph_fsx
phase alive ph_alive
cat /proc/self/mountstats > /vmout/mountstats.txt
verdict
