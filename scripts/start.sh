#!/bin/bash
# scripts/start.sh — the main job: install deps, build, start a local Strata
# cluster on loopback with its data under the checkout (./local): an MDS on
# STRATA_PORT and STRATA_DATA_SERVERS pNFS data servers on the next ports;
# print how to mount.
#   STRATA_PORT (default 20490), STRATA_DIR (default ./local),
#   STRATA_DATA_SERVERS (default 2; 0 = a single node without pNFS)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j2
exec scripts/strata-local up --dir "${STRATA_DIR:-$ROOT/local}" --port "${STRATA_PORT:-20490}" \
  --data-servers "${STRATA_DATA_SERVERS:-2}"
