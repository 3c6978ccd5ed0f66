package scripting

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	lua "github.com/yuin/gopher-lua"
)

// TestStringArrayReuse checks that KEYS and ARGV built one after another
// hold each call's items, whatever the previous call's were, and that the
// strings kept between calls stay bounded.
func TestStringArrayReuse(t *testing.T) {
	many := make([]string, 40)
	for i := range many {
		many[i] = "m" + strconv.Itoa(i)
	}
	calls := []struct {
		name  string
		items []string
	}{
		{"first", []string{"a", "b"}},
		{"same", []string{"a", "b"}},
		{"changed", []string{"a", "c"}},
		{"longer", []string{"x", "c", "d"}},
		{"shorter", []string{"x"}},
		{"none", nil},
		{"empty string", []string{""}},
		{"many", many},
		{"few after many", []string{"m0", "z"}},
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	var seen []lua.LValue
	for _, c := range calls {
		items := make([][]byte, len(c.items))
		for i, it := range c.items {
			items[i] = []byte(it)
		}
		tb := stringArray(L, items, &seen)
		if got := tb.Len(); got != len(c.items) {
			t.Errorf("%s: #t = %d, want %d", c.name, got, len(c.items))
		}
		for i, want := range c.items {
			if got := tb.RawGetInt(i + 1); got != lua.LString(want) {
				t.Errorf("%s: t[%d] = %v, want %q", c.name, i+1, got, want)
			}
		}
		if len(seen) > max(len(c.items), maxSeenArgs) {
			t.Errorf("%s: %d strings kept for %d items", c.name, len(seen), len(c.items))
		}
	}
}

// TestArgsOnlyIndexed checks which scripts may be given the previous
// run's KEYS and ARGV tables.
func TestArgsOnlyIndexed(t *testing.T) {
	for _, c := range []struct {
		body string
		want bool
	}{
		{"return redis.call('INCR', KEYS[1])", true},
		{"return {KEYS[1], ARGV[1], #KEYS, #ARGV, KEYS.x}", true},
		{"local function f() return ARGV[2] end return f()", true},
		{"return 1", true},
		{"return KEYS", false},
		{"local k = KEYS return k[1]", false},
		{"KEYS[1] = 'x' return 1", false},
		{"table.insert(ARGV, 'x') return 1", false},
		{"return KEYS:len()", false},
		{"local function f() return ARGV end return f()[1]", false},
		{"return _G.KEYS[1]", false},
		{"return loadstring('return KEYS')()[1]", false},
		{"return rawequal(KEYS, KEYS)", false},
	} {
		e := New()
		s, errText := e.Load([]byte(c.body))
		if s == nil {
			t.Fatalf("%s: %s", c.body, errText)
		}
		if s.argsPrivate != c.want {
			t.Errorf("%s: argsPrivate %v, want %v", c.body, s.argsPrivate, c.want)
		}
		e.Close()
	}
}

// TestArgsTablesReused checks that runs of scripts that share KEYS and
// ARGV tables, and of scripts that get new ones, in any order, see their
// own arguments only.
func TestArgsTablesReused(t *testing.T) {
	e := New()
	defer e.Close()
	pure := "return #KEYS..' '..#ARGV..' '..tostring(KEYS[1])..' '..tostring(KEYS[2])..' '..tostring(ARGV[1])..' '..tostring(ARGV[2])"
	steps := []struct {
		body       string
		keys, argv []string
		want       string
	}{
		{pure, []string{"a", "b"}, []string{"x"}, "2 1 a b x nil"},
		{pure, []string{"a", "c"}, []string{"y"}, "2 1 a c y nil"},
		{pure, []string{"d"}, nil, "1 0 d nil nil nil"},
		{"KEYS[2] = 'z' ARGV.n = 1 setmetatable(ARGV, {}) return #KEYS..' '..KEYS[1]..' '..KEYS[2]", []string{"d"}, nil, "2 d z"},
		{pure, []string{"d"}, nil, "1 0 d nil nil nil"},
		{"return #KEYS..' '..#ARGV..' '..KEYS[1]..' '..tostring(ARGV.n)..' '..tostring(getmetatable(ARGV))", []string{"e"}, nil, "1 0 e nil nil"},
		{pure, []string{"e"}, []string{"p", "q"}, "1 2 e nil p q"},
		{pure, nil, nil, "0 0 nil nil nil nil"},
		{pure, []string{"f", "g"}, []string{"r"}, "2 1 f g r nil"},
	}
	for i, st := range steps {
		s, errText := e.Load([]byte(st.body))
		if s == nil {
			t.Fatalf("step %d: %s", i, errText)
		}
		if st.body == pure && !s.argsPrivate {
			t.Fatalf("%s does not share its tables", pure)
		}
		r := &Run{Host: &echoHost{}, Keys: byteSlices(st.keys), Argv: byteSlices(st.argv)}
		if got := string(e.Execute(s, r).Str); got != st.want {
			t.Errorf("step %d (%s %v %v): %s, want %s", i, st.body, st.keys, st.argv, got, st.want)
		}
	}
}

// TestArgsTablesKeptByFunction checks that a KEYS table a function kept
// (it reads the globals scripts set) is never refilled by later scripts.
func TestArgsTablesKeptByFunction(t *testing.T) {
	e := New()
	defer e.Close()
	if _, errText := e.LoadLibrary([]byte("#!lua name=keep\nlocal kept\nredis.register_function('keep', function() if kept == nil then kept = KEYS end return #kept..' '..tostring(kept[1]) end)"), false); errText != "" {
		t.Fatal(errText)
	}
	s, errText := e.Load([]byte("return #KEYS..' '..tostring(KEYS[1])"))
	if s == nil {
		t.Fatal(errText)
	}
	for i, st := range []struct {
		fcall bool
		keys  []string
		want  string
	}{
		{false, []string{"a"}, "1 a"},
		{true, nil, "1 a"},
		{false, []string{"b"}, "1 b"},
		{false, []string{"c", "d"}, "2 c"},
		{false, []string{"c", "d"}, "2 c"},
		{true, nil, "1 a"},
		{false, []string{"e"}, "1 e"},
	} {
		r := &Run{Host: &echoHost{}, Keys: byteSlices(st.keys)}
		var got frame.Frame
		if st.fcall {
			got = e.Call(e.Function("keep"), r)
		} else {
			got = e.Execute(s, r)
		}
		if string(got.Str) != st.want {
			t.Errorf("step %d: %v, want %s", i, got, st.want)
		}
	}
}

func byteSlices(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// keepHost keeps the args of every call as it was given them, and a copy
// of them taken during the call.
type keepHost struct {
	echoHost
	given, copied [][][]byte
}

func (h *keepHost) Call(args [][]byte, resp3 bool) ([]byte, bool) {
	h.given = append(h.given, args)
	h.copied = append(h.copied, byteSlices(stringsOf(args)))
	return h.echoHost.Call(args, resp3)
}

func stringsOf(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

// TestCallArgsMemory checks that each redis.call gets its own arguments
// whether the engine reuses their memory (ReuseArgs) or not, calls of
// growing, shrinking and very large arguments among them, and that
// without ReuseArgs the args a host kept stay as they were given.
func TestCallArgsMemory(t *testing.T) {
	body := "redis.call('set', 'k', 'v') redis.call('incrby', 'counter', 12345) " +
		"redis.call('x') redis.call('append', KEYS[1], ARGV[1]) redis.call('get', 'k') return 1"
	big := strings.Repeat("b", 2*maxScratchArgs)
	want := [][]string{{"set", "k", "v"}, {"incrby", "counter", "12345"}, {"x"}, {"append", "key", big}, {"get", "k"}}
	for _, reuse := range []bool{false, true} {
		e := New()
		s, errText := e.Load([]byte(body))
		if s == nil {
			t.Fatal(errText)
		}
		for run := range 2 {
			host := &keepHost{}
			r := &Run{Host: host, Keys: byteSlices([]string{"key"}), Argv: byteSlices([]string{big}), ReuseArgs: reuse}
			if got := e.Execute(s, r); !got.Equal(frame.NewInteger(1)) {
				t.Fatalf("reuse %v run %d: %v", reuse, run, got)
			}
			for i, w := range want {
				if got := stringsOf(host.copied[i]); !slices.Equal(got, w) {
					t.Errorf("reuse %v run %d: call %d got %q, want %q", reuse, run, i, got, w)
				}
				if got := stringsOf(host.given[i]); !reuse && !slices.Equal(got, w) {
					t.Errorf("run %d: call %d's kept args became %q, want %q", run, i, got, w)
				}
			}
		}
		if reuse && len(e.scratchBuf) > maxScratchArgs {
			t.Errorf("%d bytes of scratch kept, at most %d wanted", len(e.scratchBuf), maxScratchArgs)
		}
		e.Close()
	}
}
