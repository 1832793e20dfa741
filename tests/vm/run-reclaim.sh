#!/bin/bash
# tests/vm/run-reclaim.sh [--port P] [--dir DIR] [--build BUILD] [--lease S] [--grace S]
#                         [--out DIR] [--timeout S] [--env K=V]... [--quiet]
#
# Lock reclaim after SIGKILL, with the stock Linux 6.1 client in a qemu VM
# (guest side: tests/vm/guest/reclaim-test.sh). Starts its own Strata
# (scripts/strata-local, fresh data dir, short lease), boots the VM with two
# NFSv4.1 clients (A through 10.0.2.100:P, B through 10.0.2.101:P from another
# UTS namespace). A's process holds an fcntl write lock and has unflushed data;
# B's process waits in F_SETLKW for the same lock. When the guest writes
# OUT/locked, this script SIGKILLs the server by its PID, restarts it on the same
# data dir and writes OUT/restarted; when the restarted server logs "grace
# period over" it writes OUT/grace-over. The guest checks that A's process
# continues (write, fsync, read back), that B stays blocked until A releases and
# then gets the lock, and the file's sha256 after drop_caches. Here, after the
# VM: the restarted server's log must show A reclaiming its open and its lock on
# the file (CLAIM_PREVIOUS, LOCK reclaim=true), B reclaiming its open (another
# client ID), 2 clients in the grace period and 0 that did not reclaim.
#
#   --port P       server port (default 20680); the guest sees it as 10.0.2.100:P and 10.0.2.101:P
#   --fronts       a 3-node cluster instead (docs/decisions/0024): node 1, the
#                  owner of every partition, on P is the server killed and
#                  restarted (strata-local mds-kill/mds-start); A mounts node 2
#                  (a front, 10.0.2.100:P+7), B node 3 (10.0.2.101:P+8); both
#                  reclaim through their fronts, which tell them to
#                  (SEQ4_STATUS_RESTART_RECLAIM_NEEDED); the checks of the
#                  owner's log are the same
#   --dir DIR      work dir (default /tmp/strata-reclaim); the server's data and
#                  logs in DIR/srv (wiped at start), mds.1.log = the killed instance
#   --build BUILD  build dir with nfsd/strata-mds (default: strata-local's, i.e. build/;
#                  e.g. build-asan for the sanitizer build)
#   --lease S      lease time (default 15); --grace S grace period (default: the lease)
#   --out DIR      artefacts (default DIR/out-<time>): console.log, timings.tsv,
#                  mds.1.log, mds.2.log, host-timings.tsv, ctl/, mountstats.txt
#   --timeout S    whole-VM limit (default 900)
#   --env K=V      to the guest (SIZE1_MB, SIZE2_MB, WAIT_S, ACQUIRE_S)
#   --quiet        do not echo the guest console
# Exit: 0 pass, 1 fail, 2 no result from the VM, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT=20680; DIR=/tmp/strata-reclaim; BUILD=""; LEASE=15; GRACE=""; OUT=""; TIMEOUT=900
ENVS=(); QUIET=(); FRONTS=0
usage() { sed -n '2,37p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    --build) BUILD=$2; shift 2;;
    --lease) LEASE=$2; shift 2;;
    --grace) GRACE=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --env) ENVS+=(--env "$2"); shift 2;;
    --quiet) QUIET=(--quiet); shift;;
    --fronts) FRONTS=1; shift;;
    -h|--help) usage;;
    *) echo "run-reclaim: unknown argument $1" >&2; usage;;
  esac
done
[[ $PORT =~ ^[0-9]+$ && $LEASE =~ ^[0-9]+$ ]] || usage
[ -z "$GRACE" ] || [[ $GRACE =~ ^[0-9]+$ ]] || usage
LOCAL=("$ROOT/scripts/strata-local")
SRV_ARGS=(--dir "$DIR/srv" --port "$PORT" --lease "$LEASE")
[ -n "$GRACE" ] && SRV_ARGS+=(--grace "$GRACE")
[ -n "$BUILD" ] && SRV_ARGS+=(--build "$(cd "$BUILD" && pwd)")
# where the guest's clients mount: the server, or two fronts of a cluster
A_PORT=$PORT; B_PORT=$PORT
if [ $FRONTS = 1 ]; then
  A_PORT=$((PORT + 7)); B_PORT=$((PORT + 8))
  SRV_ARGS+=(--mds 3 --mds-ports "$A_PORT,$B_PORT" --no-metrics)
fi
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
[ -n "$OUT" ] || OUT=$DIR/out-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/ctl"; rm -f "$OUT"/{locked,restarted,grace-over,abort,fileid,timings.tsv,host-timings.tsv,mds.1.log,mds.2.log}

if [ ! -f "$CACHE/env" ]; then
  echo "run-reclaim: preparing VM cache $CACHE"
  "$HERE/prepare.sh" "$CACHE" || { echo "run-reclaim: prepare.sh failed" >&2; exit 3; }
fi
if "${LOCAL[@]}" status --dir "$DIR/srv" >/dev/null 2>&1; then
  echo "run-reclaim: a server is already running on $DIR/srv; stop it first" >&2; exit 3
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "run-reclaim: something already listens on 127.0.0.1:$PORT" >&2; exit 3
fi

SPID=""; VMPID=""
hnow() { date +%s.%N; }
dt() { printf '%.3f' "$(echo "$1 - $2" | bc)"; }
htiming() { printf '%s\t%s\n' "$1" "$2" >> "$OUT/host-timings.tsv"; echo "run-reclaim: $1 $2"; }
cleanup() {
  # only what this script started: its server (strata-local down stops the
  # PID in DIR/srv/mds.pid, which is ours) and its run.sh
  if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then "${LOCAL[@]}" down --dir "$DIR/srv" >/dev/null; fi
  if [ -n "$VMPID" ] && kill -0 "$VMPID" 2>/dev/null; then
    echo "run-reclaim: aborting" > "$OUT/abort"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
abort() { echo "run-reclaim: $*" >&2; printf '%s\n' "$*" > "$OUT/.abort"; mv "$OUT/.abort" "$OUT/abort"; }
start_server() {
  "${LOCAL[@]}" up "${SRV_ARGS[@]}" > "$OUT/strata-local.out" 2>&1 || { cat "$OUT/strata-local.out" >&2; return 1; }
  SPID=$(cat "$DIR/srv/mds.pid")
}
restart_server() { # the killed server again: the whole of it, or node 1 of the cluster
  if [ $FRONTS = 1 ]; then
    "${LOCAL[@]}" mds-start --dir "$DIR/srv" --index 1 >> "$OUT/strata-local.out" 2>&1 ||
      { tail -5 "$OUT/strata-local.out" >&2; return 1; }
    SPID=$(cat "$DIR/srv/mds.pid")
  else
    start_server
  fi
}
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }
# wait_for SECONDS CMD...: poll CMD every 0.1 s while the VM runs; 1 on timeout or VM exit
wait_for() {
  local end; end=$(( SECONDS + $1 )); shift
  until "$@"; do
    alive "$VMPID" || return 1
    [ $SECONDS -ge $end ] && return 1
    sleep 0.1
  done
}

rm -rf "$DIR/srv"
start_server || { echo "run-reclaim: server did not start" >&2; exit 3; }
echo "run-reclaim: server pid $SPID on 127.0.0.1:$PORT, lease ${LEASE}s, grace ${GRACE:-$LEASE}s, data $DIR/srv/data, out $OUT"
[ $FRONTS = 1 ] && echo "run-reclaim: it owns every partition; client A mounts front 127.0.0.1:$A_PORT, B front 127.0.0.1:$B_PORT"

T0=$(hnow)
"$HERE/run.sh" --cache "$CACHE" --port "$A_PORT" --fwd "10.0.2.101:$B_PORT:$B_PORT" --timeout "$TIMEOUT" \
  --out "$OUT" "${QUIET[@]}" --env "NFS_PORT=$A_PORT" --env "NFS_PORT_B=$B_PORT" \
  --env "NFS_SERVER_B=10.0.2.101" --env "NFS_EXPORT=/" \
  "${ENVS[@]}" "$HERE/guest/reclaim-test.sh" &
VMPID=$!

FAILS=()
hfail() { echo "run-reclaim: FAIL: $*"; FAILS+=("$*"); }
ts_of() { awk -v pat="$2" 'index($0, pat) {print $1; exit}' "$1"; }   # log timestamp of the first line with PAT
if wait_for "$TIMEOUT" test -e "$OUT/locked"; then
  # ---- kill -9 and restart
  TL=$(hnow)
  if [ "$(cat "$DIR/srv/mds.pid")" != "$SPID" ] || ! alive "$SPID"; then
    abort "server pid $SPID not running when the guest asked for the kill"
  else
    kill -KILL "$SPID"
    end=$(( SECONDS + 10 )); while alive "$SPID" && [ $SECONDS -lt $end ]; do sleep 0.05; done
    TK=$(hnow)
    if alive "$SPID"; then abort "server pid $SPID survived SIGKILL"
    else
      echo "run-reclaim: SIGKILLed server pid $SPID"
      cp "$DIR/srv/mds.log" "$OUT/mds.1.log"
      if restart_server; then
        TU=$(hnow)
        htiming kill-seconds "$(dt "$TK" "$TL")"
        htiming restart-seconds "$(dt "$TU" "$TK")"
        echo "restarted pid $SPID after SIGKILL (down $(dt "$TU" "$TK")s)" > "$OUT/.restarted"
        mv "$OUT/.restarted" "$OUT/restarted"
        echo "run-reclaim: restarted server pid $SPID"
        # ---- tell the guest when grace is over
        if wait_for $(( ${GRACE:-$LEASE} * 4 + 300 )) grep -q 'grace period over' "$DIR/srv/mds.log"; then
          TG=$(hnow)
          htiming restart-to-grace-over "$(dt "$TG" "$TU")"
          grep 'grace period over' "$DIR/srv/mds.log" > "$OUT/.grace-over"; mv "$OUT/.grace-over" "$OUT/grace-over"
        fi
      else
        abort "restart failed"
      fi
    fi
  fi
fi
wait "$VMPID"; RC=$?; VMPID=""
T1=$(hnow)
htiming vm-wall "$(dt "$T1" "$T0")"

# ---- the server's side
if [ -e "$OUT/restarted" ]; then
  alive "$SPID" || hfail "the restarted server (pid $SPID) is not running at the end"
  if [ $FRONTS = 1 ]; then
    # both clients unmounted: each destroyed its client ID at its front
    # (a session it took for lost after the restart must not keep
    # DESTROY_CLIENTID busy: the client would retry it for 10 s)
    for p in "$A_PORT" "$B_PORT"; do
      n=$("${BUILD:-$ROOT/build}/tools/strata" --server "127.0.0.1:$p" --key "$DIR/srv/cluster.key" --json clients |
          /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
      [ "$n" = 0 ] || hfail "front 127.0.0.1:$p still holds $n client(s) after the umounts"
    done
  fi
  "${LOCAL[@]}" down --dir "$DIR/srv" >/dev/null; SPID=""
  cp "$DIR/srv/mds.log" "$OUT/mds.2.log"
  L=$OUT/mds.2.log
  echo "--- restarted server log (INFO lines about grace/reclaim/clients)"
  grep -E 'grace|reclaim|client' "$L" | sed 's/^/    /'
  FID=$(cat "$OUT/fileid" 2>/dev/null)
  grep -q 'grace period: 2 client(s) may reclaim' "$L" || hfail "no 'grace period: 2 client(s) may reclaim' in $L"
  grep -q 'grace period over (0 client(s) did not reclaim)' "$L" || hfail "no 'grace period over (0 client(s) did not reclaim)' in $L"
  if [ -z "$FID" ]; then hfail "no fileid from the guest"
  else
    # the client with the lock reclaim must have reclaimed its open of the file too
    LOCKERS=$(sed -n "s/.* msg=\"reclaim: client \([0-9a-f]*\) lock fileid $FID\"\$/\1/p" "$L" | sort -u)
    OPENERS=$(sed -n "s/.* msg=\"reclaim: client \([0-9a-f]*\) open fileid $FID\"\$/\1/p" "$L" | sort -u)
    [ "$(echo "$LOCKERS" | grep -c .)" = 1 ] || hfail "want one client reclaiming a lock on fileid $FID, got: ${LOCKERS:-none}"
    [ -n "$LOCKERS" ] && ! grep -qx "$LOCKERS" <<< "$OPENERS" && hfail "client $LOCKERS reclaimed a lock but not its open of $FID"
    [ "$(echo "$OPENERS" | grep -c .)" = 2 ] || hfail "want open reclaims on fileid $FID from 2 clients (A and B), got: ${OPENERS:-none}"
    # in grace: the reclaims come before the end of grace in the log
    NR=$(grep -n " msg=\"reclaim: client .* fileid $FID\"\$" "$L" | tail -1 | cut -d: -f1)
    NE=$(grep -n 'grace period over' "$L" | head -1 | cut -d: -f1)
    [ -n "$NR" ] && [ -n "$NE" ] && [ "$NR" -gt "$NE" ] && hfail "a reclaim is logged after the end of grace (line $NR > $NE)"
    TS=$(ts_of "$L" 'serving NFSv4.1'); TR=$(ts_of "$L" "lock fileid $FID"); TE=$(ts_of "$L" 'grace period over')
    [ -n "$TS" ] && [ -n "$TR" ] && htiming start-to-lock-reclaim "$(dt "$TR" "$TS")"
    [ -n "$TS" ] && [ -n "$TE" ] && htiming start-to-grace-over "$(dt "$TE" "$TS")"
  fi
  if [ $FRONTS = 1 ]; then
    # the fronts told their clients to reclaim, and forwarded it all
    for f in "$DIR"/srv/mds2.log "$DIR"/srv/mds3.log; do
      grep -q 'node 1 restarted (epoch 1 -> 2): 1 client(s) told to reclaim' "$f" ||
        hfail "no 'node 1 restarted ... 1 client(s) told to reclaim' in $f"
    done
  fi
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$OUT/mds.1.log" "$L" \
       $([ $FRONTS = 1 ] && echo "$DIR/srv/mds2.log $DIR/srv/mds3.log"); then
    hfail "sanitizer report in the server log"
  fi
else
  [ $RC = 0 ] && { hfail "the guest passed without a restart?"; }
fi

echo
echo "=== reclaim test (server 127.0.0.1:$PORT, lease ${LEASE}s; out $OUT)"
grep -a '^VMTEST PHASE ' "$OUT/console.log" | tr -d '\r' | sed 's/^VMTEST /  /'
[ -s "$OUT/timings.tsv" ] && sed 's/^/  guest: /' "$OUT/timings.tsv"
[ -s "$OUT/host-timings.tsv" ] && sed 's/^/  host:  /' "$OUT/host-timings.tsv"
if [ $RC = 0 ] && [ ${#FAILS[@]} = 0 ]; then echo "run-reclaim: PASS"; exit 0; fi
if [ $RC -ge 2 ]; then echo "run-reclaim: NO RESULT (run.sh rc=$RC; see $OUT/console.log)"; exit 2; fi
echo "run-reclaim: FAIL (guest rc=$RC; host checks failed: ${#FAILS[@]})"
exit 1
