package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/server/config"
	"go.uber.org/zap"
)

// The master side of replication, as Redis 7.0 serves replicas
// (replication.c):
//
//   - The replication stream is the propagated commands (propagate.go) as
//     RESP, with a SELECT whenever the database changes (before a
//     transaction's MULTI, unlike the AOF), the PINGs of
//     repl-ping-replica-period and the REPLCONF GETACKs of WAIT. Its bytes
//     are counted by master_repl_offset. It exists while the backlog does:
//     from the first replica until repl-backlog-ttl seconds after the last
//     one left; meanwhile the server subscribes to the propagated commands.
//   - The stream is kept in a list of blocks shared by the backlog and the
//     replicas, as Redis 7.0's shared replication buffer: the backlog holds
//     the blocks of its last repl-backlog-size bytes, each replica its
//     position; a block nobody holds is garbage. A replica's output is the
//     stream between its position and the end, bounded by
//     client-output-buffer-limit replica.
//   - A full sync takes the keyspace snapshot (the BGSAVE machinery) and
//     the replica's position in the stream at one point, holding
//     propagation.mu and the world lock, so that every write is either in
//     the snapshot or after the position. The RDB is then written to the
//     replica's socket (repl-diskless-sync, for a replica that announced
//     capa eof: "$EOF:<mark>", the RDB, the mark) or to a file first ("$<len>"
//     and the file). Commands go on meanwhile; the stream waits in blocks.
//   - Each replica's stream is written by a goroutine of its own (its
//     feeder), straight to the socket; the client's own goroutine goes on
//     reading the replica's REPLCONF ACKs.
//
// Lock order: propagation.mu, the world lock, replState.mu.

// replBlockSize is the size of the stream's blocks (PROTO_REPLY_CHUNK_BYTES).
const replBlockSize = 16 << 10

// replBlock is a piece of the replication stream. Bytes below len(data)
// never change; appends go into the spare capacity, which is never
// reallocated, so readers may use data[:n] without the lock once they
// have read n under it.
type replBlock struct {
	start int64 // the stream offset of data[0]: the bytes before it
	data  []byte
	next  *replBlock // under replState.mu
}

// Replica states, as INFO names them (replstateToString).
const (
	replicaWaitBgsave int32 = iota // waiting for its snapshot
	replicaSendBulk                // being sent the RDB
	replicaOnline                  // streamed to
)

// replica is one replica connected to this server.
type replica struct {
	c                   *client
	nc                  net.Conn
	ip                  string // REPLCONF ip-address, or ""
	port                atomic.Int64
	capaEOF, capaPSYNC2 bool
	prePSYNC            bool // came with SYNC: no ACKs, no timeout

	state   atomic.Int32
	ackOff  atomic.Int64 // the offset its last REPLCONF ACK gave
	ackTime atomic.Int64 // the Unix seconds of its last ACK

	// Under replState.mu: its place in the stream, and how much of the
	// stream up to there it has been written (sent counts it too, for the
	// output limits).
	block    *replBlock
	pos      int
	sent     int64
	overSoft time.Time

	// streamOK is closed when the stream may be written: at once, or, after
	// an EOF-marked RDB, at the replica's first ACK (Redis's
	// repl_start_cmd_stream_on_ack), so that it finds the mark at the end
	// of what it reads.
	streamOK   chan struct{}
	streamOnce sync.Once
	stop       chan struct{} // closed when it is dropped
	done       chan struct{} // closed when its feeder has returned
	started    bool          // its feeder was started (under replState.mu)
}

// replState is the master side of replication.
type replState struct {
	srv *Server

	mu           sync.Mutex
	id, id2      string // master_replid, master_replid2
	secondOffset int64  // second_repl_offset
	offset       int64  // master_repl_offset: the stream's length
	seldb        int    // the database the stream's last SELECT chose; -1 for none
	scratch      []byte
	// The stream's blocks: tail is the last (nil while there is no
	// backlog), backlog the first the backlog holds, which starts at
	// backlogStart.
	tail, backlog *replBlock
	backlogStart  int64
	replicas      []*replica
	noReplicasAt  time.Time // when the last replica left
	cancelSub     func()
	// grown is closed, and replaced, when the stream grows or an ACK
	// comes: the feeders and WAIT wait on it.
	grown chan struct{}

	feeders sync.WaitGroup

	syncFull, syncPartialOK, syncPartialErr atomic.Int64

	// streamEnd mirrors offset while there is a stream (tail set), and is
	// -1 while there is none: every write reads it (noteWriteOffset), and
	// r.mu would be one more lock per write. It is stored under r.mu.
	streamEnd atomic.Int64
}

// publishEndLocked updates streamEnd; r.mu is held.
func (r *replState) publishEndLocked() {
	if r.tail == nil {
		r.streamEnd.Store(-1)
	} else {
		r.streamEnd.Store(r.offset)
	}
}

// initReplication sets up the master side; the server calls it once.
func (s *Server) initReplication() {
	r := &s.repl
	r.srv = s
	r.id = newRunID()
	r.id2 = zeroReplID
	r.secondOffset = -1
	r.seldb = -1
	r.streamEnd.Store(-1)
	r.grown = make(chan struct{})
	r.noReplicasAt = s.clock.Now()
}

// zeroReplID is the replication ID of no history (master_replid2 unset).
const zeroReplID = "0000000000000000000000000000000000000000"

// Propagate appends one call's effects to the replication stream (see
// Propagator).
func (r *replState) Propagate(dbi int, cmds [][][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tail == nil {
		return
	}
	r.scratch = appendPropagated(r.scratch[:0], &r.seldb, dbi, cmds, false)
	r.appendLocked(r.scratch)
}

// feedRaw appends cmd to the stream as it is, with no SELECT: the PINGs
// and GETACKs, which Redis feeds in the stream's current database.
func (r *replState) feedRaw(cmd ...string) {
	args := make([][]byte, len(cmd))
	for i, a := range cmd {
		args[i] = []byte(a)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tail == nil {
		return
	}
	r.scratch = appendRESPCommand(r.scratch[:0], args)
	r.appendLocked(r.scratch)
}

// appendLocked appends p to the stream, trims the backlog, applies the
// replicas' output limits and wakes the feeders; r.mu is held.
func (r *replState) appendLocked(p []byte) {
	for len(p) > 0 {
		t := r.tail
		if len(t.data) == cap(t.data) {
			nb := &replBlock{start: r.offset, data: make([]byte, 0, max(replBlockSize, len(p)))}
			t.next = nb
			r.tail = nb
			t = nb
		}
		n := min(cap(t.data)-len(t.data), len(p))
		t.data = append(t.data, p[:n]...)
		p = p[n:]
		r.offset += int64(n)
	}
	r.publishEndLocked()
	size := int64(r.srv.settings.replBacklogSize.Load())
	for r.backlog != r.tail && r.offset-r.backlogStart > size {
		r.backlogStart += int64(len(r.backlog.data))
		r.backlog = r.backlog.next
	}
	r.checkLimitsLocked()
	r.wakeLocked()
}

// wakeLocked wakes whoever waits on grown; r.mu is held.
func (r *replState) wakeLocked() {
	close(r.grown)
	r.grown = make(chan struct{})
}

// checkLimitsLocked closes the replicas whose unsent stream passes
// client-output-buffer-limit replica, as Redis's
// checkClientOutputBufferLimits; r.mu is held.
func (r *replState) checkLimitsLocked() {
	lim := r.srv.settings.outputLimits(config.ClassReplica)
	if lim.Hard == 0 && lim.Soft == 0 {
		return
	}
	for _, rep := range r.replicas {
		if rep.block == nil {
			continue // not in the stream yet
		}
		pending := r.offset - rep.sent
		over := false
		switch {
		case lim.Hard > 0 && pending > int64(lim.Hard):
			over = true
		case lim.Soft > 0 && pending > int64(lim.Soft):
			now := r.srv.clock.Now()
			if rep.overSoft.IsZero() {
				rep.overSoft = now
			} else if now.Sub(rep.overSoft) > lim.SoftFor {
				over = true
			}
		default:
			rep.overSoft = time.Time{}
		}
		if over && !rep.c.killed.Load() {
			r.srv.log.Warn("Client scheduled to be closed ASAP for overcoming of output buffer limits.",
				zap.Int64("client", rep.c.id), zap.String("addr", rep.c.addr), zap.Int64("pending", pending))
			rep.c.kill()
		}
	}
}

// ensureBacklog creates the backlog, and so the stream, if there is none:
// with a new replication ID and no second one, since the stream has no
// past (Redis's syncCommand), and subscribes to the propagated commands.
func (r *replState) ensureBacklog() {
	r.mu.Lock()
	if r.tail != nil {
		r.mu.Unlock()
		return
	}
	r.id = newRunID()
	r.id2 = zeroReplID
	r.secondOffset = -1
	r.tail = &replBlock{start: r.offset, data: make([]byte, 0, replBlockSize)}
	r.backlog = r.tail
	r.backlogStart = r.offset
	r.seldb = -1
	r.publishEndLocked()
	r.mu.Unlock()
	cancel := r.srv.Subscribe(r)
	r.mu.Lock()
	r.cancelSub = cancel
	r.mu.Unlock()
	r.srv.log.Info("Replication backlog created, my new replication IDs are '" + r.id + "' and '" + zeroReplID + "'")
}

// freeBacklog drops the backlog once no replica has been connected for
// repl-backlog-ttl seconds (replicationCron): a new replication ID, since
// the history is lost.
func (r *replState) freeBacklog() {
	r.mu.Lock()
	if r.tail == nil || len(r.replicas) > 0 {
		r.mu.Unlock()
		return
	}
	r.id = newRunID()
	r.id2 = zeroReplID
	r.secondOffset = -1
	unsubscribe := r.dropBacklogLocked()
	r.mu.Unlock()
	unsubscribe()
}

// dropBacklogLocked drops the backlog, and so the stream, and returns the
// end of the server's subscription to the propagated commands (a no-op if
// there is none), for the caller to call once it has released r.mu: the
// cancel takes propagation.mu, which comes before r.mu. r.mu is held.
func (r *replState) dropBacklogLocked() (unsubscribe func()) {
	r.tail, r.backlog = nil, nil
	r.publishEndLocked()
	cancel := r.cancelSub
	r.cancelSub = nil
	if cancel == nil {
		return func() {}
	}
	return cancel
}

// attachLocked gives rep its place in the stream at offset off, which the
// backlog holds; r.mu is held.
func (r *replState) attachLocked(rep *replica, off int64) {
	b := r.backlog
	for b.next != nil && off >= b.start+int64(len(b.data)) {
		b = b.next
	}
	rep.block, rep.pos, rep.sent = b, int(off-b.start), off
}

// addReplica lists rep among the replicas (INFO's connected_slaves).
func (r *replState) addReplica(rep *replica) {
	r.mu.Lock()
	r.replicas = append(r.replicas, rep)
	r.mu.Unlock()
	rep.c.replica.Store(rep)
}

// dropReplica removes c's replica, if it is one, when its client goes:
// its feeder stops and is waited for.
func (s *Server) dropReplica(c *client) {
	rep := c.replica.Load()
	if rep == nil {
		return
	}
	r := &s.repl
	r.mu.Lock()
	if i := slices.Index(r.replicas, rep); i >= 0 {
		r.replicas = slices.Delete(r.replicas, i, i+1)
	}
	if len(r.replicas) == 0 {
		r.noReplicasAt = s.clock.Now()
	}
	started := rep.started
	r.wakeLocked() // WAIT counts again
	r.mu.Unlock()
	close(rep.stop)
	rep.c.conn.Abort() // a feeder stuck in a write returns
	if started {
		<-rep.done
	}
	if rep.state.Load() == replicaOnline {
		s.log.Info("Connection with replica lost.", zap.String("addr", rep.c.addr))
	}
}

// newReplica makes c's replica, from what its REPLCONFs announced.
func newReplica(c *client) *replica {
	rep := &replica{
		c:        c,
		nc:       c.conn.NetConn(),
		streamOK: make(chan struct{}),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if a := c.replAnnounce; a != nil {
		rep.ip = a.ip
		rep.port.Store(a.port)
		rep.capaEOF, rep.capaPSYNC2 = a.capaEOF, a.capaPSYNC2
	}
	return rep
}

// replAnnounce is what a would-be replica told with REPLCONF before PSYNC.
type replAnnounce struct {
	ip                  string
	port                int64
	capaEOF, capaPSYNC2 bool
}

// allowStream lets rep's feeder write the stream.
func (rep *replica) allowStream() {
	rep.streamOnce.Do(func() { close(rep.streamOK) })
}

// startFeeder starts rep's feeder, which writes the stream from rep's
// place to its socket until rep is dropped or a write fails.
func (r *replState) startFeeder(rep *replica) {
	r.mu.Lock()
	rep.started = true
	r.feeders.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.feeders.Done()
		defer close(rep.done)
		select {
		case <-rep.streamOK:
		case <-rep.stop:
			return
		}
		timeout := time.Duration(r.srv.settings.replTimeout.Load()) * time.Second
		for {
			r.mu.Lock()
			b := rep.block
			var chunk []byte
			if rep.pos < len(b.data) {
				chunk = b.data[rep.pos:len(b.data)]
				rep.pos = len(b.data)
			} else if b.next != nil {
				rep.block, rep.pos = b.next, 0
				r.mu.Unlock()
				continue
			}
			grown := r.grown
			r.mu.Unlock()
			if chunk == nil {
				select {
				case <-grown:
					continue
				case <-rep.stop:
					return
				}
			}
			rep.nc.SetWriteDeadline(time.Now().Add(timeout))
			if _, err := rep.nc.Write(chunk); err != nil {
				rep.c.kill()
				return
			}
			r.mu.Lock()
			rep.sent += int64(len(chunk))
			r.mu.Unlock()
		}
	}()
}

// noteAck records a REPLCONF ACK of rep's.
func (r *replState) noteAck(rep *replica, off int64) {
	for {
		cur := rep.ackOff.Load()
		if off <= cur || rep.ackOff.CompareAndSwap(cur, off) {
			break
		}
	}
	rep.ackTime.Store(r.srv.clock.Now().Unix())
	if rep.state.Load() == replicaOnline {
		rep.allowStream()
	}
	r.mu.Lock()
	r.wakeLocked()
	r.mu.Unlock()
}

// tryPartialSync serves PSYNC replid off with the backlog, as Redis's
// masterTryPartialResynchronization: it reports false when a full sync is
// needed.
func (s *Server) tryPartialSync(c *client, rep *replica, replid string, off int64) bool {
	r := &s.repl
	r.mu.Lock()
	if replid != r.id && (replid != r.id2 || off > r.secondOffset) {
		r.mu.Unlock()
		if replid != "?" {
			s.log.Info("Partial resynchronization not accepted: Replication ID mismatch",
				zap.String("replica", c.addr), zap.String("replid", replid))
		} else {
			s.log.Info("Full resync requested by replica", zap.String("replica", c.addr))
		}
		return false
	}
	if r.tail == nil || off < r.backlogStart+1 || off > r.offset+1 {
		r.mu.Unlock()
		s.log.Info("Unable to partial resync with replica: lack of backlog", zap.String("replica", c.addr),
			zap.Int64("offset", off))
		return false
	}
	r.attachLocked(rep, off-1)
	id := r.id
	r.replicas = append(r.replicas, rep)
	sent := r.offset - (off - 1)
	r.mu.Unlock()
	c.replica.Store(rep)
	rep.state.Store(replicaOnline)
	rep.ackTime.Store(s.clock.Now().Unix())
	line := "+CONTINUE\r\n"
	if rep.capaPSYNC2 {
		line = "+CONTINUE " + id + "\r\n"
	}
	rep.nc.SetWriteDeadline(time.Now().Add(time.Duration(s.settings.replTimeout.Load()) * time.Second))
	if _, err := io.WriteString(rep.nc, line); err != nil {
		c.kill()
	}
	rep.allowStream()
	r.startFeeder(rep)
	s.log.Info("Partial resynchronization request accepted. Sending bytes of backlog", zap.String("replica", c.addr),
		zap.Int64("offset", off), zap.Int64("bytes", sent))
	return true
}

// fullSync serves a replica that needs the whole data set: the RDB of a
// snapshot, then the stream from the snapshot's offset. psync tells a
// PSYNC, answered with +FULLRESYNC first, from a SYNC.
func (s *Server) fullSync(c *client, rep *replica, psync bool) {
	r := &s.repl
	r.syncFull.Add(1)
	r.ensureBacklog()
	r.addReplica(rep)
	diskless := s.settings.replDisklessSync.Load() && rep.capaEOF
	if diskless {
		// Let more replicas arrive (repl-diskless-sync-delay).
		if !s.replSleep(c, time.Duration(s.settings.replDisklessSyncDelay.Load())*time.Second) {
			return
		}
	}
	var snap snapshot
	var off int64
	var id string
	for {
		var err error
		snap, off, id, err = s.replSnapshot(rep)
		if err == nil {
			break
		}
		// A save or a rewrite has the snapshot: wait for it to end.
		if !s.replSleep(c, 100*time.Millisecond) {
			return
		}
	}
	defer s.endReplSnapshot()
	target := "disk"
	if diskless {
		target = "socket"
	}
	s.log.Info("Starting BGSAVE for SYNC", zap.String("replica", c.addr), zap.String("target", target),
		zap.Int64("offset", off))
	timeout := time.Duration(s.settings.replTimeout.Load()) * time.Second
	nc := rep.nc
	if psync {
		nc.SetWriteDeadline(time.Now().Add(timeout))
		if _, err := io.WriteString(nc, "+FULLRESYNC "+id+" "+strconv.FormatInt(off, 10)+"\r\n"); err != nil {
			snap.sn.Abort()
			c.kill()
			return
		}
	}
	rep.state.Store(replicaSendBulk)
	var err error
	if diskless {
		err = s.sendRDBSocket(nc, snap, timeout)
	} else {
		err = s.sendRDBDisk(nc, snap, rep, timeout)
	}
	if err != nil {
		s.log.Warn("Full sync with replica failed", zap.String("replica", c.addr), zap.Error(err))
		c.kill()
		return
	}
	rep.ackTime.Store(s.clock.Now().Unix())
	rep.state.Store(replicaOnline)
	if !diskless {
		rep.allowStream()
	}
	r.startFeeder(rep)
	s.log.Info("Synchronization with replica succeeded", zap.String("replica", c.addr))
}

// replSleep waits d unless the client goes or the server shuts down
// first; it reports whether to go on.
func (s *Server) replSleep(c *client, d time.Duration) bool {
	for end := time.Now().Add(d); ; {
		if c.killed.Load() || s.isClosing() {
			return false
		}
		left := time.Until(end)
		if left <= 0 {
			return true
		}
		time.Sleep(min(left, 50*time.Millisecond))
	}
}

// replSnapshot opens a full sync's snapshot and gives rep its place in
// the stream at the same point: with propagation.mu and the world lock
// held, no write is between running and being in the stream. The
// snapshot counts as a background save (INFO rdb_bgsave_in_progress, and
// BGSAVE waits), as Redis forks one for it; it fails while another save
// or a rewrite runs. It returns the snapshot, the offset it is at and the
// replication ID.
func (s *Server) replSnapshot(rep *replica) (snapshot, int64, string, error) {
	s.prop.mu.Lock()
	defer s.prop.mu.Unlock()
	s.flushDeleted() // removals met before the snapshot go before it
	s.world.Lock()
	defer s.world.Unlock()
	p := &s.persist
	if s.aofRewriting() || !p.saving.CompareAndSwap(false, true) {
		return snapshot{}, 0, "", errSaveInProgress
	}
	sn := s.store.BeginSnapshot()
	if sn == nil {
		p.saving.Store(false)
		return snapshot{}, 0, "", errSaveInProgress
	}
	now := time.Now()
	p.saveStarted.Store(now.Unix())
	p.wg.Add(1)
	snap := snapshot{taken: now, dirty: s.dirty.Load(), sn: sn}
	for _, l := range s.scripts.engine.Libraries() {
		snap.libraries = append(snap.libraries, l.Code)
	}
	r := &s.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seldb = -1 // the replica's stream starts with a SELECT
	r.attachLocked(rep, r.offset)
	return snap, r.offset, r.id, nil
}

// endReplSnapshot ends the save replSnapshot claimed.
func (s *Server) endReplSnapshot() {
	s.persist.saving.Store(false)
	s.persist.wg.Done()
}

// sendRDBSocket writes snap to nc as a diskless transfer: "$EOF:<mark>",
// the RDB, the mark (40 random characters). It closes snap.
func (s *Server) sendRDBSocket(nc net.Conn, snap snapshot, timeout time.Duration) error {
	defer snap.sn.Abort()
	mark := newRunID()
	dw := &deadlineWriter{nc: nc, timeout: timeout}
	bw := bufio.NewWriterSize(dw, 64<<10)
	bw.WriteString("$EOF:" + mark + "\r\n")
	if err := s.encodeRDB(bw, snap, false); err != nil {
		return fmt.Errorf("stream the RDB to the replica: %w", err)
	}
	bw.WriteString(mark)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("stream the RDB to the replica: %w", err)
	}
	return nil
}

// sendRDBDisk writes snap to a file, then sends it to nc as "$<len>\r\n"
// and the file's bytes (repl-diskless-sync no, or a replica without capa
// eof).
func (s *Server) sendRDBDisk(nc net.Conn, snap snapshot, rep *replica, timeout time.Duration) error {
	path := filepath.Join(s.settings.dir.Load(), fmt.Sprintf("temp-repl-%d-%d.rdb", os.Getpid(), rep.c.id))
	if err := s.writeDump(path, snap, false); err != nil {
		return err
	}
	defer os.Remove(path)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open the replica's RDB: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat the replica's RDB: %w", err)
	}
	dw := &deadlineWriter{nc: nc, timeout: timeout}
	if _, err := io.WriteString(dw, "$"+strconv.FormatInt(fi.Size(), 10)+"\r\n"); err != nil {
		return fmt.Errorf("send the RDB to the replica: %w", err)
	}
	if _, err := io.Copy(dw, f); err != nil {
		return fmt.Errorf("send the RDB to the replica: %w", err)
	}
	return nil
}

// deadlineWriter writes to nc, each write within timeout.
type deadlineWriter struct {
	nc      net.Conn
	timeout time.Duration
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.nc.SetWriteDeadline(time.Now().Add(w.timeout))
	return w.nc.Write(p)
}

// replCron is Redis's replicationCron for a master, once a second: the
// PINGs in the stream, dropping replicas silent for repl-timeout, and
// freeing the backlog repl-backlog-ttl seconds after the last replica.
func (s *Server) replCron(stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var loops int64
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		r := &s.repl
		r.mu.Lock()
		n := len(r.replicas)
		reps := slices.Clone(r.replicas)
		idle := s.clock.Now().Sub(r.noReplicasAt)
		r.mu.Unlock()
		loops++ // seconds since the server started, as Redis's cron loops
		if period := s.settings.replPingPeriod.Load(); n > 0 && period > 0 && loops%period == 0 {
			r.feedRaw("ping")
		}
		now := s.clock.Now().Unix()
		timeout := s.settings.replTimeout.Load()
		for _, rep := range reps {
			if rep.prePSYNC || rep.state.Load() != replicaOnline {
				continue
			}
			if now-rep.ackTime.Load() > timeout {
				s.log.Warn("Disconnecting timedout replica (streaming sync)", zap.String("replica", rep.c.addr))
				rep.c.kill()
			}
		}
		if ttl := s.settings.replBacklogTTL.Load(); n == 0 && ttl > 0 && idle > time.Duration(ttl)*time.Second {
			r.mu.Lock()
			active := r.tail != nil
			r.mu.Unlock()
			if active {
				r.freeBacklog()
				s.log.Info("Replication backlog freed after its time to live with no replica connected",
					zap.Int64("seconds", ttl))
			}
		}
	}
}

// closeReplication ends the stream at shutdown, once the clients are gone.
func (s *Server) closeReplication() {
	r := &s.repl
	r.mu.Lock()
	cancel := r.cancelSub
	r.cancelSub = nil
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.feeders.Wait()
}

// goodReplicas counts the online replicas whose last ACK is at most
// min-replicas-max-lag seconds old (refreshGoodSlavesCount).
func (s *Server) goodReplicas() int64 {
	r := &s.repl
	maxLag := s.settings.minReplicasMaxLag.Load()
	now := s.clock.Now().Unix()
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int64
	for _, rep := range r.replicas {
		if rep.state.Load() == replicaOnline && now-rep.ackTime.Load() <= maxLag {
			n++
		}
	}
	return n
}

// errNoReplicas refuses a write while min-replicas-to-write is not met.
const errNoReplicas = "NOREPLICAS Not enough good replicas to write."

// replicasRefuseWrites reports whether min-replicas-to-write refuses
// writes now.
func (s *Server) replicasRefuseWrites() bool {
	min := s.settings.minReplicasToWrite.Load()
	return min > 0 && s.settings.minReplicasMaxLag.Load() > 0 && s.goodReplicas() < min
}

// noteWriteOffset records, after c's write reached the stream, where the
// stream ends: WAIT waits for the replicas to get that far. The caller
// holds propagation.mu, so the stream's end cannot move meanwhile but by
// a PING or GETACK fed in between, which WAIT does not need to count.
func (s *Server) noteWriteOffset(c *client) {
	if end := s.repl.streamEnd.Load(); end >= 0 {
		c.replOffset = end
	}
}

// ackedReplicas counts the replicas that acknowledged offset off.
func (r *replState) ackedLocked(off int64) int64 {
	var n int64
	for _, rep := range r.replicas {
		if rep.state.Load() == replicaOnline && rep.ackOff.Load() >= off {
			n++
		}
	}
	return n
}

// waitReplicas is WAIT: it waits until numReplicas replicas acknowledged
// c's last write, or timeout passes (0: forever), asking them for ACKs,
// and returns how many did.
func (s *Server) waitReplicas(c *client, numReplicas int64, timeout time.Duration) int64 {
	r := &s.repl
	off := c.replOffset
	r.mu.Lock()
	n := r.ackedLocked(off)
	r.mu.Unlock()
	if n >= numReplicas || c.multi != nil || c.exclusiveHeld {
		return n
	}
	r.feedRaw("REPLCONF", "GETACK", "*")
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	failed, stopWatch := c.conn.WatchInput()
	defer stopWatch()
	for {
		r.mu.Lock()
		n = r.ackedLocked(off)
		grown := r.grown
		r.mu.Unlock()
		if n >= numReplicas {
			return n
		}
		select {
		case <-grown:
		case <-deadline:
			r.mu.Lock()
			n = r.ackedLocked(off)
			r.mu.Unlock()
			return n
		case <-failed:
			return n // the client went away
		}
		if c.killed.Load() || s.isClosing() {
			return n
		}
	}
}

// replicationInfo is the master's state, for INFO and ROLE.
type replicationInfo struct {
	id, id2                   string
	offset, secondOffset      int64
	backlogActive             bool
	backlogFirst, backlogHist int64
	replicas                  []replicaInfo
}

// replicaInfo is one replica's line of INFO replication.
type replicaInfo struct {
	ip          string
	port        int64
	state       int32
	offset, lag int64
}

func (s *Server) replicationInfo() replicationInfo {
	r := &s.repl
	now := s.clock.Now().Unix()
	r.mu.Lock()
	defer r.mu.Unlock()
	in := replicationInfo{id: r.id, id2: r.id2, offset: r.offset, secondOffset: r.secondOffset}
	if r.tail != nil {
		in.backlogActive = true
		in.backlogFirst = r.backlogStart + 1
		in.backlogHist = r.offset - r.backlogStart
	}
	for _, rep := range r.replicas {
		ri := replicaInfo{ip: rep.ip, port: rep.port.Load(), state: rep.state.Load(), offset: rep.ackOff.Load()}
		if ri.ip == "" {
			ri.ip, _, _ = net.SplitHostPort(rep.c.addr)
		}
		if ri.state == replicaOnline {
			ri.lag = now - rep.ackTime.Load()
		}
		in.replicas = append(in.replicas, ri)
	}
	return in
}

// replicaStateName is a replica state as INFO shows it.
func replicaStateName(st int32) string {
	switch st {
	case replicaWaitBgsave:
		return "wait_bgsave"
	case replicaSendBulk:
		return "send_bulk"
	}
	return "online"
}

// infoReplicationMaster writes INFO replication for a master, as Redis
// 7.0.15.
func (s *Server) infoReplicationMaster(w *infoWriter) {
	in := s.replicationInfo()
	w.str("role", "master")
	w.int("connected_slaves", int64(len(in.replicas)))
	if s.settings.minReplicasToWrite.Load() > 0 && s.settings.minReplicasMaxLag.Load() > 0 {
		w.int("min_slaves_good_slaves", s.goodReplicas())
	}
	for i, ri := range in.replicas {
		w.str("slave"+strconv.Itoa(i), fmt.Sprintf("ip=%s,port=%d,state=%s,offset=%d,lag=%d",
			ri.ip, ri.port, replicaStateName(ri.state), ri.offset, ri.lag))
	}
	w.str("master_failover_state", "no-failover")
	w.str("master_replid", in.id)
	w.str("master_replid2", in.id2)
	w.int("master_repl_offset", in.offset)
	w.int("second_repl_offset", in.secondOffset)
	w.int("repl_backlog_active", boolInt(in.backlogActive))
	w.int("repl_backlog_size", int64(s.settings.replBacklogSize.Load()))
	w.int("repl_backlog_first_byte_offset", in.backlogFirst)
	w.int("repl_backlog_histlen", in.backlogHist)
}

// identity returns master_replid, master_replid2, master_repl_offset and
// second_repl_offset as the master side has them.
func (r *replState) identity() (id, id2 string, offset, second int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.id, r.id2, r.offset, r.secondOffset
}

// adopt makes the history a replica followed the master side's, when the
// replica becomes a master (REPLICAOF NO ONE): its IDs and offset, so
// that INFO and ROLE go on from where the link left off. A replica keeps
// no backlog of its master's stream, so the first replica to come asks
// for a full sync.
func (r *replState) adopt(id, id2 string, offset, second int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.id, r.id2, r.offset, r.secondOffset = id, id2, offset, second
	r.publishEndLocked()
}

// stopServing disconnects every replica and drops the backlog, for a
// master that becomes a replica: what it applies from its new master is
// not a stream its own replicas could follow (Redis disconnects them too,
// to resync).
func (s *Server) stopServing() {
	r := &s.repl
	r.mu.Lock()
	replicas := slices.Clone(r.replicas)
	r.mu.Unlock()
	for _, rep := range replicas {
		rep.c.kill()
	}
	r.mu.Lock()
	unsubscribe := r.dropBacklogLocked()
	r.mu.Unlock()
	unsubscribe()
}
