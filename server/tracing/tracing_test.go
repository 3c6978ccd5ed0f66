package tracing_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
	"github.com/mini-redis/mini-redis/server"
	"github.com/mini-redis/mini-redis/server/tracing"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// receiver is an in-process OTLP gRPC trace collector that keeps what it
// receives.
type receiver struct {
	collectortrace.UnimplementedTraceServiceServer
	mu       sync.Mutex
	spans    []*tracepb.Span
	services []string
}

func (r *receiver) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				r.services = append(r.services, kv.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			r.spans = append(r.spans, ss.GetSpans()...)
		}
	}
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

func (r *receiver) received() ([]*tracepb.Span, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*tracepb.Span(nil), r.spans...), append([]string(nil), r.services...)
}

// startReceiver serves a receiver on a free loopback port, over OTLP gRPC
// or OTLP HTTP with protobuf (protocol), and points the OTLP environment at it.
func startReceiver(t *testing.T, protocol string) *receiver {
	t.Helper()
	r := &receiver{}
	var endpoint string
	switch protocol {
	case "grpc":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		gs := grpc.NewServer()
		collectortrace.RegisterTraceServiceServer(gs, r)
		go gs.Serve(ln)
		t.Cleanup(gs.Stop)
		endpoint = "http://" + ln.Addr().String()
	case "http/protobuf":
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			body, err := io.ReadAll(req.Body)
			var export collectortrace.ExportTraceServiceRequest
			if err == nil {
				err = proto.Unmarshal(body, &export)
			}
			if req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" || err != nil {
				http.Error(w, fmt.Sprintf("bad export to %s: %v", req.URL.Path, err), http.StatusBadRequest)
				return
			}
			resp, _ := r.Export(req.Context(), &export)
			out, _ := proto.Marshal(resp)
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.Write(out)
		}))
		t.Cleanup(hs.Close)
		endpoint = hs.URL
	default:
		t.Fatalf("no receiver for %s", protocol)
	}
	t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
	return r
}

// startServer runs a server observed by o (which may be nil).
func startServer(tb testing.TB, o server.Observer) *server.Server {
	tb.Helper()
	opts := server.Options{}
	if o != nil {
		opts.Observer = o
	}
	srv, err := server.New([]string{"--bind", "127.0.0.1", "--port", "0", "--admin-port", "0", "--save", "", "--dir", tb.TempDir()}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Shutdown(context.Background()) })
	return srv
}

func attrs(s *tracepb.Span) map[string]*commonpb.AnyValue {
	m := map[string]*commonpb.AnyValue{}
	for _, kv := range s.GetAttributes() {
		m[kv.GetKey()] = kv.GetValue()
	}
	return m
}

// Command and save spans reach a collector, over either OTLP protocol,
// with the database semantic conventions' attributes.
func TestSpansReachCollector(t *testing.T) {
	for _, protocol := range []string{"grpc", "http/protobuf"} {
		t.Run(protocol, func(t *testing.T) { testSpansReachCollector(t, protocol) })
	}
}

func testSpansReachCollector(t *testing.T, protocol string) {
	r := startReceiver(t, protocol)
	t.Setenv("OTEL_SERVICE_NAME", "redis-under-test")
	t.Setenv("OTEL_TRACES_SAMPLER", "always_on")
	tr, err := tracing.FromEnv(context.Background())
	if err != nil || tr == nil {
		t.Fatalf("FromEnv = %v, %v", tr, err)
	}
	srv := startServer(t, tr)
	c := redisconn.Dial(t, srv.Addr().String())
	for _, cmd := range [][]string{
		{"SELECT", "2"},
		{"SET", "k", "v"},
		{"LPUSH", "k", "x"}, // WRONGTYPE
		{"CLIENT", "ID"},
		{"SAVE"},
	} {
		c.Send(cmd...)
		c.Read()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	spans, services := r.received()
	byName := map[string]*tracepb.Span{}
	for _, s := range spans {
		byName[s.GetName()] = s
	}
	if len(services) == 0 || services[0] != "redis-under-test" {
		t.Errorf("service.name = %v, want redis-under-test", services)
	}
	tests := []struct {
		name   string
		db     int
		failed bool
	}{
		{"select", 2, false},
		{"set", 2, false},
		{"lpush", 2, true},
		{"client|id", 2, false},
		{"save", 2, false},
	}
	local := c.NetConn().LocalAddr().(*net.TCPAddr)
	for _, tt := range tests {
		s := byName[tt.name]
		if s == nil {
			t.Errorf("no span %q among %d", tt.name, len(spans))
			continue
		}
		a := attrs(s)
		checks := map[string]string{
			"db.system":         "redis",
			"db.system.name":    "redis",
			"db.namespace":      strconv.Itoa(tt.db),
			"db.operation.name": tt.name,
			"client.address":    local.IP.String(),
		}
		for k, want := range checks {
			if got := a[k].GetStringValue(); got != want {
				t.Errorf("%s: %s = %q, want %q", tt.name, k, got, want)
			}
		}
		if got := a["client.port"].GetIntValue(); got != int64(local.Port) {
			t.Errorf("%s: client.port = %d, want %d", tt.name, got, local.Port)
		}
		if got := s.GetKind(); got != tracepb.Span_SPAN_KIND_SERVER {
			t.Errorf("%s: kind %v", tt.name, got)
		}
		isErr := s.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR
		if isErr != tt.failed {
			t.Errorf("%s: error status %v, want %v", tt.name, isErr, tt.failed)
		}
		if s.GetEndTimeUnixNano() < s.GetStartTimeUnixNano() || s.GetStartTimeUnixNano() == 0 {
			t.Errorf("%s: times %d..%d", tt.name, s.GetStartTimeUnixNano(), s.GetEndTimeUnixNano())
		}
	}
	save := byName["rdb.save"]
	if save == nil {
		t.Fatal("no rdb.save span for SAVE")
	}
	if got := attrs(save)["db.system"].GetStringValue(); got != "redis" {
		t.Errorf("rdb.save: db.system = %q", got)
	}
	if save.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("rdb.save: error status %v", save.GetStatus())
	}
}

func TestSamplerFromEnv(t *testing.T) {
	r := startReceiver(t, "grpc")
	t.Setenv("OTEL_TRACES_SAMPLER", "traceidratio")
	t.Setenv("OTEL_TRACES_SAMPLER_ARG", "0")
	tr, err := tracing.FromEnv(context.Background())
	if err != nil || tr == nil {
		t.Fatalf("FromEnv = %v, %v", tr, err)
	}
	srv := startServer(t, tr)
	c := redisconn.Dial(t, srv.Addr().String())
	for range 20 {
		c.Do("PING")
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if spans, _ := r.received(); len(spans) != 0 {
		t.Errorf("ratio 0 exported %d spans", len(spans))
	}
}

func TestFromEnvOff(t *testing.T) {
	tests := []struct {
		env     map[string]string
		on      bool
		wantErr bool
	}{
		{env: map[string]string{"OTEL_TRACES_EXPORTER": ""}},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "none"}},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, wantErr: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, on: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, wantErr: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"}, on: true},
	}
	for _, tt := range tests {
		for _, k := range []string{"OTEL_SDK_DISABLED", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
			t.Setenv(k, "")
		}
		for k, v := range tt.env {
			t.Setenv(k, v)
		}
		tr, err := tracing.FromEnv(context.Background())
		if (err != nil) != tt.wantErr || (tr != nil) != tt.on {
			t.Errorf("%v: FromEnv = %v, %v; want on %v, error %v", tt.env, tr, err, tt.on, tt.wantErr)
		}
		if tr != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			tr.Shutdown(ctx)
			cancel()
		}
	}
}
