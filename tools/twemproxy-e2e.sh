#!/usr/bin/env bash
# End-to-end test of the twemproxy deployment in the README ("Scaling out"):
# Debian's nutcracker, configured by examples/twemproxy/nutcracker.yml (only
# its ports changed), in front of three mini-redis servers. Through the proxy
# it checks the commands twemproxy forwards (strings, counters, expiry,
# lists, hashes, sets, sorted sets, EVAL, errors), MGET and DEL fanned out
# over keys on different servers, and hash tags ({user1}:a and {user1}:b on
# one server, asked of each server directly); then redis-benchmark -t set,get
# through the proxy must finish without an error and leave keys on every
# server, all of them found again through the proxy; and redis_auth in front
# of servers with requirepass.
#
# The same sequence then runs with three redis-servers behind the proxy (the
# reference, which checks the test itself), and the two transcripts of
# commands and replies must be the same.
#
#   tools/twemproxy-e2e.sh
#
# The server binary: $MINI_REDIS_SERVER when set; under CI=true the
# Bazel-built one when present (tools/e2e.sh has just built it); otherwise
# `go build` into a temporary directory. Ports are spare ones, or 14 from
# $TWEMPROXY_E2E_PORT on when that is set.
#
# Needs nutcracker (Debian: nutcracker), redis-cli, redis-benchmark (Debian:
# redis-tools) and redis-server. Under CI=true a missing one fails the run;
# otherwise the test is skipped, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

# fail exits; called in a $(...), it exits only that subshell, so it also
# leaves $work/failed for expect and the end to find.
fail() {
	echo "twemproxy-e2e: FAIL: $*" >&2
	[ -z "${work:-}" ] || touch "$work/failed"
	exit 1
}
ok() { echo "twemproxy-e2e: ok: $*" >&2; }

# Debian installs nutcracker in /usr/sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin
require_tools twemproxy-e2e "Debian: apt-get install nutcracker redis-tools redis-server" \
	nutcracker redis-cli redis-benchmark redis-server

start_work twemproxy-e2e

# --- The server binary.
bin=$(server_binary twemproxy-e2e "$work") || fail "no server binary"

# take_port: sets port to a spare one, or to the next from $TWEMPROXY_E2E_PORT.
used_ports=""
next_port=${TWEMPROXY_E2E_PORT:-}
take_port() {
	if [ -n "$next_port" ]; then
		port=$next_port
		next_port=$((next_port + 1))
	else
		port=$(spare_port $used_ports)
	fi
	used_ports="$used_ports $port"
}

# start <log> <command...>: starts a server on a spare port, waits for PING,
# and sets port. Another program may take the port between spare_port and
# the bind: then it tries again.
start() {
	local log=$1
	shift
	for _ in 1 2 3 4 5; do
		take_port
		"$@" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$log" 2>&1 &
		pids+=($!)
		wait_ping "$port" $! && return
		grep -qi 'address already in use' "$log" || break
	done
	tail -20 "$log" >&2
	fail "$log: the server did not start"
}

# start_proxy <label> <port1> <port2> <port3> [setting]: starts nutcracker
# with the example configuration, its listen port and the servers' ports
# replaced and the setting (a "key: value" line) added, and sets proxy.
start_proxy() {
	local label=$1 conf=$work/$1.yml log=$work/$1-nutcracker.log stats
	local setting=${5:-}
	shift
	for _ in 1 2 3 4 5; do
		take_port
		proxy=$port
		take_port
		stats=$port
		sed -e "s/^\(  listen: 127\.0\.0\.1:\)22121\$/\1$proxy/" \
			-e "s/^\(    - 127\.0\.0\.1:\)6380:/\1$1:/" \
			-e "s/^\(    - 127\.0\.0\.1:\)6381:/\1$2:/" \
			-e "s/^\(    - 127\.0\.0\.1:\)6382:/\1$3:/" \
			-e "s/^  redis: true\$/&${setting:+\\n  $setting}/" \
			examples/twemproxy/nutcracker.yml >"$conf"
		[ -z "$setting" ] || grep -qx "  $setting" "$conf" || fail "$setting not added to $conf"
		grep -q ":$proxy\$" "$conf" && grep -q ":$3:1 shard3\$" "$conf" ||
			fail "the ports were not substituted in $conf: $(<"$conf")"
		nutcracker --test-conf -c "$conf" >/dev/null 2>&1 || fail "nutcracker rejects $conf"
		nutcracker -c "$conf" -s "$stats" -a 127.0.0.1 -o "$log" -p "$work/$label-nutcracker.pid" &
		pids+=($!)
		wait_ping "$proxy" $! && return
		grep -qi 'address already in use' "$log" || break
	done
	tail -20 "$log" >&2
	fail "nutcracker for $label did not start"
}

# The transcript of one run: every command sent through the proxy, its
# reply, and the facts checked, one per line. The runs must match.
transcript=/dev/null
note() { echo "$*" >>"$transcript"; }
# r <command...>: sends a command through the proxy; prints the reply and
# writes both to the transcript.
r() {
	local reply
	reply=$(redis-cli -p "$proxy" "$@" 2>&1) || fail "redis-cli $*: $reply"
	{ echo "> $*"; echo "$reply"; } >>"$transcript"
	echo "$reply"
}
# rs <command...>: r for a reply in no particular order (SMEMBERS): sorted.
rs() {
	local reply
	reply=$(redis-cli -p "$proxy" "$@" 2>&1 | sort) || fail "redis-cli $*: $reply"
	{ echo "> $*"; echo "$reply"; } >>"$transcript"
	echo "$reply"
}
# rt <command...>: r for a time-dependent reply (TTL): the transcript has
# the command only; the caller checks the reply's range and notes that.
rt() {
	local reply
	reply=$(redis-cli -p "$proxy" "$@" 2>&1) || fail "redis-cli $*: $reply"
	echo "> $*" >>"$transcript"
	echo "$reply"
}
expect() { # expect <what> <want> <got>
	[ ! -e "$work/failed" ] || exit 1
	[ "$3" = "$2" ] || fail "$label: $1: got '$3', want '$2'"
	ok "$label: $1"
}
# holders <key>: the backends (1, 2, 3) that hold key, asked directly.
holders() {
	local i out=""
	for i in 0 1 2; do
		[ "$(redis-cli -p "${backends[i]}" EXISTS "$1")" = 1 ] && out="$out$((i + 1))"
	done
	echo "${out:-none}"
}

# checks <label>: the sequence, against the proxy on $proxy in front of the
# servers in backends.
checks() {
	label=$1
	transcript=$work/$label.transcript
	: >"$transcript"
	local i k keys=() where=() want=() all ttl args

	expect "PING" PONG "$(r PING)"
	expect "SET" OK "$(r SET greeting hello)"
	expect "GET" hello "$(r GET greeting)"
	expect "GET missing" "" "$(r GET missing)"

	# MGET and DEL fan out: twemproxy splits them per server and joins the
	# replies in the order of the keys. (With fnv1a_64, key1 to key30 all
	# hash to two of the three servers; these names reach all three.)
	keys=(apple banana cherry date elder fig grape honeydew kiwi lemon mango papaya)
	for k in "${keys[@]}"; do
		r SET "$k" "v-$k" >/dev/null
		where+=("$(holders "$k")")
		want+=("v-$k")
	done
	note "holders ${where[*]}"
	all=$(printf '%s\n' "${where[@]}" | sort -u | tr -d '\n')
	expect "the 12 keys are spread over the 3 servers, one each" 123 "$all"
	expect "MGET over 3 servers, a missing key among them" \
		"$(printf '%s\n' "${want[@]:0:6}" "" "${want[@]:6}")" \
		"$(r MGET "${keys[@]:0:6}" nokey "${keys[@]:6}")"
	# nutcracker 0.5.0 sends EXISTS, whatever its keys, to the first key's
	# server: one key at a time through the proxy.
	expect "EXISTS" 1 "$(r EXISTS kiwi)"
	expect "EXISTS missing" 0 "$(r EXISTS nokey)"
	expect "DEL over 3 servers counts every key deleted" 12 "$(r DEL "${keys[@]}" nokey)"
	for k in "${keys[@]}"; do
		[ "$(holders "$k")" = none ] || fail "$label: $k still on server $(holders "$k") after DEL"
	done
	ok "$label: DEL removed the keys from every server"
	expect "MSET over 3 servers" OK "$(r MSET apple a fig b kiwi c)"
	expect "MGET after MSET" "$(printf 'a\nb\nc')" "$(r MGET apple fig kiwi)"
	expect "DEL again" 3 "$(r DEL apple fig kiwi)"

	# Hash tags: only the part in braces is hashed. (Without hash_tag in the
	# configuration these four keys land on three different servers.)
	r SET '{user1}:a' 1 >/dev/null
	r SET '{user1}:b' 2 >/dev/null
	r SET 'date{user1}' 3 >/dev/null
	r HSET 'papaya:{user1}' name ann >/dev/null
	where=()
	for k in '{user1}:a' '{user1}:b' 'date{user1}' 'papaya:{user1}'; do
		where+=("$(holders "$k")")
	done
	note "hash tag holders ${where[*]}"
	[[ ${where[0]} =~ ^[123]$ ]] || fail "$label: {user1}:a is on servers '${where[0]}', want exactly one"
	expect "{user1}:a, {user1}:b, date{user1} and papaya:{user1} on one server" \
		"${where[0]} ${where[0]} ${where[0]} ${where[0]}" "${where[*]}"
	expect "MGET with a hash tag" "$(printf '1\n2')" "$(r MGET '{user1}:a' '{user1}:b')"
	expect "EVAL on two keys of one tag" 3 \
		"$(r EVAL "return redis.call('INCRBY', KEYS[1], redis.call('GET', KEYS[2]))" 2 '{user1}:a' '{user1}:b')"

	# Strings and counters.
	expect "INCR" 1 "$(r INCR counter)"
	expect "INCRBY" 11 "$(r INCRBY counter 10)"
	expect "DECR" 10 "$(r DECR counter)"
	expect "INCRBYFLOAT" 10.5 "$(r INCRBYFLOAT counter 0.5)"
	expect "INCR of a float" "ERR value is not an integer or out of range" "$(r INCR counter)"
	expect "APPEND" 12 "$(r APPEND greeting ", world")"
	expect "STRLEN" 12 "$(r STRLEN greeting)"
	expect "GETRANGE" world "$(r GETRANGE greeting 7 -1)"
	expect "SETNX on a key" 0 "$(r SETNX greeting other)"
	expect "GETSET" "hello, world" "$(r GETSET greeting hi)"
	expect "GETDEL" hi "$(r GETDEL greeting)"
	expect "TYPE" string "$(r TYPE counter)"
	expect "TYPE none" none "$(r TYPE greeting)"

	# Expiry.
	expect "EXPIRE" 1 "$(r EXPIRE counter 100)"
	ttl=$(rt TTL counter)
	((ttl >= 98 && ttl <= 100)) || fail "$label: TTL after EXPIRE 100 is $ttl"
	note "TTL within 98 to 100"
	ok "$label: TTL"
	expect "EXPIRE missing" 0 "$(r EXPIRE missing 100)"
	expect "TTL missing" -2 "$(r TTL missing)"
	expect "PERSIST" 1 "$(r PERSIST counter)"
	expect "TTL persistent" -1 "$(r TTL counter)"
	expect "SET EX" OK "$(r SET temp v EX 50)"
	ttl=$(rt PTTL temp)
	((ttl > 48000 && ttl <= 50000)) || fail "$label: PTTL after SET EX 50 is $ttl"
	note "PTTL within 48000 to 50000"
	ok "$label: PTTL"
	expect "PEXPIRE" 1 "$(r PEXPIRE temp 1)"
	sleep 0.1
	expect "the key has expired" "" "$(r GET temp)"

	# Lists.
	expect "RPUSH" 3 "$(r RPUSH list a b c)"
	expect "LPUSH" 4 "$(r LPUSH list z)"
	expect "LRANGE" "$(printf 'z\na\nb\nc')" "$(r LRANGE list 0 -1)"
	expect "LLEN" 4 "$(r LLEN list)"
	expect "LINDEX" b "$(r LINDEX list 2)"
	expect "LPOP" z "$(r LPOP list)"
	expect "RPOP" c "$(r RPOP list)"
	expect "LSET" OK "$(r LSET list 0 A)"
	expect "LRANGE after" "$(printf 'A\nb')" "$(r LRANGE list 0 -1)"
	expect "WRONGTYPE" "WRONGTYPE Operation against a key holding the wrong kind of value" "$(r GET list)"

	# Hashes.
	expect "HSET" 2 "$(r HSET hash f1 v1 f2 v2)"
	expect "HGET" v1 "$(r HGET hash f1)"
	expect "HMGET" "$(printf 'v1\n\nv2')" "$(r HMGET hash f1 nof f2)"
	expect "HINCRBY" 5 "$(r HINCRBY hash n 5)"
	expect "HLEN" 3 "$(r HLEN hash)"
	expect "HEXISTS" 1 "$(r HEXISTS hash f2)"
	expect "HDEL" 1 "$(r HDEL hash f2)"
	expect "HGETALL" "$(printf 'f1\nv1\nn\n5')" "$(r HGETALL hash)"

	# Sets.
	expect "SADD" 3 "$(r SADD set a b c)"
	expect "SADD again" 0 "$(r SADD set a)"
	expect "SISMEMBER" 1 "$(r SISMEMBER set b)"
	expect "SCARD" 3 "$(r SCARD set)"
	expect "SMEMBERS" "$(printf 'a\nb\nc')" "$(rs SMEMBERS set)"
	expect "SREM" 1 "$(r SREM set b)"
	expect "SMISMEMBER" "$(printf '1\n0')" "$(r SMISMEMBER set a b)"

	# Sorted sets.
	expect "ZADD" 3 "$(r ZADD zset 1 a 2 b 3 c)"
	expect "ZRANGE WITHSCORES" "$(printf 'a\n1\nb\n2\nc\n3')" "$(r ZRANGE zset 0 -1 WITHSCORES)"
	expect "ZSCORE" 2 "$(r ZSCORE zset b)"
	expect "ZINCRBY" 5 "$(r ZINCRBY zset 4 a)"
	expect "ZRANK" 2 "$(r ZRANK zset a)"
	expect "ZREVRANGE" "$(printf 'a\nc\nb')" "$(r ZREVRANGE zset 0 -1)"
	expect "ZRANGEBYSCORE" "$(printf 'b\nc')" "$(r ZRANGEBYSCORE zset 2 3)"
	expect "ZCOUNT" 2 "$(r ZCOUNT zset 3 '+inf')"
	expect "ZREM" 1 "$(r ZREM zset b)"
	expect "ZCARD" 2 "$(r ZCARD zset)"

	# More of what twemproxy forwards, checked by the transcripts' diff
	# only: each reply must be redis-server's. (Keys of one command that
	# touches several share a hash tag, as twemproxy needs them to.)
	while read -r -a args; do
		r "${args[@]}" >/dev/null
	done <<'CMDS'
SETEX ex 100 v
PSETEX pex 100000 v
SETRANGE greeting 0 hello
GETRANGE greeting 0 -1
SETBIT bits 7 1
GETBIT bits 7
BITCOUNT bits
BITPOS bits 1
PFADD hll a b c a
PFCOUNT hll
SORT list ALPHA
LINSERT list BEFORE b mid
LREM list 0 mid
LTRIM list 0 10
RPOPLPUSH list list
LPOS list b
HSETNX hash f1 other
HINCRBYFLOAT hash n 1.5
HKEYS hash
HVALS hash
HSTRLEN hash f1
SADD {t}:s1 a b c
SADD {t}:s2 b c d
SUNIONSTORE {t}:s3 {t}:s1 {t}:s2
ZADD lex 0 a 0 b 0 c 0 d
ZRANGEBYLEX lex [b (d
ZLEXCOUNT lex - +
ZREMRANGEBYSCORE zset 0 1
ZREVRANK zset a
ZMSCORE zset a nope
ZPOPMIN lex
ZRANGESTORE {t}:z lex 0 -1
ZUNIONSTORE {t}:u 2 {t}:z {t}:z WEIGHTS 1 2
ZRANGE {t}:u 0 -1 WITHSCORES
GEOADD geo 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
GEODIST geo Palermo Catania km
GEOPOS geo Palermo
EXPIREAT ex 4102444800
PEXPIREAT pex 4102444800000
TOUCH ex
UNLINK ex pex
HSCAN hash 0 COUNT 100
ZSCAN zset 0
DUMP missing
STRLEN missing
CMDS

	expect "DEL of every type at once" 9 \
		"$(r DEL '{user1}:a' '{user1}:b' 'date{user1}' 'papaya:{user1}' counter list hash set zset missing)"

	# redis-benchmark through the proxy: 50 clients, pipelined by
	# nutcracker over one connection to each server.
	local dbsize total=0 found=0 n=10000 batch out sizes=()
	for i in 0 1 2; do redis-cli -p "${backends[i]}" FLUSHALL >/dev/null; done
	out=$(redis-benchmark -p "$proxy" -t set,get -n 20000 -r "$n" --csv 2>&1) ||
		fail "$label: redis-benchmark through the proxy: $out"
	! grep -qi error <<<"$out" || fail "$label: redis-benchmark reported errors: $out"
	grep -q '^"SET",' <<<"$out" && grep -q '^"GET",' <<<"$out" ||
		fail "$label: redis-benchmark did not finish SET and GET: $out"
	echo "twemproxy-e2e: $label: redis-benchmark through the proxy: $(grep -o '^"[A-Z]*","[0-9.]*"' <<<"$out" | tr '\n' ' ')" >&2
	for i in 0 1 2; do
		dbsize=$(redis-cli -p "${backends[i]}" DBSIZE)
		((dbsize > 0)) || fail "$label: server $((i + 1)) holds no keys after redis-benchmark"
		sizes+=("$dbsize")
		total=$((total + dbsize))
	done
	# Every key redis-benchmark wrote (key:000000000000 to key:000000009999),
	# asked for through the proxy, 1000 to an MGET.
	for ((batch = 0; batch < n; batch += 1000)); do
		found=$((found + $(redis-cli -p "$proxy" MGET $(seq -f 'key:%012g' "$batch" $((batch + 999))) | grep -c . || true)))
	done
	echo "twemproxy-e2e: $label: keys per server ${sizes[*]}, $total in all, $found found through the proxy" >&2
	expect "every key on the servers is found through the proxy" "$total" "$found"
	note "benchmark keys on every server, all found through the proxy"

	# requirepass on the servers and redis_auth in the pool: clients AUTH
	# to the proxy with the password, and it authenticates to each server.
	local main_proxy=$proxy
	for i in 0 1 2; do redis-cli -p "${backends[i]}" CONFIG SET requirepass secret >/dev/null; done
	REDISCLI_AUTH=secret start_proxy "$label-auth" "${backends[@]}" "redis_auth: secret"
	expect "redis_auth: a command before AUTH" "NOAUTH Authentication required" "$(r GET apple)"
	expect "redis_auth: AUTH with a wrong password" "ERR invalid password" "$(r AUTH wrong)"
	expect "redis_auth: MSET after AUTH" OK "$(REDISCLI_AUTH=secret r MSET apple 1 fig 2 kiwi 3)"
	expect "redis_auth: MGET after AUTH" "$(printf '1\n2\n3')" "$(REDISCLI_AUTH=secret r MGET apple fig kiwi)"
	expect "redis_auth: DEL after AUTH" 3 "$(REDISCLI_AUTH=secret r DEL apple fig kiwi)"
	for i in 0 1 2; do
		REDISCLI_AUTH=secret redis-cli -p "${backends[i]}" CONFIG SET requirepass '' >/dev/null
	done
	proxy=$main_proxy

	# The servers are still up and logged no panic.
	for i in 0 1 2; do
		[ "$(redis-cli -p "${backends[i]}" PING)" = PONG ] || fail "$label: server $((i + 1)) stopped answering"
	done
	! grep -q panic "$work/$label"-*.log || fail "$label: a server logged a panic"
}

# run <label> <server command...>: three servers, the proxy, the checks.
run() {
	local label=$1 i
	shift
	backends=()
	for i in 1 2 3; do
		start "$work/$label-$i.log" "$@"
		backends+=("$port")
	done
	start_proxy "$label" "${backends[@]}"
	echo "twemproxy-e2e: $label: servers on ${backends[*]}, nutcracker on $proxy" >&2
	checks "$label"
}

# --admin-port 0: no admin API, whose default port may be taken.
run mini-redis "$bin" --admin-port 0
run redis-server redis-server
[ ! -e "$work/failed" ] || exit 1
diff -u "$work/redis-server.transcript" "$work/mini-redis.transcript" ||
	fail "the replies through the proxy differ from redis-server's (above: - redis-server, + mini-redis)"
ok "the transcripts through the proxy match redis-server's ($(grep -c '^>' "$work/mini-redis.transcript") commands)"
echo "twemproxy-e2e: all checks passed"
