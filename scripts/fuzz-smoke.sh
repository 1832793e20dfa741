#!/bin/bash
# scripts/fuzz-smoke.sh — build the libFuzzer targets with clang (ASan +
# UBSan + fuzzer coverage) in build-fuzz/ and run each for a bounded time:
# fuzz_compound (an RPC message through COMPOUND) for 3/4 of SECONDS and
# fuzz_rpcrdma (the RPC-over-RDMA header and chunk-list decoder and the
# reply plan) for the rest. Exits non-zero if either fuzzer reports
# anything (crash, sanitizer error, leak, timeout, malloc or RSS limit);
# both run even if the first fails. Reproducers are left in
# build-fuzz/fuzz-artifacts/ (fuzz_rpcrdma's with an "rpcrdma-" prefix).
#
#   scripts/fuzz-smoke.sh [SECONDS]      default 60 (or $FUZZ_TIME), in all
#
# Env: FUZZ_JOBS (make -j, default 2), FUZZ_EXTRA (extra libFuzzer flags).
#
# The limits are deliberate and the same for both targets:
# -rss_limit_mb=2048 -malloc_limit_mb=1024.
# libtirpc's xdr_array/xdr_bytes allocate count*size before reading the
# elements (docs/decisions/0001-xdr-rpcgen-libtirpc.md), so a lying array
# length trips the malloc limit; that is a finding to fix in the server
# (bound the arrays), not a reason to raise the limit here.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}
TIME=${1:-${FUZZ_TIME:-60}}
JOBS=${FUZZ_JOBS:-2}

command -v clang >/dev/null || { echo "fuzz-smoke: clang not found" >&2; exit 2; }

echo "=== build ($BUILD)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug \
	-DCMAKE_C_COMPILER=clang -DSTRATA_FUZZ=ON -DSTRATA_SANITIZE=ON >/dev/null
make -C "$BUILD" -j"$JOBS" fuzz_compound fuzz_seed_writer fuzz_rpcrdma \
	fuzz_rpcrdma_seeds

CORPUS=$BUILD/fuzz-corpus
CORPUS_RDMA=$BUILD/fuzz-corpus-rpcrdma
ARTIFACTS=$BUILD/fuzz-artifacts
mkdir -p "$CORPUS" "$CORPUS_RDMA" "$ARTIFACTS"
"$BUILD/tests/fuzz/fuzz_seed_writer" "$CORPUS" >/dev/null
"$BUILD/tests/fuzz/fuzz_rpcrdma_seeds" "$CORPUS_RDMA"
if [ -d "$ROOT/tests/fuzz/corpus" ]; then
	cp -n "$ROOT"/tests/fuzz/corpus/* "$CORPUS"/ 2>/dev/null || true
fi

# The in-process server's data directory (removed at a clean exit; a
# crash leaves it here).
export TMPDIR=$BUILD/fuzz-tmp
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"

# 3/4 of the time to COMPOUND, the rest (at least 1 s) to RPC-over-RDMA.
TIME_RDMA=$((TIME / 4))
[ "$TIME_RDMA" -ge 1 ] || TIME_RDMA=1
TIME_COMPOUND=$((TIME - TIME_RDMA))
[ "$TIME_COMPOUND" -ge 1 ] || TIME_COMPOUND=1

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# run_target NAME CORPUS SECONDS ARTIFACT_PREFIX: 0 if clean.
run_target() {
	local name=$1 corpus=$2 secs=$3 prefix=$4 rc
	echo "=== $name: fuzz for ${secs}s"
	set +e
	# shellcheck disable=SC2086
	"$BUILD/tests/fuzz/$name" "$corpus" \
		-max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
		-timeout=25 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$prefix" ${FUZZ_EXTRA:-} 2>&1 |
		tee "$BUILD/$name.log"
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -ne 0 ]; then
		echo "=== $name: FAILED (exit $rc); rerun one:" \
			"$BUILD/tests/fuzz/$name <file>" >&2
	fi
	return "$rc"
}

failed=0
run_target fuzz_compound "$CORPUS" "$TIME_COMPOUND" "$ARTIFACTS/" || failed=1
run_target fuzz_rpcrdma "$CORPUS_RDMA" "$TIME_RDMA" "$ARTIFACTS/rpcrdma-" ||
	failed=1
if [ "$failed" -ne 0 ]; then
	echo "=== fuzz-smoke: FAILED; reproducers:" >&2
	ls -l "$ARTIFACTS" >&2
	exit 1
fi
echo "=== fuzz-smoke: no findings in ${TIME}s (compound ${TIME_COMPOUND}s, rpcrdma ${TIME_RDMA}s)"
