package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// TestScripting checks scripts, the Script helper and functions on every
// target.
func TestScripting(t *testing.T) {
	ts := targets(t)
	const lib = "#!lua name=lib\n" +
		"redis.register_function('incr', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)\n" +
		"redis.register_function{function_name='get', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}\n"
	var e Error
	tests := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, c *Client)
	}{
		{"Script falls back to EVAL", func(t *testing.T, ctx context.Context, c *Client) {
			s := NewScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
			eq(t, "Hash", s.Hash(), "8cd00688c05c46bde4a2e60658ef20a2e5c0b248")
			eq(t, "not cached", must(c.ScriptExists(ctx, s.Hash()))(t), []bool{false})
			f := must(s.Run(ctx, c, []string{"n"}, 5))(t)
			eq(t, "Run by EVAL", f.Int, int64(5))
			eq(t, "cached by EVAL", must(c.ScriptExists(ctx, s.Hash(), "0000000000000000000000000000000000000000"))(t), []bool{true, false})
			f = must(s.Run(ctx, c, []string{"n"}, 2))(t)
			eq(t, "Run by EVALSHA", f.Int, int64(7))

			noErr(t, c.ScriptFlush(ctx))
			noErr(t, s.Load(ctx, c))
			eq(t, "Load", must(c.ScriptExists(ctx, s.Hash()))(t), []bool{true})
			eq(t, "ScriptLoad returns Hash", must(c.ScriptLoad(ctx, "return redis.call('INCRBY', KEYS[1], ARGV[1])"))(t), s.Hash())

			ro := NewScript("return redis.call('GET', KEYS[1])")
			eq(t, "RunRO", must(ro.RunRO(ctx, c, []string{"n"}))(t).Text(), "7")
			_, err := NewScript("return redis.call('SET', KEYS[1], 'x')").RunRO(ctx, c, []string{"n"})
			eq(t, "RunRO of a write", errors.As(err, &e) && e.Prefix() == "ERR", true)

			// A Buffered client is a Doer too.
			b, err := NewBuffered(ctx, c.Addr(), WithProtocol(c.Protocol()))
			noErr(t, err)
			defer b.Close()
			noErr(t, c.ScriptFlush(ctx))
			eq(t, "Run through Buffered", must(s.Run(ctx, b, []string{"n"}, 1))(t).Int, int64(8))

			_, err = NewScript("return redis.error_reply('MY oops')").Run(ctx, c, nil)
			eq(t, "script error", errors.As(err, &e) && e == "MY oops", true)
			_, err = s.Run(ctx, c, []string{"n"}, "not a number")
			eq(t, "error in a cached script", errors.As(err, &e) && e.Prefix() == "ERR", true)
		}},
		{"Eval and EvalRO", func(t *testing.T, ctx context.Context, c *Client) {
			f := must(c.Eval(ctx, "return {KEYS[1], ARGV[1], 7}", []string{"k"}, "a"))(t)
			eq(t, "Eval", f.String(), frame.NewArray(frame.NewBulkString("k"), frame.NewBulkString("a"), frame.NewInteger(7)).String())
			f = must(c.Eval(ctx, "return redis.call('GET', KEYS[1])", []string{"nope"}))(t)
			eq(t, "Eval of a nil", f.IsNull(), true)
			noErr(t, c.Set(ctx, "k", "v", 0))
			eq(t, "EvalRO", must(c.EvalRO(ctx, "return redis.call('GET', KEYS[1])", []string{"k"}))(t).Text(), "v")
			_, err := c.EvalRO(ctx, "return redis.call('DEL', KEYS[1])", []string{"k"})
			eq(t, "EvalRO of a write", errors.As(err, &e) && e.Prefix() == "ERR", true)
			_, err = c.Eval(ctx, "return redis.call('LPUSH', KEYS[1], 'x')", []string{"k"})
			eq(t, "WRONGTYPE from a script", errors.As(err, &e) && e.Prefix() == "WRONGTYPE", true)
			_, err = c.EvalSha(ctx, "0000000000000000000000000000000000000000", nil)
			eq(t, "NOSCRIPT", errors.As(err, &e) && e.Prefix() == "NOSCRIPT", true)
		}},
		{"functions", func(t *testing.T, ctx context.Context, c *Client) {
			noErr(t, c.FunctionFlush(ctx))
			eq(t, "FunctionLoad", must(c.FunctionLoad(ctx, lib, false))(t), "lib")
			_, err := c.FunctionLoad(ctx, lib, false)
			eq(t, "FunctionLoad again", errors.As(err, &e) && e == "ERR Library 'lib' already exists", true)
			eq(t, "FunctionLoad REPLACE", must(c.FunctionLoad(ctx, lib, true))(t), "lib")
			eq(t, "FCall", must(c.FCall(ctx, "incr", []string{"n"}, 3))(t).Int, int64(3))
			eq(t, "FCallRO", must(c.FCallRO(ctx, "get", []string{"n"}))(t).Text(), "3")
			_, err = c.FCallRO(ctx, "incr", []string{"n"}, 1)
			eq(t, "FCallRO of a writing function", errors.As(err, &e) && e.Prefix() == "ERR", true)
			_, err = c.FCall(ctx, "nope", nil)
			eq(t, "unknown function", errors.As(err, &e) && e == "ERR Function not found", true)
			noErr(t, c.FunctionDelete(ctx, "lib"))
			err = c.FunctionDelete(ctx, "lib")
			eq(t, "FunctionDelete missing", errors.As(err, &e) && e == "ERR Library not found", true)
		}},
	}
	eachTarget(t, ts, func(t *testing.T, tg target, c *Client) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				noErr(t, c.FlushDB(ctx))
				noErr(t, c.ScriptFlush(ctx))
				tt.run(t, ctx, c)
			})
		}
	})
}
