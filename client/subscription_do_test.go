package client

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Over RESP3 a subscribed connection also runs ordinary commands, their
// replies among the messages' push frames; over RESP2 Do refuses.
func TestSubscriptionDo(t *testing.T) {
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// A channel of its own: other tests' subscribers on the shared
		// server may not be gone yet.
		channel := "subscription-do:" + t.Name()
		sub := must(c.Subscribe(ctx, channel))(t)
		defer sub.Close()
		if tg.protocol == 2 {
			if _, err := sub.Do(ctx, "GET", "k"); !errors.Is(err, errDoNeedsRESP3) {
				t.Fatalf("Do over RESP2: %v, want errDoNeedsRESP3", err)
			}
			return
		}
		eq(t, "Publish", must(c.Publish(ctx, channel, "first"))(t), int64(1))
		eq(t, "SET", must(sub.Do(ctx, "SET", "k", "v"))(t).Text(), "OK")
		eq(t, "Publish", must(c.Publish(ctx, channel, "second"))(t), int64(1))
		eq(t, "GET", must(sub.Do(ctx, "GET", "k"))(t).Text(), "v")
		if f := must(sub.Do(ctx, "INCR", "k"))(t); !f.IsError() {
			t.Errorf("INCR of a non-number: %v, want an error frame", f)
		}
		eq(t, "LRANGE", len(must(sub.Do(ctx, "LRANGE", "nolist", 0, -1))(t).Elems), 0)
		noErr(t, sub.Ping(ctx))
		for _, want := range []string{"first", "second"} {
			select {
			case m := <-sub.C():
				eq(t, "message", string(m.Payload), want)
			case <-ctx.Done():
				t.Fatalf("message %q did not arrive", want)
			}
		}
	})
}
