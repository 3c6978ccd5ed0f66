package client

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// TestCommands runs each typed method against every target and checks
// the same results on all of them.
func TestCommands(t *testing.T) {
	ts := targets(t)
	tests := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, c *Client)
	}{
		{"strings", func(t *testing.T, ctx context.Context, c *Client) {
			_, err := c.Get(ctx, "s")
			eq(t, "Get missing is Nil", errors.Is(err, Nil), true)
			if err := c.Set(ctx, "s", "v", 0); err != nil {
				t.Fatal(err)
			}
			eq(t, "Get", string(must(c.Get(ctx, "s"))(t)), "v")
			eq(t, "SetNX existing", must(c.SetNX(ctx, "s", "w", 0))(t), false)
			eq(t, "SetArgs XX", must(c.SetArgs(ctx, "s", []byte("w"), SetOptions{XX: true, TTL: time.Minute}))(t), true)
			ttl := must(c.TTL(ctx, "s"))(t)
			eq(t, "TTL within a minute", ttl > 50*time.Second && ttl <= time.Minute, true)
			eq(t, "Incr", must(c.Incr(ctx, "n"))(t), int64(1))
			eq(t, "IncrBy", must(c.IncrBy(ctx, "n", 41))(t), int64(42))
			eq(t, "Decr", must(c.Decr(ctx, "n"))(t), int64(41))
			eq(t, "IncrByFloat", must(c.IncrByFloat(ctx, "f", 1.5))(t), 1.5)
			eq(t, "Append", must(c.Append(ctx, "s", "xyz"))(t), int64(4))
			eq(t, "StrLen", must(c.StrLen(ctx, "s"))(t), int64(4))
			if err := c.MSet(ctx, "a", 1, "b", 2.5); err != nil {
				t.Fatal(err)
			}
			eq(t, "MGet", must(c.MGet(ctx, "a", "missing", "b"))(t), [][]byte{[]byte("1"), nil, []byte("2.5")})
			eq(t, "GetDel", string(must(c.GetDel(ctx, "a"))(t)), "1")
			eq(t, "Del", must(c.Del(ctx, "a", "b", "s"))(t), int64(2))
		}},
		{"keys", func(t *testing.T, ctx context.Context, c *Client) {
			noErr(t, c.Set(ctx, "k", "v", 0))
			eq(t, "Exists", must(c.Exists(ctx, "k", "k", "nope"))(t), int64(2))
			eq(t, "TTL no expiry", must(c.TTL(ctx, "k"))(t), NoExpiry)
			_, err := c.TTL(ctx, "nope")
			eq(t, "TTL missing is Nil", errors.Is(err, Nil), true)
			eq(t, "Expire", must(c.Expire(ctx, "k", time.Hour))(t), true)
			eq(t, "Expire missing", must(c.Expire(ctx, "nope", time.Hour))(t), false)
			eq(t, "Persist", must(c.Persist(ctx, "k"))(t), true)
			eq(t, "ExpireAt", must(c.ExpireAt(ctx, "k", time.Now().Add(time.Hour)))(t), true)
			eq(t, "Type", must(c.Type(ctx, "k"))(t), "string")
			eq(t, "Type missing", must(c.Type(ctx, "nope"))(t), "none")
			noErr(t, c.Rename(ctx, "k", "k2"))
			eq(t, "Keys", must(c.Keys(ctx, "k*"))(t), []string{"k2"})
			err = c.Rename(ctx, "nope", "x")
			var e Error
			eq(t, "Rename missing", errors.As(err, &e) && e == "ERR no such key", true)
		}},
		{"lists", func(t *testing.T, ctx context.Context, c *Client) {
			eq(t, "RPush", must(c.RPush(ctx, "l", "b", "c"))(t), int64(2))
			eq(t, "LPush", must(c.LPush(ctx, "l", "a"))(t), int64(3))
			eq(t, "LRange", must(c.LRange(ctx, "l", 0, -1))(t), []string{"a", "b", "c"})
			eq(t, "LLen", must(c.LLen(ctx, "l"))(t), int64(3))
			eq(t, "LPop", string(must(c.LPop(ctx, "l"))(t)), "a")
			eq(t, "RPop", string(must(c.RPop(ctx, "l"))(t)), "c")
			k, v, err := c.BLPop(ctx, time.Second, "empty", "l")
			eq(t, "BLPop", []any{k, string(v), err}, []any{"l", "b", error(nil)})
			_, _, err = c.BLPop(ctx, 50*time.Millisecond, "l")
			eq(t, "BLPop timeout is Nil", errors.Is(err, Nil), true)
			_, err = c.LPop(ctx, "l")
			eq(t, "LPop empty is Nil", errors.Is(err, Nil), true)
		}},
		{"blpop woken by a push", func(t *testing.T, ctx context.Context, c *Client) {
			other, err := Dial(ctx, c.Addr(), WithProtocol(c.Protocol()))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			go func() {
				time.Sleep(100 * time.Millisecond)
				other.RPush(ctx, "q", "job")
			}()
			k, v, err := c.BRPop(ctx, 0, "q")
			eq(t, "BRPop", []any{k, string(v), err}, []any{"q", "job", error(nil)})
		}},
		{"hashes", func(t *testing.T, ctx context.Context, c *Client) {
			eq(t, "HSet", must(c.HSet(ctx, "h", "f1", "v1", "f2", 2))(t), int64(2))
			eq(t, "HGet", string(must(c.HGet(ctx, "h", "f1"))(t)), "v1")
			_, err := c.HGet(ctx, "h", "nope")
			eq(t, "HGet missing is Nil", errors.Is(err, Nil), true)
			eq(t, "HGetAll", must(c.HGetAll(ctx, "h"))(t), map[string]string{"f1": "v1", "f2": "2"})
			eq(t, "HGetAll missing", must(c.HGetAll(ctx, "nope"))(t), map[string]string{})
			eq(t, "HIncrBy", must(c.HIncrBy(ctx, "h", "f2", 3))(t), int64(5))
			eq(t, "HLen", must(c.HLen(ctx, "h"))(t), int64(2))
			eq(t, "HDel", must(c.HDel(ctx, "h", "f1", "nope"))(t), int64(1))
		}},
		{"sets", func(t *testing.T, ctx context.Context, c *Client) {
			eq(t, "SAdd", must(c.SAdd(ctx, "s", "a", "b", "a", 3))(t), int64(3))
			m := must(c.SMembers(ctx, "s"))(t)
			sort.Strings(m)
			eq(t, "SMembers", m, []string{"3", "a", "b"})
			eq(t, "SIsMember", must(c.SIsMember(ctx, "s", "a"))(t), true)
			eq(t, "SIsMember not", must(c.SIsMember(ctx, "s", "z"))(t), false)
			eq(t, "SRem", must(c.SRem(ctx, "s", "a", "z"))(t), int64(1))
			eq(t, "SCard", must(c.SCard(ctx, "s"))(t), int64(2))
		}},
		{"sorted sets", func(t *testing.T, ctx context.Context, c *Client) {
			eq(t, "ZAdd", must(c.ZAdd(ctx, "z", Z{1, "a"}, Z{2.5, "b"}, Z{-1, "c"}))(t), int64(3))
			eq(t, "ZRange", must(c.ZRange(ctx, "z", 0, -1))(t), []string{"c", "a", "b"})
			eq(t, "ZRangeWithScores", must(c.ZRangeWithScores(ctx, "z", 0, 1))(t), []Z{{-1, "c"}, {1, "a"}})
			eq(t, "ZScore", must(c.ZScore(ctx, "z", "b"))(t), 2.5)
			_, err := c.ZScore(ctx, "z", "nope")
			eq(t, "ZScore missing is Nil", errors.Is(err, Nil), true)
			eq(t, "ZIncrBy", must(c.ZIncrBy(ctx, "z", 0.5, "a"))(t), 1.5)
			eq(t, "ZRem", must(c.ZRem(ctx, "z", "a"))(t), int64(1))
			eq(t, "ZCard", must(c.ZCard(ctx, "z"))(t), int64(2))
			eq(t, "ZRangeWithScores empty", must(c.ZRangeWithScores(ctx, "nope", 0, -1))(t), []Z(nil))
		}},
		{"streams", func(t *testing.T, ctx context.Context, c *Client) {
			eq(t, "XAdd", must(c.XAdd(ctx, "x", "1-1", "f", "v", "n", 1))(t), "1-1")
			id := must(c.XAdd(ctx, "x", "*", "g", "w"))(t)
			eq(t, "XLen", must(c.XLen(ctx, "x"))(t), int64(2))
			eq(t, "XRange", must(c.XRange(ctx, "x", "-", "+"))(t), []XMessage{
				{ID: "1-1", Fields: []string{"f", "v", "n", "1"}},
				{ID: id, Fields: []string{"g", "w"}},
			})
			_, err := c.XAdd(ctx, "x", "1-1", "f", "v")
			var e Error
			eq(t, "XAdd of a smaller ID", errors.As(err, &e) && e.Prefix() == "ERR", true)
		}},
		{"scripts", func(t *testing.T, ctx context.Context, c *Client) {
			f := must(c.Eval(ctx, "return {KEYS[1], ARGV[1], 7}", []string{"k"}, "a"))(t)
			eq(t, "Eval", f.String(), frame.NewArray(frame.NewBulkString("k"), frame.NewBulkString("a"), frame.NewInteger(7)).String())
			sha := must(c.ScriptLoad(ctx, "return redis.call('INCR', KEYS[1])"))(t)
			f = must(c.EvalSha(ctx, sha, []string{"counter"}))(t)
			eq(t, "EvalSha", f.Int, int64(1))
			_, err := c.EvalSha(ctx, "0000000000000000000000000000000000000000", nil)
			var e Error
			eq(t, "EvalSha unknown is NOSCRIPT", errors.As(err, &e) && e.Prefix() == "NOSCRIPT", true)
		}},
		{"errors", func(t *testing.T, ctx context.Context, c *Client) {
			must(c.LPush(ctx, "list", "x"))(t)
			_, err := c.Get(ctx, "list")
			var e Error
			if !errors.As(err, &e) {
				t.Fatalf("Get of a list: %v, want an Error", err)
			}
			eq(t, "Prefix", e.Prefix(), "WRONGTYPE")
			eq(t, "Error", e.Error(), "WRONGTYPE Operation against a key holding the wrong kind of value")
			f := must(c.Do(ctx, "NOSUCHCOMMAND"))(t)
			eq(t, "Do returns an error reply as a frame", f.IsError(), true)
			_, err = c.Do(ctx, "SET", struct{}{})
			eq(t, "unsupported argument refused", err != nil, true)
			if err := c.Ping(ctx); err != nil {
				t.Errorf("Ping after a refused argument: %v", err)
			}
		}},
		{"arguments", func(t *testing.T, ctx context.Context, c *Client) {
			for _, a := range []struct {
				arg  any
				want string
			}{
				{"s", "s"}, {[]byte("b"), "b"}, {-7, "-7"}, {int8(-8), "-8"}, {uint64(1 << 63), "9223372036854775808"},
				{1.25, "1.25"}, {float32(0.5), "0.5"}, {true, "1"}, {false, "0"},
			} {
				f := must(c.Do(ctx, "ECHO", a.arg))(t)
				eq(t, "ECHO", f.Text(), a.want)
			}
		}},
		{"pipeline", func(t *testing.T, ctx context.Context, c *Client) {
			p := c.Pipeline()
			for i := range 100 {
				p.Do("RPUSH", "pl", i)
			}
			p.Do("LPOP", "nope")
			p.Do("GET", "pl") // WRONGTYPE
			eq(t, "Len", p.Len(), 102)
			replies := must(p.Exec(ctx))(t)
			eq(t, "replies", len(replies), 102)
			eq(t, "last RPUSH", replies[99].Int, int64(100))
			eq(t, "LPOP nil", replies[100].IsNull(), true)
			eq(t, "GET error", replies[101].IsError(), true)
			eq(t, "Len after Exec", p.Len(), 0)
			eq(t, "empty Exec", len(must(p.Exec(ctx))(t)), 0)
		}},
	}
	eachTarget(t, ts, func(t *testing.T, tg target, c *Client) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := c.FlushDB(ctx); err != nil {
					t.Fatal(err)
				}
				tt.run(t, ctx, c)
			})
		}
	})
}
