package scripting

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// runLib calls the library function lib.fn with args in a state with
// Redis's libraries, and fails on a Go panic (which gopher-lua would turn
// into an error of type ApiErrorPanic); Lua errors are fine.
func runLib(t *testing.T, e *Engine, body string, args ...string) lua.LValue {
	t.Helper()
	L := e.state
	fn, err := L.LoadString(body)
	if err != nil {
		t.Fatal(err)
	}
	fn.Env = e.env
	L.Push(fn)
	for _, a := range args {
		L.Push(lua.LString(a))
	}
	if err := L.PCall(len(args), 1, nil); err != nil {
		if ae, ok := err.(*lua.ApiError); ok && ae.Type == lua.ApiErrorPanic {
			t.Fatalf("%s with %q: Go panic: %v", body, args, err)
		}
		return lua.LNil
	}
	v := L.Get(-1)
	L.Pop(1)
	return v
}

// FuzzCJSONDecode decodes any text; what decodes must encode and decode
// again to the same encoding.
func FuzzCJSONDecode(f *testing.F) {
	for _, seed := range []string{`[1,2,{"a":null}]`, `{"a":[1,2.5,"x",true,null]}`, `"\u00e9\ud83d\ude00"`, `bad`, `[1,`, `1e400`, `[[[[]]]]`, `{"a" 1}`} {
		f.Add(seed)
	}
	e := New()
	defer e.Close()
	f.Fuzz(func(t *testing.T, s string) {
		const body = "local ok, v = pcall(cjson.decode, ...) if not ok then return nil end " +
			"local ok2, e1 = pcall(cjson.encode, v) if not ok2 then return nil end " +
			"local e2 = cjson.encode(cjson.decode(e1)) if e1 ~= e2 and not e1:find('[{]') then return 'differ: ' .. e1 .. ' ' .. e2 end return nil"
		if v := runLib(t, e, body, s); v != lua.LNil {
			t.Fatalf("%q: %v", s, v)
		}
	})
}

// FuzzCmsgpackUnpack unpacks any bytes; what unpacks must pack and unpack
// to the same bytes again.
func FuzzCmsgpackUnpack(f *testing.F) {
	for _, seed := range []string{"\x94\x01\x02\xa1a\x81\xa1x\x01", "\xdc", "\xc1", "\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00", "\xde\x00\x01\xc0\x01", "\xd9\x05ab"} {
		f.Add(seed)
	}
	e := New()
	defer e.Close()
	f.Fuzz(func(t *testing.T, s string) {
		const body = "local ok, v = pcall(cmsgpack.unpack_one, ...) if not ok then return nil end " +
			"local ok2, p = pcall(cmsgpack.pack, v) if not ok2 then return nil end " +
			"local _, w = cmsgpack.unpack_one(p) local q = cmsgpack.pack(w) if p ~= q and type(v) ~= 'table' then return 'differ' end return nil"
		if v := runLib(t, e, body, s); v != lua.LNil {
			t.Fatalf("%q: %v", s, v)
		}
	})
}

// FuzzStruct packs, sizes and unpacks with any format: no Go panic, and a
// record packed with a fixed-size format has the size struct.size gives.
func FuzzStruct(f *testing.F) {
	for _, seed := range []string{"<i4 >h b B", "!4 b i4 h d f", "s c3 c0 x", "i40", "!3 i", "c0", "I12 l L T"} {
		f.Add(seed, "abcdefgh")
	}
	e := New()
	defer e.Close()
	f.Fuzz(func(t *testing.T, format, data string) {
		runLib(t, e, "local f, d = ... return {pcall(struct.unpack, f, d)}", format, data)
		const body = "local f = ... local args = {} for i = 1, 40 do args[i] = 7 end " +
			"local ok, p = pcall(struct.pack, f, unpack(args)) if not ok then return nil end " +
			"local ok2, n = pcall(struct.size, f) if ok2 and n ~= #p then return 'size ' .. n .. ' packed ' .. #p end " +
			"pcall(struct.unpack, f, p) return nil"
		if v := runLib(t, e, body, format); v != lua.LNil {
			t.Fatalf("%q: %v", format, v)
		}
	})
}
