#!/usr/bin/env bash
# End-to-end check of the built server, as a user runs it: start it on spare
# ports, talk to it with redis-cli and grpcurl (every admin RPC, with and
# without the admin token), shut it down through the admin API while a
# client is busy, and check health goes NOT_SERVING, the process exits 0,
# the port is released and the dump is written.
#
# Needs redis-cli (Debian: redis-tools) and grpcurl (.ci/run installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

fail() { echo "e2e: FAIL: $*" >&2; [ -n "${log:-}" ] && tail -20 "$log" >&2; exit 1; }
ok() { echo "e2e: ok: $*"; }
for tool in redis-cli grpcurl; do
	command -v "$tool" >/dev/null || fail "$tool not found on PATH (.ci/run installs it)"
done

tools/bazel build //server >&2
bin=bazel-bin/server/cmd/mini-redis-server/mini-redis-server_/mini-redis-server
[ -x "$bin" ] || fail "server binary not found at $bin"

port=$(spare_port)
admin_port=$(spare_port "$port")
work=$(mktemp -d)
log=$work/server.log
token=e2e-secret
"$bin" --port "$port" --admin-port "$admin_port" --admin-token "$token" --dir "$work" \
	--save "3600 1" --enable-debug-command yes --loglevel debug >"$log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$work"' EXIT
wait_ping "$port" $pid || fail "server did not start"

expect() { # expect <what> <want> <got>
	[ "$3" = "$2" ] || fail "$1: got '$3', want '$2'"
	ok "$1"
}
contains() { # contains <what> <needle> <haystack>
	grep -qF -- "$2" <<<"$3" || fail "$1: '$2' not in: $3"
	ok "$1"
}

# --- RESP, with redis-cli.
expect "redis-cli PING" PONG "$(redis-cli -p "$port" PING)"
expect "redis-cli SET" OK "$(redis-cli -p "$port" SET greeting hello)"
expect "redis-cli GET" hello "$(redis-cli -p "$port" GET greeting)"
expect "redis-cli DEL" 1 "$(redis-cli -p "$port" DEL greeting)"
expect "redis-cli unknown command" "ERR unknown command 'NOPE', with args beginning with: " "$(redis-cli -p "$port" NOPE)"
redis-cli -p "$port" MSET k1 v1 k2 v2 >/dev/null
redis-cli -p "$port" SET ttl v EX 1000 >/dev/null
contains "INFO keyspace" "db0:keys=3,expires=1" "$(redis-cli -p "$port" INFO keyspace)"
expect "CONFIG GET port" "$(printf 'port\n%s' "$port")" "$(redis-cli -p "$port" CONFIG GET port)"

# --- The admin API, with grpcurl.
admin=127.0.0.1:$admin_port
auth=(-H "authorization: Bearer $token")
call() { grpcurl -plaintext "$@"; }

services=$(call "$admin" list)
for svc in miniredis.admin.v1.Admin grpc.health.v1.Health grpc.reflection.v1.ServerReflection; do
	grep -qx "$svc" <<<"$services" || fail "grpcurl list lacks $svc: $services"
done
ok "grpcurl list"
contains "grpcurl describe" "rpc WatchStats" "$(call "$admin" describe miniredis.admin.v1.Admin)"

stats=$(call "$admin" miniredis.admin.v1.Admin/GetStats)
contains "GetStats keys" '"keys": "3"' "$stats"
contains "GetStats redis version" '"redisVersion": "7.0.15"' "$stats"
watch=$(call -max-time 1 -d '{"interval_ms": 100}' "$admin" miniredis.admin.v1.Admin/WatchStats 2>&1 || true)
[ "$(grep -c '"redisVersion"' <<<"$watch")" -ge 3 ] || fail "WatchStats sent fewer than 3 snapshots in 1s: $watch"
ok "WatchStats streams"
contains "GetCommandStats" '"name": "mset"' \
	"$(call -d '{"commands": ["mset"]}' "$admin" miniredis.admin.v1.Admin/GetCommandStats)"
contains "GetConfig" '"value": "3600 1"' "$(call -d '{"patterns": ["save"]}' "$admin" miniredis.admin.v1.Admin/GetConfig)"

# Mutating calls need the token, even on loopback.
denied=$(call -d '{"parameters": [{"name": "maxclients", "value": "500"}]}' "$admin" \
	miniredis.admin.v1.Admin/SetConfig 2>&1 || true)
contains "SetConfig without token" "Unauthenticated" "$denied"
call "${auth[@]}" -d '{"parameters": [{"name": "maxclients", "value": "500"}]}' "$admin" \
	miniredis.admin.v1.Admin/SetConfig >/dev/null
expect "SetConfig with token" "$(printf 'maxclients\n500')" "$(redis-cli -p "$port" CONFIG GET maxclients)"
bad=$(call "${auth[@]}" -d '{"parameters": [{"name": "maxclients", "value": "many"}]}' "$admin" \
	miniredis.admin.v1.Admin/SetConfig 2>&1 || true)
contains "SetConfig bad value" "InvalidArgument" "$bad"

# ListClients and KillClient: a named client, found and killed.
exec 4<>"/dev/tcp/127.0.0.1/$port"
printf 'CLIENT SETNAME victim\r\n' >&4
read -r -t 5 line <&4 && [ "${line%$'\r'}" = "+OK" ] || fail "victim client setup"
clients=$(call "$admin" miniredis.admin.v1.Admin/ListClients)
contains "ListClients" '"name": "victim"' "$clients"
victim_id=$(grep -B3 '"name": "victim"' <<<"$clients" | sed -n 's/.*"id": "\([0-9]*\)".*/\1/p' | head -1)
[ -n "$victim_id" ] || fail "no id for the victim in: $clients"
call "${auth[@]}" -d "{\"id\": $victim_id}" "$admin" miniredis.admin.v1.Admin/KillClient >/dev/null
if read -r -t 5 line <&4; then fail "victim still connected: $line"; fi
exec 4<&-
ok "KillClient closed the client"
notfound=$(call "${auth[@]}" -d "{\"id\": $victim_id}" "$admin" miniredis.admin.v1.Admin/KillClient 2>&1 || true)
contains "KillClient unknown id" "NotFound" "$notfound"

# ListUsers: the ACL users, with the token only (it shows password hashes).
redis-cli -p "$port" ACL SETUSER e2e on '>secret' '~e2e:*' +get >/dev/null
denied=$(call "$admin" miniredis.admin.v1.Admin/ListUsers 2>&1 || true)
contains "ListUsers without token" "Unauthenticated" "$denied"
users=$(call "${auth[@]}" "$admin" miniredis.admin.v1.Admin/ListUsers)
contains "ListUsers" '"rules": "user e2e on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~e2e:* resetchannels -@all +get"' "$users"
contains "ListUsers default" '"name": "default"' "$users"

call "${auth[@]}" -d '{"db": 0}' "$admin" miniredis.admin.v1.Admin/FlushDB >/dev/null
expect "FlushDB" 0 "$(redis-cli -p "$port" DBSIZE)"
redis-cli -p "$port" SET saved yes >/dev/null
contains "Save" "lastSaveUnix" "$(call "${auth[@]}" "$admin" miniredis.admin.v1.Admin/Save)"
[ -s "$work/dump.rdb" ] || fail "no dump after Save"
call "${auth[@]}" "$admin" miniredis.admin.v1.Admin/BackgroundSave >/dev/null
ok "BackgroundSave"

health() { call -d '{"service":"miniredis.admin.v1.Admin"}' "$admin" grpc.health.v1.Health/Check 2>&1 || true; }
contains "health before shutdown" '"status": "SERVING"' "$(health)"

# --- Shutdown through the admin API while a client is busy and a WatchStats
# stream is open: health turns NOT_SERVING at once, the busy command
# finishes, the stream ends (UNAVAILABLE) instead of holding the exit for
# the whole drain timeout, the server saves (save rules are set) and exits 0.
watch_out=$work/watch.out
call -d '{"interval_ms": 100}' "$admin" miniredis.admin.v1.Admin/WatchStats >"$watch_out" 2>&1 &
watch_pid=$!
for _ in $(seq 100); do
	grep -q '"redisVersion"' "$watch_out" && break
	sleep 0.1
done
grep -q '"redisVersion"' "$watch_out" || fail "WatchStats sent nothing: $(<"$watch_out")"
redis-cli -p "$port" SET last write >/dev/null
exec 5<>"/dev/tcp/127.0.0.1/$port"
printf 'DEBUG SLEEP 2\r\n' >&5
sleep 0.2
denied=$(call "$admin" miniredis.admin.v1.Admin/Shutdown 2>&1 || true)
contains "Shutdown without token" "Unauthenticated" "$denied"
call "${auth[@]}" "$admin" miniredis.admin.v1.Admin/Shutdown >/dev/null || fail "Shutdown RPC failed"
contains "health during shutdown" '"status": "NOT_SERVING"' "$(health)"
read -r -t 10 line <&5 || fail "the busy client got no reply"
expect "in-flight DEBUG SLEEP finished" "+OK" "${line%$'\r'}"
exec 5<&-
status=0
for _ in $(seq 100); do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
kill -0 $pid 2>/dev/null && fail "server still running 10 s after Shutdown"
wait $pid || status=$?
expect "exit status after Shutdown" 0 "$status"
wait $watch_pid || true
contains "WatchStats ended by the shutdown" "the admin server is stopping" "$(<"$watch_out")"
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	fail "port $port still accepts after shutdown"
fi
ok "port released"
grep -q '"shutdown requested' "$log" || fail "no shutdown log line"

# --- The dump loads at the next start.
"$bin" --port "$port" --admin-port 0 --dir "$work" --save "" >"$log" 2>&1 &
pid=$!
wait_ping "$port" $pid || fail "server did not restart"
expect "dump loaded at restart" write "$(redis-cli -p "$port" GET last)"
redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
wait $pid || fail "second server exited with an error"
echo "e2e: all checks passed"
