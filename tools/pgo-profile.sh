#!/usr/bin/env bash
# Collects the CPU profile that profile-guided optimisation builds the
# server with, and writes it to server/cmd/mini-redis-server/default.pgo.
#
#   tools/pgo-profile.sh [-n requests]      (default 200000 per row)
#
# go build picks default.pgo up by itself (its -pgo=auto looks in the main
# package's directory); the Bazel build passes it to every compile through
# rules_go's //go/config:pgoprofile flag, which .bazelrc sets. The load is
# the one tools/bench-redis.sh measures: the string rows at -P 1 and -P 16,
# on one key and on 100000 random keys, the collection rows, XADD and
# EVALSHA, from redis-benchmark's 50 clients. The server it profiles is
# built without a profile, so one profile does not feed on the last.
# Rerun it after a change to a hot path, and commit the new profile.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

requests=200000
while getopts "n:" opt; do
	case $opt in
	n) requests=$OPTARG ;;
	*) echo "usage: $0 [-n requests]" >&2; exit 2 ;;
	esac
done
command -v redis-benchmark >/dev/null || { echo "$0: redis-benchmark not found (apt-get install redis-tools)" >&2; exit 1; }

tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -pgo=off -o "$tmp/mini-redis-server" ./server/cmd/mini-redis-server
port=$(spare_port)
MINI_REDIS_CPUPROFILE=$tmp/cpu.pprof "$tmp/mini-redis-server" --port "$port" --admin-port 0 \
	--save "" --loglevel warning --dir "$tmp" &
pid=$!
wait_ping "$port" "$pid"

bench() { redis-benchmark -p "$port" -c 50 -n "$requests" -q "$@" >/dev/null; }
for p in 1 16; do
	bench -P "$p" -t set,get,incr,mset
	bench -P "$p" -r 100000 -t set,get,incr,mset
	bench -P "$p" -t lpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100
	bench -P "$p" xadd bench:stream '*' field value
done
sha=$(redis-cli -p "$port" SCRIPT LOAD "return redis.call('INCR', KEYS[1])")
bench -P 16 evalsha "$sha" 1 key

# The profile is written when the server shuts down.
redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
wait "$pid" || true
pid=
cp "$tmp/cpu.pprof" server/cmd/mini-redis-server/default.pgo
echo "wrote server/cmd/mini-redis-server/default.pgo ($(wc -c <server/cmd/mini-redis-server/default.pgo) bytes)"
