package scripting

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The globals Redis 7.0 leaves out of the base library: no file access, no
// loading of modules, no printing, no environments.
var forbiddenGlobals = []string{"dofile", "loadfile", "print", "require", "module", "getfenv", "setfenv", "newproxy"}

// init builds the environment: the libraries, the redis table, and the
// readonly proxy of the globals that scripts run in.
func (e *Engine) init() {
	L := e.state
	for _, open := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(open.fn))
		L.Push(lua.LString(open.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	e.globals = g
	for _, name := range forbiddenGlobals {
		g.RawSetString(name, lua.LNil)
	}
	g.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(luaBaseMemory / 1024))
		return 1
	}))
	g.RawSetString("tostring", L.NewFunction(luaToString))
	g.RawSetString("error", L.NewFunction(luaError))
	g.RawSetString("pcall", L.NewFunction(luaPcall))
	g.RawSetString("pairs", L.NewFunction(e.pairs))
	g.RawSetString("rawset", L.NewFunction(e.rawset))
	// gopher-lua gives the functions loadstring and load make the
	// environment of the function that calls them, which for these Go
	// functions is the globals themselves: a chunk's assignments would
	// change them for every script. Their chunks run in the scripts'
	// readonly environment instead, as in Redis.
	for _, name := range []string{"loadstring", "load"} {
		load := g.RawGetString(name).(*lua.LFunction).GFunction
		g.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			n := load(L)
			if fn, ok := L.Get(-n).(*lua.LFunction); ok && n > 0 {
				fn.Env = e.env
			}
			return n
		}))
	}
	// A coroutine's context is derived from the state's when it is made:
	// the state's must have its channel by then (killContext).
	co := g.RawGetString("coroutine").(*lua.LTable)
	for _, name := range []string{"create", "wrap"} {
		create := co.RawGetString(name).(*lua.LFunction).GFunction
		co.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			e.kctx.poll.CompareAndSwap(pollNone, pollThreads)
			return create(L)
		}))
	}
	math := g.RawGetString("math").(*lua.LTable)
	math.RawSetString("random", L.NewFunction(e.mathRandom))
	math.RawSetString("randomseed", L.NewFunction(e.mathRandomSeed))
	table := g.RawGetString("table").(*lua.LTable)
	// table.insert writes the table's own entries, as rawset does: a
	// readonly proxy's would be seen by every later script. With it,
	// rawset and the proxies' __newindex and protected metatables, no
	// script writes to a proxy: the proxies stay empty.
	insert := table.RawGetString("insert").(*lua.LFunction).GFunction
	table.RawSetString("insert", L.NewFunction(func(L *lua.LState) int {
		if t, ok := L.Get(1).(*lua.LTable); ok && e.readonly[t] != nil {
			L.Error(lua.LString("Attempt to modify a readonly table"), 0)
			return 0
		}
		return insert(L)
	}))
	table.RawSetString("foreach", L.NewFunction(tableForeach(false)))
	table.RawSetString("foreachi", L.NewFunction(tableForeach(true)))
	table.RawSetString("setn", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("'setn' is obsolete")
		return 0
	}))
	g.RawSetString("redis", e.redisLib())
	g.RawSetString("cjson", e.cjsonLib())
	g.RawSetString("bit", bitLib(L))
	g.RawSetString("cmsgpack", cmsgpackLib(L))
	g.RawSetString("struct", structLib(L))
	g.RawSetString("__redis__err__handler", L.NewFunction(errHandler))
	e.handler = L.NewFunction(errHandler)

	// Scripts see the globals through a readonly proxy, and every library
	// table through one of its own, as Redis 7.0 makes them readonly.
	for _, name := range []string{"redis", "cjson", "bit", "cmsgpack", "struct", "string", "math", "table", "coroutine"} {
		if t, ok := g.RawGetString(name).(*lua.LTable); ok {
			g.RawSetString(name, e.protect(t, false))
		}
	}
	e.env = e.protect(g, true)
	g.RawSetString("_G", e.env)
	e.initFunctions()
}

// protect returns a readonly proxy of t. Reading a missing key of the
// globals' proxy is an error, as in Redis.
//
// The proxy's __index is t itself, not a function, so that reading a key
// t holds (every global a script reads: redis, KEYS, ...) is a table
// lookup in the VM, with no Go call and no allocation; only a missing key
// reaches the error, through a metatable of t's own (missingGlobal). For
// the globals, build points the proxy at the functions API while library
// code loads, as Redis switches its globals' __index.
func (e *Engine) protect(t *lua.LTable, globals bool) *lua.LTable {
	L := e.state
	// The proxy stays empty, and made without room (NewTable's), a lookup
	// of a key it lacks, as every read of a global is, skips the map.
	proxy := L.CreateTable(0, 0)
	mt := L.NewTable()
	mt.RawSetString("__index", t)
	if globals {
		e.raiseOnMissing(t)
		if t == e.globals {
			e.envMeta = mt
		}
	}
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Attempt to modify a readonly table")
		return 0
	}))
	mt.RawSetString("__metatable", lua.LFalse)
	proxy.Metatable = mt
	e.readonly[proxy] = t
	return proxy
}

// raiseOnMissing gives t a metatable whose __index raises Redis's error
// for a nonexistent global.
func (e *Engine) raiseOnMissing(t *lua.LTable) {
	L := e.state
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(L.Get(2)))
		return 0
	}))
	t.Metatable = mt
}

// pairs iterates a readonly proxy's table, which holds the keys. Its
// second result is the table it was given, as Lua's pairs returns it: the
// proxy, never the table behind it, which scripts must not reach.
func (e *Engine) pairs(L *lua.LState) int {
	arg := L.CheckTable(1)
	t := arg
	if real, ok := e.readonly[t]; ok {
		t = real
	}
	L.Push(L.NewFunction(func(L *lua.LState) int {
		k, v := t.Next(L.Get(2))
		if k == lua.LNil {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(k)
		L.Push(v)
		return 2
	}))
	L.Push(arg)
	L.Push(lua.LNil)
	return 3
}

// rawset refuses readonly tables, as Redis's Lua does.
func (e *Engine) rawset(L *lua.LState) int {
	t := L.CheckTable(1)
	if _, ok := e.readonly[t]; ok {
		L.Error(lua.LString("Attempt to modify a readonly table"), 0)
		return 0
	}
	t.RawSet(L.CheckAny(2), L.CheckAny(3))
	L.SetTop(1)
	return 1
}

// luaToString is Lua 5.1's tostring: numbers as "%.14g".
func luaToString(L *lua.LState) int {
	v := L.CheckAny(1)
	if n, ok := v.(lua.LNumber); ok {
		L.Push(lua.LString(formatNumber(float64(n))))
		return 1
	}
	L.Push(L.ToStringMeta(v))
	return 1
}

// luaError is Lua 5.1's error: a string or number message gets the
// position of the caller at level (default 1).
func luaError(L *lua.LState) int {
	v := L.Get(1)
	level := L.OptInt(2, 1)
	if s, ok := luaString(v); ok && level > 0 {
		// No position when the function at level is not Lua (pcall(error, "x")).
		if dbg, ok := L.GetStack(level); ok {
			if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.What != "G" && dbg.CurrentLine >= 0 {
				v = lua.LString(L.Where(level) + " " + s)
			}
		}
	}
	L.Error(v, 0)
	return 0
}

// luaPcall is Redis 7.0's pcall: an error raised as Redis's error table
// (by redis.call) is returned as its err string.
func luaPcall(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		L.ArgError(1, "value expected")
	}
	if err := L.PCall(n-1, lua.MultRet, nil); err != nil {
		obj := lua.LValue(lua.LString(err.Error()))
		if ae, ok := err.(*lua.ApiError); ok {
			obj = ae.Object
		}
		if t, ok := obj.(*lua.LTable); ok {
			if s, ok := t.RawGetString("err").(lua.LString); ok {
				obj = s
			}
		}
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// argError raises Lua 5.1's error for a bad argument n of function fn.
func argError(L *lua.LState, n int, fn, msg string) {
	L.RaiseError("bad argument #%d to '%s' (%s)", n, fn, msg)
}

// formatNumber formats n as Lua 5.1 and cjson do, with "%.14g".
func formatNumber(n float64) string {
	switch {
	case math.IsInf(n, 1):
		return "inf"
	case math.IsInf(n, -1):
		return "-inf"
	case math.IsNaN(n):
		return "nan"
	}
	return strconv.FormatFloat(n, 'g', 14, 64)
}

func tableForeach(indexed bool) lua.LGFunction {
	return func(L *lua.LState) int {
		t := L.CheckTable(1)
		f := L.CheckFunction(2)
		call := func(k, v lua.LValue) bool {
			L.Push(f)
			L.Push(k)
			L.Push(v)
			L.Call(2, 1)
			r := L.Get(-1)
			L.Pop(1)
			if r != lua.LNil {
				L.Push(r)
				return true
			}
			return false
		}
		if indexed {
			for i := 1; i <= t.Len(); i++ {
				if call(lua.LNumber(i), t.RawGetInt(i)) {
					return 1
				}
			}
			return 0
		}
		for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
			if call(k, v) {
				return 1
			}
		}
		return 0
	}
}

// errHandler is Redis's __redis__err__handler: it turns an error into a
// table with an err field, and adds where the script raised it (the first
// Lua function on the stack, as Redis skips the C function raising it).
func errHandler(L *lua.LState) int {
	v := L.Get(1)
	t, ok := v.(*lua.LTable)
	if !ok {
		t = L.NewTable()
		text := "nil"
		if v != lua.LNil {
			text = lua.LVAsString(L.ToStringMeta(v))
			if n, ok := v.(lua.LNumber); ok {
				text = formatNumber(float64(n))
			}
		}
		t.RawSetString("err", lua.LString("ERR "+text))
	}
	for level := 1; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			break
		}
		if dbg.What == "G" || dbg.CurrentLine < 0 {
			continue
		}
		t.RawSetString("source", lua.LString("@"+strings.TrimPrefix(dbg.Source, "@")))
		t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
		break
	}
	L.Push(t)
	return 1
}

// lrand48 is the generator of math.random: Redis's redisLrand48, the 48-bit
// linear congruential generator of POSIX lrand48, started from the same
// state so that scripts draw the numbers Redis's draw.
type lrand48 struct{ x uint64 }

func newLrand48() lrand48 { return lrand48{x: 0x1234ABCD330E} }

func (r *lrand48) next() int32 {
	r.x = (0x5DEECE66D*r.x + 0xB) & (1<<48 - 1)
	return int32(r.x >> 17)
}

func (r *lrand48) seed(s int32) { r.x = uint64(uint32(s))<<16 | 0x330E }

// mathRandom is Redis's math.random.
func (e *Engine) mathRandom(L *lua.LState) int {
	const max = math.MaxInt32
	r := float64(e.rand.next()%max) / max
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := L.CheckInt(1)
		if u < 1 {
			argError(L, 1, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l, u := L.CheckInt(1), L.CheckInt(2)
		if l > u {
			argError(L, 2, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (e *Engine) mathRandomSeed(L *lua.LState) int {
	e.rand.seed(int32(L.CheckInt(1)))
	return 0
}
