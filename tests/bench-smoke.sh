#!/bin/bash
# tests/bench-smoke.sh -- strata-bench against a local Strata on loopback.
#   tests/bench-smoke.sh [--build DIR] [--port P] [--dir DIR]
# Starts MDS + 2 data servers with scripts/strata-local (MDS on P, data
# servers on P+1, P+2; data in DIR, default a fresh mktemp -d that is
# removed at the end), then:
#   1. every workload at a tiny size in pNFS mode: each exits 0 with nonzero
#      throughput, I/O went through layouts, and (strata-stat) the MDS saw
#      no READ/WRITE payload bytes while both data servers did;
#   2. the same with --no-pnfs: I/O through the MDS, which saw the bytes;
#   3. negative check: after seqwrite, one stripe object on a data server is
#      corrupted; seqread must fail with a pattern mismatch.
# No sanitizer report may appear in the bench's or the servers' output.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build; PORT=21400; DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd); shift 2;;
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    *) echo "usage: $0 [--build DIR] [--port P] [--dir DIR]" >&2; exit 2;;
  esac
done
BENCH=$BUILD/tools/strata-bench
STAT=$BUILD/tools/strata-stat
for b in "$BENCH" "$STAT" "$BUILD/nfsd/strata-mds" "$BUILD/nfsd/strata-ds"; do
  [ -x "$b" ] || { echo "bench-smoke: $b not built" >&2; exit 1; }
done
OWN_DIR=0
if [ -z "$DIR" ]; then DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench-smoke.XXXXXX"); OWN_DIR=1; fi
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
LOCAL="$ROOT/scripts/strata-local"
cleanup() {
  "$LOCAL" down --dir "$DIR" > /dev/null 2>&1 || true
  [ $OWN_DIR = 0 ] || rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "bench-smoke: FAIL: $*" >&2; exit 1; }

"$LOCAL" up --dir "$DIR" --port "$PORT" --data-servers 2 --lease 20 --grace 0 \
  --build "$BUILD" > "$DIR/up.out" || { cat "$DIR/up.out"; fail "cluster did not start"; }
PIDS=(--pid "mds=$(cat "$DIR/mds.pid")" --pid "ds1=$(cat "$DIR/ds1.pid")" --pid "ds2=$(cat "$DIR/ds2.pid")")
SERVER=127.0.0.1:$PORT
TINY=(--size 8M --files 64 --duration 2 --conns 2 --qd 4)

# counter NAME PORT: a strata-stat counter of the server on PORT
counter() {
  "$STAT" --key "$DIR/cluster.key" "127.0.0.1:$2" | awk -v k="$1" '$1 == k { print $2 }'
}
# snapshot: "mds_w mds_r ds1_w ds2_w" payload byte counters
snapshot() {
  echo "$(counter write_bytes "$PORT") $(counter read_bytes "$PORT")" \
       "$(counter write_bytes $((PORT + 1))) $(counter write_bytes $((PORT + 2)))"
}
no_sanitizer() {  # no_sanitizer FILE...
  if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$@" 2>/dev/null; then
    fail "sanitizer report in the file(s) above"
  fi
}

# check_tsv FILE MODE: 10 workload lines, all with ops > 0 and throughput > 0,
# and the I/O workloads' io column equal to MODE.
check_tsv() {
  local f=$1 mode=$2
  awk -F'\t' -v mode="$mode" '
    NR == 1 { next }
    { n++
      if ($6 + 0 <= 0 || $9 + 0 <= 0) { print "no throughput: " $2; bad = 1 }
      if ($2 !~ /^(create|stat|rename|remove)$/ && $3 != mode) { print $2 ": io " $3 ", want " mode; bad = 1 } }
    END { if (n != 10) { print n " result lines, want 10"; bad = 1 } exit bad }' "$f"
}

run_mode() {  # run_mode LABEL OUT [extra strata-bench options]
  local label=$1 out=$2; shift 2
  if ! "$BENCH" --server "$SERVER" --workload all "${TINY[@]}" "${PIDS[@]}" \
       --label "$label" --format tsv "$@" > "$out" 2> "$out.err"; then
    cat "$out" "$out.err" >&2; fail "strata-bench ($label) failed"
  fi
  no_sanitizer "$out.err"
  if command -v column > /dev/null; then column -t -s $'\t' "$out"; else cat "$out"; fi
  echo
}

echo "== pNFS"
read -r m_w0 m_r0 d1_w0 d2_w0 <<< "$(snapshot)"
run_mode pnfs "$DIR/pnfs.tsv"
check_tsv "$DIR/pnfs.tsv" pnfs || fail "pNFS results"
read -r m_w1 m_r1 d1_w1 d2_w1 <<< "$(snapshot)"
echo "payload bytes: MDS write $((m_w1 - m_w0)) read $((m_r1 - m_r0)), ds1 write $((d1_w1 - d1_w0)), ds2 write $((d2_w1 - d2_w0))"
[ $((m_w1 - m_w0)) = 0 ] || fail "the MDS received WRITE payload in pNFS mode"
[ $((m_r1 - m_r0)) = 0 ] || fail "the MDS sent READ payload in pNFS mode"
[ $((d1_w1 - d1_w0)) -gt 0 ] || fail "ds1 received no WRITE payload"
[ $((d2_w1 - d2_w0)) -gt 0 ] || fail "ds2 received no WRITE payload"

echo "== MDS only (--no-pnfs, 10 directories)"
run_mode no-pnfs "$DIR/mds.tsv" --no-pnfs --dirs 10
check_tsv "$DIR/mds.tsv" mds || fail "--no-pnfs results"
read -r m_w2 _ _ _ <<< "$(snapshot)"
echo "payload bytes: MDS write $((m_w2 - m_w1))"
[ $((m_w2 - m_w1)) -gt 0 ] || fail "the MDS received no WRITE payload in --no-pnfs mode"

echo "== corrupted stripe object"
"$BENCH" --server "$SERVER" --workload seqwrite --size 8M --tag smoke-neg --keep \
  > "$DIR/neg-write.out" 2>&1 || { cat "$DIR/neg-write.out"; fail "seqwrite for the negative check"; }
obj=$(find "$DIR/ds1/stripes" "$DIR/ds2/stripes" -type f -size +1M | head -1)
[ -n "$obj" ] || fail "no stripe object of the seqwrite file on the data servers"
printf 'CORRUPT!' | dd of="$obj" bs=1 seek=4096 conv=notrunc status=none
if "$BENCH" --server "$SERVER" --workload seqread --size 8M --tag smoke-neg \
     > "$DIR/neg-read.out" 2>&1; then
  cat "$DIR/neg-read.out"; fail "seqread of a corrupted file succeeded"
fi
grep 'pattern mismatch' "$DIR/neg-read.out" || { cat "$DIR/neg-read.out"; fail "no pattern mismatch reported"; }
no_sanitizer "$DIR/neg-write.out" "$DIR/neg-read.out"

"$LOCAL" down --dir "$DIR" > /dev/null
no_sanitizer "$DIR"/mds.log "$DIR"/ds*.log
echo "bench-smoke: OK"
