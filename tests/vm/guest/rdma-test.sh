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
#   deleg-recall  the backchannel over RDMA (RFC 8167): A (the proto=rdma
#             mount) opens a file read-only and holds it (a read
#             delegation); client B (its own UTS namespace and hostname,
#             so its own client owner, mounted over TCP) writes it: the
#             server sends CB_RECALL to A over RDMA (its rdma_bc_calls
#             counter grows), A returns the delegation (DELEGRETURN >= 1)
#             and the server revokes nothing; A then reads B's bytes
#   alive     the server still runs, its log has no sanitizer report
#   pnfs-up   (pNFS over RDMA, decision 0029) a second cluster: strata-local
#             up --data-servers NPDS (2; 3 for acceptance 1 by hand) --rdma (MDS TCP 24049 / RDMA 24449, data
#             server I on TCP 24049+I / RDMA 24449+I, all on the guest's
#             address); the MDS logs each data server's RDMA address,
#             learnt over the control protocol (CTL_TRANSPORTS)
#   pnfs-io   mount -o vers=4.1,proto=rdma,port=24449; PNFS_MB MiB written
#             and read back after drop_caches with equal sha256; the
#             files layout in use; the mount's own mountstats show its
#             MDS transport is rdma and count GETDEVICEINFO, READ and WRITE
#             (LAYOUTGET rides in OPEN there: the MDS's count is checked);
#             the data servers counted >= 95% of the file as NFS READ and
#             WRITE payload; the client's transports (debugfs
#             sunrpc/rpc_xprt) include an rdma one to each data server's
#             RDMA port; each data server's own counters (strata-stat)
#             show it RDMA-Read >= 80% of its share (1/NPDS) of the file
#             (the WRITE data) and RDMA-wrote >= 80% of its share (the READ
#             data), together >= 95% each way, and every byte it RDMA-Read
#             landed straight in the call it handed up (zero-copy WRITE:
#             rdma_read_inplace_bytes = rdma_read_bytes); the MDS served < 5% of the bytes. With GETDEVICEINFO
#             listing only tcp this phase fails (the data servers count 0
#             RDMA bytes and the client has no rdma transport to them).
#   layout-recall  CB_LAYOUTRECALL over RDMA: B (own UTS namespace, TCP
#             mount of the pNFS MDS) reads the file A wrote (same sha256;
#             the transports B's data-server connections took are
#             reported), then truncates it to 1 MiB; the MDS sent a callback over RDMA (its
#             rdma_bc_calls grows) and logged A's answer to CB_LAYOUTRECALL
#             for that fileid; A sees 1 MiB with the first MiB's sha256
#   pnfs-alive the pNFS cluster still runs, no sanitizer report in its logs
#   mds-restart  (issue 17, acceptance 4) the MDS SIGKILLed under the
#             proto=rdma mount and restarted on the same data directory:
#             A's process holds an fcntl lock on a file, has written
#             RESTART_MB1 MiB without fsync, and runs a write loop (256 KiB
#             pwrites, fsync every 1 MiB) when the MDS is killed; it is
#             restarted at once (strata-local mds-kill / mds-start). The
#             loop goes on, writes 2 MiB more and fsyncs without an error;
#             A's rdma transport reconnected (mountstats: still "xprt: rdma",
#             its connect count grew), the new MDS process counts RDMA
#             connections, calls and RDMA-Read WRITE data (strata-stat
#             rdma_conns, rdma_calls, rdma_read_bytes > 0: counted since the
#             restart), its log shows A's client reclaiming its open and its
#             lock on the file and the grace period over with 0 clients
#             left; client B (own UTS namespace, TCP) is refused the lock
#             (F_SETLK EAGAIN) until A releases it, then gets it; after
#             drop_caches the file's sha256 equals what A's process wrote
#   ds-restart  data server 1 of the pNFS cluster SIGKILLed mid-read of a
#             DSR_MB (32) MiB file over the proto=rdma mount and restarted on
#             its data directory at once (kill -KILL, strata-local ds-start):
#             the read finishes without an error with the file's sha256;
#             the MDS sees it back (log "is back"); a new 8 MiB file is
#             written and read back (same sha256) and the restarted data
#             server's own counters show it RDMA-Read and RDMA-wrote >= 2 MiB
#             of it (counted since its restart)
# PHASES (env): run only these of the optional phases (names above, space
# separated; rxe, server and mount always run, pnfs-up when a pNFS phase is
# named); default: all. RESTART_BREAK (env, negative controls by hand, a
# list): mds-nograce (the MDS restarted with --grace 0: no reclaim),
# ds-wipe (the data server restarted on an empty data directory),
# ds-nordma (restarted without --rdma).
# RDMA_SUITES=1 (by hand, run-rdma.sh --suites): instead of the phases above,
# after rxe and server, tests/vm/guest/posix-suite.sh over a proto=rdma mount
# of the MDS (SUITES_ON=mds, default) or of the pNFS cluster (SUITES_ON=pnfs)
# (cthon04 basic/general/special/lock, fsx FSX_OPS (10,000) ops buffered
# and O_DIRECT for each of FSX_SEEDS (4242 90210), a NDIR (5,000) entry
# directory listed exactly, a tar copy compared with diff -r; SUITE_PHASES
# picks some); then the mount's mountstats must show its rdma transport
# (and on pNFS the files layout).
# Prints the rdma xprt line of mountstats before and after each data phase.
set -uo pipefail
source "$VMTEST_HARNESS/guest/lib.sh"
ROOT=${STRATA_ROOT:?}; BUILD=${STRATA_BUILD:-$ROOT/build}
IP=${VMTEST_GUEST_IP:-10.0.2.15}; RPORT=20049
SUITE_FSX_OPS=${FSX_OPS:-10000}; SUITE_NDIR=${NDIR:-5000}  # RDMA_SUITES=1: posix-suite.sh's sizes
BIG_MB=${BIG_MB:-64}; NDIR=${NDIR:-3000}; FSX_OPS=${FSX_OPS:-2000}; FSX_SEED=${FSX_SEED:-4242}
M=/mnt/rdma; SRV=/tmp/srv
PNFS_MB=${PNFS_MB:-32}; PN=/mnt/pnfs; SRV2=/tmp/srv-pnfs; NPDS=${NPDS:-2}
P_TCP=24049; P_RDMA=24449  # the pNFS MDS; data server I: +I each
MB=/mnt/b; MBP=/mnt/bp     # client B's mounts (TCP, its own UTS namespace)
mkdir -p $M $PN $MB $MBP

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
    --rdma --rdma-port $RPORT --no-metrics --lease 20 --grace 20 || return 1
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
  echo "the MDS RDMA-Read $(stat_of $SRV "$IP:2049" rdma_read_bytes) bytes, $(stat_of $SRV "$IP:2049" rdma_read_inplace_bytes) of them straight into the call handed up"
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
# counter NAME of server ADDR:PORT, key of cluster dir DIR (0 if absent)
stat_of() { "$BUILD/tools/strata-stat" --key "$1/cluster.key" "$2" | awk -v n="$3" '$1 == n {v = $2} END {print v + 0}'; }
# mount_b DIR PORT: client B, a second client owner (own UTS hostname), TCP
mount_b() { unshare --uts sh -c "hostname rdma-client-b; mount -t nfs4 -o vers=4.1,proto=tcp,port=$2 $IP:/ $1"; }
ph_deleg() {
  local bc0 bc1 dr got
  echo v1 > $M/t/dl && sync || return 1
  mount_b $MB 2049 || return 1
  bc0=$(stat_of $SRV "$IP:2049" rdma_bc_calls)
  exec 7< $M/t/dl
  read -r got <&7; [ "$got" = v1 ] || { exec 7<&-; echo "A read '$got', not v1"; return 1; }
  echo v2 > $MB/t/dl && sync || { exec 7<&-; echo "B's write failed"; return 1; }
  exec 7<&-
  got=$(cat $M/t/dl)
  bc1=$(stat_of $SRV "$IP:2049" rdma_bc_calls); dr=$(opcount $M DELEGRETURN)
  echo "A reads '$got' after B's write; server callbacks over RDMA $bc0 -> $bc1; A's DELEGRETURN ${dr:-0}"
  umount $MB
  [ "$got" = v2 ] || { echo "A does not see B's write"; return 1; }
  [ "$bc1" -gt "$bc0" ] || { echo "no callback went over RDMA"; return 1; }
  [ "${dr:-0}" -ge 1 ] || { echo "A returned no delegation"; return 1; }
  ! grep 'revoked' $SRV/mds.log || { echo "the server revoked a delegation (recall not answered)"; return 1; }
}
ph_alive() {
  local pid; pid=$(cat $SRV/mds.pid)
  kill -0 "$pid" || { echo "strata-mds died"; return 1; }
  ! grep -E 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error:' $SRV/mds.log
}
# ---- pNFS over RDMA (decision 0029)
# counter NAME of the server whose control port is ADDR:PORT (0 if absent)
pstat() { stat_of $SRV2 "$@"; }
ph_pnfs_up() {
  local i ok=0 want
  "$ROOT/scripts/strata-local" up --dir $SRV2 --build "$BUILD" --listen "$IP" --port $P_TCP \
    --data-servers $NPDS --rdma --rdma-port $P_RDMA --no-metrics --lease 20 --grace 0 || return 1
  # The MDS asks each data server for its RDMA address when it connects
  # (at start, in its keeper thread): wait until it has both.
  for ((t = 0; t < 100 && ok == 0; t++)); do
    ok=1
    for ((i = 1; i <= NPDS; i++)); do
      want="data server $((i - 1)) ($IP:$((P_TCP + i))): RPC-over-RDMA at rdma $IP port $((P_RDMA + i))"
      grep -qF "$want" $SRV2/mds.log || ok=0
    done
    [ $ok = 1 ] || sleep 0.1
  done
  grep -F 'RPC-over-RDMA at' $SRV2/mds.log
  [ $ok = 1 ] || { echo "the MDS did not learn every data server's RDMA address"; return 1; }
}
ph_pnfs_io() {
  local a b size=$((PNFS_MB << 20)) i rs=0 ws=0 mr mw line
  mount -t nfs -o vers=4.1,proto=rdma,port=$P_RDMA "$IP:/" $PN || return 1
  dd if=/dev/urandom of=/tmp/pbig bs=1M count=$PNFS_MB status=none || return 1
  a=$(sha256sum < /tmp/pbig); PNFS_SHA=$a; PNFS_HEAD=$(head -c 1M /tmp/pbig | sha256sum)
  dd if=/tmp/pbig of=$PN/big bs=1M conv=fsync status=none || return 1
  echo 3 > /proc/sys/vm/drop_caches
  b=$(sha256sum < $PN/big)
  echo "sha256 local $a / nfs $b"
  [ "$a" = "$b" ] || { echo "sha256 differs"; return 1; }
  rm -f /tmp/pbig
  line=$(awk -v m=" $PN " '$0 ~ "^device " && index($0, m) {p=1; next} /^device /{p=0} p && /nfsv4:/ {print; exit}' /proc/self/mountstats)
  echo "$line"
  [[ $line == *pnfs=LAYOUT_NFSV4_1_FILES* ]] || { echo "the mount does not use the files layout"; return 1; }
  # The client's own view (mountstats of this mount): its transport to the
  # MDS is rdma, it sent GETDEVICEINFO (only after a layout named the
  # device) and READ/WRITE. LAYOUTGET is counted by the MDS: the 6.1 client
  # puts it into the OPEN compound, which mountstats counts as an OPEN, so
  # its own LAYOUTGET line can say 0 while layouts are in use.
  local mx lg gd cr cw
  mx=$(awk -v m=" $PN " '$0 ~ "^device " && index($0, m) {p=1; next} /^device /{p=0} p && $1 == "xprt:" {print $2; exit}' /proc/self/mountstats)
  gd=$(opcount $PN GETDEVICEINFO); cr=$(opcount $PN READ); cw=$(opcount $PN WRITE)
  lg=$(pstat "$IP:$P_TCP" ops.LAYOUTGET)
  echo "mountstats: MDS transport ${mx:-none}; GETDEVICEINFO ${gd:-0}, LAYOUTGET ${lg} (the MDS's count), READ ${cr:-0}, WRITE ${cw:-0} (to the data servers)"
  awk -v m=" $PN " '$0 ~ "^device " && index($0, m) {p=1} /^device /&&!index($0, m){p=0} p' /proc/self/mountstats > /vmout/mountstats-pnfs.txt
  # Everything measured first, then judged (a failure shows all of it).
  # The client's transports: one rdma xprt to each data server's RDMA port.
  cat /sys/kernel/debug/sunrpc/rpc_xprt/*/info > /vmout/pnfs-xprts.txt 2>&1
  local nx=() r=() w=() nr=() nw=() ip=() bad=0
  for ((i = 1; i <= NPDS; i++)); do
    nx[i]=$(awk -v port=$((P_RDMA + i)) '$1 == "netid:" {n = $2} $1 == "port:" && $2 == port && n == "rdma" {c++} END {print c + 0}' /vmout/pnfs-xprts.txt)
    r[i]=$(pstat "$IP:$((P_TCP + i))" rdma_read_bytes); w[i]=$(pstat "$IP:$((P_TCP + i))" rdma_write_bytes)
    nr[i]=$(pstat "$IP:$((P_TCP + i))" read_bytes); nw[i]=$(pstat "$IP:$((P_TCP + i))" write_bytes)
    ip[i]=$(pstat "$IP:$((P_TCP + i))" rdma_read_inplace_bytes)
    echo "ds$i: client rdma transports to port $((P_RDMA + i)): ${nx[i]}; RDMA Read ${r[i]} bytes (WRITE data; ${ip[i]} of them straight into the call handed up), RDMA Write ${w[i]} bytes (READ data); NFS payload READ ${nr[i]} WRITE ${nw[i]}"
    rs=$((rs + r[i])); ws=$((ws + w[i]))
  done
  mr=$(pstat "$IP:$P_TCP" read_bytes); mw=$(pstat "$IP:$P_TCP" write_bytes)
  echo "data servers: RDMA Read $rs, RDMA Write $ws of $size bytes; MDS served READ $mr, WRITE $mw bytes"
  [ "$mx" = rdma ] || { echo "the mount's transport to the MDS is ${mx:-none}, not rdma"; bad=1; }
  [ "$lg" -ge 1 ] && [ "${gd:-0}" -ge 1 ] || { echo "no LAYOUTGET at the MDS or no GETDEVICEINFO from the client"; bad=1; }
  [ "${cr:-0}" -ge 1 ] && [ "${cw:-0}" -ge 1 ] || { echo "the client counted no READ or no WRITE"; bad=1; }
  local pr=0 pw=0
  for ((i = 1; i <= NPDS; i++)); do pr=$((pr + nr[i])); pw=$((pw + nw[i])); done
  echo "data servers counted NFS payload READ $pr, WRITE $pw of $size bytes"
  [ $((pr * 100)) -ge $((size * 95)) ] && [ $((pw * 100)) -ge $((size * 95)) ] ||
    { echo "the data servers counted less than 95% of the file in READ/WRITE"; bad=1; }
  for ((i = 1; i <= NPDS; i++)); do
    [ "${nx[i]}" -ge 1 ] || { echo "no rdma transport to data server $i"; bad=1; }
    # zero-copy WRITE (decision 0028): a data server answers each call
    # before the next, so a registered message buffer is always free
    [ "${ip[i]}" = "${r[i]}" ] || { echo "ds$i: only ${ip[i]} of ${r[i]} RDMA-Read bytes landed in place (the rest copied)"; bad=1; }
    # each its stripes' share (1/NPDS of the file), 80% of it at least
    [ $((r[i] * NPDS * 10)) -ge $((size * 8)) ] || { echo "ds$i pulled less than 80% of its share of the file by RDMA Read"; bad=1; }
    [ $((w[i] * NPDS * 10)) -ge $((size * 8)) ] || { echo "ds$i pushed less than 80% of its share of the file by RDMA Write"; bad=1; }
  done
  [ $((rs * 100)) -ge $((size * 95)) ] && [ $((ws * 100)) -ge $((size * 95)) ] ||
    { echo "less than 95% of the file moved over RDMA to/from the data servers"; bad=1; }
  [ $((mr * 20)) -lt "$size" ] && [ $((mw * 20)) -lt "$size" ] || { echo "the MDS served file data"; bad=1; }
  return $bad
}
# the bytes all data servers of the pNFS cluster RDMA-wrote so far
ds_rdma_written() {
  local i t=0
  for ((i = 1; i <= NPDS; i++)); do t=$((t + $(pstat "$IP:$((P_TCP + i))" rdma_write_bytes))); done
  echo $t
}
ph_layout_recall() {
  local bc0 bc1 id n sz got w0 w1
  id=$(printf '%x' "$(stat -c %i $PN/big)")
  mount_b $MBP $P_TCP || return 1
  # B, a TCP mount on the same files, reads what A wrote (issue 17,
  # acceptance 5); which transport its data-server connections took is
  # reported (a kernel with rpcrdma loaded may pick the rdma address).
  w0=$(ds_rdma_written)
  got=$(sha256sum < $MBP/big)
  w1=$(ds_rdma_written)
  echo "B's read: the data servers RDMA-wrote $((w1 - w0)) bytes meanwhile"
  cat /sys/kernel/debug/sunrpc/rpc_xprt/*/info > /vmout/pnfs-xprts-b.txt 2>&1
  echo "B (TCP mount) reads sha256 $got; client transports to the data servers now:" \
    $(awk -v lo=$((P_TCP + 1)) -v hi=$((P_RDMA + NPDS)) '$1 == "netid:" {n = $2} $1 == "port:" && $2 >= lo && $2 <= hi && $2 != '$P_RDMA' {print n ":" $2}' /vmout/pnfs-xprts-b.txt | sort | uniq -c | tr '\n' ' ')
  [ "$got" = "$PNFS_SHA" ] || { umount $MBP; echo "B reads other bytes than A wrote"; return 1; }
  bc0=$(stat_of $SRV2 "$IP:$P_TCP" rdma_bc_calls)
  truncate -s 1M $MBP/big || { umount $MBP; echo "B's truncate failed"; return 1; }
  umount $MBP
  # The answer is logged when it arrives: wait for it (5 s at most).
  for ((t = 0; t < 50; t++)); do
    n=$(grep -c "answered CB_LAYOUTRECALL on fileid $id: " $SRV2/mds.log)
    [ "$n" -ge 1 ] && break
    sleep 0.1
  done
  bc1=$(stat_of $SRV2 "$IP:$P_TCP" rdma_bc_calls)
  got=$(sha256sum < $PN/big); sz=$(stat -c %s $PN/big)  # the open revalidates
  echo "fileid $id: callbacks over RDMA $bc0 -> $bc1; answers to CB_LAYOUTRECALL logged: $n; A sees $sz bytes"
  grep "answered CB_LAYOUTRECALL on fileid $id: " $SRV2/mds.log
  [ "$bc1" -gt "$bc0" ] || { echo "no callback went over RDMA"; return 1; }
  [ "$n" -ge 1 ] || { echo "A did not answer a CB_LAYOUTRECALL"; return 1; }
  [ "$sz" = 1048576 ] || { echo "A sees size $sz after the truncate"; return 1; }
  [ "$got" = "$PNFS_HEAD" ] || { echo "A's first MiB changed"; return 1; }
}
ph_pnfs_alive() {
  local i
  "$ROOT/scripts/strata-local" status --dir $SRV2 || return 1
  ! grep -E 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error:' $SRV2/mds.log $SRV2/ds*.log
}

# ---- restarts over RDMA (issue 17, acceptance 4)
cat > /tmp/rdma-restart.py <<'EOF'
import errno, fcntl, hashlib, os, random, sys, time
sys.path.insert(0, os.path.join(os.environ['VMTEST_HARNESS'], 'guest'))
from handshake import mark, wait, pwrite_all
def holder(path, ctl, n1, seed):
    # Lock, write n1 bytes without fsync, then a write loop (256 KiB
    # pwrites, fsync every 1 MiB) that runs until the shell has killed and
    # restarted the server, then 2 MiB more, fsync, read back. Prints
    # (a.done) the size and sha256 of all it wrote.
    chunk, tail, cap = 256 << 10, 2 << 20, 96 << 20
    rnd, h, parts = random.Random(seed), hashlib.sha256(), []
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    fcntl.lockf(fd, fcntl.LOCK_EX)            # F_SETLKW, whole file
    d = rnd.randbytes(n1); pwrite_all(fd, d, 0); h.update(d); off = n1
    mark(ctl, 'a.locked', 'pid %d wrote %d bytes, no fsync' % (os.getpid(), n1))
    i, end, t_killed = 0, None, None
    while end is None or off < end:
        d = rnd.randbytes(chunk); pwrite_all(fd, d, off); h.update(d); off += chunk; i += 1
        time.sleep(0.02)                      # at most ~12 MiB/s: the file stays small
        if i % 4 == 0:
            os.fsync(fd)
            if i == 4: mark(ctl, 'a.mid', 'write loop running, %d bytes written' % off)
        if end is None and (os.path.exists(os.path.join(ctl, 'restarted')) or off >= cap):
            end, t_killed = off + tail, time.monotonic()
            if off >= cap: wait(ctl, 'restarted', 120)
    t1 = time.monotonic(); os.fsync(fd); t2 = time.monotonic()
    st = os.fstat(fd).st_size
    if st != off: raise RuntimeError('size %d after fsync, want %d' % (st, off))
    got = hashlib.sha256()
    for o in range(0, off, 1 << 20): got.update(os.pread(fd, min(1 << 20, off - o), o))
    if got.hexdigest() != h.hexdigest(): raise RuntimeError('read-back differs')
    mark(ctl, 'a.done', '%d %s tail %.2fs last-fsync %.2fs' % (off, h.hexdigest(), t1 - t_killed, t2 - t1))
    wait(ctl, 'release', 300)
    fcntl.lockf(fd, fcntl.LOCK_UN)
    mark(ctl, 'a.released')
    os.close(fd)
def trylock(path):
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES): print('refused (%s)' % errno.errorcode[e.errno]); sys.exit(1)
        raise
    print('granted'); fcntl.lockf(fd, fcntl.LOCK_UN); os.close(fd)
def reader(path, mark_path):
    # Read PATH at most ~10 MiB/s (so a kill lands mid-read); create
    # MARK_PATH once 4 MiB are read; print the bytes and their sha256.
    h, n, marked = hashlib.sha256(), 0, False
    with open(path, 'rb', buffering=0) as f:
        while True:
            b = f.read(1 << 20)
            if not b: break
            h.update(b); n += len(b)
            if n >= 4 << 20 and not marked: open(mark_path, 'w').close(); marked = True
            time.sleep(0.1)
    print(n, h.hexdigest())
def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == 'trylock': trylock(a[0]); return
    if cmd == 'reader': reader(a[0], a[1]); return
    try:
        holder(a[0], a[1], int(a[2]), a[3])
    except Exception as e:
        mark(a[1], 'a.error', repr(e)); print('holder: %r' % (e,), file=sys.stderr); sys.exit(2)
main()
EOF
RESTART_MB1=${RESTART_MB1:-2}; DSR_MB=${DSR_MB:-32}
# wait_ctl FILE SECONDS: until FILE exists; 1 on timeout or a.error
wait_ctl() {
  local end=$((SECONDS + $2))
  until [ -e "$1" ]; do
    [ -e /tmp/mr-ctl/a.error ] && { echo "holder: $(cat /tmp/mr-ctl/a.error)"; return 1; }
    [ $SECONDS -ge $end ] && { echo "timeout (${2}s) waiting for $1"; return 1; }
    sleep 0.1
  done
}
ts() { cut -d' ' -f1 /proc/uptime; }
ph_mds_restart() {
  local ctl=/tmp/mr-ctl f=$M/t/locked id c0 c1 pid0 pid1 tk tu td tg hp r bad=0 conns calls rbytes
  local open_c lock_c sz got want line rc end
  rm -rf $ctl; mkdir -p $ctl
  /usr/bin/python3 /tmp/rdma-restart.py holder $f $ctl $((RESTART_MB1 << 20)) "restart-$VMTEST_UUID" & hp=$!
  wait_ctl $ctl/a.mid 120 || { kill $hp; return 1; }
  echo "holder: $(cut -d' ' -f2- $ctl/a.locked); $(cut -d' ' -f2- $ctl/a.mid)"
  id=$(printf '%x' "$(stat -c %i $f)")
  c0=$(xprt_field 3); pid0=$(cat $SRV/mds.pid)
  tk=$(ts)
  "$ROOT/scripts/strata-local" mds-kill --dir $SRV --index 1 || { kill $hp; return 1; }
  [[ " ${RESTART_BREAK:-} " == *" mds-nograce "* ]] && sed -i 's/--grace 20/--grace 0/' $SRV/mds1.cmd && echo "RESTART_BREAK: restarting with --grace 0"
  "$ROOT/scripts/strata-local" mds-start --dir $SRV --index 1 || { kill $hp; return 1; }
  tu=$(ts); pid1=$(cat $SRV/mds.pid)
  : > $ctl/restarted
  echo "MDS pid $pid0 SIGKILLed, pid $pid1 listening $(echo "$tu - $tk" | bc) s later (same data directory)"
  wait_ctl $ctl/a.done 150 || { kill $hp; bad=1; }
  td=$(ts)
  [ $bad = 0 ] && echo "holder: $(cut -d' ' -f2- $ctl/a.done) (done $(echo "$td - $tu" | bc) s after the restart)"
  # The client's transport: still rdma, reconnected.
  line=$(xprt_line); c1=$(xprt_field 3)
  echo "$line" | tee /vmout/xprt-after-mds-restart.txt
  echo "A's connect count $c0 -> $c1"
  [[ $line == *xprt:*rdma* ]] || { echo "A's mount has no rdma transport after the restart"; bad=1; }
  [ "${c1:-0}" -gt "${c0:-0}" ] || { echo "A's rdma transport did not reconnect"; bad=1; }
  # The new server's own counters (since its start): RDMA connections,
  # calls, and WRITE data pulled by RDMA Read.
  conns=$(stat_of $SRV "$IP:2049" rdma_conns); calls=$(stat_of $SRV "$IP:2049" rdma_calls)
  rbytes=$(stat_of $SRV "$IP:2049" rdma_read_bytes)
  echo "restarted MDS: rdma_conns $conns, rdma_calls $calls, rdma_read_bytes $rbytes"
  [ "$conns" -ge 1 ] && [ "$calls" -gt 0 ] && [ "$rbytes" -gt 0 ] || { echo "the restarted MDS served nothing over RDMA"; bad=1; }
  # Reclaims and the end of grace in the new server's log.
  end=$((SECONDS + 30))
  until grep -q 'grace period over' $SRV/mds.log || [ $SECONDS -ge $end ]; do sleep 0.2; done
  tg=$(ts)
  grep -E 'grace period|reclaim: ' $SRV/mds.log
  open_c=$(sed -n "s/.* msg=\"reclaim: client \([0-9a-f]*\) open fileid $id\"\$/\1/p" $SRV/mds.log | sort -u)
  lock_c=$(sed -n "s/.* msg=\"reclaim: client \([0-9a-f]*\) lock fileid $id\"\$/\1/p" $SRV/mds.log | sort -u)
  echo "fileid $id: open reclaimed by '${open_c}', lock reclaimed by '${lock_c}'; grace over $(echo "$tg - $tu" | bc) s after the restart"
  [ -n "$lock_c" ] && [ "$(echo "$lock_c" | wc -l)" = 1 ] || { echo "want one client reclaiming the lock on fileid $id"; bad=1; }
  [ -n "$lock_c" ] && [ "$lock_c" = "$open_c" ] || { echo "the open of fileid $id was not reclaimed by the lock's client"; bad=1; }
  grep -q 'grace period over (0 client(s) did not reclaim)' $SRV/mds.log || { echo "no 'grace period over (0 client(s) did not reclaim)'"; bad=1; }
  # A second locker: refused while A holds the lock, granted after.
  if mount_b $MB 2049; then
    r=$(/usr/bin/python3 /tmp/rdma-restart.py trylock $MB/t/locked); rc=$?
    echo "B (TCP, another client) while A holds the lock: $r"
    [ $rc = 1 ] || { echo "B was not refused the lock A holds"; bad=1; }
  else echo "mount of B failed"; bad=1; fi
  : > $ctl/release
  wait_ctl $ctl/a.released 60 || bad=1
  r=""; for ((t = 0; t < 10; t++)); do r=$(/usr/bin/python3 /tmp/rdma-restart.py trylock $MB/t/locked) && break; sleep 0.5; done
  echo "B after A's release: $r"
  [ "$r" = granted ] || { echo "B did not get the lock after A released it"; bad=1; }
  umount $MB
  wait $hp || { echo "holder exited $?"; bad=1; }
  # What A's process wrote, read from the server.
  want=$(cut -d' ' -f3 $ctl/a.done 2>/dev/null); sz=$(cut -d' ' -f2 $ctl/a.done 2>/dev/null)
  echo 3 > /proc/sys/vm/drop_caches
  got=$(sha256sum < $f); got=${got%% *}
  echo "after drop_caches: $(stat -c %s $f) bytes sha256 $got; A's process wrote ${sz:-?} bytes sha256 ${want:-?}"
  [ -n "$want" ] && [ "$got" = "$want" ] && [ "$(stat -c %s $f)" = "$sz" ] || { echo "the file is not what A wrote"; bad=1; }
  kill -0 "$pid1" || { echo "the restarted MDS died"; bad=1; }
  ! grep -E 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error:' $SRV/mds.log $SRV/mds.log.prev || bad=1
  cp -r $ctl /vmout/mds-restart-ctl
  rm -rf $f $ctl   # (wait_ctl reads $ctl/a.error)
  return $bad
}
ph_ds_restart() {
  local f=$PN/dsr f2=$PN/dsr-new want got rd rc b0 b1 pid0 pid1 tk tu tb mr0 mr1 r1 w1 nr1 nw1 bad=0 end mid n
  local back="data server 0 ($IP:$((P_TCP + 1))) is back"
  grep -q " $PN " /proc/mounts || mount -t nfs -o vers=4.1,proto=rdma,port=$P_RDMA "$IP:/" $PN || return 1
  head -c $((DSR_MB << 20)) /dev/urandom > /tmp/dsr-src || return 1
  want=$(sha256sum < /tmp/dsr-src); want=${want%% *}
  dd if=/tmp/dsr-src of=$f bs=1M conv=fsync status=none || return 1
  rm -f /tmp/dsr-src
  echo 3 > /proc/sys/vm/drop_caches
  b0=$(grep -cF "$back" $SRV2/mds.log); mr0=$(pstat "$IP:$P_TCP" read_bytes)
  rm -f /tmp/dsr-mark /tmp/dsr-out
  timeout 150 /usr/bin/python3 /tmp/rdma-restart.py reader $f /tmp/dsr-mark > /tmp/dsr-out & rd=$!
  wait_ctl /tmp/dsr-mark 60 || { kill $rd; return 1; }
  pid0=$(cat $SRV2/ds1.pid); tk=$(ts)
  kill -KILL "$pid0"   # the shell's own kill: at once (strata-local ds-kill takes seconds under TCG)
  kill -0 $rd 2>/dev/null && mid="still reading" || mid="ALREADY DONE"
  while kill -0 "$pid0" 2>/dev/null; do sleep 0.05; done
  [[ " ${RESTART_BREAK:-} " == *" ds-wipe "* ]] && rm -rf $SRV2/ds1 && echo "RESTART_BREAK: data server 1's directory wiped"
  [[ " ${RESTART_BREAK:-} " == *" ds-nordma "* ]] && sed -i 's/ --rdma --rdma-port [0-9]*//' $SRV2/ds1.cmd &&
    echo "RESTART_BREAK: data server 1 restarted without --rdma"
  "$ROOT/scripts/strata-local" ds-start --dir $SRV2 --index 1 || { kill $rd; return 1; }
  tu=$(ts); pid1=$(cat $SRV2/ds1.pid)
  echo "data server 1: pid $pid0 SIGKILLed mid-read (reader $mid after 4 MiB), pid $pid1 ready $(echo "$tu - $tk" | bc) s later"
  case $mid in *DONE*) echo "the read was over before the kill"; bad=1;; esac
  wait $rd; rc=$?
  read -r n got < /tmp/dsr-out
  mr1=$(pstat "$IP:$P_TCP" read_bytes)
  echo "reader: rc=$rc, ${n:-?} bytes, sha256 ${got:-?} (want $want), done $(echo "$(ts) - $tu" | bc) s after the restart; READ bytes the MDS served meanwhile: $((mr1 - mr0))"
  [ $rc = 0 ] || { echo "the read failed"; bad=1; }
  [ "$got" = "$want" ] && [ "$n" = $((DSR_MB << 20)) ] || { echo "the read returned other bytes"; bad=1; }
  # The MDS has the data server back (a new device id for new layouts).
  end=$((SECONDS + 30))
  until b1=$(grep -cF "$back" $SRV2/mds.log); [ "$b1" -gt "$b0" ] || [ $SECONDS -ge $end ]; do sleep 0.2; done
  tb=$(ts)
  grep -F "data server 0 ($IP:$((P_TCP + 1)))" $SRV2/mds.log | tail -4
  echo "MDS: '$back' logged $b0 -> $b1 times ($(echo "$tb - $tu" | bc) s after the restart)"
  # The restarted data server serves over RDMA again: a new file through it.
  head -c $((8 << 20)) /dev/urandom > /tmp/dsr-new || return 1
  want=$(sha256sum < /tmp/dsr-new); want=${want%% *}
  dd if=/tmp/dsr-new of=$f2 bs=1M conv=fsync status=none || bad=1
  echo 3 > /proc/sys/vm/drop_caches
  got=$(sha256sum < $f2); got=${got%% *}
  r1=$(pstat "$IP:$((P_TCP + 1))" rdma_read_bytes); w1=$(pstat "$IP:$((P_TCP + 1))" rdma_write_bytes)
  nr1=$(pstat "$IP:$((P_TCP + 1))" read_bytes); nw1=$(pstat "$IP:$((P_TCP + 1))" write_bytes)
  cat /sys/kernel/debug/sunrpc/rpc_xprt/*/info > /vmout/pnfs-xprts-ds-restart.txt 2>&1
  echo "new 8 MiB file: sha256 $got (want $want); restarted data server 1 since its start: RDMA Read $r1, RDMA Write $w1 bytes; NFS READ $nr1, WRITE $nw1"
  [ "$got" = "$want" ] || { echo "the new file reads back other bytes"; bad=1; }
  [ "$r1" -ge $((2 << 20)) ] && [ "$w1" -ge $((2 << 20)) ] || { echo "the restarted data server moved less than 2 MiB each way over RDMA"; bad=1; }
  kill -0 "$pid1" || { echo "the restarted data server died"; bad=1; }
  ! grep -E 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error:' $SRV2/ds1.log $SRV2/ds1.log.prev || bad=1
  rm -f /tmp/dsr-new $f $f2
  return $bad
}

finish() {
  umount $MB $MBP 2>/dev/null
  umount $PN 2>/dev/null
  "$ROOT/scripts/strata-local" down --dir $SRV2 >/dev/null 2>&1
  for f in $SRV2/mds.log $SRV2/ds*.log; do [ -f "$f" ] && cp "$f" /vmout/pnfs-"${f##*/}"; done
  umount $M 2>/dev/null
  "$ROOT/scripts/strata-local" down --dir $SRV >/dev/null 2>&1
  cp $SRV/mds.log /vmout/mds.log 2>/dev/null
  cp $SRV/mds.log.prev /vmout/mds.log.killed 2>/dev/null   # mds-restart: the killed instance
  cp $SRV2/ds1.log.prev /vmout/pnfs-ds1.log.killed 2>/dev/null  # ds-restart
  cat /proc/self/mountstats > /vmout/mountstats.txt 2>/dev/null
}
trap finish EXIT

# PHASES: the optional phases to run (default all)
want() { [ -z "${PHASES:-}" ] || [[ " ${PHASES//,/ } " == *" $1 "* ]]; }
must rxe ph_rxe
must server ph_server
if [ "${RDMA_SUITES:-0}" = 1 ]; then
  # By hand (acceptance 2 over RDMA): the POSIX suites of run-posix.sh
  # through a proto=rdma mount, of the MDS alone (SUITES_ON=mds, default)
  # or of the pNFS cluster (SUITES_ON=pnfs: MDS + 2 data servers, all with
  # --rdma); posix-suite.sh prints its own VMTEST PHASE lines (and mounts,
  # cleans up and unmounts itself).
  sport=$RPORT
  if [ "${SUITES_ON:-mds}" = pnfs ]; then must pnfs-up ph_pnfs_up; sport=$P_RDMA; fi
  NFS_SERVER=$IP NFS_PORT=$sport NFS_EXPORT=/ NFS_OPTS=proto=rdma FSX_OPS=$SUITE_FSX_OPS NDIR=$SUITE_NDIR \
    FSX_SEEDS="${FSX_SEEDS:-4242 90210}" CTHON04_DIR="${CTHON04_DIR:-}" FSX_BIN="${FSX_BIN:-}" \
    PHASES="${SUITE_PHASES:-cthon-basic cthon-general cthon-special cthon-lock fsx-* dir-5000 tar-tree}" \
    bash "$VMTEST_HARNESS/guest/posix-suite.sh" || VMTEST_FAILS+=(posix-suite)
  # the suites' mount was an RDMA one (and, on pNFS, used the files layout
  # with the data servers serving over RDMA)
  phase suites-rdma grep -E 'xprt:[[:space:]]+rdma' /vmout/mountstats-41.txt
  if [ "${SUITES_ON:-mds}" = pnfs ]; then
    phase suites-pnfs grep -q 'pnfs=LAYOUT_NFSV4_1_FILES' /vmout/mountstats-41.txt
    for ((i = 1; i <= NPDS; i++)); do
      echo "ds$i: rdma_read_bytes $(pstat "$IP:$((P_TCP + i))" rdma_read_bytes) rdma_write_bytes $(pstat "$IP:$((P_TCP + i))" rdma_write_bytes)"
    done
    phase pnfs-alive ph_pnfs_alive
  fi
  phase alive ph_alive
  verdict
  exit $?
fi
must mount ph_mount
want bad-input && phase bad-input ph_bad
want big-file && phase big-file ph_big
want dir-list && phase dir-list ph_dir
want fsx && phase fsx ph_fsx
want deleg-recall && phase deleg-recall ph_deleg
want alive && phase alive ph_alive
if want pnfs-io || want layout-recall || want pnfs-alive || want ds-restart; then
  if phase pnfs-up ph_pnfs_up; then
    want pnfs-io && phase pnfs-io ph_pnfs_io && want layout-recall && phase layout-recall ph_layout_recall
    want pnfs-alive && phase pnfs-alive ph_pnfs_alive
  fi
fi
want mds-restart && phase mds-restart ph_mds_restart
if want ds-restart; then
  if "$ROOT/scripts/strata-local" status --dir $SRV2 >/dev/null 2>&1; then phase ds-restart ph_ds_restart
  else echo "ds-restart: the pNFS cluster is not running"; VMTEST_FAILS+=(ds-restart); fi
fi
cat /proc/self/mountstats > /vmout/mountstats.txt
verdict
