package scripting

import (
	"math"

	"github.com/mini-redis/mini-redis/frame"
	lua "github.com/yuin/gopher-lua"
)

// maxDepth bounds the nesting of the tables converted to a reply, as the
// C stack bounds Redis's conversion.
const maxDepth = 1000

// toLua converts a command's reply to a Lua value, as Redis's
// redisProtocolToLuaType does.
func toLua(L *lua.LState, f frame.Frame) lua.LValue {
	switch f.Type {
	case frame.SimpleString:
		t := L.CreateTable(0, 1)
		t.RawSetString("ok", lua.LString(f.Str))
		return t
	case frame.Error, frame.BulkError:
		return errorTable(L, "-"+string(f.Str))
	case frame.Integer:
		return lua.LNumber(f.Int)
	case frame.BulkString:
		if f.Nil {
			return lua.LFalse
		}
		return lua.LString(f.Str)
	case frame.Array, frame.Push:
		if f.Nil {
			return lua.LFalse
		}
		return arrayToLua(L, f.Elems)
	case frame.Null:
		return lua.LNil
	case frame.Boolean:
		return lua.LBool(f.Bool)
	case frame.Double:
		t := L.CreateTable(0, 1)
		t.RawSetString("double", lua.LNumber(f.Float))
		return t
	case frame.BigNumber:
		t := L.CreateTable(0, 1)
		t.RawSetString("big_number", lua.LString(f.Str))
		return t
	case frame.Verbatim:
		v := L.CreateTable(0, 2)
		format, text := "txt", f.Str
		if len(f.Str) >= 4 && f.Str[3] == ':' {
			format, text = string(f.Str[:3]), f.Str[4:]
		}
		v.RawSetString("format", lua.LString(format))
		v.RawSetString("string", lua.LString(text))
		t := L.CreateTable(0, 1)
		t.RawSetString("verbatim_string", v)
		return t
	case frame.Map:
		m := L.CreateTable(0, len(f.Elems)/2)
		for i := 0; i+1 < len(f.Elems); i += 2 {
			m.RawSet(toLua(L, f.Elems[i]), toLua(L, f.Elems[i+1]))
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("map", m)
		return t
	case frame.Set:
		s := L.CreateTable(0, len(f.Elems))
		for _, el := range f.Elems {
			s.RawSet(toLua(L, el), lua.LTrue)
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("set", s)
		return t
	}
	return lua.LNil
}

func arrayToLua(L *lua.LState, elems []frame.Frame) *lua.LTable {
	t := L.CreateTable(len(elems), 0)
	for i, el := range elems {
		if v := toLua(L, el); v != lua.LNil {
			t.RawSetInt(i+1, v)
		}
	}
	return t
}

// toFrame converts what a script returned to its reply, as Redis's
// luaReplyToRedisReply does: booleans by the script's protocol (resp3,
// from redis.setresp), nil as the calling client's null (callerRESP3).
func toFrame(v lua.LValue, resp3, callerRESP3 bool, depth int) frame.Frame {
	switch v := v.(type) {
	case lua.LString:
		return frame.NewBulkString(string(v))
	case lua.LBool:
		if resp3 {
			return frame.NewBool(bool(v))
		}
		if v {
			return frame.NewInteger(1)
		}
		return frame.NewNullBulk()
	case lua.LNumber:
		return frame.NewInteger(luaInt(v))
	case *lua.LTable:
		if depth >= maxDepth {
			return frame.NewError("ERR reached lua stack limit")
		}
		return tableToFrame(v, resp3, callerRESP3, depth)
	}
	if callerRESP3 {
		return frame.NewNull()
	}
	return frame.NewNullBulk()
}

// luaInt converts a Lua number to an integer reply as C's cast does on the
// machines Redis runs on: truncated, and out of range (or NaN) as the
// smallest int64.
func luaInt(n lua.LNumber) int64 {
	f := float64(n)
	if math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return math.MinInt64
	}
	return int64(f)
}

func tableToFrame(t *lua.LTable, resp3, callerRESP3 bool, depth int) frame.Frame {
	if s, ok := t.RawGetString("err").(lua.LString); ok {
		return frame.NewError(oneLine(string(s)))
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		return frame.NewSimple(oneLine(string(s)))
	}
	if n, ok := t.RawGetString("double").(lua.LNumber); ok {
		return frame.NewDouble(float64(n))
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		return frame.Frame{Type: frame.BigNumber, Str: []byte(oneLine(string(s)))}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		var kv []frame.Frame
		m.ForEach(func(k, v lua.LValue) {
			kv = append(kv, toFrame(k, resp3, callerRESP3, depth+1), toFrame(v, resp3, callerRESP3, depth+1))
		})
		return frame.NewMap(kv...)
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		var elems []frame.Frame
		s.ForEach(func(k, _ lua.LValue) {
			elems = append(elems, toFrame(k, resp3, callerRESP3, depth+1))
		})
		return frame.NewSet(elems...)
	}
	if v, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, fok := v.RawGetString("format").(lua.LString)
		text, tok := v.RawGetString("string").(lua.LString)
		if fok && tok && len(format) == 3 {
			return frame.NewVerbatim(string(format), string(text))
		}
	}
	var elems []frame.Frame
	for i := 1; ; i++ {
		v := t.RawGetInt(i)
		if v == lua.LNil {
			break
		}
		elems = append(elems, toFrame(v, resp3, callerRESP3, depth+1))
	}
	if elems == nil {
		elems = []frame.Frame{}
	}
	return frame.NewArray(elems...)
}
