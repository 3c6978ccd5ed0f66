package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Real clients: go-redis v9 opens with HELLO 3 (falling back to RESP2),
// sends CLIENT SETINFO, pipelines, subscribes and runs transactions.

func goRedisClient(t *testing.T, addr string, protocol int) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: protocol, DialTimeout: hangTimeout,
		ReadTimeout: hangTimeout, WriteTimeout: hangTimeout})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func TestGoRedis(t *testing.T) {
	for _, protocol := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", protocol), func(t *testing.T) {
			addr := startRealServer(t)
			rdb := goRedisClient(t, addr, protocol)
			ctx := context.Background()

			if err := rdb.Ping(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			if err := rdb.Set(ctx, "k", "v", time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
			if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
				t.Fatalf("GET = %q, %v", v, err)
			}
			if _, err := rdb.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
				t.Fatalf("GET missing: %v, want redis.Nil", err)
			}
			if ttl, err := rdb.TTL(ctx, "k").Result(); err != nil || ttl <= 59*time.Second {
				t.Fatalf("TTL = %v, %v", ttl, err)
			}
			if n, err := rdb.IncrBy(ctx, "n", 5).Result(); err != nil || n != 5 {
				t.Fatalf("INCRBY = %d, %v", n, err)
			}
			if f, err := rdb.IncrByFloat(ctx, "f", 0.1).Result(); err != nil || f != 0.1 {
				t.Fatalf("INCRBYFLOAT = %v, %v", f, err)
			}
			if err := rdb.Incr(ctx, "k").Err(); err == nil || !strings.Contains(err.Error(), "not an integer") {
				t.Fatalf("INCR of a string: %v", err)
			}

			// Pipeline: one round trip.
			cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				for i := 0; i < 100; i++ {
					p.Set(ctx, fmt.Sprintf("p%d", i), i, 0)
				}
				p.MGet(ctx, "p0", "p99", "nope")
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			mget := cmds[len(cmds)-1].(*redis.SliceCmd).Val()
			if len(mget) != 3 || mget[0] != "0" || mget[1] != "99" || mget[2] != nil {
				t.Fatalf("pipelined MGET = %v", mget)
			}

			// Transactions with WATCH: go-redis's optimistic locking.
			incr := func(tx *redis.Tx) error {
				n, err := tx.Get(ctx, "counter").Int()
				if err != nil && !errors.Is(err, redis.Nil) {
					return err
				}
				_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.Set(ctx, "counter", n+1, 0)
					return nil
				})
				return err
			}
			for i := 0; i < 10; i++ {
				if err := rdb.Watch(ctx, incr, "counter"); err != nil {
					t.Fatal(err)
				}
			}
			if n, _ := rdb.Get(ctx, "counter").Int(); n != 10 {
				t.Fatalf("counter = %d after 10 transactions", n)
			}
			// A watched key changed by another client aborts the transaction.
			other := goRedisClient(t, addr, protocol)
			err = rdb.Watch(ctx, func(tx *redis.Tx) error {
				if err := other.Set(ctx, "counter", 0, 0).Err(); err != nil {
					return err
				}
				_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.Set(ctx, "counter", 100, 0)
					return nil
				})
				return err
			}, "counter")
			if !errors.Is(err, redis.TxFailedErr) {
				t.Fatalf("transaction over a changed key: %v, want TxFailedErr", err)
			}

			// Pub/sub.
			sub := rdb.Subscribe(ctx, "news")
			defer sub.Close()
			if _, err := sub.Receive(ctx); err != nil { // the subscription confirmation
				t.Fatal(err)
			}
			ch := sub.Channel()
			if n, err := other.Publish(ctx, "news", "hello").Result(); err != nil || n != 1 {
				t.Fatalf("PUBLISH = %d, %v", n, err)
			}
			select {
			case msg := <-ch:
				if msg.Channel != "news" || msg.Payload != "hello" {
					t.Fatalf("message = %+v", msg)
				}
			case <-time.After(hangTimeout):
				t.Fatal("no message")
			}

			// The connection go-redis opened announced itself.
			list, err := other.ClientList(ctx).Result()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(list, "lib-name=go-redis") {
				t.Errorf("CLIENT LIST does not show go-redis's CLIENT SETINFO:\n%s", list)
			}
			if protocol == 3 && !strings.Contains(list, "resp=3") {
				t.Errorf("no RESP3 connection in CLIENT LIST:\n%s", list)
			}
		})
	}
}

// go-redis writes a whole pipeline before it reads any reply. Redis keeps
// reading while the replies wait, so a pipeline whose replies outgrow the
// sockets works; here too.
func TestGoRedisPipelineLargerThanTheSockets(t *testing.T) {
	addr := startRealServer(t)
	rdb := goRedisClient(t, addr, 2)
	ctx := context.Background()
	value := strings.Repeat("v", 4<<10)
	if err := rdb.Set(ctx, "big", value, 0).Err(); err != nil {
		t.Fatal(err)
	}
	// SET ... GET: 32 MB of requests and 32 MB of replies.
	const n = 8 << 10
	cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for range n {
			p.SetArgs(ctx, "big", value, redis.SetArgs{Get: true})
		}
		return nil
	})
	if err != nil {
		t.Fatalf("pipeline of %d SET GETs: %v", n, err)
	}
	for i, cmd := range cmds {
		if got, err := cmd.(*redis.StatusCmd).Result(); err != nil || got != value {
			t.Fatalf("SET GET %d: %d bytes, %v", i, len(got), err)
		}
	}
}
