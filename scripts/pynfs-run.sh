#!/bin/bash
# scripts/pynfs-run.sh --server HOST:PORT [options] [FLAGS_OR_CODES...]
#
# Runs the pynfs NFSv4.x server conformance suite (nfs4.1/testserver.py, built
# by scripts/build-suites.sh outside the tree) against a server, then compares
# the failures with an expected-failure list.
#
#   --server HOST:PORT     server to test (required), e.g. 127.0.0.1:20490
#   --export PATH          exported path to test under (default /export)
#   --minorversion N       1 (default) or 2
#   --out DIR              results dir (default /tmp/pynfs-<timestamp>); holds
#                          pynfs.log (testserver output), results.json (--json),
#                          results.pickle (--outfile), results.txt (CODE RESULT per test),
#                          failures.txt (the failures in expected-list format)
#   --expected FILE        expected-failure list (default pynfs-conf/expected-failures-4.N.txt;
#                          a missing file counts as an empty list)
#   --min-pass N           fail unless at least N tests pass (default 0)
#   --timeout S            SIGINT the run after S seconds (default 3600; results are kept)
#   --write-expected       rewrite the expected list from this run's failures,
#                          keeping the reasons of codes already listed and
#                          marking new ones "# TODO reason"; exits 0 unless the run broke
#   --no-maketree          do not pass --maketree (tree already made)
#   --no-run               do not run pynfs: re-analyse the results already in --out
#                          (e.g. with --write-expected or another --expected)
#   --pynfs-arg ARG        extra argument for testserver.py (repeatable), e.g. --pynfs-arg=--rundeps
#   FLAGS_OR_CODES         testserver.py flags/codes (default: all)
#
# Prints:  pynfs: N passed, M failed (K expected, U unexpected)
# and a second line with the skipped/warned/not-run counts. A test counts as
# passed when its result is PASS or WARNING (UNSUPPORTED counts as a warning
# for pynfs; it is listed separately). Skipped = not run because a dependency
# failed or was unsupported.
# Exit: 0 ok; 1 unexpected failures, pass count below --min-pass, or tests not
# run (interrupted); 2 pynfs did not run / produced no results; 3 usage/setup.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVER=""; EXPORT=/export; MINOR=1; OUT=""; EXPECTED=""; MINPASS=0; TIMEOUT=3600
WRITE=0; MAKETREE=1; NORUN=0; EXTRA=(); FLAGS=()
usage() { sed -n '2,35p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --server) SERVER=$2; shift 2;;
    --server=*) SERVER=${1#*=}; shift;;
    --export) EXPORT=$2; shift 2;;
    --export=*) EXPORT=${1#*=}; shift;;
    --minorversion) MINOR=$2; shift 2;;
    --minorversion=*) MINOR=${1#*=}; shift;;
    --out) OUT=$2; shift 2;;
    --out=*) OUT=${1#*=}; shift;;
    --expected) EXPECTED=$2; shift 2;;
    --expected=*) EXPECTED=${1#*=}; shift;;
    --min-pass) MINPASS=$2; shift 2;;
    --min-pass=*) MINPASS=${1#*=}; shift;;
    --timeout) TIMEOUT=$2; shift 2;;
    --timeout=*) TIMEOUT=${1#*=}; shift;;
    --write-expected) WRITE=1; shift;;
    --no-maketree) MAKETREE=0; shift;;
    --no-run) NORUN=1; shift;;
    --pynfs-arg) EXTRA+=("$2"); shift 2;;
    --pynfs-arg=*) EXTRA+=("${1#*=}"); shift;;
    -h|--help) usage;;
    --) shift; FLAGS+=("$@"); break;;
    -*) echo "pynfs-run: unknown option $1" >&2; usage;;
    *) FLAGS+=("$1"); shift;;
  esac
done
if [ $NORUN = 0 ]; then
  [ -n "$SERVER" ] || { echo "pynfs-run: --server HOST:PORT is required" >&2; usage; }
  [[ $SERVER == *:* ]] || { echo "pynfs-run: --server must be HOST:PORT" >&2; exit 3; }
else
  [ -n "$OUT" ] && [ -s "$OUT/results.pickle" ] || { echo "pynfs-run: --no-run needs --out DIR with results.pickle" >&2; exit 3; }
fi
[[ $MINOR =~ ^[12]$ ]] || { echo "pynfs-run: --minorversion must be 1 or 2" >&2; exit 3; }
[[ $MINPASS =~ ^[0-9]+$ ]] || { echo "pynfs-run: --min-pass needs a number" >&2; exit 3; }
[ ${#FLAGS[@]} -gt 0 ] || FLAGS=(all)
[ -n "$EXPECTED" ] || EXPECTED="$ROOT/pynfs-conf/expected-failures-4.$MINOR.txt"
[ -n "$OUT" ] || OUT=/tmp/pynfs-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
PY=/usr/bin/python3
export PATH=/usr/bin:/bin:$PATH     # not the pyenv shim: pynfs needs Debian's python3-ply

"$ROOT/scripts/build-suites.sh" pynfs || { rc=$?; echo "pynfs-run: build-suites.sh pynfs failed (rc=$rc)" >&2; exit 3; }
S=${STRATA_SUITES_DIR:-/var/tmp/strata-suites}
# shellcheck disable=SC1091
. "$S/suites.env"
[ -n "${PYNFS_DIR:-}" ] && [ -f "$PYNFS_DIR/nfs4.1/testserver.py" ] || { echo "pynfs-run: pynfs not built under $S" >&2; exit 3; }

if [ $NORUN = 0 ]; then
  rm -f "$OUT/results.json" "$OUT/results.pickle" "$OUT/results.txt" "$OUT/failures.txt"
  ARGS=("$SERVER$EXPORT" --minorversion "$MINOR" --json "$OUT/results.json" --outfile "$OUT/results.pickle")
  [ $MAKETREE = 1 ] && ARGS+=(--maketree)
  ARGS+=("${EXTRA[@]}" "${FLAGS[@]}")
  echo "pynfs-run: $PYNFS_DIR ($PYNFS_STAMP)"
  echo "pynfs-run: testserver.py ${ARGS[*]}"
  T0=$(date +%s)
  # SIGINT on timeout: testserver.py still writes its results; SIGTERM would lose them
  (cd "$PYNFS_DIR/nfs4.1" && exec timeout -s INT -k 60 "$TIMEOUT" "$PY" testserver.py "${ARGS[@]}") >"$OUT/pynfs.log" 2>&1
  PRC=$?
  WALL=$(( $(date +%s) - T0 ))
  [ $PRC = 124 ] && echo "pynfs-run: timeout after ${TIMEOUT}s (SIGINT sent)" >&2
  echo "pynfs-run: testserver.py exit $PRC after ${WALL}s; log $OUT/pynfs.log"
  if [ ! -s "$OUT/results.pickle" ]; then
    tail -25 "$OUT/pynfs.log" >&2
    echo "pynfs-run: no results (pynfs did not run)" >&2
    exit 2
  fi
fi
grep -E '^(Command line asked|Of those|Tests interrupted)' "$OUT/pynfs.log" | sed 's/^/pynfs-run: testserver: /'

# ---- analysis: per-test outcomes from the pickle (exact, unlike the JSON, which
# cannot tell "not selected" from "skipped"), compare with the expected list ----
PYNFS_DIR=$PYNFS_DIR OUT=$OUT EXPECTED=$EXPECTED WRITE=$WRITE MINPASS=$MINPASS "$PY" - <<'PYEOF'
import os, sys, pickle, re
_p = os.environ["PYNFS_DIR"]
sys.path[0:0] = [os.path.join(_p, "nfs4.1"), os.path.join(_p, "xdr"), _p]
import io, contextlib
with contextlib.redirect_stdout(io.StringIO()):   # silence "Could not find gssapi module"
    import testmod                      # Test/Result classes for the pickle
out, expected_path = os.environ["OUT"], os.environ["EXPECTED"]
write, minpass = os.environ["WRITE"] == "1", int(os.environ["MINPASS"])
with open(os.path.join(out, "results.pickle"), "rb") as f:
    tests = pickle.load(f)

def outcome(t):
    r = t.result
    if r == testmod.TEST_OMIT and r.default:
        return None                     # not selected by the command line
    return {testmod.TEST_PASS: "PASS", testmod.TEST_WARN: "WARN",
            testmod.TEST_NOTSUP: "UNSUPPORTED", testmod.TEST_FAIL: "FAIL",
            testmod.TEST_OMIT: "SKIP"}.get(r.outcome, "NOTRUN")

# expected list: "CODE  # reason" per line; blank lines and # comments ignored
expected, header = {}, []
if os.path.exists(expected_path):
    for line in open(expected_path):
        s = line.strip()
        if not s or s.startswith("#"):
            if not expected:
                header.append(line.rstrip("\n"))
            continue
        code, _, reason = s.partition("#")
        expected[code.strip()] = reason.strip()
else:
    print("pynfs-run: no expected-failure list at %s (treated as empty)" % expected_path)

res, names, msgs = {}, {}, {}
for t in tests:
    o = outcome(t)
    if o is None:
        continue
    res[t.code], names[t.code], msgs[t.code] = o, t.fullname, t.result.msg
def sortkey(c):
    m = re.match(r"(\D*)(\d*)(.*)", c)
    return (m.group(1), int(m.group(2) or 0), m.group(3))
codes = sorted(res, key=sortkey)
count = lambda *k: sum(1 for c in codes if res[c] in k)
npass = count("PASS", "WARN", "UNSUPPORTED")
fails = [c for c in codes if res[c] == "FAIL"]
exp_f = [c for c in fails if c in expected]
unexp = [c for c in fails if c not in expected]
now_ok = [c for c in codes if c in expected and res[c] in ("PASS", "WARN", "UNSUPPORTED")]
notrun = [c for c in codes if res[c] == "NOTRUN"]

with open(os.path.join(out, "results.txt"), "w") as f:
    for c in codes:
        f.write("%-10s %-12s %s\n" % (c, res[c], names[c]))
def reason_for(c):
    return expected.get(c) or "TODO reason (%s: %s)" % (names[c], " ".join(msgs[c].split())[:120])
with open(os.path.join(out, "failures.txt"), "w") as f:
    for c in fails:
        f.write("%-10s # %s\n" % (c, reason_for(c)))

print("pynfs: %d passed, %d failed (%d expected, %d unexpected)" % (npass, len(fails), len(exp_f), len(unexp)))
print("pynfs: %d run or skipped: %d PASS, %d WARN, %d UNSUPPORTED, %d FAIL, %d skipped (dependency failed)%s"
      % (len(codes) - len(notrun), count("PASS"), count("WARN"), count("UNSUPPORTED"), len(fails), count("SKIP"),
         "; %d not reached (run interrupted)" % len(notrun) if notrun else ""))
for c in unexp:
    print("pynfs: UNEXPECTED FAIL %-8s %s: %s" % (c, names[c], " ".join(msgs[c].split())[:200]))
for c in now_ok:
    print("pynfs: now passing (remove from %s): %s %s" % (os.path.basename(expected_path), c, names[c]))
if notrun:
    print("pynfs: FAIL: the run was interrupted; not reached (selected or not): %s%s"
          % (" ".join(notrun[:12]), " ..." if len(notrun) > 12 else ""))

if write:
    # keep codes that are listed but were not run this time (another flag set)
    keep = {c: r for c, r in expected.items() if c not in res}
    lines = list(header) or [
        "# pynfs expected failures: one test code per line, '#' and the reason after it.",
        "# Rewritten by scripts/pynfs-run.sh --write-expected; see pynfs-conf/README.md."]
    for c in sorted(set(fails) | set(keep), key=sortkey):
        if c in keep:
            lines.append("%-10s # %s" % (c, keep[c]))
        else:
            lines.append("%-10s # %s" % (c, expected.get(c) or "TODO reason (%s)" % names[c]))
    tmp = expected_path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, expected_path)
    print("pynfs-run: wrote %s (%d codes, %d new)" % (expected_path, len(fails) + len(keep),
          sum(1 for c in fails if c not in expected)))
    sys.exit(2 if notrun else 0)

bad = False
if unexp:
    bad = True
if npass < minpass:
    print("pynfs: FAIL: %d passed < --min-pass %d" % (npass, minpass)); bad = True
if notrun:
    bad = True
sys.exit(1 if bad else 0)
PYEOF
ARC=$?
echo "pynfs-run: results in $OUT (results.txt, failures.txt, results.json, pynfs.log)"
exit $ARC
