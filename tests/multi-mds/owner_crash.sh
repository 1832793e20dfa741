#!/bin/bash
# tests/multi-mds/owner_crash.sh -- the owner SIGKILLed, again and again,
# under a create/write/rename/remove workload that goes through a front.
#
#   owner_crash.sh --dir SRVDIR --owner PORT --front PORT --out DIR
#                  [--kills N] [--every K] [--seed S] [--local SCRIPT]
#                  [--index I] [--spread]
#
# SRVDIR is a running `strata-local up --mds 2` cluster (node 1 the owner
# on PORT --owner, node 2 a front on --front). A workload
# (tests/crash/crash_workload.py run --survive-restarts) works through the
# front; after every K acknowledged operations (default 40) node 1 is
# SIGKILLed and started again (N times, default 2), and once more K
# operations must be acknowledged after the last restart. The workload
# fails on any non-OK answer it cannot explain by the restart (a retried
# CREATE answering EXIST, a REMOVE answering NOENT, an I/O error): the
# front must hold a request whose answer died with the owner and send it
# again, and the owner must answer it from its record or run it once
# (docs/decisions/0024, "retried sub-compounds"). Then the workload is
# stopped and its journal verified through the front and straight at the
# owner (crash_workload.py verify: the namespace is exactly the
# acknowledged one, every stable write reads back).
#
# --index I: kill node I instead of node 1 (--owner is then node I's
# port). --spread: the cluster's partitions have several owners
# (strata-local up --spread): renames of names on two nodes run as
# cross-node transactions (nfsd/xtx_task.h), the killed node a participant
# or the coordinator of some; an NFS4ERR_XDEV (not expected for files any
# more) would be journalled as refused (crash_workload.py --xdev-ok).
#
# Needs pynfs ($PYNFS_DIR or $STRATA_PYNFS). Exit 0 passed, 1 failed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LOCAL=$ROOT/scripts/strata-local
SRV=""; OWNER=""; FRONT=""; OUT=""; KILLS=2; EVERY=40; SEED=1; INDEX=1; XDEV=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) SRV=$2; shift 2;;
    --owner) OWNER=$2; shift 2;;
    --front) FRONT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --kills) KILLS=$2; shift 2;;
    --every) EVERY=$2; shift 2;;
    --seed) SEED=$2; shift 2;;
    --local) LOCAL=$2; shift 2;;
    --index) INDEX=$2; shift 2;;
    --spread) XDEV=--xdev-ok; shift;;
    *) echo "owner_crash: unknown argument $1" >&2; exit 2;;
  esac
done
[ -n "$SRV" ] && [ -n "$OWNER" ] && [ -n "$FRONT" ] && [ -n "$OUT" ] ||
  { sed -n '4,6p' "$0" >&2; exit 2; }
export STRATA_PYNFS=${STRATA_PYNFS:-${PYNFS_DIR:-/var/tmp/strata-suites/pynfs}}
WL=$ROOT/tests/crash/crash_workload.py
mkdir -p "$OUT"; J=$OUT/workload.journal; rm -f "$J"
fail() { echo "owner_crash: FAIL: $*" >&2; [ -n "${WPID:-}" ] && kill "$WPID" 2>/dev/null; exit 1; }

acked() { # acknowledged operations in the journal so far
  local n
  n=$(grep -vc '^pending' "$J" 2>/dev/null) || true
  echo "${n:-0}"
}
wait_acked() { # wait_acked N: until N are acknowledged (the workload alive)
  local deadline=$((SECONDS + 120))
  while [ "$(acked)" -lt "$1" ]; do
    kill -0 "$WPID" 2>/dev/null || { cat "$OUT/workload.out" >&2; fail "the workload stopped at $(acked) acknowledged ops"; }
    [ $SECONDS -lt $deadline ] || fail "no progress to $1 acknowledged ops in 120 s (at $(acked))"
    sleep 0.1
  done
}

/usr/bin/python3 "$WL" run --port "$FRONT" --journal "$J" --top "oc$SEED-$$" --seed "$SEED" \
  --survive-restarts $XDEV > "$OUT/workload.out" 2>&1 &
WPID=$!
target=$EVERY
for k in $(seq 1 "$KILLS"); do
  wait_acked "$target"
  "$LOCAL" mds-kill --dir "$SRV" --index "$INDEX" > /dev/null || fail "mds-kill"
  t0=$SECONDS
  "$LOCAL" mds-start --dir "$SRV" --index "$INDEX" > /dev/null || fail "mds-start"
  echo "owner_crash: kill $k at $(acked) acknowledged ops; owner back after $((SECONDS - t0)) s"
  target=$(($(acked) + EVERY))
done
wait_acked "$target"
kill "$WPID"; wait "$WPID" 2>/dev/null; WPID=""
n=$(acked)
echo "owner_crash: $n operations acknowledged through the front across $KILLS owner kills"
/usr/bin/python3 "$WL" verify --port "$FRONT" --journal "$J" > "$OUT/verify-front.out" 2>&1 ||
  { tail -20 "$OUT/verify-front.out" >&2; fail "verify through the front"; }
/usr/bin/python3 "$WL" verify --port "$OWNER" --journal "$J" > "$OUT/verify-owner.out" 2>&1 ||
  { tail -20 "$OUT/verify-owner.out" >&2; fail "verify at the owner"; }
echo "owner_crash: PASS (the namespace is the acknowledged one, through the front and at the owner)"
