#!/bin/bash
# tests/vm/guest/bench-rdma.sh — the NFS-over-RDMA benchmark inside the
# test VM (issue 17, acceptance 7; by hand, not CI). Run by
# tests/vm/bench-rdma.sh; env: STRATA_ROOT, STRATA_BUILD (the Release build
# dir), SIZE_MB (256), RR_SECS (20: seconds per random-read run),
# PROFILE (1: perf profile passes after the measured ones; 0: none),
# PROFILE_MB (32: the file size of the profiled passes), IDLE_SECS (5),
# CASES ("strata pnfs knfsd").
#
# One boot: Soft-RoCE (rdma_rxe on eth0) and rpcrdma, SIZE_MB random bytes
# in /tmp/src, then for each server in turn, all on the guest's address
# and a tmpfs mounted at /bench:
#   strata  strata-mds alone, --rdma (RDMA port 20049)
#   pnfs    strata-mds + 2 strata-ds, all --rdma (pNFS files layout over
#           RDMA; MDS RDMA port 24449, data servers 24450, 24451)
#   knfsd   the kernel's nfsd, a tmpfs export, an RDMA listener on 20050
# mounted with the stock client (vers=4.1,proto=rdma), the workloads:
#   seqwrite  dd of SIZE_MB from /tmp/src, bs=1M, conv=fsync
#   seqread   drop_caches, dd of the file to /tmp/rb, bs=1M; then (not
#             timed) sha256 of /tmp/rb must equal /tmp/src's
#   rand4k-qd1   fio randread bs=4k direct, psync, RR_SECS seconds
#   rand4k-qd16  fio randread bs=4k direct, libaio iodepth 16, RR_SECS s
#   idle      IDLE_SECS with the mount up and no I/O: the servers' own
#             background CPU (a row of its own, not a workload)
# Around each workload: wall time; the servers' CPU (utime+stime of the
# Strata processes from /proc/PID/stat; for knfsd the stime of the nfsd
# kernel threads); the whole guest's busy CPU (/proc/stat: client, server,
# softirq, rxe together); the mount's rdma xprt counters (mountstats);
# Strata's own counters (strata-stat) or knfsd's svc_rdma counters.
# Results: /vmout/results.tsv (one row per case and workload; the host
# driver prints the table), /vmout/counters-*.txt, server logs, the
# connection parameters (credits, inline sizes) in /vmout/params-*.txt.
# With PROFILE=1, after a case's measured runs: perf record (cpu-clock,
# 499 Hz) during one more seqwrite and seqread of a PROFILE_MB file and
# one more rand4k-qd16 run over the big file: of
# the Strata processes with DWARF call graphs (user-space callers of
# memcpy), for knfsd of the whole guest (-a: its work runs in nfsd
# threads, softirq and ib-comp kworkers) to /vmout/perf-CASE-W.data
# (+ /vmout/kallsyms for reports on the host).
set -uo pipefail
source "$VMTEST_HARNESS/guest/lib.sh"
ROOT=${STRATA_ROOT:?}; BUILD=${STRATA_BUILD:-$ROOT/build-release}
IP=${VMTEST_GUEST_IP:-10.0.2.15}
SIZE_MB=${SIZE_MB:-256}; RR_SECS=${RR_SECS:-20}; PROFILE=${PROFILE:-1}
PROFILE_MB=${PROFILE_MB:-32}; IDLE_SECS=${IDLE_SECS:-5}
CASES=${CASES:-strata pnfs knfsd}
M=/mnt/bench; B=/bench; RES=/vmout/results.tsv
HZ=$(getconf CLK_TCK)
mkdir -p $M $B

ts() { date +%s.%N; }
# CPU ticks (utime+stime) of the given pids (fields 14, 15 of stat; the
# part after the comm's ")" starts at field 3)
ticks_of() {
  local t=0 p v
  for p in "$@"; do
    v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
    t=$((t + ${v:-0}))
  done
  echo $t
}
# busy ticks of the whole guest (all but idle and iowait)
guest_busy() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# the rdma xprt line of our mount (Linux 6.1 xprt_rdma_print_stats): after
# "rdma": 1 port, 2 bind, 3 connect, 4 connect_time, 5 idle, 6 sends,
# 7 recvs, 8 bad_xids, 9 req_u, 10 bklog_u, 11 read_chunks,
# 12 write_chunks, 13 reply_chunks, 14 rdma_request_bytes,
# 15 rdma_reply_bytes, ...
xprt_line() { awk -v m=" $M " '$0 ~ "^device " && index($0, m) {p=1; next} /^device /{p=0} p && $1 == "xprt:" {print; exit}' /proc/self/mountstats; }
XF="6 11 12 13 14 15"; XN="sends read_chunks write_chunks reply_chunks rdma_req_bytes rdma_reply_bytes"
xprt_vals() { xprt_line | awk -v f="$XF" '{n = split(f, a, " "); s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") $(a[i] + 2); print s}'; }
# server-side counters, one "name value" a line
srv_counters() {
  local a
  if [ "$CASE" = knfsd ]; then
    for a in /proc/sys/sunrpc/svc_rdma/rdma_stat_*; do echo "${a##*/} $(cat "$a")"; done
  else
    for a in "${STAT_ADDRS[@]}"; do
      "$BUILD/tools/strata-stat" --key "$SDIR/cluster.key" "$a" |
        awk -v s="${a##*:}" '$1 ~ /^(rdma_|read_bytes|write_bytes)/ {print "port" s "." $1, $2}'
    done
  fi
}
# counters_delta FILE0 FILE1: "name delta" for every name that moved
counters_delta() { awk 'NR == FNR {a[$1] = $2; next} ($2 - a[$1]) != 0 {printf "%s=%d ", $1, $2 - a[$1]} END {print ""}' "$1" "$2"; }

# measure WORKLOAD CMD...: run CMD, append a row to RES:
# case workload secs server_ticks guest_busy_ticks bytes ops lat_us xprt...
# (bytes: SIZE_MB MiB for seq*; fio's for rand*: from /tmp/fio.json)
measure() {
  local w=$1; shift
  local t0 t1 s0 s1 g0 g1 x0 x1 rc bytes ops lat
  x0=$(xprt_vals); srv_counters > /tmp/c0
  s0=$(ticks_of "${SPIDS[@]}"); g0=$(guest_busy); t0=$(ts)
  "$@"; rc=$?
  t1=$(ts); g1=$(guest_busy); s1=$(ticks_of "${SPIDS[@]}")
  x1=$(xprt_vals); srv_counters > /tmp/c1
  [ $rc = 0 ] || { echo "$CASE $w: the command failed (rc $rc)"; return 1; }
  if [[ $w == rand* ]]; then
    bytes=$(jq '.jobs[0].read.io_bytes' /tmp/fio.json); ops=$(jq '.jobs[0].read.total_ios' /tmp/fio.json)
    lat=$(jq '.jobs[0].read.lat_ns.mean / 1000' /tmp/fio.json)
  else
    bytes=$((SIZE_MB << 20)); ops=$((SIZE_MB)); lat=0
  fi
  local xd; xd=$(awk -v a="$x0" -v b="$x1" 'BEGIN {n = split(a, x, " "); split(b, y, " "); s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") (y[i] - x[i]); print s}')
  printf '%s\t%s\t%.3f\t%d\t%d\t%s\t%s\t%s\t%s\n' "$CASE" "$w" "$(echo "$t1 - $t0" | bc)" \
    $((s1 - s0)) $((g1 - g0)) "$bytes" "$ops" "$lat" "$xd" >> $RES
  { echo "$CASE $w: mount xprt deltas ($XN): $xd"
    echo "$CASE $w: server counter deltas: $(counters_delta /tmp/c0 /tmp/c1)"; } | tee -a /vmout/counters-$CASE.txt
}

w_write() { dd if=/tmp/src of=$M/f bs=1M conv=fsync status=none; }
w_read() { dd if=$M/f of=/tmp/rb bs=1M status=none; }
w_pwrite() { dd if=/tmp/src of=$M/p bs=1M count="$PROFILE_MB" conv=fsync status=none; }
w_pread() { dd if=$M/p of=/dev/null bs=1M status=none; }
# the servers' CPU with the mount up and nothing to do
idle_cpu() {
  local s0 s1 t0 t1
  s0=$(ticks_of "${SPIDS[@]}"); t0=$(ts)
  sleep "$IDLE_SECS"  # a measuring interval, not a wait for a condition
  s1=$(ticks_of "${SPIDS[@]}"); t1=$(ts)
  printf '%s\tidle\t%.3f\t%d\t0\t0\t0\t0\t\n' "$CASE" "$(echo "$t1 - $t0" | bc)" $((s1 - s0)) >> $RES
}
w_rand() { # IODEPTH ENGINE
  fio --name=rand4k --filename=$M/f --readonly --rw=randread --bs=4k --direct=1 \
    --ioengine="$2" --iodepth="$1" --size=${SIZE_MB}M --runtime="$RR_SECS" --time_based \
    --randrepeat=1 --invalidate=0 --output-format=json --output=/tmp/fio.json
}
check_rb() {
  local got; got=$(sha256sum < /tmp/rb); rm -f /tmp/rb
  echo "$CASE: read back sha256 ${got%% *}, written ${SRC_SHA%% *}"
  [ "$got" = "$SRC_SHA" ]
}

# perf record of the server during CMD: perf_during NAME CMD...
perf_during() {
  local name=$1 pp; shift
  # written in /tmp, then copied: perf mmaps its output, 9p (/vmout) may not
  local f=/tmp/perf-$CASE-$name.data tgt
  if [ "$CASE" = knfsd ]; then tgt=(-a -g); else tgt=(--call-graph dwarf,8192 -p "$(IFS=,; echo "${SPIDS[*]}")"); fi
  rm -f "$f"
  perf record -e cpu-clock -F 499 "${tgt[@]}" -o "$f" > /tmp/perf.out 2>&1 & pp=$!
  # perf writes the file's header once it has attached
  for ((i = 0; i < 300; i++)); do [ -s "$f" ] && break; kill -0 $pp 2>/dev/null || break; sleep 0.1; done
  [ -s "$f" ] || { echo "perf did not start:"; cat /tmp/perf.out; kill -INT $pp 2>/dev/null; wait $pp; return 1; }
  "$@"; local rc=$?
  kill -INT $pp; wait $pp
  cat /tmp/perf.out
  cp "$f" /vmout/ && rm -f "$f"
  return $rc
}

# one case: the server is up (SPIDS, STAT_ADDRS, SDIR set), mount with
# port $1, run the workloads, unmount
run_workloads() {
  local port=$1
  must "$CASE-mount" mount -t nfs -o vers=4.1,proto=rdma,port=$port "$IP:/" $M
  grep " $M " /proc/mounts | tee /vmout/mount-$CASE.txt
  xprt_line >> /vmout/mount-$CASE.txt
  rm -f $M/f
  phase "$CASE-idle" idle_cpu
  phase "$CASE-seqwrite" measure seqwrite w_write
  echo 3 > /proc/sys/vm/drop_caches
  phase "$CASE-seqread" measure seqread w_read
  phase "$CASE-verify" check_rb
  phase "$CASE-rand4k-qd1" measure rand4k-qd1 w_rand 1 psync
  phase "$CASE-rand4k-qd16" measure rand4k-qd16 w_rand 16 libaio
  grep -A 30 "^device .* $M " /proc/self/mountstats | grep -E 'xprt:|READ:|WRITE:|COMMIT:' > /vmout/mountstats-$CASE.txt
  if [ "$PROFILE" = 1 ]; then
    sync
    phase "$CASE-perf-write" perf_during write w_pwrite
    echo 3 > /proc/sys/vm/drop_caches
    phase "$CASE-perf-read" perf_during read w_pread
    # 4 KiB random reads at iodepth 16 over the big file, RR_SECS
    phase "$CASE-perf-rand" perf_during rand w_rand 16 libaio
    rm -f $M/p
  fi
  rm -f $M/f
  umount $M
}

ph_rxe() {
  modprobe rdma_rxe || return 1
  rdma link add rxe0 type rxe netdev eth0 || return 1
  rdma link show | grep -q 'rxe0.*netdev eth0' || return 1
  modprobe rpcrdma || return 1
  mount -t tmpfs -o size=$((SIZE_MB * 2 + 256))m tmpfs $B
}
ph_src() {
  dd if=/dev/urandom of=/tmp/src bs=1M count="$SIZE_MB" status=none || return 1
  SRC_SHA=$(sha256sum < /tmp/src)
}
# the client's RPC-over-RDMA settings
client_params() {
  local f
  for f in /proc/sys/sunrpc/rdma_*; do echo "client ${f##*/} $(cat "$f")"; done
  echo "client nfs max_session_slots $(cat /sys/module/nfs/parameters/max_session_slots 2>/dev/null)"
}

strata_case() { # CASE NDS MDS-TCP MDS-RDMA
  local nds=$2 tcp=$3 rport=$4 i
  CASE=$1; SDIR=$B/$CASE
  ulimit -l unlimited
  local ds=(); [ "$nds" = 0 ] || ds=(--data-servers "$nds")
  must "$CASE-up" "$ROOT/scripts/strata-local" up --dir "$SDIR" --build "$BUILD" --listen "$IP" \
    --port "$tcp" ${ds[@]+"${ds[@]}"} --rdma --rdma-port "$rport" --no-metrics --lease 20 --grace 0
  SPIDS=("$(cat "$SDIR/mds.pid")"); STAT_ADDRS=("$IP:$tcp")
  for ((i = 1; i <= nds; i++)); do
    SPIDS+=("$(cat "$SDIR/ds$i.pid")"); STAT_ADDRS+=("$IP:$((tcp + i))")
    # the MDS learns each data server's RDMA address over the control
    # protocol; the layouts name it only then
    local want="RPC-over-RDMA at rdma $IP port $((rport + i))" t
    for ((t = 0; t < 200; t++)); do grep -qF "$want" "$SDIR/mds.log" && break; sleep 0.1; done
    grep -F "$want" "$SDIR/mds.log" || { echo "MDS did not learn data server $i's RDMA address"; return 1; }
  done
  echo "$CASE: server pids ${SPIDS[*]}"
  run_workloads "$rport"
  grep -h 'rdma .*connection [0-9]*: inline' "$SDIR"/*.log > /vmout/params-$CASE.txt
  client_params >> /vmout/params-$CASE.txt
  "$ROOT/scripts/strata-local" down --dir "$SDIR" > /dev/null
  for f in "$SDIR"/*.log; do cp "$f" "/vmout/$CASE-${f##*/}"; done
  rm -rf "$SDIR"
}

knfsd_case() {
  local rport=20050 t
  CASE=knfsd
  modprobe -a nfsd || return 1
  mountpoint -q /proc/fs/nfsd || mount -t nfsd nfsd /proc/fs/nfsd || return 1
  mkdir -p $B/knfsd /var/lib/nfs/v4recovery /run/rpc_pipefs
  mountpoint -q /run/rpc_pipefs || mount -t rpc_pipefs rpc_pipefs /run/rpc_pipefs
  : > /var/lib/nfs/etab; : > /var/lib/nfs/rmtab
  # a root export; sync: the default, a WRITE or COMMIT that asks for
  # stable data gets it (on tmpfs either way the data is in memory)
  echo "$B/knfsd *(rw,fsid=0,no_root_squash,insecure,no_subtree_check,sync)" > /etc/exports
  # lease and grace are only settable before nfsd starts
  echo 10 > /proc/fs/nfsd/nfsv4leasetime; echo 10 > /proc/fs/nfsd/nfsv4gracetime
  exportfs -ra || return 1
  rpc.mountd -N 3 --no-udp || return 1
  # 8 threads (the Debian default); TCP on 2049 plus an RDMA listener
  rpc.nfsd -N 3 --no-udp --port 2049 --rdma=$rport 8 || return 1
  grep -q "rdma $rport" /proc/fs/nfsd/portlist || echo "rdma $rport" > /proc/fs/nfsd/portlist
  cat /proc/fs/nfsd/portlist
  echo Y > /proc/fs/nfsd/v4_end_grace 2>/dev/null || true
  SPIDS=(); for t in $(pgrep -x nfsd); do SPIDS+=("$t"); done
  echo "knfsd: ${#SPIDS[@]} nfsd threads: ${SPIDS[*]}"
  [ ${#SPIDS[@]} -gt 0 ] || return 1
  SDIR=""; STAT_ADDRS=()
  run_workloads $rport
  { for f in /proc/sys/sunrpc/svc_rdma/max_*; do echo "knfsd ${f##*/} $(cat "$f")"; done
    client_params; } > /vmout/params-knfsd.txt
  rpc.nfsd 0; exportfs -ua
  dmesg | grep -iE 'rpcrdma|svcrdma' | tail -20 > /vmout/dmesg-rdma.txt
  return 0  # (the grep above finds nothing when the kernel logged nothing)
}

finish() {
  umount $M 2>/dev/null
  for d in $B/strata $B/pnfs; do [ -d $d ] && "$ROOT/scripts/strata-local" down --dir $d > /dev/null 2>&1; done
  cat /proc/self/mountstats > /vmout/mountstats.txt 2>/dev/null
}
trap finish EXIT

: > $RES
{ echo "kernel $(uname -r)"; echo "cpus $(nproc)"; grep MemTotal /proc/meminfo; echo "clk_tck $HZ";
  echo "size_mb $SIZE_MB"; echo "rr_secs $RR_SECS"; } > /vmout/guest-info.txt
must rxe ph_rxe
must src ph_src
[ "$PROFILE" = 1 ] && cat /proc/kallsyms > /vmout/kallsyms
for c in $CASES; do
  case $c in
    strata) phase strata-case strata_case strata 0 2049 20049;;
    pnfs) phase pnfs-case strata_case pnfs 2 24049 24449;;
    knfsd) phase knfsd-case knfsd_case;;
    *) echo "unknown case $c"; VMTEST_FAILS+=("$c");;
  esac
  umount $M 2>/dev/null
done
verdict
