#!/usr/bin/env bash
# Compares the memory of this server and of redis-server holding the same
# small string keys: DEBUG POPULATE n (keys key:0.. with values value:0..)
# on both, then each one's RSS (from /proc) and INFO used_memory, before
# and after, and the ratio ours/Redis's.
#
#   tools/bench-memory.sh [-n keys]     (default 1000000)
#
# Builds the server with plain go build. The issue's goal: RSS <= 1.3x
# Redis's for 1M small keys.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

keys=1000000
while getopts "n:" opt; do
	case $opt in
	n) keys=$OPTARG ;;
	*) echo "usage: $0 [-n keys]" >&2; exit 2 ;;
	esac
done

tmp=$(mktemp -d)
ours_bin=$tmp/mini-redis-server
go build -o "$ours_bin" ./server/cmd/mini-redis-server
ours_port=$(spare_port)
redis_port=$(spare_port "$ours_port")
"$ours_bin" --port "$ours_port" --admin-port 0 --save "" --loglevel warn --enable-debug-command yes --dir "$tmp" &
ours_pid=$!
redis-server --port "$redis_port" --save '' --appendonly no --daemonize no --loglevel warning \
	--enable-debug-command yes --dir "$tmp" >/dev/null &
redis_pid=$!
trap 'kill $ours_pid $redis_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
wait_ping "$ours_port" $ours_pid
wait_ping "$redis_port" $redis_pid

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
used() { redis-cli -p "$1" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}'; }

declare -A before_rss before_used after_rss after_used
for name in ours redis; do
	port_var=${name}_port pid_var=${name}_pid
	port=${!port_var} pid=${!pid_var}
	before_rss[$name]=$(rss_kb "$pid")
	before_used[$name]=$(used "$port")
	redis-cli -p "$port" DEBUG POPULATE "$keys" >/dev/null
	[ "$(redis-cli -p "$port" DBSIZE)" = "$keys" ] || { echo "$name: DBSIZE is not $keys" >&2; exit 1; }
	sleep 1 # let a collector cycle settle
	after_rss[$name]=$(rss_kb "$pid")
	after_used[$name]=$(used "$port")
done

printf '%-8s %14s %14s %16s %16s %12s\n' server rss_before_kb rss_after_kb used_memory_0 used_memory_n bytes/key
for name in ours redis; do
	per=$(((after_used[$name] - before_used[$name]) / keys))
	printf '%-8s %14d %14d %16d %16d %12d\n' "$name" "${before_rss[$name]}" "${after_rss[$name]}" \
		"${before_used[$name]}" "${after_used[$name]}" "$per"
done
awk -v o="${after_rss[ours]}" -v r="${after_rss[redis]}" -v ou="${after_used[ours]}" -v ru="${after_used[redis]}" \
	'BEGIN { printf "ratio ours/redis: RSS %.2f, used_memory %.2f (goal: RSS <= 1.30)\n", o / r, ou / ru }'
