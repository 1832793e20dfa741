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
#             up --data-servers 2 --rdma (MDS TCP 24049 / RDMA 24449, data
#             server I on TCP 24049+I / RDMA 24449+I, all on the guest's
#             address); the MDS logs each data server's RDMA address,
#             learnt over the control protocol (CTL_TRANSPORTS)
#   pnfs-io   mount -o vers=4.1,proto=rdma,port=24449; PNFS_MB MiB written
#             and read back after drop_caches with equal sha256; the
#             files layout in use; the client's transports (debugfs
#             sunrpc/rpc_xprt) include an rdma one to each data server's
#             RDMA port; each data server's own counters (strata-stat)
#             show it RDMA-Read >= 40% of the file (the WRITE data) and
#             RDMA-wrote >= 40% of it (the READ data), together >= 95%
#             each way; the MDS served < 5% of the bytes. With GETDEVICEINFO
#             listing only tcp this phase fails (the data servers count 0
#             RDMA bytes and the client has no rdma transport to them).
#   layout-recall  CB_LAYOUTRECALL over RDMA: B (own UTS namespace, TCP
#             mount of the pNFS MDS) reads the file A wrote (same sha256;
#             the transports B's data-server connections took are
#             reported), then truncates it to 1 MiB; the MDS sent a callback over RDMA (its
#             rdma_bc_calls grows) and logged A's answer to CB_LAYOUTRECALL
#             for that fileid; A sees 1 MiB with the first MiB's sha256
#   pnfs-alive the pNFS cluster still runs, no sanitizer report in its logs
# Prints the rdma xprt line of mountstats before and after each data phase.
set -uo pipefail
source "$VMTEST_HARNESS/guest/lib.sh"
ROOT=${STRATA_ROOT:?}; BUILD=${STRATA_BUILD:-$ROOT/build}
IP=${VMTEST_GUEST_IP:-10.0.2.15}; RPORT=20049
BIG_MB=${BIG_MB:-64}; NDIR=${NDIR:-3000}; FSX_OPS=${FSX_OPS:-2000}; FSX_SEED=${FSX_SEED:-4242}
M=/mnt/rdma; SRV=/tmp/srv
PNFS_MB=${PNFS_MB:-32}; PN=/mnt/pnfs; SRV2=/tmp/srv-pnfs; NPDS=2
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
  # Everything measured first, then judged (a failure shows all of it).
  # The client's transports: one rdma xprt to each data server's RDMA port.
  cat /sys/kernel/debug/sunrpc/rpc_xprt/*/info > /vmout/pnfs-xprts.txt 2>&1
  local nx=() r=() w=() nr=() nw=() bad=0
  for ((i = 1; i <= NPDS; i++)); do
    nx[i]=$(awk -v port=$((P_RDMA + i)) '$1 == "netid:" {n = $2} $1 == "port:" && $2 == port && n == "rdma" {c++} END {print c + 0}' /vmout/pnfs-xprts.txt)
    r[i]=$(pstat "$IP:$((P_TCP + i))" rdma_read_bytes); w[i]=$(pstat "$IP:$((P_TCP + i))" rdma_write_bytes)
    nr[i]=$(pstat "$IP:$((P_TCP + i))" read_bytes); nw[i]=$(pstat "$IP:$((P_TCP + i))" write_bytes)
    echo "ds$i: client rdma transports to port $((P_RDMA + i)): ${nx[i]}; RDMA Read ${r[i]} bytes (WRITE data), RDMA Write ${w[i]} bytes (READ data); NFS payload READ ${nr[i]} WRITE ${nw[i]}"
    rs=$((rs + r[i])); ws=$((ws + w[i]))
  done
  mr=$(pstat "$IP:$P_TCP" read_bytes); mw=$(pstat "$IP:$P_TCP" write_bytes)
  echo "data servers: RDMA Read $rs, RDMA Write $ws of $size bytes; MDS served READ $mr, WRITE $mw bytes"
  for ((i = 1; i <= NPDS; i++)); do
    [ "${nx[i]}" -ge 1 ] || { echo "no rdma transport to data server $i"; bad=1; }
    [ $((r[i] * 10)) -ge $((size * 4)) ] || { echo "ds$i pulled less than 40% of the file by RDMA Read"; bad=1; }
    [ $((w[i] * 10)) -ge $((size * 4)) ] || { echo "ds$i pushed less than 40% of the file by RDMA Write"; bad=1; }
  done
  [ $((rs * 100)) -ge $((size * 95)) ] && [ $((ws * 100)) -ge $((size * 95)) ] ||
    { echo "less than 95% of the file moved over RDMA to/from the data servers"; bad=1; }
  [ $((mr * 20)) -lt "$size" ] && [ $((mw * 20)) -lt "$size" ] || { echo "the MDS served file data"; bad=1; }
  return $bad
}
ph_layout_recall() {
  local bc0 bc1 id n sz got w0 w1
  id=$(printf '%x' "$(stat -c %i $PN/big)")
  mount_b $MBP $P_TCP || return 1
  # B, a TCP mount on the same files, reads what A wrote (issue 17,
  # acceptance 5); which transport its data-server connections took is
  # reported (a kernel with rpcrdma loaded may pick the rdma address).
  w0=$(( $(pstat "$IP:$((P_TCP + 1))" rdma_write_bytes) + $(pstat "$IP:$((P_TCP + 2))" rdma_write_bytes) ))
  got=$(sha256sum < $MBP/big)
  w1=$(( $(pstat "$IP:$((P_TCP + 1))" rdma_write_bytes) + $(pstat "$IP:$((P_TCP + 2))" rdma_write_bytes) ))
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

finish() {
  umount $MB $MBP 2>/dev/null
  umount $PN 2>/dev/null
  "$ROOT/scripts/strata-local" down --dir $SRV2 >/dev/null 2>&1
  for f in $SRV2/mds.log $SRV2/ds*.log; do [ -f "$f" ] && cp "$f" /vmout/pnfs-"${f##*/}"; done
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
phase deleg-recall ph_deleg
phase alive ph_alive
phase pnfs-up ph_pnfs_up && phase pnfs-io ph_pnfs_io && phase layout-recall ph_layout_recall
phase pnfs-alive ph_pnfs_alive
cat /proc/self/mountstats > /vmout/mountstats.txt
verdict
