package metrics_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
	"github.com/mini-redis/mini-redis/server"
	"github.com/mini-redis/mini-redis/server/metrics"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// startServer starts a server observed by a collector, and serves the
// collector's /metrics on a free loopback port.
func startServer(t *testing.T, args ...string) (*server.Server, *metrics.Server) {
	t.Helper()
	var srv *server.Server
	c := metrics.NewCollector(metrics.SourceFunc(func() server.Stats { return srv.Stats() }))
	full := append([]string{"--bind", "127.0.0.1", "--port", "0", "--admin-port", "0", "--save", "", "--dir", t.TempDir()}, args...)
	srv, err := server.New(full, server.Options{Observer: c})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	ms, err := metrics.Listen("127.0.0.1:0", c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close(context.Background()) })
	return srv, ms
}

// scrape fetches and parses /metrics.
func scrape(t *testing.T, ms *metrics.Server) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + ms.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value returns the value of the family's sample whose labels are the
// given name/value pairs, and whether there is one.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsAfterCommands(t *testing.T) {
	srv, ms := startServer(t, "--maxmemory", "1gb")
	c := redisconn.Dial(t, srv.Addr().String())
	var sent int
	for _, cmd := range [][]string{
		{"SET", "a", "1"},
		{"SET", "b", "2", "EX", "100"},
		{"GET", "a"},       // hit
		{"GET", "missing"}, // miss
		{"GET", "missing"}, // miss
		{"SELECT", "3"},
		{"SET", "c", "3"},
		{"INCR", "a", "extra"}, // wrong arity: rejected, not executed
		{"LPUSH", "c", "x"},    // WRONGTYPE: executed, failed
	} {
		args := make([][]byte, len(cmd))
		for i, a := range cmd {
			args[i] = []byte(a)
		}
		sent += len(frame.AppendCommand(nil, args...))
		c.Send(cmd...)
		c.Read()
	}
	// The replies, as they went out on the wire.
	received := len("+OK\r\n")*2 + len("$1\r\n1\r\n") + len("$-1\r\n")*2 + len("+OK\r\n")*2 +
		len("-ERR wrong number of arguments for 'incr' command\r\n") +
		len("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
	// A reply's bytes are counted once its write returns, which can be
	// just after the client has read them.
	fams := scrape(t, ms)
	for i := 0; i < 200; i++ {
		if v, _ := value(fams, "redis_net_output_bytes_total"); v >= float64(received) {
			break
		}
		time.Sleep(5 * time.Millisecond)
		fams = scrape(t, ms)
	}
	// The expected samples, after the commands above.
	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"redis_up", nil, 1},
		{"redis_connected_clients", nil, 1},
		{"redis_blocked_clients", nil, 0},
		{"redis_commands_total", []string{"cmd", "set"}, 3},
		{"redis_commands_total", []string{"cmd", "get"}, 3},
		{"redis_commands_total", []string{"cmd", "select"}, 1},
		{"redis_commands_total", []string{"cmd", "lpush"}, 1},
		{"redis_commands_processed_total", nil, 8},
		{"redis_keyspace_hits_total", nil, 1},
		{"redis_keyspace_misses_total", nil, 2},
		{"redis_db_keys", []string{"db", "db0"}, 2},
		{"redis_db_keys_expiring", []string{"db", "db0"}, 1},
		{"redis_db_keys", []string{"db", "db3"}, 1},
		{"redis_db_keys_expiring", []string{"db", "db3"}, 0},
		{"redis_memory_max_bytes", nil, 1 << 30},
		{"redis_evicted_keys_total", nil, 0},
		{"redis_expired_keys_total", nil, 0},
		{"redis_net_input_bytes_total", nil, float64(sent)},
		{"redis_net_output_bytes_total", nil, float64(received)},
		{"redis_command_latency_seconds", []string{"cmd", "set"}, 3},
		{"redis_command_latency_seconds", []string{"cmd", "get"}, 3},
	}
	for _, tt := range tests {
		got, ok := value(fams, tt.name, tt.labels...)
		if !ok {
			t.Errorf("%s%v: missing", tt.name, tt.labels)
			continue
		}
		if got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	// Like INFO commandstats, a command rejected by arity shows with 0
	// calls (and its rejected_calls), as redis_exporter would report it.
	if v, ok := value(fams, "redis_commands_total", "cmd", "incr"); ok && v != 0 {
		t.Errorf("redis_commands_total{cmd=incr} = %v for a command rejected by arity, want 0", v)
	}
	for _, name := range []string{"redis_uptime_in_seconds", "redis_memory_used_bytes", "redis_rdb_last_save_timestamp_seconds"} {
		if v, ok := value(fams, name); !ok || v < 0 {
			t.Errorf("%s = %v, %v", name, v, ok)
		}
	}
	if v, _ := value(fams, "redis_memory_used_bytes"); v <= 0 {
		t.Errorf("redis_memory_used_bytes = %v, want > 0", v)
	}
	if v, _ := value(fams, "redis_rdb_last_save_timestamp_seconds"); v < float64(time.Now().Add(-time.Hour).Unix()) {
		t.Errorf("redis_rdb_last_save_timestamp_seconds = %v, want about now (the start counts as a save)", v)
	}
	if v, ok := value(fams, "redis_commands_duration_seconds_total", "cmd", "set"); !ok || v <= 0 {
		t.Errorf("redis_commands_duration_seconds_total{cmd=set} = %v, %v; want > 0", v, ok)
	}
	if f := fams["redis_commands_total"]; f == nil || f.GetType() != dto.MetricType_COUNTER {
		t.Errorf("redis_commands_total is not a counter: %v", f.GetType())
	}
}

func TestMetricsSettings(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"--metrics-port", "9121"}, "127.0.0.1:9121"},
		{[]string{"--metrics-port", "9121", "--metrics-bind", "::1"}, "[::1]:9121"},
	}
	for _, tt := range tests {
		srv, err := server.New(append([]string{"--save", ""}, tt.args...), server.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := srv.MetricsAddr(); got != tt.want {
			t.Errorf("%v: MetricsAddr() = %q, want %q", tt.args, got, tt.want)
		}
		srv.Shutdown(context.Background())
	}
	if _, err := server.New([]string{"--metrics-port", "70000"}, server.Options{}); err == nil {
		t.Error("metrics-port 70000 accepted")
	}
}
