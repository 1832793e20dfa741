#!/bin/bash
# tests/vm/run-tier.sh [--port P] [--out DIR] [--build BUILD] [--timeout S]
#                      [--phases LIST] [--many N] [--quiet]
#
# The object tier with the stock Linux 6.1 client in the VM (issue 16,
# acceptance 3 and the VM parts of 4; guest side and its phases:
# tests/vm/guest/tier-test.sh). Starts its own servers:
#   - a real S3 server (OpenStack Swift with s3api, tests/s3/swift.sh) on
#     127.0.0.1:P+5 (its other servers on P+6..P+9), and the bucket;
#   - strata-local up --dir OUT/cluster --port P --data-servers 2
#       --ds-advertise 10.0.2.101:2049,10.0.2.102:2049
#       --tier s3:http://127.0.0.1:P+5/strata-vm --tier-credentials ...
#       --tier-policy "/pol access_idle=6 release_after=1"
#       --tier-scan-interval 1 --tier-gc-interval 1 --tier-gc-grace 1
# The VM reaches the MDS as 10.0.2.100:P and the data servers at their
# advertised addresses.
#
# While the VM runs, this script answers the guest's requests (/vmout/req.N
# -> /vmout/ack.N, first word ok or FAIL; see answer() below):
#   tier VERB LIST     `strata --json tier VERB` on the paths in /vmout/LIST
#                      (from the namespace's root), each step waited for;
#                      every file must end in the state the step gives
#                      (offload: both, release: offloaded, recall: both)
#   offloaded LIST     every path in LIST: `strata residency` says offloaded
#                      with 0 bytes on the data servers, and no data server
#                      holds a byte of it (stripe objects of its fileid)
#   objects MANIFEST   the object of every file of MANIFEST (/vmout/man-*,
#                      lines "PATH FILEID SIZE SHA256"): its key from `strata
#                      residency`, its bytes fetched by an independent
#                      client (curl --aws-sigv4) hash to SHA256
#   key PATH           the object key of PATH (residency)
#   gone KEY           waits up to 60 s until the independent client gets
#                      404 for KEY
#   state PATH         the residency state of PATH
#   await-state PATH STATE S   waits up to S s for PATH to reach STATE
#   counters           "MDS_READS MDS_READ_BYTES DS_READ_BYTES" (strata-stat)
#   s3-stop, s3-start  the S3 proxy SIGKILLed / started again
#   await-recall-failed S  waits up to S s until `strata tier status`
#                      counts a failed recall more than at s3-stop
# After the VM: every server still running, no sanitizer report in the
# logs, the namespace's fsck (tier invariants included) clean.
#
#   --port P       MDS port (default 20790); data servers on P+1, P+2;
#                  S3 on P+5..P+9
#   --out DIR      artefacts (default /tmp/strata-tier-<time>)
#   --build BUILD  build dir (default: strata-local's, i.e. build/)
#   --timeout S    whole-VM limit (default 1500)
#   --phases LIST  guest phases (default: all, see the guest script)
#   --many N       files of the storm phase (default 1000)
#   --log-level L  the servers' log level (debug: every layout, recall)
#   --quiet        do not echo the guest console
# Exit: 0 pass, 1 fail, 2 no result from the VM, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT=20790; OUT=""; BUILD=""; TIMEOUT=1500; QUIET=(); PHASES=""; MANY=1000; LOGLEVEL=()
NDS=2
usage() { sed -n '2,53p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --build) BUILD=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --phases) PHASES=$2; shift 2;;
    --many) MANY=$2; shift 2;;
    --log-level) LOGLEVEL=(--log-level "$2"); shift 2;;
    --quiet) QUIET=(--quiet); shift;;
    -h|--help) usage;;
    *) echo "run-tier: unknown argument $1" >&2; usage;;
  esac
done
[[ $PORT =~ ^[0-9]+$ && $TIMEOUT =~ ^[0-9]+$ && $MANY =~ ^[0-9]+$ ]] && [ $((PORT + 10009)) -le 65535 ] || usage
LOCAL=("$ROOT/scripts/strata-local")
if [ -n "$BUILD" ]; then
  [ -d "$BUILD" ] || { echo "run-tier: no build dir $BUILD" >&2; exit 3; }
  BUILD=$(cd "$BUILD" && pwd); BUILD_DIR=$BUILD
else
  BUILD_DIR=${STRATA_BUILD:-$ROOT/build}
fi
STAT=$BUILD_DIR/tools/strata-stat CLI=$BUILD_DIR/tools/strata FSCK=$BUILD_DIR/tools/strata-fsck
for b in "$STAT" "$CLI" "$FSCK"; do [ -x "$b" ] || { echo "run-tier: $b is not built" >&2; exit 3; }; done
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
[ -n "$OUT" ] || OUT=/tmp/strata-tier-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
CL=$OUT/cluster KEY=$OUT/cluster/cluster.key SW=$OUT/swift
S3PORT=$((PORT + 5)) BUCKET=strata-vm REGION=us-east-1
EP=http://127.0.0.1:$S3PORT
DSIPS=(10.0.2.101 10.0.2.102)
ADV=$(printf '%s:2049,' "${DSIPS[@]}"); ADV=${ADV%,}
rm -f "$OUT"/req.* "$OUT"/ack.* "$OUT"/.req.* "$OUT"/.ack.* "$OUT"/requests.log

[ -f "$CACHE/env" ] || "$HERE/prepare.sh" "$CACHE" || { echo "run-tier: prepare.sh failed" >&2; exit 3; }
# fsx for the fsx-pnfs phase (built outside the tree, like run-posix.sh's)
"$ROOT/scripts/build-suites.sh" fsx > "$OUT/build-suites.log" 2>&1 ||
  { cat "$OUT/build-suites.log" >&2; echo "run-tier: build-suites.sh fsx failed" >&2; exit 3; }
# shellcheck disable=SC1091
. "${STRATA_SUITES_DIR:-/var/tmp/strata-suites}/suites.env"
for p in $PORT $((PORT + 1)) $((PORT + 2)) $S3PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "run-tier: something already listens on 127.0.0.1:$p" >&2; exit 3
  fi
done

STARTED=0; VMPID=""
cleanup() {
  # only what this script started: the cluster in $CL and Swift in $SW,
  # both by their pid files
  if [ $STARTED = 1 ]; then "${LOCAL[@]}" down --dir "$CL" >/dev/null 2>&1; fi
  "$ROOT/tests/s3/swift.sh" stop "$SW" >/dev/null 2>&1
  if [ -n "$VMPID" ] && kill -0 "$VMPID" 2>/dev/null; then kill "$VMPID" 2>/dev/null; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
FAILS=()
# shellcheck source=tests/vm/hostreq.sh
. "$HERE/hostreq.sh"
hfail() { echo "run-tier: FAIL: $*"; FAILS+=("$*"); }

# ---- the S3 server and the independent client (curl's own SigV4; the
# access key holds ':', so the credentials go through a netrc file)
"$ROOT/tests/s3/swift.sh" start "$SW" "$S3PORT" > "$OUT/swift.out" 2>&1 ||
  { cat "$OUT/swift.out" >&2; echo "run-tier: the S3 server did not start" >&2; exit 3; }
printf 'machine 127.0.0.1\nlogin %s\npassword %s\n' \
  "$(sed -n 1p "$SW/credentials")" "$(sed -n 2p "$SW/credentials")" > "$OUT/netrc"
chmod 600 "$OUT/netrc"
icurl() { curl -sS --netrc-file "$OUT/netrc" --aws-sigv4 "aws:amz:$REGION:s3" \
  -H x-amz-content-sha256:UNSIGNED-PAYLOAD "$@"; }
code=""
for _ in $(seq 20); do   # a 5xx right after the start: tried again, bounded
  code=$(icurl -o /dev/null -w '%{http_code}' -X PUT "$EP/$BUCKET")
  [ "$code" = 200 ] && break
  sleep 0.5
done
[ "$code" = 200 ] || { echo "run-tier: creating the bucket: HTTP $code" >&2; exit 3; }

# ---- helpers of the answers
cli() { "$CLI" --dir "$CL" "$@"; }
counter() { "$STAT" --key "$KEY" "$1" 2>/dev/null | awk -v n="$2" '$1 == n {print $2; exit}'; }
# residency PATH... -> lines "PATH STATE DS_BYTES TIER_BYTES KEY"
residency() {
  cli --json residency "$@" | python3 -c 'import json, sys
for r in json.load(sys.stdin):
    print(r["path"], r["state"], r["ds_bytes"], r["tier_bytes"], r.get("object_key") or "-")'
}
listfile() {  # a list the guest left in OUT: a plain name, no path
  [[ $1 =~ ^[a-zA-Z0-9._-]+$ ]] && [ -f "$OUT/$1" ] && echo "$OUT/$1"
}
valid_path() { [[ $1 =~ ^/[a-zA-Z0-9._/-]+$ && $1 != *..* ]]; }
tier_failed() {  # failed recalls so far (strata tier status)
  cli --json tier status | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(d["steps"]["recall"]["failed"])'
}
want_state() { case $1 in offload) echo both;; release) echo offloaded;; recall) echo both;; esac; }

# the guest's manifests, gathered for the data-server checks
before_request() {
  cat "$OUT"/man-* 2>/dev/null > "$OUT/.manifest.all"
  mv "$OUT/.manifest.all" "$OUT/manifest.all"
}
FAILED_AT_STOP=0
# answer REQUEST -> prints "ok ..." or "FAIL ..."
answer() {
  local verb=$1 a=${2:-} b=${3:-} c=${4:-} f n bad end t0 want
  case "$verb" in
    tier)
      want=$(want_state "$a"); f=$(listfile "$b")
      [ -n "$want" ] && [ -n "$f" ] || { echo "FAIL bad request"; return; }
      t0=$(date +%s.%N)
      # shellcheck disable=SC2046  # one path a line, no spaces (valid_path)
      cli --json tier "$a" $(cat "$f") > "$OUT/tier-$a.json" 2> "$OUT/tier-$a.err" ||
        { echo "FAIL strata tier $a: $(tail -1 "$OUT/tier-$a.err")"; return; }
      bad=$(python3 -c 'import json, sys
rows = json.load(open(sys.argv[1]))
bad = [r["path"] + "=" + r["state"] for r in rows if r["state"] != sys.argv[2]]
print(len(rows), " ".join(bad[:5]))' "$OUT/tier-$a.json" "$want")
      n=${bad%% *}; bad=${bad#* }
      [ -z "$bad" ] && [ "$n" = "$(wc -l < "$f")" ] ||
        { echo "FAIL after tier $a: $n rows, not $want: $bad"; return; }
      echo "ok $n files $want in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-6) s";;
    offloaded)
      f=$(listfile "$a") || { echo "FAIL bad list"; return; }
      # shellcheck disable=SC2046
      bad=$(residency $(cat "$f") | awk '$2 != "offloaded" || $3 != 0 {print $1 "=" $2 "/" $3}' | head -5)
      [ -z "$bad" ] || { echo "FAIL not offloaded with 0 bytes on the data servers: $bad"; return; }
      find "$CL"/ds[0-9]*/ -type f -printf '%f %s\n' > "$OUT/ds-objects.txt"
      bad=$(python3 -c 'import sys
want = set(open(sys.argv[1]).read().split())
ids = {}
for line in open(sys.argv[2]):
    p, fid = line.split()[:2]
    if p in want:
        ids[fid] = p
held = {}
for line in open(sys.argv[3]):
    name, size = line.split()
    fid = name.split(".")[0]
    if fid in ids and int(size):
        held[ids[fid]] = held.get(ids[fid], 0) + int(size)
print(len(ids), " ".join("%s=%d" % kv for kv in list(held.items())[:5]))' "$f" "$OUT/manifest.all" "$OUT/ds-objects.txt")
      n=${bad%% *}; bad=${bad#* }
      [ -z "$bad" ] || { echo "FAIL data servers still hold bytes of: $bad"; return; }
      [ "$n" = "$(wc -l < "$f")" ] || { echo "FAIL $n of $(wc -l < "$f") files in the manifests"; return; }
      echo "ok $n offloaded, 0 bytes of them on the data servers";;
    objects)
      f=$(listfile "$a") || { echo "FAIL bad manifest"; return; }
      bad="" n=0
      while read -r p fid size sum; do
        local k got
        k=$(residency "$p" | awk '{print $5}')
        got=$(icurl -f "$EP/$BUCKET/$k" | sha256sum | cut -d' ' -f1)
        n=$((n + 1))
        [ "$got" = "$sum" ] || bad+="$p($k) "
      done < "$f"
      [ -z "$bad" ] || { echo "FAIL objects whose bytes (independent client) differ: $bad"; return; }
      echo "ok $n objects verified by curl --aws-sigv4";;
    key)
      valid_path "$a" || { echo "FAIL bad path"; return; }
      echo "ok $(residency "$a" | awk '{print $5}')";;
    gone)
      [[ $a =~ ^[a-zA-Z0-9/._-]+$ ]] || { echo "FAIL bad key"; return; }
      end=$((SECONDS + 60))
      until [ "$(icurl -o /dev/null -w '%{http_code}' -I "$EP/$BUCKET/$a")" = 404 ]; do
        [ $SECONDS -ge $end ] && { echo "FAIL object $a still there 60 s later"; return; }
        sleep 0.5
      done
      echo "ok 404 for $a";;
    state)
      valid_path "$a" || { echo "FAIL bad path"; return; }
      echo "ok $(residency "$a" | awk '{print $2}')";;
    await-state)
      valid_path "$a" && [[ $b =~ ^[a-z]+$ && $c =~ ^[0-9]+$ ]] || { echo "FAIL bad request"; return; }
      t0=$SECONDS; end=$((SECONDS + c))
      until [ "$(residency "$a" | awk '{print $2}')" = "$b" ]; do
        [ $SECONDS -ge $end ] && { echo "FAIL $a is $(residency "$a" | awk '{print $2}') after $c s, not $b"; return; }
        sleep 0.5
      done
      echo "ok $a $b after $((SECONDS - t0)) s";;
    counters)
      local r=0 rb=0 d
      for ((i = 1; i <= NDS; i++)); do d=$(counter "127.0.0.1:$((PORT + i))" read_bytes); rb=$((rb + ${d:-0})); done
      r=$(counter "127.0.0.1:$PORT" ops.READ) d=$(counter "127.0.0.1:$PORT" read_bytes)
      echo "ok ${r:-0} ${d:-0} $rb";;
    s3-stop)
      FAILED_AT_STOP=$(tier_failed)
      "$ROOT/tests/s3/swift.sh" proxy-stop "$SW" >> "$OUT/requests.log" 2>&1 &&
        echo "ok S3 proxy stopped (recalls failed so far: $FAILED_AT_STOP)" || echo "FAIL proxy-stop";;
    s3-start)
      "$ROOT/tests/s3/swift.sh" proxy-start "$SW" >> "$OUT/requests.log" 2>&1 &&
        echo "ok S3 proxy back" || echo "FAIL proxy-start";;
    await-recall-failed)
      [[ $a =~ ^[0-9]+$ ]] || { echo "FAIL bad seconds"; return; }
      end=$((SECONDS + a))
      until [ "$(tier_failed)" -gt "$FAILED_AT_STOP" ]; do
        [ $SECONDS -ge $end ] && { echo "FAIL no recall failed in $a s with the S3 server down"; return; }
        sleep 0.5
      done
      echo "ok recalls failed: $FAILED_AT_STOP -> $(tier_failed)";;
    *) echo "FAIL unknown request $verb";;
  esac
}

# ---- the cluster
rm -rf "$CL"
UPARGS=(up --dir "$CL" --port "$PORT" --data-servers "$NDS" --ds-advertise "$ADV" --lease 20 --grace 0
        --tier "s3:$EP/$BUCKET" --tier-credentials "$SW/credentials"
        --tier-policy "/pol access_idle=6 release_after=1" --tier-scan-interval 1
        --tier-gc-interval 1 --tier-gc-grace 1 "${LOGLEVEL[@]}")
[ -n "$BUILD" ] && UPARGS+=(--build "$BUILD")
STARTED=1
if ! "${LOCAL[@]}" "${UPARGS[@]}" > "$OUT/strata-local.out" 2>&1; then
  cat "$OUT/strata-local.out" >&2; echo "run-tier: the cluster did not start" >&2; exit 3
fi

# ---- the VM
FWDS=()
for ((i = 1; i <= NDS; i++)); do FWDS+=(--fwd "${DSIPS[i-1]}:2049:$((PORT + i))"); done
T0=$(date +%s)
"$HERE/run.sh" --cache "$CACHE" --port "$PORT" "${FWDS[@]}" --timeout "$TIMEOUT" --out "$OUT" "${QUIET[@]}" \
  --env "NFS_PORT=$PORT" --env "MANY=$MANY" --env "FSX_BIN=${FSX_BIN:-}" \
  ${PHASES:+--env "PHASES=$PHASES"} "$HERE/guest/tier-test.sh" &
VMPID=$!
serve_requests run-tier
wait "$VMPID"; RC=$?; VMPID=""
echo "run-tier: VM done after $(( $(date +%s) - T0 )) s (run.sh rc=$RC)"

# ---- the servers' side
"${LOCAL[@]}" status --dir "$CL" > "$OUT/status.txt" 2>&1 || hfail "not every server is running at the end: $(tr '\n' ' ' < "$OUT/status.txt")"
cli tier status > "$OUT/tier-status.txt" 2>&1
"${LOCAL[@]}" down --dir "$CL" >/dev/null 2>&1; STARTED=0
"$FSCK" --dir "$CL/data/meta" > "$OUT/fsck.txt" 2>&1 || hfail "fsck: $(tail -3 "$OUT/fsck.txt" | tr '\n' ' ')"
s=$(grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$CL"/mds.log "$CL"/ds*.log* 2>/dev/null)
[ -z "$s" ] || hfail "sanitizer report in $(echo "$s" | tr '\n' ' ')"

echo
echo "=== tier test: MDS 127.0.0.1:$PORT, data servers ${ADV//,/ }, S3 $EP/$BUCKET; out $OUT"
grep -a '^VMTEST PHASE \|^ASSERT\|^host: \|^tier: ' "$OUT/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/  /'
sed 's/^/  /' "$OUT/tier-status.txt" 2>/dev/null
if [ $RC = 0 ] && [ ${#FAILS[@]} = 0 ]; then echo "run-tier: PASS"; exit 0; fi
if [ $RC -ge 2 ]; then echo "run-tier: NO RESULT (run.sh rc=$RC; see $OUT/console.log)"; exit 2; fi
echo "run-tier: FAIL (guest rc=$RC; host checks failed: ${#FAILS[@]})"
for x in "${FAILS[@]}"; do echo "  host: $x"; done
exit 1
