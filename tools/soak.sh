#!/usr/bin/env bash
# Soaks a freshly built server: 10,000 idle clients held open while writers
# run SET/GET on random keys beside them and slow subscribers fall behind a
# flood of published messages, for a bounded time; then checks that every
# idle client still answers, every slow subscriber was cut off by the
# pubsub output buffer limit, the writers saw no error, and the server went
# back to its clients and goroutines of before (tools/soak does the work).
#
#   tools/soak.sh [-c clients] [-d duration] [-s slow] [-w writers]
#
# Defaults: 10000 clients, 20s, 20 slow subscribers, 8 writers. Prints the
# server's connected clients, memory, RSS and goroutines before, during
# and after; exits 1 when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

clients=10000 duration=20s slow=20 writers=8
while getopts "c:d:s:w:" opt; do
	case $opt in
	c) clients=$OPTARG ;;
	d) duration=$OPTARG ;;
	s) slow=$OPTARG ;;
	w) writers=$OPTARG ;;
	*) echo "usage: $0 [-c clients] [-d duration] [-s slow] [-w writers]" >&2; exit 2 ;;
	esac
done

# Each side holds one descriptor per client, plus a few.
need=$((clients + slow + writers + 200))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	ulimit -n "$need" 2>/dev/null || {
		echo "soak: needs $need open files; ulimit -n allows $(ulimit -n) (hard limit $(ulimit -Hn))" >&2
		exit 1
	}
fi

tmp=$(mktemp -d)
go build -o "$tmp/mini-redis-server" ./server/cmd/mini-redis-server
go build -o "$tmp/soak" ./tools/soak
port=$(spare_port)
metrics_port=$(spare_port "$port")
"$tmp/mini-redis-server" --port "$port" --admin-port 0 --save "" --loglevel warning --dir "$tmp" \
	--maxclients "$need" --metrics-port "$metrics_port" \
	--client-output-buffer-limit "pubsub 4mb 1mb 5" 2>"$tmp/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
wait_ping "$port" $pid

status=0
"$tmp/soak" -addr "127.0.0.1:$port" -clients "$clients" -writers "$writers" -slow "$slow" \
	-duration "$duration" -metrics "http://127.0.0.1:$metrics_port/metrics" || status=$?
kill -0 $pid 2>/dev/null || { echo "soak: the server died" >&2; cat "$tmp/server.log" >&2; exit 1; }
if grep -q '"level":"error"\|panic' "$tmp/server.log"; then
	echo "soak: the server logged errors:" >&2
	grep '"level":"error"\|panic' "$tmp/server.log" | head -20 >&2
	status=1
fi
exit $status
