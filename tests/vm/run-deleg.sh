#!/bin/bash
# tests/vm/run-deleg.sh --port HOSTPORT [--out DIR] [--log SERVERLOG]
# Two-client delegation recall through the stock Linux client (issue 3,
# item 5): boots the VM with guest/deleg-test.sh against a server on the
# host at 127.0.0.1:HOSTPORT, reachable from the guest at 10.0.2.100 (client
# A) and 10.0.2.101 (client B). With --log, also checks the server's log for
# the CB_RECALL it sent. Exit: 0 pass, 1 fail, 2 no result, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=""; OUT=""; SLOG=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --log) SLOG=$2; shift 2;;
    *) echo "run-deleg: unknown argument $1" >&2; exit 3;;
  esac
done
[[ $PORT =~ ^[0-9]+$ ]] || { sed -n '2,8p' "$0"; exit 3; }
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
[ -f "$CACHE/env" ] || "$HERE/prepare.sh" "$CACHE" || exit 3
[ -n "$OUT" ] || OUT=/tmp/strata-deleg-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
"$HERE/run.sh" --cache "$CACHE" --port "$PORT" --fwd "10.0.2.101:$PORT:$PORT" \
  --timeout 600 --out "$OUT" --quiet --env "NFS_PORT=$PORT" "$HERE/guest/deleg-test.sh"
RC=$?
grep -a '^VMTEST PHASE\|client A:' "$OUT/console.log" | tr -d '\r'
if [ $RC = 0 ] && [ -n "$SLOG" ]; then
  if grep -q 'CB_RECALL sent' "$SLOG"; then echo "server log: CB_RECALL sent"
  else echo "run-deleg: FAIL: no CB_RECALL in $SLOG"; RC=1; fi
fi
[ $RC = 0 ] && echo "run-deleg: PASS" || echo "run-deleg: FAIL (rc=$RC, $OUT/console.log)"
exit $RC
