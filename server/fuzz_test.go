package server

import (
	"bytes"
	"errors"
	"maps"
	"math/big"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// The fuzz targets of the server package. Their seed corpora are the f.Add
// inputs plus the files in testdata/fuzz/<FuzzName>, which hold every
// failing input found so far; plain `go test` runs them all. Fuzz one with
//
//	go test -run '^$' -fuzz '^FuzzCommands$' -fuzztime 5m -parallel 1 ./server

// FuzzCommands runs short command sequences decoded from the input (see
// decodeFuzzCommands) on one connection to an in-process server and checks
// that every command gets exactly one well-formed reply, that errors are
// worded as Redis words them (an upper-case code first), that the server
// never panics (a panic in a client goroutine ends the test binary, which
// the fuzzer reports with the input), and that the connection still
// answers afterwards unless the sequence closed it.
func FuzzCommands(f *testing.F) {
	for _, seed := range []string{
		"SET k v\nGET k\nAPPEND k x\nSTRLEN k\nGETRANGE k 0 -1",
		"MULTI\nSET k 1\nINCR k\nEXEC",
		"WATCH k\nMULTI\nINCRBYFLOAT k 1.5\nEXEC\nUNWATCH",
		"SELECT 3\nSET a b\nMOVE a 0\nSWAPDB 0 3\nDBSIZE",
		"SUBSCRIBE a b\nPSUBSCRIBE c*\nPING\nUNSUBSCRIBE\nPUNSUBSCRIBE",
		"HELLO 3\nSUBSCRIBE ch\nPUBLISH ch hi\nSSUBSCRIBE s\nSPUBLISH s x\nRESET",
		"CLIENT SETNAME x\nCLIENT LIST\nCLIENT INFO\nCLIENT KILL ID 1\nCLIENT NO-EVICT on",
		"CONFIG SET maxmemory 1 maxmemory-policy allkeys-lfu\nSET k v\nOBJECT FREQ k\nCONFIG GET *",
		"SET k 10\nOBJECT ENCODING k\nDEBUG OBJECT k\nDEBUG SLEEP 0.001",
		"SETRANGE k 1048576 x\nSETBIT k 8388608 1\nSETRANGE k 5 x\nBITCOUNT k\nBITPOS k 1 0 -1 BIT",
		"SET k v EX 100 KEEPTTL\nSET k v PX 1 EXAT 5\nGETEX k PERSIST\nEXPIRE k 10 NX GT\nTTL k",
		"MSET a 1 b 2\nSCAN 0 MATCH * COUNT 1 TYPE string\nKEYS *\nRANDOMKEY\nCOPY a c DB 2",
		"LCS a b IDX MINMATCHLEN 1 WITHMATCHLEN\nCOMMAND INFO get\nCOMMAND GETKEYS set k v",
		"CLIENT PAUSE 100 WRITE\nSET k v\nCLIENT UNPAUSE\nQUIT\nPING",
		"BLPOP k 0\nBRPOP a b 0.5\nBLMPOP 0 2 a b LEFT COUNT 2\nMULTI\nBLMOVE k d LEFT RIGHT 0\nEXEC\nBRPOPLPUSH k d -0.0001\nCLIENT UNBLOCK 1 ERROR",
		"\x01 k\n\x02 \x03\n\x90 a b",
		"SADD s 1 2 a\nSPOP s 2\nSRANDMEMBER s -3\nSINTERSTORE d s s\nSSCAN s 0 MATCH * COUNT 1\nSMOVE s d a",
		"SADD s 1 2 3\nSINTERCARD 2 s d LIMIT 1\nSUNIONSTORE s s d\nSDIFF s d\nMEMORY USAGE s SAMPLES 0\nSPOP s 0",
		"ZADD z 1 a 2 b -inf c\nZRANGE z (1 +inf BYSCORE REV LIMIT 0 1 WITHSCORES\nZRANGESTORE d z [a + BYLEX\nZRANDMEMBER z -3 WITHSCORES\nZSCAN z 0\nZREMRANGEBYLEX z - +",
	} {
		f.Add([]byte(seed))
	}
	h := newFuzzHarness(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		h.run(t, decodeFuzzCommands(h.names, data))
	})
}

// Limits of a decoded sequence: enough to reach any state a short script
// reaches, small enough to keep an input fast.
const (
	fuzzMaxCommands = 16
	fuzzMaxArgs     = 12
)

// fuzzNames are the command and subcommand names a fuzz input picks from.
type fuzzNames struct {
	commands []string            // sorted
	subs     map[string][]string // container name: sorted subcommand names
}

func newFuzzNames() fuzzNames {
	n := fuzzNames{subs: map[string][]string{}}
	for name, cmd := range newCommandTable() {
		n.commands = append(n.commands, name)
		for sub := range cmd.subcommands {
			n.subs[name] = append(n.subs[name], sub)
		}
		slices.Sort(n.subs[name])
	}
	slices.Sort(n.commands)
	return n
}

// decodeFuzzCommands splits data into commands, one a line, and each line
// into arguments at spaces. A first argument of one byte names the command
// of that index in the table, and for a container (CLIENT, CONFIG, ...) a
// second argument of one byte names a subcommand, so that random bytes
// reach real commands; real commands have no one-letter names. The
// sequence is then made safe to run (see neutralise).
func decodeFuzzCommands(names fuzzNames, data []byte) [][]string {
	var cmds [][]string
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(cmds) == fuzzMaxCommands {
			break
		}
		var args []string
		for _, a := range bytes.Split(line, []byte(" ")) {
			if len(args) < fuzzMaxArgs {
				args = append(args, string(a))
			}
		}
		if len(args[0]) == 1 {
			args[0] = names.commands[int(args[0][0])%len(names.commands)]
		}
		if subs := names.subs[strings.ToLower(args[0])]; subs != nil && len(args) > 1 && len(args[1]) == 1 {
			args[1] = subs[int(args[1][0])%len(subs)]
		}
		if args = neutralise(args); args != nil {
			cmds = append(cmds, args)
		}
	}
	return cmds
}

// fuzzConfigParams are the parameters CONFIG SET may change in a fuzz
// input: the others would stop the server (port, maxclients, requirepass,
// timeout), write outside the test's directory (dir, dbfilename), lift the
// allocation cap (proto-max-bulk-len) or close connections
// (client-output-buffer-limit). The harness restores them after each input.
var fuzzConfigParams = map[string]string{
	"maxmemory":                   "0",
	"maxmemory-policy":            "noeviction",
	"maxmemory-samples":           "5",
	"lfu-log-factor":              "10",
	"lfu-decay-time":              "1",
	"hz":                          "10",
	"notify-keyspace-events":      "",
	"rdbcompression":              "yes",
	"stop-writes-on-bgsave-error": "yes",
	"loglevel":                    "notice",
}

// neutralise returns args made safe to fuzz, or nil to leave the command
// out: nothing that stops the server, sleeps or pauses long, writes outside
// the test's directory, or turns replies off (the harness counts them).
func neutralise(args []string) []string {
	name := strings.ToLower(args[0])
	sub := ""
	if len(args) > 1 {
		sub = strings.ToLower(string(cString([]byte(args[1]), len(args[1]))))
	}
	switch {
	case name == "shutdown":
		return nil
	case name == "debug" && sub == "sleep" && len(args) == 3:
		args[2] = "0"
	case name == "client" && sub == "pause" && len(args) > 2:
		if ms, ok := parseInt([]byte(args[2])); ok && ms > 5 {
			args[2] = "5"
		}
	case name == "client" && sub == "reply":
		return nil
	case blockingTimeoutArg(name, len(args)) > 0:
		// A blocking command waits a millisecond at most: nothing pushes
		// while an input runs on its one connection.
		if i := blockingTimeoutArg(name, len(args)); validTimeout(args[i]) {
			args[i] = "0.001"
		}
	case name == "config" && sub == "set":
		for i := 2; i < len(args); i += 2 {
			if _, ok := fuzzConfigParams[args[i]]; !ok {
				return nil
			}
		}
	}
	return args
}

// blockingTimeoutArg returns the index of the timeout among the n
// arguments of blocking command name, or 0.
func blockingTimeoutArg(name string, n int) int {
	switch {
	case (name == "blpop" || name == "brpop") && n >= 3:
		return n - 1
	case name == "blmove" && n == 6, name == "brpoplpush" && n == 4:
		return n - 1
	case name == "blmpop" && n >= 5:
		return 1
	}
	return 0
}

// validTimeout reports whether arg is a timeout a blocking command waits
// on (0.0001 and -0.0001 included), rather than one it refuses.
func validTimeout(arg string) bool {
	f, ok := parseLongDouble([]byte(arg))
	return ok && ceilToLongLong(newLongDouble().Mul(f, big.NewFloat(1000))) >= 0
}

// fuzzHarness is the server a fuzz worker runs its inputs on.
type fuzzHarness struct {
	addr  string
	names fuzzNames
	// reset is the command that restores what an input may change.
	reset []string
}

// fuzzMaxBulkLen is proto-max-bulk-len of the fuzz server, its least: it
// caps what SETRANGE, SETBIT, APPEND and LCS may allocate.
const fuzzMaxBulkLen = "1mb"

func newFuzzHarness(f *testing.F) *fuzzHarness {
	addr := startFuzzServer(f, "--enable-debug-command", "yes", "--proto-max-bulk-len", fuzzMaxBulkLen)
	reset := []string{"CONFIG", "SET"}
	for _, name := range slices.Sorted(maps.Keys(fuzzConfigParams)) {
		reset = append(reset, name, fuzzConfigParams[name])
	}
	return &fuzzHarness{addr: addr, names: newFuzzNames(), reset: reset}
}

// startFuzzServer starts a server configured by redis-server style args,
// with the wall clock and saving into a temporary directory, for the whole
// fuzz run of a worker, and returns its address.
func startFuzzServer(f *testing.F, args ...string) string {
	cfg, _ := testConfig(f, args...)
	cfg.Clock = nil // the wall clock
	return startServerConfig(f, cfg, nil).addr
}

// run runs cmds on a new connection, then restores the server's state from
// another one (the first may have been killed, or kill the others).
func (h *fuzzHarness) run(t *testing.T, cmds [][]string) {
	c := dialFuzz(t, h.addr)
	st := fuzzState{channels: map[string]bool{}, patterns: map[string]bool{}, shard: map[string]bool{}}
	for _, args := range cmds {
		if st.inMulti && (isSubscribeFamily(args[0]) || strings.EqualFold(args[0], "hello")) {
			// Queued, their replies would change EXEC's shape in ways the
			// harness does not model (several frames for one command, a
			// protocol switch mid-array).
			continue
		}
		if !c.trySend(args) {
			if !st.closing {
				t.Fatalf("%q: the connection closed", args)
			}
			st.closed = true
			break
		}
		if !c.replies(t, args, &st) {
			break
		}
	}
	if !st.closed {
		// The connection still answers, in whatever state it was left.
		c.trySend([]string{"RESET"})
		got := c.nextReply(t, &st)
		if got == nil && st.closing {
			st.closed = true // QUIT or CLIENT KILL replied before closing
		} else if got == nil || string(frame.Append(nil, *got, frame.RESP3)) != "+RESET\r\n" {
			t.Fatalf("after %q: RESET replied %s", cmds, describeReply(got))
		}
	}
	if !st.closed {
		c.trySend([]string{"PING"})
		if got := c.nextReply(t, &st); got == nil || got.Type != frame.SimpleString || string(got.Str) != "PONG" {
			t.Fatalf("after %q: PING replied %s", cmds, describeReply(got))
		}
	}
	ctl := dialFuzz(t, h.addr)
	for _, args := range [][]string{{"CLIENT", "UNPAUSE"}, h.reset, {"FLUSHALL"}} {
		ctl.trySend(args)
		if got := ctl.nextReply(t, &fuzzState{}); got == nil || got.Type != frame.SimpleString {
			t.Fatalf("resetting with %q: %s", args, describeReply(got))
		}
	}
}

// fuzzState is what the harness tracks of a connection to know how many
// frames a command replies with.
type fuzzState struct {
	inMulti bool
	resp3   bool
	// The subscriptions, as the confirmations reported them.
	channels, patterns, shard map[string]bool
	// closing is set once a command that may close the connection ran
	// (QUIT, CLIENT KILL); closed once it did.
	closing, closed bool
}

func (st *fuzzState) subscribed() bool {
	return len(st.channels)+len(st.patterns)+len(st.shard) > 0
}

func isSubscribeFamily(name string) bool {
	switch strings.ToLower(name) {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe":
		return true
	}
	return false
}

// fuzzConn is a connection of the fuzz targets, which tells a closed
// connection from a failing server: a fuzz input may close it.
type fuzzConn struct{ *redisconn.Conn }

func dialFuzz(t *testing.T, addr string) *fuzzConn {
	t.Helper()
	return &fuzzConn{redisconn.Dial(t, addr)}
}

// fuzzCommand builds the command of a fuzz input against Redis: the
// words of commands[cmd] (modulo their number), then argText split at
// each space; false if that makes more than 2*fuzzMaxArgs arguments.
func fuzzCommand(commands []string, cmd byte, argText string) ([]string, bool) {
	args := strings.Fields(commands[int(cmd)%len(commands)])
	if argText != "" {
		args = append(args, strings.Split(argText, " ")...)
	}
	return args, len(args) <= 2*fuzzMaxArgs
}

// dialFuzzPair connects anew to a real redis-server at redisAddr and to
// this server at ours (a fuzz input may close its connection) and sends
// both the setup commands, whatever they reply.
func dialFuzzPair(t *testing.T, redisAddr, ours string, setup [][]string) (ref, got *fuzzConn) {
	t.Helper()
	ref, got = dialFuzz(t, redisAddr), dialFuzz(t, ours)
	for _, c := range []*fuzzConn{ref, got} {
		for _, s := range setup {
			c.trySend(s)
			c.readFrame(t)
		}
	}
	return ref, got
}

// exchangeBoth sends args to ref and to got and returns their replies,
// as frames and as bytes. It fails the test if one server closed the
// connection and the other did not; ok is false if both did.
func exchangeBoth(t *testing.T, ref, got *fuzzConn, args []string) (wantF frame.Frame, want string, haveF frame.Frame, have string, ok bool) {
	t.Helper()
	wantF, want, wantOK := ref.exchangeFrame(t, args)
	haveF, have, haveOK := got.exchangeFrame(t, args)
	if wantOK != haveOK {
		t.Fatalf("%q: redis closed the connection: %v, we did: %v", args, !wantOK, !haveOK)
	}
	return wantF, want, haveF, have, wantOK
}

// exchange sends args and returns the reply's bytes; false if the
// connection closed instead.
func (c *fuzzConn) exchange(t *testing.T, args []string) (string, bool) {
	t.Helper()
	_, raw, ok := c.exchangeFrame(t, args)
	return raw, ok
}

// exchangeFrame is exchange that also returns the reply's frame.
func (c *fuzzConn) exchangeFrame(t *testing.T, args []string) (frame.Frame, string, bool) {
	t.Helper()
	if c.trySend(args) {
		if f, raw, ok := c.readFrame(t); ok {
			return f, string(raw), true
		}
	}
	return frame.Frame{}, "", false
}

// trySend writes a command; false if the connection is gone.
func (c *fuzzConn) trySend(args []string) bool {
	_, err := c.Write(frame.Append(nil, frame.NewCommand(args...), frame.RESP2))
	return err == nil
}

// nextReply reads the next frame that is not a published message, or
// returns nil if the connection closed first. A malformed frame or no
// frame within hangTimeout fails the test.
func (c *fuzzConn) nextReply(t *testing.T, st *fuzzState) *frame.Frame {
	t.Helper()
	for {
		f, _, ok := c.readFrame(t)
		if !ok {
			return nil
		}
		if !isMessage(f, st) {
			return &f
		}
	}
}

// readFrame returns the next frame and its bytes, or false if the
// connection closed first. A malformed frame, a close in the middle of
// one, or no frame within hangTimeout fails the test.
func (c *fuzzConn) readFrame(t *testing.T) (frame.Frame, []byte, bool) {
	t.Helper()
	f, raw, err := c.Receive(hangTimeout)
	switch {
	case err == nil:
		return f, raw, true
	case errors.Is(err, os.ErrDeadlineExceeded):
		t.Fatalf("no reply within %v; have %q", hangTimeout, c.Pending())
	case len(c.Pending()) > 0:
		t.Fatalf("malformed or cut reply %q: %v", c.Pending(), err)
	}
	// A close, or a reset: the server closed with a request unread.
	return frame.Frame{}, nil, false
}

// isMessage reports whether f is a message published to the connection,
// which arrives between replies whenever it is subscribed: a push in RESP3,
// an array in RESP2 (where a subscribed client can run nothing that
// replies with one starting so).
func isMessage(f frame.Frame, st *fuzzState) bool {
	if f.Type != frame.Push && !(f.Type == frame.Array && !st.resp3 && st.subscribed()) {
		return false
	}
	if len(f.Elems) == 0 {
		return false
	}
	switch string(f.Elems[0].Str) {
	case "message", "smessage":
		return len(f.Elems) == 3
	case "pmessage":
		return len(f.Elems) == 4
	}
	return false
}

// replies reads the replies of args and checks them; false when the
// connection closed.
func (c *fuzzConn) replies(t *testing.T, args []string, st *fuzzState) bool {
	t.Helper()
	name := strings.ToLower(args[0])
	if name == "quit" || name == "client" && len(args) > 1 && strings.EqualFold(args[1], "kill") {
		st.closing = true
	}
	want := 1
	if isSubscribeFamily(name) {
		switch {
		case len(args) > 1:
			want = len(args) - 1
		case name == "unsubscribe":
			want = max(1, len(st.channels))
		case name == "punsubscribe":
			want = max(1, len(st.patterns))
		case name == "sunsubscribe":
			want = max(1, len(st.shard))
		}
	}
	for i := 0; i < want; i++ {
		f := c.nextReply(t, st)
		if f == nil {
			if !st.closing {
				t.Fatalf("%q: the connection closed", args)
			}
			st.closed = true
			return false
		}
		checkFuzzReply(t, args, *f)
		st.observe(name, *f)
		if i == 0 && isErrorFrame(*f) {
			break // refused as a whole
		}
	}
	return true
}

// observe updates st from a reply of the command name.
func (st *fuzzState) observe(name string, f frame.Frame) {
	switch name {
	case "multi":
		if f.Type == frame.SimpleString {
			st.inMulti = true
		}
	case "exec":
		st.inMulti = false // whatever the reply, there is no transaction after
	case "discard":
		if f.Type == frame.SimpleString {
			st.inMulti = false
		}
	case "reset":
		*st = fuzzState{channels: map[string]bool{}, patterns: map[string]bool{}, shard: map[string]bool{}, closing: st.closing}
	case "hello":
		switch f.Type {
		case frame.Map:
			st.resp3 = true
		case frame.Array:
			st.resp3 = false
		}
	}
	if (f.Type == frame.Push || f.Type == frame.Array) && len(f.Elems) == 3 && isSubscribeFamily(name) {
		ch := string(f.Elems[1].Str)
		switch string(f.Elems[0].Str) {
		case "subscribe":
			st.channels[ch] = true
		case "psubscribe":
			st.patterns[ch] = true
		case "ssubscribe":
			st.shard[ch] = true
		case "unsubscribe":
			delete(st.channels, ch)
		case "punsubscribe":
			delete(st.patterns, ch)
		case "sunsubscribe":
			delete(st.shard, ch)
		}
	}
}

func isErrorFrame(f frame.Frame) bool { return f.Type == frame.Error || f.Type == frame.BulkError }

// checkFuzzReply checks what any reply must satisfy: errors, at any depth,
// start with an upper-case code as Redis's do, and never show a Go panic.
func checkFuzzReply(t *testing.T, args []string, f frame.Frame) {
	t.Helper()
	if isErrorFrame(f) {
		msg := string(f.Str)
		code, _, _ := strings.Cut(msg, " ")
		if code == "" || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Fatalf("%q: error without a Redis error code: %q", args, msg)
		}
		if strings.Contains(msg, "runtime error") || strings.Contains(msg, "panic") || strings.Contains(msg, "goroutine ") {
			t.Fatalf("%q: a Go failure reached the client: %q", args, msg)
		}
	}
	for _, e := range f.Elems {
		checkFuzzReply(t, args, e)
	}
}

// describeReply shows a reply, or its absence, in a failure message.
func describeReply(f *frame.Frame) string {
	if f == nil {
		return "nothing: the connection closed"
	}
	return strconv.Quote(string(frame.Append(nil, *f, frame.RESP3)))
}
