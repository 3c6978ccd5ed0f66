package server

// Scripting: EVAL and its kin run Lua scripts (server/scripting) as one
// atomic step, as EXEC runs a transaction: the script takes the world lock
// exclusively, and its commands go through the command table with a
// client of its own whose replies are captured as frames. A script that
// runs past busy-reply-threshold makes the other clients' commands fail
// with BUSY instead of waiting, and may then be stopped by SCRIPT KILL.

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db/glob"
	"github.com/mini-redis/mini-redis/db/rdb"
	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/server/scripting"
	"go.uber.org/zap"
)

func scriptingCommands() []*command {
	return []*command{
		{name: "eval", flags: flagScriptWrites, run: func(c *client, args [][]byte) { c.eval(args, false, false) }},
		{name: "evalsha", flags: flagScriptWrites, run: func(c *client, args [][]byte) { c.eval(args, true, false) }},
		{name: "eval_ro", run: func(c *client, args [][]byte) { c.eval(args, false, true) }},
		{name: "evalsha_ro", run: func(c *client, args [][]byte) { c.eval(args, true, true) }},
		{name: "fcall", flags: flagScriptWrites, run: func(c *client, args [][]byte) { c.fcall(args, false) }},
		{name: "fcall_ro", run: func(c *client, args [][]byte) { c.fcall(args, true) }},
		container("function", 0,
			&command{name: "load", run: cmdFunctionLoad},
			&command{name: "delete", run: cmdFunctionDelete},
			&command{name: "flush", run: cmdFunctionFlush},
			&command{name: "list", run: cmdFunctionList},
			&command{name: "stats", flags: flagLockFree, run: cmdFunctionStats},
			&command{name: "kill", flags: flagLockFree, run: cmdFunctionKill},
			&command{name: "dump", run: cmdFunctionDump},
			&command{name: "restore", run: cmdFunctionRestore},
			&command{name: "help", run: cmdFunctionHelp},
		),
		container("script", 0,
			&command{name: "load", run: cmdScriptLoad},
			&command{name: "exists", run: cmdScriptExists},
			&command{name: "flush", run: cmdScriptFlush},
			&command{name: "kill", flags: flagLockFree, run: cmdScriptKill},
			&command{name: "help", run: cmdScriptHelp},
			&command{name: "debug", run: cmdScriptDebug},
		),
	}
}

const (
	errBusyScript   = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	errBusyFunction = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	errNoScript     = "NOSCRIPT No matching script. Please use EVAL."
	errUnkillable   = "UNKILLABLE Sorry the script already executed write commands against the dataset. " +
		"You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
)

// scriptState is the server's scripting: the engine, and the script
// running now.
type scriptState struct {
	engine *scripting.Engine
	// turn lets one script at a time take the world lock.
	turn sync.Mutex
	// running is the script that holds the world lock, or is about to
	// take it; nil when none does.
	running atomic.Pointer[scriptRun]
	// fake is the client the scripts' commands run as; only the script
	// holding the world lock uses it.
	fake *client
	out  *captureConn
}

// scriptRun is one script's run, as other clients see it.
type scriptRun struct {
	// endMu guards ended and done: the channel is made by the first
	// client that waits for the run (Done), so that a run nobody waits
	// for makes and closes none.
	endMu sync.Mutex
	ended bool
	done  chan struct{} // closed when the script has ended
	wrote atomic.Bool   // it ran a write command: SCRIPT KILL may not stop it
	// busyAt is the Server.monotonic time at which the script passes
	// busy-reply-threshold, once it holds the world lock; 0 before. Only
	// the clients that wait for the script time it (awaitBusy), so a
	// script that nobody waits for costs no timer.
	busyAt atomic.Int64
	// function is set for FCALL: FUNCTION KILL stops it, not SCRIPT KILL.
	function bool
	name     string        // the function's name, for FUNCTION STATS
	args     [][]byte      // the command, for FUNCTION STATS
	started  time.Duration // Server.monotonic when it began
	// allowOOM is the allow-oom flag: its writes are not refused when
	// memory is full.
	allowOOM bool
	// call and host are the engine's view of the run, kept here so that a
	// run is one allocation.
	call scripting.Run
	host scriptHost
}

// Done returns a channel closed once the run has ended.
func (r *scriptRun) Done() <-chan struct{} {
	r.endMu.Lock()
	defer r.endMu.Unlock()
	if r.done == nil {
		r.done = make(chan struct{})
		if r.ended {
			close(r.done)
		}
	}
	return r.done
}

// end marks the run ended, waking the clients that wait in Done.
func (r *scriptRun) end() {
	r.endMu.Lock()
	r.ended = true
	if r.done != nil {
		close(r.done)
	}
	r.endMu.Unlock()
}

// initScripting creates the Lua engine and the scripts' client.
func (s *Server) initScripting() {
	st := &s.scripts
	st.engine = scripting.New()
	st.out = &captureConn{}
	fake := &client{server: s, authenticated: true, exclusiveHeld: true, created: time.Now()}
	fake.conn = connection.New(st.out, connection.Options{
		ErrorHook: func(msg string) {
			fake.errors++
			s.errorStats.record(msg)
		},
	})
	st.fake = fake
}

// captureConn is the scripts' client's connection: what is written to it
// is kept for the script to read as replies.
type captureConn struct{ buf bytes.Buffer }

func (c *captureConn) Read([]byte) (int, error)         { return 0, net.ErrClosed }
func (c *captureConn) Write(b []byte) (int, error)      { return c.buf.Write(b) }
func (c *captureConn) Close() error                     { return nil }
func (c *captureConn) LocalAddr() net.Addr              { return scriptAddr{} }
func (c *captureConn) RemoteAddr() net.Addr             { return scriptAddr{} }
func (c *captureConn) SetDeadline(time.Time) error      { return nil }
func (c *captureConn) SetReadDeadline(time.Time) error  { return nil }
func (c *captureConn) SetWriteDeadline(time.Time) error { return nil }

type scriptAddr struct{}

func (scriptAddr) Network() string { return "lua" }
func (scriptAddr) String() string  { return "lua" }

// eval runs EVAL, EVALSHA, EVAL_RO and EVALSHA_RO (evalGenericCommand).
func (c *client) eval(args [][]byte, bySHA, readOnly bool) {
	st := &c.server.scripts
	numKeys, ok := parseInt(args[2])
	switch {
	case !ok:
		c.conn.WriteError(errNotInteger)
		return
	case numKeys > int64(len(args)-3):
		c.conn.WriteError("ERR Number of keys can't be greater than number of args")
		return
	case numKeys < 0:
		c.conn.WriteError("ERR Number of keys can't be negative")
		return
	}
	var script *scripting.Script
	if bySHA {
		if len(args[1]) == 40 {
			script = st.engine.Lookup(args[1])
		}
		if script == nil {
			c.conn.WriteError(errNoScript)
			return
		}
	} else {
		var errText string
		script, errText = st.engine.Load(args[1])
		if script == nil {
			c.conn.WriteError("ERR " + errText)
			return
		}
	}
	compat := script.Flags&scripting.CompatMode != 0
	if !compat && script.Flags&scripting.NoWrites == 0 {
		if c.server.scriptOOM(script.Flags) {
			c.conn.WriteError(errOOM)
			return
		}
		if refusal := c.server.writeRefusal(); refusal != "" {
			c.conn.WriteError(refusal)
			return
		}
		if readOnly {
			c.conn.WriteError("ERR Can not execute a script with write flag using *_ro command.")
			return
		}
	}
	readOnly = readOnly || !compat && script.Flags&scripting.NoWrites != 0
	keys, argv := args[3:3+numKeys], args[3+numKeys:]
	c.runScript(&scriptRun{allowOOM: script.Flags&scripting.AllowOOM != 0}, readOnly, func(r *scripting.Run) frame.Frame {
		return st.engine.Execute(script, r)
	}, keys, argv)
}

// mayWrite reports whether cmd with args may change the keyspace, for
// CLIENT PAUSE WRITE: a write command or one that may replicate, or a
// script that does not declare no-writes (Redis's evalGetCommandFlags:
// EVAL and EVALSHA of a script without a shebang, or not found, and FCALL
// of a function not found may write).
func (s *Server) mayWrite(cmd *command, args [][]byte) bool {
	if cmd.flags&(flagWrite|flagMayReplicate) != 0 {
		return true
	}
	if cmd.flags&flagScriptWrites == 0 || len(args) < 2 {
		return false
	}
	engine := s.scripts.engine
	var flags scripting.Flags
	switch {
	case cmd.name == "fcall":
		f := engine.Function(string(args[1]))
		if f == nil {
			return true
		}
		flags = f.Flags
	case cmd.name == "evalsha":
		sc := engine.Lookup(args[1])
		if sc == nil {
			return true
		}
		flags = sc.Flags
	default:
		flags, _, _ = scripting.ParseShebang(args[1])
	}
	return flags&scripting.NoWrites == 0 || flags&scripting.CompatMode != 0
}

// writeScriptReply writes what a script returned; an error goes through
// WriteError, which counts it.
func (c *client) writeScriptReply(reply frame.Frame, r *scripting.Run) {
	if reply.IsError() && r.ErrorCounted {
		// A command of the script replied with this error, and was
		// counted in the error statistics then; the call fails still.
		c.conn.WriteFrame(reply)
		c.errors++
		return
	}
	if reply.IsError() {
		c.conn.WriteError(string(reply.Str))
		return
	}
	c.conn.WriteFrame(reply)
	if hasError(reply) {
		// An error inside the reply fails the call, as in Redis. It is
		// not counted in errorstats: most come from redis.pcall, whose
		// command counted them.
		c.errors++
	}
}

// hasError reports whether an aggregate reply holds an error.
func hasError(f frame.Frame) bool {
	for _, el := range f.Elems {
		if el.IsError() || hasError(el) {
			return true
		}
	}
	return false
}

// fcall runs FCALL and FCALL_RO (fcallCommandGeneric).
func (c *client) fcall(args [][]byte, readOnly bool) {
	st := &c.server.scripts
	f := st.engine.Function(string(args[1]))
	if f == nil {
		c.conn.WriteError("ERR Function not found")
		return
	}
	numKeys, ok := parseInt(args[2])
	switch {
	case !ok:
		c.conn.WriteError("ERR Bad number of keys provided")
		return
	case numKeys > int64(len(args)-3):
		c.conn.WriteError("ERR Number of keys can't be greater than number of args")
		return
	case numKeys < 0:
		c.conn.WriteError("ERR Number of keys can't be negative")
		return
	}
	if f.Flags&scripting.NoWrites == 0 {
		if c.server.scriptOOM(f.Flags) {
			c.conn.WriteError(errOOM)
			return
		}
		if refusal := c.server.writeRefusal(); refusal != "" {
			c.conn.WriteError(refusal)
			return
		}
		if readOnly {
			c.conn.WriteError("ERR Can not execute a script with write flag using *_ro command.")
			return
		}
	}
	readOnly = readOnly || f.Flags&scripting.NoWrites != 0
	run := &scriptRun{function: true, name: f.Name, args: cloneArgs(args), allowOOM: f.Flags&scripting.AllowOOM != 0}
	c.runScript(run, readOnly, func(r *scripting.Run) frame.Frame {
		return st.engine.Call(f, r)
	}, args[3:3+numKeys], args[3+numKeys:])
}

// cloneArgs copies args into memory of their own.
func cloneArgs(args [][]byte) [][]byte { return cloneArgsReplacing(args, -1, nil) }

// cloneArgsReplacing is cloneArgs with the argument at i (none if i < 0)
// replaced by repl, copied too: XADD's "*" by the ID it made.
func cloneArgsReplacing(args [][]byte, i int, repl []byte) [][]byte {
	// Two allocations whatever the number of arguments: their slices, and
	// one buffer for all their bytes.
	n := 0
	for j, a := range args {
		if j == i {
			a = repl
		}
		n += len(a)
	}
	buf := make([]byte, 0, n)
	own := make([][]byte, len(args))
	for j, a := range args {
		if j == i {
			a = repl
		}
		start := len(buf)
		buf = append(buf, a...)
		own[j] = buf[start:len(buf):len(buf)] // an append to one reallocates, never overwrites the next
	}
	return own
}

// runScript runs a script (exec, given the run's parameters) with every
// other client paused, and writes its reply. run describes it to the
// other clients.
func (c *client) runScript(run *scriptRun, readOnly bool, exec func(*scripting.Run) frame.Frame, keys, argv [][]byte) {
	s := c.server
	st := &s.scripts
	run.host = scriptHost{server: s, run: run, readOnly: readOnly, caller: c}
	r := &run.call
	// Nothing keeps a script command's arguments past the command but
	// the effects propagated when the script ends (runRecorded): with no
	// subscriber the engine may reuse their memory.
	*r = scripting.Run{Keys: keys, Argv: argv, RESP3: c.resp3(), Host: &run.host, ReuseArgs: c.effects == nil}
	// The script's commands' effects are the caller's (propagate.go). The
	// scripts' client is shared: it is set only under the world lock.
	if c.exclusiveHeld {
		// Inside EXEC, which holds the world lock already.
		st.fake.effects = c.effects
		st.fake.scriptCaller, st.fake.scriptKeys = c, keys
		defer func() { st.fake.effects, st.fake.scriptCaller, st.fake.scriptKeys = nil, nil, nil }()
		st.fake.selectDB(c.dbIndex)
		c.writeScriptReply(exec(r), r)
		return
	}
	s.world.RUnlock()
	waited := !st.turn.TryLock()
	if waited {
		st.turn.Lock()
	}
	// Registered before it takes the lock, so that a client that finds
	// the lock taken knows to wait for the script (see waitForScript).
	st.running.Store(run)
	if !s.world.TryLock() {
		waited = true
		s.world.Lock()
	}
	c.exclusiveHeld = true
	st.fake.effects = c.effects
	st.fake.scriptCaller, st.fake.scriptKeys = c, keys
	st.fake.selectDB(c.dbIndex)
	// The script starts when it holds the lock: if it took it at once,
	// that is when the command did (call's reading).
	if waited {
		run.started = s.monotonic()
	} else {
		run.started = c.callStarted
	}
	threshold := time.Duration(s.settings.busyReplyThreshold.Load()) * time.Millisecond
	run.busyAt.Store(int64(run.started + max(threshold, 1)))
	defer func() {
		st.fake.effects, st.fake.scriptCaller, st.fake.scriptKeys = nil, nil, nil
		st.running.Store(nil)
		run.end()
		c.exclusiveHeld = false
		s.world.Unlock()
		st.turn.Unlock()
		s.world.RLock()
	}()
	c.writeScriptReply(exec(r), r)
}

// scriptHost runs a script's commands (Redis's scriptCall).
type scriptHost struct {
	server   *Server
	run      *scriptRun
	readOnly bool
	caller   *client // whose ACL user the script's commands run as
}

// Call implements scripting.Host.
func (h *scriptHost) Call(args [][]byte, resp3 bool) ([]byte, bool) {
	s := h.server
	st := &s.scripts
	fake := st.fake
	// The scripts' client caches the command it resolved last: a script
	// tends to call the same command again, as each run of it does.
	cmd, errText := fake.resolve(args)
	if errText != "" {
		if cmd == nil || strings.HasPrefix(errText, "ERR unknown subcommand") {
			return h.refuse("ERR Unknown Redis command called from script")
		}
		return h.refuse("ERR Wrong number of args calling Redis command from script")
	}
	declared := cmd.info.flags
	if declared&flagNoScript != 0 {
		return h.refuse("ERR This Redis command is not allowed from script")
	}
	if u := h.caller.aclUserOf().get(); !u.Unrestricted() {
		if d, pos := s.aclCheck(u, cmd, args); d != aclOK {
			s.logDenial(h.caller, d, aclCtxLua, u.Name, cmd, args, pos)
			return h.refuse("ERR " + aclScriptError(d))
		}
	}
	if h.readOnly && (declared&flagWrite != 0 || cmd.flags&flagMayReplicate != 0) {
		return h.refuse("ERR Write commands are not allowed from read-only scripts.")
	}
	// A script that has not written yet may not begin writing when the
	// command that ran it found memory full (Redis's scriptVerifyOOM).
	if declared&flagDenyOOM != 0 && !h.run.allowOOM && !h.run.wrote.Load() && s.settings.maxMemory.Load() != 0 && s.evict.oom.Load() {
		return h.refuse(errOOM)
	}
	if declared&flagWrite != 0 {
		if refusal := s.replicaRefusal(h.caller, cmd); refusal != "" {
			return h.refuse(refusal) // a read-only replica (repl_replica.go)
		}
		if !h.run.wrote.Load() {
			if refusal := s.writeRefusal(); refusal != "" {
				return h.refuse(refusal)
			}
			h.run.wrote.Store(true)
		}
	}
	proto := frame.RESP2
	if resp3 {
		proto = frame.RESP3
	}
	fake.setProtocol(proto)
	started, errsBefore := s.monotonic(), fake.errors
	s.runRecorded(fake, cmd, args, fake.effects)
	s.recordCall(fake, cmd, args, started, errsBefore)
	st.out.buf.Reset() // the previous call's reply, which the engine has read
	fake.conn.Flush()
	if st.out.buf.Len() == 0 {
		return h.refuse("ERR reply of " + cmd.name + " could not be read: " + frame.ErrIncomplete.Error())
	}
	return st.out.buf.Bytes(), true
}

// refuse returns the error reply msg for a command the script may not run.
func (h *scriptHost) refuse(msg string) ([]byte, bool) {
	out := &h.server.scripts.out.buf
	out.Reset()
	out.Write(frame.AppendError(out.AvailableBuffer(), msg))
	return out.Bytes(), false
}

// Log implements scripting.Host: redis.log writes to the server's log.
func (h *scriptHost) Log(level int, msg string) {
	log := h.server.log
	switch level {
	case scripting.LogDebug, scripting.LogVerbose:
		log.Debug(msg, zap.String("source", "script"))
	case scripting.LogNotice:
		log.Info(msg, zap.String("source", "script"))
	default:
		log.Warn(msg, zap.String("source", "script"))
	}
}

// waitForScript is called by a command that found the world lock taken
// while a script holds it or is about to: it waits for the script to end
// and reports true, or once the script is past busy-reply-threshold,
// replies BUSY and reports false. SHUTDOWN NOSAVE stops the script.
func (s *Server) waitForScript(c *client, cmd *command, args [][]byte, run *scriptRun) bool {
	if !s.awaitBusy(run) {
		return true
	}
	if cmd.name == "shutdown" && hasArg(args, "nosave") {
		s.scripts.engine.Kill()
		<-run.Done()
		return true
	}
	cmd.stats.rejected.add(1)
	if run.function {
		c.conn.WriteError(errBusyFunction)
	} else {
		c.conn.WriteError(errBusyScript)
	}
	return false
}

func hasArg(args [][]byte, kw string) bool {
	for _, a := range args[1:] {
		if is(a, kw) {
			return true
		}
	}
	return false
}

// awaitBusy waits until run passes busy-reply-threshold and reports
// true, or reports false if it ends first.
func (s *Server) awaitBusy(run *scriptRun) bool {
	var timer *time.Timer
	var done <-chan struct{}
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		// Until the script holds the world lock its start is not known:
		// look again shortly.
		wait := time.Millisecond
		if at := time.Duration(run.busyAt.Load()); at != 0 {
			if wait = at - s.monotonic(); wait <= 0 {
				return true
			}
		}
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		if done == nil {
			done = run.Done()
		}
		select {
		case <-done:
			return false
		case <-timer.C:
		}
	}
}

// sharedWorld takes the world lock shared for cmd, unless a script holds
// it past busy-reply-threshold (then it replies BUSY and returns false).
// It does not block on the lock while a script holds it, so that it can
// reply BUSY when the script becomes busy.
func (s *Server) sharedWorld(c *client, cmd *command, args [][]byte) bool {
	for !s.world.TryRLock() {
		run := s.scripts.running.Load()
		if run == nil {
			// An exclusive command other than a script: wait for it.
			s.world.RLock()
			return true
		}
		if !s.waitForScript(c, cmd, args, run) {
			return false
		}
	}
	return true
}

// exclusiveWorld is sharedWorld for a command that runs exclusively.
func (s *Server) exclusiveWorld(c *client, cmd *command, args [][]byte) bool {
	for {
		run := s.scripts.running.Load()
		if run == nil {
			s.world.Lock()
			return true
		}
		if !s.waitForScript(c, cmd, args, run) {
			return false
		}
	}
}

// SCRIPT LOAD script
func cmdScriptLoad(c *client, args [][]byte) {
	script, errText := c.server.scripts.engine.Load(args[2])
	if script == nil {
		c.conn.WriteError("ERR " + errText)
		return
	}
	c.conn.WriteBulkString(script.SHA)
}

// SCRIPT EXISTS sha1 [sha1 ...]
func cmdScriptExists(c *client, args [][]byte) {
	found := c.server.scripts.engine.Exists(args[2:])
	c.conn.WriteArrayLen(len(found))
	for _, f := range found {
		if f {
			c.conn.WriteInt(1)
		} else {
			c.conn.WriteInt(0)
		}
	}
}

// SCRIPT FLUSH [ASYNC|SYNC]
func cmdScriptFlush(c *client, args [][]byte) {
	if len(args) > 3 || len(args) == 3 && !is(args[2], "sync") && !is(args[2], "async") {
		c.conn.WriteError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	c.server.scripts.engine.Flush()
	c.conn.WriteOK()
}

// SCRIPT KILL runs without the world lock, which the script holds.
func cmdScriptKill(c *client, args [][]byte) { c.killScript(false) }

// FUNCTION KILL, without the world lock too.
func cmdFunctionKill(c *client, args [][]byte) { c.killScript(true) }

// killScript stops the script running, for SCRIPT KILL (function false)
// and FUNCTION KILL (scriptKill).
func (c *client) killScript(function bool) {
	st := &c.server.scripts
	run := st.running.Load()
	if run != nil {
		// Redis takes up a kill only once the script is busy.
		if !c.server.awaitBusy(run) {
			run = nil
		}
	}
	switch {
	case run == nil:
		c.conn.WriteError("NOTBUSY No scripts in execution right now.")
	case run.function != function && function:
		c.conn.WriteError(errBusyScript)
	case run.function != function:
		c.conn.WriteError(errBusyFunction)
	case run.wrote.Load():
		c.conn.WriteError(errUnkillable)
	default:
		st.engine.Kill()
		c.conn.WriteOK()
	}
}

// SCRIPT DEBUG YES|SYNC|NO. There is no Lua debugger (LDB) here: NO is
// accepted, YES and SYNC are refused.
func cmdScriptDebug(c *client, args [][]byte) {
	switch {
	case is(args[2], "no"):
		c.conn.WriteOK()
	case is(args[2], "yes"), is(args[2], "sync"):
		c.conn.WriteError("ERR The Lua debugger is not supported by this server")
	default:
		c.conn.WriteError("ERR Use SCRIPT DEBUG YES/SYNC/NO")
	}
}

// FUNCTION LOAD [REPLACE] code
func cmdFunctionLoad(c *client, args [][]byte) {
	replace := false
	i := 2
	for ; i < len(args)-1; i++ {
		if !is(args[i], "replace") {
			c.conn.WriteError("ERR Unknown option given: " + string(args[i]))
			return
		}
		replace = true
	}
	if i >= len(args) {
		c.conn.WriteError("ERR Function code is missing")
		return
	}
	name, errText := c.server.scripts.engine.LoadLibrary(args[i], replace)
	if errText != "" {
		c.conn.WriteError("ERR " + errText)
		return
	}
	c.server.dirty.Add(1)
	c.conn.WriteBulkString(name)
}

// FUNCTION DELETE library
func cmdFunctionDelete(c *client, args [][]byte) {
	if !c.server.scripts.engine.DeleteLibrary(string(args[2])) {
		c.conn.WriteError("ERR Library not found")
		return
	}
	c.server.dirty.Add(1)
	c.conn.WriteOK()
}

// FUNCTION FLUSH [ASYNC|SYNC]
func cmdFunctionFlush(c *client, args [][]byte) {
	if len(args) > 3 || len(args) == 3 && !is(args[2], "sync") && !is(args[2], "async") {
		c.conn.WriteError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	c.server.scripts.engine.FlushLibraries()
	c.server.dirty.Add(1)
	c.conn.WriteOK()
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
func cmdFunctionList(c *client, args [][]byte) {
	withCode := false
	var pattern []byte
	for i := 2; i < len(args); i++ {
		switch {
		case !withCode && is(args[i], "withcode"):
			withCode = true
		case pattern == nil && is(args[i], "libraryname"):
			if i >= len(args)-1 {
				c.conn.WriteError("ERR library name argument was not given")
				return
			}
			i++
			pattern = args[i]
		default:
			c.conn.WriteError("ERR Unknown argument " + string(args[i]))
			return
		}
	}
	var libs []*scripting.Library
	for _, l := range c.server.scripts.engine.Libraries() {
		if pattern == nil || glob.MatchString(string(pattern), l.Name, true) {
			libs = append(libs, l)
		}
	}
	c.conn.WriteArrayLen(len(libs))
	for _, l := range libs {
		if withCode {
			c.conn.WriteMapLen(4)
		} else {
			c.conn.WriteMapLen(3)
		}
		c.conn.WriteBulkString("library_name")
		c.conn.WriteBulkString(l.Name)
		c.conn.WriteBulkString("engine")
		c.conn.WriteBulkString("LUA")
		c.conn.WriteBulkString("functions")
		c.conn.WriteArrayLen(len(l.Functions))
		for _, f := range l.Functions {
			c.conn.WriteMapLen(3)
			c.conn.WriteBulkString("name")
			c.conn.WriteBulkString(f.Name)
			c.conn.WriteBulkString("description")
			if f.Description == "" {
				c.conn.WriteNull()
			} else {
				c.conn.WriteBulkString(f.Description)
			}
			c.conn.WriteBulkString("flags")
			flags := f.FlagNames()
			c.conn.WriteSetLen(len(flags))
			for _, name := range flags {
				c.conn.WriteSimple(name)
			}
		}
		if withCode {
			c.conn.WriteBulkString("library_code")
			c.conn.WriteBulk(l.Code)
		}
	}
}

// FUNCTION STATS runs without the world lock: it reports the function
// running.
func cmdFunctionStats(c *client, args [][]byte) {
	s := c.server
	c.conn.WriteMapLen(2)
	c.conn.WriteBulkString("running_script")
	if run := s.scripts.running.Load(); run != nil && run.function && run.busyAt.Load() != 0 {
		c.conn.WriteMapLen(3)
		c.conn.WriteBulkString("name")
		c.conn.WriteBulkString(run.name)
		c.conn.WriteBulkString("command")
		c.conn.WriteArrayLen(len(run.args))
		for _, a := range run.args {
			c.conn.WriteBulk(a)
		}
		c.conn.WriteBulkString("duration_ms")
		c.conn.WriteInt(int64((s.monotonic() - run.started) / time.Millisecond))
	} else {
		c.conn.WriteNull()
	}
	libs, funcs := s.scripts.engine.Counts()
	c.conn.WriteBulkString("engines")
	c.conn.WriteMapLen(1)
	c.conn.WriteBulkString("LUA")
	c.conn.WriteMapLen(2)
	c.conn.WriteBulkString("libraries_count")
	c.conn.WriteInt(int64(libs))
	c.conn.WriteBulkString("functions_count")
	c.conn.WriteInt(int64(funcs))
}

// FUNCTION DUMP: every library's code in a payload for FUNCTION RESTORE,
// as Redis 7.0 makes it. Redis gives the libraries in the order of its
// hash table, which its random hash seed decides; here they come by name.
func cmdFunctionDump(c *client, args [][]byte) {
	libs := c.server.scripts.engine.Libraries()
	codes := make([][]byte, len(libs))
	for i, l := range libs {
		codes[i] = l.Code
	}
	d, _ := c.server.dumpers.Get().(*rdb.Dumper)
	if d == nil {
		d = new(rdb.Dumper)
	}
	c.conn.WriteBulk(d.AppendFunctionDump(nil, codes, c.server.rdbValueOptions()))
	c.server.dumpers.Put(d)
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: the libraries of a
// FUNCTION DUMP payload, all or none.
func cmdFunctionRestore(c *client, args [][]byte) {
	if len(args) > 4 {
		c.conn.WriteError(subcommandSyntax(args[1], "FUNCTION"))
		return
	}
	policy := scripting.RestoreAppend
	if len(args) == 4 {
		switch {
		case is(args[3], "append"):
		case is(args[3], "replace"):
			policy = scripting.RestoreReplace
		case is(args[3], "flush"):
			policy = scripting.RestoreFlush
		default:
			c.conn.WriteError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
	}
	codes, err := rdb.ParseFunctionDump(args[2])
	if err != nil {
		var re *rdb.Error
		switch {
		case errors.Is(err, rdb.ErrChecksum):
			c.conn.WriteError("ERR DUMP payload version or checksum are wrong")
		case errors.As(err, &re):
			c.conn.WriteError("ERR " + re.Msg)
		default:
			c.conn.WriteError("ERR " + err.Error())
		}
		return
	}
	if errText := c.server.scripts.engine.RestoreLibraries(codes, policy); errText != "" {
		c.conn.WriteError("ERR " + errText)
		return
	}
	c.server.dirty.Add(1)
	c.conn.WriteOK()
}

// FUNCTION HELP
func cmdFunctionHelp(c *client, args [][]byte) {
	c.writeHelp("FUNCTION",
		"LOAD [REPLACE] <FUNCTION CODE>",
		"    Create a new library with the given library name and code.",
		"DELETE <LIBRARY NAME>",
		"    Delete the given library.",
		"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
		"    Return general information on all the libraries:",
		"    * Library name",
		"    * The engine used to run the Library",
		"    * Library description",
		"    * Functions list",
		"    * Library code (if WITHCODE is given)",
		"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
		"STATS",
		"    Return information about the current function running:",
		"    * Function name",
		"    * Command used to run the function",
		"    * Duration in MS that the function is running",
		"    If no function is running, return nil",
		"    In addition, returns a list of available engines.",
		"KILL",
		"    Kill the current running function.",
		"FLUSH [ASYNC|SYNC]",
		"    Delete all the libraries.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the libraries.",
		"    * SYNC: Synchronously flush the libraries.",
		"DUMP",
		"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
		"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
		"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
		"    control how to handle existing libraries (default APPEND):",
		"    * FLUSH: delete all existing libraries.",
		"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
		"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
		"      libraries with the new libraries (notice that even on this option there is a chance of failure",
		"      in case of functions name collision with another library).",
	)
}

// SCRIPT HELP
func cmdScriptHelp(c *client, args [][]byte) {
	c.writeHelp("SCRIPT",
		"DEBUG (YES|SYNC|NO)",
		"    Set the debug mode for subsequent scripts executed.",
		"EXISTS <sha1> [<sha1> ...]",
		"    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]",
		"    Flush the Lua scripts cache. Very dangerous on replicas.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the scripts cache.",
		"    * SYNC: Synchronously flush the scripts cache.",
		"KILL",
		"    Kill the currently executing Lua script.",
		"LOAD <script>",
		"    Load a script into the scripts cache without executing it.",
	)
}
