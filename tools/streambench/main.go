// Command streambench measures a consumer-group workload that
// redis-benchmark cannot express: clients that each read one new entry of
// a stream with XREADGROUP and acknowledge it with XACK, as a worker of a
// queue does. tools/bench-redis.sh runs it as its xreadgroup row, against
// this server and redis-server back to back.
//
//	streambench -addr 127.0.0.1:6379 -c 50 -n 100000 -P 1
//
// It fills the stream with n entries first (pipelined XADDs, not counted),
// then prints, on one line, the requests per second of the read-and-ack
// phase, counting an XREADGROUP and an XACK as one request each. With -P,
// each client sends P XREADGROUPs in one pipeline and then their P XACKs in
// another. Every reply is checked: a read must return one entry the group
// has not delivered before, an ack must count one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	clients := flag.Int("c", 50, "concurrent clients")
	entries := flag.Int("n", 100000, "stream entries, each read and acknowledged once")
	pipeline := flag.Int("P", 1, "XREADGROUPs (then XACKs) per pipeline")
	key := flag.String("key", "streambench:stream", "stream key (deleted first)")
	phase := flag.String("phase", "both", "fill (only fill the stream), read (only read and ack a filled one) or both")
	flag.Parse()
	rps, err := run(context.Background(), *addr, *key, *phase, *clients, *entries, *pipeline)
	if err != nil {
		fmt.Fprintln(os.Stderr, "streambench:", err)
		os.Exit(1)
	}
	fmt.Printf("%.2f\n", rps)
}

// run fills the stream, then reads and acknowledges every entry through
// clients connections, and returns the requests per second of that phase.
// The fill phase alone returns 0.
func run(ctx context.Context, addr, key, phase string, clients, entries, pipeline int) (float64, error) {
	if clients < 1 || entries < 1 || pipeline < 1 {
		return 0, errors.New("-c, -n and -P must be at least 1")
	}
	if phase != "fill" && phase != "read" && phase != "both" {
		return 0, fmt.Errorf("-phase %q: want fill, read or both", phase)
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: clients, Protocol: 2})
	defer rdb.Close()
	if phase != "read" {
		if err := fill(ctx, rdb, key, entries); err != nil {
			return 0, fmt.Errorf("filling %s: %w", key, err)
		}
		if phase == "fill" {
			return 0, nil
		}
	}
	var (
		claimed atomic.Int64 // entries handed out to clients so far
		wg      sync.WaitGroup
		errOnce sync.Once
		failure error
	)
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func(consumer string) {
			defer wg.Done()
			for {
				n := int(min(int64(pipeline), int64(entries)-claimed.Add(int64(pipeline))+int64(pipeline)))
				if n <= 0 {
					return
				}
				if err := readAndAck(ctx, rdb, key, consumer, n); err != nil {
					errOnce.Do(func() { failure = err })
					return
				}
			}
		}(fmt.Sprintf("c%d", i))
	}
	wg.Wait()
	elapsed := time.Since(start)
	if failure != nil {
		return 0, failure
	}
	pending, err := rdb.XPending(ctx, key, "g").Result()
	if err != nil {
		return 0, fmt.Errorf("XPENDING: %w", err)
	}
	if pending.Count != 0 {
		return 0, fmt.Errorf("%d entries still pending after every ack", pending.Count)
	}
	return float64(2*entries) / elapsed.Seconds(), nil
}

// fill replaces key with a stream of n entries and a group g that has
// delivered none of them.
func fill(ctx context.Context, rdb *redis.Client, key string, n int) error {
	if err := rdb.Del(ctx, key).Err(); err != nil {
		return err
	}
	const batch = 1000
	for done := 0; done < n; done += batch {
		pipe := rdb.Pipeline()
		for i := done; i < min(n, done+batch); i++ {
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []string{"field", "value"}})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
	}
	return rdb.XGroupCreate(ctx, key, "g", "0").Err()
}

// readAndAck reads n new entries for consumer, one XREADGROUP each in one
// pipeline, then acknowledges them in another.
func readAndAck(ctx context.Context, rdb *redis.Client, key, consumer string, n int) error {
	reads := make([]*redis.XStreamSliceCmd, n)
	pipe := rdb.Pipeline()
	for i := range reads {
		reads[i] = pipe.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group: "g", Consumer: consumer, Streams: []string{key, ">"}, Count: 1, Block: -1,
		})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("XREADGROUP: %w", err)
	}
	acks := make([]*redis.IntCmd, n)
	pipe = rdb.Pipeline()
	for i, r := range reads {
		streams := r.Val()
		if len(streams) != 1 || len(streams[0].Messages) != 1 {
			return fmt.Errorf("XREADGROUP returned %v, want one entry", streams)
		}
		acks[i] = pipe.XAck(ctx, key, "g", streams[0].Messages[0].ID)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("XACK: %w", err)
	}
	for _, a := range acks {
		if a.Val() != 1 {
			return fmt.Errorf("XACK acknowledged %d entries, want 1", a.Val())
		}
	}
	return nil
}
