#!/bin/bash
# tests/s3/run-s3.sh — the tier's s3 backend against a real S3 server
# (OpenStack Swift with s3api, started here on 127.0.0.1 and stopped by its
# PIDs; tests/s3/swift.sh). Stand-alone:
#
#   tests/s3/run-s3.sh [--build build] [--port 28080] [--dir /tmp/strata-s3]
#
# Through strata-tier-probe (the backend) it puts and gets a small object
# (path-style and virtual-hosted) and an empty one, uploads a 72 MiB file
# as a multipart upload with parallel parts and reads it back, reads ranges
# at every part boundary, lists with paging, and deletes. Every object is
# also checked by an independent client (curl --aws-sigv4: sha256 of its
# GET, 404 after delete). A wrong secret must be refused (HTTP 403
# SignatureDoesNotMatch, in the error and the log, 1 attempt, the secret
# never printed) with nothing written; a stopped server must be retried
# with backoff, then reported; a TLS server of an unknown CA refused, and
# trusted with --ca-file (openssl s_server on PORT+5). Prints the
# multipart throughput and the step's time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=build PORT=28080 DIR=/tmp/strata-s3
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift 2 ;;
	--port) PORT=$2; shift 2 ;;
	--dir) DIR=$2; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--port N] [--dir DIR]" >&2; exit 2 ;;
	esac
done
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PROBE=$BUILD/tests/s3/strata-tier-probe
[ -x "$PROBE" ] || { echo "run-s3: $PROBE not built" >&2; exit 1; }
T0=$(date +%s.%N)
rm -rf "$DIR"; mkdir -p "$DIR"
SW=$DIR/swift
cleanup() { "$ROOT/tests/s3/swift.sh" stop "$SW" || true; }
trap cleanup EXIT
"$ROOT/tests/s3/swift.sh" start "$SW" "$PORT"

EP=http://127.0.0.1:$PORT BUCKET=strata-tier-test REGION=us-east-1
CRED=$SW/credentials
PASS=0
ok() { PASS=$((PASS + 1)); echo "ok $PASS - $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }
probe() { "$PROBE" --endpoint "$EP" --bucket $BUCKET --credentials "$CRED" "$@"; }

# The independent client: curl's own SigV4. The access key holds ':', so
# the credentials go through a netrc file, never the command line.
printf 'machine 127.0.0.1\nlogin %s\npassword %s\n' \
	"$(sed -n 1p "$CRED")" "$(sed -n 2p "$CRED")" > "$DIR/netrc"
chmod 600 "$DIR/netrc"
icurl() { curl -sS --netrc-file "$DIR/netrc" --aws-sigv4 "aws:amz:$REGION:s3" \
	-H x-amz-content-sha256:UNSIGNED-PAYLOAD "$@"; }
status() { icurl -o /dev/null -w '%{http_code}' "$@"; }
indep_sha() { icurl -f "$EP/$BUCKET/$1" | sha256sum | cut -d' ' -f1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# A 5xx right after the start (a server still opening its databases) is
# tried again, a bounded number of times, as any client would.
for i in $(seq 20); do
	code=$(status -X PUT "$EP/$BUCKET")
	case $code in 5*) sleep 0.2 ;; *) break ;; esac
done
[ "$code" = 200 ] || { tail -5 "$SW"/log/*.log; die "create bucket: HTTP $code"; }
ok "bucket created (independent client)"

# --- a small object, path-style --------------------------------------------
head -c 4099 /dev/urandom > "$DIR/small"
K1=strata/v1/3c/0300000000001a2f-00000001-0000000000000001
probe put $K1 "$DIR/small" > "$DIR/out" || die "put small"
grep -q "size=4099 " "$DIR/out" || die "put small: $(cat "$DIR/out")"
[ "$(indep_sha $K1)" = "$(sha "$DIR/small")" ] || die "small: sha256 differs (curl)"
probe get $K1 0 4099 "$DIR/small.back" >/dev/null
cmp -s "$DIR/small" "$DIR/small.back" || die "small: get differs"
probe get $K1 4000 1000 "$DIR/small.tail" >/dev/null
cmp -s <(tail -c 99 "$DIR/small") "$DIR/small.tail" || die "small: tail range"
probe head $K1 | grep -q "^size=4099 " || die "small: head"
ok "small object: put, get, ranged get, head; sha256 equal by curl"

# --- an empty object ---------------------------------------------------------
: > "$DIR/empty"
K0=strata/v1/5d/0300000000001a2e-00000001-0000000000000001
probe put $K0 "$DIR/empty" >/dev/null || die "put empty"
[ "$(indep_sha $K0)" = "$(sha "$DIR/empty")" ] || die "empty: sha256 differs (curl)"
probe head $K0 | grep -q "^size=0 " || die "empty: head"
probe get $K0 0 100 "$DIR/empty.back" | grep -q " 0 bytes" || die "empty: get"
probe del $K0 >/dev/null || die "empty: del"
ok "empty object: put, head, get (0 bytes), delete; sha256 equal by curl"

# --- virtual-hosted addressing (BUCKET.localhost; curl resolves it) --------
K2=strata/v1/7e/0300000000001a30-00000001-0000000000000001
"$PROBE" --endpoint "http://localhost:$PORT" --virtual --bucket $BUCKET \
	--credentials "$CRED" put $K2 "$DIR/small" >/dev/null || die "virtual put"
[ "$(indep_sha $K2)" = "$(sha "$DIR/small")" ] || die "virtual: sha256 differs"
ok "virtual-hosted put; sha256 equal by curl (path-style)"

# --- a multipart upload: 72 MiB + 12345 bytes, 8 MiB parts, 4 in flight -----
head -c $((72 * 1048576 + 12345)) /dev/urandom > "$DIR/big"
K3=strata/v1/a1/0300000000001a31-00000001-0000000000000002
probe --part-mib 8 --parallel 4 put $K3 "$DIR/big" > "$DIR/out" 2>"$DIR/err" ||
	{ cat "$DIR/err"; die "multipart put"; }
cat "$DIR/out"
grep -q "size=$((72 * 1048576 + 12345)) etag=[0-9a-f]*-10 " "$DIR/out" ||
	die "multipart: not 10 parts: $(cat "$DIR/out")"
MBS=$(sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p' "$DIR/out")
[ "$(indep_sha $K3)" = "$(sha "$DIR/big")" ] || die "multipart: sha256 differs (curl)"
ok "multipart upload of 72 MiB in 10 parts ($MBS MB/s); sha256 equal by curl"
probe get $K3 0 $((72 * 1048576 + 12345)) "$DIR/big.back" > "$DIR/out"
cmp -s "$DIR/big" "$DIR/big.back" || die "multipart: whole get differs"
GMBS=$(sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p' "$DIR/out")
ok "whole get of the 72 MiB object in one ranged GET ($GMBS MB/s)"
probe ranges $K3 "$DIR/big" $((8 * 1048576)) 2>"$DIR/err" || { cat "$DIR/err"; die "ranges"; }
ok "ranged reads at every part boundary match"

# --- listing, paged (2 a page); the listing may trail the PUTs in Swift, so
# poll it (bounded), but existence was proven by HEAD/GET above ------------
for i in $(seq 50); do
	probe list strata/v1/ 2 > "$DIR/list" 2>"$DIR/err" || { cat "$DIR/err"; die "list"; }
	[ "$(wc -l < "$DIR/list")" = 3 ] && break
	sleep 0.1
done
[ "$(cut -d' ' -f1 "$DIR/list" | tr '\n' ' ')" = "$K1 $K2 $K3 " ] ||
	die "list: $(cat "$DIR/list")"
grep -q "^$K3 $((72 * 1048576 + 12345))$" "$DIR/list" || die "list: size"
ok "list by prefix, 2 keys a page: all 3 keys in order with sizes"

# --- a wrong secret: refused, clear, not retried, nothing written ----------
printf '%s\n%s\n' "$(sed -n 1p "$CRED")" "not-the-secret-x9" > "$DIR/badcred"
for what in small big; do
	K=strata/v1/00/00000000000000ff-00000001-00000000000000$([ $what = small ] && echo 0a || echo 0b)
	if "$PROBE" --endpoint "$EP" --bucket $BUCKET --credentials "$DIR/badcred" \
		--part-mib 8 put $K "$DIR/$what" > "$DIR/out" 2> "$DIR/err"; then
		die "wrong secret: put $what succeeded"
	fi
	grep -q '^error: .*HTTP 403 SignatureDoesNotMatch: .*(1 attempt)' "$DIR/err" ||
		die "wrong secret: unclear error: $(cat "$DIR/err")"
	grep -q '^log: level=0 .*HTTP 403 SignatureDoesNotMatch' "$DIR/err" ||
		die "wrong secret: not logged"
	grep -q 'not-the-secret-x9' "$DIR/out" "$DIR/err" && die "wrong secret: secret printed"
	[ "$(status -I "$EP/$BUCKET/$K")" = 404 ] || die "wrong secret: $K exists"
done
ok "wrong secret: HTTP 403 SignatureDoesNotMatch in error and log, 1 attempt, nothing written (curl HEAD 404)"

# --- delete: gone for the backend and for curl ------------------------------
for K in $K1 $K2 $K3; do
	probe del $K >/dev/null || die "del $K"
	[ "$(status -I "$EP/$BUCKET/$K")" = 404 ] || die "del: $K still there (curl)"
	if probe head $K >/dev/null 2>"$DIR/err"; then die "head after del"; fi
	grep -q "HTTP 404" "$DIR/err" || die "head after del: $(cat "$DIR/err")"
done
probe del $K1 >/dev/null || die "deleting a missing key must succeed"
ok "delete: HEAD 404 by curl and by the backend; a second delete succeeds"

# --- the server gone: retried with backoff, then reported -----------------
kill "$(cat "$SW/run/proxy.pid")"
for i in $(seq 50); do kill -0 "$(cat "$SW/run/proxy.pid")" 2>/dev/null || break; sleep 0.1; done
if probe --attempts 3 --backoff-ms 20 head $K1 > "$DIR/out" 2> "$DIR/err"; then
	die "head with the server down succeeded"
fi
[ "$(grep -c 'retrying in' "$DIR/err")" = 2 ] || die "not retried twice: $(cat "$DIR/err")"
grep -q '^error: .*(3 attempts)' "$DIR/err" || die "server down: $(cat "$DIR/err")"
ok "server down: 3 attempts with backoff, then a clear error"

# --- TLS: verification is always on; a CA file makes a private CA work ----
# openssl s_server -WWW serves files over TLS (no S3, but a GET of a whole
# object through the backend is a GET of a file); stopped by its PID.
TLS=$DIR/tls TPORT=$((PORT + 5))
mkdir -p "$TLS/www/$BUCKET"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$TLS/key.pem" \
	-out "$TLS/cert.pem" 2>/dev/null
cp "$DIR/small" "$TLS/www/$BUCKET/obj"
(cd "$TLS/www" && exec openssl s_server -quiet -WWW -accept 127.0.0.1:$TPORT \
	-cert "$TLS/cert.pem" -key "$TLS/key.pem" > "$TLS/log" 2>&1) &
TLSPID=$!
cleanup() { kill "$TLSPID" 2>/dev/null || true; "$ROOT/tests/s3/swift.sh" stop "$SW" || true; }
for i in $(seq 100); do
	curl -sk -o /dev/null "https://127.0.0.1:$TPORT/$BUCKET/obj" && break
	kill -0 $TLSPID || die "openssl s_server exited: $(cat "$TLS/log")"
	sleep 0.1
done
tprobe() { "$PROBE" --endpoint "https://127.0.0.1:$TPORT" --bucket $BUCKET \
	--credentials "$CRED" --attempts 3 "$@"; }
if tprobe get obj 0 4099 "$DIR/tls.out" > "$DIR/out" 2> "$DIR/err"; then
	die "TLS: a certificate of an unknown CA was accepted"
fi
grep -q '^error: .*SSL certificate problem.*(1 attempt)' "$DIR/err" ||
	die "TLS: unclear or retried: $(cat "$DIR/err")"
tprobe --ca-file "$TLS/cert.pem" get obj 0 4099 "$DIR/tls.out" >/dev/null ||
	die "TLS with the CA file failed"
cmp -s "$DIR/small" "$DIR/tls.out" || die "TLS: bytes differ"
kill $TLSPID
ok "TLS: an unknown CA refused (1 attempt), the same server trusted with --ca-file"

T1=$(date +%s.%N)
printf 'run-s3: %.1f s with Swift start; multipart put %s MB/s, get %s MB/s\n' \
	"$(echo "$T1 - $T0" | bc)" "$MBS" "$GMBS"
echo "run-s3: $PASS passed, 0 failed"
