# Helpers shared by tools/e2e.sh, the other end-to-end scripts and the
# benchmark scripts, which source this file (bash only).

# spare_port [port...]: prints a port on 127.0.0.1 that nothing answers on,
# and that is none of the ports given (ones handed out, not yet listened on).
# The port is drawn from 20000-32767, below Linux's ephemeral range
# (32768-60999), where a connection's local port could take it between
# this check and the server's bind; or from SPARE_PORTS (e.g. 7100-7149)
# when it is set, for a machine shared by several runs.
spare_port() {
	local p lo=20000 hi=32767
	if [[ ${SPARE_PORTS:-} =~ ^([0-9]+)-([0-9]+)$ ]]; then
		lo=${BASH_REMATCH[1]} hi=${BASH_REMATCH[2]}
	fi
	while :; do
		p=$((lo + RANDOM % (hi - lo + 1)))
		case " $* " in *" $p "*) continue ;; esac
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# wait_ping <port> <pid> [seconds]: waits until the server on port answers
# PING with PONG (not LOADING). Fails, saying why, as soon as process pid
# has exited, or after seconds (default 10).
wait_ping() {
	local limit=${3:-10}
	local end=$((SECONDS + limit))
	until [ "$(redis-cli -p "$1" PING 2>/dev/null)" = PONG ]; do
		kill -0 "$2" 2>/dev/null || { echo "the server for port $1 has exited" >&2; return 1; }
		((SECONDS <= end)) || { echo "no PONG on port $1 within $limit s" >&2; return 1; }
		sleep 0.01
	done
}

# server_binary <name> <dir>: prints the server binary the end-to-end
# scripts test: $MINI_REDIS_SERVER when set; under CI=true the Bazel-built
# one when present (tools/e2e.sh has built it); otherwise one built with
# go build into dir. name labels the script's messages.
server_binary() {
	local bin=${MINI_REDIS_SERVER:-}
	local bazel_bin=bazel-bin/server/cmd/mini-redis-server/mini-redis-server_/mini-redis-server
	if [ -z "$bin" ] && [ "${CI:-}" = true ] && [ -x "$bazel_bin" ]; then
		bin=$bazel_bin
	fi
	if [ -z "$bin" ]; then
		echo "$1: go build ./server/cmd/mini-redis-server" >&2
		go build -o "$2/mini-redis-server" ./server/cmd/mini-redis-server || return 1
		bin=$2/mini-redis-server
	fi
	[ -x "$bin" ] || { echo "$1: server binary $bin is not executable" >&2; return 1; }
	echo "$bin"
}

# skip_or_fail <name> <why>: for a test that cannot run here (something it
# needs is missing). Under CI=true, which must run every test, it says
# "<name>: FAIL: <why>" and exits 1; otherwise it says "<name>: SKIP: <why>"
# and returns, for the caller to skip the test.
skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		echo "$1: FAIL: $2" >&2
		exit 1
	fi
	echo "$1: SKIP: $2" >&2
}

# require_tools <name> <install hint> <tool...>: for the first tool that is
# not on PATH, skip_or_fail with "<tool> not found on PATH (<install hint>)",
# then exit 0: the whole test is skipped.
require_tools() {
	local name=$1 hint=$2 tool
	shift 2
	for tool; do
		command -v "$tool" >/dev/null && continue
		skip_or_fail "$name" "$tool not found on PATH ($hint)"
		exit 0
	done
}

# start_work <name>: sets work to a new temporary directory and the array
# pids, where the script lists the processes it starts in the background,
# to none; and traps EXIT to end_work, so that a run that fails anywhere
# leaves no server running and no files behind.
start_work() {
	work=$(mktemp -d)
	pids=()
	# shellcheck disable=SC2064 # the name is the one given now
	trap "end_work $(printf %q "$1")" EXIT
}

# kill_started: kills (SIGKILL) and reaps every process in pids, and
# empties it.
kill_started() {
	local p
	for p in "${pids[@]}"; do
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	pids=()
}

# end_work <name>: kill_started, then removes $work; or, when keep_logs is
# set (a failure the logs explain), keeps it and says "<name>: logs kept
# in <dir>".
end_work() {
	kill_started
	if [ -n "${keep_logs:-}" ]; then
		echo "$1: logs kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
