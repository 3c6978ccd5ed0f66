package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
	"github.com/mini-redis/mini-redis/server/config"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// settings are the server's configuration parameters: the registry behind
// CONFIG GET/SET/REWRITE, and a Handle per parameter that the server reads
// where it needs the value, so that CONFIG SET takes effect at once.
type settings struct {
	conf *config.Config

	port          config.Handle[int64]
	bind          config.Handle[[]string] // a "-" prefix makes an address optional
	protectedMode config.Handle[bool]
	timeout       config.Handle[int64] // seconds idle clients are closed after; 0 never
	tcpKeepAlive  config.Handle[int64] // seconds; 0 disables
	maxClients    config.Handle[int64]
	requirePass   config.Handle[string]
	databases     config.Handle[int64]
	// onRequirePass, once the server has its ACL users, is told every
	// change of requirepass.
	onRequirePass atomic.Pointer[func(string)]

	// The ACL parameters, and the users of the configuration's user
	// directives and the aclfile (acl_file.go).
	aclFile      config.Handle[string]
	aclLogMaxLen config.Handle[int64]
	// aclPubsubDefault is acl-pubsub-default: "allchannels" or
	// "resetchannels", the channels of new and reset users.
	aclPubsubDefault config.Handle[string]
	acl              aclConfig

	save                    config.Handle[[]config.SavePoint]
	dir                     config.Handle[string]
	dbFilename              config.Handle[string]
	rdbCompression          config.Handle[bool]
	rdbChecksum             config.Handle[bool]
	stopWritesOnBgsaveError config.Handle[bool]
	// aofLoadTruncated loads an append-only file whose last file ends in
	// a partial command, dropping it, instead of refusing to start.
	aofLoadTruncated config.Handle[bool]

	// The append-only file's parameters (aof.go). onAppendOnly, once the
	// server runs, is told every CONFIG SET of appendonly: it starts the
	// AOF (with a rewrite) or stops it, and its error refuses the change.
	appendOnly               config.Handle[bool]
	appendFilename           config.Handle[string]
	appendDirname            config.Handle[string]
	appendFsync              config.Handle[string] // always, everysec or no
	noAppendFsyncOnRewrite   config.Handle[bool]
	autoAOFRewritePercentage config.Handle[int64]
	autoAOFRewriteMinSize    config.Handle[uint64]
	aofUseRDBPreamble        config.Handle[bool]
	aofTimestampEnabled      config.Handle[bool]
	onAppendOnly             atomic.Pointer[func(bool) error]

	// The master side of replication (repl_master.go).
	replBacklogSize       config.Handle[uint64] // bytes of the stream kept for partial resyncs
	replBacklogTTL        config.Handle[int64]  // seconds without replicas before the backlog is freed; 0 never
	replDisklessSync      config.Handle[bool]   // full syncs stream the RDB to the socket (EOF-marked)
	replDisklessSyncDelay config.Handle[int64]  // seconds a diskless full sync waits before it starts
	replPingPeriod        config.Handle[int64]  // seconds between the PINGs put in the stream
	// replTimeout is repl-timeout: seconds without an ACK before a
	// replica is dropped, and without data from the master before a
	// replica cuts its link.
	replTimeout        config.Handle[int64]
	minReplicasToWrite config.Handle[int64] // writes refused with fewer good replicas; 0 off
	minReplicasMaxLag  config.Handle[int64] // seconds since its last ACK for a replica to be good

	notifyKeyspaceEvents config.Handle[pubsub.EventFlags]
	hz                   config.Handle[int64] // active expiry cycles a second
	// busyReplyThreshold is how many milliseconds a script runs before
	// other clients get BUSY replies (and SCRIPT KILL may stop it).
	busyReplyThreshold config.Handle[int64]
	maxMemory          config.Handle[uint64]
	// The eviction parameters (evict.go).
	maxMemoryPolicy  config.Handle[string]
	maxMemorySamples config.Handle[int64]
	evictionTenacity config.Handle[int64]
	lfuLogFactor     config.Handle[int64]
	lfuDecayTime     config.Handle[int64] // minutes
	// The lazyfree-lazy-* parameters: free big values off the command
	// path (evict.go).
	lazyEviction, lazyExpire, lazyServerDel, lazyUserDel, lazyUserFlush config.Handle[bool]
	// dynamicHz raises the background cycles' rate with the number of
	// clients, as Redis's dynamic-hz does.
	dynamicHz config.Handle[bool]
	// onAccess, once the server has a keyspace, is told the access
	// policy at every change of maxmemory-policy or the lfu-* parameters.
	onAccess atomic.Pointer[func(db.AccessPolicy)]
	// onMaxMemory, when the server was built with Options.MaxMemoryChanged,
	// is told maxmemory at every change.
	onMaxMemory            atomic.Pointer[func(uint64)]
	protoMaxBulkLen        config.Handle[uint64]
	clientQueryBufferLimit config.Handle[uint64]
	outputBufferLimits     config.Handle[config.BufferLimits]
	// ioThreads is how many threads run clients' commands (GOMAXPROCS).
	// Redis's default, 1, is also the best here when clients share the
	// machine's cores (tools/bench-redis.sh); more use more cores.
	ioThreads              config.Handle[int64]
	enableDebugCommand     config.Handle[string] // no, yes or local
	enableProtectedConfigs config.Handle[string] // no, yes or local

	// slowlogLogSlowerThan is the microseconds a command runs for to be
	// logged in the slow log: 0 logs every command, a negative value none.
	slowlogLogSlowerThan config.Handle[int64]
	slowlogMaxLen        config.Handle[int64] // entries the slow log keeps
	// latencyMonitorThreshold is the milliseconds an event lasts for
	// LATENCY to record it; 0 records none.
	latencyMonitorThreshold config.Handle[int64]
	// trackingTableMaxKeys bounds the keys CLIENT TRACKING remembers; 0
	// is no bound (tracking.go).
	trackingTableMaxKeys config.Handle[int64]
	// The tls-* parameters (tls.go). tlsConfig is the configuration built
	// from them, nil until Start serves TLS; CONFIG SET of any of them
	// rebuilds it.
	tlsPort           config.Handle[int64] // 0: no TLS listener
	tlsCertFile       config.Handle[string]
	tlsKeyFile        config.Handle[string]
	tlsKeyFilePass    config.Handle[string]
	tlsCACertFile     config.Handle[string]
	tlsCACertDir      config.Handle[string]
	tlsAuthClients    config.Handle[string] // yes, no or optional
	tlsProtocols      config.Handle[string]
	tlsCiphers        config.Handle[string]
	tlsCipherSuites   config.Handle[string]
	tlsSessionCaching config.Handle[bool]
	tlsConfig         atomic.Pointer[tls.Config]
	// tlsSessions is the TLS session cache (tls_session.go), bounded by
	// tls-session-cache-size and -timeout, read as each session comes and
	// goes; whose order of cipher suites wins is tls-prefer-server-ciphers.
	tlsSessions            tlsSessionCache
	tlsSessionCacheSize    config.Handle[int64]
	tlsSessionCacheTimeout config.Handle[int64] // seconds
	tlsPreferServerCiphers config.Handle[bool]

	adminBind  config.Handle[string]
	adminPort  config.Handle[int64] // 0 disables the admin API
	adminToken config.Handle[string]
	// metricsBind and metricsPort are where the binary serves Prometheus's
	// /metrics; 0 turns it off. The server only keeps them (see
	// Server.MetricsAddr): the HTTP endpoint lives in package
	// server/metrics, so the library does not pull in Prometheus.
	metricsBind config.Handle[string]
	metricsPort config.Handle[int64]
	// The admin API's TLS: a certificate and key turn it on; a CA makes
	// it verify the client certificates that are given.
	adminTLSCertFile   config.Handle[string]
	adminTLSKeyFile    config.Handle[string]
	adminTLSCACertFile config.Handle[string]

	// The collections' encoding thresholds, read through encodingLimits.
	listMaxListpackSize    config.Handle[int64]
	listCompressDepth      config.Handle[int64] // nodes left uncompressed at each end; changes no reply
	hashMaxListpackEntries config.Handle[int64]
	hashMaxListpackValue   config.Handle[uint64]
	setMaxIntsetEntries    config.Handle[int64]
	// hllSparseMaxBytes is the size past which a sparse HyperLogLog
	// becomes dense; PFADD and PFMERGE read it at each call.
	hllSparseMaxBytes      config.Handle[uint64]
	zsetMaxListpackEntries config.Handle[int64]
	zsetMaxListpackValue   config.Handle[uint64]
	streamNodeMaxBytes     config.Handle[uint64]
	streamNodeMaxEntries   config.Handle[int64]
	// onLimits, once the server has a keyspace, is told the new encoding
	// limits at every change of one of them, so that CONFIG SET takes
	// effect with the next command, as in Redis.
	onLimits atomic.Pointer[func(db.EncodingLimits)]

	// The replica's parameters (repl_replica.go). replicaOf is where the
	// replicaof directive points at start; REPLICAOF changes the server's
	// master later, and CONFIG GET and REWRITE show that (replicaOfNow).
	replicaOf              config.Handle[replicaTarget]
	replicaOfNow           atomic.Pointer[func() replicaTarget]
	masterAuth             config.Handle[string]
	masterUser             config.Handle[string]
	replicaReadOnly        config.Handle[bool]
	replicaServeStaleData  config.Handle[bool]
	replicaPriority        config.Handle[int64]
	replicaAnnounced       config.Handle[bool]
	replicaIgnoreMaxmemory config.Handle[bool] // a replica evicts nothing: the master's DELs come

	// generation changes whenever a setting that connected clients apply
	// to themselves (timeout, proto-max-bulk-len, output limits) changes.
	generation atomic.Int64
}

// logLevelEnv names the environment variable that sets the log level when
// no loglevel parameter is given.
const logLevelEnv = "MINI_REDIS_LOGLEVEL"

// newSettings registers the server's parameters, with Redis's names,
// kinds, defaults and bounds, at their defaults; level follows loglevel,
// whose default comes from $MINI_REDIS_LOGLEVEL when set.
func newSettings(level zap.AtomicLevel) (*settings, error) {
	const intMax = math.MaxInt32
	st := new(settings)
	logDefault := "notice"
	if env := os.Getenv(logLevelEnv); env != "" {
		logDefault = env
	}
	// Connections apply these themselves, when the generation changes.
	perClient := func(config.Value) error {
		st.generation.Add(1)
		return nil
	}
	// The keyspace reads its encoding limits itself.
	limits := func(config.Value) error {
		if f := st.onLimits.Load(); f != nil {
			(*f)(st.encodingLimits())
		}
		return nil
	}
	// The keyspace keeps its access clocks as the policy says.
	access := func(config.Value) error {
		if f := st.onAccess.Load(); f != nil {
			(*f)(st.accessPolicy())
		}
		return nil
	}
	// Every tls-* parameter rebuilds the TLS configuration.
	reloadTLS := func(config.Value) error { return st.reloadTLS() }
	tlsString := func(name string, h *config.Handle[string]) config.Param {
		return config.Param{Name: name, Kind: config.String{}, Default: "", Handle: h, Apply: reloadTLS}
	}
	conf, err := config.New(
		config.Param{Name: "port", Kind: config.Int{Min: 0, Max: 65535}, Default: "6379", Immutable: true, Handle: &st.port},
		config.Param{Name: "bind", Kind: config.Bind{}, Default: "127.0.0.1 -::1", Immutable: true, Handle: &st.bind},
		config.Param{Name: "protected-mode", Kind: config.Bool{}, Default: "yes", Handle: &st.protectedMode},
		config.Param{Name: "timeout", Kind: config.Int{Min: 0, Max: intMax}, Default: "0", Handle: &st.timeout, Apply: perClient},
		config.Param{Name: "tcp-keepalive", Kind: config.Int{Min: 0, Max: intMax}, Default: "300", Handle: &st.tcpKeepAlive},
		config.Param{Name: "maxclients", Kind: config.Int{Min: 1, Max: math.MaxUint32}, Default: "10000", Handle: &st.maxClients},
		config.Param{Name: "requirepass", Kind: config.String{OmitEmpty: true}, Default: "", Handle: &st.requirePass,
			Apply: func(v config.Value) error {
				// The default user's password is requirepass (acl_users.go).
				if f := st.onRequirePass.Load(); f != nil {
					(*f)(st.requirePass.Load())
				}
				return nil
			}},
		config.Param{Name: "aclfile", Kind: config.String{}, Default: "", Immutable: true, Handle: &st.aclFile},
		config.Param{Name: "acllog-max-len", Kind: config.Int{Min: 0, Max: math.MaxInt64}, Default: "128", Handle: &st.aclLogMaxLen},
		config.Param{Name: "acl-pubsub-default", Kind: config.Enum{Values: []string{"allchannels", "resetchannels"}},
			Default: "resetchannels", Handle: &st.aclPubsubDefault},
		config.Param{Name: "databases", Kind: config.Int{Min: 1, Max: intMax}, Default: "16", Immutable: true, Handle: &st.databases},
		config.Param{Name: "save", Kind: config.Save{}, Default: "3600 1 300 100 60 10000", Handle: &st.save},
		config.Param{Name: "dir", Kind: config.Dir{}, Default: ".", Protected: true, Handle: &st.dir},
		config.Param{Name: "dbfilename", Kind: config.String{Check: checkBaseName}, Default: "dump.rdb", Protected: true,
			Handle: &st.dbFilename},
		config.Param{Name: "rdbcompression", Kind: config.Bool{}, Default: "yes", Handle: &st.rdbCompression},
		config.Param{Name: "rdbchecksum", Kind: config.Bool{}, Default: "yes", Immutable: true, Handle: &st.rdbChecksum},
		config.Param{Name: "stop-writes-on-bgsave-error", Kind: config.Bool{}, Default: "yes", Handle: &st.stopWritesOnBgsaveError},
		config.Param{Name: "appendonly", Kind: config.Bool{}, Default: "no", Handle: &st.appendOnly, Apply: func(v config.Value) error {
			if f := st.onAppendOnly.Load(); f != nil {
				return (*f)(v.Bool())
			}
			return nil // at start: Start opens the AOF
		}},
		config.Param{Name: "aof-load-truncated", Kind: config.Bool{}, Default: "yes", Handle: &st.aofLoadTruncated},
		config.Param{Name: "appendfilename", Kind: config.String{Check: checkAOFName}, Default: "appendonly.aof", Immutable: true,
			Handle: &st.appendFilename},
		config.Param{Name: "appenddirname", Kind: config.String{Check: checkAOFDirName}, Default: "appendonlydir", Immutable: true,
			Handle: &st.appendDirname},
		config.Param{Name: "appendfsync", Kind: config.Enum{Values: []string{"everysec", "always", "no"}}, Default: "everysec",
			Handle: &st.appendFsync},
		config.Param{Name: "no-appendfsync-on-rewrite", Kind: config.Bool{}, Default: "no", Handle: &st.noAppendFsyncOnRewrite},
		config.Param{Name: "auto-aof-rewrite-percentage", Kind: config.Int{Min: 0, Max: intMax}, Default: "100",
			Handle: &st.autoAOFRewritePercentage},
		config.Param{Name: "auto-aof-rewrite-min-size", Kind: config.Memory{Min: 0, Max: math.MaxInt64}, Default: "64mb",
			Handle: &st.autoAOFRewriteMinSize},
		config.Param{Name: "aof-use-rdb-preamble", Kind: config.Bool{}, Default: "yes", Handle: &st.aofUseRDBPreamble},
		config.Param{Name: "aof-timestamp-enabled", Kind: config.Bool{}, Default: "no", Handle: &st.aofTimestampEnabled},
		config.Param{Name: "loglevel", Kind: config.Enum{Values: []string{"debug", "verbose", "notice", "warning", "info", "warn", "error"}},
			Default: logDefault, Apply: func(v config.Value) error {
				lvl, err := zapLevel(v.String())
				if err != nil {
					return err
				}
				level.SetLevel(lvl)
				return nil
			}},
		config.Param{Name: "repl-backlog-size", Kind: config.Memory{Min: 1, Max: math.MaxInt64}, Default: "1mb",
			Handle: &st.replBacklogSize},
		config.Param{Name: "repl-backlog-ttl", Kind: config.Int{Min: 0, Max: math.MaxInt64}, Default: "3600",
			Handle: &st.replBacklogTTL},
		config.Param{Name: "repl-diskless-sync", Kind: config.Bool{}, Default: "yes", Handle: &st.replDisklessSync},
		config.Param{Name: "repl-diskless-sync-delay", Kind: config.Int{Min: 0, Max: intMax}, Default: "5",
			Handle: &st.replDisklessSyncDelay},
		config.Param{Name: "repl-ping-replica-period", Aliases: []string{"repl-ping-slave-period"},
			Kind: config.Int{Min: 1, Max: intMax}, Default: "10", Handle: &st.replPingPeriod},
		config.Param{Name: "repl-timeout", Kind: config.Int{Min: 1, Max: intMax}, Default: "60", Handle: &st.replTimeout},
		config.Param{Name: "min-replicas-to-write", Aliases: []string{"min-slaves-to-write"},
			Kind: config.Int{Min: 0, Max: intMax}, Default: "0", Handle: &st.minReplicasToWrite},
		config.Param{Name: "min-replicas-max-lag", Aliases: []string{"min-slaves-max-lag"},
			Kind: config.Int{Min: 0, Max: intMax}, Default: "10", Handle: &st.minReplicasMaxLag},
		config.Param{Name: "notify-keyspace-events", Kind: notifyKind, Default: "", Handle: &st.notifyKeyspaceEvents},
		config.Param{Name: "hz", Kind: config.Int{Min: 0, Max: intMax, Adjust: func(n int64) int64 { return min(max(n, 1), 500) }},
			Default: "10", Handle: &st.hz},
		config.Param{Name: "busy-reply-threshold", Aliases: []string{"lua-time-limit"},
			Kind: config.Int{Min: 0, Max: math.MaxInt64}, Default: "5000", Handle: &st.busyReplyThreshold},
		config.Param{Name: "maxmemory", Kind: config.Memory{Min: 0, Max: math.MaxUint64}, Default: "0", Handle: &st.maxMemory,
			Apply: func(v config.Value) error {
				if f := st.onMaxMemory.Load(); f != nil {
					(*f)(v.Uint())
				}
				return nil
			}},
		config.Param{Name: "maxmemory-policy", Kind: config.Enum{Values: []string{"volatile-lru", "volatile-lfu", "volatile-random",
			"volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}}, Default: "noeviction",
			Handle: &st.maxMemoryPolicy, Apply: access},
		config.Param{Name: "maxmemory-samples", Kind: config.Int{Min: 1, Max: intMax}, Default: "5", Handle: &st.maxMemorySamples},
		config.Param{Name: "maxmemory-eviction-tenacity", Kind: config.Int{Min: 0, Max: 100}, Default: "10",
			Handle: &st.evictionTenacity},
		config.Param{Name: "lfu-log-factor", Kind: config.Int{Min: 0, Max: intMax}, Default: "10", Handle: &st.lfuLogFactor,
			Apply: access},
		config.Param{Name: "lfu-decay-time", Kind: config.Int{Min: 0, Max: intMax}, Default: "1", Handle: &st.lfuDecayTime,
			Apply: access},
		config.Param{Name: "lazyfree-lazy-eviction", Kind: config.Bool{}, Default: "no", Handle: &st.lazyEviction},
		config.Param{Name: "lazyfree-lazy-expire", Kind: config.Bool{}, Default: "no", Handle: &st.lazyExpire},
		config.Param{Name: "lazyfree-lazy-server-del", Kind: config.Bool{}, Default: "no", Handle: &st.lazyServerDel},
		config.Param{Name: "lazyfree-lazy-user-del", Kind: config.Bool{}, Default: "no", Handle: &st.lazyUserDel},
		config.Param{Name: "lazyfree-lazy-user-flush", Kind: config.Bool{}, Default: "no", Handle: &st.lazyUserFlush},
		config.Param{Name: "dynamic-hz", Kind: config.Bool{}, Default: "yes", Handle: &st.dynamicHz},
		config.Param{Name: "proto-max-bulk-len", Kind: config.Memory{Min: 1 << 20, Max: math.MaxInt64}, Default: "512mb",
			Handle: &st.protoMaxBulkLen, Apply: perClient},
		config.Param{Name: "client-query-buffer-limit", Kind: config.Memory{Min: 1 << 20, Max: math.MaxInt64}, Default: "1gb",
			Handle: &st.clientQueryBufferLimit},
		config.Param{Name: "client-output-buffer-limit", Kind: config.OutputBufferLimits{},
			Default: "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60", Handle: &st.outputBufferLimits, Apply: perClient},
		config.Param{Name: "io-threads", Kind: config.Int{Min: 1, Max: 128}, Default: "1", Immutable: true, Handle: &st.ioThreads},
		config.Param{Name: "enable-debug-command", Kind: config.Enum{Values: []string{"no", "yes", "local"}}, Default: "no",
			Immutable: true, Handle: &st.enableDebugCommand},
		config.Param{Name: "enable-protected-configs", Kind: config.Enum{Values: []string{"no", "yes", "local"}}, Default: "no",
			Immutable: true, Handle: &st.enableProtectedConfigs},
		// Redis 7.0's names, and the 6.2 names they replaced as aliases,
		// which CONFIG GET * lists too and CONFIG REWRITE writes under the
		// new name. Its built-in defaults, not its sample redis.conf's
		// (which says 128 for hash-max-listpack-entries).
		config.Param{Name: "list-max-listpack-size", Aliases: []string{"list-max-ziplist-size"},
			Kind: config.Int{Min: math.MinInt32, Max: math.MaxInt32}, Default: "-2", Handle: &st.listMaxListpackSize, Apply: limits},
		config.Param{Name: "list-compress-depth", Kind: config.Int{Min: 0, Max: intMax}, Default: "0", Handle: &st.listCompressDepth},
		config.Param{Name: "hash-max-listpack-entries", Aliases: []string{"hash-max-ziplist-entries"},
			Kind: config.Int{Min: 0, Max: math.MaxInt64}, Default: "512", Handle: &st.hashMaxListpackEntries, Apply: limits},
		config.Param{Name: "hash-max-listpack-value", Aliases: []string{"hash-max-ziplist-value"},
			Kind: config.Memory{Min: 0, Max: math.MaxInt64}, Default: "64", Handle: &st.hashMaxListpackValue, Apply: limits},
		config.Param{Name: "set-max-intset-entries", Kind: config.Int{Min: 0, Max: math.MaxInt64}, Default: "512",
			Handle: &st.setMaxIntsetEntries, Apply: limits},
		config.Param{Name: "hll-sparse-max-bytes", Kind: config.Memory{Min: 0, Max: math.MaxInt64}, Default: "3000",
			Handle: &st.hllSparseMaxBytes},
		config.Param{Name: "zset-max-listpack-entries", Aliases: []string{"zset-max-ziplist-entries"},
			Kind: config.Int{Min: 0, Max: math.MaxInt64}, Default: "128", Handle: &st.zsetMaxListpackEntries, Apply: limits},
		config.Param{Name: "zset-max-listpack-value", Aliases: []string{"zset-max-ziplist-value"},
			Kind: config.Memory{Min: 0, Max: math.MaxInt64}, Default: "64", Handle: &st.zsetMaxListpackValue, Apply: limits},
		config.Param{Name: "stream-node-max-bytes", Kind: config.Memory{Min: 0, Max: math.MaxInt64}, Default: "4096",
			Handle: &st.streamNodeMaxBytes, Apply: limits},
		config.Param{Name: "stream-node-max-entries", Kind: config.Int{Min: 0, Max: math.MaxInt64}, Default: "100",
			Handle: &st.streamNodeMaxEntries, Apply: limits},
		config.Param{Name: "slowlog-log-slower-than", Kind: config.Int{Min: -1, Max: math.MaxInt64}, Default: "10000",
			Handle: &st.slowlogLogSlowerThan},
		config.Param{Name: "slowlog-max-len", Kind: config.Int{Min: 0, Max: math.MaxInt64}, Default: "128", Handle: &st.slowlogMaxLen},
		config.Param{Name: "latency-monitor-threshold", Kind: config.Int{Min: 0, Max: math.MaxInt64}, Default: "0",
			Handle: &st.latencyMonitorThreshold},
		config.Param{Name: "tracking-table-max-keys", Kind: config.Int{Min: 0, Max: math.MaxInt64}, Default: "1000000",
			Handle: &st.trackingTableMaxKeys},
		config.Param{Name: "tls-port", Kind: config.Int{Min: 0, Max: 65535}, Default: "0", Immutable: true, Handle: &st.tlsPort},
		tlsString("tls-cert-file", &st.tlsCertFile),
		tlsString("tls-key-file", &st.tlsKeyFile),
		config.Param{Name: "tls-key-file-pass", Kind: config.String{}, Default: "", Handle: &st.tlsKeyFilePass, Apply: reloadTLS},
		tlsString("tls-ca-cert-file", &st.tlsCACertFile),
		tlsString("tls-ca-cert-dir", &st.tlsCACertDir),
		config.Param{Name: "tls-auth-clients", Kind: config.Enum{Values: []string{"no", "yes", "optional"}}, Default: "yes",
			Handle: &st.tlsAuthClients, Apply: reloadTLS},
		tlsString("tls-protocols", &st.tlsProtocols),
		tlsString("tls-ciphers", &st.tlsCiphers),
		tlsString("tls-ciphersuites", &st.tlsCipherSuites),
		config.Param{Name: "tls-prefer-server-ciphers", Kind: config.Bool{}, Default: "no", Handle: &st.tlsPreferServerCiphers},
		config.Param{Name: "tls-session-caching", Kind: config.Bool{}, Default: "yes", Handle: &st.tlsSessionCaching, Apply: reloadTLS},
		config.Param{Name: "tls-session-cache-size", Kind: config.Int{Min: 0, Max: intMax}, Default: "20480", Handle: &st.tlsSessionCacheSize},
		config.Param{Name: "tls-session-cache-timeout", Kind: config.Int{Min: 0, Max: intMax}, Default: "300", Handle: &st.tlsSessionCacheTimeout},
		config.Param{Name: "admin-tls-cert-file", Kind: config.String{}, Default: "", Immutable: true, Handle: &st.adminTLSCertFile},
		config.Param{Name: "admin-tls-key-file", Kind: config.String{}, Default: "", Immutable: true, Handle: &st.adminTLSKeyFile},
		config.Param{Name: "admin-tls-ca-cert-file", Kind: config.String{}, Default: "", Immutable: true, Handle: &st.adminTLSCACertFile},
		config.Param{Name: "admin-bind", Kind: config.String{}, Default: "127.0.0.1", Immutable: true, Handle: &st.adminBind},
		config.Param{Name: "admin-port", Kind: config.Int{Min: 0, Max: 65535}, Default: "7379", Immutable: true, Handle: &st.adminPort},
		config.Param{Name: "admin-token", Kind: config.String{OmitEmpty: true}, Default: "", Immutable: true, Hidden: true,
			Handle: &st.adminToken},
		config.Param{Name: "metrics-bind", Kind: config.String{}, Default: "127.0.0.1", Immutable: true, Handle: &st.metricsBind},
		config.Param{Name: "replicaof", Aliases: []string{"slaveof"}, Kind: st.replicaOfKind(), Default: "", Immutable: true,
			Handle: &st.replicaOf},
		config.Param{Name: "masterauth", Kind: config.String{OmitEmpty: true}, Default: "", Handle: &st.masterAuth},
		config.Param{Name: "masteruser", Kind: config.String{OmitEmpty: true}, Default: "", Handle: &st.masterUser},
		config.Param{Name: "replica-read-only", Aliases: []string{"slave-read-only"}, Kind: config.Bool{}, Default: "yes",
			Handle: &st.replicaReadOnly},
		config.Param{Name: "replica-serve-stale-data", Aliases: []string{"slave-serve-stale-data"}, Kind: config.Bool{},
			Default: "yes", Handle: &st.replicaServeStaleData},
		config.Param{Name: "replica-priority", Aliases: []string{"slave-priority"}, Kind: config.Int{Min: 0, Max: intMax},
			Default: "100", Handle: &st.replicaPriority},
		config.Param{Name: "replica-ignore-maxmemory", Aliases: []string{"slave-ignore-maxmemory"}, Kind: config.Bool{},
			Default: "yes", Handle: &st.replicaIgnoreMaxmemory},
		config.Param{Name: "replica-announced", Kind: config.Bool{}, Default: "yes", Handle: &st.replicaAnnounced},
		config.Param{Name: "metrics-port", Kind: config.Int{Min: 0, Max: 65535}, Default: "0", Immutable: true, Handle: &st.metricsPort},
	)
	if err != nil {
		return nil, fmt.Errorf("server: registering parameters: %w", err)
	}
	st.conf = conf
	st.tlsSessions.now = time.Now // newServer puts the server's clock here
	st.tlsSessions.size = st.tlsSessionCacheSize.Load
	st.tlsSessions.timeout = func() time.Duration {
		if secs := st.tlsSessionCacheTimeout.Load(); secs > 0 {
			return time.Duration(secs) * time.Second
		}
		return opensslSessionTimeout // Redis leaves OpenSSL's default for 0
	}
	st.addACLDirectives()
	return st, nil
}

// encodingLimits are the collections' encoding thresholds the parameters
// set. list-compress-depth is not among them: compression is internal to
// Redis's quicklist, and shows in no reply.
func (st *settings) encodingLimits() db.EncodingLimits {
	return db.EncodingLimits{
		ListMaxListpackSize:    int(st.listMaxListpackSize.Load()),
		HashMaxListpackEntries: int(st.hashMaxListpackEntries.Load()),
		HashMaxListpackValue:   int(st.hashMaxListpackValue.Load()),
		SetMaxIntsetEntries:    int(st.setMaxIntsetEntries.Load()),
		ZSetMaxListpackEntries: int(st.zsetMaxListpackEntries.Load()),
		ZSetMaxListpackValue:   int(st.zsetMaxListpackValue.Load()),
		StreamNodeMaxBytes:     int(st.streamNodeMaxBytes.Load()),
		StreamNodeMaxEntries:   int(st.streamNodeMaxEntries.Load()),
	}
}

// accessPolicy is how the keyspace keeps access clocks under the
// settings: an LFU counter under the *-lfu policies, else LRU times.
func (st *settings) accessPolicy() db.AccessPolicy {
	return db.AccessPolicy{
		LFU:       strings.HasSuffix(st.maxMemoryPolicy.Load(), "-lfu"),
		LogFactor: st.lfuLogFactor.Load(),
		DecayTime: st.lfuDecayTime.Load(),
	}
}

// idleTimeout is the timeout parameter: 0 for none.
func (st *settings) idleTimeout() time.Duration {
	return time.Duration(st.timeout.Load()) * time.Second
}

// outputLimits returns client-output-buffer-limit's limits of class
// (config.ClassNormal or config.ClassPubSub).
func (st *settings) outputLimits(class int) connection.PushLimits {
	l := st.outputBufferLimits.Load()[class]
	return connection.PushLimits{Hard: int(l.Hard), Soft: int(l.Soft), SoftFor: time.Duration(l.SoftSeconds) * time.Second}
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

func checkAOFName(s string) error {
	if strings.ContainsAny(s, `/\`) {
		return errors.New("appendfilename can't be a path, just a filename")
	}
	return nil
}

func checkAOFDirName(s string) error {
	if strings.ContainsAny(s, `/\`) {
		return errors.New("appenddirname can't be a path, just a dirname")
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
