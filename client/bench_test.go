package client

import (
	"context"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/server/servertest"
	"github.com/redis/go-redis/v9"
)

// pipelineDepth is the number of SETs per round trip in the pipelined
// benchmarks; b.N counts SETs.
const pipelineDepth = 100

// benchServers returns the servers the benchmarks compare: this one,
// in-process, and redis-server.
func benchServers(b *testing.B) []struct{ name, addr string } {
	ours := servertest.Start(b)
	real := redistest.Start(b)
	return []struct{ name, addr string }{{"mini-redis", ours.Addr()}, {"redis-server", real.Addr}}
}

// BenchmarkSet measures SET one at a time and pipelined, through this
// client and through go-redis, against both servers.
func BenchmarkSet(b *testing.B) {
	ctx := context.Background()
	for _, srv := range benchServers(b) {
		b.Run(srv.name+"/client/single", func(b *testing.B) {
			c, err := Dial(ctx, srv.addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Set(ctx, "key", "value", 0); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(srv.name+"/client/pipelined", func(b *testing.B) {
			c, err := Dial(ctx, srv.addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			p := c.Pipeline()
			b.ReportAllocs()
			for b.Loop() {
				p.Set(ctx, "key", "value", 0)
				if p.Len() == pipelineDepth {
					if err := p.Flush(ctx); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}
		})
		b.Run(srv.name+"/go-redis/single", func(b *testing.B) {
			rdb := redis.NewClient(&redis.Options{Addr: srv.addr, Protocol: 2, PoolSize: 1})
			defer rdb.Close()
			b.ReportAllocs()
			for b.Loop() {
				if err := rdb.Set(ctx, "key", "value", 0).Err(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(srv.name+"/go-redis/pipelined", func(b *testing.B) {
			rdb := redis.NewClient(&redis.Options{Addr: srv.addr, Protocol: 2, PoolSize: 1})
			defer rdb.Close()
			p := rdb.Pipeline()
			b.ReportAllocs()
			for b.Loop() {
				p.Set(ctx, "key", "value", 0)
				if p.Len() == pipelineDepth {
					if _, err := p.Exec(ctx); err != nil {
						b.Fatal(err)
					}
				}
			}
			if _, err := p.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}
}
