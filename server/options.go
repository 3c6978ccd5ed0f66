package server

import (
	"io"
	"os"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
	"github.com/mini-redis/mini-redis/server/config"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Options are what a program embedding the server supplies besides its
// redis-server style configuration.
type Options struct {
	// Logger receives the server's logs; nil discards them.
	Logger *zap.Logger
	// LogLevel, when set, is the level Logger was built with: the server
	// sets it from the loglevel parameter, at start and on CONFIG SET.
	LogLevel *zap.AtomicLevel
	// Clock is the keyspace's clock (expiry, TTLs, OBJECT IDLETIME); nil
	// means the system clock. Tests inject one to expire keys without
	// sleeping (see package servertest).
	Clock db.Clock
	// Rand is the keyspace's randomness (RANDOMKEY, expiry sampling); nil
	// means a random seed.
	Rand db.Rand
	// Stdin is read when the arguments name "-" as the configuration
	// file; nil means os.Stdin.
	Stdin io.Reader
}

// New builds a server from redis-server style arguments: an optional
// configuration file, then "--name value" options that override it, as
// in
//
//	server.New([]string{"/etc/redis.conf", "--port", "6380"}, server.Options{})
//
// The server serves nothing until Start, ListenAndServe or Serve. Every
// server is independent of the others in the process.
func New(args []string, opts Options) (*Server, error) {
	stdin := opts.Stdin
	if stdin == nil {
		stdin = os.Stdin
	}
	level := zap.NewAtomicLevel()
	if opts.LogLevel != nil {
		level = *opts.LogLevel
	}
	cfg, err := loadConfig(args, stdin, level)
	if err != nil {
		return nil, err
	}
	cfg.Clock, cfg.Rand = opts.Clock, opts.Rand
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	return newServer(cfg, log), nil
}

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

// loadConfig builds the configuration from redis-server style arguments,
// reading stdin for a "-" file; level follows the loglevel parameter. The
// server built from it (newServer) receives CONFIG SET's changes.
func loadConfig(args []string, stdin io.Reader, level zap.AtomicLevel) (Config, error) {
	cfg := Config{
		LogLevelAtom:    level,
		WriteTimeout:    30 * time.Second,
		ShutdownTimeout: 10 * time.Second,
	}
	live := new(liveServer)
	conf, err := config.New(params(&cfg, live)...)
	if err != nil {
		return cfg, err
	}
	if err := conf.Load(args, stdin); err != nil {
		return cfg, err
	}
	cfg.ConfigFile = conf.File()
	cfg.conf, cfg.live = conf, live
	return cfg, nil
}
