#!/bin/bash
# scripts/pynfs-reboot.sh --port PORT --dir DIR [--lease S] [--build BUILD] [--soak]
# Runs pynfs's reboot tests (st_reboot) against a local Strata that this
# script starts in DIR; pynfs restarts it through scripts/server-reboot-helper.
# Default lease 15 s and the expected-failure list
# pynfs-conf/expected-failures-4.1-reboot.txt; --soak runs all of them (REBT2c, 3c, 4c too) with a 90 s lease and
# expects every test to pass (about 25 minutes).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=""; DIR=""; LEASE=15; BUILD=$ROOT/build; SOAK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --dir) DIR=$2; shift 2;;
    --lease) LEASE=$2; shift 2;;
    --build) BUILD=$2; shift 2;;
    --soak) SOAK=1; LEASE=90; shift;;
    *) echo "pynfs-reboot: unknown argument $1" >&2; exit 3;;
  esac
done
[ -n "$PORT" ] && [ -n "$DIR" ] || { sed -n '2,8p' "$0"; exit 3; }
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
# pynfs runs the restart hook from its own directory: absolute paths only.
BUILD=$(cd "$BUILD" && pwd)
EXPECTED=$ROOT/pynfs-conf/expected-failures-4.1-reboot.txt
[ $SOAK = 1 ] && EXPECTED=/dev/null
"$ROOT/scripts/strata-local" up --dir "$DIR/srv" --port "$PORT" --lease "$LEASE" --build "$BUILD" >/dev/null
trap '"$ROOT/scripts/strata-local" down --dir "$DIR/srv" >/dev/null 2>&1 || true' EXIT
FLAGS=(reboot)
# Without the soak, skip the 1000-client variants (listed in $EXPECTED).
[ $SOAK = 1 ] || FLAGS=(REBT1 REBT2a REBT2b REBT3a REBT3b REBT4a REBT4b REBT5)
"$ROOT/scripts/pynfs-run.sh" --server 127.0.0.1:$PORT --export / --minorversion 1 \
  --out "$DIR/pynfs" --expected "$EXPECTED" --min-pass ${#FLAGS[@]} \
  --timeout $([ $SOAK = 1 ] && echo 3600 || echo 900) \
  --pynfs-arg=--serverhelper="$ROOT/scripts/server-reboot-helper" \
  --pynfs-arg=--serverhelperarg="$DIR/srv $PORT $LEASE $BUILD" "${FLAGS[@]}"
