package client

import (
	"context"
	"crypto/sha1"
	"encoding/hex"

	"github.com/mini-redis/mini-redis/frame"
)

// Eval runs a Lua script with keys and args and returns its reply; an
// error the script raises is an Error.
func (c Commands) Eval(ctx context.Context, script string, keys []string, args ...any) *Result[frame.Frame] {
	return run(ctx, c, newResult("EVAL", frameReply, false), evalArgs("EVAL", script, keys, args)...)
}

// EvalRO is Eval for a read-only script (EVAL_RO), which the server
// refuses to run if it writes.
func (c Commands) EvalRO(ctx context.Context, script string, keys []string, args ...any) *Result[frame.Frame] {
	return run(ctx, c, newResult("EVAL_RO", frameReply, false), evalArgs("EVAL_RO", script, keys, args)...)
}

// EvalSha runs the script whose SHA1 digest is sha, as Eval does; if the
// server does not have it, the Error's Prefix is "NOSCRIPT". A Script
// falls back to Eval then.
func (c Commands) EvalSha(ctx context.Context, sha string, keys []string, args ...any) *Result[frame.Frame] {
	return run(ctx, c, newResult("EVALSHA", frameReply, false), evalArgs("EVALSHA", sha, keys, args)...)
}

// evalArgs returns the arguments of EVAL, EVALSHA, FCALL and their _RO
// forms: name, then the number of keys, the keys and the arguments.
func evalArgs(cmd, script string, keys []string, args []any) []any {
	out := make([]any, 0, 3+len(keys)+len(args))
	out = append(out, cmd, script, len(keys))
	for _, k := range keys {
		out = append(out, k)
	}
	return append(out, args...)
}

// ScriptLoad stores a script in the server's cache and returns its SHA1
// digest, for EvalSha.
func (c Commands) ScriptLoad(ctx context.Context, script string) *Result[string] {
	return run(ctx, c, newResult("SCRIPT LOAD", textReply, true), "SCRIPT", "LOAD", script)
}

// ScriptExists reports, for each SHA1 digest, whether the server's script
// cache has the script.
func (c Commands) ScriptExists(ctx context.Context, shas ...string) *Result[[]bool] {
	return run(ctx, c, newResult("SCRIPT EXISTS", boolsReply, true), withKeys("SCRIPT", append([]string{"EXISTS"}, shas...))...)
}

// boolsReply converts an array of 0s and 1s.
func boolsReply(cmd string, f frame.Frame, err error) ([]bool, error) {
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array {
		return nil, unexpected(cmd, f)
	}
	out := make([]bool, len(f.Elems))
	for i, e := range f.Elems {
		if out[i], err = boolReply(cmd, e, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ScriptFlush empties the server's script cache.
func (c Commands) ScriptFlush(ctx context.Context) *StatusResult {
	return run(ctx, c, statusResult("SCRIPT FLUSH"), "SCRIPT", "FLUSH")
}

// FCall calls the function fn, loaded with FunctionLoad, with keys and
// args, and returns its reply; an error it raises is an Error.
func (c Commands) FCall(ctx context.Context, fn string, keys []string, args ...any) *Result[frame.Frame] {
	return run(ctx, c, newResult("FCALL", frameReply, false), evalArgs("FCALL", fn, keys, args)...)
}

// FCallRO is FCall for a function declared no-writes (FCALL_RO).
func (c Commands) FCallRO(ctx context.Context, fn string, keys []string, args ...any) *Result[frame.Frame] {
	return run(ctx, c, newResult("FCALL_RO", frameReply, false), evalArgs("FCALL_RO", fn, keys, args)...)
}

// FunctionLoad loads a library of functions, whose code starts with a
// "#!lua name=..." line, and returns the library's name. replace replaces
// a library of that name; without it, one that exists is an Error.
func (c Commands) FunctionLoad(ctx context.Context, code string, replace bool) *Result[string] {
	args := []any{"FUNCTION", "LOAD"}
	if replace {
		args = append(args, "REPLACE")
	}
	return run(ctx, c, newResult("FUNCTION LOAD", textReply, true), append(args, code)...)
}

// FunctionDelete deletes the library named library and its functions.
func (c Commands) FunctionDelete(ctx context.Context, library string) *StatusResult {
	return run(ctx, c, statusResult("FUNCTION DELETE"), "FUNCTION", "DELETE", library)
}

// FunctionFlush deletes every library.
func (c Commands) FunctionFlush(ctx context.Context) *StatusResult {
	return run(ctx, c, statusResult("FUNCTION FLUSH"), "FUNCTION", "FLUSH")
}

// A Doer sends a command and returns its reply, an error reply as a
// frame: a Client or a Buffered client.
type Doer interface {
	Do(ctx context.Context, args ...any) (frame.Frame, error)
}

// A Script is a Lua script run by its SHA1 digest, so that the script
// itself is sent only when the server does not have it cached yet.
//
//	var incrBy = client.NewScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
//	...
//	f, err := incrBy.Run(ctx, c, []string{"counter"}, 5)
type Script struct {
	src  string
	hash string
}

// NewScript returns a Script of the Lua source src.
func NewScript(src string) *Script {
	h := sha1.Sum([]byte(src))
	return &Script{src: src, hash: hex.EncodeToString(h[:])}
}

// Hash returns the script's SHA1 digest, in hex, as EVALSHA takes it.
func (s *Script) Hash() string { return s.hash }

// Load stores the script in the server's cache (SCRIPT LOAD).
func (s *Script) Load(ctx context.Context, d Doer) error {
	_, err := doCall(ctx, d, "SCRIPT", "LOAD", s.src)
	return err
}

// Run runs the script with keys and args by EVALSHA and, if the server
// does not have it cached (NOSCRIPT), by EVAL, which caches it. An error
// reply is an Error.
func (s *Script) Run(ctx context.Context, d Doer, keys []string, args ...any) (frame.Frame, error) {
	return s.run(ctx, d, "EVALSHA", "EVAL", keys, args)
}

// RunRO is Run for a read-only script, by EVALSHA_RO and EVAL_RO.
func (s *Script) RunRO(ctx context.Context, d Doer, keys []string, args ...any) (frame.Frame, error) {
	return s.run(ctx, d, "EVALSHA_RO", "EVAL_RO", keys, args)
}

func (s *Script) run(ctx context.Context, d Doer, bySha, bySrc string, keys []string, args []any) (frame.Frame, error) {
	f, err := doCall(ctx, d, evalArgs(bySha, s.hash, keys, args)...)
	if e, ok := err.(Error); ok && e.Prefix() == "NOSCRIPT" {
		return doCall(ctx, d, evalArgs(bySrc, s.src, keys, args)...)
	}
	return f, err
}

// doCall is Do turning an error reply into an Error, as the typed methods
// do.
func doCall(ctx context.Context, d Doer, args ...any) (frame.Frame, error) {
	f, err := d.Do(ctx, args...)
	if err != nil {
		return f, err
	}
	if f.IsError() {
		return f, Error(f.Str)
	}
	return f, nil
}
