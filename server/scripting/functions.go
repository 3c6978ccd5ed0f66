package scripting

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	lua "github.com/yuin/gopher-lua"
)

// A Library is the code of FUNCTION LOAD and the functions it registered.
type Library struct {
	Name      string
	Code      []byte
	Functions []*Function // in the order registered
}

// A Function is one function a library registered with
// redis.register_function.
type Function struct {
	Name        string
	Description string // "" when none was given
	Flags       Flags
	Library     *Library
	fn          *lua.LFunction
}

// FlagNames returns the names of the function's flags, in Redis's order.
func (f *Function) FlagNames() []string {
	var names []string
	for _, fn := range flagNames {
		if f.Flags&fn.flag != 0 {
			names = append(names, fn.name)
		}
	}
	return names
}

// validName reports whether name is a valid library or function name:
// letters, digits and underscores, at least one.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		if !isAlnum(c) && c != '_' {
			return false
		}
	}
	return true
}

// loadTimeout bounds the run of library code (Redis's LOAD_TIMEOUT_MS).
const loadTimeout = 500 * time.Millisecond

const errBadName = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

// libraryMeta reads the shebang of library code ("#!lua name=mylib"), as
// Redis's functionExtractLibMetaData does.
func libraryMeta(code []byte) (engine, name string, n int, errText string) {
	if !bytes.HasPrefix(code, []byte("#!")) {
		return "", "", 0, "Missing library metadata"
	}
	end := bytes.IndexByte(code, '\n')
	if end < 0 {
		return "", "", 0, "Invalid library metadata"
	}
	parts, ok := frame.SplitArgs(code[:end], nil)
	if !ok || len(parts) == 0 {
		return "", "", 0, "Invalid library metadata"
	}
	engine = string(parts[0][2:])
	found := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(string(p[:5]), "name=") {
			if found {
				return "", "", 0, "Invalid metadata value, name argument was given multiple times"
			}
			name, found = string(p[5:]), true
			continue
		}
		return "", "", 0, "Invalid metadata value given: " + string(p)
	}
	if !found {
		return "", "", 0, "Library name was not given"
	}
	return engine, name, end, ""
}

// LoadLibrary runs FUNCTION LOAD: it compiles code, runs it to register its
// functions and adds the library, replacing the one of the same name when
// replace is set. The error is the reply, without its "ERR " code.
func (e *Engine) LoadLibrary(code []byte, replace bool) (string, string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	lib, errText := e.build(code, e.libs, replace)
	if errText != "" {
		return "", errText
	}
	old := e.libs[lib.Name]
	for _, f := range lib.Functions {
		if other := e.funcs[f.Name]; other != nil && other.Library != old {
			return "", "Function " + f.Name + " already exists"
		}
	}
	if old != nil {
		e.unlink(old)
	}
	e.link(lib)
	e.countLibraries()
	return lib.Name, ""
}

// build compiles library code and runs it to register its functions, as
// Redis's functionsCreateWithLibraryCtx does, without adding the library
// anywhere: libs are the libraries it is checked against, the one of the
// same name allowed only when replace is set. It holds e.mu. The error is
// a reply's text, without its "ERR " code.
func (e *Engine) build(code []byte, libs map[string]*Library, replace bool) (*Library, string) {
	engine, name, n, errText := libraryMeta(code)
	if errText != "" {
		return nil, errText
	}
	if !validName(name) {
		return nil, errBadName
	}
	if !strings.EqualFold(engine, "lua") {
		return nil, "Engine '" + engine + "' not found"
	}
	if libs[name] != nil && !replace {
		return nil, "Library '" + name + "' already exists"
	}
	src := string(code[n:])
	fn, err := e.state.Load(strings.NewReader(src), "user_function")
	if err != nil {
		return nil, "Error compiling function: " + compileError(err, src, "user_function")
	}
	fn.Env = e.env
	fn.Proto.IsVarArg &^= lua.VarArgNeedsArg
	lib := &Library{Name: name, Code: append([]byte(nil), code...)}
	e.registering = lib
	e.envMeta.RawSetString("__index", e.loadEnv)
	// Library code gets loadTimeout to register its functions, as in
	// Redis: a loop must not hold the server.
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	e.state.SetContext(ctx)
	e.state.Push(fn)
	err = e.state.PCall(0, 0, e.handler)
	timedOut := ctx.Err() != nil
	cancel()
	e.killMu.Lock()
	e.state.SetContext(e.kctx)
	e.killMu.Unlock()
	e.registering = nil
	e.envMeta.RawSetString("__index", e.globals)
	if err != nil && timedOut {
		return nil, "Error registering functions: ERR FUNCTION LOAD timeout"
	}
	if err != nil {
		msg := err.Error()
		if ae, ok := err.(*lua.ApiError); ok {
			if t, ok := ae.Object.(*lua.LTable); ok {
				msg = lua.LVAsString(t.RawGetString("err"))
			}
		}
		return nil, "Error registering functions: " + msg
	}
	if len(lib.Functions) == 0 {
		return nil, "No functions registered"
	}
	return lib, ""
}

// RestorePolicy says what FUNCTION RESTORE does with the libraries there.
type RestorePolicy int

// The policies of FUNCTION RESTORE.
const (
	RestoreAppend  RestorePolicy = iota // add the libraries; one already there is an error
	RestoreReplace                      // add them, replacing those of the same names
	RestoreFlush                        // drop every library first
)

// RestoreLibraries runs FUNCTION RESTORE, and loads the libraries of a
// dump file (with RestoreFlush): it builds a library of each code, in
// order, and adds them all as the policy says, or none. The error is a
// reply's text, without its "ERR " code: Redis's, from building one
// library (the libraries in codes must have distinct names and functions)
// or from joining them to those there ("Library x already exists",
// "Function f already exists").
func (e *Engine) RestoreLibraries(codes [][]byte, policy RestorePolicy) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	libs := make(map[string]*Library, len(codes))
	funcs := make(map[string]*Function)
	order := make([]*Library, 0, len(codes))
	for _, code := range codes {
		lib, errText := e.build(code, libs, false)
		if errText != "" {
			return errText
		}
		for _, f := range lib.Functions {
			if funcs[f.Name] != nil {
				return "Function " + f.Name + " already exists"
			}
		}
		libs[lib.Name] = lib
		for _, f := range lib.Functions {
			funcs[f.Name] = f
		}
		order = append(order, lib)
	}
	if policy == RestoreFlush {
		e.libs, e.funcs = libs, funcs
		e.countLibraries()
		return ""
	}
	// Redis's libraryJoin: libraries first, then functions, nothing
	// changed until both checks pass.
	replaced := make(map[*Library]bool)
	for _, lib := range order {
		if old := e.libs[lib.Name]; old != nil {
			if policy != RestoreReplace {
				return "Library " + lib.Name + " already exists"
			}
			replaced[old] = true
		}
	}
	for _, lib := range order {
		for _, f := range lib.Functions {
			if other := e.funcs[f.Name]; other != nil && !replaced[other.Library] {
				return "Function " + f.Name + " already exists"
			}
		}
	}
	for old := range replaced {
		e.unlink(old)
	}
	for _, lib := range order {
		e.link(lib)
	}
	e.countLibraries()
	return ""
}

// link adds a library and its functions.
func (e *Engine) link(lib *Library) {
	e.libs[lib.Name] = lib
	for _, f := range lib.Functions {
		e.funcs[f.Name] = f
	}
}

func (e *Engine) unlink(lib *Library) {
	delete(e.libs, lib.Name)
	for _, f := range lib.Functions {
		delete(e.funcs, f.Name)
	}
}

// DeleteLibrary runs FUNCTION DELETE; it reports whether the library was
// there.
func (e *Engine) DeleteLibrary(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	lib := e.libs[name]
	if lib != nil {
		e.unlink(lib)
		e.countLibraries()
	}
	return lib != nil
}

// FlushLibraries runs FUNCTION FLUSH.
func (e *Engine) FlushLibraries() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.libs)
	clear(e.funcs)
	e.countLibraries()
}

// countLibraries publishes the numbers of libraries and functions, which
// FUNCTION STATS reads while a script runs (holding mu), and the list of
// libraries Libraries returns.
func (e *Engine) countLibraries() {
	e.libCount.Store(int64(len(e.libs)))
	e.funcCount.Store(int64(len(e.funcs)))
	libs := make([]*Library, 0, len(e.libs))
	for _, l := range e.libs {
		libs = append(libs, l)
	}
	slices.SortFunc(libs, func(a, b *Library) int { return strings.Compare(a.Name, b.Name) })
	e.libList.Store(&libs)
}

// Counts returns the numbers of libraries and functions; unlike
// FunctionStats it does not wait for a script that is running.
func (e *Engine) Counts() (libraries, functions int) {
	return int(e.libCount.Load()), int(e.funcCount.Load())
}

// Libraries returns the libraries, by name. It does not wait for a
// script that is running; the slice is shared and must not be changed.
func (e *Engine) Libraries() []*Library {
	if p := e.libList.Load(); p != nil {
		return *p
	}
	return nil
}

// FunctionStats returns the numbers of libraries and functions, and an
// estimate of the memory their code takes.
func (e *Engine) FunctionStats() (libraries, functions, memory int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.libs {
		memory += len(l.Code) + len(l.Name)
		for _, f := range l.Functions {
			memory += len(f.Name) + len(f.Description) + protoSize(f.fn.Proto)
		}
	}
	return len(e.libs), len(e.funcs), memory
}

// Function returns the function called name, or nil.
func (e *Engine) Function(name string) *Function {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.funcs[name]
}

// Call runs f (FCALL): its callback gets the keys and the arguments as
// tables.
func (e *Engine) Call(f *Function, r *Run) frame.Frame {
	e.mu.Lock()
	defer e.mu.Unlock()
	L := e.state
	e.keysTable, e.argvTable = nil, nil // the function may keep them: the globals hold them
	return e.execute(f.fn, f.Name, r, stringArray(L, r.Keys, &e.keyVals), stringArray(L, r.Argv, &e.argVals))
}

// initFunctions builds the environment library code loads in: only
// redis.register_function, redis.log and the version, as in Redis 7.0.
func (e *Engine) initFunctions() {
	L := e.state
	api := L.NewTable()
	api.RawSetString("register_function", L.NewFunction(e.registerFunction))
	api.RawSetString("log", L.NewFunction(e.log))
	for name, v := range map[string]int{"LOG_DEBUG": LogDebug, "LOG_VERBOSE": LogVerbose, "LOG_NOTICE": LogNotice, "LOG_WARNING": LogWarning, "REDIS_VERSION_NUM": RedisVersionNum} {
		api.RawSetString(name, lua.LNumber(v))
	}
	api.RawSetString("REDIS_VERSION", lua.LString(RedisVersion))
	e.loadEnv = L.NewTable()
	e.raiseOnMissing(e.loadEnv)
	e.loadEnv.RawSetString("redis", e.protect(api, true))
}

// redis.register_function(name, callback) or
// redis.register_function{function_name=, callback=, flags=, description=}
func (e *Engine) registerFunction(L *lua.LState) int {
	lib := e.registering
	if lib == nil {
		return raise(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	f := &Function{Library: lib}
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			return raise(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		var errText string
		t.ForEach(func(k, v lua.LValue) {
			if errText != "" {
				return
			}
			key, _ := k.(lua.LString)
			switch key {
			case "function_name": // lua_isstring: a number is a string too
				s, ok := luaString(v)
				if !ok {
					errText = "function_name argument given to redis.register_function must be a string"
				}
				f.Name = s
			case "description":
				s, ok := luaString(v)
				if !ok {
					errText = "description argument given to redis.register_function must be a string"
				}
				f.Description = s
			case "callback":
				fn, ok := v.(*lua.LFunction)
				if !ok {
					errText = "callback argument given to redis.register_function must be a function"
				}
				f.fn = fn
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					errText = "flags argument to redis.register_function must be a table representing function flags"
					return
				}
				for i := 1; i <= ft.Len(); i++ {
					name, _ := ft.RawGetInt(i).(lua.LString)
					flag := flagByName(string(name))
					if flag == 0 {
						errText = "unknown flag given"
						return
					}
					f.Flags |= flag
				}
			default:
				errText = "unknown argument given to redis.register_function"
			}
		})
		if errText != "" {
			return raise(L, errText)
		}
		if f.Name == "" && t.RawGetString("function_name") == lua.LNil {
			return raise(L, "redis.register_function must get a function name argument")
		}
		if f.fn == nil {
			return raise(L, "redis.register_function must get a callback argument")
		}
	case 2:
		name, ok := luaString(L.Get(1))
		if !ok {
			return raise(L, "first argument to redis.register_function must be a string")
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			return raise(L, "second argument to redis.register_function must be a function")
		}
		f.Name, f.fn = name, fn
	default:
		return raise(L, "wrong number of arguments to redis.register_function")
	}
	if !validName(f.Name) {
		return raise(L, errBadName)
	}
	for _, other := range lib.Functions {
		if other.Name == f.Name {
			return raise(L, "Function already exists in the library")
		}
	}
	lib.Functions = append(lib.Functions, f)
	return 0
}
