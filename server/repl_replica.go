package server

// The replica role: REPLICAOF points the server at a master (Redis 7, or
// this server), whose data it copies with PSYNC (a full sync loads the
// master's RDB, a partial one continues the stream after a short link
// loss) and whose write stream it then applies, as Redis's replication.c
// does on the replica side. The master side (PSYNC served, the backlog,
// WAIT) lives elsewhere.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/server/config"
	"github.com/mini-redis/mini-redis/server/scripting"
	"go.uber.org/zap"
)

// replicaTarget is a master's address, where REPLICAOF points; the zero
// value means no master.
type replicaTarget struct {
	Host string
	Port int
}

func (t replicaTarget) isSet() bool { return t.Host != "" }

func (t replicaTarget) addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// errMasterPort is Redis's reply to a port that is not a number in
// 0..65535, in REPLICAOF and the replicaof directive.
const errMasterPort = "Invalid master port"

// parseReplicaTarget reads "host port" or "no one" (zero target) as
// Redis's replicaofCommand and the replicaof directive do: the port is
// strtol'd to the end and must lie in 0..65535.
func parseReplicaTarget(host, port string) (replicaTarget, bool) {
	if strings.EqualFold(host, "no") && strings.EqualFold(port, "one") {
		return replicaTarget{}, true
	}
	n, err := strconv.ParseInt(port, 10, 64)
	if err != nil || n < 0 || n > 65535 {
		return replicaTarget{}, false
	}
	return replicaTarget{Host: host, Port: int(n)}, true
}

// replicaOfKind is the kind of the replicaof parameter, whose values are
// replicaTarget. CONFIG GET and REWRITE show the master the server has
// now, which REPLICAOF may have changed since the configuration was read,
// as Redis's getConfigReplicaOfOption reads server.masterhost.
func (st *settings) replicaOfKind() config.Kind {
	now := func(v any) replicaTarget {
		if f := st.replicaOfNow.Load(); f != nil {
			return (*f)()
		}
		t, _ := v.(replicaTarget)
		return t
	}
	return config.Special{
		MultiArg: true,
		ParseFunc: func(args []string, _ any) (any, error) {
			if len(args) == 0 || len(args) == 1 && args[0] == "" {
				return replicaTarget{}, nil
			}
			if len(args) != 2 {
				return nil, errors.New("wrong number of arguments")
			}
			t, ok := parseReplicaTarget(args[0], args[1])
			if !ok {
				return nil, errors.New(errMasterPort)
			}
			return t, nil
		},
		FormatFunc: func(v any) string {
			if t := now(v); t.isSet() {
				return t.Host + " " + strconv.Itoa(t.Port)
			}
			return ""
		},
		RewriteFunc: func(v, _ any) []config.Line {
			t := now(v)
			if !t.isSet() {
				return nil
			}
			// Unquoted, as Redis's rewriteConfigReplicaOfOption writes it.
			return []config.Line{{Args: t.Host + " " + strconv.Itoa(t.Port), Force: true}}
		},
	}
}

// linkState is where the replica is in its link with the master, as
// Redis's repl_state; ROLE names them.
type linkState int32

const (
	linkNone       linkState = iota // a master
	linkConnect                     // to connect (after a failure, or at once)
	linkConnecting                  // dialling
	linkHandshake                   // PING, AUTH, REPLCONF, PSYNC
	linkTransfer                    // receiving the RDB
	linkConnected                   // applying the stream
)

// String is the state as ROLE shows it.
func (l linkState) String() string {
	switch l {
	case linkConnect:
		return "connect"
	case linkConnecting:
		return "connecting"
	case linkHandshake:
		return "handshake"
	case linkTransfer:
		return "sync"
	case linkConnected:
		return "connected"
	}
	return "none"
}

// noReplID is Redis's empty replication ID.
var noReplID = strings.Repeat("0", 40)

// replicaState is the server's replication identity and, while it is a
// replica, its link with the master. The fields under mu change together
// (REPLICAOF, a sync); the atomics are read by INFO and ROLE.
type replicaState struct {
	mu sync.Mutex
	// target is the master; zero while the server is a master.
	target replicaTarget
	// cancel stops the link's goroutine, which closes done when it has
	// ended; wg waits for every link's goroutine.
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup
	// closed is set at shutdown: no link starts after it.
	closed bool
	// replID and replID2 are the replication IDs (master_replid,
	// master_replid2); secondOffset is up to where replID2 is valid.
	replID, replID2 string
	secondOffset    int64
	// hasHistory is set once the server's data follows replID from some
	// offset, so that a PSYNC can ask to continue it.
	hasHistory bool
	// db is the database the master's stream last selected, kept for a
	// partial resync.
	db int

	// offset is the replication offset: bytes of the master's stream
	// applied (slave_repl_offset, master_repl_offset); readOffset counts
	// those read too, a transaction's included before its EXEC.
	offset, readOffset atomic.Int64
	state              atomic.Int32 // a linkState
	// lastIO is Server.monotonic when the master last sent something;
	// downSince when the link last went down (0: never up).
	lastIO, downSince atomic.Int64
	// syncing, during a full sync's transfer: bytes expected (-1 with the
	// EOF-marked form) and read.
	syncSize, syncRead atomic.Int64
	syncStart          atomic.Int64 // Server.monotonic when the transfer began
}

// initReplica gives the server its replication ID and, when the
// configuration names a master, records it; Start begins the link.
func (s *Server) initReplica() {
	r := &s.replica
	r.replID, r.replID2, r.secondOffset = newRunID(), noReplID, -1
	r.target = s.settings.replicaOf.Load()
	now := func() replicaTarget {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.target
	}
	s.settings.replicaOfNow.Store(&now)
	if r.target.isSet() {
		r.state.Store(int32(linkConnect)) // newStore keeps expired keys from now on
	}
}

// isReplica reports whether the server has a master.
func (s *Server) isReplica() bool { return linkState(s.replica.state.Load()) != linkNone }

// startReplication begins the link with the configured master, if any
// (Start calls it once the data is loaded).
func (s *Server) startReplication() {
	r := &s.replica
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.target.isSet() && r.cancel == nil {
		s.store.SetKeepExpired(true) // the keyspace an AOF loaded, too
		s.startLinkLocked()
	}
}

// startLinkLocked starts the goroutine that keeps the link with r.target.
// The caller holds r.mu.
func (s *Server) startLinkLocked() {
	r := &s.replica
	if r.closed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.wg.Add(1)
	target := r.target
	prev, done := r.done, make(chan struct{})
	r.done = done
	go func() {
		defer r.wg.Done()
		defer close(done)
		if prev != nil {
			<-prev // the previous link, stopped without waiting, ends first
		}
		s.replicate(ctx, target)
	}()
}

// stopLinkLocked stops the link's goroutine and, with wait, waits for it.
// The caller holds r.mu, which the goroutine never takes while it applies
// commands. Inside a transaction, which holds the world lock, it cannot
// wait for a goroutine that may wait for that lock: the link, cancelled,
// applies nothing more (see applyStream) and ends after the transaction.
func (s *Server) stopLinkLocked(wait bool) {
	r := &s.replica
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	if wait {
		done := r.done
		r.mu.Unlock()
		<-done
		r.mu.Lock()
	}
}

// stopReplication ends the link for good, at shutdown, and waits for
// every link's goroutine.
func (s *Server) stopReplication() {
	r := &s.replica
	r.mu.Lock()
	r.closed = true
	s.stopLinkLocked(false)
	r.mu.Unlock()
	r.wg.Wait()
}

// replicaOf is REPLICAOF: host and port, or "no one". It returns the
// simple reply, or an error reply. inTransaction is set when it runs
// inside EXEC, holding the world lock.
func (s *Server) replicaOf(t replicaTarget, inTransaction bool) (reply string, errText string) {
	r := &s.replica
	r.mu.Lock()
	defer r.mu.Unlock()
	if !t.isSet() {
		if r.target.isSet() {
			s.stopLinkLocked(!inTransaction)
			r.target = replicaTarget{}
			s.becomeMasterLocked()
			s.log.Info("MASTER MODE enabled (user request)")
		}
		return "OK", ""
	}
	if r.target.isSet() && strings.EqualFold(r.target.Host, t.Host) && r.target.Port == t.Port {
		return "OK Already connected to specified master", ""
	}
	s.stopLinkLocked(!inTransaction)
	if !r.target.isSet() {
		// A master turning replica keeps its history: it may continue it
		// with a partial resync from the new master (Redis's
		// replicationCacheMasterUsingMyself). Its own replicas go.
		s.stopServing()
		var offset int64
		r.replID, r.replID2, offset, r.secondOffset = s.repl.identity()
		r.offset.Store(offset)
		r.readOffset.Store(offset)
		r.hasHistory = true
	}
	r.target = t
	r.state.Store(int32(linkConnect))
	r.downSince.Store(0)
	s.store.SetKeepExpired(true)
	s.startLinkLocked()
	s.log.Info("REPLICAOF enabled (user request)", zap.String("master", t.addr()))
	return "OK", ""
}

// becomeMasterLocked makes the server a master after being a replica,
// keeping its data: the master's ID becomes the second one, valid up to
// the offset reached, and a new ID starts, as Redis's shiftReplicationId
// does. The caller holds r.mu and has stopped the link.
func (s *Server) becomeMasterLocked() {
	r := &s.replica
	r.replID2 = r.replID
	r.secondOffset = r.offset.Load() + 1
	r.replID = newRunID()
	r.hasHistory = true
	r.state.Store(int32(linkNone))
	s.store.SetKeepExpired(false)
	s.repl.adopt(r.replID, r.replID2, r.offset.Load(), r.secondOffset)
}

// replicate keeps the link with target until ctx ends: it syncs, applies
// the stream, and when the link breaks tries again every second, as
// Redis's replicationCron does.
func (s *Server) replicate(ctx context.Context, target replicaTarget) {
	r := &s.replica
	for ctx.Err() == nil {
		err := s.syncWithMaster(ctx, target)
		if ctx.Err() != nil {
			return
		}
		if linkState(r.state.Load()) == linkConnected {
			r.downSince.Store(int64(s.monotonic()))
		}
		r.state.Store(int32(linkConnect))
		s.log.Warn("replication link with the master lost; retrying", zap.String("master", target.addr()), zap.Error(err))
		t := time.NewTimer(time.Second)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// masterLink is one connection to the master.
type masterLink struct {
	ctx context.Context // the link's: cancelled by REPLICAOF and shutdown
	nc  net.Conn
	br  *bufio.Reader
	// wmu orders the replica's writes: ACKs from the timer and from
	// GETACK.
	wmu     sync.Mutex
	timeout time.Duration
}

// send writes a command to the master.
func (l *masterLink) send(args ...string) error {
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.nc.SetWriteDeadline(time.Now().Add(l.timeout))
	_, err := l.nc.Write(b)
	return err
}

// readLine reads one line of the master's, without its CR LF.
func (l *masterLink) readLine() (string, error) {
	l.nc.SetReadDeadline(time.Now().Add(l.timeout))
	line, err := l.br.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// command sends a handshake command and returns the master's reply line.
func (l *masterLink) command(args ...string) (string, error) {
	if err := l.send(args...); err != nil {
		return "", err
	}
	return l.readLine()
}

// syncWithMaster connects to target, syncs (partially if the master can
// continue our history, else fully) and applies the stream until the link
// breaks or ctx ends.
func (s *Server) syncWithMaster(ctx context.Context, target replicaTarget) error {
	r := &s.replica
	r.state.Store(int32(linkConnecting))
	timeout := time.Duration(s.settings.replTimeout.Load()) * time.Second
	d := net.Dialer{Timeout: timeout}
	nc, err := d.DialContext(ctx, "tcp", target.addr())
	if err != nil {
		return fmt.Errorf("connect to the master: %w", err)
	}
	defer nc.Close()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	l := &masterLink{ctx: ctx, nc: nc, br: bufio.NewReaderSize(nc, 64<<10), timeout: timeout}

	r.state.Store(int32(linkHandshake))
	reply, err := l.command("PING")
	if err != nil {
		return fmt.Errorf("PING the master: %w", err)
	}
	// Redis accepts an authentication error here: AUTH follows.
	if strings.HasPrefix(reply, "-") && !strings.HasPrefix(reply, "-NOAUTH") && !strings.HasPrefix(reply, "-NOPERM") &&
		!strings.HasPrefix(reply, "-ERR operation not permitted") {
		return fmt.Errorf("error reply to PING from master: %q", reply)
	}
	if pass := s.settings.masterAuth.Load(); pass != "" {
		args := []string{"AUTH", pass}
		if user := s.settings.masterUser.Load(); user != "" {
			args = []string{"AUTH", user, pass}
		}
		if reply, err = l.command(args...); err != nil {
			return fmt.Errorf("AUTH to the master: %w", err)
		}
		if strings.HasPrefix(reply, "-") {
			return fmt.Errorf("unable to AUTH to MASTER: %s", reply)
		}
	}
	if reply, err = l.command("REPLCONF", "listening-port", strconv.FormatInt(s.listeningPort(), 10)); err != nil {
		return fmt.Errorf("REPLCONF listening-port: %w", err)
	} else if strings.HasPrefix(reply, "-") {
		s.log.Info("(non critical) master does not understand REPLCONF listening-port", zap.String("reply", reply))
	}
	if reply, err = l.command("REPLCONF", "capa", "eof", "capa", "psync2"); err != nil {
		return fmt.Errorf("REPLCONF capa: %w", err)
	} else if strings.HasPrefix(reply, "-") {
		s.log.Info("(non critical) master does not understand REPLCONF capa", zap.String("reply", reply))
	}

	r.mu.Lock()
	id, offset := "?", int64(-1)
	if r.hasHistory {
		id, offset = r.replID, r.offset.Load()+1
	}
	r.mu.Unlock()
	if err := l.send("PSYNC", id, strconv.FormatInt(offset, 10)); err != nil {
		return fmt.Errorf("PSYNC: %w", err)
	}
	for {
		// The master may send newlines to keep the link alive before it
		// replies.
		if reply, err = l.readLine(); err != nil {
			return fmt.Errorf("read the reply to PSYNC: %w", err)
		}
		if reply != "" {
			break
		}
	}
	fields := strings.Fields(reply)
	switch {
	case len(fields) == 3 && fields[0] == "+FULLRESYNC":
		off, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			return fmt.Errorf("bad FULLRESYNC reply %q", reply)
		}
		s.log.Info("full resync from master", zap.String("replid", fields[1]), zap.Int64("offset", off))
		if err := s.loadFullSync(l, fields[1], off); err != nil {
			return err
		}
	case len(fields) >= 1 && fields[0] == "+CONTINUE":
		r.mu.Lock()
		if len(fields) == 2 && fields[1] != r.replID {
			// The master's history has a new ID from our offset on.
			r.replID2, r.secondOffset = r.replID, r.offset.Load()+1
			r.replID = fields[1]
		}
		r.mu.Unlock()
		s.log.Info("successful partial resynchronization with master", zap.String("reply", reply))
	default:
		return fmt.Errorf("unexpected reply to PSYNC from master: %q", reply)
	}
	return s.applyStream(ctx, l)
}

// listeningPort is the port REPLCONF listening-port announces: the first
// listener's.
func (s *Server) listeningPort() int64 {
	if a, ok := s.Addr().(*net.TCPAddr); ok {
		return int64(a.Port)
	}
	return s.settings.port.Load()
}

// loadFullSync reads the master's RDB, in either of the forms Redis sends it
// ("$<len>" then the bytes, or "$EOF:<mark>" then the bytes then the
// mark), and replaces the server's data with it.
func (s *Server) loadFullSync(l *masterLink, replID string, offset int64) error {
	r := &s.replica
	r.state.Store(int32(linkTransfer))
	r.syncStart.Store(int64(s.monotonic()))
	var header string
	for {
		// Newlines keep the link alive while the master saves.
		h, err := l.readLine()
		if err != nil {
			return fmt.Errorf("read the sync payload's header: %w", err)
		}
		if h != "" {
			header = h
			break
		}
	}
	if !strings.HasPrefix(header, "$") {
		return fmt.Errorf("bad protocol from master while reading the sync payload: %q", header)
	}
	var payload io.Reader
	if mark, ok := strings.CutPrefix(header, "$EOF:"); ok {
		if len(mark) != rdbEOFMarkLen {
			return fmt.Errorf("bad EOF mark in the sync payload's header: %q", header)
		}
		r.syncSize.Store(-1)
		payload = &eofMarkReader{r: l.br, mark: []byte(mark)}
	} else {
		n, err := strconv.ParseInt(header[1:], 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("bad sync payload length: %q", header)
		}
		r.syncSize.Store(n)
		payload = io.LimitReader(l.br, n)
	}
	r.syncRead.Store(0)
	// The payload is read whole before the data is replaced, so that
	// clients wait only for the load, not for the network (Redis too
	// reads it to a file first).
	l.nc.SetReadDeadline(time.Now().Add(l.timeout)) // moved on by every read
	data, err := io.ReadAll(&countingReader{r: payload, n: &r.syncRead, touch: func() {
		r.lastIO.Store(int64(s.monotonic()))
		l.nc.SetReadDeadline(time.Now().Add(l.timeout))
	}})
	if err != nil {
		return fmt.Errorf("read the sync payload: %w", err)
	}
	if err := s.loadFromMaster(l.ctx, data); err != nil {
		return fmt.Errorf("load the master's RDB: %w", err)
	}
	if s.settings.appendOnly.Load() {
		// The AOF must hold the new data, not the old data's commands: a
		// rewrite writes it a base, as Redis restarts its AOF after a sync.
		if _, err := s.requestRewrite(); err != nil {
			s.log.Warn("AOF rewrite after the sync with the master not started", zap.Error(err))
		}
	}
	r.mu.Lock()
	r.replID, r.replID2, r.secondOffset = replID, noReplID, -1
	r.offset.Store(offset)
	r.readOffset.Store(offset)
	r.hasHistory = true
	r.db = 0
	r.mu.Unlock()
	return nil
}

// rdbEOFMarkLen is the length of the mark that ends a diskless transfer.
const rdbEOFMarkLen = 40

// loadFromMaster replaces the data with the RDB in data, with every other
// command paused: the old data is flushed as FLUSHALL does (watchers and
// trackers are told), and expired keys are kept for the master's DEL.
func (s *Server) loadFromMaster(ctx context.Context, data []byte) error {
	s.world.Lock()
	defer s.world.Unlock()
	if ctx.Err() != nil {
		return ctx.Err() // REPLICAOF changed the master while we waited
	}
	s.flushAll()
	info, loaded, _, err := loadRDBEntries(bytes.NewReader(data), s.store, false)
	if err != nil {
		s.flushAll() // no half-loaded data
		return err
	}
	if errText := s.scripts.engine.RestoreLibraries(info.Libraries, scripting.RestoreFlush); errText != "" {
		return errors.New("Failed loading library, " + errText)
	}
	s.dirty.Add(loaded)
	s.log.Info("MASTER <-> REPLICA sync: finished with success", zap.Int64("keys", loaded), zap.Int("bytes", len(data)))
	return nil
}

// countingReader counts the bytes read from r in n and calls touch after
// each read.
type countingReader struct {
	r     io.Reader
	n     *atomic.Int64
	touch func()
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	c.touch()
	return n, err
}

// eofMarkReader reads a diskless transfer: the bytes up to the mark, which
// it consumes and never returns. It never reads past the mark, so the
// stream that follows stays in r.
type eofMarkReader struct {
	r    *bufio.Reader
	mark []byte
	done bool
}

func (e *eofMarkReader) Read(p []byte) (int, error) {
	if e.done {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	head, err := e.r.Peek(len(e.mark))
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	if bytes.Equal(head, e.mark) {
		e.r.Discard(len(e.mark))
		e.done = true
		return 0, io.EOF
	}
	buf, _ := e.r.Peek(e.r.Buffered())
	// A byte before the mark's first possible start cannot be the mark's.
	safe := len(buf) - len(e.mark) + 1
	if i := bytes.Index(buf, e.mark); i >= 0 {
		safe = i
	}
	n := copy(p, buf[:min(safe, len(buf))])
	e.r.Discard(n)
	return n, nil
}

// applyStream applies the master's commands as its client does in Redis:
// no replies, no read-only or ACL checks, and the offset advanced by the
// bytes of each command once it has run (a transaction's at its EXEC). It
// acknowledges the offset every second and when the master asks (REPLCONF
// GETACK). It returns when the link breaks or ctx ends.
func (s *Server) applyStream(ctx context.Context, l *masterLink) error {
	r := &s.replica
	mc := s.newMasterClient(ctx, l.nc)
	defer s.removeMasterClient(mc)
	r.mu.Lock()
	mc.selectDB(r.db)
	r.mu.Unlock()
	r.state.Store(int32(linkConnected))
	r.lastIO.Store(int64(s.monotonic()))
	ack := func() error {
		return l.send("REPLCONF", "ACK", strconv.FormatInt(r.offset.Load(), 10))
	}
	// The first ACK puts us online on a master that waits for it (after a
	// diskless transfer).
	if err := ack(); err != nil {
		return fmt.Errorf("REPLCONF ACK: %w", err)
	}
	ackCtx, stopAcks := context.WithCancel(ctx)
	var acks sync.WaitGroup
	acks.Add(1)
	go func() {
		defer acks.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ackCtx.Done():
				return
			case <-t.C:
				ack()
			}
		}
	}()
	defer func() {
		stopAcks()
		acks.Wait()
	}()
	sr := &streamReader{br: l.br}
	for {
		l.nc.SetReadDeadline(time.Now().Add(l.timeout))
		args, n, err := sr.next()
		if err != nil {
			if mc.multi != nil {
				mc.discardTransaction() // sent again after a partial resync
			}
			return fmt.Errorf("read the master's stream: %w", err)
		}
		r.lastIO.Store(int64(s.monotonic()))
		r.readOffset.Add(n)
		if len(args) >= 2 && strings.EqualFold(string(args[0]), "replconf") && strings.EqualFold(string(args[1]), "getack") {
			// The ACK reports the offset before this command, as Redis's.
			if err := ack(); err != nil {
				return fmt.Errorf("REPLCONF ACK: %w", err)
			}
			s.advanceOffset(mc)
			continue
		}
		s.applyFromMaster(mc, args)
		if ctx.Err() != nil {
			return ctx.Err() // the command was not applied (see Server.call)
		}
		s.advanceOffset(mc)
		r.mu.Lock()
		r.db = mc.dbIndex
		r.mu.Unlock()
	}
}

// advanceOffset counts the stream read so far as applied, unless it ends
// inside a transaction: its bytes count once EXEC has run it, so that a
// transaction cut short by a broken link is sent again whole.
func (s *Server) advanceOffset(mc *client) {
	if mc.multi == nil {
		s.replica.offset.Store(s.replica.readOffset.Load())
	}
}

// applyFromMaster runs one command of the master's stream on mc.
func (s *Server) applyFromMaster(mc *client, args [][]byte) {
	cmd, errText := mc.resolve(args)
	if errText != "" {
		s.log.Warn("command from the master refused", zap.ByteString("command", args[0]), zap.String("error", errText))
		return
	}
	mc.lastCmd.Store(cmd)
	mc.lastActive.Store(int64(s.monotonic()))
	if mc.multi != nil && cmd.flags&flagRunsInMulti == 0 {
		mc.multi.queue(cmd, args)
		return
	}
	// The master's commands wait for a busy script, as Redis reads
	// nothing from its master then, rather than fail with BUSY.
	for run := s.scripts.running.Load(); run != nil && mc.masterLink.Err() == nil; run = s.scripts.running.Load() {
		select {
		case <-run.Done():
		case <-mc.masterLink.Done():
		}
	}
	mc.reply(func() { s.call(mc, cmd, args, s.monotonic()) })
	mc.conn.Flush()
}

// newMasterClient returns the client that runs the master's stream: its
// replies are dropped, it passes every check, and it is listed among the
// clients (type master), so that CLIENT KILL TYPE master cuts the link.
func (s *Server) newMasterClient(ctx context.Context, nc net.Conn) *client {
	c := &client{
		masterLink:    ctx,
		id:            s.nextClientID.Add(1),
		server:        s,
		created:       time.Now(),
		addr:          nc.RemoteAddr().String(),
		laddr:         nc.LocalAddr().String(),
		fdNum:         fdOf(nc),
		authenticated: true,
		isMaster:      true,
		replyOff:      true,
	}
	c.lastActive.Store(int64(s.monotonic()))
	c.conn = connection.New(nc, connection.Options{})
	c.conn.SetDiscard(true)
	c.dbShown.Store(0)
	c.respShown.Store(2)
	c.multiShown.Store(-1)
	s.mu.Lock()
	s.clients[c] = struct{}{}
	s.mu.Unlock()
	return c
}

// removeMasterClient takes the master's client off the list.
func (s *Server) removeMasterClient(c *client) {
	c.cleanup()
	s.mu.Lock()
	delete(s.clients, c)
	s.mu.Unlock()
}

// streamReader reads the master's commands, RESP arrays of bulk strings,
// counting the bytes of each.
type streamReader struct {
	br *bufio.Reader
}

// next returns the next command and its length in bytes. Empty lines
// (keep-alives) count in the offset and are skipped.
func (sr *streamReader) next() ([][]byte, int64, error) {
	var total int64
	for {
		line, err := sr.br.ReadSlice('\n')
		if err != nil {
			return nil, 0, err
		}
		total += int64(len(line))
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			continue
		}
		if line[0] != '*' {
			// An inline command, which masters do not send; taken as words.
			return bytesFields(line), total, nil
		}
		n, ok := frame.ParseInt(line[1:])
		if !ok || n < 0 || n > 1<<20 {
			return nil, 0, fmt.Errorf("bad array length in the master's stream: %q", line)
		}
		args := make([][]byte, 0, n)
		for range n {
			hdr, err := sr.br.ReadSlice('\n')
			if err != nil {
				return nil, 0, err
			}
			total += int64(len(hdr))
			hdr = bytes.TrimRight(hdr, "\r\n")
			if len(hdr) == 0 || hdr[0] != '$' {
				return nil, 0, fmt.Errorf("expected a bulk string in the master's stream, got %q", hdr)
			}
			size, ok := frame.ParseInt(hdr[1:])
			if !ok || size < 0 {
				return nil, 0, fmt.Errorf("bad bulk length in the master's stream: %q", hdr)
			}
			arg := make([]byte, size+2)
			if _, err := io.ReadFull(sr.br, arg); err != nil {
				return nil, 0, err
			}
			total += size + 2
			args = append(args, arg[:size])
		}
		if len(args) == 0 {
			continue
		}
		return args, total, nil
	}
}

// bytesFields splits an inline command at spaces.
func bytesFields(line []byte) [][]byte {
	var out [][]byte
	for _, f := range bytes.Fields(line) {
		out = append(out, f)
	}
	return out
}

// replicaRefusal returns the error that refuses cmd to a normal client of
// a replica: READONLY for a write under replica-read-only, MASTERDOWN for
// a command that needs fresh data while the link is down under
// replica-serve-stale-data no. It is "" otherwise.
func (s *Server) replicaRefusal(c *client, cmd *command) string {
	if c.isMaster || !s.isReplica() {
		return ""
	}
	if s.settings.replicaReadOnly.Load() && c.writes(cmd) {
		return "READONLY You can't write against a read only replica."
	}
	return ""
}

// staleRefusal returns MASTERDOWN for a command that is not allowed with
// stale data while the link with the master is down and
// replica-serve-stale-data is no, as Redis checks it after the subscribe
// context.
func (s *Server) staleRefusal(c *client, cmd *command) string {
	if c.isMaster || !s.isReplica() || s.settings.replicaServeStaleData.Load() ||
		linkState(s.replica.state.Load()) == linkConnected {
		return ""
	}
	stale := cmd.info.flags&flagStale != 0
	if cmd.flags&flagRunsQueue != 0 && c.multi != nil {
		for _, q := range c.multi.cmds {
			stale = stale && q.cmd.info.flags&flagStale != 0
		}
	}
	if stale {
		return ""
	}
	return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
}

// infoReplicaFields writes INFO replication's fields of a replica, between
// role and connected_slaves, as Redis 7.0 does.
func (s *Server) infoReplicaFields(w *infoWriter) {
	r := &s.replica
	r.mu.Lock()
	target := r.target
	r.mu.Unlock()
	state := linkState(r.state.Load())
	now := s.monotonic()
	w.str("master_host", target.Host)
	w.int("master_port", int64(target.Port))
	up := state == linkConnected
	if up {
		w.str("master_link_status", "up")
	} else {
		w.str("master_link_status", "down")
	}
	lastIO := int64(-1)
	if up || state == linkTransfer {
		lastIO = int64((now - time.Duration(r.lastIO.Load())) / time.Second)
	}
	w.int("master_last_io_seconds_ago", lastIO)
	if state == linkTransfer {
		w.int("master_sync_in_progress", 1)
		size, read := r.syncSize.Load(), r.syncRead.Load()
		w.int("master_sync_total_bytes", size)
		w.int("master_sync_read_bytes", read)
		left := int64(-1)
		if size >= 0 {
			left = size - read
		}
		w.int("master_sync_left_bytes", left)
		w.int("master_sync_perc", syncPercent(size, read))
		w.int("master_sync_last_io_seconds_ago", lastIO)
	} else {
		w.int("master_sync_in_progress", 0)
	}
	w.int("slave_read_repl_offset", r.readOffset.Load())
	w.int("slave_repl_offset", r.offset.Load())
	if !up {
		since := int64(-1)
		if d := r.downSince.Load(); d != 0 {
			since = int64((now - time.Duration(d)) / time.Second)
		}
		w.int("master_link_down_since_seconds", since)
	}
	w.int("slave_priority", s.settings.replicaPriority.Load())
	w.int("slave_read_only", boolInt(s.settings.replicaReadOnly.Load()))
	w.int("replica_announced", boolInt(s.settings.replicaAnnounced.Load()))
}

// syncPercent is master_sync_perc: the share of the payload read, 0 when
// its size is unknown.
func syncPercent(size, read int64) int64 {
	if size <= 0 {
		return 0
	}
	return read * 100 / size
}

// replIDs returns master_replid, master_replid2, master_repl_offset and
// second_repl_offset.
func (s *Server) replIDs() (id, id2 string, offset, second int64) {
	if !s.isReplica() {
		return s.repl.identity()
	}
	r := &s.replica
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.replID, r.replID2, r.offset.Load(), r.secondOffset
}

// writeReplicaRole writes ROLE's reply on a replica: "slave", the
// master's host and port, the link's state and the offset (-1 while not
// connected).
func (s *Server) writeReplicaRole(c *client) {
	r := &s.replica
	r.mu.Lock()
	target := r.target
	r.mu.Unlock()
	state := linkState(r.state.Load())
	offset := int64(-1)
	if state == linkConnected {
		offset = r.offset.Load()
	}
	c.conn.WriteArrayLen(5)
	c.conn.WriteBulkString("slave")
	c.conn.WriteBulkString(target.Host)
	c.conn.WriteInt(int64(target.Port))
	c.conn.WriteBulkString(state.String())
	c.conn.WriteInt(offset)
}
