#!/bin/bash
# tests/crash/run-crash.sh — crash consistency under SIGKILL.
#
#   tests/crash/run-crash.sh --port P [--rounds N] [--dir D] [--build BUILD]
#                            [--ops K] [--workers W] [--seed S] [--timeout S]
#
#   --port P      port for the server (required)
#   --rounds N    crash rounds (default 3)
#   --dir D       scratch dir (default /tmp/strata-crash); D/srv holds the
#                 server (one data dir for all rounds), D/rN/ each round's
#                 journal, logs, fsck output and a copy of the crash image.
#                 D/srv and D/r* are wiped at start.
#   --build B     build dir with nfsd/strata-mds and tools/strata-fsck
#                 (default <repo>/build; e.g. build-asan for the ASan server —
#                 set ASAN_OPTIONS yourself, e.g. detect_leaks=0:abort_on_error=1)
#   --ops K       kill after K acknowledged ops in all (default: varies per
#                 round, 100..599, from the seed)
#   --workers W   concurrent workload clients, each single-threaded with its
#                 own journal and top directory rNwI (default 2)
#   --seed S      workload seed (round r, worker i uses S*1000+r*10+i; default 1)
#   --timeout S   bound on each wait for progress (default 120)
#
# Each round: start the server (lease 20) on D/srv; run the workloads
# (tests/crash/crash_workload.py run, top directories rNwI) in the
# background; wait until their journals hold K acknowledged ops in all;
# SIGKILL the server by the PID in D/srv/mds.pid; kill the workloads (they
# wait for replies that never come); copy the crash image of the
# namespace and run strata-fsck on the copy (must exit 0; the copy keeps the
# server's own recovery at restart under test); restart the server on the
# same data; verify journals r1..rN (crash_workload.py verify: the namespace
# is exactly the acknowledged one, up to the one in-flight op, and every
# FILE_SYNC/COMMITted write reads back); stop the server cleanly and fsck
# the recovered namespace (must exit 0).
#
# Prints a summary per round and `crash: N passed, M failed`.
# Exit: 0 all rounds passed; 1 a round failed; 3 usage/setup error.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/crash
PORT=""; ROUNDS=3; DIR=/tmp/strata-crash; BUILD=$ROOT/build; OPS=""; SEED=1
WORKERS=2
TIMEOUT=120
usage() { sed -n '2,36p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --rounds) ROUNDS=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    --build) BUILD=$2; shift 2;;
    --ops) OPS=$2; shift 2;;
    --seed) SEED=$2; shift 2;;
    --workers) WORKERS=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    -h|--help) usage;;
    *) echo "run-crash: unknown argument $1" >&2; usage;;
  esac
done
[[ $PORT =~ ^[0-9]+$ ]] || { echo "run-crash: --port P is required" >&2; usage; }
[[ $ROUNDS =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ && $TIMEOUT =~ ^[0-9]+$ ]] || usage
[[ $WORKERS =~ ^[1-9][0-9]*$ ]] || usage
[ -z "$OPS" ] || [[ $OPS =~ ^[0-9]+$ ]] || usage
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD;; esac
MDS=$BUILD/nfsd/strata-mds; FSCK=$BUILD/tools/strata-fsck
[ -x "$MDS" ] && [ -x "$FSCK" ] || {
  echo "run-crash: $MDS or $FSCK not built (make -C $BUILD strata-mds strata-fsck)" >&2; exit 3; }
export PATH=/usr/bin:/bin:$PATH          # Debian python3 (pynfs needs python3-ply)
PY=/usr/bin/python3
export STRATA_PYNFS=${STRATA_PYNFS:-/var/tmp/strata-suites/pynfs}
[ -f "$STRATA_PYNFS/nfs4.1/nfs4client.py" ] || {
  echo "run-crash: pynfs not found at $STRATA_PYNFS (scripts/build-suites.sh pynfs)" >&2; exit 3; }
LOCAL=$ROOT/scripts/strata-local
WL=$HERE/crash_workload.py
SRV=$DIR/srv
PIDF=$SRV/mds.pid

# A killed server is reparented to PID 1, which may reap it late: a zombie
# counts as dead here (kill -0 would still succeed on it, and so would
# strata-local's "already running" check, hence the stale mds.pid removal).
alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st:0:1}" != Z ]
}
server_pid() { [ -f "$PIDF" ] && cat "$PIDF"; }

WPIDS=()
stop_workloads() {
  local w
  for w in "${WPIDS[@]}"; do
    alive "$w" && kill -KILL "$w" 2>/dev/null
    wait "$w" 2>/dev/null
  done
  WPIDS=()
}
cleanup() {
  stop_workloads
  local p; p=$(server_pid)
  if [ -n "$p" ] && alive "$p"; then "$LOCAL" down --dir "$SRV" >/dev/null 2>&1; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

p=$(server_pid)
if [ -n "$p" ] && alive "$p"; then
  echo "run-crash: a server is still running on $SRV (pid $p); stop it first" >&2; exit 3
fi
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd); SRV=$DIR/srv; PIDF=$SRV/mds.pid
rm -rf "$SRV" "$DIR"/r[0-9]*
mkdir -p "$SRV"

acks() { cat "$@" 2>/dev/null | grep -vc '^pending ' || true; }
inflight() {   # the in-flight op of each journal
  local j l
  for j in "$@"; do
    l=$(tail -n 1 "$j" 2>/dev/null | sed -n 's/^pending //p')
    [ -z "$l" ] || echo "$(basename "$j" .log): $l"
  done
}
start_server() {  # $1 = name for the launcher's output in $RD
  local p; p=$(server_pid)
  if [ -n "$p" ] && ! alive "$p"; then rm -f "$PIDF"; fi   # stale (killed) server
  # strata-local truncates mds.out in the background child, so its READY poll
  # can see the previous instance's READY line and then give up on an empty
  # file ("no READY"). Remove the old one first.
  rm -f "$SRV/mds.out"
  if "$LOCAL" up --dir "$SRV" --port "$PORT" --lease 20 --build "$BUILD" > "$RD/$1.up" 2>&1; then
    return 0
  fi
  # A server it launched but gave up on is still ours: stop it.
  p=$(server_pid)
  if [ -n "$p" ] && alive "$p"; then "$LOCAL" down --dir "$SRV" >/dev/null 2>&1; fi
  return 1
}
sanitizer_errors() { grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$@" 2>/dev/null; }

pass=0; fail=0; JOURNALS=()
echo "run-crash: server $MDS, port $PORT, $ROUNDS round(s), data in $SRV"
for r in $(seq 1 "$ROUNDS"); do
  RD=$DIR/r$r; mkdir -p "$RD"
  JR=()
  for i in $(seq 1 "$WORKERS"); do
    J=$RD/journal-w$i.log; : > "$J"; JR+=("$J"); JOURNALS+=(--journal "$J")
  done
  K=${OPS:-$(( 100 + (SEED * 7919 + r * 211) % 500 ))}
  bad=(); note=""
  echo "--- round $r: kill after $K acknowledged ops"

  if ! start_server mds-start; then
    bad+=("server did not start: $(tail -5 "$RD/mds-start.up" | tr '\n' ' ')")
  else
    for i in $(seq 1 "$WORKERS"); do
      "$PY" "$WL" run --port "$PORT" --journal "$RD/journal-w$i.log" --top "r${r}w$i" \
        --seed $(( SEED * 1000 + r * 10 + i )) > "$RD/workload-w$i.out" 2>&1 &
      WPIDS+=($!)
    done
    # Event-driven wait on observable progress: the journals' ack count.
    deadline=$(( SECONDS + TIMEOUT )); waited=ok
    while [ "$(acks "${JR[@]}")" -lt "$K" ]; do
      for i in "${!WPIDS[@]}"; do
        alive "${WPIDS[$i]}" || waited="workload w$((i + 1)) exited early: $(tail -3 "$RD/workload-w$((i + 1)).out" | tr '\n' ' ')"
      done
      [ "$waited" = ok ] || break
      p=$(server_pid)
      if ! alive "$p"; then waited="server died on its own (see $RD/mds-crash.log)"; break; fi
      if [ $SECONDS -ge $deadline ]; then waited="timeout: $(acks "${JR[@]}") < $K acks after ${TIMEOUT}s"; break; fi
      sleep 0.05
    done
    [ "$waited" = ok ] || bad+=("$waited")
    SPID=$(server_pid)
    if [ -n "$SPID" ] && alive "$SPID"; then
      kill -KILL "$SPID"
      for _ in $(seq 1 200); do alive "$SPID" || break; sleep 0.05; done
      alive "$SPID" && bad+=("server pid $SPID survived SIGKILL")
    fi
    # The workloads now wait for replies that will never come; stop them.
    stop_workloads
    # (pynfs's polling thread may print a traceback once the socket dies:
    # expected. A non-OK reply before the kill is a failure.)
    for i in $(seq 1 "$WORKERS"); do
      if grep -q '^crash_workload: server error' "$RD/workload-w$i.out"; then
        bad+=("workload w$i: $(grep '^crash_workload: server error' "$RD/workload-w$i.out")")
      fi
    done
    rm -f "$PIDF"
    cp "$SRV/mds.log" "$RD/mds-crash.log" 2>/dev/null
    note="$(acks "${JR[@]}") acked ops at kill"
    echo "    killed server pid $SPID: $note; in flight:"
    inflight "${JR[@]}" | sed 's/^/      /'

    # fsck the crash image (a copy, so that the restart does its own recovery)
    cp -a --sparse=always "$SRV/data/meta" "$RD/meta-at-crash"
    if "$FSCK" --dir "$RD/meta-at-crash" > "$RD/fsck-crash.txt" 2>&1; then
      echo "    fsck (crash image): clean — $(grep -o 'replayed [0-9]* pending intent(s)' "$RD/fsck-crash.txt")"
    else
      bad+=("fsck of the crash image failed (rc $?), see $RD/fsck-crash.txt")
      sed 's/^/    | /' "$RD/fsck-crash.txt" | head -40
    fi

    if ! start_server mds-restart; then
      bad+=("server did not restart: $(tail -5 "$RD/mds-restart.up" | tr '\n' ' ')")
      cp "$SRV/mds.log" "$RD/mds-restart.log" 2>/dev/null
    else
      if "$PY" "$WL" verify --port "$PORT" "${JOURNALS[@]}" > "$RD/verify.txt" 2>&1; then :; else
        bad+=("verify failed, see $RD/verify.txt")
      fi
      sed 's/^/    /' "$RD/verify.txt"
      p=$(server_pid)
      alive "$p" || bad+=("server died during verify")
      "$LOCAL" down --dir "$SRV" > /dev/null 2>&1
      cp "$SRV/mds.log" "$RD/mds-restart.log" 2>/dev/null
      if "$FSCK" --dir "$SRV/data/meta" > "$RD/fsck-after.txt" 2>&1; then
        echo "    fsck (after restart + verify): clean"
      else
        bad+=("fsck after recovery failed, see $RD/fsck-after.txt")
        sed 's/^/    | /' "$RD/fsck-after.txt" | head -40
      fi
    fi
    s=$(sanitizer_errors "$RD/mds-crash.log" "$RD/mds-restart.log")
    [ -z "$s" ] || bad+=("sanitizer report in $s")
  fi

  if [ ${#bad[@]} -eq 0 ]; then
    pass=$((pass + 1)); echo "round $r: PASS ($note)"
  else
    fail=$((fail + 1)); echo "round $r: FAIL ($note)"
    for b in "${bad[@]}"; do echo "    - $b"; done
    for J in "${JR[@]}"; do
      echo "    journal tail ($J):"; tail -n 6 "$J" | sed 's/^/    | /'
    done
  fi
done
echo "crash: $pass passed, $fail failed"
[ $fail -eq 0 ]
