#!/usr/bin/env bash
# End-to-end check of the built server, as a user runs it: start it on spare
# ports, talk to it with redis-cli and grpcurl, shut it down through the
# admin API, and check that it exited 0 and released its port.
#
# Needs redis-cli (Debian: redis-tools) and grpcurl (.ci/run installs both).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "e2e: FAIL: $*" >&2; exit 1; }
for tool in redis-cli grpcurl; do
	command -v "$tool" >/dev/null || fail "$tool not found on PATH (.ci/run installs it)"
done

tools/bazel build //server >&2
bin=bazel-bin/server/server_/server
[ -x "$bin" ] || fail "server binary not found at $bin"

# A free port: nothing answers a connection to it.
spare_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}
port=$(spare_port)
admin_port=$(spare_port)
[ "$port" != "$admin_port" ] || admin_port=$(spare_port)
log=$(mktemp)
"$bin" --port "$port" --admin-port "$admin_port" --loglevel debug >"$log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 100); do
	[ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && break
	kill -0 $pid 2>/dev/null || { cat "$log" >&2; fail "server exited at start"; }
	sleep 0.1
done

expect() { # expect <what> <want> <got>
	[ "$3" = "$2" ] || { cat "$log" >&2; fail "$1: got '$3', want '$2'"; }
	echo "e2e: ok: $1"
}
expect "redis-cli PING" PONG "$(redis-cli -p "$port" PING)"
expect "redis-cli SET" OK "$(redis-cli -p "$port" SET greeting hello)"
expect "redis-cli GET" hello "$(redis-cli -p "$port" GET greeting)"
expect "redis-cli DEL" 1 "$(redis-cli -p "$port" DEL greeting)"
expect "redis-cli unknown command" "ERR unknown command 'NOPE', with args beginning with: " "$(redis-cli -p "$port" NOPE)"
redis-cli -p "$port" SET k v >/dev/null

admin=127.0.0.1:$admin_port
services=$(grpcurl -plaintext "$admin" list)
for svc in miniredis.admin.v1.Admin grpc.health.v1.Health grpc.reflection.v1.ServerReflection; do
	grep -qx "$svc" <<<"$services" || fail "grpcurl list lacks $svc: $services"
done
echo "e2e: ok: grpcurl list"
stats=$(grpcurl -plaintext "$admin" miniredis.admin.v1.Admin/GetStats)
grep -q '"keys": "1"' <<<"$stats" || fail "GetStats: want 1 key: $stats"
grep -q '"totalCommandsProcessed"' <<<"$stats" || fail "GetStats: no command count: $stats"
echo "e2e: ok: grpcurl GetStats"
health=$(grpcurl -plaintext -d '{"service":"miniredis.admin.v1.Admin"}' "$admin" grpc.health.v1.Health/Check)
grep -q '"status": "SERVING"' <<<"$health" || fail "health before shutdown: $health"
echo "e2e: ok: health SERVING"

grpcurl -plaintext "$admin" miniredis.admin.v1.Admin/Shutdown >/dev/null || fail "Shutdown RPC failed"
status=0
for _ in $(seq 100); do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
kill -0 $pid 2>/dev/null && fail "server still running 10 s after Shutdown"
wait $pid || status=$?
expect "exit status after Shutdown" 0 "$status"
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	fail "port $port still accepts after shutdown"
fi
echo "e2e: ok: port released"
grep -q '"shutdown requested through the admin API' "$log" || fail "no shutdown log line"
echo "e2e: all checks passed"
