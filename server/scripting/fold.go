package scripting

import lua "github.com/yuin/gopher-lua"

// The fields of gopher-lua's instructions: the opcode in the top 6 bits,
// then A (8 bits), C (9) and B (9); Bx is the low 18 bits, sBx is Bx less
// maxSBx. An RK operand with rkConstant set names a constant.
const (
	maxSBx     = (1<<18 - 1) >> 1
	rkConstant = 1 << 8
)

func opcode(inst uint32) int { return int(inst >> 26) }
func argA(inst uint32) int   { return int(inst>>18) & 0xff }
func argB(inst uint32) int   { return int(inst & 0x1ff) }
func argC(inst uint32) int   { return int(inst>>9) & 0x1ff }
func argBx(inst uint32) int  { return int(inst & 0x3ffff) }
func argSBx(inst uint32) int { return argBx(inst) - maxSBx }

func loadK(a, bx int) uint32 { return uint32(lua.OP_LOADK)<<26 | uint32(a)<<18 | uint32(bx) }

// foldGlobalReads rewrites the reads of globals in the main chunk of an
// EVAL script, p, into loads of constants: GETGLOBAL of a global that
// holds a readonly proxy (redis, cjson, string, ...) becomes LOADK of that
// proxy, and a GETTABLEKS of a field of the redis table right after it, on
// the register it loaded, becomes LOADK of the field's value
// (redis.call). GETGLOBAL of KEYS or ARGV becomes LOADK of a constant of
// their own, which Execute sets to the tables it sets the globals to for
// each run; keys and argv are their indexes, -1 for none. Each read costs
// two table lookups and a metatable's otherwise, at every run.
//
// The values are those every run would read: the globals a proxy stands
// for never change (scripts cannot write them, and the server sets only
// KEYS and ARGV), nor does the redis table, which only its proxy
// reaches (pairs hands out the proxy too; the chunks loadstring makes run
// in the readonly environment). Only the main chunk is folded:
// it runs only as the script, in the globals of EVAL, while a function it
// defines could be kept and called where the globals are others (library
// code at FUNCTION LOAD reads redis from its own API). A field read is
// folded only where nothing but the GETGLOBAL before it leads to it, so
// that the register it reads holds the proxy.
func (e *Engine) foldGlobalReads(p *lua.FunctionProto) (keys, argv int) {
	keys, argv = -1, -1
	code := p.Code
	// data marks the words that are operands of the instruction before
	// them, never run; entered marks the instructions a jump or skip
	// leads to, besides the one before them.
	data := make([]bool, len(code)+2)
	entered := make([]bool, len(code)+2)
	enter := func(pc int) {
		if pc >= 0 && pc < len(entered) {
			entered[pc] = true
		}
	}
	for pc := 0; pc < len(code); pc++ {
		inst := code[pc]
		skip := 0
		switch opcode(inst) {
		case lua.OP_JMP, lua.OP_FORLOOP, lua.OP_FORPREP:
			enter(pc + 1 + argSBx(inst))
		case lua.OP_LOADBOOL:
			if argC(inst) != 0 {
				enter(pc + 2)
			}
		case lua.OP_EQ, lua.OP_LT, lua.OP_LE, lua.OP_TEST, lua.OP_TESTSET, lua.OP_TFORLOOP:
			enter(pc + 2)
		case lua.OP_MOVEN:
			skip = argC(inst) // the MOVEs it runs itself
		case lua.OP_CLOSURE:
			if bx := argBx(inst); bx < len(p.FunctionPrototypes) {
				skip = int(p.FunctionPrototypes[bx].NumUpvalues) // the upvalues' pseudo-instructions
			}
		case lua.OP_SETLIST:
			if argC(inst) == 0 {
				skip = 1 // the block number
			}
		}
		for i := 1; i <= skip && pc+i < len(code); i++ {
			data[pc+i] = true
		}
		pc += skip
	}
	globals := e.globals
	for pc, inst := range code {
		if data[pc] || opcode(inst) != lua.OP_GETGLOBAL {
			continue
		}
		name, ok := p.Constants[argBx(inst)].(lua.LString)
		if !ok {
			continue
		}
		if name == "KEYS" || name == "ARGV" {
			slot := &keys
			if name == "ARGV" {
				slot = &argv
			}
			if *slot < 0 {
				if len(p.Constants) > 1<<18-1 {
					continue
				}
				// A constant of its own, never shared: its value changes.
				p.Constants = append(p.Constants, lua.LNil)
				*slot = len(p.Constants) - 1
			}
			code[pc] = loadK(argA(inst), *slot)
			continue
		}
		proxy, ok := globals.RawGetString(string(name)).(*lua.LTable)
		if !ok || e.readonly[proxy] == nil {
			continue
		}
		a := argA(inst)
		k := e.constant(p, proxy)
		if k < 0 {
			return keys, argv
		}
		code[pc] = loadK(a, k)
		next := pc + 1
		if next >= len(code) || data[next] || entered[next] || name != "redis" {
			continue
		}
		field := code[next]
		if opcode(field) != lua.OP_GETTABLEKS || argB(field) != a || argC(field)&rkConstant == 0 {
			continue
		}
		key, ok := p.Constants[argC(field)&^rkConstant].(lua.LString)
		if !ok {
			continue
		}
		v := e.readonly[proxy].RawGetString(string(key))
		if v == lua.LNil {
			continue
		}
		if k = e.constant(p, v); k < 0 {
			return keys, argv
		}
		code[next] = loadK(argA(field), k)
	}
	return keys, argv
}

// constant returns the index of v among p's constants, added if need be,
// or -1 if there is no room for it in a LOADK. v is never nil: the
// constants of KEYS and ARGV are nil until a run sets them.
func (e *Engine) constant(p *lua.FunctionProto, v lua.LValue) int {
	for i, c := range p.Constants {
		if c == v {
			return i
		}
	}
	if len(p.Constants) > 1<<18-1 {
		return -1
	}
	p.Constants = append(p.Constants, v)
	return len(p.Constants) - 1
}
