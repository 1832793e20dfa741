#!/bin/bash
# scripts/start.sh — the main job: install deps, build, start a local Strata
# on loopback with its data under the checkout (./local), print how to mount.
#   STRATA_PORT (default 20490), STRATA_DIR (default ./local)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j2
exec scripts/strata-local up --dir "${STRATA_DIR:-$ROOT/local}" --port "${STRATA_PORT:-20490}"
