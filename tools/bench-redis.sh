#!/usr/bin/env bash
# Compares this server with redis-server under redis-benchmark, back to back
# on the same machine, and prints requests per second and the ratio per row.
#
#   tools/bench-redis.sh [-n requests] [-c clients] [-r rounds] [-t io-threads]
#
# Both servers run one thread of commands by default (Redis's io-threads
# 1, also mini-redis's default); -t gives mini-redis more.
# Each round runs every row against both servers, alternating which goes
# first; the table reports the median round. Target (issue 4): ratio >= 1.0
# on every row. Close other work on the machine first: redis-benchmark,
# the two servers and anything else all share its cores.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

requests=200000
clients=50
rounds=3
threads=1
while getopts "n:c:r:t:" opt; do
	case $opt in
	n) requests=$OPTARG ;;
	c) clients=$OPTARG ;;
	r) rounds=$OPTARG ;;
	t) threads=$OPTARG ;;
	*) echo "usage: $0 [-n requests] [-c clients] [-r rounds] [-t io-threads]" >&2; exit 2 ;;
	esac
done
for tool in redis-server redis-benchmark redis-cli; do
	command -v $tool >/dev/null || { echo "$tool not found (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

# rules_go's default (fastbuild) mode compiles Go with full optimisation.
tools/bazel build //server >&2
ours_bin=bazel-bin/server/cmd/mini-redis-server/mini-redis-server_/mini-redis-server

ours_port=$(spare_port)
redis_port=$(spare_port "$ours_port")
"$ours_bin" --port "$ours_port" --admin-port 0 --save "" --loglevel warn --io-threads "$threads" &
ours_pid=$!
redis-server --port "$redis_port" --save '' --appendonly no --daemonize no --loglevel warning >/dev/null &
redis_pid=$!
trap 'kill $ours_pid $redis_pid 2>/dev/null || true' EXIT
wait_ping "$ours_port" $ours_pid
wait_ping "$redis_port" $redis_pid

# rps <port> <pipeline> <test>: requests per second of one redis-benchmark row.
rps() {
	redis-benchmark -p "$1" -c "$clients" -n "$requests" -P "$2" -t "$3" --csv 2>/dev/null |
		awk -F'","' 'NR==2 { print $2 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "$(nproc) cores, $clients clients, $requests requests per row, median of $rounds rounds, mini-redis io-threads $threads"
printf '%-6s %-4s %14s %14s %7s\n' test P "mini-redis" "redis-server" ratio
for pipeline in 1 16; do
	for test in set get incr mset; do
		ours=() ref=()
		for round in $(seq "$rounds"); do
			if ((round % 2)); then
				ours+=("$(rps "$ours_port" "$pipeline" "$test")")
				ref+=("$(rps "$redis_port" "$pipeline" "$test")")
			else
				ref+=("$(rps "$redis_port" "$pipeline" "$test")")
				ours+=("$(rps "$ours_port" "$pipeline" "$test")")
			fi
		done
		o=$(printf '%s\n' "${ours[@]}" | median)
		r=$(printf '%s\n' "${ref[@]}" | median)
		awk -v t="$test" -v p="$pipeline" -v o="$o" -v r="$r" \
			'BEGIN { printf "%-6s %-4s %14.0f %14.0f %7.2f\n", t, p, o, r, o / r }'
	done
done
