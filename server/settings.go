package server

import (
	"errors"
	"math"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db/pubsub"
	"github.com/mini-redis/mini-redis/server/config"
	"go.uber.org/zap/zapcore"
)

// The server's configuration parameters, with Redis's names, kinds,
// defaults and bounds. Each Apply stores its value in cfg, which the
// server is built from, and once the server runs (live is set), in its
// runtime settings, so CONFIG SET takes effect at once.

// liveServer is the running server, for Apply callbacks; nil while the
// configuration is being loaded.
type liveServer = atomic.Pointer[Server]

// logLevelEnv names the environment variable that sets the log level when
// no loglevel parameter is given.
const logLevelEnv = "MINI_REDIS_LOGLEVEL"

// params returns the registry. loglevel's default comes from
// $MINI_REDIS_LOGLEVEL when set.
func params(cfg *Config, live *liveServer) []config.Param {
	const intMax = math.MaxInt32
	running := func(f func(s *Server)) {
		if s := live.Load(); s != nil {
			f(s)
		}
	}
	logDefault := "notice"
	if env := os.Getenv(logLevelEnv); env != "" {
		logDefault = env
	}
	return []config.Param{
		{Name: "port", Kind: config.Int{Min: 0, Max: 65535}, Default: "6379", Immutable: true,
			Apply: func(v config.Value) error { cfg.Port = int(v.Int()); return nil }},
		{Name: "bind", Kind: config.Bind{}, Default: "127.0.0.1 -::1", Immutable: true,
			Apply: func(v config.Value) error { cfg.Bind = v.Any().([]string); return nil }},
		{Name: "protected-mode", Kind: config.Bool{}, Default: "yes", Apply: func(v config.Value) error {
			cfg.ProtectedMode = v.Bool()
			running(func(s *Server) { s.settings.protectedMode.Store(v.Bool()) })
			return nil
		}},
		{Name: "timeout", Kind: config.Int{Min: 0, Max: intMax}, Default: "0", Apply: func(v config.Value) error {
			cfg.Timeout = time.Duration(v.Int()) * time.Second
			running(func(s *Server) {
				s.settings.idleTimeout.Store(v.Int())
				s.settings.generation.Add(1)
			})
			return nil
		}},
		{Name: "tcp-keepalive", Kind: config.Int{Min: 0, Max: intMax}, Default: "300", Apply: func(v config.Value) error {
			cfg.TCPKeepAlive = time.Duration(v.Int()) * time.Second
			running(func(s *Server) { s.settings.tcpKeepAlive.Store(v.Int()) })
			return nil
		}},
		{Name: "maxclients", Kind: config.Int{Min: 1, Max: math.MaxUint32}, Default: "10000", Apply: func(v config.Value) error {
			cfg.MaxClients = int(v.Int())
			running(func(s *Server) { s.settings.maxClients.Store(v.Int()) })
			return nil
		}},
		{Name: "requirepass", Kind: config.String{OmitEmpty: true}, Default: "", Apply: func(v config.Value) error {
			cfg.RequirePass = v.String()
			running(func(s *Server) {
				p := v.String()
				s.settings.requirepass.Store(&p)
			})
			return nil
		}},
		{Name: "databases", Kind: config.Int{Min: 1, Max: intMax}, Default: "16", Immutable: true,
			Apply: func(v config.Value) error { cfg.Databases = int(v.Int()); return nil }},
		{Name: "save", Kind: config.Save{}, Default: "3600 1 300 100 60 10000", Apply: func(v config.Value) error {
			cfg.Save = v.Any().([]config.SavePoint)
			running(func(s *Server) { s.setSaveRules(cfg.Save) })
			return nil
		}},
		{Name: "dir", Kind: config.Dir{}, Default: ".", Protected: true, Apply: func(v config.Value) error {
			cfg.Dir = v.String()
			running(func(s *Server) { s.setDumpPath(cfg.Dir, "") })
			return nil
		}},
		{Name: "dbfilename", Kind: config.String{Check: checkBaseName}, Default: "dump.rdb", Protected: true,
			Apply: func(v config.Value) error {
				cfg.DBFilename = v.String()
				running(func(s *Server) { s.setDumpPath("", cfg.DBFilename) })
				return nil
			}},
		{Name: "rdbcompression", Kind: config.Bool{}, Default: "yes", Apply: func(v config.Value) error {
			cfg.RDBCompression = v.Bool()
			running(func(s *Server) { s.persist.compression.Store(v.Bool()) })
			return nil
		}},
		{Name: "rdbchecksum", Kind: config.Bool{}, Default: "yes", Immutable: true,
			Apply: func(v config.Value) error { cfg.RDBChecksum = v.Bool(); return nil }},
		{Name: "stop-writes-on-bgsave-error", Kind: config.Bool{}, Default: "yes", Apply: func(v config.Value) error {
			cfg.StopWritesOnBgsaveError = v.Bool()
			running(func(s *Server) { s.persist.stopWritesOnError.Store(v.Bool()) })
			return nil
		}},
		{Name: "appendonly", Kind: config.Bool{}, Default: "no", Apply: func(v config.Value) error {
			if v.Bool() {
				return errors.New("append-only files are not supported; use RDB snapshots (save)")
			}
			return nil
		}},
		{Name: "loglevel", Kind: config.Enum{Values: []string{"debug", "verbose", "notice", "warning", "info", "warn", "error"}},
			Default: logDefault, Apply: func(v config.Value) error {
				lvl, err := zapLevel(v.String())
				if err != nil {
					return err
				}
				cfg.LogLevel = lvl
				cfg.LogLevelAtom.SetLevel(lvl)
				return nil
			}},
		{Name: "notify-keyspace-events", Kind: notifyKind, Default: "", Apply: func(v config.Value) error {
			flags := v.Any().(pubsub.EventFlags)
			cfg.NotifyKeyspaceEvents = flags
			running(func(s *Server) { s.settings.notifyClasses.Store(uint32(flags)) })
			return nil
		}},
		{Name: "hz", Kind: config.Int{Min: 0, Max: intMax, Adjust: func(n int64) int64 { return min(max(n, 1), 500) }},
			Default: "10"},
		{Name: "maxmemory", Kind: config.Memory{Min: 0, Max: math.MaxUint64}, Default: "0", Apply: func(v config.Value) error {
			cfg.MaxMemory = v.Uint()
			running(func(s *Server) { s.settings.maxMemory.Store(v.Uint()) })
			return nil
		}},
		{Name: "maxmemory-policy", Kind: config.Enum{Values: []string{"volatile-lru", "volatile-lfu", "volatile-random",
			"volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}}, Default: "noeviction",
			Apply: func(v config.Value) error {
				if v.String() != "noeviction" {
					return errors.New("only noeviction is supported: this server never evicts keys")
				}
				return nil
			}},
		{Name: "proto-max-bulk-len", Kind: config.Memory{Min: 1 << 20, Max: math.MaxInt64}, Default: "512mb",
			Apply: func(v config.Value) error {
				cfg.ProtoMaxBulkLen = int64(v.Uint())
				running(func(s *Server) {
					s.settings.protoMaxBulk.Store(int64(v.Uint()))
					s.settings.generation.Add(1)
				})
				return nil
			}},
		{Name: "client-query-buffer-limit", Kind: config.Memory{Min: 1 << 20, Max: math.MaxInt64}, Default: "1gb",
			Apply: func(v config.Value) error {
				cfg.ClientQueryBufferLimit = int64(v.Uint())
				running(func(s *Server) { s.settings.queryBufLimit.Store(int64(v.Uint())) })
				return nil
			}},
		{Name: "client-output-buffer-limit", Kind: config.OutputBufferLimits{},
			Default: "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60", Apply: func(v config.Value) error {
				classes := v.Any().(config.BufferLimits)
				pushLimits := func(l config.BufferLimit) connection.PushLimits {
					return connection.PushLimits{Hard: int(l.Hard), Soft: int(l.Soft), SoftFor: time.Duration(l.SoftSeconds) * time.Second}
				}
				normal, pubsub := pushLimits(classes[config.ClassNormal]), pushLimits(classes[config.ClassPubSub])
				cfg.NormalOutputLimits, cfg.PubsubOutputLimits = normal, pubsub
				running(func(s *Server) {
					s.settings.normalLimits.Store(&normal)
					s.settings.pubsubLimits.Store(&pubsub)
					s.settings.generation.Add(1)
				})
				return nil
			}},
		{Name: "io-threads", Kind: config.Int{Min: 1, Max: 128}, Default: "1", Immutable: true,
			Apply: func(v config.Value) error { cfg.IOThreads = int(v.Int()); return nil }},
		{Name: "enable-debug-command", Kind: config.Enum{Values: []string{"no", "yes", "local"}}, Default: "no", Immutable: true,
			Apply: func(v config.Value) error { cfg.EnableDebugCommand = v.String(); return nil }},
		{Name: "enable-protected-configs", Kind: config.Enum{Values: []string{"no", "yes", "local"}}, Default: "no", Immutable: true,
			Apply: func(v config.Value) error { cfg.EnableProtectedConfigs = v.String(); return nil }},
		{Name: "admin-bind", Kind: config.String{}, Default: "127.0.0.1", Immutable: true,
			Apply: func(v config.Value) error { cfg.AdminBind = v.String(); return nil }},
		{Name: "admin-port", Kind: config.Int{Min: 0, Max: 65535}, Default: "7379", Immutable: true,
			Apply: func(v config.Value) error { cfg.AdminPort = int(v.Int()); return nil }},
		{Name: "admin-token", Kind: config.String{OmitEmpty: true}, Default: "", Immutable: true, Hidden: true,
			Apply: func(v config.Value) error { cfg.AdminToken = v.String(); return nil }},
	}
}

// notifyKind is notify-keyspace-events, parsed and printed by package
// pubsub.
var notifyKind = config.Special{
	ParseFunc:  func(args []string, _ any) (any, error) { return pubsub.ParseEventFlags(args[0]) },
	FormatFunc: func(v any) string { return v.(pubsub.EventFlags).String() },
}

func checkBaseName(s string) error {
	if strings.ContainsAny(s, `/\`) {
		return errors.New("dbfilename can't be a path, just a filename")
	}
	return nil
}

// zapLevel maps Redis's and zap's level names to a zap level.
func zapLevel(name string) (zapcore.Level, error) {
	switch name {
	case "debug", "verbose":
		return zapcore.DebugLevel, nil
	case "notice", "info":
		return zapcore.InfoLevel, nil
	case "warning", "warn":
		return zapcore.WarnLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	}
	return 0, errors.New("unknown log level " + name)
}
