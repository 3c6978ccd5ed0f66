#!/usr/bin/env bash
# Compares this server with redis-server under redis-benchmark, back to back
# on the same machine, and prints, per row, both servers' requests per
# second, the ratio, each one's CPU time per request and its p50 and p99
# latency.
#
#   tools/bench-redis.sh [-n requests] [-c clients] [-r rounds] [-t io-threads]
#                        [-T tests] [-P pipelines] [-k random-keys] [-b binary]
#                        [-a appendfsync] [-I] [--json]
#
# -n requests per row (default 200000), -c clients (50), -r rounds (3).
# -T names the redis-benchmark tests, comma-separated (default: the string
# rows set,get,incr,mset, the collection rows lpush,lpop,rpop,sadd,hset,
# spop,zadd,zpopmin,lrange_100,lrange_300, and xadd). -P gives the
# pipeline depths, comma-separated (default 1,16).
# The string rows run twice: on one key (keys 1: redis-benchmark's
# key:__rand_int__ as it is) and on -k random keys (default 100000,
# redis-benchmark -r; -k 1 leaves these rows out). The collection rows stay
# as redis-benchmark defines them, on one key each (mylist, myset, myhash,
# myzset, one member for sadd, hset and zadd); lrange_100 and lrange_300
# fill mylist with LPUSH first, which their CPU figure includes.
# The row xadd (not a redis-benchmark test) runs XADD bench:stream * field
# value: one stream that grows by one entry per request. The row evalsha
# (not in the default set) runs EVALSHA of a small script, SCRIPT LOADed on
# both servers first: return redis.call('INCR', KEYS[1]), on one key. The
# row xreadgroup (not in the default set either) is a consumer-group worker
# load redis-benchmark cannot express: tools/streambench fills a stream
# with half as many entries as the row has requests, then its clients each
# read one new entry (XREADGROUP COUNT 1) and acknowledge it (XACK), -P
# reads and then -P acks per pipeline; both commands count as requests
# (it reports no latency).
#
# Every row starts on an empty database (FLUSHALL) on each server, filled
# as redis-benchmark's own run order would leave it: get reads keys that
# exist (the one key, or all -k random ones), lpop and rpop pop a list of
# the row's requests plus 5 elements, spop and zpopmin pop the one member
# sadd and zadd leave. After each row the data is checked on each server,
# and the run fails, saying what differs, when it is not what the requests
# produce: the values set (every key holds redis-benchmark's payload), the
# counters (their sum is the number of requests), the number of distinct
# random keys (near the expected one), GET's keyspace hits, the lengths of
# the lists, sets, hashes, sorted sets and streams. redis-benchmark's own errors (it stops
# at the first error reply) fail the run too, with its words.
#
# Both servers run one thread of commands by default (Redis's io-threads
# 1, also mini-redis's default); -t gives mini-redis more.
# -I runs the io-threads scaling check instead of the comparison with
# Redis: mini-redis with io-threads N (-t N, default 2) against io-threads
# 1, on set and get at -P 16 (unless -T or -P say otherwise), the ratio
# being N threads' over one's; the goal is that more threads are never
# slower (a ratio >= 1 on every row).
# -a always|everysec|no runs both servers with the append-only file on
# (appendonly yes, that appendfsync, the files in a temporary directory on
# the same disk), for the AOF's goal: the write rows at >= 0.9 of Redis's
# rate (e.g. -a everysec -T set,incr,lpush).
# -b uses a server binary already built (e.g. go build -o /tmp/mr
# ./server/cmd/mini-redis-server) instead of building //server with Bazel.
# --json prints one JSON document instead of the table: "machine" (cores,
# clients, requests, rounds, io_threads, random_keys, pipelines,
# redis_version, appendfsync), "servers" (the two names) and "rows", each with test,
# pipeline, keys, rps_<server>, ratio, cpu_us_<server>, cpu_ratio,
# p50_ms_<server> and p99_ms_<server> (null for xreadgroup).
# SPARE_PORTS=7100-7149 (see tools/lib.bash) picks the servers' ports from
# that range.
#
# Each round runs every row against both servers, alternating which goes
# first; the table reports the median over the rounds of requests per
# second, of each server's CPU time per request (from /proc; a ratio under 1 is less
# CPU than Redis) and of its p50 and p99 latency (redis-benchmark's --csv
# figures, in ms). Target: rps ratio >= 1.0 on every row. Close other work
# on the machine first: redis-benchmark, the two servers and anything else
# all share its cores.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

usage() {
	echo "usage: $0 [-n requests] [-c clients] [-r rounds] [-t io-threads] [-T tests] [-P pipelines] [-k random-keys] [-b binary] [-a appendfsync] [-I] [--json]" >&2
	exit 2
}

requests=200000
clients=50
rounds=3
threads=1
keyspace=100000
tests=
pipelines=
ours_bin=
scaling=0
appendfsync=
json=0
short=()
for arg in "$@"; do
	case $arg in
	--json) json=1 ;;
	--help) usage ;;
	--?*) echo "unknown option $arg" >&2; usage ;;
	*) short+=("$arg") ;;
	esac
done
set -- ${short[@]+"${short[@]}"}
while getopts "n:c:r:t:T:P:k:b:a:I" opt; do
	case $opt in
	n) requests=$OPTARG ;;
	c) clients=$OPTARG ;;
	r) rounds=$OPTARG ;;
	t) threads=$OPTARG ;;
	T) tests=$OPTARG ;;
	P) pipelines=$OPTARG ;;
	k) keyspace=$OPTARG ;;
	b) ours_bin=$OPTARG ;;
	a) appendfsync=$OPTARG ;;
	I) scaling=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
(($# == 0)) || usage
for n in "$requests" "$clients" "$rounds" "$threads" "$keyspace"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "$n: want a positive integer" >&2; usage; }
done
[[ -z $appendfsync || $appendfsync =~ ^(always|everysec|no)$ ]] || { echo "-a $appendfsync: want always, everysec or no" >&2; usage; }
[[ ${pipelines:-1} =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "-P $pipelines: want depths like 1,16" >&2; usage; }
if ((scaling)); then
	: "${tests:=set,get}" "${pipelines:=16}"
	((threads > 1)) || threads=2
else
	: "${tests:=set,get,incr,mset,lpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_300,xadd}"
	: "${pipelines:=1,16}"
fi
for tool in redis-server redis-benchmark redis-cli; do
	command -v $tool >/dev/null || { echo "$tool not found (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$tmp"' EXIT

# With -b, tools/streambench is built with go build too.
if [[ -z $ours_bin ]]; then
	# rules_go's default (fastbuild) mode compiles Go with full optimisation.
	tools/bazel build //server >&2
	ours_bin=bazel-bin/server/cmd/mini-redis-server/mini-redis-server_/mini-redis-server
	if [[ ",$tests," == *,xreadgroup,* ]]; then
		tools/bazel build //tools/streambench >&2
		streambench_bin=bazel-bin/tools/streambench/streambench_/streambench
	fi
elif [[ ",$tests," == *,xreadgroup,* ]]; then
	go build -o "$tmp/streambench" ./tools/streambench
	streambench_bin=$tmp/streambench
fi
[[ -x $ours_bin ]] || { echo "$ours_bin: not an executable" >&2; exit 1; }

# The two servers, A and B: their names (as the table and the JSON say
# them), ports and process ids.
ports=() names=()
# aof_args <name>: the persistence arguments both servers get: a
# directory of the server's own under $tmp (so that no dump.rdb lying in
# the working directory is loaded), and the AOF there, or none.
aof_args() {
	mkdir -p "$tmp/$1"
	if [[ -z $appendfsync ]]; then
		echo "--dir $tmp/$1 --appendonly no"
		return
	fi
	echo "--dir $tmp/$1 --appendonly yes --appendfsync $appendfsync"
}
start_ours() { # start_ours <name> <io-threads>
	local port
	port=$(spare_port ${ports[@]+"${ports[@]}"})
	# shellcheck disable=SC2046 # aof_args is split into words on purpose
	"$ours_bin" --port "$port" --admin-port 0 --save "" --loglevel warn --io-threads "$2" $(aof_args "$1") &
	pids+=($!) ports+=("$port") names+=("$1")
}
start_redis() {
	local port
	port=$(spare_port ${ports[@]+"${ports[@]}"})
	# shellcheck disable=SC2046
	redis-server --port "$port" --save '' --daemonize no --loglevel warning $(aof_args redis) >/dev/null &
	pids+=($!) ports+=("$port") names+=(redis)
}
if ((scaling)); then
	# More threads first: the ratio is theirs over one thread's.
	start_ours "io$threads" "$threads"
	start_ours io1 1
else
	start_ours ours "$threads"
	start_redis
fi
for i in 0 1; do wait_ping "${ports[i]}" "${pids[i]}"; done

# The evalsha row's script, loaded on both servers (the same SHA1 on both).
evalsha_script="return redis.call('INCR', KEYS[1])"
if [[ ",$tests," == *,evalsha,* ]]; then
	sha=$(redis-cli -p "${ports[0]}" SCRIPT LOAD "$evalsha_script")
	ref_sha=$(redis-cli -p "${ports[1]}" SCRIPT LOAD "$evalsha_script")
	[[ $sha == "$ref_sha" && ${#sha} == 40 ]] || { echo "SCRIPT LOAD: $sha, ${names[1]} $ref_sha" >&2; exit 1; }
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

# cli <port> <args...>: one command's reply, raw.
cli() {
	local port=$1
	shift
	redis-cli -p "$port" "$@"
}

# The value redis-benchmark sets (its -d 3 payload): not "xxx" since Redis
# 7, but three bytes from its fixed pseudo-random sequence (seed 1234;
# "VXK").
payload() {
	local state=1234 i out='' chars='0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmno'
	for i in 1 2 3; do
		state=$(((state * 1103515245 + 12345) & 0xFFFFFFFF))
		out+=${chars:$(((state >> 16) & 63)):1} # '0' + 0..63
	done
	echo "$out"
}
value=$(payload)
export value

# resp: the commands on stdin, one a line, words split on spaces, as the
# RESP stream redis-cli --pipe sends.
resp() {
	awk '{ printf "*%d\r\n", NF; for (i = 1; i <= NF; i++) printf "$%d\r\n%s\r\n", length($i), $i }'
}

# pipe_in <port>: sends the commands on stdin (one a line) through
# redis-cli --pipe; fails unless every one succeeded.
pipe_in() {
	local out
	out=$(resp | redis-cli -p "$1" --pipe)
	[[ $out == *"errors: 0,"* ]] || { echo "filling the server on port $1 failed: $out" >&2; exit 1; }
}

# values <port> <pattern>: the values of every key matching pattern, one a
# line (MGET, 500 keys at a time).
values() {
	cli "$1" KEYS "$2" |
		awk '{ k = k " " $0 } NR % 500 == 0 { print "MGET" k; k = "" } END { if (k != "") print "MGET" k }' |
		redis-cli -p "$1"
}

# info_field <port> <section> <field>: one field of INFO.
info_field() { cli "$1" INFO "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f { print $2 }'; }

# prepare <i> <test> <keys> <requests>: empties server i's database and
# fills it as the row expects (see the header).
prepare() {
	local port=${ports[$1]}
	cli "$port" FLUSHALL >/dev/null
	case $2 in
	get)
		if (($3 == 1)); then
			cli "$port" SET key:__rand_int__ "$value" >/dev/null
		else
			awk -v k="$3" 'BEGIN { for (i = 0; i < k; i++) printf "SET key:%012d %s\n", i, ENVIRON["value"] }' | pipe_in "$port"
		fi
		hits_before=$(info_field "$port" stats keyspace_hits)
		misses_before=$(info_field "$port" stats keyspace_misses)
		;;
	lpop | rpop)
		awk -v n=$(($4 + 5)) 'BEGIN {
			for (i = 0; i < n; i += 1000) {
				line = "RPUSH mylist"
				for (j = i; j < n && j < i + 1000; j++) line = line " " ENVIRON["value"]
				print line
			}
		}' | pipe_in "$port"
		;;
	spop) cli "$port" SADD myset element:__rand_int__ >/dev/null ;;
	zpopmin) cli "$port" ZADD myzset 0 element:__rand_int__ >/dev/null ;;
	esac
}

# check <i> <test> <pipeline> <keys> <requests>: fails the run unless
# server i holds what the row's requests (as many as redis-benchmark sent:
# whole pipelines) should have left.
check() {
	local name=${names[$1]} port=${ports[$1]} test=$2 pipeline=$3 keys=$4 n=$5 got
	fail() {
		echo "$0: check failed on $name (port $port), row $test -P $pipeline keys $keys, $n requests: $*" >&2
		exit 1
	}
	expect() { # expect <what> <got> <want>
		[[ $2 == "$3" ]] || fail "$1 is '$2', want '$3'"
	}
	# distinct <draws>: fails unless DBSIZE is near the number of distinct
	# keys that many uniform draws from the key space give.
	distinct() {
		got=$(cli "$port" DBSIZE)
		awk -v got="$got" -v d="$1" -v k="$keys" 'BEGIN {
			want = k * (1 - exp(d * log(1 - 1 / k)))
			exit !(got > 0 && got <= d && got <= k && (got - want)^2 <= (0.05 * want + 3)^2)
		}' || fail "DBSIZE is $got, want about $(awk -v d="$1" -v k="$keys" 'BEGIN { printf "%.0f", k * (1 - exp(d * log(1 - 1 / k))) }')"
	}
	# all_set: fails unless every key holds the payload.
	all_set() {
		got=$(values "$port" 'key:*' | awk '$0 != ENVIRON["value"] { bad++; v = $0 } END { printf "%d %s", bad, v }')
		[[ $got == "0 " ]] || fail "${got%% *} keys do not hold '$value' (one holds '${got#* }')"
	}
	kill -0 "${pids[$1]}" 2>/dev/null || fail "the server has exited"
	case $test in
	set | mset)
		if ((keys == 1)); then
			expect DBSIZE "$(cli "$port" DBSIZE)" 1
			expect "GET key:__rand_int__" "$(cli "$port" GET key:__rand_int__)" "$value"
		else
			if [[ $test == set ]]; then distinct "$n"; else distinct $((10 * n)); fi
			all_set
		fi
		;;
	get)
		expect "keyspace_hits - before" $(($(info_field "$port" stats keyspace_hits) - hits_before)) "$n"
		expect "keyspace_misses - before" $(($(info_field "$port" stats keyspace_misses) - misses_before)) 0
		if ((keys == 1)); then
			expect "GET key:__rand_int__" "$(cli "$port" GET key:__rand_int__)" "$value"
		else
			expect DBSIZE "$(cli "$port" DBSIZE)" "$keys"
		fi
		;;
	incr)
		if ((keys == 1)); then
			expect "GET counter:__rand_int__" "$(cli "$port" GET counter:__rand_int__)" "$n"
		else
			distinct "$n"
			expect "the sum of the counters" "$(values "$port" 'counter:*' | awk '{ s += $1 } END { print s + 0 }')" "$n"
		fi
		;;
	lpush) expect "LLEN mylist" "$(cli "$port" LLEN mylist)" "$n" ;;
	lpop | rpop) expect "LLEN mylist" "$(cli "$port" LLEN mylist)" 5 ;;
	sadd)
		expect "SCARD myset" "$(cli "$port" SCARD myset)" 1
		expect "SISMEMBER myset element:__rand_int__" "$(cli "$port" SISMEMBER myset element:__rand_int__)" 1
		;;
	hset)
		expect "HLEN myhash" "$(cli "$port" HLEN myhash)" 1
		expect "HGET myhash element:__rand_int__" "$(cli "$port" HGET myhash element:__rand_int__)" "$value"
		;;
	spop) expect "EXISTS myset" "$(cli "$port" EXISTS myset)" 0 ;;
	zadd)
		expect "ZCARD myzset" "$(cli "$port" ZCARD myzset)" 1
		expect "ZSCORE myzset element:__rand_int__" "$(cli "$port" ZSCORE myzset element:__rand_int__)" 0
		;;
	zpopmin) expect "EXISTS myzset" "$(cli "$port" EXISTS myzset)" 0 ;;
	lrange_*)
		# redis-benchmark's fill: as many LPUSHes as the row has requests.
		expect "LLEN mylist" "$(cli "$port" LLEN mylist)" "$n"
		local last=$((${test#lrange_} - 1)) want=${test#lrange_}
		((want <= n)) || want=$n
		expect "the number of '$value's LRANGE mylist 0 $last returns" "$(cli "$port" LRANGE mylist 0 $last | grep -cxF -e "$value")" "$want"
		;;
	xadd) expect "XLEN bench:stream" "$(cli "$port" XLEN bench:stream)" "$n" ;;
	evalsha) expect "GET evalsha:counter" "$(cli "$port" GET evalsha:counter)" "$n" ;;
	xreadgroup)
		expect "XLEN bench:xreadgroup" "$(cli "$port" XLEN bench:xreadgroup)" $((requests / 2))
		expect "XPENDING bench:xreadgroup g's count" "$(cli "$port" XPENDING bench:xreadgroup g | head -1)" 0
		;;
	esac
}

# run_row <i> <pipeline> <test> <keys>: one row against server i: prepares
# its data, runs redis-benchmark (or streambench), checks the data and sets
# row_result to "rps cpu p50 p99": the requests per second, the server's
# CPU microseconds per request, and the p50 and p99 latency in ms (of the
# last line of the CSV: lrange_100 prints its LPUSH fill first).
run_row() {
	local i=$1 pipeline=$2 test=$3 keys=$4 before after rps=- p50=- p99=- sent
	local port=${ports[$1]} pid=${pids[$1]}
	# redis-benchmark sends whole pipelines: as many as -n needs.
	sent=$(((requests + pipeline - 1) / pipeline * pipeline))
	prepare "$i" "$test" "$keys" "$sent"
	if [[ $test == xreadgroup ]]; then
		# Half the requests are XREADGROUPs, half XACKs. The fill is left
		# out of the CPU figure.
		local sb=("$streambench_bin" -addr "127.0.0.1:$port" -c "$clients" -n $((requests / 2)) -P "$pipeline" -key bench:xreadgroup)
		"${sb[@]}" -phase fill >/dev/null
		before=$(cpu_ticks "$pid")
		rps=$("${sb[@]}" -phase read)
		after=$(cpu_ticks "$pid")
	else
		local args words
		args=(-p "$port" -c "$clients" -n "$requests" -P "$pipeline" --csv)
		((keys == 1)) || args+=(-r "$keys")
		# The command comes last: it takes every argument after it. read
		# splits it into words without expanding the xadd row's *.
		read -ra words <<<"$(bench_args "$test")"
		before=$(cpu_ticks "$pid")
		if ! redis-benchmark "${args[@]}" "${words[@]}" >"$tmp/csv" 2>"$tmp/err"; then
			echo "$0: redis-benchmark ${args[*]} ${words[*]} failed against ${names[i]}:" >&2
			cat "$tmp/err" "$tmp/csv" >&2
			exit 1
		fi
		after=$(cpu_ticks "$pid")
		if [[ -s $tmp/err ]]; then
			echo "redis-benchmark against ${names[i]}, row $test -P $pipeline keys $keys said:" >&2
			cat "$tmp/err" >&2
		fi
		read -r rps p50 p99 < <(awk -F'","' 'NR > 1 { r = $2; p50 = $5; p99 = $7 } END { print r, p50, p99 }' "$tmp/csv")
		[[ $rps =~ ^[0-9.]+$ && $p50 =~ ^[0-9.]+$ && $p99 =~ ^[0-9.]+$ ]] || {
			echo "$0: no figures in redis-benchmark's output against ${names[i]}, row $test:" >&2
			cat "$tmp/csv" >&2
			exit 1
		}
	fi
	check "$i" "$test" "$pipeline" "$keys" "$sent"
	row_result=$(awk -v r="$rps" -v t=$((after - before)) -v us="$tick_us" -v n="$requests" -v p50="$p50" -v p99="$p99" \
		'BEGIN { printf "%s %.3f %s %s\n", r, t * us / n, p50, p99 }')
}

# median_of <field> <results...>: the median of one field (1-based) of the
# rounds' results, or - when the row has none.
median_of() {
	local f=$1
	shift
	printf '%s\n' "$@" | awk -v f="$f" '$f != "-" { print $f }' | sort -g |
		awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "-") }'
}

a=${names[0]} b=${names[1]}
# The rows, as "test pipeline keys".
rows=()
for pipeline in ${pipelines//,/ }; do
	for test in ${tests//,/ }; do
		rows+=("$test $pipeline 1")
		case $test in
		set | get | incr | mset) ((keyspace == 1)) || rows+=("$test $pipeline $keyspace") ;;
		esac
	done
done

if ((scaling)); then
	mode=io-threads setting="mini-redis io-threads $threads ($a) vs 1 ($b)"
else
	mode=redis setting="mini-redis io-threads $threads"
fi
[[ -z $appendfsync ]] || setting="$setting, both with appendonly yes, appendfsync $appendfsync"
if ((!json)); then
	echo "$(nproc) cores, $clients clients, $requests requests per row, median of $rounds rounds, $setting"
	echo "rps: requests per second; cpu: the server's CPU microseconds per request; p50, p99: latency in ms"
	printf '%-10s %-3s %6s %10s %10s %6s %8s %8s %6s %7s %7s %7s %7s\n' test P keys "rps $a" "rps $b" ratio \
		"cpu $a" "cpu $b" ratio "p50 $a" "p50 $b" "p99 $a" "p99 $b"
fi
json_rows=() slower=()
for row in "${rows[@]}"; do
	read -r test pipeline keys <<<"$row"
	ra=() rb=()
	for round in $(seq "$rounds"); do
		if ((round % 2)); then order="0 1"; else order="1 0"; fi
		for i in $order; do
			run_row "$i" "$pipeline" "$test" "$keys"
			if ((i == 0)); then ra+=("$row_result"); else rb+=("$row_result"); fi
		done
	done
	line="$test $pipeline $keys"
	for f in 1 2 3 4; do line+=" $(median_of $f "${ra[@]}") $(median_of $f "${rb[@]}")"; done
	if ((json)); then
		json_rows+=("$(awk -v a="$a" -v b="$b" -v line="$line" 'BEGIN {
			split(line, v, " ")
			printf "{\"test\": \"%s\", \"pipeline\": %d, \"keys\": %d, ", v[1], v[2], v[3]
			printf "\"rps_%s\": %.2f, \"rps_%s\": %.2f, \"ratio\": %.4f, ", a, v[4], b, v[5], v[4] / v[5]
			printf "\"cpu_us_%s\": %.3f, \"cpu_us_%s\": %.3f, \"cpu_ratio\": %s, ", a, v[6], b, v[7], (v[7] > 0 ? sprintf("%.4f", v[6] / v[7]) : "null")
			for (i = 8; i <= 11; i++) num[i] = (v[i] == "-" ? "null" : v[i] + 0)
			printf "\"p50_ms_%s\": %s, \"p50_ms_%s\": %s, \"p99_ms_%s\": %s, \"p99_ms_%s\": %s}", a, num[8], b, num[9], a, num[10], b, num[11]
		}')")
	else
		awk -v line="$line" 'BEGIN {
			split(line, v, " ")
			printf "%-10s %-3s %6s %10.0f %10.0f %6.2f %8.2f %8.2f %6.2f %7s %7s %7s %7s\n", v[1], v[2], v[3], v[4], v[5], v[4] / v[5],
				v[6], v[7], (v[7] > 0 ? v[6] / v[7] : 0), v[8], v[9], v[10], v[11]
		}'
		if ((scaling)); then
			awk -v line="$line" 'BEGIN { split(line, v, " "); exit !(v[4] < v[5]) }' && slower+=("$test -P $pipeline keys $keys")
		fi
	fi
done
if ((json)); then
	redis_version=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
	printf '{\n  "mode": "%s",\n  "servers": ["%s", "%s"],\n' "$mode" "$a" "$b"
	printf '  "machine": {"cores": %d, "clients": %d, "requests": %d, "rounds": %d, "io_threads": %d, "random_keys": %d, "pipelines": [%s], "redis_version": "%s", "appendfsync": "%s"},\n' \
		"$(nproc)" "$clients" "$requests" "$rounds" "$threads" "$keyspace" "$pipelines" "$redis_version" "${appendfsync:-off}"
	printf '  "rows": [\n'
	for i in "${!json_rows[@]}"; do
		printf '    %s%s\n' "${json_rows[i]}" "$( ((i + 1 < ${#json_rows[@]})) && echo ,)"
	done
	printf '  ]\n}\n'
elif ((scaling)); then
	if ((${#slower[@]})); then
		echo "io-threads $threads slower than 1 on: $(printf '%s; ' "${slower[@]}")"
	else
		echo "io-threads $threads never slower than 1"
	fi
fi
