package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/admin"
	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
	"github.com/mini-redis/mini-redis/server/config"
	"go.uber.org/zap"
)

// RedisVersion is the Redis version this server answers as (INFO's
// redis_version, HELLO's version): clients choose features by it.
const RedisVersion = "7.0.15"

// Version is mini-redis's own version.
const Version = "0.1.0"

// Server is a Redis-protocol server over one keyspace.
type Server struct {
	cfg   serverConfig
	log   *zap.Logger
	store *db.Store
	// storeOptions build a keyspace like store, for loading a dump.
	storeOptions db.Options
	pubsub       *pubsub.Hub
	commands     commandTable
	started      time.Time
	runID        string

	// acl holds the ACL users (acl_users.go).
	acl *aclUsers

	// world is held shared by every command and exclusively by the few that
	// act on whole databases (FLUSHALL, SWAPDB, EXEC, ...), which therefore
	// run alone, as every command does in Redis.
	world sync.RWMutex

	// evict is the maxmemory machinery (evict.go).
	evict evictState

	// settings are the configuration parameters, which CONFIG SET may
	// change while clients run.
	settings *settings
	// clock gives the monotonic time of commands, and is the keyspace's
	// clock when the configuration gives none.
	clock *serverClock

	// stopBackground ends the background loops (active expiry, saving).
	stopBackground context.CancelFunc
	background     sync.WaitGroup

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	clients   map[*client]struct{}
	closing   bool
	clientsWG sync.WaitGroup

	paused pauseState
	// blocking holds the clients blocked in BLPOP and its kin (block.go).
	blocking blocking
	// tracking is the state of CLIENT TRACKING (tracking.go).
	tracking trackingTable

	nextClientID  atomic.Int64
	totalCommands atomicCounter
	connected     atomic.Int64
	received      atomic.Int64 // connections accepted
	rejected      atomic.Int64 // connections refused (maxclients)
	// dirty counts changes to the keyspace since the last save.
	dirty atomic.Int64

	errorStats errorStats
	slowlog    slowlog
	latency    latencyMonitor // LATENCY's events (cmd_latency.go)
	monitors   monitorSet     // the MONITOR clients (cmd_monitor.go)
	serverStats
	memCache memCache
	persist  persistence
	// replica is the replication identity and the link with the master
	// while the server is a replica (repl_replica.go).
	replica replicaState
	// prop orders and distributes the effects of write commands (propagate.go).
	prop propagation
	// aof is the append-only file's writer (aof.go).
	aof aofWriter
	// repl is the master side of replication (repl_master.go).
	repl replState
	// scripts run EVAL and its kin (cmd_scripting.go).
	scripts scriptState
	// dumpers are DUMP's encoders (*rdb.Dumper), whose buffers and LZF
	// table outlive a command.
	dumpers sync.Pool

	// stops are the requests to shut down (SHUTDOWN, the admin API, a
	// failed listener, RequestShutdown) that ListenAndServe waits for.
	stops stopRequests
	// failure is why a listener stopped serving, when it failed.
	failure atomic.Pointer[error]
	// shutdownSaved is set once Shutdown has made its save on shutdown.
	shutdownSaved atomic.Bool

	// Set by Start, under mu.
	startCalled bool
	addrs       []net.Addr // the Redis listeners' addresses
	tlsAddrs    []net.Addr // the TLS listeners' addresses
	admin       *admin.Server
	adminAddr   net.Addr
	// shutdownOpts are the admin API's shutdown options, if it asked.
	shutdownOpts atomic.Pointer[admin.ShutdownOptions]
}

// newServer returns a server for cfg, which must come from loadConfig. It
// serves nothing until Start or Serve.
func newServer(cfg serverConfig, log *zap.Logger) *Server {
	s := &Server{
		cfg:       cfg,
		settings:  cfg.settings,
		log:       log,
		pubsub:    pubsub.New(),
		commands:  newCommandTable(),
		started:   time.Now(),
		runID:     newRunID(),
		listeners: make(map[net.Listener]struct{}),
		clients:   make(map[*client]struct{}),
		stops:     stopRequests{ch: make(chan struct{})},
	}
	s.initACL()
	s.clock = newServerClock(s.started)
	var clock db.Clock = s.clock
	if cfg.Clock != nil {
		clock = cfg.Clock
	}
	s.settings.tlsSessions.now = clock.Now
	s.storeOptions = db.Options{
		Databases: int(s.settings.databases.Load()),
		Clock:     clock,
		Rand:      cfg.Rand,
		OnExpired: func(d *db.DB, key string) {
			s.propagateDeleted(d.Index(), key, s.settings.lazyExpire.Load())
			s.notify(d.Index(), evExpired, "expired", []byte(key))
		},
		OnReady: func(d *db.DB, key string) { s.blocking.signal(d.Index(), key) },
		OnSwap:  s.blocking.signalDBs,
	}
	s.initReplica()
	s.store = s.newStore()
	onLimits := func(l db.EncodingLimits) { s.store.SetEncodingLimits(l) }
	s.settings.onLimits.Store(&onLimits)
	onAccess := func(p db.AccessPolicy) { s.store.SetAccessPolicy(p) }
	s.settings.onAccess.Store(&onAccess)
	s.initEviction()
	s.initPersistence()
	s.initAOF()
	s.initReplication()
	s.initScripting()
	ctx, cancel := context.WithCancel(context.Background())
	s.stopBackground = cancel
	s.background.Add(3)
	go func() {
		defer s.background.Done()
		s.replCron(ctx.Done())
	}()
	go func() {
		defer s.background.Done()
		s.activeExpiry(ctx)
	}()
	go func() {
		defer s.background.Done()
		s.sampler(ctx)
	}()
	return s
}

// newStore returns an empty keyspace built from storeOptions, with the
// encoding limits the settings give now.
func (s *Server) newStore() *db.Store {
	opts := s.storeOptions
	lim := s.settings.encodingLimits()
	opts.EncodingLimits = &lim
	st := db.New(opts)
	st.SetAccessPolicy(s.settings.accessPolicy())
	st.SetKeepExpired(s.isReplica()) // keys expire on the master only
	return st
}

// monotonic returns the time since the server started, from the monotonic
// clock alone (one cheap read), for measuring latency and idleness; the
// keyspace's clock follows it.
func (s *Server) monotonic() time.Duration { return s.clock.monotonic() }

// password returns requirepass, or "" when none is set.
func (s *Server) password() string { return s.settings.requirePass.Load() }

// maxBulkLen is proto-max-bulk-len: the longest string a command may build.
func (s *Server) maxBulkLen() int64 { return int64(s.settings.protoMaxBulkLen.Load()) }

// activeExpiry removes expired keys that nobody reads, hz times a second
// (raised by dynamic-hz with many clients), spending at most a quarter of
// each interval, as Redis does, and evicts if memory is over maxmemory.
func (s *Server) activeExpiry(ctx context.Context) {
	interval := func() time.Duration { return time.Second / time.Duration(s.effectiveHz()) }
	t := time.NewTimer(interval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// hz is read every time, so that CONFIG SET hz takes effect
			// at the next cycle.
			d := interval()
			t.Reset(d)
			deadline := time.Now().Add(d / 4)
			s.clock.resync() // an idle server has no commands to move the clock
			s.world.RLock()
			expireStart := time.Now()
			s.store.ExpireCycle(db.ExpireLimits{Stop: func() bool { return time.Now().After(deadline) }})
			s.latencySample(latencyExpireCycle, time.Since(expireStart))
			s.evictionCycle()
			s.world.RUnlock()
			if s.tracking.live.Load() {
				s.trackLimit()
			}
		}
	}
}

// flushAll empties every database (FLUSHALL).
func (s *Server) flushAll() {
	s.dirty.Add(s.keyCount())
	s.store.FlushAll()
	s.trackFlush()
	s.blocking.signalAll() // XREADGROUP's streams are gone
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("server: closed")

// ListenAddrs opens a listener for every address of the bind setting on
// port. Addresses prefixed with "-" are optional, as in Redis: one that
// cannot be bound (no IPv6, say) is skipped.
func ListenAddrs(bind []string, port int) ([]net.Listener, error) {
	var lns []net.Listener
	for _, addr := range bind {
		optional := strings.HasPrefix(addr, "-")
		addr = strings.TrimPrefix(addr, "-")
		if addr == "*" {
			addr = ""
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(addr, fmt.Sprint(port)))
		if err != nil {
			if optional {
				continue
			}
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("listen on %s: %w", addr, err)
		}
		lns = append(lns, ln)
	}
	if len(lns) == 0 {
		return nil, fmt.Errorf("no address to listen on in %q", bind)
	}
	return lns, nil
}

// Serve accepts clients on ln until Shutdown, serving each in its own
// goroutine. It always returns a non-nil error: ErrServerClosed after
// Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errTooManyOpenFiles) {
				// Out of file descriptors or similar: wait and retry,
				// as net/http does, instead of spinning.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", zap.Error(err), zap.Duration("backoff", backoff))
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("server: accept: %w", err)
		}
		backoff = 0
		s.received.Add(1)
		s.startClient(nc)
	}
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// protectedModeMessage is Redis's reply to a remote client while protected
// mode is on and no password is set.
const protectedModeMessage = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."

// refuse writes a final error to nc and closes it, in its own goroutine
// with a short deadline, so the accept loop never waits on a client.
func refuse(nc net.Conn, msg string) {
	go func() {
		nc.SetWriteDeadline(time.Now().Add(time.Second))
		nc.Write([]byte("-" + msg + "\r\n"))
		nc.Close()
	}()
}

func (s *Server) startClient(nc net.Conn) {
	if tc, ok := nc.(*net.TCPConn); ok {
		if ka := s.settings.tcpKeepAlive.Load(); ka > 0 {
			tc.SetKeepAlive(true)
			tc.SetKeepAlivePeriod(time.Duration(ka) * time.Second)
		} else {
			tc.SetKeepAlive(false)
		}
	}
	if s.settings.protectedMode.Load() && s.acl.def.get().NoPass && !isLoopback(nc.RemoteAddr()) {
		s.rejected.Add(1)
		refuse(nc, protectedModeMessage)
		return
	}
	if !s.reserveClient() {
		s.rejected.Add(1)
		refuse(nc, "ERR max number of clients reached")
		return
	}
	c := &client{
		id:      s.nextClientID.Add(1),
		server:  s,
		created: time.Now(),
		addr:    nc.RemoteAddr().String(),
		laddr:   nc.LocalAddr().String(),
		fdNum:   fdOf(nc),
		// awaitAOF runs before its output is written (BeforeWrite).
		awaitsAOF: true,
	}
	c.authenticated = !s.acl.authRequired()
	c.lastActive.Store(int64(s.monotonic()))
	c.conn = connection.New(nc, connection.Options{
		WriteTimeout:   s.cfg.WriteTimeout,
		MaxQueryBuffer: int(s.settings.clientQueryBufferLimit.Load()),
		OutputLimits:   s.settings.outputLimits(config.ClassNormal),
		Traffic:        &s.traffic,
		BeforeWrite:    func() error { return s.awaitAOF(c) },
		ErrorHook: func(msg string) {
			c.errors++
			s.errorStats.record(msg)
		},
	})
	c.applyAuthLimits()
	c.dbShown.Store(0)
	c.respShown.Store(2)
	c.multiShown.Store(-1)
	c.applyIdleTimeout()

	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		s.connected.Add(-1)
		nc.Close()
		return
	}
	s.clients[c] = struct{}{}
	s.clientsWG.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.clientsWG.Done()
		defer s.removeClient(c)
		c.serve()
	}()
}

// reserveClient counts a new client unless maxclients are connected: the
// check and the count are one step, so that listeners accepting at once
// cannot exceed the limit between them.
func (s *Server) reserveClient() bool {
	limit := s.settings.maxClients.Load()
	for {
		n := s.connected.Load()
		if n >= limit {
			return false
		}
		if s.connected.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// applyIdleTimeout sets the connection's idle timeout from the "timeout"
// setting. Subscribers are exempt, as in Redis: they wait for messages;
// so are replicas.
func (c *client) applyIdleTimeout() {
	d := c.server.settings.idleTimeout()
	if c.sub != nil && c.sub.active() || c.replica.Load() != nil {
		d = 0
	}
	c.conn.SetIdleTimeout(d)
}

// applyOutputLimits sets the limits on the client's waiting replies from
// client-output-buffer-limit: those of class pubsub while it is subscribed
// (as Redis classes clients), else those of class normal.
func (c *client) applyOutputLimits() {
	class := config.ClassNormal
	if c.sub != nil && c.sub.active() {
		class = config.ClassPubSub
	}
	c.conn.SetOutputLimits(c.server.settings.outputLimits(class))
}

// isLoopback reports whether a client at addr counts as local, for
// protected mode and the "local" value of enable-debug-command: a Unix
// socket, 127.0.0.1 or ::1 exactly, as Redis compares the peer's address
// (127.0.0.2 is loopback to the kernel but not to Redis).
func isLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return !ok || ta.IP.Equal(net.IPv4(127, 0, 0, 1)) || ta.IP.Equal(net.IPv6loopback)
}

func (s *Server) removeClient(c *client) {
	s.mu.Lock()
	delete(s.clients, c)
	s.mu.Unlock()
	s.connected.Add(-1)
}

// clientsByID returns the connected clients in the order they connected.
// A client CLIENT KILL (or ACL) has killed is not among them, though its
// goroutine may not have left the table yet: Redis frees it before the
// kill replies.
func (s *Server) clientsByID() []*client {
	s.mu.Lock()
	list := make([]*client, 0, len(s.clients))
	for c := range s.clients {
		if !c.killed.Load() {
			list = append(list, c)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(list, func(a, b *client) int { return int(a.id - b.id) })
	return list
}

// closeClients stops accepting, lets every client finish the commands it
// has sent, writes their replies and closes the connections. If ctx ends
// first, it closes the remaining connections at once and returns ctx's
// error. Either way it returns once a background save in progress has
// been abandoned (Redis kills its saving child), so no goroutine of the
// server is left.
func (s *Server) closeClients(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for ln := range s.listeners {
		ln.Close()
		delete(s.listeners, ln)
	}
	for c := range s.clients {
		c.conn.Interrupt()
	}
	s.mu.Unlock()
	s.unpause() // paused clients finish their commands too

	s.stopBackground()
	s.background.Wait()
	s.stopReplication()
	done := make(chan struct{})
	go func() {
		s.clientsWG.Wait()
		s.abandonSave()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.clients {
			c.conn.Abort()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// keyCount returns the number of keys in all databases.
func (s *Server) keyCount() int64 {
	var n int64
	for i := 0; i < s.store.Databases(); i++ {
		n += int64(s.store.DB(i).Len())
	}
	return n
}

// pauseState is CLIENT PAUSE: until when, and whether only writes wait.
type pauseState struct {
	// active is the fast path every command checks: false when no pause
	// was ever set or the last one was lifted, so that commands pay one
	// atomic load, not a lock and a clock read.
	active     atomic.Bool
	mu         sync.Mutex
	until      time.Time
	writesOnly bool
	resume     chan struct{} // closed when the pause ends early
}

// pause holds commands (or only writes) for d. A pause already in force is
// extended, never shortened, and WRITE never weakens ALL.
func (s *Server) pause(d time.Duration, writesOnly bool) {
	p := &s.paused
	p.mu.Lock()
	defer p.mu.Unlock()
	until := time.Now().Add(d)
	p.active.Store(true)
	if p.resume == nil || time.Now().After(p.until) {
		p.resume = make(chan struct{})
		p.until, p.writesOnly = until, writesOnly
		return
	}
	if until.After(p.until) {
		p.until = until
	}
	p.writesOnly = p.writesOnly && writesOnly
}

// unpause ends a pause (CLIENT UNPAUSE, shutdown).
func (s *Server) unpause() {
	p := &s.paused
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resume != nil {
		close(p.resume)
		p.resume = nil
	}
	p.active.Store(false)
}

// waitWhilePaused blocks while a pause holds cmd with args (a write pause
// holds those mayWrite reports). A client it holds counts as blocked, as
// in Redis (INFO blocked_clients, flag b of CLIENT LIST).
func (s *Server) waitWhilePaused(c *client, cmd *command, args [][]byte) {
	p := &s.paused
	if !p.active.Load() {
		return
	}
	// Only now: for EVALSHA and FCALL, mayWrite looks the script up.
	writes := s.mayWrite(cmd, args)
	counted := false
	defer func() {
		if counted {
			c.pausedShown.Store(false)
			s.blocking.paused.Add(-1)
		}
	}()
	for {
		p.mu.Lock()
		resume := p.resume
		remaining := time.Until(p.until)
		held := resume != nil && remaining > 0 &&
			(!p.writesOnly || writes)
		if resume == nil || remaining <= 0 {
			p.active.Store(false) // expired: back to the fast path
		}
		p.mu.Unlock()
		if !held {
			return
		}
		if !counted {
			counted = true
			s.blocking.paused.Add(1)
			c.pausedShown.Store(true)
		}
		t := time.NewTimer(remaining)
		select {
		case <-resume:
		case <-t.C:
		}
		t.Stop()
	}
}
