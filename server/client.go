package server

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
	"github.com/mini-redis/mini-redis/frame"
	"go.uber.org/zap"
)

// client is the server side of one connection. Most fields belong to the
// client's own goroutine; the ones other goroutines read (CLIENT LIST,
// CLIENT KILL, the admin API) are atomic or behind mu.
type client struct {
	id      int64
	server  *Server
	conn    *connection.Conn
	created time.Time
	addr    string // the peer, host:port
	laddr   string // the local end
	fdNum   int64  // the socket's file descriptor, for CLIENT LIST

	// dbIndex is the database SELECT chose.
	dbIndex int
	// isMaster marks the client that runs the master's stream on a
	// replica (repl_replica.go): no replies, no read-only check.
	isMaster bool
	// masterLink, on the master's client, ends when the link is dropped:
	// a command that was waiting for the world lock then does not run.
	masterLink context.Context
	// authenticated is false while requirepass is set and AUTH has not
	// succeeded.
	authenticated bool
	// user is the ACL user the client runs as; nil means "default".
	user atomic.Pointer[aclUser]
	// closeAfterReply ends the connection once the current reply is
	// flushed (QUIT, protocol errors, CLIENT KILL of oneself).
	closeAfterReply bool
	// replyOff, skipNextArmed and skipNext implement CLIENT REPLY OFF and
	// SKIP: SKIP arms the flag, which drops the reply of the command after.
	replyOff, skipNextArmed, skipNext bool
	// errors counts the error replies written, to tell failed commands;
	// errorsRecorded is what it was when the last call was recorded.
	errors, errorsRecorded int64
	// nextStart is the monotonic time the next command of a pipelined
	// batch starts at (the end of the previous one), or 0.
	nextStart  time.Duration
	readsAtEnd int64 // Conn.Reads when nextStart was taken
	// callStarted is when the command running began (Server.call's
	// started), which a script that takes the world lock at once starts
	// its clock from.
	callStarted time.Duration
	// lastResolved caches the last command found, for client.resolve.
	lastResolved *command
	// settingsSeen is the settings generation the connection applied.
	settingsSeen int64

	// multi holds the queued commands between MULTI and EXEC; nil outside
	// a transaction.
	multi *multiState
	watch db.Watch

	// exclusiveHeld records that the client's goroutine holds the world
	// lock exclusively (see client.exclusive).
	exclusiveHeld bool

	// sub is the client's pub/sub state; nil until it first subscribes.
	sub *subscriber

	// blocked is the waiter of the command that has just blocked (BLPOP
	// on empty lists), for call to wait on; nil otherwise (block.go).
	blocked *waiter

	// trackOn mirrors track.flags&trackOn for the client's goroutine,
	// the only one that changes it, to read without the lock; track is the
	// CLIENT TRACKING state (tracking.go), guarded by Server.tracking.mu.
	trackOn bool
	track   clientTracking
	// trackCaching records CLIENT CACHING yes (OPTIN) or no (OPTOUT) for
	// the next command; only the client's goroutine uses it.
	trackCaching bool
	// scriptCaller, on the scripts' client, is the client whose script
	// runs, and scriptKeys the keys the script declared, for tracking; nil
	// otherwise. Set under the world lock.
	scriptCaller *client
	scriptKeys   [][]byte

	// effects collects the propagated form of the running call while
	// anything subscribes (propagate.go); nil otherwise.
	effects *effects
	// ownEffects is where effects points while a call of c collects: one
	// per client, reused, since the subscribers are done with a call's
	// effects when Propagate returns.
	ownEffects effects
	// aofTarget, under appendfsync always, is where in the AOF the
	// effects of c's last write end: its replies wait until the AOF is
	// fsynced that far (awaitAOF, before they are written).
	aofTarget atomic.Int64
	// aofWriteTarget is the same under appendfsync everysec and no: its
	// replies wait until the AOF is written that far (awaitAOFWrite).
	aofWriteTarget atomic.Int64
	// awaitsAOF is set for the clients whose output waits for the AOF
	// (awaitAOF runs before it is written): a network client's, not the
	// master's or a script's.
	awaitsAOF bool

	// replica is set once the connection is a replica served by this
	// master (PSYNC or SYNC; repl_master.go); replAnnounce is what its
	// REPLCONFs told before. replOffset is where the replication stream
	// ended after the client's last write, which WAIT waits for.
	replica      atomic.Pointer[replica]
	replAnnounce *replAnnounce
	replOffset   int64

	mu      sync.Mutex // guards name, libName, libVer
	name    string
	libName string
	libVer  string

	lastCmd    atomic.Pointer[command]
	lastActive atomic.Int64 // Server.monotonic at the last command
	killed     atomic.Bool
	noEvict    atomic.Bool
	monitoring atomic.Bool  // in MONITOR mode (cmd_monitor.go)
	dbShown    atomic.Int32 // dbIndex, for CLIENT LIST
	respShown  atomic.Int32 // protocol version, for CLIENT LIST
	multiShown atomic.Int32 // queued commands or -1, for CLIENT LIST
	outShown   atomic.Int64 // pending output bytes after the last command
	subsShown  atomic.Pointer[pubsub.Counts]
	// blockedOn is the client's waiter while it is blocked on keys, for
	// CLIENT LIST and CLIENT UNBLOCK; pausedShown is set while CLIENT
	// PAUSE holds it. Either shows as flag b.
	blockedOn   atomic.Pointer[waiter]
	pausedShown atomic.Bool
}

// showSubscriptions publishes the client's subscription counts for CLIENT
// LIST, which other goroutines run.
func (c *client) showSubscriptions() {
	counts := c.server.pubsub.Counts(c.sub)
	c.subsShown.Store(&counts)
}

// subscriptions returns the counts showSubscriptions last published.
func (c *client) subscriptions() pubsub.Counts {
	if p := c.subsShown.Load(); p != nil {
		return *p
	}
	return pubsub.Counts{}
}

// fd returns the socket's file descriptor number.
func (c *client) fd() int64 { return c.fdNum }

// fdOf returns the file descriptor of a TCP connection, or -1.
func fdOf(nc net.Conn) int64 {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := int64(-1)
	raw.Control(func(f uintptr) { fd = int64(f) })
	return fd
}

// db returns the database the client has selected.
func (c *client) db() *db.DB { return c.server.store.DB(c.dbIndex) }

// selectDB switches the client to database i, which must exist.
func (c *client) selectDB(i int) {
	c.dbIndex = i
	c.dbShown.Store(int32(i))
}

// setProtocol switches the client's replies to RESP2 or RESP3.
func (c *client) setProtocol(p frame.Protocol) {
	c.conn.SetProtocol(p)
	c.respShown.Store(int32(p))
}

func (c *client) resp3() bool { return c.conn.Protocol() >= frame.RESP3 }

// Name returns the name CLIENT SETNAME gave, or "".
func (c *client) Name() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name
}

func (c *client) setName(name string) {
	c.mu.Lock()
	c.name = name
	c.mu.Unlock()
}

// serve runs the client's commands until it leaves, breaks the protocol,
// or the server interrupts it.
func (c *client) serve() {
	log := c.server.log.With(zap.Int64("client", c.id), zap.String("addr", c.addr))
	log.Debug("client connected")
	defer func() {
		c.cleanup()
		if err := c.conn.Close(); err != nil && !isDisconnect(err) {
			log.Debug("closing client", zap.Error(err))
		}
		log.Debug("client disconnected")
	}()
	for {
		if g := c.server.settings.generation.Load(); g != c.settingsSeen {
			// CONFIG SET changed a setting the connection applies itself.
			c.settingsSeen = g
			c.applyIdleTimeout()
			c.applyAuthLimits()
			c.applyOutputLimits()
		}
		args, err := c.conn.ReadRequest()
		if err != nil {
			var pe *frame.ProtocolError
			switch {
			case errors.As(err, &pe):
				log.Info("protocol error; closing client", zap.Error(err))
				c.conn.WriteError("ERR " + pe.Error())
			case errors.Is(err, connection.ErrQueryBufferLimit):
				log.Warn("closing client that reached max query buffer length")
			case errors.Is(c.conn.Err(), connection.ErrOutputBufferLimit):
				log.Warn("client closed for overcoming of output buffer limits")
			case connection.IsTimeout(err):
				log.Debug("closing idle client")
			case errors.Is(err, connection.ErrInterrupted), isDisconnect(err):
			default:
				log.Debug("read failed", zap.Error(err))
			}
			return
		}
		c.server.dispatch(c, args)
		if c.closeAfterReply || c.killed.Load() {
			return
		}
	}
}

// cleanup releases what the client holds in the server: watches, pub/sub
// subscriptions.
func (c *client) cleanup() {
	c.watch.Unwatch()
	c.server.disableTracking(c)
	c.stopMonitoring()
	c.server.dropReplica(c)
	if c.sub != nil {
		c.server.pubsub.RemoveAll(c.sub)
	}
}

// isDisconnect reports whether err only means the peer went away.
func isDisconnect(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, errConnReset)
}
