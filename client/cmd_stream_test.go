package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// TestStreams checks the stream methods on every target.
func TestStreams(t *testing.T) {
	ts := targets(t)
	// fill adds entries 1-1 to n-1, each with field f and value i.
	fill := func(t *testing.T, ctx context.Context, c *Client, key string, n int) {
		t.Helper()
		for i := 1; i <= n; i++ {
			must(c.XAdd(ctx, key, ids[i], "f", i))(t)
		}
	}
	msg := func(i int) XMessage {
		return XMessage{ID: ids[i], Fields: []string{"f", string(rune('0' + i))}}
	}
	var e Error
	tests := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, c *Client)
	}{
		{"XAddArgs, ranges, XDel, XTrim", func(t *testing.T, ctx context.Context, c *Client) {
			_, err := c.XAddArgs(ctx, "x", XAddOptions{NoMkStream: true}, "f", "v")
			eq(t, "NOMKSTREAM on a missing stream is Nil", errors.Is(err, Nil), true)
			eq(t, "no stream made", must(c.Exists(ctx, "x"))(t), int64(0))
			fill(t, ctx, c, "x", 5)
			id := must(c.XAddArgs(ctx, "x", XAddOptions{Trim: &XTrimOptions{MaxLen: 5}}, "g", "w"))(t)
			eq(t, "server-chosen ID", id != "" && id != ids[5], true)
			eq(t, "XLen after MAXLEN 5", must(c.XLen(ctx, "x"))(t), int64(5))
			eq(t, "XRangeN", must(c.XRangeN(ctx, "x", "-", "+", 2))(t), []XMessage{msg(2), msg(3)})
			eq(t, "XRange exclusive", must(c.XRange(ctx, "x", "("+ids[3], ids[5]))(t), []XMessage{msg(4), msg(5)})
			eq(t, "XRevRange", must(c.XRevRange(ctx, "x", ids[3], "-"))(t), []XMessage{msg(3), msg(2)})
			eq(t, "XRevRangeN", must(c.XRevRangeN(ctx, "x", "+", "-", 1))(t), []XMessage{{ID: id, Fields: []string{"g", "w"}}})
			eq(t, "XRange empty", must(c.XRange(ctx, "nope", "-", "+"))(t), []XMessage{})
			eq(t, "XDel", must(c.XDel(ctx, "x", ids[2], "9-9"))(t), int64(1))
			eq(t, "XTrim MINID", must(c.XTrim(ctx, "x", XTrimOptions{MinID: ids[4]}))(t), int64(1))
			eq(t, "XRange after", must(c.XRange(ctx, "x", "-", ids[5]))(t), []XMessage{msg(4), msg(5)})
			eq(t, "XTrim MAXLEN 1", must(c.XTrim(ctx, "x", XTrimOptions{MaxLen: 1}))(t), int64(2))
			// An approximate trim evicts whole nodes only, here the one node.
			eq(t, "XTrim MAXLEN ~ 0 LIMIT", must(c.XTrim(ctx, "x", XTrimOptions{MaxLen: 0, Approx: true, Limit: 10}))(t), int64(1))
			fill(t, ctx, c, "y", 3)
			must(c.XAddArgs(ctx, "y", XAddOptions{ID: ids[4], Trim: &XTrimOptions{MinID: ids[3]}}, "f", 4))(t)
			eq(t, "XAdd with MINID", must(c.XRange(ctx, "y", "-", "+"))(t), []XMessage{msg(3), msg(4)})
			must(c.XAddArgs(ctx, "y", XAddOptions{ID: ids[5], Trim: &XTrimOptions{MaxLen: 1, Approx: true}}, "f", 5))(t)
			eq(t, "XAdd with MAXLEN ~ keeps the node", must(c.XLen(ctx, "y"))(t), int64(3))
			_, err = c.XAdd(ctx, "x", "1-1", "f", "v")
			eq(t, "XAdd of a smaller ID", errors.As(err, &e) && e == "ERR The ID specified in XADD is equal or smaller than the target stream top item", true)
		}},
		{"XRead", func(t *testing.T, ctx context.Context, c *Client) {
			fill(t, ctx, c, "a", 3)
			fill(t, ctx, c, "b", 1)
			eq(t, "XRead two streams", must(c.XRead(ctx, XReadOptions{Count: 2}, "a", "b", "0", "0"))(t), []XStream{
				{Stream: "a", Messages: []XMessage{msg(1), msg(2)}},
				{Stream: "b", Messages: []XMessage{msg(1)}},
			})
			eq(t, "XRead skips a stream with nothing new", must(c.XRead(ctx, XReadOptions{}, "a", "b", ids[2], ids[1]))(t), []XStream{
				{Stream: "a", Messages: []XMessage{msg(3)}},
			})
			_, err := c.XRead(ctx, XReadOptions{}, "a", ids[3])
			eq(t, "nothing new is Nil", errors.Is(err, Nil), true)
			_, err = c.XRead(ctx, XReadOptions{}, "nope", "0")
			eq(t, "missing stream is Nil", errors.Is(err, Nil), true)
			start := time.Now()
			_, err = c.XRead(ctx, XReadOptions{Block: 100 * time.Millisecond}, "a", "$")
			eq(t, "BLOCK timeout is Nil", errors.Is(err, Nil), true)
			eq(t, "waited", time.Since(start) >= 90*time.Millisecond, true)
			_, err = c.XRead(ctx, XReadOptions{}, "a")
			eq(t, "odd streams refused", errors.Is(err, errXReadStreams), true)
			noErr(t, c.Set(ctx, "str", "v", 0))
			_, err = c.XRead(ctx, XReadOptions{}, "str", "0")
			eq(t, "WRONGTYPE", errors.As(err, &e) && e.Prefix() == "WRONGTYPE", true)
		}},
		{"XRead BLOCK woken by XAdd", func(t *testing.T, ctx context.Context, c *Client) {
			other, err := Dial(ctx, c.Addr(), WithProtocol(c.Protocol()))
			noErr(t, err)
			defer other.Close()
			fill(t, ctx, c, "q", 1)
			go func() {
				time.Sleep(100 * time.Millisecond)
				other.XAdd(ctx, "q", ids[2], "f", 2)
			}()
			// After 1-1 rather than "$": the XAdd may come before the wait.
			got, err := c.XRead(ctx, XReadOptions{Block: BlockForever}, "q", ids[1])
			eq(t, "XRead", []any{got, err}, []any{[]XStream{{Stream: "q", Messages: []XMessage{msg(2)}}}, error(nil)})

			// The wait is not cut short by a read timeout shorter than it.
			for i, block := range []time.Duration{BlockForever, 2 * time.Second} {
				short, err := Dial(ctx, c.Addr(), WithProtocol(c.Protocol()), WithReadTimeout(50*time.Millisecond))
				noErr(t, err)
				defer short.Close()
				go func() {
					time.Sleep(200 * time.Millisecond)
					other.XAdd(ctx, "q", ids[3+i], "f", 3+i)
				}()
				got, err = short.XRead(ctx, XReadOptions{Block: block}, "q", ids[2+i])
				eq(t, "XRead past the read timeout", []any{got, err}, []any{[]XStream{{Stream: "q", Messages: []XMessage{msg(3 + i)}}}, error(nil)})
			}
		}},
		{"XRead BLOCK ends with ctx", func(t *testing.T, ctx context.Context, c *Client) {
			for _, block := range []time.Duration{BlockForever, time.Minute} {
				blocked, err := Dial(ctx, c.Addr(), WithProtocol(c.Protocol()), WithReadTimeout(time.Second))
				noErr(t, err)
				defer blocked.Close()
				cctx, cancel := context.WithCancel(ctx)
				time.AfterFunc(100*time.Millisecond, cancel)
				start := time.Now()
				_, err = blocked.XRead(cctx, XReadOptions{Block: block}, "q", "$")
				eq(t, "canceled", errors.Is(err, context.Canceled), true)
				eq(t, "returned soon", time.Since(start) < 900*time.Millisecond, true)
				eq(t, "connection closed after", errors.Is(blocked.Ping(ctx), ErrClosed), true)

				g, err := Dial(ctx, c.Addr(), WithProtocol(c.Protocol()))
				noErr(t, err)
				defer g.Close()
				_, err = g.XReadGroup(ctx, "g", "c", XReadOptions{Block: block}, "q", ">")
				// No group yet: the error comes at once; there is no wait.
				eq(t, "NOGROUP", errors.As(err, &e) && e.Prefix() == "NOGROUP", true)
				noErr(t, c.XGroupCreate(ctx, "q", "g", "$", true))
				dctx, dcancel := context.WithTimeout(ctx, 100*time.Millisecond)
				_, err = g.XReadGroup(dctx, "g", "c", XReadOptions{Block: block}, "q", ">")
				dcancel()
				eq(t, "XReadGroup deadline", errors.Is(err, context.DeadlineExceeded), true)
				must(c.XGroupDestroy(ctx, "q", "g"))(t)
			}
		}},
		{"consumer groups", func(t *testing.T, ctx context.Context, c *Client) {
			err := c.XGroupCreate(ctx, "s", "g", "0", false)
			eq(t, "XGroupCreate without a stream", errors.As(err, &e) && e.Prefix() == "ERR", true)
			fill(t, ctx, c, "s", 4)
			noErr(t, c.XGroupCreate(ctx, "s", "g", "0", false))
			err = c.XGroupCreate(ctx, "s", "g", "0", false)
			eq(t, "BUSYGROUP", errors.As(err, &e) && e.Prefix() == "BUSYGROUP", true)
			eq(t, "XGroupCreateConsumer", must(c.XGroupCreateConsumer(ctx, "s", "g", "idle"))(t), true)
			eq(t, "XGroupCreateConsumer again", must(c.XGroupCreateConsumer(ctx, "s", "g", "idle"))(t), false)

			eq(t, "XReadGroup", must(c.XReadGroup(ctx, "g", "alice", XReadOptions{Count: 2}, "s", ">"))(t),
				[]XStream{{Stream: "s", Messages: []XMessage{msg(1), msg(2)}}})
			eq(t, "XReadGroup bob", must(c.XReadGroup(ctx, "g", "bob", XReadOptions{Count: 1}, "s", ">"))(t),
				[]XStream{{Stream: "s", Messages: []XMessage{msg(3)}}})
			eq(t, "XPending", *must(c.XPending(ctx, "s", "g"))(t), XPendingSummary{
				Count: 3, Lower: ids[1], Higher: ids[3], Consumers: map[string]int64{"alice": 2, "bob": 1},
			})
			pend := must(c.XPendingExt(ctx, "s", "g", XPendingOptions{Start: "-", End: "+", Count: 10, Consumer: "alice"}))(t)
			eq(t, "XPendingExt entries", len(pend), 2)
			eq(t, "XPendingExt first", []any{pend[0].ID, pend[0].Consumer, pend[0].Deliveries, pend[0].Idle < 10*time.Second},
				[]any{ids[1], "alice", int64(1), true})
			eq(t, "XPendingExt IDLE filters", must(c.XPendingExt(ctx, "s", "g", XPendingOptions{Start: "-", End: "+", Count: 10, Idle: time.Hour}))(t), []XPendingEntry{})

			// A deleted entry still pending comes back from history with nil fields.
			must(c.XDel(ctx, "s", ids[2]))(t)
			eq(t, "XReadGroup history", must(c.XReadGroup(ctx, "g", "alice", XReadOptions{}, "s", "0"))(t),
				[]XStream{{Stream: "s", Messages: []XMessage{msg(1), {ID: ids[2]}}}})

			eq(t, "XClaim", must(c.XClaim(ctx, "s", "g", "bob", 0, ids[1]))(t), []XMessage{msg(1)})
			eq(t, "XClaimJustID", must(c.XClaimJustID(ctx, "s", "g", "alice", 0, ids[1], ids[3]))(t), []string{ids[1], ids[3]})
			eq(t, "XClaim with a high min-idle", must(c.XClaim(ctx, "s", "g", "bob", time.Hour, ids[1]))(t), []XMessage{})

			at := time.Now().Add(-time.Hour)
			eq(t, "XClaimArgs", must(c.XClaimArgs(ctx, "s", "g", "dave", 0, XClaimOptions{Time: at, RetryCount: 5, JustID: true}, ids[1]))(t), []XMessage{{ID: ids[1]}})
			pend = must(c.XPendingExt(ctx, "s", "g", XPendingOptions{Start: ids[1], End: ids[1], Count: 1}))(t)
			eq(t, "TIME and RETRYCOUNT", []any{pend[0].Consumer, pend[0].Deliveries, pend[0].Idle >= time.Hour}, []any{"dave", int64(5), true})
			eq(t, "XClaimArgs FORCE", must(c.XClaimArgs(ctx, "s", "g", "dave", 0, XClaimOptions{Force: true, Idle: time.Minute, LastID: ids[4]}, ids[4]))(t), []XMessage{msg(4)})
			eq(t, "FORCE made it pending", must(c.XPending(ctx, "s", "g"))(t).Consumers["dave"], int64(2))
			eq(t, "LASTID", must(c.XInfoGroups(ctx, "s"))(t)[0].LastDeliveredID, ids[4])
			must(c.XAck(ctx, "s", "g", ids[4]))(t)
			must(c.XClaim(ctx, "s", "g", "bob", 0, ids[1]))(t)

			next, msgs, deleted, err := c.XAutoClaim(ctx, "s", "g", "bob", 0, "0", 10)
			noErr(t, err)
			eq(t, "XAutoClaim", []any{next, msgs, deleted}, []any{"0-0", []XMessage{msg(1), msg(3)}, []string{ids[2]}})
			next, claimed, deleted, err := c.XAutoClaimJustID(ctx, "s", "g", "alice", 0, "0", 1)
			noErr(t, err)
			eq(t, "XAutoClaimJustID", []any{next, claimed, deleted}, []any{ids[3], []string{ids[1]}, []string{}})

			eq(t, "XAck", must(c.XAck(ctx, "s", "g", ids[1], ids[4]))(t), int64(1))
			eq(t, "XPending after XAck", *must(c.XPending(ctx, "s", "g"))(t), XPendingSummary{
				Count: 1, Lower: ids[3], Higher: ids[3], Consumers: map[string]int64{"bob": 1},
			})
			eq(t, "XGroupDelConsumer", must(c.XGroupDelConsumer(ctx, "s", "g", "bob"))(t), int64(1))
			eq(t, "XPending empty", *must(c.XPending(ctx, "s", "g"))(t), XPendingSummary{Consumers: map[string]int64{}})

			noErr(t, c.XGroupSetID(ctx, "s", "g", "0"))
			eq(t, "XReadGroup NOACK", must(c.XReadGroup(ctx, "g", "carol", XReadOptions{NoAck: true}, "s", ">"))(t),
				[]XStream{{Stream: "s", Messages: []XMessage{msg(1), msg(3), msg(4)}}})
			eq(t, "nothing pending with NOACK", must(c.XPending(ctx, "s", "g"))(t).Count, int64(0))
			_, err = c.XReadGroup(ctx, "g", "carol", XReadOptions{}, "s", ">")
			eq(t, "XReadGroup nothing new is Nil", errors.Is(err, Nil), true)

			eq(t, "XGroupDestroy", must(c.XGroupDestroy(ctx, "s", "g"))(t), true)
			eq(t, "XGroupDestroy again", must(c.XGroupDestroy(ctx, "s", "g"))(t), false)
		}},
		{"XINFO", func(t *testing.T, ctx context.Context, c *Client) {
			_, err := c.XInfoStream(ctx, "s")
			eq(t, "XInfoStream missing", errors.As(err, &e) && e == "ERR no such key", true)
			noErr(t, c.XGroupCreate(ctx, "empty", "g", "$", true))
			info := must(c.XInfoStream(ctx, "empty"))(t)
			eq(t, "empty stream", []any{info.Length, info.Groups, info.LastGeneratedID, info.FirstEntry, info.LastEntry},
				[]any{int64(0), int64(1), "0-0", (*XMessage)(nil), (*XMessage)(nil)})

			fill(t, ctx, c, "s", 3)
			must(c.XDel(ctx, "s", ids[2]))(t)
			noErr(t, c.XGroupCreate(ctx, "s", "g", "0", false))
			noErr(t, c.XGroupCreate(ctx, "s", "h", "$", false))
			must(c.XReadGroup(ctx, "g", "alice", XReadOptions{Count: 1}, "s", ">"))(t)
			info = must(c.XInfoStream(ctx, "s"))(t)
			m1, m3 := msg(1), msg(3)
			eq(t, "XInfoStream", []any{info.Groups, info.XStreamState}, []any{int64(2), XStreamState{
				Length: 2, LastGeneratedID: ids[3], MaxDeletedEntryID: ids[2], EntriesAdded: 3,
				RecordedFirstEntryID: ids[1], RadixTreeKeys: info.RadixTreeKeys, RadixTreeNodes: info.RadixTreeNodes,
			}})
			eq(t, "first and last entries", []XMessage{*info.FirstEntry, *info.LastEntry}, []XMessage{m1, m3})
			eq(t, "radix tree", info.RadixTreeKeys > 0 && info.RadixTreeNodes > 0, true)

			eq(t, "XInfoGroups", must(c.XInfoGroups(ctx, "s"))(t), []XInfoGroup{
				// With a deletion in the stream, the read counters are
				// unknown (nil), and so is g's lag.
				{Name: "g", Consumers: 1, Pending: 1, LastDeliveredID: ids[1], EntriesRead: -1, Lag: -1},
				{Name: "h", Consumers: 0, Pending: 0, LastDeliveredID: ids[3], EntriesRead: -1, Lag: 0},
			})
			fill(t, ctx, c, "t", 3)
			noErr(t, c.XGroupCreate(ctx, "t", "g", "0", false))
			must(c.XReadGroup(ctx, "g", "alice", XReadOptions{Count: 1}, "t", ">"))(t)
			eq(t, "XInfoGroups without deletions", must(c.XInfoGroups(ctx, "t"))(t), []XInfoGroup{
				{Name: "g", Consumers: 1, Pending: 1, LastDeliveredID: ids[1], EntriesRead: 1, Lag: 2},
			})
			cons := must(c.XInfoConsumers(ctx, "s", "g"))(t)
			eq(t, "XInfoConsumers", len(cons) == 1 && cons[0].Name == "alice" && cons[0].Pending == 1 && cons[0].Idle < 10*time.Second, true)
			_, err = c.XInfoConsumers(ctx, "s", "nope")
			eq(t, "NOGROUP", errors.As(err, &e) && e.Prefix() == "NOGROUP", true)

			full := must(c.XInfoStreamFull(ctx, "s", 0))(t)
			eq(t, "XInfoStreamFull", []any{full.Length, full.LastGeneratedID, full.MaxDeletedEntryID, full.EntriesAdded, full.RecordedFirstEntryID, full.Entries},
				[]any{int64(2), ids[3], ids[2], int64(3), ids[1], []XMessage{m1, m3}})
			eq(t, "groups", len(full.Groups), 2)
			g := full.Groups[0]
			eq(t, "group g", []any{g.Name, g.LastDeliveredID, g.EntriesRead, g.Lag, g.PELCount, len(g.Pending), len(g.Consumers)},
				[]any{"g", ids[1], int64(-1), int64(-1), int64(1), 1, 1})
			p := g.Pending[0]
			eq(t, "group pending", []any{p.ID, p.Consumer, p.DeliveryCount, time.Since(p.DeliveryTime) < 10*time.Second}, []any{ids[1], "alice", int64(1), true})
			cs := g.Consumers[0]
			eq(t, "consumer", []any{cs.Name, cs.PELCount, time.Since(cs.SeenTime) < 10*time.Second, cs.Pending[0].ID, cs.Pending[0].Consumer, cs.Pending[0].DeliveryCount},
				[]any{"alice", int64(1), true, ids[1], "", int64(1)})
			eq(t, "group h", []any{full.Groups[1].Name, full.Groups[1].Lag, full.Groups[1].Pending, full.Groups[1].Consumers},
				[]any{"h", int64(0), []XInfoPending{}, []XInfoStreamConsumer(nil)})
			eq(t, "FULL COUNT 1", must(c.XInfoStreamFull(ctx, "s", 1))(t).Entries, []XMessage{m1})

			// The reply's shape differs by protocol; the typed result does not.
			f := must(c.Do(ctx, "XINFO", "STREAM", "s"))(t)
			want := frame.Array
			if c.Protocol() == 3 {
				want = frame.Map
			}
			eq(t, "XINFO STREAM reply type", f.Type, want)
		}},
		{"WRONGTYPE", func(t *testing.T, ctx context.Context, c *Client) {
			noErr(t, c.Set(ctx, "str", "v", 0))
			for name, call := range map[string]func() error{
				"XAdd":        func() error { _, err := c.XAdd(ctx, "str", "*", "f", "v"); return err },
				"XLen":        func() error { _, err := c.XLen(ctx, "str"); return err },
				"XRange":      func() error { _, err := c.XRange(ctx, "str", "-", "+"); return err },
				"XTrim":       func() error { _, err := c.XTrim(ctx, "str", XTrimOptions{MaxLen: 1}); return err },
				"XInfoStream": func() error { _, err := c.XInfoStream(ctx, "str"); return err },
			} {
				err := call()
				eq(t, name, errors.As(err, &e) && e.Prefix() == "WRONGTYPE", true)
			}
		}},
	}
	eachTarget(t, ts, func(t *testing.T, tg target, c *Client) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				noErr(t, c.FlushDB(ctx))
				tt.run(t, ctx, c)
			})
		}
	})
}

// ids are the stream IDs fill uses: ids[i] is "i-1".
var ids = []string{"0-0", "1-1", "2-1", "3-1", "4-1", "5-1", "6-1", "7-1", "8-1", "9-1"}
