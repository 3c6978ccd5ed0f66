package client

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every command of Commands has its Immediate counterpart, with the same
// arguments, returning the Result's value and an error (a status command
// only the error; BLPop, BRPop, the SCAN steps and XAutoClaim the parts of
// their value apart).
func TestImmediateMatchesCommands(t *testing.T) {
	spread := map[reflect.Type]bool{
		reflect.TypeFor[KeyValue]():        true,
		reflect.TypeFor[ScanPage]():        true,
		reflect.TypeFor[XAutoClaimed]():    true,
		reflect.TypeFor[XAutoClaimedIDs](): true,
	}
	ct, it := reflect.TypeFor[Commands](), reflect.TypeFor[Immediate]()
	if ct.NumMethod() < 60 {
		t.Fatalf("Commands has %d methods, want the whole command list", ct.NumMethod())
	}
	errType := reflect.TypeFor[error]()
	for i := range ct.NumMethod() {
		cm := ct.Method(i)
		im, ok := it.MethodByName(cm.Name)
		if !ok {
			t.Errorf("Immediate has no %s", cm.Name)
			continue
		}
		cf, imf := cm.Type, im.Type
		if cf.NumIn() != imf.NumIn() || cf.IsVariadic() != imf.IsVariadic() {
			t.Errorf("%s: arguments differ: %v, %v", cm.Name, cf, imf)
			continue
		}
		for j := 1; j < cf.NumIn(); j++ {
			if cf.In(j) != imf.In(j) {
				t.Errorf("%s: argument %d is %v, want %v", cm.Name, j, imf.In(j), cf.In(j))
			}
		}
		val, _ := cf.Out(0).MethodByName("Val")
		want := []reflect.Type{val.Type.Out(0), errType}
		switch {
		case cf.Out(0) == reflect.TypeFor[*StatusResult]() && imf.NumOut() == 1:
			want = want[1:] // a status: only its error (Type returns its text)
		case spread[val.Type.Out(0)]:
			// A value of several parts: each part, then the error.
			want = want[1:]
			for j := val.Type.Out(0).NumField() - 1; j >= 0; j-- {
				want = append([]reflect.Type{val.Type.Out(0).Field(j).Type}, want...)
			}
		}
		var got []reflect.Type
		for j := range imf.NumOut() {
			got = append(got, imf.Out(j))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Immediate.%s returns %v, want %v", cm.Name, got, want)
		}
	}
}

// A pipeline's typed commands have no result before Flush and their
// typed results after it; error replies are Errors with their prefix,
// a missing key is Nil.
func TestPipelineTypedResults(t *testing.T) {
	ctx := context.Background()
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		for _, flush := range []string{"Flush", "Exec"} {
			t.Run(flush, func(t *testing.T) {
				noErr(t, c.FlushDB(ctx))
				p := c.Pipeline()
				set := p.Set(ctx, "k", "v", 0)
				get := p.Get(ctx, "k")
				missing := p.Get(ctx, "nope")
				incr := p.IncrBy(ctx, "n", 41)
				incr2 := p.Incr(ctx, "n")
				wrong := p.LPush(ctx, "k", "x")
				hset := p.HSet(ctx, "h", "f", "1", "g", "2")
				hall := p.HGetAll(ctx, "h")
				zadd := p.ZAdd(ctx, "z", Z{1.5, "a"}, Z{2, "b"})
				zr := p.ZRangeWithScores(ctx, "z", 0, -1)
				ttl := p.TTL(ctx, "k")
				typ := p.Type(ctx, "h")
				raw := p.Do("ECHO", "hi")
				if err := get.Err(); !errors.Is(err, ErrPending) {
					t.Fatalf("Err before %s = %v, want ErrPending", flush, err)
				}
				eq(t, "Len", p.Len(), 13)
				if flush == "Flush" {
					noErr(t, p.Flush(ctx))
				} else {
					replies := must(p.Exec(ctx))(t)
					eq(t, "len(replies)", len(replies), 13)
					eq(t, "replies[1]", replies[1].Text(), "v")
					if !replies[5].IsError() {
						t.Errorf("Exec's LPUSH reply %v, want an error frame", replies[5])
					}
				}
				eq(t, "Len after", p.Len(), 0)
				eq(t, "SET", must(set.Result())(t), "OK")
				eq(t, "GET", string(must(get.Result())(t)), "v")
				if _, err := missing.Result(); !errors.Is(err, Nil) {
					t.Errorf("GET of a missing key: %v, want Nil", err)
				}
				eq(t, "INCRBY", must(incr.Result())(t), int64(41))
				eq(t, "INCR", incr2.Val(), int64(42))
				var e Error
				if err := wrong.Err(); !errors.As(err, &e) || e.Prefix() != "WRONGTYPE" {
					t.Errorf("LPUSH on a string: %v, want a WRONGTYPE Error", err)
				}
				eq(t, "HSET", hset.Val(), int64(2))
				eq(t, "HGETALL", must(hall.Result())(t), map[string]string{"f": "1", "g": "2"})
				eq(t, "ZADD", zadd.Val(), int64(2))
				eq(t, "ZRANGE WITHSCORES", must(zr.Result())(t), []Z{{1.5, "a"}, {2, "b"}})
				eq(t, "TTL", must(ttl.Result())(t), NoExpiry)
				eq(t, "TYPE", must(typ.Result())(t), "hash")
				eq(t, "ECHO", must(raw.Result())(t).Text(), "hi")
				// The pipeline is reusable.
				again := p.Get(ctx, "k")
				noErr(t, p.Flush(ctx))
				eq(t, "GET again", string(again.Val()), "v")
			})
		}
	})
}

// A command that cannot be encoded fails at once, and fails the Exec
// without sending anything.
func TestPipelineQueueError(t *testing.T) {
	ctx := context.Background()
	eachTarget(t, targets(t)[:1], func(t *testing.T, tg target, c *Client) {
		p := c.Pipeline()
		set := p.Set(ctx, "k", "v", 0)
		bad := p.Set(ctx, "k2", struct{}{}, 0)
		if err := bad.Err(); err == nil || !strings.Contains(err.Error(), "unsupported type") {
			t.Errorf("Set of a struct: %v, want an unsupported-type error", err)
		}
		if err := p.Flush(ctx); err == nil {
			t.Fatal("Flush with an unencodable command succeeded")
		}
		if set.Err() == nil {
			t.Error("the other command's result has no error")
		}
		if _, err := c.Get(ctx, "k"); !errors.Is(err, Nil) {
			t.Errorf("GET k after the failed Flush: %v, want Nil (nothing sent)", err)
		}
	})
}

// A transaction's queued typed commands get their results from EXEC; a
// transaction that did not run gives each its error.
func TestTxTypedResults(t *testing.T) {
	ctx := context.Background()
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		noErr(t, c.Set(ctx, "balance", 10, 0))
		var set *StatusResult
		var incr *IntResult
		var get *StringResult
		var wrong *IntResult
		replies := must(c.Watch(ctx, func(tx *Tx) error {
			n, err := tx.Get(ctx, "balance") // at once
			if err != nil {
				return err
			}
			q := tx.Queued()
			set = q.Set(ctx, "balance", string(n)+"0", 0)
			incr = q.Incr(ctx, "balance")
			get = q.Get(ctx, "balance")
			wrong = q.LPush(ctx, "balance", "x")
			if err := incr.Err(); !errors.Is(err, ErrPending) {
				t.Errorf("queued Err = %v, want ErrPending", err)
			}
			return nil
		}, "balance"))(t)
		eq(t, "len(replies)", len(replies), 4)
		eq(t, "SET", set.Val(), "OK")
		eq(t, "INCR", must(incr.Result())(t), int64(101))
		eq(t, "GET", string(get.Val()), "101")
		var e Error
		if err := wrong.Err(); !errors.As(err, &e) || e.Prefix() != "WRONGTYPE" {
			t.Errorf("queued LPUSH on a string: %v, want WRONGTYPE", err)
		}

		// A watched key changed by another client: EXEC does not run.
		other := tg.dial(t)
		var lost *IntResult
		_, err := c.Watch(ctx, func(tx *Tx) error {
			noErr(t, other.Set(ctx, "balance", 0, 0))
			lost = tx.Queued().Incr(ctx, "balance")
			return nil
		}, "balance")
		if !errors.Is(err, ErrTxFailed) || !errors.Is(lost.Err(), ErrTxFailed) {
			t.Errorf("Watch after a change: %v, result %v; want ErrTxFailed for both", err, lost.Err())
		}

		// A command refused when queued aborts the transaction: it has its
		// own error, the others EXECABORT.
		var ok *IntResult
		var bad *FrameResult
		_, err = c.Multi(ctx, func(tx *Tx) error {
			ok = tx.Queued().Incr(ctx, "balance")
			bad = tx.Queue("SET", "k")
			return nil
		})
		if !errors.As(err, &e) || e.Prefix() != "EXECABORT" {
			t.Errorf("Multi with a bad command: %v, want EXECABORT", err)
		}
		if !errors.As(ok.Err(), &e) || e.Prefix() != "EXECABORT" {
			t.Errorf("the good command's result: %v, want EXECABORT", ok.Err())
		}
		if !errors.As(bad.Err(), &e) || e.Prefix() != "ERR" || !strings.Contains(string(e), "wrong number of arguments") {
			t.Errorf("the bad command's result: %v, want its arity error", bad.Err())
		}
		eq(t, "balance untouched", string(must(c.Get(ctx, "balance"))(t)), "0")
	})
}

// Pool and Buffered have the typed methods of a Client.
func TestPoolAndBufferedTyped(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		pool := NewPool(tg.addr, WithProtocol(tg.protocol), WithPoolSize(2))
		defer pool.Close()
		buf, err := NewBuffered(ctx, tg.addr, WithProtocol(tg.protocol))
		noErr(t, err)
		defer buf.Close()
		for _, d := range []struct {
			name string
			Immediate
		}{{"Pool", pool.Immediate}, {"Buffered", buf.Immediate}} {
			t.Run(d.name, func(t *testing.T) {
				key := "typed:" + d.name
				noErr(t, d.Set(ctx, key, "v", time.Minute))
				eq(t, "GET", string(must(d.Get(ctx, key))(t)), "v")
				if ttl := must(d.TTL(ctx, key))(t); ttl <= 0 || ttl > time.Minute {
					t.Errorf("TTL = %v, want within a minute", ttl)
				}
				if _, err := d.Get(ctx, key+":missing"); !errors.Is(err, Nil) {
					t.Errorf("GET missing: %v, want Nil", err)
				}
				var e Error
				if _, err := d.Incr(ctx, key); !errors.As(err, &e) || e.Prefix() != "ERR" {
					t.Errorf("INCR of a non-number: %v, want an ERR Error", err)
				}
				eq(t, "RPUSH", must(d.RPush(ctx, key+":l", "a", "b"))(t), int64(2))
				k, v, err := d.BLPop(ctx, time.Second, key+":l")
				noErr(t, err)
				eq(t, "BLPOP", k+"="+string(v), key+":l=a")
			})
		}
	})
}

// XGROUP CREATE and SETID take ENTRIESREAD, which XINFO GROUPS reports.
func TestXGroupEntriesRead(t *testing.T) {
	ctx := context.Background()
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		for _, id := range []string{"1-0", "2-0", "3-0"} {
			must(c.XAdd(ctx, "s", id, "f", "v"))(t)
		}
		two := int64(2)
		for _, tc := range []struct {
			group       string
			opts        XGroupCreateOptions
			entriesRead int64
			lag         int64
		}{
			{"plain", XGroupCreateOptions{}, -1, -1},
			{"read2", XGroupCreateOptions{EntriesRead: &two}, 2, 1},
		} {
			noErr(t, c.XGroupCreateArgs(ctx, "s", tc.group, "2-0", tc.opts))
			g := groupInfo(t, c, "s", tc.group)
			eq(t, tc.group+" entries-read", g.EntriesRead, tc.entriesRead)
			if tc.lag >= 0 {
				eq(t, tc.group+" lag", g.Lag, tc.lag)
			}
		}
		noErr(t, c.XGroupSetIDEntriesRead(ctx, "s", "plain", "3-0", 3))
		g := groupInfo(t, c, "s", "plain")
		eq(t, "after SETID entries-read", g.EntriesRead, int64(3))
		eq(t, "after SETID lag", g.Lag, int64(0))
		// A missing stream with MKSTREAM, and ENTRIESREAD.
		zero := int64(0)
		noErr(t, c.XGroupCreateArgs(ctx, "new", "g", "$", XGroupCreateOptions{MkStream: true, EntriesRead: &zero}))
		eq(t, "new stream's group entries-read", groupInfo(t, c, "new", "g").EntriesRead, int64(0))
		var e Error
		bad := int64(-5)
		err := c.XGroupCreateArgs(ctx, "s", "bad", "$", XGroupCreateOptions{EntriesRead: &bad})
		if !errors.As(err, &e) || e.Prefix() != "ERR" {
			t.Errorf("ENTRIESREAD -5: %v, want an ERR Error", err)
		}
		// In a pipeline too.
		p := c.Pipeline()
		r := p.XGroupSetIDEntriesRead(ctx, "s", "read2", "1-0", 1)
		noErr(t, p.Flush(ctx))
		noErr(t, r.Err())
		eq(t, "pipelined SETID entries-read", groupInfo(t, c, "s", "read2").EntriesRead, int64(1))
	})
}

func groupInfo(t *testing.T, c *Client, key, group string) XInfoGroup {
	t.Helper()
	for _, g := range must(c.XInfoGroups(context.Background(), key))(t) {
		if g.Name == group {
			return g
		}
	}
	t.Fatalf("no group %s on %s", group, key)
	return XInfoGroup{}
}

// Streams, geo and scripts are in Commands too: they pipeline.
func TestPipelineStreamsGeoScripts(t *testing.T) {
	ctx := context.Background()
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		p := c.Pipeline()
		add := p.XAdd(ctx, "s", "1-1", "f", "v")
		rng := p.XRange(ctx, "s", "-", "+")
		geo := p.GeoAdd(ctx, "g", GeoLocation{Name: "a", Longitude: 13.361389, Latitude: 38.115556},
			GeoLocation{Name: "b", Longitude: 15.087269, Latitude: 37.502669})
		dist := p.GeoDist(ctx, "g", "a", "b", "km")
		eval := p.Eval(ctx, "return KEYS[1] .. ARGV[1]", []string{"k"}, "v")
		fail := p.Eval(ctx, "return redis.error_reply('MY bad')", nil)
		load := p.ScriptLoad(ctx, "return 1")
		noErr(t, p.Flush(ctx))
		eq(t, "XADD", must(add.Result())(t), "1-1")
		msgs := must(rng.Result())(t)
		if len(msgs) != 1 || msgs[0].ID != "1-1" {
			t.Errorf("XRANGE = %+v, want the one entry 1-1", msgs)
		}
		eq(t, "GEOADD", geo.Val(), int64(2))
		if d := must(dist.Result())(t); d < 166 || d > 167 {
			t.Errorf("GEODIST = %v km, want about 166.27", d)
		}
		eq(t, "EVAL", must(eval.Result())(t).Text(), "kv")
		var e Error
		if !errors.As(fail.Err(), &e) || e.Prefix() != "MY" {
			t.Errorf("EVAL of an error_reply: %v, want an Error with prefix MY", fail.Err())
		}
		eq(t, "SCRIPT LOAD", must(load.Result())(t), NewScript("return 1").Hash())
	})
}
