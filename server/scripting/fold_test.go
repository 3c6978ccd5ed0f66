package scripting

import (
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	lua "github.com/yuin/gopher-lua"
)

// TestFoldLibraryReads checks that scripts whose library reads are folded
// into constants reply as they would without: where a jump leads into a
// field read, in loops, in functions the script defines, and where the
// script tries to change the libraries. folded is the number of reads
// the script's main chunk should load as constants.
func TestFoldLibraryReads(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		argv   []string
		want   string
		folded int
	}{
		{"call", "return redis.call('INCR', KEYS[1])", nil, `["INCR", "k"]`, 2},
		{"pcall", "return redis.pcall('GET', 'x')", nil, `["GET", "x"]`, 2},
		{"field", "return redis.REDIS_VERSION", nil, RedisVersion, 2},
		{"missing field", "return tostring(redis.nonexistent)", nil, "nil", 1},
		{"other library", "return cjson.encode({1, 2})", nil, "[1,2]", 1},
		{"proxy kept", "local r = redis return type(r.call)", nil, "function", 1},
		{"same proxy", "return tostring(_G.redis == redis)", nil, "true", 2},
		{"a jump past redis, own table", "local t = {call = 'mine'} return type((ARGV[1] == '1' and t or redis).call)", []string{"1"}, "string", 1},
		{"a jump past redis, redis", "local t = {call = 'mine'} return type((ARGV[1] == '1' and t or redis).call)", []string{"2"}, "function", 1},
		{"loop", "local n = 0 for i = 1, 3 do n = n + #redis.call('x', i) end return n", nil, "6", 2},
		{"defined function", "local function f(k) return redis.call('GET', k) end return f('a')", nil, `["GET", "a"]`, 0},
		{"closure", "local a = 'v' local f = function() return a end return redis.call('SET', f(), a)", nil, `["SET", "v", "v"]`, 2},
		{"pairs gives the proxy", "local _, t = pairs(redis) return tostring(t == redis)", nil, "true", 2},
		{"pairs table readonly", "local _, t = pairs(redis) t.call = 1 return 1", nil, "Attempt to modify a readonly table", 1},
		{"globals readonly", "local _, g = pairs(_G) g.redis = 1 return 1", nil, "Attempt to modify a readonly table", 1},
		{"field readonly", "redis.call = 1 return 1", nil, "Attempt to modify a readonly table", 1},
		{"after the attempts", "return type(redis.call) .. type(redis)", nil, "functiontable", 3},
		{"error line", "local x = 1\nreturn redis.call('fail')", nil, "@user_script:2.", 2},
		{"keys and argv", "return KEYS[1] .. #KEYS .. tostring(ARGV[1]) .. tostring(ARGV[2]) .. #ARGV", []string{"a", "b"}, "k1ab2", 0},
		{"keys and argv again", "return KEYS[1] .. #KEYS .. tostring(ARGV[1]) .. tostring(ARGV[2]) .. #ARGV", []string{"c"}, "k1cnil1", 0},
		{"keys kept", "local k = KEYS return tostring(k == KEYS) .. k[1]", nil, "truek", 0},
		{"keys in a function", "local function f() return KEYS[1] end return f() .. KEYS[1]", nil, "kk", 0},
		{"keys changed", "KEYS[1] = 'x' return KEYS[1] .. loadstring('return KEYS[1]')()", nil, "xx", 0},
	}
	e := New()
	defer e.Close()
	for _, tt := range tests {
		s, errText := e.Load([]byte(tt.body))
		if s == nil {
			t.Fatalf("%s: %s", tt.name, errText)
		}
		if got := foldedReads(s); got != tt.folded {
			t.Errorf("%s: %d reads folded, want %d", tt.name, got, tt.folded)
		}
		if got, want := s.keysConst >= 0, strings.Contains(tt.body, "KEYS"); got != want {
			t.Errorf("%s: KEYS read from a constant %v, want %v", tt.name, got, want)
		}
		if got, want := s.argvConst >= 0, strings.Contains(tt.body, "ARGV") && !strings.Contains(tt.body, "function"); got != want {
			t.Errorf("%s: ARGV read from a constant %v, want %v", tt.name, got, want)
		}
		got := e.Execute(s, &Run{Host: &echoHost{}, Keys: byteSlices([]string{"k"}), Argv: byteSlices(tt.argv)})
		if s := got.String(); !strings.Contains(s, tt.want) {
			t.Errorf("%s: %v, want it to contain %q", tt.name, s, tt.want)
		}
	}
	// A function's code is not folded: it reads redis from the API while
	// the library loads.
	if _, errText := e.LoadLibrary([]byte("#!lua name=lib\nredis.register_function('f', function() return redis.call('x') end)"), false); errText != "" {
		t.Fatal(errText)
	}
	if got := e.Call(e.Function("f"), &Run{Host: &echoHost{}}); !got.Equal(frame.NewArray(frame.NewBulkString("x"))) {
		t.Errorf("FCALL f: %v", got)
	}
}

// TestFoldJumpIntoFieldRead checks that a field read is not folded where
// a jump leads to it past the read of redis before it. gopher-lua's
// compiler puts a MOVE between them; the test swaps the two, as another
// compiler could place them.
func TestFoldJumpIntoFieldRead(t *testing.T) {
	e := New()
	defer e.Close()
	body := "local t = {call = 'mine'} return type((ARGV[1] == '1' and t or redis).call)"
	fn, err := e.state.Load(strings.NewReader(body), "user_script")
	if err != nil {
		t.Fatal(err)
	}
	fn.Env = e.env
	code := fn.Proto.Code
	swapped := false
	for pc := 0; pc+2 < len(code); pc++ {
		if opcode(code[pc]) == lua.OP_GETGLOBAL && opcode(code[pc+1]) == lua.OP_MOVE && opcode(code[pc+2]) == lua.OP_GETTABLEKS {
			code[pc], code[pc+1] = code[pc+1], code[pc]
			swapped = true
		}
	}
	if !swapped {
		t.Fatalf("no GETGLOBAL, MOVE, GETTABLEKS in\n%s", fn.Proto)
	}
	s := &Script{SHA: "test", fn: fn}
	s.keysConst, s.argvConst = e.foldGlobalReads(fn.Proto)
	if got := foldedReads(s); got != 1 {
		t.Errorf("%d reads folded, want 1 (redis, not its field)", got)
	}
	for _, c := range []struct{ arg, want string }{{"1", "string"}, {"2", "function"}} {
		if got := e.Execute(s, &Run{Host: &echoHost{}, Argv: byteSlices([]string{c.arg})}); string(got.Str) != c.want {
			t.Errorf("ARGV[1] = %s: %v, want %s", c.arg, got, c.want)
		}
	}
}

// foldedReads counts the LOADKs of s's main chunk whose constant is a
// table or a Go function, what only folding loads, other than KEYS and
// ARGV.
func foldedReads(s *Script) int {
	p := s.fn.Proto
	n := 0
	for _, inst := range p.Code {
		if k := argBx(inst); opcode(inst) != lua.OP_LOADK || k == s.keysConst || k == s.argvConst {
			continue
		}
		switch v := p.Constants[argBx(inst)].(type) {
		case *lua.LTable:
			n++
		case *lua.LFunction:
			if v.IsG {
				n++
			}
		case lua.LString:
			if string(v) == RedisVersion {
				n++
			}
		}
	}
	return n
}
