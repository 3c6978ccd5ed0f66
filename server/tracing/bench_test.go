package tracing_test

import (
	"context"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
	"github.com/mini-redis/mini-redis/server"
	"github.com/mini-redis/mini-redis/server/tracing"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// discard is a span exporter that drops what it is given, so the
// benchmarks measure recording and batching, not a network.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// benchCommands runs b.N SETs through a server observed by o, pipelined
// 100 at a time.
func benchCommands(b *testing.B, o server.Observer) {
	srv := startServer(b, o)
	c := redisconn.Dial(b, srv.Addr().String())
	batch := make([][]string, 100)
	for i := range batch {
		batch[i] = []string{"SET", "key", "value"}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := b.N; n > 0; n -= len(batch) {
		c.Pipeline(batch[:min(n, len(batch))])
	}
}

// BenchmarkCommandTracing is a command's cost with tracing off, on with
// sampling ratio 0, and on with every command sampled.
func BenchmarkCommandTracing(b *testing.B) {
	provider := func(ratio float64) *sdktrace.TracerProvider {
		return sdktrace.NewTracerProvider(
			sdktrace.WithBatcher(discard{}),
			sdktrace.WithSampler(sdktrace.TraceIDRatioBased(ratio)))
	}
	b.Run("off", func(b *testing.B) { benchCommands(b, nil) })
	for _, tc := range []struct {
		name  string
		ratio float64
	}{{"ratio0", 0}, {"ratio1", 1}} {
		b.Run(tc.name, func(b *testing.B) {
			tp := provider(tc.ratio)
			defer tp.Shutdown(context.Background())
			benchCommands(b, tracing.New(tp))
		})
	}
}

// BenchmarkObserver is the observer call alone, off the network path.
func BenchmarkObserver(b *testing.B) {
	e := server.CommandEvent{Name: "set", DB: 0, Addr: "127.0.0.1:50000", Start: time.Now(), Duration: time.Microsecond}
	for _, ratio := range []float64{0, 1} {
		name := "ratio0"
		if ratio == 1 {
			name = "ratio1"
		}
		b.Run(name, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{}), sdktrace.WithSampler(sdktrace.TraceIDRatioBased(ratio)))
			defer tp.Shutdown(context.Background())
			tr := tracing.New(tp)
			b.ReportAllocs()
			for b.Loop() {
				tr.CommandDone(e)
			}
		})
	}
}
