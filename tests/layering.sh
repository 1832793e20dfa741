#!/bin/sh
# tests/layering.sh — the servers' layers depend one way only
# (docs/decisions/0023-layers.md). Runs tests/layering.py, which maps each C
# file of nfsd/, pnfs/, metadata/, layout/, datastore/, tiering/ and tools/
# to its layer by the table at its top and fails, listing them, on every
# #include "..." of a higher layer's header and on every cycle between
# layers. Reads the sources only (no build needed); well under a second.
#
#   tests/layering.sh [SOURCE_ROOT]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/layering.py" "${1:-$here/..}"
