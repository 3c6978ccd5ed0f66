package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
)

// spanNames is an in-process OTLP gRPC trace receiver that keeps the
// names of the spans it receives.
type spanNames struct {
	collectortrace.UnimplementedTraceServiceServer
	mu    sync.Mutex
	names []string
}

func (r *spanNames) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				r.names = append(r.names, s.GetName())
			}
		}
	}
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

// The binary serves /metrics on --metrics-port and, with the OTLP
// environment set, exports command spans, flushing them on SIGTERM.
func TestMetricsAndTracesFromBinary(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	recv := &spanNames{}
	gs := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(gs, recv)
	go gs.Serve(ln)
	defer gs.Stop()
	t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+ln.Addr().String())
	// A long batch delay: the spans can only arrive by the shutdown's flush.
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "600000")

	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd, addr, logs := serverProcess(t, "--metrics-port", strconv.Itoa(port), "--save", "")
	c := redisconn.Dial(t, addr)
	c.Do("SET", "k", "v")
	c.Do("GET", "k")
	if got := redisconn.Strings(c.Do("CONFIG", "GET", "metrics-*")); strings.Join(got, " ") != "metrics-bind 127.0.0.1 metrics-port "+strconv.Itoa(port) {
		t.Errorf("CONFIG GET metrics-* = %q", got)
	}

	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`redis_commands_total{cmd="set"} 1`,
		`redis_commands_total{cmd="get"} 1`,
		`redis_db_keys{db="db0"} 1`,
		"redis_up 1",
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, logs)
	}
	recv.mu.Lock()
	names := strings.Join(recv.names, " ")
	recv.mu.Unlock()
	for _, want := range []string{"set", "get", "config|get"} {
		if !strings.Contains(" "+names+" ", " "+want+" ") {
			t.Errorf("spans %q lack %q", names, want)
		}
	}
}
