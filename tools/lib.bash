# Helpers shared by tools/e2e.sh and the benchmark scripts, which source
# this file (bash only).

# spare_port [port...]: prints a port on 127.0.0.1 that nothing answers on,
# and that is none of the ports given (ones handed out, not yet listened on).
# The port is drawn from 20000-39999, or from SPARE_PORTS (e.g. 7100-7149)
# when it is set, for a machine shared by several runs.
spare_port() {
	local p lo=20000 hi=39999
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
