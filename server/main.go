// Command server is mini-redis: a Redis-compatible in-memory key/value
// server, with a gRPC admin API beside it.
//
//	server [--port 6379] [--bind 127.0.0.1] [--loglevel info]
//	       [--admin-bind 127.0.0.1] [--admin-port 7379]
//
// SIGINT or SIGTERM (or the admin Shutdown call) stops it gracefully: it
// stops accepting, lets clients finish the commands they sent, closes them
// and exits 0. A second signal exits at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mini-redis/mini-redis/admin"
	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Config is the server's configuration.
type Config struct {
	ConfigFile string   // the file it was loaded from, for INFO and CONFIG REWRITE
	Bind       []string // addresses to listen on; a "-" prefix makes one optional
	Port       int
	AdminBind  string
	AdminPort  int // 0 disables the admin API
	LogLevel   string

	RequirePass            string
	ProtectedMode          bool
	MaxClients             int
	Timeout                time.Duration // idle clients are closed after it; 0 never
	TCPKeepAlive           time.Duration
	Databases              int
	ProtoMaxBulkLen        int64
	ClientQueryBufferLimit int64
	PubsubOutputLimits     connection.PushLimits
	EnableDebugCommand     string // no, yes or local

	// WriteTimeout bounds each write to a client; 0 means none.
	WriteTimeout time.Duration
	// ShutdownTimeout bounds a graceful shutdown before clients are cut off.
	ShutdownTimeout time.Duration
	// Clock is the keyspace's clock; nil means the system clock.
	Clock db.Clock
	// Rand is the keyspace's randomness; nil means a random seed.
	Rand db.Rand
}

// defaultConfig returns Redis's defaults (and the admin API's).
func defaultConfig() Config {
	return Config{
		Bind:                   []string{"127.0.0.1", "-::1"},
		Port:                   6379,
		AdminBind:              "127.0.0.1",
		AdminPort:              7379,
		LogLevel:               "info",
		ProtectedMode:          true,
		MaxClients:             10000,
		TCPKeepAlive:           300 * time.Second,
		Databases:              16,
		ProtoMaxBulkLen:        512 << 20,
		ClientQueryBufferLimit: 1 << 30,
		PubsubOutputLimits:     connection.PushLimits{Hard: 32 << 20, Soft: 8 << 20, SoftFor: 60 * time.Second},
		EnableDebugCommand:     "no",
		WriteTimeout:           30 * time.Second,
		ShutdownTimeout:        10 * time.Second,
	}
}

// logLevelEnv names the environment variable that sets the log level when
// --loglevel is not given.
const logLevelEnv = "MINI_REDIS_LOGLEVEL"

// parseFlags reads the command line. Flags take Redis's names, with one or
// two dashes.
func parseFlags(args []string, stderr io.Writer) (Config, error) {
	cfg := defaultConfig()
	if lvl := os.Getenv(logLevelEnv); lvl != "" {
		cfg.LogLevel = lvl
	}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bind := fs.String("bind", strings.Join(cfg.Bind, " "), "addresses to accept Redis clients on, space separated")
	fs.IntVar(&cfg.Port, "port", cfg.Port, "TCP port for Redis clients")
	fs.StringVar(&cfg.AdminBind, "admin-bind", cfg.AdminBind, "address of the gRPC admin API")
	fs.IntVar(&cfg.AdminPort, "admin-port", cfg.AdminPort, "TCP port of the gRPC admin API (0 disables it)")
	fs.StringVar(&cfg.LogLevel, "loglevel", cfg.LogLevel, "log level: debug, info, warn or error (also $"+logLevelEnv+")")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.Bind = strings.Fields(*bind)
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return cfg, fmt.Errorf("invalid port %d", cfg.Port)
	}
	if cfg.AdminPort < 0 || cfg.AdminPort > 65535 {
		return cfg, fmt.Errorf("invalid admin port %d", cfg.AdminPort)
	}
	return cfg, nil
}

// newLogger returns a production zap logger at the named level. It accepts
// Redis's level names too (verbose, notice, warning).
func newLogger(level string) (*zap.Logger, error) {
	var lvl zapcore.Level
	switch level {
	case "verbose":
		lvl = zapcore.DebugLevel
	case "notice":
		lvl = zapcore.InfoLevel
	case "warning":
		lvl = zapcore.WarnLevel
	default:
		if err := lvl.UnmarshalText([]byte(level)); err != nil {
			return nil, fmt.Errorf("invalid log level %q: want debug, info, warn or error", level)
		}
	}
	zc := zap.NewProductionConfig()
	zc.Level = zap.NewAtomicLevelAt(lvl)
	zc.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	return zc.Build()
}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run is the whole program; it returns the exit code.
func run(args []string, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 2
	}
	log, err := newLogger(cfg.LogLevel)
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 2
	}
	defer log.Sync()

	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("server failed", zap.Error(err))
		return 1
	}
	return 0
}

// serve runs the server until ctx ends or the admin API asks it to stop,
// then shuts it down gracefully.
func serve(ctx context.Context, cfg Config, log *zap.Logger) error {
	srv := NewServer(cfg, log)
	lns, err := ListenAddrs(cfg.Bind, cfg.Port)
	if err != nil {
		return err
	}
	serveErr := make(chan error, len(lns)+1)
	for _, ln := range lns {
		go func() { serveErr <- srv.Serve(ln) }()
	}

	shutdownRequested := make(chan struct{})
	var once sync.Once
	srv.requestShutdown = func() { once.Do(func() { close(shutdownRequested) }) }
	var adminSrv *admin.Server
	if cfg.AdminPort != 0 {
		adminLn, err := net.Listen("tcp", net.JoinHostPort(cfg.AdminBind, strconv.Itoa(cfg.AdminPort)))
		if err != nil {
			srv.Shutdown(context.Background())
			return fmt.Errorf("admin listen: %w", err)
		}
		adminSrv = admin.NewServer(adminStats{srv}, shutdownFunc(srv.requestShutdown))
		go func() { serveErr <- adminSrv.Serve(adminLn) }()
		log.Info("admin API listening", zap.Stringer("addr", adminLn.Addr()))
	}
	for _, ln := range lns {
		log.Info("ready to accept connections", zap.Stringer("addr", ln.Addr()))
	}

	var failure error
	select {
	case <-ctx.Done():
		log.Info("received shutdown signal; shutting down")
	case <-shutdownRequested:
		log.Info("shutdown requested; shutting down")
	case failure = <-serveErr:
		log.Error("listener failed; shutting down", zap.Error(failure))
	}
	forceExitOnSecondSignal(log)

	if adminSrv != nil {
		adminSrv.SetNotServing()
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("clients cut off after the shutdown timeout", zap.Error(err))
	}
	if adminSrv != nil {
		adminSrv.Stop(sctx)
	}
	log.Info("server stopped")
	return failure
}

// forceExitOnSecondSignal makes a second SIGINT or SIGTERM, during a slow
// graceful shutdown, exit at once.
func forceExitOnSecondSignal(log *zap.Logger) {
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-again
		log.Warn("second signal; exiting now")
		log.Sync()
		os.Exit(1)
	}()
}

// adminStats presents the server's counters to the admin API.
type adminStats struct{ srv *Server }

func (a adminStats) Stats() admin.Stats {
	st := a.srv.Stats()
	return admin.Stats{
		Uptime:           st.Uptime,
		ConnectedClients: st.ConnectedClients,
		TotalCommands:    st.TotalCommands,
		Keys:             st.Keys,
	}
}

// shutdownFunc adapts a function to admin.Shutdowner.
type shutdownFunc func()

func (f shutdownFunc) RequestShutdown() { f() }
