package scripting

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// cmsgpackMaxNesting is the depth past which lua-cmsgpack encodes a table
// as nil.
const cmsgpackMaxNesting = 16

// cmsgpackLib builds the cmsgpack table: MessagePack encoding of Lua
// values with the choices lua-cmsgpack 0.4, which Redis loads, makes
// (smallest integer encoding, float32 when exact, tables as arrays when
// their keys are 1..n).
func cmsgpackLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"pack": func(L *lua.LState) int {
			n := L.GetTop()
			if n == 0 {
				argError(L, 0, "pack", "MessagePack pack needs input.")
			}
			var b []byte
			for i := 1; i <= n; i++ {
				b = msgpackEncode(b, L.Get(i), 0)
			}
			L.Push(lua.LString(b))
			return 1
		},
		"unpack": func(L *lua.LState) int { return msgpackUnpack(L, 0, 0, true) },
		"unpack_one": func(L *lua.LState) int {
			return msgpackUnpack(L, 1, L.OptInt(2, 0), false)
		},
		"unpack_limit": func(L *lua.LState) int {
			return msgpackUnpack(L, L.CheckInt(2), L.OptInt(3, 0), false)
		},
	})
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

func msgpackEncode(b []byte, v lua.LValue, depth int) []byte {
	switch v := v.(type) {
	case lua.LBool:
		if v {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case lua.LNumber:
		f := float64(v)
		if !math.IsInf(f, 0) && !math.IsNaN(f) && f >= math.MinInt64 && f < math.MaxInt64 && float64(int64(f)) == f {
			return msgpackInt(b, int64(f))
		}
		if f32 := float32(f); float64(f32) == f {
			return binary.BigEndian.AppendUint32(append(b, 0xca), math.Float32bits(f32))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcb), math.Float64bits(f))
	case lua.LString:
		return append(msgpackHeader(b, len(v), 0xa0, 32, 0xd9, 0xda, 0xdb), v...)
	case *lua.LTable:
		if depth >= cmsgpackMaxNesting {
			return append(b, 0xc0)
		}
		if n, ok := msgpackArrayLen(v); ok {
			b = msgpackHeader(b, n, 0x90, 16, 0, 0xdc, 0xdd)
			for i := 1; i <= n; i++ {
				b = msgpackEncode(b, v.RawGetInt(i), depth+1)
			}
			return b
		}
		n := 0
		v.ForEach(func(lua.LValue, lua.LValue) { n++ })
		b = msgpackHeader(b, n, 0x80, 16, 0, 0xde, 0xdf)
		v.ForEach(func(k, val lua.LValue) {
			b = msgpackEncode(b, k, depth+1)
			b = msgpackEncode(b, val, depth+1)
		})
		return b
	}
	return append(b, 0xc0)
}

// msgpackHeader appends the header of a string, array or map of n items:
// the fix form below fixMax, else the 8-bit (if code8 is not 0), 16-bit
// or 32-bit length.
func msgpackHeader(b []byte, n int, fix byte, fixMax int, code8, code16, code32 byte) []byte {
	switch {
	case n < fixMax:
		return append(b, fix|byte(n))
	case code8 != 0 && n <= 0xff:
		return append(b, code8, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, code16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, code32), uint32(n))
}

func msgpackInt(b []byte, n int64) []byte {
	switch {
	case n >= 0 && n <= 127:
		return append(b, byte(n))
	case n >= 0 && n <= 0xff:
		return append(b, 0xcc, byte(n))
	case n >= 0 && n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
	case n >= 0 && n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
	case n >= 0:
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	case n >= -32:
		return append(b, byte(n))
	case n >= -128:
		return append(b, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(n))
	case n >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
}

// msgpackArrayLen is lua-cmsgpack's table_is_an_array: the table is an
// array when all its keys are positive integers and there are as many as
// the largest.
func msgpackArrayLen(t *lua.LTable) (int, bool) {
	count, max := 0, 0
	array := true
	t.ForEach(func(k, _ lua.LValue) {
		n, ok := k.(lua.LNumber)
		if !ok || n <= 0 || float64(n) != math.Trunc(float64(n)) {
			array = false
			return
		}
		count++
		if int(n) > max {
			max = int(n)
		}
	})
	return max, array && max == count
}

// msgpackUnpack is lua-cmsgpack's mp_unpack_full.
func msgpackUnpack(L *lua.LState, limit, offset int, all bool) int {
	s := L.CheckString(1)
	if offset < 0 || limit < 0 {
		L.RaiseError("Invalid request to unpack with offset of %d and limit of %d.", offset, len(s))
	}
	if offset > len(s) {
		L.RaiseError("Start offset %d greater than input length %d.", offset, len(s))
	}
	if all {
		limit = math.MaxInt
	}
	d := msgpackDecoder{L: L, b: []byte(s[offset:])}
	var values []lua.LValue
	for cnt := 0; len(d.b) > 0 && cnt < limit; cnt++ {
		values = append(values, d.value())
		switch d.err {
		case errEOF:
			L.RaiseError("Missing bytes in input.")
		case errFormat:
			L.RaiseError("Bad data format in input.")
		}
	}
	if !all {
		next := len(s) - len(d.b)
		if len(d.b) == 0 {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, v := range values {
		L.Push(v)
	}
	if all {
		return len(values)
	}
	return len(values) + 1
}

const (
	errEOF = 1 + iota
	errFormat
)

type msgpackDecoder struct {
	L   *lua.LState
	b   []byte
	err int
}

func (d *msgpackDecoder) take(n int) []byte {
	if d.err != 0 {
		return nil
	}
	if len(d.b) < n {
		d.err = errEOF
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *msgpackDecoder) uint(n int) uint64 {
	p := d.take(n)
	if p == nil {
		return 0
	}
	var u uint64
	for _, c := range p {
		u = u<<8 | uint64(c)
	}
	return u
}

func (d *msgpackDecoder) value() lua.LValue {
	p := d.take(1)
	if p == nil {
		return lua.LNil
	}
	c := p[0]
	switch {
	case c <= 0x7f:
		return lua.LNumber(c)
	case c >= 0xe0:
		return lua.LNumber(int8(c))
	case c >= 0xa0 && c <= 0xbf:
		return lua.LString(d.take(int(c & 0x1f)))
	case c >= 0x90 && c <= 0x9f:
		return d.array(int(c & 0x0f))
	case c >= 0x80 && c <= 0x8f:
		return d.mapOf(int(c & 0x0f))
	}
	switch c {
	case 0xc0:
		return lua.LNil
	case 0xc2:
		return lua.LFalse
	case 0xc3:
		return lua.LTrue
	case 0xcc, 0xcd, 0xce, 0xcf:
		return lua.LNumber(float64(d.uint(1 << (c - 0xcc))))
	case 0xd0:
		return lua.LNumber(int8(d.uint(1)))
	case 0xd1:
		return lua.LNumber(int16(d.uint(2)))
	case 0xd2:
		return lua.LNumber(int32(d.uint(4)))
	case 0xd3:
		return lua.LNumber(float64(int64(d.uint(8))))
	case 0xca:
		return lua.LNumber(math.Float32frombits(uint32(d.uint(4))))
	case 0xcb:
		return lua.LNumber(math.Float64frombits(d.uint(8)))
	case 0xd9:
		return lua.LString(d.take(int(d.uint(1))))
	case 0xda:
		return lua.LString(d.take(int(d.uint(2))))
	case 0xdb:
		return lua.LString(d.take(int(d.uint(4))))
	case 0xdc:
		return d.array(int(d.uint(2)))
	case 0xdd:
		return d.array(int(d.uint(4)))
	case 0xde:
		return d.mapOf(int(d.uint(2)))
	case 0xdf:
		return d.mapOf(int(d.uint(4)))
	}
	d.err = errFormat
	return lua.LNil
}

func (d *msgpackDecoder) array(n int) lua.LValue {
	t := d.L.CreateTable(min(n, len(d.b)), 0)
	for i := 1; i <= n && d.err == 0; i++ {
		if v := d.value(); v != lua.LNil {
			t.RawSetInt(i, v)
		}
	}
	return t
}

func (d *msgpackDecoder) mapOf(n int) lua.LValue {
	t := d.L.NewTable()
	for i := 0; i < n && d.err == 0; i++ {
		k, v := d.value(), d.value()
		if k != lua.LNil && d.err == 0 {
			if f, ok := k.(lua.LNumber); ok && math.IsNaN(float64(f)) {
				continue
			}
			t.RawSet(k, v)
		}
	}
	return t
}
