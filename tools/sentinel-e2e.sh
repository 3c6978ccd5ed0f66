#!/usr/bin/env bash
# End-to-end test of a Sentinel failover (README, "Scaling out"): three
# Debian redis-server --sentinel processes watch a master and its replica,
# both mini-redis. The master is killed with SIGKILL; the sentinels must
# promote the replica within the configured timeouts, the promoted one must
# take writes and hold the data written before the kill, and the old
# master, restarted, must rejoin as a replica of the new one and receive
# what was written after the failover.
#
# The same run is made first with two redis-servers (the reference, which
# checks the test itself), then with ours.
#
#   tools/sentinel-e2e.sh
#
# The server binary: $MINI_REDIS_SERVER when set; under CI=true the
# Bazel-built one when present (tools/e2e.sh has built it); otherwise
# `go build` into a temporary directory.
#
# Needs redis-server (Debian: redis-server, which also runs as Sentinel)
# and redis-cli (redis-tools). Under CI=true a missing one fails the run;
# otherwise the test is skipped, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

fail() {
	echo "sentinel-e2e: FAIL: $*" >&2
	exit 1
}
ok() { echo "sentinel-e2e: ok: $*" >&2; }

require_tools sentinel-e2e "Debian: apt-get install redis-server redis-tools" redis-server redis-cli

start_work sentinel-e2e

bin=$(server_binary sentinel-e2e "$work") || fail "no server binary"

# Sentinel's timeouts: the master counts as down after down_after ms;
# a failover must be over within failover_timeout ms.
down_after=2000
failover_timeout=20000

used_ports=""
take_port() {
	# shellcheck disable=SC2086 # one argument per port
	port=$(spare_port $used_ports)
	used_ports="$used_ports $port"
}

# wait_for <seconds> <what> <command...>: runs command until it succeeds.
wait_for() {
	local limit=$1 what=$2
	shift 2
	local end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		((SECONDS <= end)) || { keep_logs=1; fail "$what: not within $limit s"; }
		sleep 0.2
	done
}

# info_field <port> <field>: a field of INFO replication.
info_field() {
	redis-cli -p "$1" INFO replication | tr -d '\r' | sed -n "s/^$2://p"
}
is_replica_of() { [ "$(info_field "$1" role)" = slave ] && [ "$(info_field "$1" master_port)" = "$2" ] && [ "$(info_field "$1" master_link_status)" = up ]; }
is_master() { [ "$(info_field "$1" role)" = master ]; }
has_value() { [ "$(redis-cli -p "$1" GET "$2")" = "$3" ]; }
sentinel_master_port() { [ "$(redis-cli -p "$1" SENTINEL get-master-addr-by-name mymaster | sed -n 2p)" = "$2" ]; }
sentinel_sees() {
	[ "$(redis-cli -p "$1" SENTINEL master mymaster | sed -n '/^num-slaves$/{n;p}')" = 1 ] &&
		[ "$(redis-cli -p "$1" SENTINEL master mymaster | sed -n '/^num-other-sentinels$/{n;p}')" = 2 ]
}

# start_data_server <kind> <name> <port> [replicaof-port]: starts ours or
# redis-server from a config file of its own, which Sentinel's CONFIG
# REWRITE writes to.
start_data_server() {
	local kind=$1 name=$2 p=$3 of=${4:-}
	local conf=$work/$kind-$name.conf
	if [ ! -f "$conf" ]; then
		{
			echo "port $p"
			echo "bind 127.0.0.1"
			echo "save \"\""
			echo "appendonly no"
			echo "dir $work"
			echo "dbfilename $kind-$name.rdb"
			[ -z "$of" ] || echo "replicaof 127.0.0.1 $of"
		} >"$conf"
	fi
	if [ "$kind" = ours ]; then
		"$bin" "$conf" --admin-port 0 >>"$work/$kind-$name.log" 2>&1 &
	else
		redis-server "$conf" >>"$work/$kind-$name.log" 2>&1 &
	fi
	pids+=($!)
	eval "pid_$name=$!"
	wait_ping "$p" $! || { tail -20 "$work/$kind-$name.log" >&2; fail "$kind $name did not start"; }
}

run() {
	local kind=$1 start
	echo "sentinel-e2e: --- $kind" >&2
	take_port
	local m=$port
	take_port
	local r=$port
	start_data_server "$kind" master "$m"
	start_data_server "$kind" replica "$r" "$m"
	wait_for 20 "$kind: the replica's link to the master" is_replica_of "$r" "$m"
	redis-cli -p "$m" SET before-failover 1 >/dev/null
	wait_for 10 "$kind: the write reaches the replica" has_value "$r" before-failover 1
	ok "$kind: replica in sync"

	local sentinels=()
	for i in 1 2 3; do
		take_port
		sentinels+=("$port")
		cat >"$work/$kind-sentinel$i.conf" <<-EOF
			port $port
			bind 127.0.0.1
			dir $work
			sentinel monitor mymaster 127.0.0.1 $m 2
			sentinel down-after-milliseconds mymaster $down_after
			sentinel failover-timeout mymaster $failover_timeout
			sentinel parallel-syncs mymaster 1
		EOF
		redis-server "$work/$kind-sentinel$i.conf" --sentinel >"$work/$kind-sentinel$i.log" 2>&1 &
		pids+=($!)
		wait_ping "$port" $! || fail "sentinel $i did not start"
	done
	for s in "${sentinels[@]}"; do
		wait_for 30 "$kind: sentinel $s sees the replica and the other sentinels" sentinel_sees "$s"
	done
	ok "$kind: three sentinels see the master, its replica and each other"

	# shellcheck disable=SC2154 # set by start_data_server through eval
	kill -9 "$pid_master"
	wait "$pid_master" 2>/dev/null || true
	start=$SECONDS
	for s in "${sentinels[@]}"; do
		wait_for $(((down_after + failover_timeout) / 1000 + 10)) "$kind: sentinel $s names the replica as master" sentinel_master_port "$s" "$r"
	done
	wait_for 10 "$kind: the promoted replica says it is master" is_master "$r"
	ok "$kind: replica promoted in $((SECONDS - start)) s"
	[ "$(redis-cli -p "$r" GET before-failover)" = 1 ] || fail "$kind: the promoted replica lost before-failover"
	[ "$(redis-cli -p "$r" SET after-failover 2)" = OK ] || fail "$kind: the promoted replica refuses writes"
	ok "$kind: the new master holds the old data and takes writes"

	start_data_server "$kind" master "$m"
	wait_for 60 "$kind: the old master rejoins as a replica of the new one" is_replica_of "$m" "$r"
	wait_for 20 "$kind: the old master receives the writes made after the failover" has_value "$m" after-failover 2
	ok "$kind: the old master rejoined as a replica"
	grep -q "^replicaof 127.0.0.1 $r" "$work/$kind-master.conf" ||
		fail "$kind: Sentinel's CONFIG REWRITE did not leave replicaof in the old master's config file: $(<"$work/$kind-master.conf")"
	ok "$kind: CONFIG REWRITE left replicaof in the old master's config file"

	kill_started
}

run redis
run ours
echo "sentinel-e2e: PASS" >&2
