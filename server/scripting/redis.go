package scripting

import (
	"strings"

	"github.com/mini-redis/mini-redis/frame"
	lua "github.com/yuin/gopher-lua"
)

// RedisVersion and RedisVersionNum are what redis.REDIS_VERSION and
// redis.REDIS_VERSION_NUM report.
const (
	RedisVersion    = "7.0.15"
	RedisVersionNum = 7<<16 | 0<<8 | 15
)

// The replication flags of redis.set_repl.
const (
	replNone  = 0
	replAOF   = 1
	replSlave = 2
	replAll   = replAOF | replSlave
)

// redisLib builds the redis table.
func (e *Engine) redisLib() *lua.LTable {
	L := e.state
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return e.call(L, true) },
		"pcall":              func(L *lua.LState) int { return e.call(L, false) },
		"error_reply":        errorReply,
		"status_reply":       statusReply,
		"sha1hex":            sha1hex,
		"log":                e.log,
		"setresp":            e.setresp,
		"set_repl":           e.setRepl,
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 }, // no debugger session
		"debug":              func(L *lua.LState) int { return 0 },                     // ignored outside the debugger
		"acl_check_cmd":      e.aclCheckCmd,
	})
	for name, v := range map[string]int{
		"LOG_DEBUG": LogDebug, "LOG_VERBOSE": LogVerbose, "LOG_NOTICE": LogNotice, "LOG_WARNING": LogWarning,
		"REPL_NONE": replNone, "REPL_AOF": replAOF, "REPL_SLAVE": replSlave, "REPL_REPLICA": replSlave, "REPL_ALL": replAll,
		"REDIS_VERSION_NUM": RedisVersionNum,
	} {
		t.RawSetString(name, lua.LNumber(v))
	}
	t.RawSetString("REDIS_VERSION", lua.LString(RedisVersion))
	return t
}

// errorTable returns Redis's Lua error object for a reply: {err = "CODE
// message"}. A reply in the "-CODE message" form keeps its code; any
// other text gets the ERR code (luaPushErrorBuff).
func errorTable(L *lua.LState, msg string) *lua.LTable {
	code := "ERR"
	if rest, ok := strings.CutPrefix(msg, "-"); ok {
		if c, m, found := strings.Cut(rest, " "); found {
			code, msg = c, m
		} else {
			msg = rest
		}
	}
	msg = strings.Trim(msg, "\r\n")
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString(code+" "+msg))
	return t
}

// countedKey marks the error table of a command's error reply, which the
// server's statistics counted when the command replied.
const countedKey = "ignore_error_stats_update"

// counted reports whether v is an error table countedKey marks.
func counted(v lua.LValue) bool {
	t, ok := v.(*lua.LTable)
	return ok && t.RawGetString(countedKey) == lua.LTrue && t.RawGetString("err").Type() == lua.LTString
}

// raise raises Redis's error object for msg.
func raise(L *lua.LState, msg string) int {
	L.Error(errorTable(L, msg), 0)
	return 0
}

// maxScratchArgs bounds the bytes of arguments the engine keeps to reuse
// for the next redis.call: a call with more gets memory of its own, so
// that one large call does not hold its memory for good.
const maxScratchArgs = 4 << 10

// call is redis.call (raise set) and redis.pcall.
func (e *Engine) call(L *lua.LState, raiseErrors bool) int {
	cur := e.cur
	if cur == nil {
		return raise(L, "redis.call/pcall can only be called inside a script invocation")
	}
	n := L.GetTop()
	fail := func(msg string) int {
		if raiseErrors {
			return raise(L, msg)
		}
		L.Push(errorTable(L, msg))
		return 1
	}
	if n == 0 {
		return fail("Please specify at least one argument for this redis lib call")
	}
	// The arguments are copied into one buffer. A host that keeps them
	// past the call (a script's effects keep the arguments of the
	// commands it ran until the script ends, to propagate them as one
	// MULTI/EXEC) gets memory of their own, two allocations a call;
	// otherwise the engine's scratch memory is reused, none.
	size := 0
	for i := 1; i <= n; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			size += len(v)
		case lua.LNumber:
			size += 24 // the longest formatArg text
		default:
			return fail("Lua redis lib command arguments must be strings or integers")
		}
	}
	reuse := cur.run.ReuseArgs && size <= maxScratchArgs
	var args [][]byte
	var buf []byte
	if reuse {
		args, buf = e.scratchArgs[:0], e.scratchBuf[:0]
	}
	if cap(args) < n {
		args = make([][]byte, n)
	}
	args = args[:n]
	if cap(buf) < size {
		buf = make([]byte, 0, size)
	}
	for i := range args {
		start := len(buf)
		switch v := L.Get(i + 1).(type) {
		case lua.LString:
			buf = append(buf, v...)
		case lua.LNumber:
			buf = append(buf, formatArg(v)...)
		}
		args[i] = buf[start:len(buf):len(buf)]
	}
	if reuse {
		e.scratchArgs, e.scratchBuf = args, buf
	}
	raw, ran := cur.run.Host.Call(args, cur.resp3)
	v, errText := replyToLua(L, raw)
	if errText != "" {
		t := errorTable(L, errText)
		if ran {
			t.RawSetString(countedKey, lua.LTrue)
		}
		if raiseErrors {
			L.Error(t, 0)
			return 0
		}
		L.Push(t)
		return 1
	}
	L.Push(v)
	return 1
}

// replyToLua converts a command's reply, in RESP, to a Lua value as toLua
// does, or returns the text of its error reply ("-CODE message") for
// errorTable. The replies most commands give (status, integer, bulk
// string, nil) are read here directly; others through a frame.
func replyToLua(L *lua.LState, raw []byte) (v lua.LValue, errText string) {
	if len(raw) > 0 {
		if line, n, ok := replyLine(raw); ok {
			switch raw[0] {
			case '+':
				t := L.CreateTable(0, 1)
				t.RawSetString("ok", lua.LString(line))
				return t, ""
			case '-':
				return nil, "-" + string(line)
			case ':':
				if i, ok := frame.ParseInt(line); ok {
					return lua.LNumber(i), ""
				}
			case '$':
				l, ok := frame.ParseInt(line)
				rest := raw[n:]
				switch {
				case !ok || l < -1 || l > frame.DefaultMaxBulkLen:
				case l == -1:
					return lua.LFalse, ""
				case int64(len(rest)) >= l+2 && rest[l] == '\r' && rest[l+1] == '\n':
					return lua.LString(rest[:l]), ""
				}
			}
		}
	}
	f, _, err := frame.Parse(raw)
	switch {
	case err != nil:
		return nil, "-ERR reply could not be read: " + err.Error()
	case f.IsError():
		return nil, "-" + string(f.Str)
	}
	return toLua(L, f), ""
}

// replyLine returns the first line of raw after its type byte, without
// its CRLF, and the length of the line with both; false when the line does
// not end in CRLF or holds a CR or LF of its own, which frame.Parse words
// an error for.
func replyLine(raw []byte) (line []byte, n int, ok bool) {
	for i := 1; i < len(raw); i++ {
		switch raw[i] {
		case '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				return raw[1:i], i + 2, true
			}
			return nil, 0, false
		case '\n':
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// redis.error_reply(msg)
func errorReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		return raise(L, "wrong number or type of arguments")
	}
	msg := string(L.Get(1).(lua.LString))
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(errorTable(L, msg))
	return 1
}

// redis.status_reply(msg)
func statusReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		return raise(L, "wrong number or type of arguments")
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", L.Get(1))
	L.Push(t)
	return 1
}

// redis.sha1hex(s)
func sha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		return raise(L, "wrong number of arguments")
	}
	s, ok := luaString(L.Get(1))
	if !ok {
		s = ""
	}
	L.Push(lua.LString(SHA1Hex([]byte(s))))
	return 1
}

// luaString is lua_tolstring: the text of a string or number.
func luaString(v lua.LValue) (string, bool) {
	switch v := v.(type) {
	case lua.LString:
		return string(v), true
	case lua.LNumber:
		return formatNumber(float64(v)), true
	}
	return "", false
}

// redis.log(level, message ...)
func (e *Engine) log(L *lua.LState) int {
	n := L.GetTop()
	if n < 2 {
		return raise(L, "redis.log() requires two arguments or more.")
	}
	level, ok := L.Get(1).(lua.LNumber)
	if !ok {
		return raise(L, "First argument must be a number.")
	}
	if level < LogDebug || level > LogWarning {
		return raise(L, "Invalid debug level.")
	}
	parts := make([]string, 0, n-1)
	for i := 2; i <= n; i++ {
		s, ok := luaString(L.Get(i))
		if !ok {
			continue // Redis skips what lua_tolstring cannot convert
		}
		parts = append(parts, s)
	}
	if cur := e.cur; cur != nil {
		cur.run.Host.Log(int(level), strings.Join(parts, " "))
	}
	return 0
}

// redis.setresp(2|3)
func (e *Engine) setresp(L *lua.LState) int {
	if L.GetTop() != 1 {
		return raise(L, "redis.setresp() requires one argument.")
	}
	n, ok := L.Get(1).(lua.LNumber)
	if !ok || (n != 2 && n != 3) {
		return raise(L, "RESP version must be 2 or 3.")
	}
	if e.cur != nil {
		e.cur.resp3 = n == 3
	}
	return 0
}

// redis.set_repl(flags): accepted; this server has no replication.
func (e *Engine) setRepl(L *lua.LState) int {
	if L.GetTop() != 1 {
		return raise(L, "redis.set_repl() requires one argument.")
	}
	n, ok := L.Get(1).(lua.LNumber)
	if !ok || n < replNone || n > replAll || n != lua.LNumber(int(n)) {
		return raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	return 0
}

// redis.acl_check_cmd(command, args...): every command is permitted to
// the only user there is; an unknown command is an error.
func (e *Engine) aclCheckCmd(L *lua.LState) int {
	if L.GetTop() < 1 {
		return raise(L, "Please specify at least one argument for this redis lib call")
	}
	name, ok := luaString(L.Get(1))
	if !ok {
		return raise(L, "Lua redis lib command arguments must be strings or integers")
	}
	if cur := e.cur; cur != nil {
		// Resolve the name by asking the host for COMMAND INFO.
		raw, _ := cur.run.Host.Call([][]byte{[]byte("COMMAND"), []byte("INFO"), []byte(name)}, false)
		reply, _, err := frame.Parse(raw)
		if err != nil || reply.Type != frame.Array || len(reply.Elems) != 1 || reply.Elems[0].IsNull() {
			return raise(L, "Invalid command passed to redis.acl_check_cmd()")
		}
	}
	L.Push(lua.LTrue)
	return 1
}
