#!/bin/bash
# tests/vm/run-pnfs.sh [--port P] [--out DIR] [--build BUILD] [--file-mb N]
#                      [--timeout S] [--env K=V]... [--quiet]
#
# pNFS striping with the stock Linux 6.1 client in a qemu VM (pNFS issue,
# item 1; guest side: tests/vm/guest/pnfs-test.sh). Starts its own Strata:
#   strata-local up --dir OUT/cluster --port P --data-servers 3
#     --ds-advertise 10.0.2.101:2049,10.0.2.102:2049,10.0.2.103:2049 --lease 20 --grace 0
# i.e. an MDS on 127.0.0.1:P and data servers on 127.0.0.1:P+1..P+3 that the
# MDS advertises (GETDEVICEINFO) as 10.0.2.101-103:2049; the VM reaches the MDS
# as 10.0.2.100:P and each data server at its advertised address (run.sh
# --fwd 10.0.2.10I:2049:P+I). The guest writes a FILE_MB (256) MiB random file
# (dd conv=fsync), drops caches and reads it back (same sha256) while tcpdump
# captures the NFS traffic; it checks mountstats (files layout driver,
# GETDEVICEINFO > 0) and, with tests/vm/pcap_bytes.py, that >= 95% of the
# TCP payload bytes went to or came from the data servers, each within +-20%
# of their mean. Here, while the file exists (guest handshake /vmout/written
# -> OUT/checked): the MDS's data store (OUT/cluster/data/data) holds no file
# with bytes, the data servers' dirs hold at least the file's size. After the
# VM: counters from build/tools/strata-stat when it is built (LAYOUTGET and
# GETDEVICEINFO on the MDS, no WRITE bytes on the MDS, the data servers wrote
# and read at least the file's size), every server still running, the MDS's
# data store still empty, no sanitizer report in the logs.
#
#   --port P       MDS port (default 20740); data servers on P+1, P+2, P+3
#   --out DIR      artefacts (default /tmp/strata-pnfs-<time>): console.log,
#                  cluster/ (the servers' data and logs), pcap-summary.txt,
#                  pcap-bytes.tsv, mountstats.txt, mountstats-pnfs.txt,
#                  tcpdump.txt, timings.tsv, host-check.txt, stat-mds.txt,
#                  stat-ds1..3.txt, pnfs.pcap (when the pcap check fails)
#   --build BUILD  build dir with nfsd/strata-mds, nfsd/strata-ds and
#                  tools/strata-stat (default: strata-local's, i.e. build/)
#   --file-mb N    size of the file (default 256)
#   --timeout S    whole-VM limit (default 900)
#   --env K=V      to the guest (MIN_DS_SHARE, BALANCE, KEEP_PCAP=1, ...)
#   --quiet        do not echo the guest console
# Exit: 0 pass, 1 fail, 2 no result from the VM, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT=20740; OUT=""; BUILD=""; FILE_MB=256; TIMEOUT=900; ENVS=(); QUIET=()
NDS=3
usage() { sed -n '2,37p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --build) BUILD=$2; shift 2;;
    --file-mb) FILE_MB=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --env) ENVS+=(--env "$2"); shift 2;;
    --quiet) QUIET=(--quiet); shift;;
    -h|--help) usage;;
    *) echo "run-pnfs: unknown argument $1" >&2; usage;;
  esac
done
[[ $PORT =~ ^[0-9]+$ && $FILE_MB =~ ^[1-9][0-9]*$ && $TIMEOUT =~ ^[0-9]+$ ]] || usage
[ $((PORT + NDS)) -le 65535 ] || usage
SIZE=$((FILE_MB * 1048576))
LOCAL=("$ROOT/scripts/strata-local")
if [ -n "$BUILD" ]; then
  [ -d "$BUILD" ] || { echo "run-pnfs: no build dir $BUILD" >&2; exit 3; }
  BUILD=$(cd "$BUILD" && pwd); BUILD_DIR=$BUILD
else
  BUILD_DIR=${STRATA_BUILD:-$ROOT/build}
fi
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
[ -n "$OUT" ] || OUT=/tmp/strata-pnfs-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
CL=$OUT/cluster
KEY=$CL/cluster.key
MDSDATA=$CL/data/data
DSIPS=(10.0.2.101 10.0.2.102 10.0.2.103)
ADV=$(printf '%s:2049,' "${DSIPS[@]}"); ADV=${ADV%,}
rm -f "$OUT"/{written,checked,.checked,abort,.abort,pcap-summary.txt,pcap-bytes.tsv,mountstats.txt,mountstats-pnfs.txt} \
      "$OUT"/{tcpdump.txt,timings.tsv,pnfs.pcap,host-check.txt,stat-mds.txt} "$OUT"/stat-ds*.txt

if [ ! -f "$CACHE/env" ]; then
  echo "run-pnfs: preparing VM cache $CACHE"
  "$HERE/prepare.sh" "$CACHE" || { echo "run-pnfs: prepare.sh failed" >&2; exit 3; }
fi
if [ -d "$CL" ]; then
  "${LOCAL[@]}" status --dir "$CL" >/dev/null 2>&1; st=$?
  if [ $st = 0 ] || [ $st = 3 ]; then
    echo "run-pnfs: servers are still running in $CL; stop them first ($ROOT/scripts/strata-local down --dir $CL)" >&2; exit 3
  fi
fi
for ((i = 0; i <= NDS; i++)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$((PORT + i))") 2>/dev/null; then
    echo "run-pnfs: something already listens on 127.0.0.1:$((PORT + i))" >&2; exit 3
  fi
done

STARTED=0; VMPID=""
cleanup() {
  # only what this script started: the cluster in $CL (strata-local stops the
  # PIDs in its pid files, which are ours) and its run.sh
  if [ $STARTED = 1 ]; then "${LOCAL[@]}" down --dir "$CL" >/dev/null 2>&1; fi
  if [ -n "$VMPID" ] && kill -0 "$VMPID" 2>/dev/null; then echo "run-pnfs: aborting" > "$OUT/abort"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }
wait_for() {  # wait_for SECONDS CMD...: poll CMD every 0.2 s while the VM runs
  local end; end=$(( SECONDS + $1 )); shift
  until "$@"; do
    alive "$VMPID" || return 1
    [ $SECONDS -ge $end ] && return 1
    sleep 0.2
  done
}
FAILS=()
hfail() { echo "run-pnfs: FAIL: $*"; FAILS+=("$*"); }

# mds_store_files: files with bytes in the MDS's data store ("path size blocks")
mds_store_files() { [ -d "$MDSDATA" ] && find "$MDSDATA" -type f -size +0c -printf '%p %s bytes, %b blocks\n'; }
# ds_bytes I: bytes allocated to files in data server I's data dir
ds_bytes() { find "$CL/ds$1" -type f -printf '%b\n' 2>/dev/null | awk '{s += $1 * 512} END {printf "%d\n", s}'; }

host_check() {   # with the guest's file on the server; writes OUT/checked (first line ok/FAIL)
  local f total=0 b parts=() res=ok msgs=()
  f=$(mds_store_files)
  if [ -n "$f" ]; then
    res=FAIL; msgs+=("the MDS's data store holds file bytes: $(echo "$f" | head -5 | tr '\n' ';')")
  else
    msgs+=("the MDS's data store holds no file bytes$([ -d "$MDSDATA" ] || echo " (there is no $MDSDATA)")")
  fi
  for ((i = 1; i <= NDS; i++)); do
    b=$(ds_bytes "$i"); total=$((total + b)); parts+=("ds$i $b")
    [ "$b" -gt 0 ] || { res=FAIL; msgs+=("data server $i holds no file bytes"); }
  done
  msgs+=("the data servers hold $total bytes in files (${parts[*]}); the file has $SIZE")
  [ "$total" -ge "$SIZE" ] || { res=FAIL; msgs+=("the data servers hold less than the file's size"); }
  { echo "$res (file on the server: $(cat "$OUT/written"))"; printf '%s\n' "${msgs[@]}"; } > "$OUT/host-check.txt"
  tail -n +2 "$OUT/host-check.txt" | sed 's/^/run-pnfs: host check: /'
  [ $res = ok ] || hfail "host check while the file exists (details in $OUT/host-check.txt)"
  cp "$OUT/host-check.txt" "$OUT/.checked"; mv "$OUT/.checked" "$OUT/checked"
}

# ---- the cluster
rm -rf "$CL"
UPARGS=(up --dir "$CL" --port "$PORT" --data-servers "$NDS" --ds-advertise "$ADV" --lease 20 --grace 0)
[ -n "$BUILD" ] && UPARGS+=(--build "$BUILD")
STARTED=1
if ! "${LOCAL[@]}" "${UPARGS[@]}" > "$OUT/strata-local.out" 2>&1; then
  cat "$OUT/strata-local.out" >&2; echo "run-pnfs: the cluster did not start" >&2; exit 3
fi
sed 's/^/run-pnfs: /' "$OUT/strata-local.out"

# ---- the VM
FWDS=()
for ((i = 1; i <= NDS; i++)); do FWDS+=(--fwd "${DSIPS[i-1]}:2049:$((PORT + i))"); done
T0=$(date +%s)
"$HERE/run.sh" --cache "$CACHE" --port "$PORT" "${FWDS[@]}" --timeout "$TIMEOUT" --out "$OUT" "${QUIET[@]}" \
  --env "NFS_PORT=$PORT" --env "FILE_MB=$FILE_MB" --env "HOST_CHECK=1" \
  --env "DS_ADDRS=$(printf '%s:2049 ' "${DSIPS[@]}")" "${ENVS[@]}" "$HERE/guest/pnfs-test.sh" &
VMPID=$!
if wait_for "$TIMEOUT" test -e "$OUT/written"; then
  echo "run-pnfs: guest wrote $(cat "$OUT/written")"
  host_check
fi
wait "$VMPID"; RC=$?; VMPID=""
echo "run-pnfs: VM done after $(( $(date +%s) - T0 )) s (run.sh rc=$RC)"
[ -e "$OUT/written" ] || echo "run-pnfs: the guest did not get as far as the host check"

# ---- the servers' side
STAT=$BUILD_DIR/tools/strata-stat
cget() { awk -v n="$2" '$1 == n {print $2; exit}' "$1"; }
if [ -x "$STAT" ]; then
  ok=1
  "$STAT" --key "$KEY" "127.0.0.1:$PORT" > "$OUT/stat-mds.txt" 2>&1 || { hfail "strata-stat on the MDS failed: $(tail -1 "$OUT/stat-mds.txt")"; ok=0; }
  for ((i = 1; i <= NDS; i++)); do
    "$STAT" --key "$KEY" "127.0.0.1:$((PORT + i))" > "$OUT/stat-ds$i.txt" 2>&1 || { hfail "strata-stat on ds$i failed: $(tail -1 "$OUT/stat-ds$i.txt")"; ok=0; }
  done
  echo "--- counters (strata-stat)"
  for f in "$OUT/stat-mds.txt" "$OUT"/stat-ds*.txt; do
    echo "  $(basename "$f" .txt | sed 's/^stat-//'): $(grep -E '^(ops\.(LAYOUTGET|GETDEVICEINFO|LAYOUTRETURN|LAYOUTCOMMIT|READ|WRITE|COMMIT)|read_bytes|write_bytes) ' "$f" | tr '\n' ' ')"
  done
  if [ $ok = 1 ] && [ -e "$OUT/written" ]; then
    [ "$(cget "$OUT/stat-mds.txt" ops.LAYOUTGET)" -gt 0 ] 2>/dev/null || hfail "MDS counter ops.LAYOUTGET is not > 0"
    [ "$(cget "$OUT/stat-mds.txt" ops.GETDEVICEINFO)" -gt 0 ] 2>/dev/null || hfail "MDS counter ops.GETDEVICEINFO is not > 0"
    w=$(cget "$OUT/stat-mds.txt" write_bytes)
    [ -z "$w" ] || [ "$w" = 0 ] || hfail "MDS counter write_bytes = $w: file data went through the MDS"
    wsum=0; rsum=0
    for ((i = 1; i <= NDS; i++)); do
      w=$(cget "$OUT/stat-ds$i.txt" write_bytes); r=$(cget "$OUT/stat-ds$i.txt" read_bytes)
      [[ $w =~ ^[0-9]+$ && $r =~ ^[0-9]+$ ]] || { hfail "ds$i: no write_bytes/read_bytes counters"; continue; }
      [ "$w" -gt 0 ] || hfail "ds$i wrote no bytes"
      [ "$r" -gt 0 ] || hfail "ds$i read no bytes"
      wsum=$((wsum + w)); rsum=$((rsum + r))
    done
    echo "  data servers: write_bytes $wsum, read_bytes $rsum (file $SIZE)"
    [ $wsum -ge $SIZE ] || hfail "the data servers wrote $wsum bytes < the file's $SIZE"
    [ $rsum -ge $SIZE ] || hfail "the data servers read $rsum bytes < the file's $SIZE"
  fi
else
  echo "run-pnfs: $STAT not built: no server counters"
fi
"${LOCAL[@]}" status --dir "$CL" > "$OUT/status.txt" 2>&1 || hfail "not every server is running at the end: $(tr '\n' ' ' < "$OUT/status.txt")"
"${LOCAL[@]}" down --dir "$CL" >/dev/null 2>&1; STARTED=0
f=$(mds_store_files)
[ -z "$f" ] || hfail "after the run the MDS's data store holds file bytes: $(echo "$f" | head -5 | tr '\n' ';')"
s=$(grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$CL/mds.log" "$CL"/ds*.log 2>/dev/null)
[ -z "$s" ] || hfail "sanitizer report in $(echo "$s" | tr '\n' ' ')"

# ---- summary
echo
echo "=== pNFS test: MDS 127.0.0.1:$PORT, data servers 127.0.0.1:$((PORT + 1))-$((PORT + NDS)) as ${ADV//,/ }; out $OUT"
grep -a '^VMTEST PHASE \|^TIMING \|^mountstats \|^ASSERT\|^WARNING' "$OUT/console.log" 2>/dev/null | tr -d '\r' | sed 's/^VMTEST /  /; s/^/  /'
[ -s "$OUT/pcap-summary.txt" ] && sed 's/^/  /' "$OUT/pcap-summary.txt"
[ -s "$OUT/host-check.txt" ] && tail -n +2 "$OUT/host-check.txt" | sed 's/^/  host: /'
if [ $RC = 0 ] && [ ${#FAILS[@]} = 0 ]; then echo "run-pnfs: PASS"; exit 0; fi
if [ $RC -ge 2 ]; then echo "run-pnfs: NO RESULT (run.sh rc=$RC; see $OUT/console.log)"; exit 2; fi
echo "run-pnfs: FAIL (guest rc=$RC; host checks failed: ${#FAILS[@]})"
for x in "${FAILS[@]}"; do echo "  host: $x"; done
exit 1
