// Command server is mini-redis: a Redis-compatible in-memory key/value
// server, with a gRPC admin API beside it.
//
//	server [/path/to/redis.conf] [--name value ...]
//
// Configuration works as for redis-server: an optional redis.conf-style
// file, then "--name value" options that override it (--port 6380,
// --requirepass secret, --save "", --admin-port 7380, ...). The log level
// comes from --loglevel or $MINI_REDIS_LOGLEVEL.
//
// SIGINT or SIGTERM (or SHUTDOWN, or the admin Shutdown call) stops it
// gracefully: it stops accepting, lets clients finish the commands they
// sent, saves if configured to, closes them and exits 0. A second signal
// exits at once.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/mini-redis/mini-redis/admin"
	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
	"github.com/mini-redis/mini-redis/server/config"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Config is the server's configuration, as the parameters in settings.go
// fill it.
type Config struct {
	ConfigFile string   // the file it was loaded from, for INFO and CONFIG REWRITE
	Bind       []string // addresses to listen on; a "-" prefix makes one optional
	Port       int
	AdminBind  string
	AdminPort  int // 0 disables the admin API
	AdminToken string

	LogLevel     zapcore.Level
	LogLevelAtom zap.AtomicLevel // CONFIG SET loglevel changes it live

	RequirePass            string
	ProtectedMode          bool
	MaxClients             int
	Timeout                time.Duration // idle clients are closed after it; 0 never
	TCPKeepAlive           time.Duration
	Databases              int
	ProtoMaxBulkLen        int64
	ClientQueryBufferLimit int64
	NormalOutputLimits     connection.PushLimits // client-output-buffer-limit normal
	PubsubOutputLimits     connection.PushLimits // client-output-buffer-limit pubsub
	NotifyKeyspaceEvents   pubsub.EventFlags
	MaxMemory              uint64
	EnableDebugCommand     string // no, yes or local
	EnableProtectedConfigs string // no, yes or local
	// IOThreads is how many threads run clients' commands (GOMAXPROCS).
	// Redis's default, 1, is also the best here when clients share the
	// machine's cores (tools/bench-redis.sh); more use more cores.
	IOThreads int

	// Persistence.
	Save                    []config.SavePoint
	Dir                     string
	DBFilename              string
	RDBCompression          bool
	RDBChecksum             bool
	StopWritesOnBgsaveError bool

	// WriteTimeout bounds each write to a client; 0 means none.
	WriteTimeout time.Duration
	// ShutdownTimeout bounds a graceful shutdown before clients are cut off.
	ShutdownTimeout time.Duration
	// Clock is the keyspace's clock; nil means the system clock.
	Clock db.Clock
	// Rand is the keyspace's randomness; nil means a random seed.
	Rand db.Rand

	// conf is the parameter registry the configuration came from, and live
	// tells its Apply callbacks which server to update.
	conf *config.Config
	live *liveServer
}

// loadConfig builds the configuration from redis-server style arguments.
// The server built from it (NewServer) receives CONFIG SET's changes.
func loadConfig(args []string) (Config, error) {
	cfg := Config{
		LogLevelAtom:    zap.NewAtomicLevel(),
		WriteTimeout:    30 * time.Second,
		ShutdownTimeout: 10 * time.Second,
	}
	live := new(liveServer)
	conf, err := config.New(params(&cfg, live)...)
	if err != nil {
		return cfg, err
	}
	if err := conf.Load(args, os.Stdin); err != nil {
		return cfg, err
	}
	cfg.ConfigFile = conf.File()
	cfg.conf, cfg.live = conf, live
	return cfg, nil
}

// cpuProfileEnv names the environment variable that, when set, makes the
// server write a CPU profile (go tool pprof) to that path until it exits:
// how tools/bench-redis.sh -p finds the hot spots.
const cpuProfileEnv = "MINI_REDIS_CPUPROFILE"

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

// logLevelEnv names the environment variable that sets the log level when
// --loglevel is not given.
const logLevelEnv = "MINI_REDIS_LOGLEVEL"

// newLogger returns a production zap logger whose level follows level.
func newLogger(level zap.AtomicLevel) (*zap.Logger, error) {
	zc := zap.NewProductionConfig()
	zc.Level = level
	zc.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	return zc.Build()
}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

const usage = `Usage: server [/path/to/redis.conf] [options] [-]
       server - (read config from stdin)
       server -v or --version
       server -h or --help

Examples:
       server (run the server with default config)
       server /etc/redis/6379.conf
       server --port 7777 --admin-port 7778
       server /etc/myredis.conf --loglevel verbose
`

// run is the whole program; it returns the exit code.
func run(args []string, stderr io.Writer) int {
	if len(args) == 1 {
		switch args[0] {
		case "-h", "--help":
			fmt.Fprint(stderr, usage)
			return 0
		case "-v", "--version":
			fmt.Fprintf(stderr, "mini-redis server v=%s (Redis protocol %s compatible)\n", version, redisCompatVersion)
			return 0
		}
	}
	cfg, err := loadConfig(args)
	if err != nil {
		fmt.Fprintf(stderr, "\n%v\n", err)
		return 1
	}
	runtime.GOMAXPROCS(cfg.IOThreads)
	log, err := newLogger(cfg.LogLevelAtom)
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}
	defer log.Sync()

	if path := os.Getenv(cpuProfileEnv); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			log.Error("cpu profile", zap.Error(err))
			return 1
		}
		defer stop()
	}
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("server failed", zap.Error(err))
		return 1
	}
	return 0
}

// serve runs the server until ctx ends or something asks it to stop, then
// shuts it down gracefully.
func serve(ctx context.Context, cfg Config, log *zap.Logger) error {
	srv := NewServer(cfg, log)
	// Set before any client can run SHUTDOWN, which calls it.
	shutdownRequested := make(chan struct{})
	srv.requestShutdown = sync.OnceFunc(func() { close(shutdownRequested) })
	// abort stops the server's goroutines when it cannot start.
	abort := func(err error) error {
		srv.Shutdown(context.Background())
		return err
	}
	if err := srv.loadDump(); err != nil {
		return abort(err)
	}
	lns, err := ListenAddrs(cfg.Bind, cfg.Port)
	if err != nil {
		return abort(err)
	}
	serveErr := make(chan error, len(lns)+1)
	for _, ln := range lns {
		go func() { serveErr <- srv.Serve(ln) }()
	}

	var adminSrv *admin.Server
	if cfg.AdminPort != 0 {
		addr := net.JoinHostPort(cfg.AdminBind, strconv.Itoa(cfg.AdminPort))
		tokenForAll, err := admin.CheckBind(addr, cfg.AdminToken)
		if err != nil {
			return abort(err)
		}
		adminLn, err := net.Listen("tcp", addr)
		if err != nil {
			return abort(fmt.Errorf("admin listen: %w", err))
		}
		adminSrv = admin.NewServer(srv.adminBackend(), admin.Options{Token: cfg.AdminToken, RequireTokenForAll: tokenForAll})
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
	drain := cfg.ShutdownTimeout
	if o := srv.shutdownOpts.Load(); o != nil && o.Drain > 0 {
		drain = o.Drain
	}
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("clients cut off after the shutdown timeout", zap.Error(err))
	}
	if err := srv.saveOnShutdown(); err != nil {
		log.Error("saving on shutdown failed", zap.Error(err))
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
