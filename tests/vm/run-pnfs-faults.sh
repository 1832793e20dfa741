#!/bin/bash
# tests/vm/run-pnfs-faults.sh [--port P] [--out DIR] [--build BUILD]
#                             [--timeout S] [--phases LIST] [--log-level L]
#                             [--quiet]
#
# Layout recall with two stock Linux clients and a data server killed
# mid-read (pNFS issue, items 2 and 3; guest side and the phases:
# tests/vm/guest/pnfs-faults-test.sh). Starts its own Strata:
#   strata-local up --dir OUT/cluster --port P --data-servers 3
#     --ds-advertise 10.0.2.101:2049,10.0.2.102:2049,10.0.2.103:2049 --lease 20 --grace 0
# The VM reaches the MDS as 10.0.2.100:P (client A) and 10.0.2.104:P
# (client B), data server I as 10.0.2.10I:2049.
#
# While the VM runs, this script answers the guest's requests (/vmout/req.N
# -> /vmout/ack.N, first word ok or FAIL):
#   ds-kill I          strata-local ds-kill (SIGKILL); remembers the MDS's
#                      READ count at that moment
#   ds-start I         strata-local ds-start
#   await-mds-read S   waits up to S s until the MDS's ops.READ counter
#                      (strata-stat) exceeds the one at ds-kill, i.e. the
#                      client fell back to MDS I/O; answers the seconds
#   ds-counter I NAME  the counter NAME of data server I (strata-stat)
#   objects FILEID     "COUNT BYTES": stripe objects of FILEID (16 hex
#                      digits) on all data servers
#   objects-gone ID    waits up to 60 s until no data server holds a stripe
#                      object of ID
#   lose-objects I     data server I loses its disk's stripe objects (its
#                      store identity stays): SIGKILL, the objects deleted,
#                      started again; answers once the MDS has accepted it
#   holders FILEID     the data servers (1..N) whose stripe object of FILEID
#                      holds bytes
#   recalls FILEID     "N (STATUSES)": how many times the MDS logged a
#                      client's answer NFS4_OK (0) or NFS4ERR_NOMATCHING_LAYOUT
#                      (10060) to a CB_LAYOUTRECALL for FILEID; both mean the
#                      client gave the layout up
#   clients            `strata --dir CLUSTER clients` (issue 14): answers
#                      "OPENS/LOCKS/OWNER ..." per client (spaces in the
#                      owner as _); the table and JSON land in OUT/clients.*
# After the VM: every server is running, no sanitizer report in the logs.
#
#   --port P       MDS port (default 20760); data servers on P+1..P+3
#   --out DIR      artefacts (default /tmp/strata-pnfs-faults-<time>)
#   --build BUILD  build dir with strata-mds, strata-ds, strata-stat
#                  (default: strata-local's, i.e. build/)
#   --timeout S    whole-VM limit (default 900)
#   --phases LIST  guest test phases (default "clients truncate remove ds-kill-read
#                  ds-lost")
#   --log-level L  the servers' log level (debug shows layout grants/returns)
#   --quiet        do not echo the guest console
# Exit: 0 pass, 1 fail, 2 no result from the VM, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT=20760; OUT=""; BUILD=""; TIMEOUT=900; QUIET=(); PHASES=""; LOGLEVEL=()
NDS=3 B_IP=10.0.2.104
usage() { sed -n '2,41p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --build) BUILD=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --quiet) QUIET=(--quiet); shift;;
    --phases) PHASES=$2; shift 2;;
    --log-level) LOGLEVEL=(--log-level "$2"); shift 2;;
    -h|--help) usage;;
    *) echo "run-pnfs-faults: unknown argument $1" >&2; usage;;
  esac
done
[[ $PORT =~ ^[0-9]+$ && $TIMEOUT =~ ^[0-9]+$ ]] && [ $((PORT + NDS)) -le 65535 ] || usage
LOCAL=("$ROOT/scripts/strata-local")
if [ -n "$BUILD" ]; then
  [ -d "$BUILD" ] || { echo "run-pnfs-faults: no build dir $BUILD" >&2; exit 3; }
  BUILD=$(cd "$BUILD" && pwd); BUILD_DIR=$BUILD
else
  BUILD_DIR=${STRATA_BUILD:-$ROOT/build}
fi
STAT=$BUILD_DIR/tools/strata-stat
STRATA_CLI=$BUILD_DIR/tools/strata
[ -x "$STAT" ] || { echo "run-pnfs-faults: $STAT is not built" >&2; exit 3; }
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
[ -n "$OUT" ] || OUT=/tmp/strata-pnfs-faults-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
CL=$OUT/cluster KEY=$OUT/cluster/cluster.key
DSIPS=(10.0.2.101 10.0.2.102 10.0.2.103)
ADV=$(printf '%s:2049,' "${DSIPS[@]}"); ADV=${ADV%,}
rm -f "$OUT"/req.* "$OUT"/ack.* "$OUT"/.req.* "$OUT"/.ack.* "$OUT"/requests.log

[ -f "$CACHE/env" ] || "$HERE/prepare.sh" "$CACHE" || { echo "run-pnfs-faults: prepare.sh failed" >&2; exit 3; }
if [ -d "$CL" ]; then
  "${LOCAL[@]}" status --dir "$CL" >/dev/null 2>&1; st=$?
  if [ $st = 0 ] || [ $st = 3 ]; then
    echo "run-pnfs-faults: servers are still running in $CL; stop them first" >&2; exit 3
  fi
fi
for ((i = 0; i <= NDS; i++)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$((PORT + i))") 2>/dev/null; then
    echo "run-pnfs-faults: something already listens on 127.0.0.1:$((PORT + i))" >&2; exit 3
  fi
done

STARTED=0; VMPID=""
cleanup() {
  # only what this script started: the cluster in $CL (by its pid files)
  if [ $STARTED = 1 ]; then "${LOCAL[@]}" down --dir "$CL" >/dev/null 2>&1; fi
  if [ -n "$VMPID" ] && kill -0 "$VMPID" 2>/dev/null; then kill "$VMPID" 2>/dev/null; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
FAILS=()
# shellcheck source=tests/vm/hostreq.sh
. "$HERE/hostreq.sh"
hfail() { echo "run-pnfs-faults: FAIL: $*"; FAILS+=("$*"); }

# counter ADDR:PORT NAME -> the value, or nothing
counter() { "$STAT" --key "$KEY" "$1" 2>/dev/null | awk -v n="$2" '$1 == n {print $2; exit}'; }
mds_reads() { local r; r=$(counter "127.0.0.1:$PORT" ops.READ); echo "${r:-0}"; }
# objects ID -> "COUNT BYTES" of stripe objects named ID.* on all data servers
objects() {
  find "$CL"/ds[0-9]*/ -type f -name "$1.*" -printf '%s\n' 2>/dev/null |
    awk '{n++; b += $1} END {printf "%d %d\n", n, b}'
}
valid_index() { [[ $1 =~ ^[1-9]$ ]] && [ "$1" -le $NDS ]; }
valid_id() { [[ $1 =~ ^[0-9a-f]{16}$ ]]; }

READS_AT_KILL=0
# answer REQUEST -> prints "ok ..." or "FAIL ..."
answer() {
  local verb=$1 a=${2:-} b=${3:-} end t0 n
  case "$verb" in
    ds-kill)
      valid_index "$a" || { echo "FAIL bad index $a"; return; }
      READS_AT_KILL=$(mds_reads)
      "${LOCAL[@]}" ds-kill --dir "$CL" --index "$a" >> "$OUT/requests.log" 2>&1 &&
        echo "ok killed (MDS READ count $READS_AT_KILL)" || echo "FAIL ds-kill $a";;
    ds-start)
      valid_index "$a" || { echo "FAIL bad index $a"; return; }
      "${LOCAL[@]}" ds-start --dir "$CL" --index "$a" >> "$OUT/requests.log" 2>&1 &&
        echo "ok started" || echo "FAIL ds-start $a";;
    await-mds-read)
      [[ $a =~ ^[0-9]+$ ]] || { echo "FAIL bad seconds $a"; return; }
      t0=$SECONDS; end=$((SECONDS + a))
      while n=$(mds_reads); [ "$n" -le "$READS_AT_KILL" ]; do
        [ $SECONDS -ge $end ] && { echo "FAIL the MDS got no READ in $a s after the kill (the client did not fall back to MDS I/O)"; return; }
        sleep 0.2
      done
      echo "ok MDS READ count $READS_AT_KILL -> $n after $((SECONDS - t0)) s";;
    ds-counter)
      valid_index "$a" && [[ $b =~ ^[a-zA-Z_.]+$ ]] || { echo "FAIL bad request"; return; }
      n=$(counter "127.0.0.1:$((PORT + a))" "$b")
      [ -n "$n" ] && echo "ok $n" || echo "FAIL no counter $b on data server $a";;
    objects)
      valid_id "$a" || { echo "FAIL bad fileid $a"; return; }
      echo "ok $(objects "$a")";;
    objects-gone)
      valid_id "$a" || { echo "FAIL bad fileid $a"; return; }
      end=$((SECONDS + 60))
      until [ "$(objects "$a")" = "0 0" ]; do
        [ $SECONDS -ge $end ] && { echo "FAIL the data servers still hold $(objects "$a") of $a 60 s after the last close"; return; }
        sleep 0.2
      done
      echo "ok gone";;
    lose-objects)
      valid_index "$a" || { echo "FAIL bad index $a"; return; }
      "${LOCAL[@]}" ds-kill --dir "$CL" --index "$a" >> "$OUT/requests.log" 2>&1 || { echo "FAIL ds-kill $a"; return; }
      n=$(find "$CL/ds$a/stripes" -mindepth 2 -type f | wc -l)
      find "$CL/ds$a/stripes" -mindepth 2 -type f -delete
      "${LOCAL[@]}" ds-start --dir "$CL" --index "$a" >> "$OUT/requests.log" 2>&1 || { echo "FAIL ds-start $a"; return; }
      end=$((SECONDS + 30))
      until grep -q 'identity accepted by the metadata server' "$CL/ds$a.log"; do
        [ $SECONDS -ge $end ] && { echo "FAIL the MDS did not greet data server $a in 30 s"; return; }
        sleep 0.2
      done
      echo "ok $n objects deleted, data server $a serving again";;
    holders)
      valid_id "$a" || { echo "FAIL bad fileid $a"; return; }
      echo "ok $(find "$CL"/ds[0-9]*/stripes -type f -name "$a.*" -size +0 -printf '%h\n' |
        sed -E 's|^.*/ds([0-9]+)/stripes/.*$|\1|' | sort -n | tr '\n' ' ')";;
    recalls)
      valid_id "$a" || { echo "FAIL bad fileid $a"; return; }
      n=$(grep -oE "answered CB_LAYOUTRECALL on fileid $(printf '%x' "0x$a"): (0|10060)\"\$" "$CL/mds.log" | tr -d '"' | awk '{print $NF}')
      echo "ok $(echo "$n" | grep -c .) ($(echo $n))";;
    clients)
      "$STRATA_CLI" --dir "$CL" clients > "$OUT/clients.txt" 2>> "$OUT/requests.log" &&
        "$STRATA_CLI" --dir "$CL" --json clients > "$OUT/clients.json" 2>> "$OUT/requests.log" ||
        { echo "FAIL strata clients"; return; }
      echo "ok $(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%d/%d/%s" % (c["opens"], c["locks"], c["owner"].replace(" ", "_"))
               for c in d["clients"]))' "$OUT/clients.json")";;
    *) echo "FAIL unknown request $verb";;
  esac
}

# ---- the cluster
rm -rf "$CL"
UPARGS=(up --dir "$CL" --port "$PORT" --data-servers "$NDS" --ds-advertise "$ADV" --lease 20 --grace 0 "${LOGLEVEL[@]}")
[ -n "$BUILD" ] && UPARGS+=(--build "$BUILD")
STARTED=1
if ! "${LOCAL[@]}" "${UPARGS[@]}" > "$OUT/strata-local.out" 2>&1; then
  cat "$OUT/strata-local.out" >&2; echo "run-pnfs-faults: the cluster did not start" >&2; exit 3
fi

# ---- the VM
FWDS=(--fwd "$B_IP:$PORT:$PORT")
for ((i = 1; i <= NDS; i++)); do FWDS+=(--fwd "${DSIPS[i-1]}:2049:$((PORT + i))"); done
T0=$(date +%s)
"$HERE/run.sh" --cache "$CACHE" --port "$PORT" "${FWDS[@]}" --timeout "$TIMEOUT" --out "$OUT" "${QUIET[@]}" \
  --env "NFS_PORT=$PORT" --env "B_IP=$B_IP" ${PHASES:+--env "PHASES=$PHASES"} ${NFS_DEBUG:+--env "NFS_DEBUG=$NFS_DEBUG"} ${RPC_DEBUG:+--env "RPC_DEBUG=$RPC_DEBUG"} "$HERE/guest/pnfs-faults-test.sh" &
VMPID=$!
serve_requests run-pnfs-faults
wait "$VMPID"; RC=$?; VMPID=""
echo "run-pnfs-faults: VM done after $(( $(date +%s) - T0 )) s (run.sh rc=$RC)"

# ---- the servers' side
"${LOCAL[@]}" status --dir "$CL" > "$OUT/status.txt" 2>&1 || hfail "not every server is running at the end: $(tr '\n' ' ' < "$OUT/status.txt")"
"${LOCAL[@]}" down --dir "$CL" >/dev/null 2>&1; STARTED=0
s=$(grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$CL"/mds.log "$CL"/ds*.log* 2>/dev/null)
[ -z "$s" ] || hfail "sanitizer report in $(echo "$s" | tr '\n' ' ')"

echo
echo "=== pNFS faults test: MDS 127.0.0.1:$PORT (A 10.0.2.100, B $B_IP), data servers ${ADV//,/ }; out $OUT"
grep -a '^VMTEST PHASE \|^ASSERT\|^host: \|^A: \|^restarted\|^truncate: \|^remove: \|^ds-kill-read: ' "$OUT/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/  /'
if [ $RC = 0 ] && [ ${#FAILS[@]} = 0 ]; then echo "run-pnfs-faults: PASS"; exit 0; fi
if [ $RC -ge 2 ]; then echo "run-pnfs-faults: NO RESULT (run.sh rc=$RC; see $OUT/console.log)"; exit 2; fi
echo "run-pnfs-faults: FAIL (guest rc=$RC; host checks failed: ${#FAILS[@]})"
for x in "${FAILS[@]}"; do echo "  host: $x"; done
exit 1
