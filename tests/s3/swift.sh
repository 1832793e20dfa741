#!/bin/bash
# tests/s3/swift.sh — a real S3 server for the tier's tests: OpenStack
# Swift with its s3api middleware (Debian packages, scripts/install-deps.sh),
# all on 127.0.0.1, data under a scratch directory (../shared/S3.md).
#
#   tests/s3/swift.sh start DIR [PORT]   proxy (S3) on PORT (default 28080);
#                                        account, container, object servers
#                                        and memcached on PORT+1..PORT+4
#   tests/s3/swift.sh stop DIR           stop what start started, by PID
#   tests/s3/swift.sh proxy-stop DIR     SIGKILL only the proxy and its
#                                        worker (by PID: S3 refuses
#                                        connections at once, requests in
#                                        flight are cut; data kept)
#   tests/s3/swift.sh proxy-start DIR    start it again, as start did
#
# S3 endpoint http://127.0.0.1:PORT, region us-east-1, access key
# test:tester, secret testing (tempauth); path-style, and virtual-hosted
# under the storage domain "localhost" (http://BUCKET.localhost:PORT).
# start returns once every server listens and the proxy answers
# /healthcheck (bounded poll), and leaves DIR/credentials (access key,
# secret: one per line).
set -euo pipefail

cmd=${1:-}; S=${2:-}
[ -n "$cmd" ] && [ -n "$S" ] || { echo "usage: $0 start|stop|proxy-stop|proxy-start DIR [PORT]" >&2; exit 2; }

# A PID file may outlive its process (a crash, a reboot): signal a PID only
# while its command line still names this directory, so it is ours.
ours() { { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "$S/"; }

stop() {
	local f pid
	for f in "$S"/run/*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		if ours "$pid"; then kill "$pid" 2>/dev/null || true; else rm -f "$f"; fi
	done
	# A worker whose parent is gone (proxy-stop, a crash) has no PID
	# file: found by its command line, which names this directory.
	for pid in $(pgrep -f -- "$S/etc/" || true); do
		ours "$pid" && kill -9 "$pid" 2>/dev/null
	done
	# Each was started by us; wait for them to go (bounded), then force.
	for _ in $(seq 50); do
		local alive=0
		for f in "$S"/run/*.pid; do
			[ -e "$f" ] || continue
			ours "$(cat "$f")" && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for f in "$S"/run/*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		ours "$pid" && kill -9 "$pid" 2>/dev/null
		rm -f "$f"
	done
	return 0
}

if [ "$cmd" = stop ]; then stop; exit 0; fi

# The proxy alone, for a test of the object store going away and coming
# back: its command line is start's; start_proxy waits (bounded) until
# /healthcheck answers on the port its configuration names.
start_proxy() {
	swift-proxy-server "$S/etc/proxy-server.conf" >> "$S/log/proxy.log" 2>&1 &
	echo $! > "$S/run/proxy.pid"
}
if [ "$cmd" = proxy-stop ]; then
	f=$S/run/proxy.pid
	[ -e "$f" ] && ours "$(cat "$f")" || { echo "$0: no proxy of $S running" >&2; exit 1; }
	# The proxy's worker is its child and holds the listening socket too:
	# both go, the children named before their parent dies.
	pid=$(cat "$f") kids=$(pgrep -P "$(cat "$f")" || true)
	kill -9 "$pid" $kids 2>/dev/null || true
	for p in $pid $kids; do
		for _ in $(seq 50); do ours "$p" || break; sleep 0.1; done
		ours "$p" && { echo "$0: pid $p survived SIGKILL" >&2; exit 1; }
	done
	rm -f "$f"; exit 0
fi
if [ "$cmd" = proxy-start ]; then
	[ -e "$S/run/proxy.pid" ] && ours "$(cat "$S/run/proxy.pid")" && exit 0
	PORT=$(sed -n 's/^bind_port = //p' "$S/etc/proxy-server.conf")
	start_proxy
	for _ in $(seq 300); do
		curl -fsS -m 1 "http://127.0.0.1:$PORT/healthcheck" >/dev/null 2>&1 && exit 0
		kill -0 "$(cat "$S/run/proxy.pid")" 2>/dev/null || { tail -20 "$S/log/proxy.log" >&2; exit 1; }
		sleep 0.1
	done
	echo "$0: the proxy did not answer /healthcheck in 30 s" >&2; exit 1
fi
[ "$cmd" = start ] || { echo "$0: unknown command $cmd" >&2; exit 2; }

PORT=${3:-28080}
ACC=$((PORT + 1)) CON=$((PORT + 2)) OBJ=$((PORT + 3)) MC=$((PORT + 4))
for b in swift-proxy-server swift-account-server swift-container-server \
	swift-object-server swift-ring-builder memcached; do
	command -v $b >/dev/null || { echo "$0: $b missing (scripts/install-deps.sh)" >&2; exit 1; }
done
stop
rm -rf "$S"; mkdir -p "$S"/etc "$S"/srv/d1 "$S"/run "$S"/log
ME=$(id -un)

cat > "$S/etc/swift.conf" <<EOC
[swift-hash]
swift_hash_path_suffix = strata-test
swift_hash_path_prefix = strata-test
[storage-policy:0]
name = Policy-0
default = yes
EOC
for kind in account:$ACC container:$CON object:$OBJ; do
	name=${kind%%:*} port=${kind##*:}
	cat > "$S/etc/$name-server.conf" <<EOC
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $port
workers = 1
user = $ME
swift_dir = $S/etc
devices = $S/srv
mount_check = false
disable_fallocate = true
log_level = WARNING
[pipeline:main]
pipeline = $name-server
[app:$name-server]
use = egg:swift#$name
EOC
	( cd "$S/etc"
	  swift-ring-builder $name.builder create 8 1 1 >/dev/null
	  swift-ring-builder $name.builder add r1z1-127.0.0.1:$port/d1 100 >/dev/null
	  swift-ring-builder $name.builder rebalance >/dev/null )
done
cat > "$S/etc/proxy-server.conf" <<EOC
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $PORT
workers = 1
user = $ME
swift_dir = $S/etc
log_level = WARNING
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
s3_acl = false
check_bucket_owner = false
storage_domain = localhost
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MC
EOC
for f in catch_errors gatekeeper healthcheck proxy-logging listing_formats bulk copy slo dlo; do
	printf '[filter:%s]\nuse = egg:swift#%s\n' $f ${f//-/_} >> "$S/etc/proxy-server.conf"
done
printf 'test:tester\ntesting\n' > "$S/credentials"
chmod 600 "$S/credentials"

# -P is only used with -d, but puts this directory on its command line.
memcached -u "$ME" -l 127.0.0.1 -p $MC -U 0 -m 64 -P "$S/run/memcached.pidfile" \
	> "$S/log/memcached.log" 2>&1 &
echo $! > "$S/run/memcached.pid"
for n in account container object; do
	swift-$n-server "$S/etc/$n-server.conf" > "$S/log/$n.log" 2>&1 &
	echo $! > "$S/run/$n.pid"
done
: > "$S/log/proxy.log"
start_proxy
# Bounded poll (about 30 s at most): the proxy's /healthcheck answers as
# soon as the proxy is up, so also wait until the account, container and
# object servers and memcached accept connections (a bucket PUT before
# that gets a 5xx).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 300); do
	if listening $ACC && listening $CON && listening $OBJ && listening $MC &&
		curl -fsS -m 1 "http://127.0.0.1:$PORT/healthcheck" >/dev/null 2>&1; then
		echo "swift: S3 on http://127.0.0.1:$PORT (pids $(cat "$S"/run/*.pid | tr '\n' ' '))"
		exit 0
	fi
	for f in "$S"/run/*.pid; do
		kill -0 "$(cat "$f")" 2>/dev/null || { echo "swift: $(basename "$f" .pid) exited" >&2; tail -20 "$S/log/$(basename "$f" .pid).log" >&2; stop; exit 1; }
	done
	sleep 0.1
done
echo "swift: no answer on /healthcheck after 30 s" >&2
tail -20 "$S"/log/*.log >&2
stop
exit 1
