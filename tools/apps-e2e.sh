#!/usr/bin/env bash
# End-to-end tests with real client libraries and applications, run as their
# users run them: ioredis and BullMQ (Node, versions pinned in
# tools/apps/package-lock.json) and redis-py and RQ (Debian's python3-redis
# and python3-rq). Each app test (tools/apps/*.test.js, *_test.py) asserts
# real outcomes and has its own timeouts.
#
#   tools/apps-e2e.sh [--redis] [--all] [test...]
#
# Starts mini-redis on a spare port and runs every test in the CI list
# against it (or only the tests named: ioredis redispy redispy-groups
# bullmq rq).
# --redis first runs them against a real redis-server too, on another port:
# the reference, to check the tests themselves. --all adds the tests not in
# CI yet (see "pending" below).
#
# The server binary: $MINI_REDIS_SERVER when set; under CI=true the Bazel-built
# one when present (tools/e2e.sh has just built it); otherwise `go build`
# into a temporary directory.
#
# Needs node and npm (then `npm ci` in tools/apps), python3 with the redis and
# rq modules (Debian: python3-redis python3-rq; $PYTHON picks the
# interpreter), redis-cli, and redis-server for --redis. A missing one fails
# the run under CI=true; otherwise its tests are skipped, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib.bash

# The tests CI runs, and the ones that are runnable but not in CI yet
# (with --all or by name) because the server still lacks commands they use.
ci_tests=(ioredis redispy redispy-groups bullmq rq)
pending=()

# Whole-test timeout, in seconds: each case has its own, shorter one.
test_timeout=${APPS_TEST_TIMEOUT:-90}

fail() { echo "apps-e2e: FAIL: $*" >&2; exit 1; }

with_redis=false
all=false
selected=()
for arg; do
	case $arg in
	--redis) with_redis=true ;;
	--all) all=true ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) fail "unknown flag $arg (see $0 --help)" ;;
	*) selected+=("$arg") ;;
	esac
done
if [ ${#selected[@]} -eq 0 ]; then
	selected=("${ci_tests[@]}")
	$all && selected+=("${pending[@]}")
fi

# test_command <name>: the command line of a test.
test_command() {
	case $1 in
	ioredis) echo "node tools/apps/ioredis.test.js" ;;
	bullmq) echo "node tools/apps/bullmq.test.js" ;;
	redispy) echo "$python tools/apps/redispy_test.py" ;;
	redispy-groups) echo "$python tools/apps/redispy_groups_test.py" ;;
	rq) echo "$python tools/apps/rq_test.py" ;;
	*) return 1 ;;
	esac
}

# --- What is needed, per test.
python=${PYTHON:-}
if [ -z "$python" ]; then
	# Debian's python3-* modules are for Debian's interpreter: prefer it
	# over a python3 earlier on PATH (pyenv, a virtualenv).
	if [ -x /usr/bin/python3 ]; then python=/usr/bin/python3; else python=$(command -v python3 || echo python3); fi
fi
node_problem=""
if ! command -v node >/dev/null; then
	node_problem="node not found on PATH (Debian: apt-get install nodejs npm)"
elif ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
	node_problem="node $(node --version) is too old: ioredis 6 needs Node 20 or later"
elif [ ! -d tools/apps/node_modules/ioredis ] || [ ! -d tools/apps/node_modules/bullmq ]; then
	node_problem="tools/apps/node_modules lacks ioredis or bullmq: run (cd tools/apps && npm ci)"
fi
python_problem() { # python_problem <module>: why the module cannot be imported, if so
	command -v "$python" >/dev/null || { echo "$python not found"; return; }
	"$python" -c "import $1" 2>/dev/null || echo "$python cannot import $1 (Debian: apt-get install python3-redis python3-rq)"
}
problem_of() {
	case $1 in
	ioredis | bullmq) echo "$node_problem" ;;
	redispy | redispy-groups) python_problem redis ;;
	rq) python_problem rq ;;
	esac
}
command -v redis-cli >/dev/null || fail "redis-cli not found on PATH (Debian: redis-tools)"
if $with_redis; then
	command -v redis-server >/dev/null || fail "redis-server not found on PATH, needed by --redis"
fi
runnable=()
skipped=()
for t in "${selected[@]}"; do
	test_command "$t" >/dev/null || fail "unknown test '$t' (known: ${ci_tests[*]} ${pending[*]})"
	why=$(problem_of "$t")
	if [ -n "$why" ]; then
		skip_or_fail apps-e2e "$t: $why"
		skipped+=("$t")
	else
		runnable+=("$t")
	fi
done
[ ${#runnable[@]} -gt 0 ] || fail "nothing to run: every test was skipped"

start_work apps-e2e

# --- The server binary.
bin=$(server_binary apps-e2e "$work") || fail "no server binary"

# start <label> <command...>: starts a server on a spare port, waits for PING,
# and sets port and log. Another program (other tests run on this machine)
# may take the port between spare_port and the bind: then it tries again.
used_ports=""
start() {
	local label=$1
	shift
	log=$work/$label.log
	for _ in 1 2 3 4 5; do
		port=$(spare_port $used_ports)
		used_ports="$used_ports $port"
		"$@" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$log" 2>&1 &
		pids+=($!)
		wait_ping "$port" $! && return
		grep -qi 'address already in use' "$log" || break
	done
	tail -20 "$log" >&2
	fail "$label did not start"
}

results=()
failed=0
# run_all <label>: runs every runnable test against the server on $port.
run_all() {
	local label=$1 t cmd status
	for t in "${runnable[@]}"; do
		cmd=$(test_command "$t")
		# A clean server for each test: keys, scripts and functions.
		redis-cli -p "$port" FLUSHALL >/dev/null
		redis-cli -p "$port" SCRIPT FLUSH >/dev/null
		redis-cli -p "$port" FUNCTION FLUSH >/dev/null
		echo "=== $t against $label: $cmd"
		status=0
		REDIS_PORT=$port timeout --kill-after=5 "$test_timeout" $cmd || status=$?
		if [ $status -eq 0 ]; then
			results+=("PASS  $t against $label")
		else
			[ $status -eq 124 ] && echo "apps-e2e: $t timed out after $test_timeout s"
			results+=("FAIL  $t against $label (exit $status)")
			failed=$((failed + 1))
		fi
		# The server must have survived the test.
		if [ "$(redis-cli -p "$port" PING 2>/dev/null)" != PONG ]; then
			tail -30 "$log" >&2
			fail "$label stopped answering PING after $t"
		fi
	done
	if grep -q 'panic' "$log"; then
		grep -n -A20 'panic' "$log" | head -60 >&2
		fail "$label logged a panic"
	fi
}

if $with_redis; then
	start redis-server redis-server
	run_all redis-server
fi
# --admin-port 0: no admin API, whose default port may be taken.
start mini-redis "$bin" --admin-port 0
run_all mini-redis

echo
echo "=== apps-e2e summary"
printf '%s\n' "${results[@]}"
for t in "${skipped[@]}"; do echo "SKIP  $t ($(problem_of "$t"))"; done
[ $failed -eq 0 ] || fail "$failed app test run(s) failed (see the FAIL lines above)"
echo "apps-e2e: ok"
