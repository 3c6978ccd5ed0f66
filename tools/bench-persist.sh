#!/usr/bin/env bash
# Compares saving and loading a dump with redis-server, on the same data:
# N keys (default 1,000,000) "key:<i>" -> "value:<i>", a tenth with a TTL.
# Prints, for each server: SAVE time, BGSAVE pause (Redis: the fork; here:
# the snapshot taken with commands paused), dump size, and the time from
# start until the server answers with the dump loaded.
#
#   tools/bench-persist.sh [-n keys]
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
for tool in redis-server redis-cli; do
	command -v $tool >/dev/null || { echo "$tool not found (apt-get install redis-server redis-tools)" >&2; exit 1; }
done
tools/bazel build //server >&2
ours_bin=$PWD/bazel-bin/server/cmd/mini-redis-server/mini-redis-server_/mini-redis-server
work=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

now() { date +%s.%N; }
start() { # start <name> <port>: run a server with its dump in $work/<name>
	local dir=$work/$1
	mkdir -p "$dir"
	if [ "$1" = ours ]; then
		"$ours_bin" --port "$2" --admin-port 0 --save "" --dir "$dir" --loglevel warn &
	else
		redis-server --port "$2" --save "" --appendonly no --dir "$dir" --loglevel warning >/dev/null &
	fi
	pids+=($!)
	wait_ping "$2" $! 600 # loading a large dump takes a while
}

# The data set, as a redis-cli --pipe stream.
awk -v n="$keys" 'BEGIN {
	for (i = 0; i < n; i++) {
		k = "key:" i; v = "value:" i
		if (i % 10 == 0) printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$2\r\nEX\r\n$5\r\n86400\r\n", length(k), k, length(v), v
		else printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v
	}
}' >"$work/data.resp"

printf '%-13s %10s %12s %12s %12s\n' server "SAVE s" "BGSAVE pause" "dump MB" "load s"
for name in ours redis; do
	p=$(spare_port)
	start "$name" "$p"
	redis-cli -p "$p" --pipe <"$work/data.resp" >/dev/null
	[ "$(redis-cli -p "$p" DBSIZE)" = "$keys" ] || { echo "$name: DBSIZE is not $keys" >&2; exit 1; }
	t0=$(now)
	redis-cli -p "$p" SAVE >/dev/null
	save=$(echo "$(now) - $t0" | bc)
	redis-cli -p "$p" BGSAVE >/dev/null
	until redis-cli -p "$p" INFO persistence | grep -q 'rdb_bgsave_in_progress:0'; do sleep 0.05; done
	pause_us=$(redis-cli -p "$p" INFO stats | sed -n 's/^latest_fork_usec:\([0-9]*\).*/\1/p')
	size=$(stat -c %s "$work/$name/dump.rdb")
	redis-cli -p "$p" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
	wait "${pids[-1]}" 2>/dev/null || true
	p=$(spare_port)
	t0=$(now)
	start "$name" "$p"
	load=$(echo "$(now) - $t0" | bc)
	[ "$(redis-cli -p "$p" DBSIZE)" = "$keys" ] || { echo "$name: reload has $(redis-cli -p "$p" DBSIZE) keys" >&2; exit 1; }
	redis-cli -p "$p" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
	label=mini-redis
	[ "$name" = redis ] && label=redis-server
	printf '%-13s %10.2f %10.1fms %12.1f %12.2f\n' "$label" "$save" "$(echo "$pause_us / 1000" | bc -l)" \
		"$(echo "$size / 1048576" | bc -l)" "$load"
done
