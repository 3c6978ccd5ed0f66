package client

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// TestDialOptions checks the handshake each option makes.
func TestDialOptions(t *testing.T) {
	ts := targets(t, "requirepass", "secret", "databases", "4")
	for _, tg := range ts {
		t.Run(tg.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := Dial(ctx, tg.addr, WithProtocol(tg.protocol))
			if tg.protocol == 3 {
				// HELLO 3 without AUTH is refused with NOAUTH.
				var e Error
				eq(t, "HELLO without a password", errors.As(err, &e) && e.Prefix() == "NOAUTH", true)
			} else if err != nil {
				t.Fatalf("Dial without a password: %v", err) // RESP2 dials; commands fail
			}
			_, err = Dial(ctx, tg.addr, WithProtocol(tg.protocol), WithPassword("wrong"))
			var e Error
			eq(t, "wrong password", errors.As(err, &e) && e.Prefix() == "WRONGPASS", true)

			c := tg.dial(t, WithPassword("secret"), WithDB(2), WithClientName("tester"),
				WithDialTimeout(5*time.Second), WithReadTimeout(5*time.Second), WithWriteTimeout(5*time.Second))
			eq(t, "CLIENT GETNAME", must(textOf(c.Do(ctx, "CLIENT", "GETNAME")))(t), "tester")
			info := must(textOf(c.Do(ctx, "CLIENT", "INFO")))(t)
			eq(t, "db=2 in CLIENT INFO", containsField(string(info), "db=2"), true)
			eq(t, fmt.Sprintf("resp=%d in CLIENT INFO", tg.protocol), containsField(string(info), fmt.Sprintf("resp=%d", tg.protocol)), true)

			u := tg.dial(t, WithUser("default"), WithPassword("secret"))
			noErr(t, u.Ping(ctx))

			_, err = Dial(ctx, tg.addr, WithProtocol(4))
			eq(t, "protocol 4 refused", err != nil, true)
		})
	}
}

// textOf returns a reply's text, or the error, an error reply included.
func textOf(f frame.Frame, err error) (string, error) {
	if err == nil && f.IsError() {
		err = Error(f.Str)
	}
	return f.Text(), err
}

func containsField(info, field string) bool {
	for _, f := range splitFields(info) {
		if f == field {
			return true
		}
	}
	return false
}

func splitFields(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == '\n' || s[i] == '\r' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// TestTransactions checks MULTI/EXEC, WATCH and their failures.
func TestTransactions(t *testing.T) {
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		noErr(t, c.Set(ctx, "counter", 10, 0))
		replies := must(c.Watch(ctx, func(tx *Tx) error {
			v, err := tx.Get(ctx, "counter")
			if err != nil {
				return err
			}
			tx.Queue("SET", "counter", string(v)+"0")
			tx.Queue("INCR", "counter")
			tx.Queue("LPUSH", "counter", "x") // WRONGTYPE at EXEC
			return nil
		}, "counter"))(t)
		eq(t, "EXEC replies", len(replies), 3)
		eq(t, "INCR in EXEC", replies[1].Int, int64(101))
		eq(t, "error in EXEC", replies[2].IsError(), true)

		other := tg.dial(t)
		_, err := c.Watch(ctx, func(tx *Tx) error {
			noErr(t, other.Set(ctx, "counter", 0, 0)) // the watched key changes
			tx.Queue("INCR", "counter")
			return nil
		}, "counter")
		eq(t, "changed key: ErrTxFailed", errors.Is(err, ErrTxFailed), true)
		eq(t, "counter untouched", string(must(c.Get(ctx, "counter"))(t)), "0")

		_, err = c.Multi(ctx, func(tx *Tx) error {
			tx.Queue("SET", "k") // wrong arity: EXECABORT
			return nil
		})
		var e Error
		eq(t, "EXECABORT", errors.As(err, &e) && e.Prefix() == "EXECABORT", true)

		boom := errors.New("boom")
		_, err = c.Watch(ctx, func(tx *Tx) error { return boom }, "counter")
		eq(t, "fn's error", err, boom)
		// The keys were unwatched: a change does not fail the next one.
		noErr(t, other.Set(ctx, "counter", 5, 0))
		replies = must(c.Multi(ctx, func(tx *Tx) error { tx.Queue("INCR", "counter"); return nil }))(t)
		eq(t, "Multi after fn's error", replies[0].Int, int64(6))
	})
}

// TestSubscription checks messages, patterns, shard channels, PING and
// unsubscription over both protocols.
func TestSubscription(t *testing.T) {
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Channels of its own: other tests' subscribers on the shared
		// server may not be gone yet.
		n := func(name string) string { return t.Name() + ":" + name }
		sub := must(c.Subscribe(ctx, n("news"), n("sport")))(t)
		defer sub.Close()
		noErr(t, sub.PSubscribe(ctx, n("w*")))
		noErr(t, sub.SSubscribe(ctx, n("shard")))
		noErr(t, sub.Ping(ctx))

		eq(t, "Publish news", must(c.Publish(ctx, n("news"), "hello"))(t), int64(1))
		eq(t, "Publish weather", must(c.Publish(ctx, n("weather"), []byte("rain")))(t), int64(1))
		eq(t, "SPublish", must(c.SPublish(ctx, n("shard"), "s1"))(t), int64(1))
		want := []Message{
			{Kind: "message", Channel: n("news"), Payload: []byte("hello")},
			{Kind: "pmessage", Pattern: n("w*"), Channel: n("weather"), Payload: []byte("rain")},
			{Kind: "smessage", Channel: n("shard"), Payload: []byte("s1")},
		}
		for i, w := range want {
			select {
			case m := <-sub.C():
				eq(t, fmt.Sprint("message ", i), *m, w)
			case <-ctx.Done():
				t.Fatalf("message %d did not arrive", i)
			}
		}
		noErr(t, sub.Unsubscribe(ctx)) // all channels
		noErr(t, sub.PUnsubscribe(ctx, n("w*")))
		eq(t, "Publish after Unsubscribe", must(c.Publish(ctx, n("news"), "x"))(t), int64(0))
		eq(t, "Publish after PUnsubscribe", must(c.Publish(ctx, n("weather"), "x"))(t), int64(0))
		noErr(t, sub.Subscribe(ctx, n("news")))
		must(c.Publish(ctx, n("news"), "again"))(t)
		select {
		case m := <-sub.C():
			eq(t, "after resubscribing", string(m.Payload), "again")
		case <-ctx.Done():
			t.Fatal("no message after resubscribing")
		}

		noErr(t, sub.Close())
		if _, ok := <-sub.C(); ok {
			t.Error("C not closed after Close")
		}
		eq(t, "Err after Close", sub.Err(), ErrClosed)
		eq(t, "Subscribe after Close", sub.Subscribe(ctx, "x"), ErrClosed)
	})
}

// TestPool runs many goroutines through a small pool.
func TestPool(t *testing.T) {
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		p := NewPool(tg.addr, WithProtocol(tg.protocol), WithPoolSize(3))
		defer p.Close()
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for g := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					if _, err := p.Do(ctx, "INCR", "hits"); err != nil {
						errs <- err
						return
					}
					if i%10 == 0 {
						err := p.With(ctx, func(c *Client) error {
							return c.Set(ctx, fmt.Sprint("g", g), i, 0)
						})
						if err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		eq(t, "hits", string(must(c.Get(ctx, "hits"))(t)), "1000")
		clients := must(textOf(c.Do(ctx, "CLIENT", "LIST")))(t)
		lines := 0
		for _, l := range splitLines(string(clients)) {
			if l != "" {
				lines++
			}
		}
		eq(t, "connections: the pool's 3 and the test's", lines <= 4, true)

		// A canceled call breaks its connection; the pool replaces it.
		short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancelShort()
		_, err := p.Do(short, "BLPOP", "nothing", 0)
		eq(t, "canceled BLPOP", errors.Is(err, context.DeadlineExceeded), true)
		noErr(t, p.With(ctx, func(c *Client) error { return c.Ping(ctx) }))
	})
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// TestBuffered runs many goroutines through one connection.
func TestBuffered(t *testing.T) {
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		b := must(NewBuffered(ctx, tg.addr, WithProtocol(tg.protocol)))(t)
		defer b.Close()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var got []string
		for g := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					f, err := b.Do(ctx, "RPUSH", "l", fmt.Sprintf("%02d-%02d", g, i))
					if err != nil || f.IsError() {
						t.Errorf("RPUSH: %v %v", f, err)
						return
					}
				}
				f, err := b.Do(ctx, "ECHO", fmt.Sprint(g))
				mu.Lock()
				got = append(got, fmt.Sprint(f.Text(), err))
				mu.Unlock()
			}()
		}
		wg.Wait()
		eq(t, "LLEN", must(c.LLen(ctx, "l"))(t), int64(1000))
		sort.Strings(got)
		want := make([]string, 20)
		for g := range 20 {
			want[g] = fmt.Sprint(g, "<nil>")
		}
		sort.Strings(want)
		eq(t, "each ECHO its own reply", got, want)

		// A canceled call does not break the shared connection.
		short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancelShort()
		_, err := b.Do(short, "BLPOP", "nothing", 0.3)
		eq(t, "canceled BLPOP", errors.Is(err, context.DeadlineExceeded), true)
		f, err := b.Do(ctx, "ECHO", "still")
		eq(t, "after the canceled call", fmt.Sprint(f.Text(), err), "still<nil>")

		noErr(t, b.Close())
		_, err = b.Do(ctx, "PING")
		eq(t, "Do after Close", err, ErrClosed)
	})
}

// TestCancellation: a canceled call closes the connection, and the
// read timeout ends a call that waits too long.
func TestCancellation(t *testing.T) {
	eachTarget(t, targets(t), func(t *testing.T, tg target, c *Client) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, _, err := c.BLPop(ctx, 0, "nothing")
		eq(t, "canceled BLPOP", errors.Is(err, context.Canceled), true)
		eq(t, "call after it", errors.Is(c.Ping(context.Background()), ErrClosed), true)

		rt := tg.dial(t, WithReadTimeout(50*time.Millisecond))
		_, err = rt.Do(context.Background(), "BLPOP", "nothing", 0)
		eq(t, "read timeout", err != nil && !errors.Is(err, context.DeadlineExceeded), true)
		// A blocking method extends the read timeout by its own.
		// redis-server checks timeouts only every 100ms: the read timeout
		// leaves it that margin.
		rt = tg.dial(t, WithReadTimeout(200*time.Millisecond))
		_, _, err = rt.BLPop(context.Background(), 300*time.Millisecond, "nothing")
		eq(t, "BLPop past the read timeout is Nil", errors.Is(err, Nil), true)
		// BLPop with no timeout waits past the read timeout, until ctx ends.
		ctx, cancel = context.WithTimeout(context.Background(), 400*time.Millisecond)
		defer cancel()
		_, _, err = rt.BLPop(ctx, 0, "nothing")
		eq(t, "BLPop(0) ended by ctx, not the read timeout", errors.Is(err, context.DeadlineExceeded), true)
	})
}
