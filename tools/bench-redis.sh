#!/usr/bin/env bash
# Compares this server with redis-server under redis-benchmark, back to back
# on the same machine, and prints requests per second and the ratio per row.
#
#   tools/bench-redis.sh [-n requests] [-c clients] [-r rounds] [-t io-threads] [-T tests]
#
# -T names the redis-benchmark tests, comma-separated (default: the string
# rows set,get,incr,mset and the collection rows lpush,lpop,rpop,sadd,hset,
# spop,zadd,zpopmin,lrange_100,lrange_300). redis-benchmark's collection
# rows use one key each (mylist, myset, myhash, myzset, with random fields
# for hset and random members for zadd); lrange_100 and lrange_300 fill
# mylist with LPUSH first. The row evalsha (not in the default set, not a
# redis-benchmark test) runs EVALSHA of a small script, SCRIPT LOADed on
# both servers first: return redis.call('INCR', KEYS[1]), on one key.
# The row xadd (not in the default set) runs XADD bench:stream * field
# value: one stream that grows by one entry per request. The row
# xreadgroup (not in the default set either) is a consumer-group worker
# load redis-benchmark cannot express: tools/streambench fills a stream
# with as many entries as the row has requests, then its clients each read
# one new entry (XREADGROUP COUNT 1) and acknowledge it (XACK), -P reads
# and then -P acks per pipeline; both commands count as requests.
#
# Both servers run one thread of commands by default (Redis's io-threads
# 1, also mini-redis's default); -t gives mini-redis more.
# Each round runs every row against both servers, alternating which goes
# first; the table reports the median round, of requests per second and of
# each server's CPU time per request (from /proc; a ratio under 1 is less
# CPU than Redis). Target: rps ratio >= 1.0 on every row. Close other work on the machine first: redis-benchmark,
# the two servers and anything else all share its cores.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

requests=200000
clients=50
rounds=3
threads=1
tests=set,get,incr,mset,lpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_300
while getopts "n:c:r:t:T:" opt; do
	case $opt in
	n) requests=$OPTARG ;;
	c) clients=$OPTARG ;;
	r) rounds=$OPTARG ;;
	t) threads=$OPTARG ;;
	T) tests=$OPTARG ;;
	*) echo "usage: $0 [-n requests] [-c clients] [-r rounds] [-t io-threads] [-T tests]" >&2; exit 2 ;;
	esac
done
for tool in redis-server redis-benchmark redis-cli; do
	command -v $tool >/dev/null || { echo "$tool not found (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

# rules_go's default (fastbuild) mode compiles Go with full optimisation.
tools/bazel build //server >&2
ours_bin=bazel-bin/server/cmd/mini-redis-server/mini-redis-server_/mini-redis-server
if [[ ",$tests," == *,xreadgroup,* ]]; then
	tools/bazel build //tools/streambench >&2
	streambench_bin=bazel-bin/tools/streambench/streambench_/streambench
fi

ours_port=$(spare_port)
redis_port=$(spare_port "$ours_port")
"$ours_bin" --port "$ours_port" --admin-port 0 --save "" --loglevel warn --io-threads "$threads" &
ours_pid=$!
redis-server --port "$redis_port" --save '' --appendonly no --daemonize no --loglevel warning >/dev/null &
redis_pid=$!
trap 'kill $ours_pid $redis_pid 2>/dev/null || true' EXIT
wait_ping "$ours_port" $ours_pid
wait_ping "$redis_port" $redis_pid

# The evalsha row's script, loaded on both servers (the same SHA1 on both).
evalsha_script="return redis.call('INCR', KEYS[1])"
if [[ ",$tests," == *,evalsha,* ]]; then
	sha=$(redis-cli -p "$ours_port" SCRIPT LOAD "$evalsha_script")
	ref_sha=$(redis-cli -p "$redis_port" SCRIPT LOAD "$evalsha_script")
	[[ $sha == "$ref_sha" && ${#sha} == 40 ]] || { echo "SCRIPT LOAD: $sha, redis $ref_sha" >&2; exit 1; }
fi

# bench_args <test>: redis-benchmark's arguments for a row: -t <test>, or
# the command itself for the rows that are not redis-benchmark tests.
bench_args() {
	case $1 in
	evalsha) echo "EVALSHA $sha 1 evalsha:counter" ;;
	xadd) echo "XADD bench:stream * field value" ;;
	*) echo "-t $1" ;;
	esac
}

# cpu_ticks <pid>: the user plus system CPU time the process has used, in
# clock ticks (/proc/<pid>/stat fields 14 and 15).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tick_us=$((1000000 / $(getconf CLK_TCK)))

# run_row <port> <pid> <pipeline> <test>: one redis-benchmark row against
# one server; prints its requests per second and the server's CPU
# microseconds per request (the last line of the CSV: lrange_100 prints
# its LPUSH fill first, which the CPU figure includes).
run_row() {
	local before after rps
	if [[ $4 == xreadgroup ]]; then
		# Half the requests are XREADGROUPs, half XACKs. The fill is left
		# out of the CPU figure.
		local sb=("$streambench_bin" -addr "127.0.0.1:$1" -c "$clients" -n $((requests / 2)) -P "$3" -key bench:xreadgroup)
		"${sb[@]}" -phase fill >/dev/null
		before=$(cpu_ticks "$2")
		rps=$("${sb[@]}" -phase read)
		after=$(cpu_ticks "$2")
		awk -v r="$rps" -v t=$((after - before)) -v us="$tick_us" -v n="$requests" \
			'BEGIN { printf "%s %.3f\n", r, t * us / n }'
		return
	fi
	before=$(cpu_ticks "$2")
	# bench_args is split into words on purpose, and comes last: a command
	# takes every argument after it.
	# shellcheck disable=SC2046
	set -f # the xadd row's * is an argument, not a file pattern
	rps=$(redis-benchmark -p "$1" -c "$clients" -n "$requests" -P "$3" --csv $(bench_args "$4") 2>/dev/null |
		awk -F'","' 'NR > 1 { last = $2 } END { print last }')
	set +f
	after=$(cpu_ticks "$2")
	awk -v r="$rps" -v t=$((after - before)) -v us="$tick_us" -v n="$requests" \
		'BEGIN { printf "%s %.3f\n", r, t * us / n }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "$(nproc) cores, $clients clients, $requests requests per row, median of $rounds rounds, mini-redis io-threads $threads"
echo "rps: requests per second; cpu: the server's CPU microseconds per request"
printf '%-10s %-3s %11s %11s %6s %8s %8s %6s\n' test P "rps ours" "rps redis" ratio "cpu ours" "cpu redis" ratio
for pipeline in 1 16; do
	for test in ${tests//,/ }; do
		ours=() ref=()
		for round in $(seq "$rounds"); do
			if ((round % 2)); then
				ours+=("$(run_row "$ours_port" "$ours_pid" "$pipeline" "$test")")
				ref+=("$(run_row "$redis_port" "$redis_pid" "$pipeline" "$test")")
			else
				ref+=("$(run_row "$redis_port" "$redis_pid" "$pipeline" "$test")")
				ours+=("$(run_row "$ours_port" "$ours_pid" "$pipeline" "$test")")
			fi
		done
		o=$(printf '%s\n' "${ours[@]}" | cut -d' ' -f1 | median)
		r=$(printf '%s\n' "${ref[@]}" | cut -d' ' -f1 | median)
		oc=$(printf '%s\n' "${ours[@]}" | cut -d' ' -f2 | median)
		rc=$(printf '%s\n' "${ref[@]}" | cut -d' ' -f2 | median)
		awk -v t="$test" -v p="$pipeline" -v o="$o" -v r="$r" -v oc="$oc" -v rc="$rc" 'BEGIN {
			printf "%-10s %-3s %11.0f %11.0f %6.2f %8.2f %8.2f %6.2f\n", t, p, o, r, o / r, oc, rc, (rc > 0 ? oc / rc : 0)
		}'
	done
done
