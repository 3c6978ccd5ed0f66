package server

import (
	"runtime/debug"
	"strings"
	"time"

	"github.com/mini-redis/mini-redis/server/histogram"
	"go.uber.org/zap"
)

// A command describes one Redis command: the function that runs it, the
// flags that change how this server dispatches it, and what Redis declares
// about it. The table of them drives dispatch, arity errors, COMMAND and key
// extraction.
//
// The families' tables (cmd_*.go) set name, flags and run; the rest comes
// from the generated metadata (see commandMeta), which newCommandTable
// fills in.
type command struct {
	name  string // lower case, as Redis reports it ("object|encoding" for subcommands)
	flags cmdFlags
	run   func(c *client, args [][]byte)

	// keyFlags, for a command whose key spec is marked variable_flags,
	// returns the flags of its keys in argv (the name first), as Redis's
	// getkeys functions do for COMMAND GETKEYSANDFLAGS.
	keyFlags func(argv [][]byte) keySpecFlags

	// getKeys, for a command whose key specs cannot find its keys (SORT's
	// STORE may come anywhere), returns the keys in argv (the name
	// first) with their flags, as Redis's getkeys_proc does; the specs
	// are not used then.
	getKeys func(argv [][]byte) []keyRef

	// commandMeta is what Redis declares: arity, key positions, and what
	// COMMAND INFO and COMMAND DOCS report.
	commandMeta

	// subcommands of a container command such as OBJECT, keyed by lower
	// case name. A container has no run function of its own.
	subcommands map[string]*command
	parent      *command

	// aclID is the command's id in the ACL catalog, -1 if it has none.
	aclID int

	stats cmdStats
}

// cmdStats are a command's counters for INFO commandstats and the admin
// API. Atomic: every client updates them.
type cmdStats struct {
	calls    atomicCounter
	failed   atomicCounter // ran, and replied with an error
	rejected atomicCounter // refused before running (arity, NOAUTH, ...)
	latency  histogram.Histogram
}

// cmdFlags are the properties of a command. The same bits serve two sets:
// command.flags, the behaviour of this server, which the dispatcher, MULTI
// and CLIENT PAUSE look at, and commandInfo.flags, what Redis declares and
// COMMAND INFO reports. The sets differ on purpose (see commandInfo).
type cmdFlags uint32

const (
	flagWrite     cmdFlags = 1 << iota // may modify the keyspace
	flagReadonly                       // only reads the keyspace
	flagFast                           // O(1) or O(log N)
	flagExclusive                      // runs with every other command paused (FLUSHALL, SWAPDB, ...)
	flagNoAuth                         // allowed before AUTH (AUTH, HELLO, QUIT, RESET)
	flagPubSub                         // a pub/sub command
	flagAdmin                          // an administrative command
	flagNoMulti                        // refused inside MULTI
	flagLoading                        // allowed while loading a dump
	flagStale                          // allowed with stale data
	flagNoScript                       // not allowed from scripts
	flagSkipSlowlog
	flagMayReplicate // may change data (paused by CLIENT PAUSE WRITE)
	flagDenyOOM      // refused when out of memory
	flagProtected    // needs enable-debug-command (DEBUG); not reported by Redis 7.0

	// Behaviour of this server that Redis expresses in code rather than
	// flags.
	flagRunsInMulti      // runs at once inside MULTI rather than being queued (EXEC, WATCH, ...)
	flagSubscribeContext // allowed on a RESP2 connection in subscribe mode (PING, SUBSCRIBE, ...)
	flagRunsQueue        // runs the MULTI queue (EXEC): refused, it discards it; it writes if a queued command does
	flagLockFree         // runs without the world lock: SCRIPT KILL, and the allow-busy commands that touch only the connection (AUTH, HELLO, MULTI, ...), which a busy script must not hold up
	flagScriptWrites     // runs a script, which writes unless it declares no-writes (EVAL, FCALL; see mayWrite)

	// Declared by Redis and reported by COMMAND INFO. flagSkipMonitor
	// keeps a command out of MONITOR's feed (cmd_monitor.go); flagBlocking
	// has a meaning only as documentation of the command tables (BLPOP
	// and its kin): there is no async loading and no cluster. Of the commands allowed while a script is busy, the
	// flagLockFree ones are served; SHUTDOWN NOSAVE kills the script; WATCH,
	// which reads the keyspace, waits for the script (Redis serves it).
	flagNoAsyncLoading
	flagAllowBusy
	flagBlocking
	flagSkipMonitor
	flagAsking
	flagNoMandatoryKeys
	flagMovableKeys // the key positions depend on the arguments (EVAL's numkeys)
)

// commandTable maps lower-case command names to commands.
type commandTable map[string]*command

// newCommandTable returns the table of every command this server
// implements, each with its declared metadata. A command with no metadata
// keeps a zero commandMeta (arity 0 refuses every call);
// TestEveryCommandHasMetadata reports it.
func newCommandTable() commandTable {
	t := commandTable{}
	for _, family := range commandFamilies() {
		for _, cmd := range family {
			t[cmd.name] = cmd
			cmd.commandMeta, _ = lookupMeta(cmd.name)
			for _, sub := range cmd.subcommands {
				sub.commandMeta, _ = lookupMeta(sub.name)
			}
		}
	}
	return t
}

// commandFamilies returns every command, by the file that implements it.
func commandFamilies() [][]*command {
	return [][]*command{
		connectionCommands(),
		clientCommands(),
		transactionCommands(),
		stringCommands(),
		listCommands(),
		bitCommands(),
		hashCommands(),
		setCommands(),
		hllCommands(),
		zsetCommands(),
		streamCommands(),
		streamGroupCommands(),
		geoCommands(),
		zsetOpsCommands(),
		zsetBlockingCommands(),
		sortCommands(),
		keyCommands(),
		dumpCommands(),
		memoryCommands(),
		expireCommands(),
		databaseCommands(),
		serverCommands(),
		configCommands(),
		persistenceCommands(),
		pubsubCommands(),
		introspectionCommands(),
		slowlogCommands(),
		latencyCommands(),
		monitorCommands(),
		replicationCommands(),
		blockingCommands(),
		scriptingCommands(),
		aclCommands(),
		replicationCommands(),
	}
}

// container returns a command that dispatches to subcommands; each
// subcommand's name becomes "parent|sub".
func container(name string, flags cmdFlags, subs ...*command) *command {
	cmd := &command{name: name, flags: flags, subcommands: map[string]*command{}}
	for _, sub := range subs {
		short := sub.name
		sub.name = name + "|" + short
		sub.parent = cmd
		cmd.subcommands[short] = sub
	}
	return cmd
}

// lookup finds the command named name, in any letter case, without
// allocating.
func (t commandTable) lookup(name []byte) *command {
	return lookupLower(t, name)
}

// lookupLower finds name in m after lowering its case, without allocating
// for names of up to 32 bytes.
func lookupLower(m map[string]*command, name []byte) *command {
	var buf [32]byte
	if len(name) > len(buf) {
		return m[strings.ToLower(string(name))]
	}
	lower := buf[:len(name)]
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return m[string(lower)]
}

// arityOK reports whether n arguments (the name included) suit cmd.
func (cmd *command) arityOK(n int) bool {
	if cmd.arity >= 0 {
		return n == cmd.arity
	}
	return n >= -cmd.arity
}

// resolve finds the command args names, descending into subcommands. It
// returns the error reply when there is none or the arity is wrong; the
// command found so far, if any, is returned with the error so that its
// rejection can be counted.
func (t commandTable) resolve(args [][]byte) (*command, string) {
	cmd := t.lookup(args[0])
	if cmd == nil {
		return nil, unknownCommand(args)
	}
	if cmd.subcommands != nil {
		if len(args) < 2 {
			if cmd.run != nil { // COMMAND alone
				return cmd, ""
			}
			return cmd, wrongArity(cmd.name)
		}
		sub := lookupLower(cmd.subcommands, args[1])
		if sub == nil {
			return cmd, unknownSubcommand(args[1], cmd.name)
		}
		cmd = sub
	}
	if !cmd.arityOK(len(args)) {
		return cmd, wrongArity(cmd.name)
	}
	return cmd, ""
}

// resolve is commandTable.resolve with a one-entry cache: clients tend to
// send the same command again and again (a pipeline of SETs), and a
// comparison is cheaper than a map lookup.
func (c *client) resolve(args [][]byte) (*command, string) {
	if cmd := c.lastResolved; cmd != nil && cmd.subcommands == nil && cmd.parent == nil &&
		len(args[0]) == len(cmd.name) && equalFoldASCII(args[0], cmd.name) && cmd.arityOK(len(args)) {
		return cmd, ""
	}
	cmd, errText := c.server.commands.resolve(args)
	if errText == "" {
		c.lastResolved = cmd
	}
	return cmd, errText
}

// equalFoldASCII reports whether b equals the lower-case name s, ignoring
// the case of b.
func equalFoldASCII(b []byte, s string) bool {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// keys returns the arguments that are keys, from the command's key
// positions, or for a command whose keys move with its arguments
// (SINTERCARD's numkeys), from its key specs.
func (cmd *command) keys(args [][]byte) [][]byte {
	if cmd.getKeys != nil {
		var keys [][]byte
		for _, k := range cmd.getKeys(args) {
			keys = append(keys, args[k.pos])
		}
		return keys
	}
	if cmd.info.flags&flagMovableKeys != 0 {
		return cmd.specKeys(args)
	}
	if cmd.firstKey <= 0 || cmd.firstKey >= len(args) {
		return nil
	}
	last := cmd.lastKey
	if last < 0 {
		last += len(args)
	}
	last = min(last, len(args)-1)
	step := max(cmd.keyStep, 1)
	var keys [][]byte
	for i := cmd.firstKey; i <= last; i += step {
		keys = append(keys, args[i])
	}
	return keys
}

// keyRef is a key a getKeys function finds: its position in argv and its
// flags.
type keyRef struct {
	pos   int
	flags keySpecFlags
}

// specKeys returns the keys that cmd's key specs find in args, or nil if
// the arguments do not fit them.
func (cmd *command) specKeys(args [][]byte) [][]byte {
	var keys [][]byte
	for _, ks := range cmd.info.keySpecs {
		if ks.flags&keyNotKey != 0 {
			continue
		}
		positions, ok := ks.positions(args)
		if !ok {
			return nil
		}
		for _, i := range positions {
			keys = append(keys, args[i])
		}
	}
	return keys
}

// dispatch runs one request and writes its reply, applying Redis's checks
// in Redis's order (processCommand).
func (s *Server) dispatch(c *client, args [][]byte) {
	// In a pipelined batch the previous command's end is this one's start:
	// one clock read per command instead of two.
	now := c.nextStart
	if now == 0 || c.conn.Reads() != c.readsAtEnd {
		now = s.monotonic() // the request had to be waited for
	} else {
		s.clock.observe(now)
	}
	c.nextStart = 0
	c.lastActive.Store(int64(now))
	var cmd *command
	tracking := s.tracking.live.Load() // the only cost of tracking while nobody tracks
	if tracking {
		defer func() { s.trackCommandEnd(c, cmd) }()
	}
	cmd, errText := c.resolve(args)
	if cmd != nil {
		c.lastCmd.Store(cmd)
	}
	if errText == "" {
		errText = s.admit(c, cmd, args)
	}
	if errText == "" && tracking {
		s.trackLimit()
	}
	if errText != "" {
		if cmd != nil {
			cmd.stats.rejected.add(1)
		}
		if c.multi != nil {
			c.multi.dirty = true // EXEC will abort
		}
		if cmd != nil && cmd.flags&flagRunsQueue != 0 {
			// A refused EXEC ends the transaction too (execCommandAbort).
			c.discardTransaction()
			errText = "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(errText, "ERR ")
		}
		c.reply(func() { c.conn.WriteError(errText) })
		return
	}
	if c.multi != nil && cmd.flags&flagRunsInMulti == 0 {
		c.multi.queue(cmd, args)
		c.multiShown.Store(int32(len(c.multi.cmds)))
		c.reply(func() { c.conn.WriteSimple("QUEUED") })
		return
	}
	s.waitWhilePaused(c, cmd, args)
	// Pushes follow the reply: none lands inside it.
	hold := c.receivesPushes()
	if hold {
		c.conn.HoldPushes()
	}
	c.reply(func() { s.call(c, cmd, args, now) })
	if hold {
		c.conn.ReleasePushes()
	}
	c.outShown.Store(int64(c.conn.Pending()))
}

// admit applies the checks between finding a command and running it, and
// returns the error reply of the first that fails.
func (s *Server) admit(c *client, cmd *command, args [][]byte) string {
	if !c.authenticated && cmd.root().flags&flagNoAuth == 0 && s.acl.authRequired() {
		return errNoAuth
	}
	if cmd.flags&flagProtected != 0 && !c.debugAllowed() {
		return errDebugNotAllowed
	}
	if c.multi != nil && cmd.flags&flagNoMulti != 0 {
		return "ERR Command not allowed inside a transaction"
	}
	if u := c.aclUserOf().get(); !u.Unrestricted() {
		if d, pos := s.aclCheck(u, cmd, args); d != aclOK {
			ctx := aclCtxTop
			if c.multi != nil {
				ctx = aclCtxMulti
			}
			s.logDenial(c, d, ctx, u.Name, cmd, args, pos)
			return aclRefusal(d, cmd)
		}
	}
	if oom := s.admitMemory(c, cmd); oom != "" {
		return oom
	}
	if refusal := s.writeRefusal(); refusal != "" && c.writes(cmd) {
		return refusal
	}
	if c.writes(cmd) && !s.isReplica() && s.replicasRefuseWrites() {
		return errNoReplicas
	}
	if refusal := s.replicaRefusal(c, cmd); refusal != "" {
		return refusal
	}
	if c.sub != nil && c.sub.active() && !c.resp3() && cmd.flags&flagSubscribeContext == 0 {
		return "ERR Can't execute '" + cmd.name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
	}
	if refusal := s.staleRefusal(c, cmd); refusal != "" {
		return refusal
	}
	if c.monitoring.Load() && (cmd.info.flags&(flagWrite|flagReadonly) != 0 || cmd.flags&flagMayReplicate != 0) {
		return "ERR Replica can't interact with the keyspace" // a monitor is a replica to Redis
	}
	return ""
}

// root returns the container of a subcommand, or the command itself.
func (cmd *command) root() *command {
	if cmd.parent != nil {
		return cmd.parent
	}
	return cmd
}

// reply runs write, which writes one reply, honouring CLIENT REPLY OFF and
// SKIP.
func (c *client) reply(write func()) {
	discard := c.replyOff || c.skipNext
	c.skipNext = false
	if discard {
		c.conn.SetDiscard(true)
	}
	write()
	if c.skipNextArmed { // CLIENT REPLY SKIP ran: drop the next reply
		c.skipNextArmed = false
		c.skipNext = true
	}
	if discard || c.replyOff {
		c.conn.SetDiscard(c.replyOff)
	}
}

// call runs cmd and records its statistics (Redis's call()). started is
// when the request was taken up (see Server.monotonic).
func (s *Server) call(c *client, cmd *command, args [][]byte, started time.Duration) {
	c.callStarted = started
	errsBefore := c.errors
	s.feedMonitorsBefore(c, cmd, args)
	collecting := cmd.flags&flagLockFree == 0 && s.beginEffects(c, cmd, args)
	if collecting {
		// Registered first, so it runs after the locks are released:
		// propagation.mu keeps the order until then.
		defer func() {
			if collecting {
				s.endEffects(c)
			}
		}()
	}
	// Most commands lock only the keys they touch. The few that act on
	// whole databases at once run with all other commands paused, so they
	// are atomic as in Redis.
	switch {
	case cmd.flags&flagLockFree != 0:
		s.runRecovering(c, cmd, args)
		s.recordCall(c, cmd, args, started, errsBefore)
		return
	case cmd.flags&flagExclusive != 0:
		if !s.exclusiveWorld(c, cmd, args) {
			return // a script is busy
		}
		c.exclusiveHeld = true
		defer func() {
			c.exclusiveHeld = false
			s.world.Unlock()
		}()
	default:
		if !s.sharedWorld(c, cmd, args) {
			return // a script is busy
		}
		defer s.world.RUnlock()
	}
	if s.persist.halted.Load() {
		// SHUTDOWN has saved for the last time: nothing runs after it.
		c.closeAfterReply = true
		return
	}
	if c.isMaster && c.masterLink.Err() != nil {
		return // REPLICAOF dropped the link while this waited (repl_replica.go)
	}
	if cmd.flags&(flagRunsQueue|flagScriptWrites) != 0 {
		s.runRecovering(c, cmd, args) // the commands it runs record their effects
	} else {
		s.runRecorded(c, cmd, args, c.effects)
	}
	if w := c.blocked; w != nil {
		if collecting {
			// Other writes must run while it waits, one of them to serve it.
			collecting = false
			s.endEffects(c)
		}
		// The command blocked (block.go). Redis counts it when it blocks;
		// its failure is known once it is unblocked, and its time leaves
		// out the wait. It waits holding no lock: a blocking command never
		// runs exclusively.
		c.blocked = nil
		s.countCall(cmd)
		s.feedMonitorsAfter(c, cmd, args) // Redis shows it when it blocks
		s.world.RUnlock()
		waitStart := s.monotonic()
		holding := c.receivesPushes()
		if holding {
			c.conn.ReleasePushes() // invalidations and messages reach a blocked client, as in Redis
		}
		c.awaitUnblock(w)
		s.awaitServedEffects(c)
		if holding {
			c.conn.HoldPushes()
		}
		started += s.monotonic() - waitStart
		s.world.RLock()
		s.recordEnd(c, cmd, args, started, errsBefore)
	} else {
		s.recordCall(c, cmd, args, started, errsBefore)
	}
	// Serve the clients blocked on keys the command made ready, before
	// its reply goes out (Redis's handleClientsBlockedOnKeys).
	s.serveBlocked(c.effects)
}

// runRecovering runs cmd, recovering from a panic in it so that one
// command's bug costs its client, not the server: the stack goes to the
// log (Redis's bug report), the client gets an error and is closed, since
// the reply it was sent may be cut short. Locks are released on the way
// up, by the deferred Close and Unlock calls every command makes.
func (s *Server) runRecovering(c *client, cmd *command, args [][]byte) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic running a command; closing its client",
				zap.String("command", cmd.name), zap.Int64("client", c.id), zap.String("addr", c.addr),
				zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
			c.blocked = nil
			c.conn.WriteError("ERR internal error running '" + cmd.name + "': see the server log")
			c.closeAfterReply = true
		}
	}()
	cmd.run(c, args)
}

// recordCall counts one run of cmd that began at started (see
// Server.monotonic); the command failed if the client wrote an error since
// errsBefore.
func (s *Server) recordCall(c *client, cmd *command, args [][]byte, started time.Duration, errsBefore int64) {
	s.countCall(cmd)
	s.feedMonitorsAfter(c, cmd, args)
	s.recordEnd(c, cmd, args, started, errsBefore)
}

// countCall counts a call of cmd in INFO's commandstats and
// total_commands_processed.
func (s *Server) countCall(cmd *command) {
	s.totalCommands.add(1)
	cmd.stats.calls.add(1)
}

// recordEnd records the end of a call of cmd with args: its latency,
// whether it failed, and its slow log entry.
func (s *Server) recordEnd(c *client, cmd *command, args [][]byte, started time.Duration, errsBefore int64) {
	end := s.monotonic()
	if c.conn.Buffered() {
		c.nextStart, c.readsAtEnd = end, c.conn.Reads() // more of the batch may follow
	}
	cmd.stats.latency.Record(end - started)
	s.slowlogPush(c, cmd, args, end-started)
	s.latencyCommandSample(cmd, end-started)
	// Failed if it wrote an error since it began, or since the last call
	// recorded within it: as Redis's incrCommandStatsOnError reckons,
	// EXEC fails by its own errors, not those of the commands it ran.
	failed := c.errors != max(errsBefore, c.errorsRecorded)
	if failed {
		cmd.stats.failed.add(1)
	}
	c.errorsRecorded = c.errors
	s.observeCommand(c, cmd, started, end, failed)
}

// exclusive runs f with every other client's commands paused. A command
// runs holding the world lock shared; this trades it for the exclusive
// lock, unless the client holds that already (inside EXEC, or an
// exclusive command).
func (c *client) exclusive(f func()) {
	if c.exclusiveHeld {
		f()
		return
	}
	s := c.server
	s.world.RUnlock()
	s.world.Lock()
	c.exclusiveHeld = true
	defer func() {
		c.exclusiveHeld = false
		s.world.Unlock()
		s.world.RLock()
	}()
	f()
}
