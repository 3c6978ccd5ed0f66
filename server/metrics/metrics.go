// Package metrics exports a mini-redis server's counters to Prometheus
// under redis_exporter's metric names (redis_up, redis_commands_total,
// redis_db_keys, ...), so that exporter's Grafana dashboards work
// unchanged, plus a per-command latency histogram of its own,
// redis_command_latency_seconds.
//
// The counters are read from the server at scrape time through the small
// Source interface; the histogram is fed by the Collector's
// server.Observer methods, which the program running the server passes
// in server.Options.Observer. The server library itself knows nothing of
// Prometheus.
package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// A Source reports the server's counters; *server.Server is one.
type Source interface {
	Stats() server.Stats
}

// SourceFunc is a Source that calls itself: it lets the collector be
// built before the server it reads, which needs the collector among its
// options.
type SourceFunc func() server.Stats

// Stats calls f.
func (f SourceFunc) Stats() server.Stats { return f() }

// LatencyBuckets are the upper bounds, in seconds, of the command latency
// histogram: 10 µs to about 2.6 s, by powers of four.
var LatencyBuckets = prometheus.ExponentialBuckets(10e-6, 4, 10)

// A Collector is a prometheus.Collector over a server's counters, and a
// server.Observer that records each command's latency.
type Collector struct {
	src     Source
	latency *prometheus.HistogramVec
	// serving is set once Handler has been called: until then nothing
	// reads the histogram, and CommandDone costs only this load (the
	// binary passes the collector whether or not metrics-port is set).
	serving atomic.Bool

	up, uptime, clients, blocked, processed, commands, duration *prometheus.Desc
	hits, misses, dbKeys, dbExpiring, memUsed, memMax, evicted  *prometheus.Desc
	expired, lastSave, netIn, netOut                            *prometheus.Desc
}

// NewCollector returns a collector over src.
func NewCollector(src Source) *Collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &Collector{
		src: src,
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "redis_command_latency_seconds",
			Help:    "Latency of executed commands, by command.",
			Buckets: LatencyBuckets,
		}, []string{"cmd"}),
		up:         d("redis_up", "Information about the Redis instance"),
		uptime:     d("redis_uptime_in_seconds", "uptime_in_seconds metric"),
		clients:    d("redis_connected_clients", "connected_clients metric"),
		blocked:    d("redis_blocked_clients", "blocked_clients metric"),
		processed:  d("redis_commands_processed_total", "commands_processed_total metric"),
		commands:   d("redis_commands_total", "Total number of calls per command", "cmd"),
		duration:   d("redis_commands_duration_seconds_total", "Total amount of time in seconds spent per command", "cmd"),
		hits:       d("redis_keyspace_hits_total", "keyspace_hits_total metric"),
		misses:     d("redis_keyspace_misses_total", "keyspace_misses_total metric"),
		dbKeys:     d("redis_db_keys", "Total number of keys by DB", "db"),
		dbExpiring: d("redis_db_keys_expiring", "Total number of expiring keys by DB", "db"),
		memUsed:    d("redis_memory_used_bytes", "memory_used_bytes metric"),
		memMax:     d("redis_memory_max_bytes", "memory_max_bytes metric"),
		evicted:    d("redis_evicted_keys_total", "evicted_keys_total metric"),
		expired:    d("redis_expired_keys_total", "expired_keys_total metric"),
		lastSave:   d("redis_rdb_last_save_timestamp_seconds", "rdb_last_save_timestamp_seconds metric"),
		netIn:      d("redis_net_input_bytes_total", "net_input_bytes_total metric"),
		netOut:     d("redis_net_output_bytes_total", "net_output_bytes_total metric"),
	}
}

// Describe sends every metric's description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.uptime, c.clients, c.blocked, c.processed, c.commands,
		c.duration, c.hits, c.misses, c.dbKeys, c.dbExpiring, c.memUsed, c.memMax, c.evicted, c.expired,
		c.lastSave, c.netIn, c.netOut} {
		ch <- d
	}
	c.latency.Describe(ch)
}

// Collect reads the server's counters and sends them.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	st := c.src.Stats()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge(c.up, 1)
	gauge(c.uptime, float64(int64(st.Uptime.Seconds())))
	gauge(c.clients, float64(st.ConnectedClients))
	gauge(c.blocked, float64(st.BlockedClients))
	counter(c.processed, float64(st.TotalCommands))
	for _, cmd := range st.Commands {
		counter(c.commands, float64(cmd.Calls), cmd.Name)
		counter(c.duration, cmd.Total.Seconds(), cmd.Name)
	}
	counter(c.hits, float64(st.KeyspaceHits))
	counter(c.misses, float64(st.KeyspaceMisses))
	for _, db := range st.Databases {
		name := "db" + strconv.Itoa(db.DB)
		gauge(c.dbKeys, float64(db.Keys), name)
		gauge(c.dbExpiring, float64(db.Expiring), name)
	}
	gauge(c.memUsed, float64(st.UsedMemory))
	gauge(c.memMax, float64(st.MaxMemory))
	counter(c.evicted, float64(st.EvictedKeys))
	counter(c.expired, float64(st.ExpiredKeys))
	gauge(c.lastSave, float64(st.LastSave.Unix()))
	counter(c.netIn, float64(st.NetInputBytes))
	counter(c.netOut, float64(st.NetOutputBytes))
	c.latency.Collect(ch)
}

// CommandDone records the command's latency, once the collector is
// served.
func (c *Collector) CommandDone(e server.CommandEvent) {
	if !c.serving.Load() {
		return
	}
	c.latency.WithLabelValues(e.Name).Observe(e.Duration.Seconds())
}

// SaveDone does nothing: saves show in redis_rdb_last_save_timestamp_seconds.
func (c *Collector) SaveDone(server.SaveEvent) {}

// Handler returns an HTTP handler serving the collector's metrics, and
// the Go runtime's, in Prometheus's formats.
func Handler(c *Collector) http.Handler {
	c.serving.Store(true)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c, prometheus.NewGoCollector())
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// A Server serves /metrics over HTTP.
type Server struct {
	http *http.Server
	ln   net.Listener
}

// Listen opens addr and serves the collector's metrics at /metrics there
// in the background, until Close.
func Listen(addr string, c *Collector) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", Handler(c))
	s := &Server{http: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, ln: ln}
	go s.http.Serve(ln)
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops the server, letting scrapes in progress finish until ctx
// ends.
func (s *Server) Close(ctx context.Context) error {
	if err := s.http.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
