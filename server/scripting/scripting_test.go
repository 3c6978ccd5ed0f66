package scripting

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	lua "github.com/yuin/gopher-lua"
)

func TestParseShebang(t *testing.T) {
	tests := []struct {
		body  string
		flags Flags
		n     int
		err   string
	}{
		{"return 1", CompatMode, 0, ""},
		{"#!lua\nreturn 1", 0, 5, ""},
		{"#!lua flags=no-writes,allow-oom\nreturn 1", NoWrites | AllowOOM, 31, ""},
		{"#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys\n", AllowStale | NoCluster | AllowCrossSlotKeys, 56, ""},
		{"#!lua flags=\n", 0, 12, ""},
		{"#!lua", 0, 0, "Invalid script shebang"},
		{"#!luajit\n", 0, 0, "Unexpected engine in script shebang: #!luajit"},
		{"#!lua flags=bad\n", 0, 0, "Unexpected flag in script shebang: bad"},
		{"#!lua flags=no-writes,,allow-oom\n", 0, 0, "Unexpected flag in script shebang: "},
		{"#!lua name=x\n", 0, 0, "Unknown lua shebang option: name=x"},
		{"#!lua \"open\n", 0, 0, "Invalid engine in script shebang"},
	}
	for _, tt := range tests {
		flags, n, err := ParseShebang([]byte(tt.body))
		if flags != tt.flags || n != tt.n || err != tt.err {
			t.Errorf("ParseShebang(%q) = %v, %d, %q; want %v, %d, %q", tt.body, flags, n, err, tt.flags, tt.n, tt.err)
		}
	}
}

// FuzzParseShebang checks that any body parses without panicking, and that
// a shebang accepted ends at the first newline with only known flags.
func FuzzParseShebang(f *testing.F) {
	for _, seed := range []string{"return 1", "#!lua\n", "#!lua flags=no-writes\n", "#!lua flags=a,b\n", "#!lua \"x\n", "#!", "#!lua flags=,\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		flags, n, errText := ParseShebang(body)
		if errText != "" {
			if flags != 0 || n != 0 {
				t.Fatalf("error %q with flags %v, length %d", errText, flags, n)
			}
			return
		}
		if !bytes.HasPrefix(body, []byte("#!")) {
			if flags != CompatMode || n != 0 {
				t.Fatalf("no shebang: flags %v, length %d", flags, n)
			}
			return
		}
		if n != bytes.IndexByte(body, '\n') {
			t.Fatalf("shebang length %d, newline at %d", n, bytes.IndexByte(body, '\n'))
		}
		if flags&^(NoWrites|AllowOOM|AllowStale|NoCluster|AllowCrossSlotKeys) != 0 {
			t.Fatalf("unknown flags %v", flags)
		}
	})
}

// randomValue builds a random Lua value from r: nested tables, numbers
// (huge, NaN, fractional), strings with line breaks, booleans and the
// special reply tables.
func randomValue(L *lua.LState, r *rand.Rand, depth int) lua.LValue {
	switch k := r.IntN(9); {
	case k == 0:
		return lua.LNil
	case k == 1:
		return lua.LBool(r.IntN(2) == 0)
	case k == 2:
		return lua.LNumber([]float64{0, -1.5, 3.99, 1e300, -1e300, math.NaN(), math.Inf(1), 2e18}[r.IntN(8)])
	case k == 3:
		return lua.LString([]string{"", "a", "x\r\ny", "\x00\xff"}[r.IntN(4)])
	case depth > 4:
		return lua.LNumber(r.IntN(100))
	default:
		t := L.NewTable()
		for i := r.IntN(4); i > 0; i-- {
			t.RawSetInt(r.IntN(5)+1, randomValue(L, r, depth+1))
		}
		switch r.IntN(8) {
		case 0:
			t.RawSetString("err", randomValue(L, r, depth+1))
		case 1:
			t.RawSetString("ok", randomValue(L, r, depth+1))
		case 2:
			t.RawSetString("double", randomValue(L, r, depth+1))
		case 3:
			t.RawSetString("map", randomValue(L, r, depth+1))
		case 4:
			t.RawSetString("set", randomValue(L, r, depth+1))
		case 5:
			t.RawSetString("big_number", randomValue(L, r, depth+1))
		case 6:
			v := L.NewTable()
			v.RawSetString("format", randomValue(L, r, depth+1))
			v.RawSetString("string", randomValue(L, r, depth+1))
			t.RawSetString("verbatim_string", v)
		}
		return t
	}
}

// FuzzToFrame converts random Lua values to replies on both protocols:
// the conversion must not panic, and its frames must encode to RESP that
// parses back, with no line break inside a status or error. A big number
// is sent with the script's text as it is, as Redis sends it, valid or
// not, so replies holding one are not parsed back.
func FuzzToFrame(f *testing.F) {
	for i := range 20 {
		f.Add(uint64(i))
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	f.Fuzz(func(t *testing.T, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed>>7))
		v := randomValue(L, r, 0)
		for _, resp3 := range []bool{false, true} {
			fr := toFrame(v, resp3, resp3, 0)
			if checkFrame(t, fr) {
				continue
			}
			for _, p := range []frame.Protocol{frame.RESP2, frame.RESP3} {
				b := frame.Append(nil, fr, p)
				if _, n, err := frame.Parse(b); err != nil || n != len(b) {
					t.Fatalf("%v as %v: %q does not parse back: %v", fr, p, b, err)
				}
			}
		}
	})
}

// checkFrame fails if a status or error of f holds a line break, and
// reports whether f holds a big number.
func checkFrame(t *testing.T, f frame.Frame) (bigNumber bool) {
	t.Helper()
	if (f.Type == frame.SimpleString || f.Type == frame.Error) && bytes.ContainsAny(f.Str, "\r\n") {
		t.Fatalf("line break in %v", f)
	}
	bigNumber = f.Type == frame.BigNumber
	for _, el := range f.Elems {
		bigNumber = checkFrame(t, el) || bigNumber
	}
	return bigNumber
}

func TestToFrame(t *testing.T) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	table := func(kv ...any) *lua.LTable {
		t := L.NewTable()
		for i := 0; i < len(kv); i += 2 {
			var v lua.LValue
			switch x := kv[i+1].(type) {
			case string:
				v = lua.LString(x)
			case float64:
				v = lua.LNumber(x)
			case lua.LValue:
				v = x
			}
			switch k := kv[i].(type) {
			case string:
				t.RawSetString(k, v)
			case int:
				t.RawSetInt(k, v)
			}
		}
		return t
	}
	tests := []struct {
		name  string
		v     lua.LValue
		resp3 bool
		want  frame.Frame
	}{
		{"string", lua.LString("x"), false, frame.NewBulkString("x")},
		{"truncated", lua.LNumber(3.99), false, frame.NewInteger(3)},
		{"negative truncated", lua.LNumber(-3.99), false, frame.NewInteger(-3)},
		{"huge", lua.LNumber(1e300), false, frame.NewInteger(math.MinInt64)},
		{"true resp2", lua.LTrue, false, frame.NewInteger(1)},
		{"false resp2", lua.LFalse, false, frame.NewNullBulk()},
		{"true resp3", lua.LTrue, true, frame.NewBool(true)},
		{"nil", lua.LNil, false, frame.NewNullBulk()},
		{"err", table("err", "ERR x\ny"), false, frame.NewError("ERR x y")},
		{"ok", table("ok", "fine"), false, frame.NewSimple("fine")},
		{"double", table("double", 1.5), false, frame.NewDouble(1.5)},
		{"array stops at nil", table(1, "a", 2, 2.0, 4, "d"), false, frame.NewArray(frame.NewBulkString("a"), frame.NewInteger(2))},
		{"empty", table("x", "y"), false, frame.NewArray()},
		{"map", table("map", table("a", 1.0)), false, frame.NewMap(frame.NewBulkString("a"), frame.NewInteger(1))},
		{"set", table("set", table("a", lua.LTrue)), false, frame.NewSet(frame.NewBulkString("a"))},
	}
	for _, tt := range tests {
		if got := toFrame(tt.v, tt.resp3, tt.resp3, 0); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

type echoHost struct{ logs []string }

func (h *echoHost) Call(args [][]byte, resp3 bool) ([]byte, bool) {
	if string(args[0]) == "fail" {
		return frame.AppendError(nil, "WRONGTYPE nope"), true
	}
	return frame.AppendCommand(nil, args...), true
}

func (h *echoHost) Log(level int, msg string) { h.logs = append(h.logs, msg) }

func TestEngine(t *testing.T) {
	e := New()
	defer e.Close()
	host := &echoHost{}
	tests := []struct {
		body string
		want string
	}{
		{"return redis.call('a', 1, 'b')", `["a", "1", "b"]`},
		{"return redis.pcall('fail').err", "WRONGTYPE nope"},
		{"return redis.call('fail')", "WRONGTYPE nope script: "},
		{"redis.log(redis.LOG_NOTICE, 'x', 1) return 1", "1"},
		{"return KEYS[1] .. ARGV[1]", "ka"},
		{"rawset(_G, 'leak', 1) return 1", "Attempt to modify a readonly table"},
		{"local _, t = pairs(redis) return tostring(t == redis)", "true"},
		{"local _, t = pairs(redis) t.call = 1 return 1", "Attempt to modify a readonly table"},
		{"local _, g = pairs(_G) g.redis = 1 return 1", "Attempt to modify a readonly table"},
		{"loadstring('redis = 1')() return 1", "Attempt to modify a readonly table"},
		{"local n = 0 load(function() n = n + 1 if n == 1 then return 'x = 1' end end)() return 1", "Attempt to modify a readonly table"},
		{"return type(redis) .. loadstring('return KEYS[1]')()", "tablek"},
		{"local t = {} for k in pairs(redis) do t[#t+1] = k end return #t", "23"},
		{"return cjson.decode(cjson.encode({a={1,2}})).a[2]", "2"},
	}
	for _, tt := range tests {
		s, errText := e.Load([]byte(tt.body))
		if s == nil {
			t.Fatalf("Load(%q): %s", tt.body, errText)
		}
		got := e.Execute(s, &Run{Host: host, Keys: [][]byte{[]byte("k")}, Argv: [][]byte{[]byte("a")}})
		if !strings.Contains(got.String(), tt.want) {
			t.Errorf("%q: %v, want it to contain %q", tt.body, got, tt.want)
		}
	}
	if len(host.logs) != 1 || host.logs[0] != "x 1" {
		t.Errorf("logs %q, want [\"x 1\"]", host.logs)
	}
	if n, _, _ := e.Stats(); n != len(tests) {
		t.Errorf("%d scripts cached, want %d", n, len(tests))
	}
	e.Flush()
	if n, mem, _ := e.Stats(); n != 0 || mem != 0 {
		t.Errorf("after Flush: %d scripts, %d bytes", n, mem)
	}
}

// TestKill checks that Kill stops a script, even one that catches errors
// with pcall or loops in a coroutine, also after a run that made
// coroutines, and that the next script runs.
func TestKill(t *testing.T) {
	tests := []struct {
		name, before, body string
	}{
		{"loop", "", "while true do end"},
		{"pcall", "", "while true do pcall(function() while true do end end) end"},
		{"coroutine", "", "coroutine.resume(coroutine.create(function() while true do end end))"},
		{"wrapped coroutine", "", "coroutine.wrap(function() while true do end end)()"},
		{"after coroutines", "coroutine.wrap(function() end)() return 1", "while true do end"},
	}
	for _, tt := range tests {
		e := New()
		if tt.before != "" {
			before, _ := e.Load([]byte(tt.before))
			if got := e.Execute(before, &Run{Host: &echoHost{}}); !got.Equal(frame.NewInteger(1)) {
				t.Fatalf("%s: %s: %v", tt.name, tt.before, got)
			}
		}
		s, _ := e.Load([]byte(tt.body))
		done := make(chan frame.Frame)
		go func() { done <- e.Execute(s, &Run{Host: &echoHost{}}) }()
		time.Sleep(50 * time.Millisecond)
		e.Kill()
		select {
		case got := <-done:
			if !strings.HasPrefix(string(got.Str), "ERR Script killed by user with SCRIPT KILL... script: "+s.SHA) {
				t.Errorf("%s: killed script replied %v", tt.name, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Kill did not stop the script", tt.name)
		}
		next, _ := e.Load([]byte("return 1"))
		if got := e.Execute(next, &Run{Host: &echoHost{}}); !got.Equal(frame.NewInteger(1)) {
			t.Errorf("%s: after a kill: %v", tt.name, got)
		}
		e.Close()
	}
}

// TestProxiesStayEmpty checks that no way of writing to the globals or a
// library reaches the readonly proxies' own entries, which every later
// script would see: each attempt fails, as in Redis, and the proxies stay
// empty.
func TestProxiesStayEmpty(t *testing.T) {
	e := New()
	defer e.Close()
	for _, body := range []string{
		"x = 1",
		"_G.x = 1",
		"_G[1] = 1",
		"redis.x = 1",
		"rawset(_G, 'x', 1)",
		"rawset(redis, 1, 1)",
		"table.insert(_G, 1)",
		"table.insert(_G, 3, 'x')",
		"table.insert(redis, 'x')",
		"table.insert(string, 'x')",
		"loadstring('x = 1')()",
		"setmetatable(_G, nil)",
		"local _, g = pairs(_G) g.x = 1",
	} {
		s, errText := e.Load([]byte(body + " return 1"))
		if s == nil {
			t.Fatalf("%s: %s", body, errText)
		}
		if got := e.Execute(s, &Run{Host: &echoHost{}}); !got.IsError() {
			t.Errorf("%s: %v, want an error", body, got)
		}
		for proxy := range e.readonly {
			if k, v := proxy.Next(lua.LNil); k != lua.LNil {
				t.Errorf("%s: a proxy holds %v = %v", body, k, v)
			}
		}
	}
	s, _ := e.Load([]byte("return tostring(rawget(_G, 'x')) .. tostring(rawget(_G, 1)) .. #redis .. #string"))
	if got := e.Execute(s, &Run{Host: &echoHost{}}); string(got.Str) != "nilnil00" {
		t.Errorf("after the attempts: %v, want nilnil00", got)
	}
}

// TestLookup checks that Lookup finds each cached script by its SHA1 in
// either case, one after another and again, and none once flushed.
func TestLookup(t *testing.T) {
	e := New()
	defer e.Close()
	a, _ := e.Load([]byte("return 1"))
	b, _ := e.Load([]byte("return 2"))
	steps := []struct {
		sha  string
		want *Script
	}{
		{a.SHA, a},
		{a.SHA, a},
		{b.SHA, b},
		{strings.ToUpper(a.SHA), a},
		{b.SHA[:39] + "x", nil},
		{b.SHA, b},
		{"flush", nil},
		{b.SHA, nil},
		{a.SHA, nil},
	}
	for i, st := range steps {
		if st.sha == "flush" {
			e.Flush()
			continue
		}
		if got := e.Lookup([]byte(st.sha)); got != st.want {
			t.Errorf("step %d: Lookup(%s) = %v, want %v", i, st.sha, got, st.want)
		}
	}
}
