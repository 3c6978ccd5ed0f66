// Command mini-redis-server is mini-redis: a Redis-compatible in-memory
// key/value server, with a gRPC admin API beside it. It is a thin wrapper
// around package server: it reads the arguments, builds the logger, turns
// signals into a graceful shutdown and writes a CPU profile on request.
//
//	mini-redis-server [/path/to/redis.conf] [--name value ...]
//
// Configuration works as for redis-server: an optional redis.conf-style
// file, then "--name value" options that override it (--port 6380,
// --requirepass secret, --save "", --admin-port 7380, ...). The log level
// comes from --loglevel or $MINI_REDIS_LOGLEVEL.
//
// Prometheus metrics (redis_exporter's names) are served at /metrics on
// metrics-bind:metrics-port when --metrics-port is set. OpenTelemetry
// traces are sent over OTLP, gRPC or HTTP, when the standard environment
// asks for them (OTEL_TRACES_EXPORTER=otlp, OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, ...:
// see package server/tracing), and flushed on shutdown.
//
// SIGINT or SIGTERM (or SHUTDOWN, or the admin Shutdown call) stops it
// gracefully: it saves if configured to, stops accepting, lets clients
// finish the commands they sent, closes them and exits 0. If that save
// fails it logs so and goes on serving, as redis-server does; the next
// signal tries again. A second signal during a shutdown exits at once with
// status 1.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/mini-redis/mini-redis/server"
	"github.com/mini-redis/mini-redis/server/metrics"
	"github.com/mini-redis/mini-redis/server/tracing"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

const usage = `Usage: mini-redis-server [/path/to/redis.conf] [options] [-]
       mini-redis-server - (read config from stdin)
       mini-redis-server -v or --version
       mini-redis-server -h or --help

Examples:
       mini-redis-server (run the server with default config)
       mini-redis-server /etc/redis/6379.conf
       mini-redis-server --port 7777 --admin-port 7778
       mini-redis-server /etc/myredis.conf --loglevel verbose
`

// cpuProfileEnv names the environment variable that, when set, makes the
// server write a CPU profile (go tool pprof) to that path until it exits:
// how tools/bench-redis.sh -p finds the hot spots.
const cpuProfileEnv = "MINI_REDIS_CPUPROFILE"

// run is the whole program; it returns the exit code.
func run(args []string, stderr io.Writer) int {
	if len(args) == 1 {
		switch args[0] {
		case "-h", "--help":
			fmt.Fprint(stderr, usage)
			return 0
		case "-v", "--version":
			fmt.Fprintf(stderr, "mini-redis server v=%s (Redis protocol %s compatible)\n", server.Version, server.RedisVersion)
			return 0
		}
	}
	level := zap.NewAtomicLevel()
	log, err := newLogger(level)
	if err != nil {
		fmt.Fprintf(stderr, "mini-redis-server: %v\n", err)
		return 1
	}
	defer log.Sync()
	tracer, err := tracing.FromEnv(context.Background())
	if err != nil {
		log.Error("tracing", zap.Error(err))
		return 1
	}
	// The collector reads the server built just below, which needs the
	// collector among its observers.
	var srv *server.Server
	collector := metrics.NewCollector(metrics.SourceFunc(func() server.Stats { return srv.Stats() }))
	observers := server.Observers{collector}
	if tracer != nil {
		observers = append(observers, tracer)
		defer flushTraces(tracer, log)
	}
	srv, err = server.New(args, server.Options{Logger: log, LogLevel: &level, Observer: observers,
		MaxMemoryChanged: func(maxmemory uint64) { debug.SetMemoryLimit(server.GoMemoryLimit(maxmemory)) }})
	if err != nil {
		fmt.Fprintf(stderr, "\n%v\n", err)
		return 1
	}
	if addr := srv.MetricsAddr(); addr != "" {
		ms, err := metrics.Listen(addr, collector)
		if err != nil {
			log.Error("metrics listen", zap.Error(err))
			return 1
		}
		log.Info("Prometheus metrics listening", zap.String("url", "http://"+ms.Addr().String()+"/metrics"))
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			ms.Close(ctx)
		}()
	}
	runtime.GOMAXPROCS(srv.IOThreads())

	if path := os.Getenv(cpuProfileEnv); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			log.Error("cpu profile", zap.Error(err))
			return 1
		}
		defer stop()
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	go relaySignals(signals, srv, log)
	if err := srv.ListenAndServe(context.Background()); err != nil {
		log.Error("server failed", zap.Error(err))
		return 1
	}
	return 0
}

// flushTraces exports the spans still queued, giving the collector a few
// seconds.
func flushTraces(t *tracing.Tracer, log *zap.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := t.Shutdown(ctx); err != nil {
		log.Warn("flushing traces", zap.Error(err))
	}
}

// newLogger returns a production zap logger whose level follows level.
func newLogger(level zap.AtomicLevel) (*zap.Logger, error) {
	zc := zap.NewProductionConfig()
	zc.Level = level
	zc.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	return zc.Build()
}

// startCPUProfile profiles the process into path; stop writes it out.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// relaySignals turns SIGINT and SIGTERM into shutdown requests. A signal
// while a shutdown is under way (a slow drain, a long final save) exits at
// once with status 1; after a shutdown aborted by a failed save, the next
// signal tries again.
func relaySignals(signals <-chan os.Signal, srv *server.Server, log *zap.Logger) {
	for sig := range signals {
		if srv.ShutdownPending() {
			log.Warn("second signal; exiting now")
			log.Sync()
			os.Exit(1)
		}
		log.Info("received shutdown signal", zap.Stringer("signal", sig))
		srv.RequestShutdown()
	}
}
