package scripting

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// bitLib builds the bit table of Lua BitOp, which Redis loads: bitwise
// operations on numbers taken as 32-bit integers.
func bitLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	unary := func(f func(int32) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			L.Push(lua.LNumber(f(bitArg(L, 1))))
			return 1
		}
	}
	fold := func(f func(a, b int32) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			r := bitArg(L, 1)
			for i := 2; i <= L.GetTop(); i++ {
				r = f(r, bitArg(L, i))
			}
			L.Push(lua.LNumber(r))
			return 1
		}
	}
	shift := func(f func(x int32, n uint) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			x, n := bitArg(L, 1), uint(bitArg(L, 2))&31
			L.Push(lua.LNumber(f(x, n)))
			return 1
		}
	}
	L.SetFuncs(t, map[string]lua.LGFunction{
		"tobit": unary(func(x int32) int32 { return x }),
		"bnot":  unary(func(x int32) int32 { return ^x }),
		"bswap": unary(func(x int32) int32 {
			u := uint32(x)
			return int32(u>>24 | u>>8&0xff00 | u<<8&0xff0000 | u<<24)
		}),
		"band":    fold(func(a, b int32) int32 { return a & b }),
		"bor":     fold(func(a, b int32) int32 { return a | b }),
		"bxor":    fold(func(a, b int32) int32 { return a ^ b }),
		"lshift":  shift(func(x int32, n uint) int32 { return int32(uint32(x) << n) }),
		"rshift":  shift(func(x int32, n uint) int32 { return int32(uint32(x) >> n) }),
		"arshift": shift(func(x int32, n uint) int32 { return x >> n }),
		"rol":     shift(func(x int32, n uint) int32 { u := uint32(x); return int32(u<<n | u>>(32-n)) }),
		"ror":     shift(func(x int32, n uint) int32 { u := uint32(x); return int32(u>>n | u<<(32-n)) }),
		"tohex": func(L *lua.LState) int {
			x := bitArg(L, 1)
			n := int32(8)
			if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
				n = bitArg(L, 2)
			}
			digits := "0123456789abcdef"
			if n < 0 {
				n, digits = -n, "0123456789ABCDEF"
			}
			if n > 8 {
				n = 8
			}
			buf := make([]byte, n)
			u := uint32(x)
			for i := n - 1; i >= 0; i-- {
				buf[i] = digits[u&15]
				u >>= 4
			}
			L.Push(lua.LString(buf))
			return 1
		},
	})
	return t
}

// bitArg converts argument i as BitOp does: the number modulo 2^32, by
// adding 2^52+2^51 and taking the low word of the double.
func bitArg(L *lua.LState, i int) int32 {
	v := L.Get(i)
	n, ok := v.(lua.LNumber)
	if !ok {
		if s, isStr := v.(lua.LString); isStr {
			var f float64
			if _, err := fmt.Sscan(string(s), &f); err == nil {
				n, ok = lua.LNumber(f), true
			}
		}
	}
	if !ok {
		L.ArgError(i, "number expected, got "+v.Type().String())
	}
	b := math.Float64bits(float64(n) + 6755399441055744.0)
	return int32(uint32(b))
}
