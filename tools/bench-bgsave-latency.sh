#!/usr/bin/env bash
# Measures the latency clients see while a BGSAVE runs, on this server and
# on redis-server: each, on its own, is filled with N keys (default
# 1,000,000: key:000000000000.. as redis-benchmark -r names them, 3-byte
# values, through redis-cli --pipe), saves once idle (the BGSAVE's time
# without load), then serves a redis-benchmark SET load on those keys
# (-r N: every write overwrites a key the snapshot holds) twice: once
# alone (the baseline) and once with a BGSAVE started a second into it.
# Prints, per server, both BGSAVE times, and the baseline's and the
# BGSAVE run's requests per second, p99 and max latency (redis-benchmark's
# --csv figures, over the whole load run; the load is sized from the
# baseline's rate to outlast the BGSAVE, and rerun larger when it did not).
# The issue's goal: no latency spike above 10 ms during a BGSAVE of 1M keys
# under load, i.e. the BGSAVE run's max not above 10 ms (nor far above the
# baseline's, on a machine whose baseline max is already above it).
#
#   tools/bench-bgsave-latency.sh [-k keys] [-c clients] [-n requests] [-b binary]
#
# -n is the baseline's requests (default 200000); -b uses a server binary
# already built (go build -o /tmp/mr ./server/cmd/mini-redis-server)
# instead of building //server with Bazel.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

keys=1000000
clients=50
requests=200000
ours_bin=
while getopts "k:c:n:b:" opt; do
	case $opt in
	k) keys=$OPTARG ;;
	c) clients=$OPTARG ;;
	n) requests=$OPTARG ;;
	b) ours_bin=$OPTARG ;;
	*) echo "usage: $0 [-k keys] [-c clients] [-n requests] [-b binary]" >&2; exit 2 ;;
	esac
done
for n in "$keys" "$clients" "$requests"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "$n: want a positive integer" >&2; exit 2; }
done
for tool in redis-server redis-benchmark redis-cli; do
	command -v $tool >/dev/null || { echo "$tool not found (apt-get install redis-server redis-tools)" >&2; exit 1; }
done
if [[ -z $ours_bin ]]; then
	tools/bazel build //server >&2
	ours_bin=bazel-bin/server/cmd/mini-redis-server/mini-redis-server_/mini-redis-server
fi
[[ -x $ours_bin ]] || { echo "$ours_bin: not an executable" >&2; exit 1; }

work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

now() { date +%s.%N; }
info_field() { redis-cli -p "$1" INFO persistence | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'; }

# bgsave <port> <load-pid>: starts a BGSAVE, waits until it is done and
# prints its seconds; with a load-pid, fails when that process ended before
# the BGSAVE did (exit status 3).
bgsave() {
	local start end
	[[ $(redis-cli -p "$1" BGSAVE) == "Background saving started" ]] || { echo "BGSAVE on port $1 did not start" >&2; exit 1; }
	start=$(now)
	local progress
	while progress=$(info_field "$1" rdb_bgsave_in_progress) && [[ $progress != 0 ]]; do
		[[ $progress == 1 ]] || { echo "INFO persistence on port $1: rdb_bgsave_in_progress is '$progress'" >&2; exit 1; }
		sleep 0.01
	done
	end=$(now)
	[[ $(info_field "$1" rdb_last_bgsave_status) == ok ]] || { echo "BGSAVE on port $1 failed" >&2; exit 1; }
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
	if [[ -n ${2:-} ]] && ! kill -0 "$2" 2>/dev/null; then return 3; fi
}

# load <port> <requests> <csv>: the SET load, its CSV into the file csv.
load() {
	redis-benchmark -p "$1" -c "$clients" -n "$2" -r "$keys" -t set --csv >"$3" 2>"$3.err" ||
		{ echo "redis-benchmark against port $1 failed:" >&2; cat "$3.err" "$3" >&2; exit 1; }
	if [[ -s $3.err ]]; then cat "$3.err" >&2; fi
}
# figures <csv>: "rps p99 max" of the load.
figures() { awk -F'","' 'NR > 1 { gsub(/"/, "", $8); r = $2; p99 = $7; max = $8 } END { print r, p99, max }' "$1"; }

# measure <name>: starts the server, fills it and prints its row.
measure() {
	local name=$1 port dir=$work/$1 pid idle rps base_p99 base_max n saved status csv=$work/$1.csv
	local load_pid brps bp99 bmax
	mkdir -p "$dir"
	port=$(spare_port "")
	if [[ $name == ours ]]; then
		"$ours_bin" --port "$port" --admin-port 0 --save "" --dir "$dir" --loglevel warn &
	else
		redis-server --port "$port" --save "" --appendonly no --dir "$dir" --daemonize no --loglevel warning >/dev/null &
	fi
	pid=$!
	pids+=("$pid")
	wait_ping "$port" "$pid"
	echo "$name: filling $keys keys" >&2
	awk -v k="$keys" 'BEGIN { for (i = 0; i < k; i++) printf "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$3\r\nxxx\r\n", i }' |
		redis-cli -p "$port" --pipe | grep -q "errors: 0," || { echo "$name: filling failed" >&2; exit 1; }
	[[ $(redis-cli -p "$port" DBSIZE) == "$keys" ]] || { echo "$name: DBSIZE is not $keys" >&2; exit 1; }
	idle=$(bgsave "$port")
	echo "$name: BGSAVE idle took $idle s; baseline load" >&2
	load "$port" "$requests" "$csv"
	read -r rps base_p99 base_max < <(figures "$csv")
	# Enough requests for a second before the BGSAVE and three times its
	# idle time after it started, at the baseline's rate.
	n=$(awk -v r="$rps" -v t="$idle" -v min="$requests" 'BEGIN { n = r * (1 + 3 * t + 1); print (n > min ? int(n) : min) }')
	for _ in 1 2 3 4; do
		echo "$name: load of $n requests with a BGSAVE" >&2
		load "$port" "$n" "$csv" &
		load_pid=$!
		sleep 1
		status=0
		saved=$(bgsave "$port" "$load_pid") || status=$?
		wait "$load_pid"
		((status == 3)) || break
		echo "$name: the load ended before the BGSAVE did; again with twice the requests" >&2
		n=$((2 * n))
	done
	if ((status == 3)); then echo "$name: the load never outlasted the BGSAVE" >&2; fi
	((status == 0)) || exit 1
	[[ $(redis-cli -p "$port" DBSIZE) == "$keys" ]] || { echo "$name: DBSIZE is not $keys after the load" >&2; exit 1; }
	read -r brps bp99 bmax < <(figures "$csv")
	printf '%-6s %8s %8s %8s %10.0f %8s %8s %10.0f %8s %8s %s\n' "$name" "$keys" "$idle" "$saved" "$rps" "$base_p99" "$base_max" \
		"$brps" "$bp99" "$bmax" "$(awk -v m="$bmax" 'BEGIN { print (m <= 10 ? "yes" : "no") }')"
	kill "$pid"
	wait "$pid" || true
}

echo "$(nproc) cores, $clients clients, SET load on $keys random keys (-r $keys); latency in ms, over the whole load run"
printf '%-6s %8s %8s %8s %10s %8s %8s %10s %8s %8s %s\n' server keys "save s" "loaded s" "rps base" "p99 base" "max base" \
	"rps bgsave" "p99" "max" "max<=10ms"
measure ours
measure redis
