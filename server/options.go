package server

import (
	"io"
	"math"
	"os"
	"time"

	"github.com/mini-redis/mini-redis/db"
	"go.uber.org/zap"
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
	// Observer, when set, is told of every executed command and every
	// save (tracing, metrics); nil costs nothing.
	Observer Observer
	// MaxMemoryChanged, when set, is told the maxmemory parameter's value
	// (0: no limit) when the server is built and at every change. The
	// mini-redis binary gives the Go runtime a soft memory limit from it
	// (see GoMemoryLimit); a library leaves process-wide settings to the
	// program that embeds it.
	MaxMemoryChanged func(maxmemory uint64)
}

// GoMemoryLimit is the soft memory limit for the Go runtime
// (debug.SetMemoryLimit) of a process whose only tenant is a server with
// this maxmemory: none (math.MaxInt64) for 0, otherwise maxmemory plus half
// of it again and 64 MiB. Eviction keeps the dataset near maxmemory; the
// garbage collector, which by default lets the heap grow to twice what is
// live, then runs early enough that the process stays near the limit too,
// with room for client buffers and the runtime, and never below what
// eviction leaves live (which would make it collect without end).
func GoMemoryLimit(maxmemory uint64) int64 {
	const headroom = 64 << 20
	if maxmemory == 0 || maxmemory > (math.MaxInt64-headroom)/3*2 {
		return math.MaxInt64
	}
	return int64(maxmemory + maxmemory/2 + headroom)
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
	cfg.Clock, cfg.Rand, cfg.Observer = opts.Clock, opts.Rand, opts.Observer
	if f := opts.MaxMemoryChanged; f != nil {
		// The configuration has loaded already: tell the value it holds now.
		cfg.settings.onMaxMemory.Store(&f)
		f(cfg.settings.maxMemory.Load())
	}
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	return newServer(cfg, log), nil
}

// serverConfig is what a server is built from: its parameters, loaded by
// loadConfig, and the rest of its configuration, which redis.conf does not
// set.
type serverConfig struct {
	// WriteTimeout bounds each write to a client; 0 means none.
	WriteTimeout time.Duration
	// ShutdownTimeout bounds a graceful shutdown before clients are cut off.
	ShutdownTimeout time.Duration
	// Clock is the keyspace's clock; nil means the system clock.
	Clock db.Clock
	// Rand is the keyspace's randomness; nil means a random seed.
	Rand db.Rand
	// Observer is told of commands and saves; nil for none.
	Observer Observer
	// hugePages reports the bytes of transparent huge pages the process
	// uses, for LATENCY DOCTOR's advice; nil reads /proc/self (tests give
	// the reference server's, whose memory is not ours).
	hugePages func() int64

	// settings are the redis.conf parameters, which CONFIG SET changes in
	// the server built from them.
	settings *settings
}

// loadConfig builds the configuration from redis-server style arguments,
// reading stdin for a "-" file; level follows the loglevel parameter.
func loadConfig(args []string, stdin io.Reader, level zap.AtomicLevel) (serverConfig, error) {
	cfg := serverConfig{
		WriteTimeout:    30 * time.Second,
		ShutdownTimeout: 10 * time.Second,
	}
	st, err := newSettings(level)
	if err != nil {
		return cfg, err
	}
	if err := st.conf.Load(args, stdin); err != nil {
		return cfg, err
	}
	if err := st.loadStartupUsers(); err != nil {
		return cfg, err
	}
	cfg.settings = st
	return cfg, nil
}
