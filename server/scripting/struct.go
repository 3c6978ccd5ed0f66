package scripting

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The limits of Roberto Ierusalimschy's struct library, which Redis loads,
// on the 64-bit machines Redis runs on.
const (
	structMaxIntSize = 32
	structMaxAlign   = 8
)

// structLib builds the struct table: pack, unpack and size of binary
// records described by a format ("<i4 s", ">H c0" ...), as struct 0.2 does.
func structLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"pack":   structPack,
		"unpack": structUnpack,
		"size":   structSize,
	})
	return t
}

// structFormat reads a format option by option.
type structFormat struct {
	L      *lua.LState
	fn     string // the function, for errors
	f      string
	i      int
	little bool
	align  int
}

func newStructFormat(L *lua.LState, fn string) *structFormat {
	return &structFormat{L: L, fn: fn, f: L.CheckString(1), little: true, align: 1}
}

func (s *structFormat) more() bool { return s.i < len(s.f) }

func (s *structFormat) next() byte {
	c := s.f[s.i]
	s.i++
	return c
}

func (s *structFormat) num(def int) int {
	if !s.more() || s.f[s.i] < '0' || s.f[s.i] > '9' {
		return def
	}
	a := 0
	for s.more() && s.f[s.i] >= '0' && s.f[s.i] <= '9' {
		d := int(s.f[s.i] - '0')
		if a > (math.MaxInt32-d)/10 {
			s.L.RaiseError("integral size overflow")
		}
		a = a*10 + d
		s.i++
	}
	return a
}

// size is optsize: the size of option opt (0 for those without one).
func (s *structFormat) size(opt byte) int {
	switch opt {
	case 'B', 'b', 'x':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T', 'd':
		return 8
	case 'f':
		return 4
	case 'c':
		return s.num(1)
	case 'i', 'I':
		n := s.num(4)
		if n > structMaxIntSize {
			s.L.RaiseError("integral size %d is larger than limit of %d", n, structMaxIntSize)
		}
		return n
	}
	return 0
}

// toAlign is gettoalign: the padding before an item of size at len.
func (s *structFormat) toAlign(length int, opt byte, size int) int {
	if size == 0 || opt == 'c' {
		return 0
	}
	size = min(size, s.align)
	return (size - (length & (size - 1))) & (size - 1)
}

// control applies a control option (endianness, alignment, space).
func (s *structFormat) control(opt byte) {
	switch opt {
	case ' ':
	case '>':
		s.little = false
	case '<':
		s.little = true
	case '!':
		a := s.num(structMaxAlign)
		if a <= 0 || a&(a-1) != 0 {
			s.L.RaiseError("alignment %d is not a power of 2", a)
		}
		s.align = a
	default:
		argError(s.L, 1, s.fn, "invalid format option '"+string(opt)+"'")
	}
}

func (s *structFormat) order() interface {
	binary.ByteOrder
	binary.AppendByteOrder
} {
	if s.little {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// checkNumber is luaL_checknumber: a number, or a string that converts.
func checkNumber(L *lua.LState, n int, fn string) float64 {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return float64(v)
	case lua.LString:
		if f, err := strconv.ParseFloat(strings.TrimSpace(string(v)), 64); err == nil {
			return f
		}
	}
	argError(L, n, fn, "number expected, got "+typeName(L, n))
	return 0
}

func checkString(L *lua.LState, n int, fn string) string {
	if s, ok := luaString(L.Get(n)); ok {
		return s
	}
	argError(L, n, fn, "string expected, got "+typeName(L, n))
	return ""
}

func typeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return L.Get(n).Type().String()
}

func structPack(L *lua.LState) int {
	s := newStructFormat(L, "pack")
	L.Push(lua.LNil) // as struct.c marks the end of the arguments: a missing one is nil
	arg := 2
	var b []byte
	for s.more() {
		opt := s.next()
		size := s.size(opt)
		pad := s.toAlign(len(b), opt, size)
		b = append(b, make([]byte, pad)...)
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			n := checkNumber(L, arg, "pack")
			arg++
			var v uint64
			if n < 0 {
				v = uint64(int64(n))
			} else {
				v = uint64(n)
			}
			buf := make([]byte, size)
			for i := range size {
				j := i
				if !s.little {
					j = size - 1 - i
				}
				buf[j] = byte(v)
				if i < 7 {
					v >>= 8
				} else {
					v = 0
				}
			}
			b = append(b, buf...)
		case 'x':
			b = append(b, 0)
		case 'f':
			b = s.order().AppendUint32(b, math.Float32bits(float32(checkNumber(L, arg, "pack"))))
			arg++
		case 'd':
			b = s.order().AppendUint64(b, math.Float64bits(checkNumber(L, arg, "pack")))
			arg++
		case 'c', 's':
			str := checkString(L, arg, "pack")
			arg++
			if size == 0 {
				size = len(str)
			}
			if len(str) < size {
				argError(L, arg, "pack", "string too short")
			}
			b = append(b, str[:size]...)
			if opt == 's' {
				b = append(b, 0)
				size++
			}
		default:
			s.control(opt)
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func structUnpack(L *lua.LState) int {
	s := newStructFormat(L, "unpack")
	data := checkString(L, 2, "unpack")
	ld := len(data)
	pos := L.OptInt(3, 1) - 1
	var out []lua.LValue
	for s.more() {
		opt := s.next()
		size := s.size(opt)
		pos += s.toAlign(pos, opt, size)
		if pos < 0 || size > ld || pos > ld-size { // pos is unsigned in struct.c
			argError(L, 2, "unpack", "data string too short")
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			var v uint64
			for i := range size {
				j := size - 1 - i
				if !s.little {
					j = i
				}
				v = v<<8 | uint64(data[pos+j])
			}
			if opt >= 'a' { // signed
				if size < 8 {
					mask := ^uint64(0) << (size*8 - 1)
					if v&mask != 0 {
						v |= mask
					}
				}
				out = append(out, lua.LNumber(float64(int64(v))))
			} else {
				out = append(out, lua.LNumber(float64(v)))
			}
		case 'x':
		case 'f':
			out = append(out, lua.LNumber(math.Float32frombits(s.order().Uint32([]byte(data[pos:])))))
		case 'd':
			out = append(out, lua.LNumber(math.Float64frombits(s.order().Uint64([]byte(data[pos:])))))
		case 'c':
			if size == 0 {
				var prev lua.LNumber
				ok := false
				if len(out) > 0 {
					prev, ok = out[len(out)-1].(lua.LNumber)
				}
				if !ok {
					L.RaiseError("format 'c0' needs a previous size")
				}
				size = int(prev)
				out = out[:len(out)-1]
				if size < 0 || size > ld || pos > ld-size {
					argError(L, 2, "unpack", "data string too short")
				}
			}
			out = append(out, lua.LString(data[pos:pos+size]))
		case 's':
			e := bytes.IndexByte([]byte(data[pos:]), 0)
			if e < 0 {
				L.RaiseError("unfinished string in data")
			}
			size = e + 1
			out = append(out, lua.LString(data[pos:pos+e]))
		default:
			s.control(opt)
		}
		pos += size
	}
	for _, v := range out {
		L.Push(v)
	}
	L.Push(lua.LNumber(pos + 1))
	return len(out) + 1
}

func structSize(L *lua.LState) int {
	s := newStructFormat(L, "size")
	pos := 0
	for s.more() {
		opt := s.next()
		size := s.size(opt)
		pos += s.toAlign(pos, opt, size)
		if opt == 's' {
			argError(L, 1, "size", "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			argError(L, 1, "size", "option 'c0' has no fixed size")
		}
		if !isAlnum(opt) {
			s.control(opt)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos))
	return 1
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
