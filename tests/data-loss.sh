#!/bin/bash
# tests/data-loss.sh -- a data server that lost its objects (issue 13,
# docs/decisions/0019), end to end on loopback with strata-bench as the
# client:
#   tests/data-loss.sh [--build DIR] [--port P] [--dir DIR]
# Starts MDS + 2 data servers (strata-local; MDS on P, data servers on
# P+1, P+2), writes an 8 MiB file through layouts (1 MiB stripes: 4 on each
# data server), then:
#   1. data server 2 stopped, its stripe objects deleted (a lost disk, its
#      identity kept), started again: reading the file through layouts and
#      through the MDS (--no-pnfs) gives NFS4ERR_IO for exactly its 4
#      pieces, the right bytes for the other 4, and no wrong byte anywhere
#      (strata-bench --workload verify); strata-fsck --scrub lists the file;
#   2. data server 2 started on a wiped directory: quarantined (MDS log,
#      ds_quarantined counter), the file reads as in 1, a new file cannot
#      be written (an error, not silence);
#   3. restarted with --replace (the operator accepts the loss): serving
#      again, a new file written after the loss reads back whole, the old
#      file still reads as in 1 and the scrub still lists it (and only it).
# No sanitizer report may appear in any log.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build; PORT=21450; DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd); shift 2;;
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    *) echo "usage: $0 [--build DIR] [--port P] [--dir DIR]" >&2; exit 2;;
  esac
done
BENCH=$BUILD/tools/strata-bench STAT=$BUILD/tools/strata-stat FSCK=$BUILD/tools/strata-fsck
for b in "$BENCH" "$STAT" "$FSCK" "$BUILD/nfsd/strata-mds" "$BUILD/nfsd/strata-ds"; do
  [ -x "$b" ] || { echo "data-loss: $b not built" >&2; exit 1; }
done
OWN_DIR=0
if [ -z "$DIR" ]; then DIR=$(mktemp -d "${TMPDIR:-/tmp}/data-loss.XXXXXX"); OWN_DIR=1; fi
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
LOCAL="$ROOT/scripts/strata-local"
cleanup() {
  "$LOCAL" down --dir "$DIR" > /dev/null 2>&1 || true
  [ $OWN_DIR = 0 ] || rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "data-loss: FAIL: $*" >&2; exit 1; }
SERVER=127.0.0.1:$PORT
FILE=(--size 8M --io 1M --conns 1 --qd 1)

counter() {  # counter NAME: the MDS's strata-stat counter NAME
  "$STAT" --key "$DIR/cluster.key" "$SERVER" | awk -v k="$1" '$1 == k { print $2 }'
}
# verify TAG OUT [extra]: strata-bench verify of TAG's file into OUT; it
# must finish (no wrong byte: wrong bytes make it exit 1)
verify() {
  local tag=$1 out=$2; shift 2
  "$BENCH" --server "$SERVER" --workload verify --tag "$tag" --keep "${FILE[@]}" "$@" \
    > "$out" 2> "$out.err" || { cat "$out" "$out.err"; fail "verify of $tag ($*): wrong bytes or no answer"; }
}
# expect_lost OUT: 4 pieces ok, 4 NFS4ERR_IO, 0 wrong; the errors are the
# pieces of one data server (every other piece: 1 MiB stripes over 2)
expect_lost() {
  local out=$1 n_ok n_err
  grep -q '^verify: 8 pieces: 4 ok, 4 errors, 0 wrong$' "$out" || { cat "$out"; fail "$out: want 4 ok, 4 errors, 0 wrong"; }
  n_err=$(grep -c '^verify [0-9]* [0-9]* error NFS4ERR_IO' "$out")
  [ "$n_err" = 4 ] || { cat "$out"; fail "$out: errors other than NFS4ERR_IO"; }
  # one parity of piece index holds all the errors
  awk '/^verify [0-9]+ [0-9]+ error/ { p[($2 / 1048576) % 2]++ } END { exit !((p[0] == 4) != (p[1] == 4)) }' "$out" \
    || { cat "$out"; fail "$out: the lost pieces are not one data server's"; }
  n_ok=$(grep -c '^verify [0-9]* [0-9]* ok' "$out")
  [ "$n_ok" = 4 ] || { cat "$out"; fail "$out: want 4 good pieces"; }
}
no_sanitizer() {
  if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$@" 2>/dev/null; then
    fail "sanitizer report in the file(s) above"
  fi
}
scrub() {  # scrub OUT: strata-fsck --scrub into OUT; its exit status
  local rc=0
  "$FSCK" --scrub --server "$SERVER" --key "$DIR/cluster.key" > "$1" 2>&1 || rc=$?
  cat "$1"
  return $rc
}

"$LOCAL" up --dir "$DIR" --port "$PORT" --data-servers 2 --lease 20 --grace 0 \
  --build "$BUILD" > "$DIR/up.out" || { cat "$DIR/up.out"; fail "cluster did not start"; }
"$BENCH" --server "$SERVER" --workload seqwrite --tag lost --keep "${FILE[@]}" \
  > "$DIR/write.out" 2>&1 || { cat "$DIR/write.out"; fail "seqwrite"; }
verify lost "$DIR/before.out"
grep -q '^verify: 8 pieces: 8 ok, 0 errors, 0 wrong$' "$DIR/before.out" || { cat "$DIR/before.out"; fail "the file is not whole before the loss"; }
scrub "$DIR/scrub0.out" || fail "scrub found damage before the loss"

echo "== 1. data server 2 loses its stripe objects"
"$LOCAL" ds-kill --dir "$DIR" --index 2 > /dev/null
find "$DIR/ds2/stripes" -mindepth 2 -type f -delete
[ -f "$DIR/ds2/stripes/identity" ] || fail "the identity went with the objects"
"$LOCAL" ds-start --dir "$DIR" --index 2 > /dev/null
verify lost "$DIR/lost-pnfs.out"
expect_lost "$DIR/lost-pnfs.out"
grep -q 'error NFS4ERR_IO at [0-9]* via-mds' "$DIR/lost-pnfs.out" || { cat "$DIR/lost-pnfs.out"; fail "through layouts the data server should have refused (STALE) first"; }
verify lost "$DIR/lost-mds.out" --no-pnfs
expect_lost "$DIR/lost-mds.out"
echo "layouts and MDS: 4 pieces NFS4ERR_IO, 4 right, 0 wrong"
[ "$(counter data_lost)" -ge 8 ] || fail "data_lost counter $(counter data_lost), want >= 8"
rc=0; scrub "$DIR/scrub1.out" || rc=$?
[ $rc = 1 ] || fail "scrub exit $rc, want 1 (damage found)"
grep -q '^damaged: .* path /lost-large/data: objects missing on data-server slot(s) 1$' "$DIR/scrub1.out" \
  || fail "scrub does not list /lost-large/data as missing on slot 1"

echo "== 2. data server 2 starts on a wiped directory"
"$LOCAL" ds-kill --dir "$DIR" --index 2 > /dev/null
rm -rf "$DIR/ds2"
"$LOCAL" ds-start --dir "$DIR" --index 2 > /dev/null
verify lost "$DIR/wiped.out"
expect_lost "$DIR/wiped.out"
grep -q 'DATA SERVER 1 (127.0.0.1:[0-9]*) QUARANTINED' "$DIR/mds.log" || fail "the MDS log does not report the quarantine"
grep -q 'QUARANTINED by the metadata server' "$DIR/ds2.log" || fail "the data server's log does not report the quarantine"
[ "$(counter ds_quarantined)" = 1 ] || fail "ds_quarantined $(counter ds_quarantined), want 1"
if "$BENCH" --server "$SERVER" --workload seqwrite --tag during --keep "${FILE[@]}" \
     > "$DIR/during.out" 2>&1; then
  cat "$DIR/during.out"; fail "a new file was written with a data server quarantined"
fi
echo "quarantined: reported, old file reads as before, a new file is refused"

echo "== 3. restarted with --replace"
"$LOCAL" ds-kill --dir "$DIR" --index 2 > /dev/null
"$LOCAL" ds-start --dir "$DIR" --index 2 --replace > /dev/null
# The MDS greets a data server that came back within a second or two
# (its keeper); wait for that, as its log says.
for _ in $(seq 1 100); do
  grep -q 'REPLACED' "$DIR/mds.log" && [ "$(counter ds_quarantined)" = 0 ] && break
  sleep 0.1
done
"$BENCH" --server "$SERVER" --workload seqwrite --tag after --keep "${FILE[@]}" \
  > "$DIR/after-write.out" 2>&1 || { cat "$DIR/after-write.out"; fail "seqwrite after --replace"; }
verify after "$DIR/after.out"
grep -q '^verify: 8 pieces: 8 ok, 0 errors, 0 wrong$' "$DIR/after.out" || { cat "$DIR/after.out"; fail "a file written after the loss does not read back whole"; }
grep -q 'REPLACED' "$DIR/mds.log" || fail "the MDS log does not report the replacement"
[ "$(counter ds_quarantined)" = 0 ] || fail "still quarantined after --replace"
verify lost "$DIR/replaced.out"
expect_lost "$DIR/replaced.out"
rc=0; scrub "$DIR/scrub3.out" || rc=$?
[ $rc = 1 ] || fail "scrub exit $rc, want 1"
grep -q 'path /lost-large/data: objects missing on data-server slot(s) 1$' "$DIR/scrub3.out" || fail "scrub lost the damaged file"
if grep -q '/after-large/' "$DIR/scrub3.out"; then fail "scrub lists the file written after the loss"; fi

"$LOCAL" down --dir "$DIR" > /dev/null
no_sanitizer "$DIR"/*.log "$DIR"/*.out.err
echo "data-loss: OK"
