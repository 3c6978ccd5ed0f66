// Package tracing sends OpenTelemetry traces of a mini-redis server: a
// span per executed command, named as Redis names the command (lower-case),
// with the database semantic-convention attributes, and a span per dump
// save. Spans are exported in batches by the SDK's batch span processor,
// which drops spans rather than ever blocking a command.
//
// It is off by default. FromEnv turns it on when the standard environment
// says so (OTEL_TRACES_EXPORTER=otlp) and leaves the rest to the SDK's own
// environment handling: OTEL_EXPORTER_OTLP_ENDPOINT and its kin for the
// OTLP gRPC exporter, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES for
// the resource, OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG for the
// sampler, OTEL_BSP_* for the batching.
//
// The server library knows nothing of OpenTelemetry: a Tracer is a
// server.Observer, which the program running the server passes in
// server.Options.Observer.
package tracing

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/mini-redis/mini-redis/server"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the spans.
const ScopeName = "github.com/mini-redis/mini-redis/server/tracing"

// DefaultServiceName is service.name when OTEL_SERVICE_NAME gives none.
const DefaultServiceName = "mini-redis"

// The span attributes, from OpenTelemetry's database semantic conventions
// (db.system is the older name of db.system.name; both are set, for
// backends of either age).
var (
	attrSystem     = attribute.String("db.system", "redis")
	attrSystemName = attribute.String("db.system.name", "redis")
)

// A Tracer records spans of commands and saves; it is a server.Observer.
type Tracer struct {
	tracer trace.Tracer
	// provider is the SDK provider FromEnv built, which Shutdown flushes;
	// nil for a Tracer over a caller's provider.
	provider *sdktrace.TracerProvider
}

// New returns a Tracer whose spans go to tp; the caller owns tp (flushes
// and shuts it down).
func New(tp trace.TracerProvider) *Tracer {
	return &Tracer{tracer: tp.Tracer(ScopeName)}
}

// FromEnv returns a Tracer exporting over OTLP (gRPC, or HTTP with
// protobuf: see exporterFromEnv) when the environment
// asks for it (OTEL_TRACES_EXPORTER=otlp), or nil when it does not
// (unset, "none", or OTEL_SDK_DISABLED=true). The exporter connects
// lazily: an unreachable collector does not stop the server, and its
// spans are dropped. Shutdown flushes it.
func FromEnv(ctx context.Context) (*Tracer, error) {
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") {
		return nil, nil
	}
	switch exp := strings.TrimSpace(os.Getenv("OTEL_TRACES_EXPORTER")); exp {
	case "", "none":
		return nil, nil
	case "otlp":
	default:
		return nil, fmt.Errorf("tracing: OTEL_TRACES_EXPORTER=%s is not supported (use otlp or none)", exp)
	}
	exporter, err := exporterFromEnv(ctx)
	if err != nil {
		return nil, err
	}
	// Later detectors win: the environment overrides the default name.
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", DefaultServiceName),
			attribute.String("service.version", server.Version)),
		resource.WithFromEnv(),
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	// The sampler is left out: the provider then takes it from
	// OTEL_TRACES_SAMPLER(_ARG), defaulting to parentbased_always_on.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	t := New(tp)
	t.provider = tp
	return t, nil
}

// exporterFromEnv returns the OTLP exporter of the protocol the
// environment names (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else
// OTEL_EXPORTER_OTLP_PROTOCOL): grpc, the default, or http/protobuf. Each
// exporter reads its endpoint, headers, TLS and timeout from the
// environment itself.
func exporterFromEnv(ctx context.Context) (sdktrace.SpanExporter, error) {
	proto := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if proto == "" {
		proto = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	var exporter sdktrace.SpanExporter
	var err error
	switch proto {
	case "", "grpc":
		exporter, err = otlptracegrpc.New(ctx)
	case "http/protobuf":
		exporter, err = otlptracehttp.New(ctx)
	default:
		return nil, fmt.Errorf("tracing: OTLP protocol %s is not supported (use grpc or http/protobuf)", proto)
	}
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	return exporter, nil
}

// CommandDone records the command's span, named as the command. A
// sampled-out command costs one non-recording span and no attributes.
func (t *Tracer) CommandDone(e server.CommandEvent) {
	_, span := t.tracer.Start(context.Background(), e.Name,
		trace.WithTimestamp(e.Start), trace.WithSpanKind(trace.SpanKindServer))
	if span.IsRecording() {
		attrs := []attribute.KeyValue{
			attrSystem, attrSystemName,
			attribute.String("db.namespace", strconv.Itoa(e.DB)),
			attribute.Int("db.redis.database_index", e.DB),
			attribute.String("db.operation.name", e.Name),
		}
		if host, port, err := net.SplitHostPort(e.Addr); err == nil {
			attrs = append(attrs, attribute.String("client.address", host), attribute.String("network.peer.address", host))
			if p, err := strconv.Atoi(port); err == nil {
				attrs = append(attrs, attribute.Int("client.port", p), attribute.Int("network.peer.port", p))
			}
		}
		span.SetAttributes(attrs...)
		if e.Failed {
			span.SetStatus(codes.Error, "error reply")
		}
	}
	span.End(trace.WithTimestamp(e.Start.Add(e.Duration)))
}

// SaveDone records a span for the dump's write, named "rdb.save".
func (t *Tracer) SaveDone(e server.SaveEvent) {
	_, span := t.tracer.Start(context.Background(), "rdb.save",
		trace.WithTimestamp(e.Start), trace.WithSpanKind(trace.SpanKindInternal))
	if span.IsRecording() {
		span.SetAttributes(attrSystem, attrSystemName, attribute.String("file.path", e.Path))
		if e.Err != nil {
			span.RecordError(e.Err)
			span.SetStatus(codes.Error, e.Err.Error())
		}
	}
	span.End(trace.WithTimestamp(e.Start.Add(e.Duration)))
}

// Shutdown exports the spans still queued and stops the exporter, giving
// up when ctx ends. It does nothing for a Tracer made by New.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t.provider == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}
