#!/bin/bash
# tests/admin-metrics.sh -- the operator's side (issue 14) on a local
# cluster (MDS + 2 data servers, strata-local), end to end:
#   tests/admin-metrics.sh [--build DIR] [--port P] [--dir DIR]
# MDS on P, data servers on P+1, P+2, their /metrics on P+10000..P+10002,
# a real Prometheus (Debian's) on 127.0.0.1:P+10010. Checks:
#   1. `strata status` lists the MDS and both data servers up (table and
#      --json carry the same servers, addresses and states); after
#      `ds-kill` of data server 2 it shows that server down (exit 3) within
#      the heartbeat (2 s) plus one second, the other one still up; after
#      `ds-start` all three are up again.
#   2. `strata exports` (table and JSON) lists the export.
#   3. `strata top --once --json` during a strata-bench run shows non-zero
#      operations per second (a data server's WRITEs).
#   4. every server's page passes `promtool check metrics`; Prometheus
#      scrapes all three (up == 1); after a workload, sum by op of
#      strata_nfs_ops_total for OPEN, READ and WRITE equals the sum of the
#      servers' own counters (strata-stat), and the latency histograms are
#      there (their _count equals those counts).
#   5. a flood of the MDS's metrics port (6 threads of back-to-back
#      scrapes, which must get answers, and 100 idle connections) while strata-bench creates and
#      stats files: the workload completes with every op right; afterwards
#      the endpoint answers again. The create rate with and without the
#      flood is printed (information, not a pass/fail: timing is not a test).
# No sanitizer report may appear in any log.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build; PORT=21550; DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd); shift 2;;
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    *) echo "usage: $0 [--build DIR] [--port P] [--dir DIR]" >&2; exit 2;;
  esac
done
BENCH=$BUILD/tools/strata-bench STAT=$BUILD/tools/strata-stat CLI=$BUILD/tools/strata
for b in "$BENCH" "$STAT" "$CLI" "$BUILD/nfsd/strata-mds" "$BUILD/nfsd/strata-ds"; do
  [ -x "$b" ] || { echo "admin-metrics: $b not built" >&2; exit 1; }
done
for b in promtool prometheus curl python3; do
  command -v $b > /dev/null || { echo "admin-metrics: $b missing (scripts/install-deps.sh)" >&2; exit 1; }
done
OWN_DIR=0
if [ -z "$DIR" ]; then DIR=$(mktemp -d "${TMPDIR:-/tmp}/admin-metrics.XXXXXX"); OWN_DIR=1; fi
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
LOCAL="$ROOT/scripts/strata-local"
CL=$DIR/cluster HB=2
MBASE=$((PORT + 10000)) PROM=127.0.0.1:$((PORT + 10010))
PROM_PID=""
cleanup() {
  [ -z "$PROM_PID" ] || kill "$PROM_PID" 2>/dev/null || true
  "$LOCAL" down --dir "$CL" > /dev/null 2>&1 || true
  [ $OWN_DIR = 0 ] || rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "admin-metrics: FAIL: $*" >&2; exit 1; }
SERVER=127.0.0.1:$PORT
strata() { "$CLI" --dir "$CL" "$@"; }
# json_get EXPR: evaluate the Python expression EXPR over the JSON on stdin (j)
json_get() { python3 -c "import json, sys; j = json.load(sys.stdin); print($1)"; }
now() { date +%s.%N; }

"$LOCAL" up --dir "$CL" --port "$PORT" --data-servers 2 --heartbeat $HB \
  --metrics-base $MBASE --build "$BUILD" > "$DIR/up.out" 2>&1 || { cat "$DIR/up.out"; fail "cluster did not start"; }
for i in 0 1 2; do
  grep -q "http://127.0.0.1:$((MBASE + i))/metrics" "$DIR/up.out" || fail "strata-local up does not print metrics URL $i"
done

# ---- 1. status
# until_status WANT DEADLINE_S: poll `strata status` until its exit is WANT
until_status() {
  local want=$1 end rc
  end=$(echo "$(now) + $2" | bc)
  while :; do
    rc=0; strata status > "$DIR/status.txt" 2>&1 || rc=$?
    [ $rc = "$want" ] && return 0
    [ "$(echo "$(now) > $end" | bc)" = 1 ] && return 1
    sleep 0.1
  done
}
until_status 0 10 || { cat "$DIR/status.txt"; fail "not all servers up 10 s after start"; }
cat "$DIR/status.txt"
[ "$(grep -cE '^(mds|ds) .* up ' "$DIR/status.txt")" = 3 ] || fail "status table does not show 3 servers up"
strata --json status > "$DIR/status.json" || fail "status --json"
python3 - "$DIR/status.json" "$DIR/status.txt" "$PORT" <<'EOF' || fail "status --json does not match the table"
import json, sys
j = json.load(open(sys.argv[1]))
rows = [l.split() for l in open(sys.argv[2]) if l.startswith(("mds ", "ds "))]
port = int(sys.argv[3])
srv = j["servers"]
assert [s["role"] for s in srv] == ["mds", "ds", "ds"], srv
assert [s["address"] for s in srv] == ["127.0.0.1:%d" % (port + i) for i in range(3)], srv
assert all(s["state"] == "up" for s in srv), srv
assert [(r[0], r[2], r[3]) for r in rows] == [(s["role"], s["address"], s["state"]) for s in srv], rows
assert all(s["version"] == srv[0]["version"] and s["store_size_bytes"] > 0 for s in srv), srv
assert j["heartbeat_s"] == 2 and j["grace"] is False, j
EOF
echo "admin-metrics: status: 3 up (table and JSON agree)"

"$LOCAL" ds-kill --dir "$CL" --index 2 > /dev/null
t0=$(now)
until_status 3 $((HB + 1)) || { cat "$DIR/status.txt"; fail "data server 2 not shown down within $((HB + 1)) s of ds-kill"; }
dt=$(echo "$(now) - $t0" | bc)
strata --json status > "$DIR/status-down.json" && fail "status exits 0 with a server down"
json_get '[s["state"] for s in j["servers"]]' < "$DIR/status-down.json" | grep -qx "\['up', 'up', 'down'\]" ||
  { cat "$DIR/status-down.json"; fail "JSON does not say: mds up, ds 1 up, ds 2 down"; }
echo "admin-metrics: status: data server 2 down after ${dt} s (heartbeat $HB s)"
"$LOCAL" ds-start --dir "$CL" --index 2 > /dev/null
t0=$(now)
until_status 0 $((3 * HB + 5)) || { cat "$DIR/status.txt"; fail "data server 2 not up again after ds-start"; }
echo "admin-metrics: status: all up again $(echo "$(now) - $t0" | bc) s after ds-start"

# ---- 2. exports
strata exports | grep -qE '^/ +\* +rw,.*pnfs=files' || { strata exports; fail "exports table"; }
[ "$(strata --json exports | json_get 'j["exports"][0]["path"]')" = / ] || fail "exports --json"

# ---- 3. top during a workload
"$BENCH" --server "$SERVER" --workload randwrite --size 64M --duration 6 --tag top \
  > "$DIR/bench-top.out" 2>&1 &
BPID=$!
# the run has written its file and started its timed part
until grep -q . "$DIR/bench-top.out" 2>/dev/null; do kill -0 $BPID 2>/dev/null || break; sleep 0.1; done
strata top --once --json --interval 1 > "$DIR/top.json" || fail "top --once"
kill -0 $BPID 2>/dev/null || fail "strata-bench ended before top's sample: no load was measured"
wait $BPID || { cat "$DIR/bench-top.out"; fail "strata-bench randwrite"; }
python3 - "$DIR/top.json" <<'EOF' || fail "top --once shows no operations per second"
import json, sys
j = json.load(open(sys.argv[1]))
tot = sum(s["compounds"]["ops_per_s"] for s in j["servers"] if s["reachable"])
w = sum(o["ops_per_s"] for s in j["servers"] if s["reachable"] for o in s["ops"] if o["op"] == "WRITE")
print("admin-metrics: top: %.0f COMPOUNDs/s, %.0f WRITE/s over %d servers" % (tot, w, len(j["servers"])))
assert len(j["servers"]) == 3 and tot > 0 and w > 0, j
EOF
strata top --once --interval 0.2 | grep -q '^mds 127.0.0.1' || fail "top table"

# ---- 4. metrics: promtool, a real Prometheus
for i in 0 1 2; do
  curl -sf "http://127.0.0.1:$((MBASE + i))/metrics" > "$DIR/metrics.$i" || fail "no /metrics on port $((MBASE + i))"
  promtool check metrics < "$DIR/metrics.$i" || fail "promtool check metrics: server $i"
done
cat > "$DIR/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: strata
    static_configs:
      - targets: ['127.0.0.1:$MBASE', '127.0.0.1:$((MBASE + 1))', '127.0.0.1:$((MBASE + 2))']
EOF
promtool check config "$DIR/prometheus.yml" > /dev/null || fail "promtool check config"
prometheus --config.file "$DIR/prometheus.yml" --storage.tsdb.path "$DIR/prom" \
  --web.listen-address "$PROM" --log.level warn > "$DIR/prometheus.log" 2>&1 &
PROM_PID=$!
end=$((SECONDS + 30))
until curl -sf "http://$PROM/-/ready" > /dev/null; do
  kill -0 $PROM_PID 2>/dev/null || { cat "$DIR/prometheus.log"; fail "prometheus exited"; }
  [ $SECONDS -lt $end ] || fail "prometheus not ready in 30 s"
  sleep 0.2
done
query() { curl -sf --get "http://$PROM/api/v1/query" --data-urlencode "query=$1"; }
"$BENCH" --server "$SERVER" --workload seqwrite,seqread,create --size 16M --files 300 --tag prom \
  > "$DIR/bench-prom.out" 2>&1 || { cat "$DIR/bench-prom.out"; fail "strata-bench (prometheus workload)"; }
t_end=$(date +%s)
# the servers' own counts, summed
declare -A OWN=([OPEN]=0 [READ]=0 [WRITE]=0)
for p in $PORT $((PORT + 1)) $((PORT + 2)); do
  "$STAT" --key "$CL/cluster.key" "127.0.0.1:$p" > "$DIR/stat.$p"
  for op in OPEN READ WRITE; do
    v=$(awk -v k="ops.$op" '$1 == k { print $2 }' "$DIR/stat.$p")
    OWN[$op]=$((OWN[$op] + ${v:-0}))
  done
done
echo "admin-metrics: servers counted OPEN ${OWN[OPEN]}, READ ${OWN[READ]}, WRITE ${OWN[WRITE]}"
[ "${OWN[OPEN]}" -gt 0 ] && [ "${OWN[READ]}" -gt 0 ] && [ "${OWN[WRITE]}" -gt 0 ] || fail "the workload left a count at 0"
# wait for a scrape of every target after the workload ended
end=$((SECONDS + 30))
until [ "$(query "count(timestamp(strata_nfs_compounds_total) > $t_end)" | json_get 'j["data"]["result"][0]["value"][1] if j["data"]["result"] else 0')" = 3 ]; do
  [ $SECONDS -lt $end ] || fail "prometheus did not scrape all three servers after the workload in 30 s"
  sleep 0.2
done
[ "$(query 'sum(up{job="strata"})' | json_get 'j["data"]["result"][0]["value"][1]')" = 3 ] || fail "up != 1 for some target"
query 'sum by (op) (strata_nfs_ops_total{op=~"OPEN|READ|WRITE"})' > "$DIR/q-ops.json"
query 'sum by (op) (strata_nfs_op_seconds_count{op=~"OPEN|READ|WRITE"})' > "$DIR/q-hist.json"
query 'count by (op) (strata_nfs_op_seconds_bucket{op=~"OPEN|READ|WRITE"})' > "$DIR/q-buckets.json"
python3 - "$DIR" "${OWN[OPEN]}" "${OWN[READ]}" "${OWN[WRITE]}" <<'EOF' || fail "Prometheus's series differ from the servers' counts"
import json, sys
d = sys.argv[1]
own = dict(zip(["OPEN", "READ", "WRITE"], map(int, sys.argv[2:5])))
def load(n):
    r = json.load(open("%s/%s" % (d, n)))["data"]["result"]
    return {x["metric"]["op"]: float(x["value"][1]) for x in r}
ops, hist, buckets = load("q-ops.json"), load("q-hist.json"), load("q-buckets.json")
print("admin-metrics: prometheus: ops %s, histogram counts %s, buckets %s" % (ops, hist, buckets))
for op, n in own.items():
    assert ops.get(op) == n, (op, ops.get(op), n)
    assert hist.get(op) == n, (op, hist.get(op), n)
    assert buckets.get(op, 0) >= 19, (op, buckets.get(op))
EOF
kill $PROM_PID; wait $PROM_PID 2>/dev/null || true; PROM_PID=""

# ---- 5. a flood of the metrics port does not stop NFS service
meta() {  # meta TAG OUT: create + stat of 500 files; its create rate
  "$BENCH" --server "$SERVER" --workload create,stat --files 500 --tag "$1" > "$2" 2>&1 ||
    { cat "$2"; fail "strata-bench $1"; }
  awk '$1 == "create" { for (i = 1; i <= NF; i++) if ($(i+1) == "ops/s") { print $i; exit } }' "$2"
}
base=$(meta calm "$DIR/bench-calm.out")
python3 - "127.0.0.1" "$MBASE" "$DIR/flood.stop" "$DIR/flood.ready" > "$DIR/flood.out" 2>&1 <<'EOF' &
import os, socket, sys, threading, urllib.request
host, port, stop, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
done = [0, 0]
def hammer():
    while not os.path.exists(stop):
        try:
            urllib.request.urlopen("http://%s:%d/metrics" % (host, port), timeout=2).read(); done[0] += 1
        except Exception:
            done[1] += 1
ts = [threading.Thread(target=hammer) for _ in range(6)]
for t in ts: t.start()
idle = []
for _ in range(100):   # slow clients that never send a request
    try:
        s = socket.create_connection((host, port), timeout=2); idle.append(s)
    except OSError:
        pass
while done[0] == 0 and not os.path.exists(stop):   # the flood is on
    threading.Event().wait(0.05)
open(ready, "w").close()
for t in ts: t.join()
print("flood: %d idle connections opened, %d scrapes answered, %d refused or timed out" % (len(idle), done[0], done[1]))
sys.exit(0 if done[0] > 0 else 1)
EOF
FLOOD_PID=$!
end=$((SECONDS + 30))
until [ -e "$DIR/flood.ready" ]; do   # the workload must run inside the flood
  kill -0 $FLOOD_PID 2>/dev/null || { cat "$DIR/flood.out"; fail "the flood ended early"; }
  [ $SECONDS -lt $end ] || { touch "$DIR/flood.stop"; fail "the flood got no scrape answered in 30 s"; }
  sleep 0.1
done
flooded=$(meta flood "$DIR/bench-flood.out")
touch "$DIR/flood.stop"
wait $FLOOD_PID || { cat "$DIR/flood.out"; fail "the flood got no scrape answered: it did not load the endpoint"; }
cat "$DIR/flood.out"
end=$((SECONDS + 30))
until curl -sf "http://127.0.0.1:$MBASE/metrics" > /dev/null; do
  [ $SECONDS -lt $end ] || fail "the metrics endpoint does not answer 30 s after the flood"
  sleep 0.2
done
echo "admin-metrics: flood: creates ${flooded} ops/s under the flood, ${base} ops/s without (information)"

# ---- sanitizer reports
if grep -l "ERROR: AddressSanitizer\|runtime error:" "$CL"/*.log 2>/dev/null; then fail "sanitizer report in a server log"; fi
echo "admin-metrics: PASS"
