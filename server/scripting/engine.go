// Package scripting runs Lua scripts as Redis 7.0 does for EVAL and for
// functions (FUNCTION LOAD, FCALL): one Lua state whose globals scripts may
// read but not change, the redis library (redis.call, redis.pcall, ...),
// the libraries Redis loads (string, math, table, coroutine, cjson,
// cmsgpack, bit, struct) and the conversions between Redis replies and Lua
// values.
//
// The package knows nothing of the server: a script's commands go through
// the Host a run is given, which runs them and returns their replies as
// frames. The engine is not safe for concurrent use beyond what its
// methods document: the server runs one script at a time, with every other
// client paused, as Redis does.
package scripting

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mini-redis/mini-redis/frame"
	lua "github.com/yuin/gopher-lua"
)

// The levels of redis.log.
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// A Host runs the commands of a script and takes its log messages.
type Host interface {
	// Call runs a command for redis.call or redis.pcall and returns its
	// reply as the RESP the command wrote, RESP3 when resp3 is set
	// (redis.setresp); the reply is read up to the end of its first
	// frame, and only until the next Call, so the host may reuse its
	// buffer. An error reply (the command's, or the server's refusal to
	// run it from a script) is an error frame whose text starts with its
	// code; ran tells that the command ran (its error is in the server's
	// error statistics already) rather than being refused. The args are
	// the host's to keep, unless the run is ReuseArgs: then they are
	// its only during the call.
	Call(args [][]byte, resp3 bool) (reply []byte, ran bool)
	// Log writes a message of redis.log at one of the Log levels.
	Log(level int, msg string)
}

// A Script is a compiled script body.
type Script struct {
	SHA   string // the SHA1 of the body, in lower-case hex
	Body  []byte
	Flags Flags
	fn    *lua.LFunction
	size  int // an estimate of the memory the compiled script takes
	// argsPrivate tells that the script cannot tell its KEYS and ARGV
	// tables from the previous run's (argsOnlyIndexed).
	argsPrivate bool
	// keysConst and argvConst are the constants of fn the main chunk
	// loads KEYS and ARGV from, set for each run; -1 if it reads none
	// (foldGlobalReads).
	keysConst, argvConst int
}

// Run is one call of a script.
type Run struct {
	Host Host
	Keys [][]byte
	Argv [][]byte
	// RESP3 tells that the calling client speaks RESP3, which decides how
	// Lua booleans and nil are converted in the reply.
	RESP3 bool
	// ReuseArgs tells that the host keeps none of the args of its calls
	// past the call, so that the engine may reuse their memory for the
	// next call; otherwise each call's args are memory of their own.
	ReuseArgs bool
	// ErrorCounted is set by the run when its reply is an error a
	// command of the script replied with, which the server's error
	// statistics counted already (Redis's ignore_error_stats_update).
	ErrorCounted bool
}

// Engine is the Lua state scripts run in, with the cache of the scripts
// loaded (EVAL, SCRIPT LOAD).
type Engine struct {
	mu      sync.Mutex // held while a script compiles or runs, and for the cache
	state   *lua.LState
	env     *lua.LTable // the globals scripts see: readonly, over globals
	globals *lua.LTable
	// envMeta is env's metatable, whose __index is globals, or loadEnv
	// while library code loads.
	envMeta *lua.LTable
	// readonly maps the proxies scripts see to the tables they protect.
	readonly map[*lua.LTable]*lua.LTable
	handler  *lua.LFunction
	scripts  map[string]*Script
	// found is the script Lookup found last, or nil: clients tend to run
	// the same script again and again (a pipeline of EVALSHA), and a
	// comparison of its SHA1 is cheaper than a map lookup.
	found *Script
	size  int // the sum of the scripts' size estimates

	rand lrand48
	cur  *current // the run in progress, or nil
	// keyVals and argVals are the Lua strings of the last run's keys and
	// arguments, which the next run's KEYS and ARGV reuse where they are
	// the same: a Lua string is immutable, and making one costs two
	// allocations (its bytes, and its box as a Lua value).
	keyVals, argVals []lua.LValue
	// keysTable and argvTable are the KEYS and ARGV of the last run of a
	// script with argsPrivate, which only such scripts have seen: the
	// next one refills them instead of making new tables. A function may
	// read them through the globals, so FCALL drops them.
	keysTable, argvTable *lua.LTable
	// globalKeys and globalArgv are the tables Execute set as the globals
	// KEYS and ARGV last, which nothing else sets: a run that refills
	// the same tables leaves the globals as they are.
	globalKeys, globalArgv *lua.LTable
	// scratchArgs and scratchBuf are the memory of the last redis.call's
	// arguments of a ReuseArgs run, which the next such call reuses.
	scratchArgs [][]byte
	scratchBuf  []byte
	// running is what cur points at during a run, kept here to spare an
	// allocation per run.
	running current

	// The functions (FUNCTION LOAD, FCALL): libraries by name, functions
	// by name, the globals library code loads with, and the library
	// being loaded.
	libs        map[string]*Library
	funcs       map[string]*Function
	loadEnv     *lua.LTable
	registering *Library
	libCount    atomic.Int64
	funcCount   atomic.Int64
	// libList is the libraries by name, published on every change so
	// that Libraries (a dump's snapshot, FUNCTION DUMP) need not wait
	// for a script holding mu. Libraries never change once built.
	libList atomic.Pointer[[]*Library]

	// kill records that SCRIPT KILL asked to stop the run in progress;
	// stop cancels ctx, which the Lua state's context, kctx, wraps, and
	// which the VM checks at every instruction. killMu guards ctx, kctx
	// and stop, which Kill uses from another goroutine; the goroutine
	// running scripts reads them without it, and only it changes them.
	kill   atomic.Bool
	killMu sync.Mutex
	ctx    context.Context
	kctx   *killContext
	stop   context.CancelFunc
}

// current is the state of the run in progress.
type current struct {
	run   *Run
	sha   string
	resp3 bool // redis.setresp(3)
}

// New returns an engine with the environment Redis 7.0 gives scripts.
func New() *Engine {
	e := &Engine{
		state:    lua.NewState(lua.Options{SkipOpenLibs: true}),
		readonly: map[*lua.LTable]*lua.LTable{},
		scripts:  map[string]*Script{},
		rand:     newLrand48(),
		libs:     map[string]*Library{},
		funcs:    map[string]*Function{},
	}
	e.init()
	e.renewContext()
	return e
}

// Close releases the Lua state.
func (e *Engine) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.killMu.Lock()
	e.stop()
	e.killMu.Unlock()
	e.state.Close()
}

// SHA1Hex returns the lower-case hex SHA1 of b, as redis.sha1hex and
// script names use.
func SHA1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// Load compiles body and adds it to the cache, unless it is there already.
// The error is the reply Redis gives, without its "ERR " code.
func (e *Engine) Load(body []byte) (*Script, string) {
	sha := SHA1Hex(body)
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.scripts[sha]; s != nil {
		return s, ""
	}
	flags, n, errText := ParseShebang(body)
	if errText != "" {
		return nil, errText
	}
	src := string(body[n:]) // the shebang's newline stays: lines keep their numbers
	fn, err := e.state.Load(strings.NewReader(src), "user_script")
	if err != nil {
		return nil, "Error compiling script (new function): " + compileError(err, src, "user_script")
	}
	fn.Env = e.env
	// A Lua 5.1 main chunk takes varargs but no "arg" table; gopher-lua
	// would build one at every call.
	fn.Proto.IsVarArg &^= lua.VarArgNeedsArg
	s := &Script{SHA: sha, Body: append([]byte(nil), body...), Flags: flags, fn: fn, argsPrivate: argsOnlyIndexed(fn.Proto)}
	s.keysConst, s.argvConst = e.foldGlobalReads(fn.Proto)
	s.size = len(body) + protoSize(fn.Proto)
	e.scripts[sha] = s
	e.size += s.size
	return s, ""
}

// protoSize estimates the memory of a compiled function: its instructions
// and constants, and those of the functions it defines.
func protoSize(p *lua.FunctionProto) int {
	if p == nil {
		return 0
	}
	n := 4*len(p.Code) + 16*len(p.Constants) + 8*len(p.DbgSourcePositions)
	for _, c := range p.FunctionPrototypes {
		n += protoSize(c)
	}
	return n
}

// compileError words a gopher-lua syntax error as Lua 5.1 does:
// "user_script:1: unexpected symbol near '<eof>'". gopher-lua says
// "user_script line:1(column:10) near 'x':   syntax error", or "at EOF".
func compileError(err error, src, chunk string) string {
	msg := err.Error()
	if ae, ok := err.(*lua.ApiError); ok && ae.Cause != nil {
		msg = ae.Cause.Error()
	}
	rest, ok := strings.CutPrefix(msg, chunk)
	if !ok {
		return msg
	}
	var line, near, what string
	if after, ok := strings.CutPrefix(rest, " at EOF:"); ok {
		line, near, what = strconv.Itoa(1+strings.Count(src, "\n")), "'<eof>'", after
	} else if after, ok := strings.CutPrefix(rest, " line:"); ok {
		l, pos, _ := strings.Cut(after, "(")
		_, tail, _ := strings.Cut(pos, ") near ")
		n, w, _ := strings.Cut(tail, ":")
		line, near, what = l, n, w
		if near == "'EOF'" {
			near = "'<eof>'"
		}
	} else {
		return msg
	}
	what = strings.TrimSpace(what)
	switch what {
	case "syntax error":
		what = "unexpected symbol"
	case "unterminated string":
		what = "unfinished string"
	}
	return chunk + ":" + line + ": " + what + " near " + near
}

// Lookup returns the cached script of sha (in any letter case), or nil.
func (e *Engine) Lookup(sha []byte) *Script {
	if len(sha) != 40 {
		return nil // no SHA1 is any other length
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.found; s != nil && s.SHA == string(sha) {
		return s
	}
	// Clients send the lower case SCRIPT LOAD replies with: that is looked
	// up as it is (string(sha) as a map key allocates nothing).
	if s := e.scripts[string(sha)]; s != nil {
		e.found = s
		return s
	}
	// Lower-cased on the stack: no allocation here either.
	var lower [40]byte
	upper := false
	for i, c := range sha {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
			upper = true
		}
		lower[i] = c
	}
	if !upper {
		return nil
	}
	return e.scripts[string(lower[:])]
}

// Exists reports which of the SHA1s are cached.
func (e *Engine) Exists(shas [][]byte) []bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	found := make([]bool, len(shas))
	for i, sha := range shas {
		found[i] = e.scripts[strings.ToLower(string(sha))] != nil
	}
	return found
}

// Flush empties the script cache (SCRIPT FLUSH).
func (e *Engine) Flush() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.scripts)
	e.found = nil
	e.size = 0
}

// Stats returns the number of cached scripts and estimates of the memory
// they take (used_memory_scripts) and of the Lua state's (used_memory_lua).
func (e *Engine) Stats() (scripts, scriptsMemory, luaMemory int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	const perScript = 64 // the cache entry: SHA, pointers, map slot
	return len(e.scripts), e.size + perScript*len(e.scripts), luaBaseMemory + e.size
}

// luaBaseMemory is the memory of a Lua state with Redis's libraries and no
// script, as Redis 7.0 reports it in used_memory_lua.
const luaBaseMemory = 31744

// Kill stops the script running now, if any, at its next instruction; it
// is safe to call from any goroutine (SCRIPT KILL).
func (e *Engine) Kill() {
	e.killMu.Lock()
	defer e.killMu.Unlock()
	e.kill.Store(true)
	e.kctx.poll.Store(pollKilled)
	e.stop()
}

// renewContext gives the Lua state a fresh context, after a kill.
func (e *Engine) renewContext() {
	e.killMu.Lock()
	defer e.killMu.Unlock()
	e.kill.Store(false)
	e.ctx, e.stop = context.WithCancel(context.Background())
	e.kctx = &killContext{Context: e.ctx, done: e.ctx.Done()}
	e.state.SetContext(e.kctx)
}

// killContext is the Lua state's context: ctx, whose Done channel the VM
// polls at every instruction (a receive in a select with a default).
// Until something may cancel the run, Done is nil, which is the cheapest
// to poll: a cancelCtx's Done loads its channel atomically and asserts
// its type, and a poll of an open channel checks its queue. Once Kill
// asks (pollKilled), or a coroutine is made (pollThreads), Done is the
// embedded context's own channel: a context derived from this one, as a
// coroutine's is when it is made, is then canceled with it as with the
// cancelCtx.
type killContext struct {
	context.Context
	done <-chan struct{}
	poll atomic.Int32
}

// The states of killContext.poll.
const (
	pollNone    = iota // Done is nil
	pollThreads        // coroutines were made during this run
	pollKilled         // Kill canceled the context
)

// Done returns the embedded context's Done channel, or nil while nothing
// may cancel it.
func (k *killContext) Done() <-chan struct{} {
	if k.poll.Load() == pollNone {
		return nil
	}
	return k.done
}

// Execute runs s and returns its reply: what the script returned,
// converted as Redis converts it, or the error it raised.
func (e *Engine) Execute(s *Script, r *Run) frame.Frame {
	e.mu.Lock()
	defer e.mu.Unlock()
	L := e.state
	var keys, argv *lua.LTable
	if s.argsPrivate {
		e.keysTable = refill(L, e.keysTable, r.Keys, &e.keyVals)
		e.argvTable = refill(L, e.argvTable, r.Argv, &e.argVals)
		keys, argv = e.keysTable, e.argvTable
	} else {
		keys, argv = stringArray(L, r.Keys, &e.keyVals), stringArray(L, r.Argv, &e.argVals)
	}
	// Setting a global costs two map updates in gopher-lua's table.
	if keys != e.globalKeys {
		e.globals.RawSetString("KEYS", keys)
		e.globalKeys = keys
	}
	if argv != e.globalArgv {
		e.globals.RawSetString("ARGV", argv)
		e.globalArgv = argv
	}
	// The main chunk reads them from its constants (foldGlobalReads); the
	// functions it defines, and the chunks it loads, from the globals.
	if s.keysConst >= 0 {
		s.fn.Proto.Constants[s.keysConst] = keys
	}
	if s.argvConst >= 0 {
		s.fn.Proto.Constants[s.argvConst] = argv
	}
	return e.execute(s.fn, s.SHA, r)
}

// execute calls fn, which takes its arguments from the stack (pushed
// after it), for r; name is what errors call the script.
func (e *Engine) execute(fn *lua.LFunction, name string, r *Run, args ...lua.LValue) frame.Frame {
	if e.kill.Load() {
		e.renewContext() // the previous run was killed
	} else {
		// The coroutines the previous run made are tied to the context
		// already; a Kill since (pollKilled) stays.
		e.kctx.poll.CompareAndSwap(pollThreads, pollNone)
	}
	e.running = current{run: r, sha: name}
	e.cur = &e.running
	defer func() { e.cur, e.running = nil, current{} }()
	L := e.state
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), 1, e.handler)
	if err != nil {
		if e.kill.Load() {
			return frame.NewError("ERR Script killed by user with SCRIPT KILL... script: " + name + ", on " + killPlace(err) + ".")
		}
		if ae, ok := err.(*lua.ApiError); ok {
			r.ErrorCounted = counted(ae.Object)
		}
		return e.errorReply(err, name)
	}
	v := L.Get(-1)
	L.Pop(1)
	r.ErrorCounted = counted(v)
	// Booleans convert by the script's protocol (redis.setresp), nil by
	// the caller's.
	return toFrame(v, e.cur.resp3, r.RESP3, 0)
}

// killPlace is where a killed script stopped ("@user_script:3"), from
// the error.
func killPlace(err error) string {
	if ae, ok := err.(*lua.ApiError); ok {
		if t, ok := ae.Object.(*lua.LTable); ok {
			return lua.LVAsString(t.RawGetString("source")) + ":" + lua.LVAsString(t.RawGetString("line"))
		}
	}
	return "@user_script:0"
}

// errorReply words the error a script raised as Redis does: the message,
// then where it was raised.
func (e *Engine) errorReply(err error, sha string) frame.Frame {
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return frame.NewError("ERR " + err.Error())
	}
	t, ok := ae.Object.(*lua.LTable)
	if !ok {
		return frame.NewError("ERR Error running script (call to f_" + sha + "): @user_script: " + ae.Object.String())
	}
	msg, ok := t.RawGetString("err").(lua.LString)
	if !ok {
		return frame.NewError("ERR Error running script (call to f_" + sha + "): @user_script: " + lua.LVAsString(t.RawGetString("err")))
	}
	text := oneLine(string(msg))
	source, line := t.RawGetString("source"), t.RawGetString("line")
	if source != lua.LNil && line != lua.LNil {
		text += " script: " + sha + ", on " + lua.LVAsString(source) + ":" + lua.LVAsString(line) + "."
	}
	return frame.NewError(text)
}

// stringArray returns a new table of items, as Lua strings. seen holds the
// strings of the previous call's items, which are reused where the items
// are the same; it is updated to these items.
func stringArray(L *lua.LState, items [][]byte, seen *[]lua.LValue) *lua.LTable {
	vals := *seen
	if len(vals) < len(items) {
		vals = append(vals, make([]lua.LValue, len(items)-len(vals))...)
	}
	t := L.CreateTable(len(items), 0)
	for i, it := range items {
		v, ok := vals[i].(lua.LString)
		if !ok || string(v) != string(it) {
			vals[i] = lua.LString(it)
		}
		t.RawSetInt(i+1, vals[i])
	}
	// Beyond this call's items, the previous ones' strings are kept only
	// while they are few, so that one call with many arguments does not
	// hold its strings for good.
	if len(vals) > len(items) && len(vals) > maxSeenArgs {
		clear(vals[len(items):])
		vals = vals[:len(items)]
	}
	*seen = vals
	return t
}

// refill returns t holding items, or a new table of them when t is nil
// or holds another number of items. t is a table only scripts with
// argsPrivate have seen, which hold exactly what refill put in it.
func refill(L *lua.LState, t *lua.LTable, items [][]byte, seen *[]lua.LValue) *lua.LTable {
	if t == nil || t.Len() != len(items) {
		return stringArray(L, items, seen)
	}
	for i, it := range items {
		if v, ok := t.RawGetInt(i + 1).(lua.LString); !ok || string(v) != string(it) {
			t.RawSetInt(i+1, lua.LString(it))
		}
	}
	return t
}

// argsOnlyIndexed reports whether the code of p, and of the functions it
// defines, uses the globals KEYS and ARGV only to index them or take
// their length, in the instruction right after reading the global, which
// overwrites the register that held the table; and names none of the
// ways to the globals other than reading one (_G, loadstring, load,
// getfenv, setfenv). Such a script never holds, changes or compares KEYS
// and ARGV themselves: it cannot tell them from the previous run's.
func argsOnlyIndexed(p *lua.FunctionProto) bool {
	for _, k := range p.Constants {
		switch k {
		case lua.LString("_G"), lua.LString("loadstring"), lua.LString("load"), lua.LString("getfenv"), lua.LString("setfenv"):
			return false
		}
	}
	for pc, inst := range p.Code {
		if opcode(inst) != lua.OP_GETGLOBAL {
			continue
		}
		name := p.Constants[argBx(inst)]
		if name != lua.LString("KEYS") && name != lua.LString("ARGV") {
			continue
		}
		if pc+1 == len(p.Code) {
			return false
		}
		next, a := p.Code[pc+1], argA(inst)
		switch opcode(next) {
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_LEN:
		default:
			return false
		}
		if argA(next) != a || argB(next) != a {
			return false
		}
	}
	for _, c := range p.FunctionPrototypes {
		if !argsOnlyIndexed(c) {
			return false
		}
	}
	return true
}

// maxSeenArgs bounds the strings stringArray keeps beyond those of the
// last call.
const maxSeenArgs = 16

// oneLine replaces the line breaks of an error or status text with
// spaces, as Redis does before replying with it.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// formatArg converts a Lua number argument of redis.call to a string as
// Redis does ("%.17g").
func formatArg(n lua.LNumber) string {
	return strconv.FormatFloat(float64(n), 'g', 17, 64)
}
