package client

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"
)

// Immediate has no method that Commands lacks but the SCAN iterators,
// which take a round trip per step.
func TestImmediateOnlyIterators(t *testing.T) {
	ct, it := reflect.TypeFor[Commands](), reflect.TypeFor[Immediate]()
	var only []string
	for i := range it.NumMethod() {
		if name := it.Method(i).Name; !hasMethod(ct, name) {
			only = append(only, name)
		}
	}
	eq(t, "Immediate's methods not in Commands", only, []string{"HScanAll", "SScanAll", "ScanAll", "ZScanAll"})
}

func hasMethod(t reflect.Type, name string) bool {
	_, ok := t.MethodByName(name)
	return ok
}

// setupMore fills the database for queueMore.
func setupMore(t *testing.T, ctx context.Context, c *Client) {
	t.Helper()
	noErr(t, c.FlushDB(ctx))
	noErr(t, c.MSet(ctx, "k:1", 1, "k:2", 2, "k:3", 3))
	must(c.SAdd(ctx, "s", "a", "b", "c"))(t)
	must(c.HSet(ctx, "h", "f1", "v1", "f2", "v2"))(t)
	must(c.ZAdd(ctx, "z", Z{1, "a"}, Z{2.5, "b"}))(t)
	must(c.GeoAdd(ctx, "g",
		GeoLocation{"Palermo", 13.361389, 38.115556},
		GeoLocation{"Catania", 15.087269, 37.502669}))(t)
	must(c.ScriptLoad(ctx, "return 1"))(t)
	for i := 1; i <= 3; i++ {
		must(c.XAdd(ctx, "x", ids[i], "f", i))(t)
	}
	noErr(t, c.XGroupCreate(ctx, "x", "g", "0", false))
}

// queueMore runs or queues, through q, each command that was once a
// Client's alone, on the data of setupMore, and returns the check of
// their Results, to call once they are filled in. The stream commands
// depend on those before them: they must run in order.
func queueMore(ctx context.Context, q Commands) func(t *testing.T) {
	msg := func(i int) XMessage {
		return XMessage{ID: ids[i], Fields: []string{"f", fmt.Sprint(i)}}
	}
	round := func(v float64) string { return fmt.Sprintf("%.4f", v) }
	sorted := func(ss []string) []string {
		ss = append([]string(nil), ss...)
		sort.Strings(ss)
		return ss
	}

	geoPos := q.GeoPos(ctx, "g", "Palermo", "nope")
	geoLoc := q.GeoSearchLocations(ctx, "g",
		GeoSearchQuery{FromLonLat: true, Longitude: 15, Latitude: 37, Radius: 200, Unit: "km", Sort: "ASC"},
		GeoSearchOptions{WithDist: true, WithCoord: true})
	scan := q.Scan(ctx, 0, &ScanOptions{Match: "k:*", Count: 1000})
	sscan := q.SScan(ctx, "s", 0, nil)
	hscan := q.HScan(ctx, "h", 0, nil)
	zscan := q.ZScan(ctx, "z", 0, &ScanOptions{Count: 10})
	exists := q.ScriptExists(ctx, NewScript("return 1").Hash(), "0000000000000000000000000000000000000000")

	readGroup := q.XReadGroup(ctx, "g", "alice", XReadOptions{Count: 2}, "x", ">")
	read := q.XRead(ctx, XReadOptions{Count: 1}, "x", "0")
	readNone := q.XRead(ctx, XReadOptions{}, "x", "nope", ids[3], "0")
	pending := q.XPending(ctx, "x", "g")
	pendingExt := q.XPendingExt(ctx, "x", "g", XPendingOptions{Start: "-", End: "+", Count: 10})
	claimIDs := q.XClaimArgs(ctx, "x", "g", "bob", 0, XClaimOptions{JustID: true}, ids[1])
	claim := q.XClaimArgs(ctx, "x", "g", "bob", 0, XClaimOptions{RetryCount: 5}, ids[2])
	auto := q.XAutoClaim(ctx, "x", "g", "alice", 0, "0", 10)
	autoIDs := q.XAutoClaimJustID(ctx, "x", "g", "bob", 0, "0", 1)
	infoStream := q.XInfoStream(ctx, "x")
	infoGroups := q.XInfoGroups(ctx, "x")
	infoConsumers := q.XInfoConsumers(ctx, "x", "g")
	infoFull := q.XInfoStreamFull(ctx, "x", 0)
	wrongType := q.XPending(ctx, "k:1", "g")
	noGroup := q.XInfoConsumers(ctx, "x", "nope")

	return func(t *testing.T) {
		t.Helper()
		pos := must(geoPos.Result())(t)
		if len(pos) != 2 || pos[0] == nil || pos[1] != nil {
			t.Fatalf("GEOPOS = %v, want a position and a nil", pos)
		}
		eq(t, "GEOPOS", []string{round(pos[0].Longitude), round(pos[0].Latitude)}, []string{"13.3614", "38.1156"})
		var locs []string
		for _, r := range must(geoLoc.Result())(t) {
			locs = append(locs, fmt.Sprintf("%s %s %s %s", r.Name, round(r.Dist), round(r.Longitude), round(r.Latitude)))
		}
		eq(t, "GEOSEARCH WITHDIST WITHCOORD", locs, []string{"Catania 56.4413 15.0873 37.5027", "Palermo 190.4424 13.3614 38.1156"})

		page := must(scan.Result())(t)
		eq(t, "SCAN", []any{page.Next, sorted(page.Items)}, []any{uint64(0), []string{"k:1", "k:2", "k:3"}})
		page = must(sscan.Result())(t)
		eq(t, "SSCAN", []any{page.Next, sorted(page.Items)}, []any{uint64(0), []string{"a", "b", "c"}})
		// Small hashes and sorted sets come whole, in insertion order.
		eq(t, "HSCAN", must(hscan.Result())(t), ScanPage{Items: []string{"f1", "v1", "f2", "v2"}})
		eq(t, "ZSCAN", must(zscan.Result())(t), ScanPage{Items: []string{"a", "1", "b", "2.5"}})
		eq(t, "SCRIPT EXISTS", must(exists.Result())(t), []bool{true, false})

		eq(t, "XREADGROUP", must(readGroup.Result())(t), []XStream{{Stream: "x", Messages: []XMessage{msg(1), msg(2)}}})
		eq(t, "XREAD", must(read.Result())(t), []XStream{{Stream: "x", Messages: []XMessage{msg(1)}}})
		if _, err := readNone.Result(); !errors.Is(err, Nil) {
			t.Errorf("XREAD with nothing new: %v, want Nil", err)
		}
		eq(t, "XPENDING", must(pending.Result())(t), &XPendingSummary{
			Count: 2, Lower: ids[1], Higher: ids[2], Consumers: map[string]int64{"alice": 2},
		})
		var ext []string
		for _, p := range must(pendingExt.Result())(t) {
			ext = append(ext, fmt.Sprintf("%s %s %d %v", p.ID, p.Consumer, p.Deliveries, p.Idle < 10*time.Second))
		}
		eq(t, "XPENDING extended", ext, []string{"1-1 alice 1 true", "2-1 alice 1 true"})
		eq(t, "XCLAIM JUSTID", must(claimIDs.Result())(t), []XMessage{{ID: ids[1]}})
		eq(t, "XCLAIM RETRYCOUNT", must(claim.Result())(t), []XMessage{msg(2)})
		eq(t, "XAUTOCLAIM", must(auto.Result())(t), XAutoClaimed{Next: "0-0", Messages: []XMessage{msg(1), msg(2)}, Deleted: []string{}})
		eq(t, "XAUTOCLAIM JUSTID", must(autoIDs.Result())(t), XAutoClaimedIDs{Next: ids[2], IDs: []string{ids[1]}, Deleted: []string{}})

		s := must(infoStream.Result())(t)
		m1, m3 := msg(1), msg(3)
		if s.FirstEntry == nil || s.LastEntry == nil {
			t.Fatalf("XINFO STREAM = %+v, want first and last entries", s)
		}
		eq(t, "XINFO STREAM", []any{s.Length, s.Groups, s.LastGeneratedID, s.EntriesAdded, *s.FirstEntry, *s.LastEntry},
			[]any{int64(3), int64(1), ids[3], int64(3), m1, m3})
		eq(t, "XINFO GROUPS", must(infoGroups.Result())(t), []XInfoGroup{
			{Name: "g", Consumers: 2, Pending: 2, LastDeliveredID: ids[2], EntriesRead: 2, Lag: 1},
		})
		var cons []string
		for _, c := range must(infoConsumers.Result())(t) {
			cons = append(cons, fmt.Sprintf("%s %d %v", c.Name, c.Pending, c.Idle < 10*time.Second))
		}
		eq(t, "XINFO CONSUMERS", cons, []string{"alice 1 true", "bob 1 true"})
		full := must(infoFull.Result())(t)
		eq(t, "XINFO STREAM FULL entries", full.Entries, []XMessage{msg(1), msg(2), msg(3)})
		if len(full.Groups) != 1 {
			t.Fatalf("XINFO STREAM FULL groups = %+v, want one", full.Groups)
		}
		g := full.Groups[0]
		var fullCons []string
		for _, c := range g.Consumers {
			fullCons = append(fullCons, fmt.Sprintf("%s %d", c.Name, c.PELCount))
		}
		eq(t, "XINFO STREAM FULL group", []any{g.Name, g.PELCount, len(g.Pending), fullCons},
			[]any{"g", int64(2), 2, []string{"alice 1", "bob 1"}})

		var e Error
		if _, err := wrongType.Result(); !errors.As(err, &e) || e.Prefix() != "WRONGTYPE" {
			t.Errorf("XPENDING of a string: %v, want a WRONGTYPE Error", err)
		}
		if _, err := noGroup.Result(); !errors.As(err, &e) || e.Prefix() != "NOGROUP" {
			t.Errorf("XINFO CONSUMERS of a missing group: %v, want a NOGROUP Error", err)
		}
	}
}

// The commands that were a Client's alone queue in a Pipeline and a
// transaction, and run at once through a Pool and a Buffered client, with
// the same results on every target.
func TestMoreTyped(t *testing.T) {
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		t.Run("Pipeline", func(t *testing.T) {
			setupMore(t, ctx, c)
			p := c.Pipeline()
			check := queueMore(ctx, p.Commands)
			eq(t, "Len", p.Len(), 22)
			noErr(t, p.Flush(ctx))
			check(t)
		})
		t.Run("Tx", func(t *testing.T) {
			setupMore(t, ctx, c)
			var check func(*testing.T)
			replies, err := c.Watch(ctx, func(tx *Tx) error {
				check = queueMore(ctx, tx.Queued())
				// Queued, not sent: nothing has been read from the group.
				s, err := tx.XPending(ctx, "x", "g")
				if err == nil {
					eq(t, "XPENDING at once, before EXEC", s.Count, int64(0))
				}
				return err
			}, "x")
			noErr(t, err)
			eq(t, "replies", len(replies), 22)
			check(t)
		})
		t.Run("Pool", func(t *testing.T) {
			setupMore(t, ctx, c)
			pool := NewPool(tg.addr, WithProtocol(tg.protocol), WithPoolSize(2))
			defer pool.Close()
			queueMore(ctx, pool.cmds)(t)
		})
		t.Run("Buffered", func(t *testing.T) {
			setupMore(t, ctx, c)
			buf, err := NewBuffered(ctx, tg.addr, WithProtocol(tg.protocol))
			noErr(t, err)
			defer buf.Close()
			queueMore(ctx, buf.cmds)(t)
		})
	})
}

// XREAD with an odd number of stream arguments is refused before
// anything is sent: at once through a Client, and by failing the whole
// Flush of a Pipeline or the whole transaction.
func TestMoreTypedRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	eachTarget(t, targets(t)[:2], func(t *testing.T, tg target, c *Client) {
		if _, err := c.XRead(ctx, XReadOptions{}, "x"); !errors.Is(err, errXReadStreams) {
			t.Errorf("Client.XRead with one argument: %v, want errXReadStreams", err)
		}
		p := c.Pipeline()
		set := p.Set(ctx, "k", "v", 0)
		bad := p.XReadGroup(ctx, "g", "c", XReadOptions{}, "x", "y", ">")
		if !errors.Is(bad.Err(), errXReadStreams) {
			t.Errorf("queued XREADGROUP's Err = %v, want errXReadStreams at once", bad.Err())
		}
		if err := p.Flush(ctx); !errors.Is(err, errXReadStreams) {
			t.Errorf("Flush = %v, want errXReadStreams", err)
		}
		if set.Err() == nil {
			t.Error("the SET queued with it has no error")
		}
		_, err := c.Multi(ctx, func(tx *Tx) error {
			set = tx.Queued().Set(ctx, "k", "v", 0)
			tx.Queued().XRead(ctx, XReadOptions{})
			return nil
		})
		if !errors.Is(err, errXReadStreams) || !errors.Is(set.Err(), errXReadStreams) {
			t.Errorf("Multi = %v, SET's Err = %v; want errXReadStreams for both", err, set.Err())
		}
		if _, err := c.Get(ctx, "k"); !errors.Is(err, Nil) {
			t.Errorf("GET k: %v, want Nil: nothing was sent", err)
		}
	})
}

// XREAD BLOCK inside a transaction does not wait: EXEC replies at once,
// with a nil for a stream with nothing new.
func TestMoreTypedTxBlockDoesNotWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		must(c.XAdd(ctx, "x", ids[1], "f", 1))(t)
		var none, some *Result[[]XStream]
		start := time.Now()
		_, err := c.Multi(ctx, func(tx *Tx) error {
			none = tx.Queued().XRead(ctx, XReadOptions{Block: BlockForever}, "x", "$")
			some = tx.Queued().XRead(ctx, XReadOptions{Block: time.Minute}, "x", "0")
			return nil
		})
		noErr(t, err)
		eq(t, "returned at once", time.Since(start) < 5*time.Second, true)
		if _, err := none.Result(); !errors.Is(err, Nil) {
			t.Errorf("XREAD BLOCK $ in MULTI: %v, want Nil", err)
		}
		eq(t, "XREAD BLOCK 0 in MULTI", must(some.Result())(t),
			[]XStream{{Stream: "x", Messages: []XMessage{{ID: ids[1], Fields: []string{"f", "1"}}}}})
	})
}

// A blocking XREAD through a Pool waits past the read timeout, ends with
// ctx, and leaves the pool usable: the interrupted connection is dropped
// and another dialled.
func TestPoolXReadBlock(t *testing.T) {
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		pool := NewPool(tg.addr, WithProtocol(tg.protocol), WithPoolSize(1), WithReadTimeout(50*time.Millisecond))
		defer pool.Close()
		must(c.XAdd(ctx, "q", ids[1], "f", 1))(t)

		// Woken by an XADD after the read timeout.
		for i, block := range []time.Duration{BlockForever, 5 * time.Second} {
			added := make(chan error, 1)
			time.AfterFunc(200*time.Millisecond, func() {
				_, err := c.XAdd(ctx, "q", ids[2+i], "f", 2+i)
				added <- err
			})
			got, err := pool.XRead(ctx, XReadOptions{Block: block}, "q", ids[1+i])
			noErr(t, <-added)
			eq(t, fmt.Sprintf("XREAD BLOCK %v", block), []any{got, err},
				[]any{[]XStream{{Stream: "q", Messages: []XMessage{{ID: ids[2+i], Fields: []string{"f", fmt.Sprint(2 + i)}}}}}, error(nil)})
		}

		noErr(t, c.XGroupCreate(ctx, "q", "g", "$", false))
		for _, block := range []time.Duration{BlockForever, time.Minute} {
			// Canceled.
			cctx, ccancel := context.WithCancel(ctx)
			time.AfterFunc(100*time.Millisecond, ccancel)
			start := time.Now()
			_, err := pool.XRead(cctx, XReadOptions{Block: block}, "q", "$")
			if !errors.Is(err, context.Canceled) {
				t.Errorf("XREAD BLOCK %v canceled: %v, want context.Canceled", block, err)
			}
			eq(t, "returned soon after the cancel", time.Since(start) < 2*time.Second, true)
			noErr(t, pool.Ping(ctx))

			// Past its deadline.
			dctx, dcancel := context.WithTimeout(ctx, 100*time.Millisecond)
			start = time.Now()
			_, err = pool.XReadGroup(dctx, "g", "c", XReadOptions{Block: block}, "q", ">")
			dcancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("XREADGROUP BLOCK %v past its deadline: %v, want context.DeadlineExceeded", block, err)
			}
			eq(t, "returned soon after the deadline", time.Since(start) < 2*time.Second, true)
			noErr(t, pool.Ping(ctx))
		}
	})
}
