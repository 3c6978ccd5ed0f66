package scripting

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The limits of Redis's lua-cjson, at its defaults.
const (
	cjsonMaxDepth    = 1000
	cjsonSparseRatio = 2
	cjsonSparseSafe  = 10
)

// cjsonLib builds the cjson table: encode and decode as lua-cjson 2.1 does
// with Redis's defaults, and cjson.null.
func (e *Engine) cjsonLib() *lua.LTable {
	L := e.state
	null := L.NewUserData()
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				L.RaiseError("expected 1 argument")
			}
			var b strings.Builder
			cjsonEncode(L, &b, L.Get(1), null, 0)
			L.Push(lua.LString(b.String()))
			return 1
		},
		"decode": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				L.RaiseError("expected 1 argument")
			}
			d := &jsonDecoder{L: L, s: L.CheckString(1), null: null}
			v := d.value(0)
			d.space()
			if d.i < len(d.s) {
				d.fail("the end", d.tokenName())
			}
			L.Push(v)
			return 1
		},
	})
	t.RawSetString("null", null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

func cjsonEncode(L *lua.LState, b *strings.Builder, v lua.LValue, null *lua.LUserData, depth int) {
	switch v := v.(type) {
	case *lua.LNilType:
		b.WriteString("null")
	case lua.LBool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case lua.LNumber:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			L.RaiseError("Cannot serialise number: must not be NaN or Inf")
		}
		b.WriteString(formatNumber(f))
	case lua.LString:
		jsonQuote(b, string(v))
	case *lua.LTable:
		depth++
		if depth > cjsonMaxDepth {
			L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		if n := arrayLength(L, v); n > 0 {
			b.WriteByte('[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					b.WriteByte(',')
				}
				cjsonEncode(L, b, v.RawGetInt(i), null, depth)
			}
			b.WriteByte(']')
			return
		}
		b.WriteByte('{')
		first := true
		v.ForEach(func(k, val lua.LValue) {
			if !first {
				b.WriteByte(',')
			}
			first = false
			switch k := k.(type) {
			case lua.LString:
				jsonQuote(b, string(k))
			case lua.LNumber:
				b.WriteString(`"` + formatNumber(float64(k)) + `"`)
			default:
				L.RaiseError("Cannot serialise table: table key must be a number or string")
			}
			b.WriteByte(':')
			cjsonEncode(L, b, val, null, depth)
		})
		b.WriteByte('}')
	case *lua.LUserData:
		if v == null {
			b.WriteString("null")
			return
		}
		L.RaiseError("Cannot serialise userdata: type not supported")
	default:
		L.RaiseError("Cannot serialise %s: type not supported", v.Type().String())
	}
}

// arrayLength is lua-cjson's lua_array_length: the largest key of a table
// whose keys are all positive integers, 0 for an object, or an error for
// an excessively sparse array.
func arrayLength(L *lua.LState, t *lua.LTable) int {
	max, items := 0, 0
	array := true
	t.ForEach(func(k, _ lua.LValue) {
		n, ok := k.(lua.LNumber)
		if !ok || n < 1 || float64(n) != math.Floor(float64(n)) {
			array = false
			return
		}
		items++
		if int(n) > max {
			max = int(n)
		}
	})
	if !array {
		return 0
	}
	if max > items*cjsonSparseRatio && max > cjsonSparseSafe {
		L.RaiseError("Cannot serialise table: excessively sparse array")
	}
	return max
}

// jsonQuote writes s as a JSON string, escaping as lua-cjson does ("/"
// too, and DEL); other bytes are copied as they are.
func jsonQuote(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&15])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// jsonDecoder is a recursive descent JSON parser that builds Lua values
// and words its errors as lua-cjson does.
type jsonDecoder struct {
	L    *lua.LState
	s    string
	i    int
	null *lua.LUserData
}

func (d *jsonDecoder) fail(expected, found string) {
	d.L.RaiseError("Expected %s but found %s at character %d", expected, found, d.i+1)
}

func (d *jsonDecoder) space() {
	for d.i < len(d.s) && strings.IndexByte(" \t\r\n", d.s[d.i]) >= 0 {
		d.i++
	}
}

// tokenName names the token at d.i as lua-cjson's errors do.
func (d *jsonDecoder) tokenName() string {
	if d.i >= len(d.s) {
		return "T_END"
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return "T_OBJ_BEGIN"
	case c == '}':
		return "T_OBJ_END"
	case c == '[':
		return "T_ARR_BEGIN"
	case c == ']':
		return "T_ARR_END"
	case c == '"':
		return "T_STRING"
	case c == ':':
		return "T_COLON"
	case c == ',':
		return "T_COMMA"
	case c == '-' || '0' <= c && c <= '9':
		return "T_NUMBER"
	case strings.HasPrefix(d.s[d.i:], "true"), strings.HasPrefix(d.s[d.i:], "false"):
		return "T_BOOLEAN"
	case strings.HasPrefix(d.s[d.i:], "null"):
		return "T_NULL"
	}
	return "invalid token"
}

func (d *jsonDecoder) value(depth int) lua.LValue {
	d.space()
	if d.i >= len(d.s) {
		d.fail("value", "T_END")
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		return lua.LString(d.str())
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	for _, lit := range []struct {
		text string
		v    lua.LValue
	}{{"true", lua.LTrue}, {"false", lua.LFalse}, {"null", d.null}} {
		if strings.HasPrefix(d.s[d.i:], lit.text) {
			d.i += len(lit.text)
			return lit.v
		}
	}
	d.fail("value", d.tokenName())
	return lua.LNil
}

func (d *jsonDecoder) nest(depth int) {
	if depth > cjsonMaxDepth {
		d.L.RaiseError("Found too many nested data structures (%d) at character %d", depth, d.i+1)
	}
}

func (d *jsonDecoder) object(depth int) lua.LValue {
	d.nest(depth)
	t := d.L.NewTable()
	d.i++ // {
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return t
	}
	for {
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			d.fail("object key string", d.tokenName())
		}
		k := d.str()
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			d.fail("colon", d.tokenName())
		}
		d.i++
		t.RawSetString(k, d.value(depth))
		d.space()
		if d.i < len(d.s) && d.s[d.i] == '}' {
			d.i++
			return t
		}
		if d.i >= len(d.s) || d.s[d.i] != ',' {
			d.fail("comma or object end", d.tokenName())
		}
		d.i++
	}
}

func (d *jsonDecoder) array(depth int) lua.LValue {
	d.nest(depth)
	t := d.L.NewTable()
	d.i++ // [
	d.space()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return t
	}
	for n := 1; ; n++ {
		t.RawSetInt(n, d.value(depth))
		d.space()
		if d.i < len(d.s) && d.s[d.i] == ']' {
			d.i++
			return t
		}
		if d.i >= len(d.s) || d.s[d.i] != ',' {
			d.fail("comma or array end", d.tokenName())
		}
		d.i++
	}
}

func (d *jsonDecoder) number() lua.LValue {
	start := d.i
	for d.i < len(d.s) && strings.IndexByte("+-0123456789.eE", d.s[d.i]) >= 0 {
		d.i++
	}
	f, err := strconv.ParseFloat(d.s[start:d.i], 64)
	if err != nil {
		d.i = start
		d.fail("value", "invalid number")
	}
	return lua.LNumber(f)
}

func (d *jsonDecoder) str() string {
	start := d.i
	d.i++ // "
	var b strings.Builder
	for {
		if d.i >= len(d.s) {
			d.i = start
			d.fail("value", "unexpected end of string")
		}
		c := d.s[d.i]
		if c == '"' {
			d.i++
			return b.String()
		}
		if c != '\\' {
			b.WriteByte(c)
			d.i++
			continue
		}
		d.i++
		if d.i >= len(d.s) {
			d.i = start
			d.fail("value", "invalid escape code")
		}
		switch e := d.s[d.i]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if d.i+4 >= len(d.s) {
				d.i = start
				d.fail("value", "invalid unicode escape code")
			}
			r, err := strconv.ParseUint(d.s[d.i+1:d.i+5], 16, 32)
			if err != nil {
				d.i = start
				d.fail("value", "invalid unicode escape code")
			}
			d.i += 4
			if 0xD800 <= r && r < 0xDC00 && strings.HasPrefix(d.s[d.i+1:], `\u`) && d.i+6 < len(d.s) {
				if lo, err := strconv.ParseUint(d.s[d.i+3:d.i+7], 16, 32); err == nil && 0xDC00 <= lo && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					d.i += 6
				}
			}
			b.WriteRune(rune(r))
		default:
			d.i = start
			d.fail("value", "invalid escape code")
		}
		d.i++
	}
}
