package server

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/rdb"
	"go.uber.org/zap"
)

// The append-only file, writing side, in Redis 7.0's multi-part format: a
// directory (appenddirname) holding a base file (an RDB preamble or
// commands), incremental files of commands, and a manifest naming them
// (aof_manifest.go). The loading side is elsewhere.
//
// The writer is a Propagator (propagate.go): it receives every write's
// effects while the server holds propagation.mu, before the command's
// reply leaves the client's buffer (replies are flushed only between
// requests). It appends them, as RESP commands, to a buffer:
//   - appendfsync always: the client, once propagation.mu is released,
//     writes and fsyncs the buffer (or finds that another client's fsync
//     covered its effects) before its reply can go out (awaitAOF);
//   - everysec and no: the buffer is written (write(2), no fsync) before
//     the reply of a write it holds goes out, as Redis writes its AOF
//     buffer in beforeSleep before it writes replies (awaitAOF): the
//     client yields first, so that one write() carries the effects of
//     every client the scheduler has ready. A write an acknowledged reply
//     reports is therefore in the kernel's page cache, and survives the
//     server's crash. The exception is Redis's too: while an fsync runs
//     (for at most 2 s) replies do not wait for the write. The AOF
//     goroutine fsyncs once a second (everysec) without holding ioMu, and
//     writes what no reply waits for (a replica's stream from its master,
//     expired keys, a client's with its replies off), kicked only then.
//
// A rewrite (BGREWRITEAOF, automatic, or CONFIG SET appendonly yes) runs in
// the AOF goroutine: holding propagation.mu and the world lock, so that no
// write is between running and being propagated, it opens the keyspace
// snapshot and a fresh incremental file; writes from then on go to that
// file while the base is written from the snapshot in the background. The
// manifest then names the new base and the new incremental file, and the
// files it replaced are deleted.

// aofSink is an open incremental file. *os.File is one; tests put faults
// and probes behind it.
type aofSink interface {
	io.Writer
	Sync() error
	Truncate(size int64) error
	Close() error
}

// aofOpener opens path for appending, creating it if need be.
type aofOpener func(path string) (aofSink, error)

func openAppend(path string) (aofSink, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return appendFile{f}, nil
}

// appendFile is an incremental file open for appending. Its syncs are
// fdatasync where the system has it, as Redis syncs its AOF.
type appendFile struct{ *os.File }

// Sync flushes the file's data to disk (see dataSync).
func (f appendFile) Sync() error { return dataSync(f.File, false) }

// syncInline is Sync for appendfsync always, holding the P (see dataSync).
func (f appendFile) syncInline() error { return dataSync(f.File, true) }

// syncSink fsyncs f. Under appendfsync always (inline), whose fsyncs are
// on the command path, it syncs inline where the sink can (appendFile),
// so that the scheduler does not move the P between threads around every
// fsync.
func syncSink(f aofSink, inline bool) error {
	if in, ok := f.(interface{ syncInline() error }); ok && inline {
		return in.syncInline()
	}
	return f.Sync()
}

// aofState is Redis's aof_state.
type aofState int

const (
	aofOff aofState = iota
	aofOn
	aofWaitRewrite // turned on at run time: on once the first rewrite is done
)

// aofRewriteItemsPerCmd is how many elements a rewritten collection's
// commands take at most (AOF_REWRITE_ITEMS_PER_CMD).
const aofRewriteItemsPerCmd = 64

// aofTick is how often the AOF goroutine looks at its timers: fsync
// (everysec), retrying a failed write, automatic and scheduled rewrites.
const aofTick = 100 * time.Millisecond

// aofWriter is the server's append-only file. Lock order: ioMu, then
// syncMu, then mu; a rewrite's start takes propagation.mu and the world
// lock before them.
type aofWriter struct {
	server *Server
	open   aofOpener

	// ioMu serializes writing to and syncing the incremental file and
	// replacing it.
	ioMu sync.Mutex
	// syncMu is held by everysec's fsync, which does not hold ioMu, so
	// that writes go on meanwhile; whoever closes or replaces the file
	// takes it (after ioMu) so that no fsync runs on a closed file.
	syncMu sync.Mutex

	mu    sync.Mutex
	state aofState
	dir   string // the AOF directory: dir/appenddirname when turned on
	name  string // appendfilename
	man   *aofManifest
	// baseSeq and incrSeq are the highest sequence numbers given out
	// (Redis's curr_base_file_seq and curr_incr_file_seq).
	baseSeq, incrSeq int64
	f                aofSink // the incremental file written to; nil if none
	buf              []byte  // commands not yet written
	spare            []byte  // the buffer being written, for reuse
	curDB            int     // the database the file's last SELECT chose; -1 for none yet
	lastTS           int64   // the last #TS annotation's second
	size             int64   // bytes written to f
	fsyncedSize      int64   // of them, fsynced
	currentSize      int64   // aof_current_size: base and incremental files
	rewriteBaseSize  int64   // aof_base_size: the size after the last rewrite or load
	lastFsync        time.Time
	fsyncing         bool  // aof_pending_bio_fsync
	writeErr         error // the last failed write or fsync; nil when ok
	// refusal is the MISCONF error writes get while writeErr is set, read
	// by every command without taking mu.
	refusal   atomic.Pointer[string]
	cancelSub func()
	// appended counts the bytes ever appended to buf, durable those of
	// them known fsynced (or not to be: no-appendfsync-on-rewrite).
	appended, durable int64
	// alwaysTarget, under appendfsync always, is where the effects just
	// propagated end in appended: their reply waits until durable gets
	// there (awaitAOF). writeTarget is the same under everysec and no,
	// where the reply waits until written gets there. Both are set and
	// taken under propagation.mu.
	alwaysTarget, writeTarget atomic.Int64
	// alwaysSync, under appendfsync always, is closed when the write and
	// fsync a client runs for the others' replies ends (syncUpTo); nil
	// when none runs.
	alwaysSync chan struct{}
	// written is where in appended the bytes written to the file end.
	written atomic.Int64
	// fsyncStart is when everysec's fsync in progress started (Unix
	// nanoseconds), 0 when none runs: replies do not wait for writes
	// meanwhile, for at most aofPostponeMax.
	fsyncStart atomic.Int64

	// The rewrite's state.
	rewriting      bool
	scheduled      bool      // wanted while a save ran, or to retry a failed one
	bgsaveWanted   bool      // BGSAVE SCHEDULE came during the rewrite: save once it ends
	snapOpen       bool      // the rewrite's snapshot is open
	retryAt        time.Time // a failed rewrite is retried no sooner
	rewriteStarted time.Time
	lastRewriteSec int64
	lastRewriteOK  bool
	rewrites       int64
	failures       int64 // consecutive failed rewrites
	// The rewrite in progress's new incremental file, and the files it
	// replaces once done.
	pending *aofRewrite

	closed bool          // by Shutdown: no AOF goroutine starts again
	kick   chan struct{} // wakes the AOF goroutine to write the buffer
	// kicked is set by the first write a kick covers and cleared by the
	// AOF goroutine just before it takes the buffer: the writes of one
	// turn of the scheduler send one kick between them, not one each.
	kicked  atomic.Bool
	stop    chan struct{}
	running bool
	wg      sync.WaitGroup // the AOF goroutine and a rewrite's base writer
}

// aofRewrite is a rewrite between its snapshot and its end.
type aofRewrite struct {
	incr aofFile // the incremental file opened at its start
}

// initAOF sets up the writer; the server calls it once, before Start.
func (s *Server) initAOF() {
	w := &s.aof
	w.server = s
	if w.open == nil {
		w.open = openAppend
	}
	w.lastRewriteSec = -1
	w.lastRewriteOK = true
	w.curDB = -1
	w.kick = make(chan struct{}, 1)
	onAppendOnly := func(on bool) error { return s.setAppendOnly(on) }
	s.settings.onAppendOnly.Store(&onAppendOnly)
}

// aofDir returns the AOF directory the settings name.
func (s *Server) aofDir() string {
	return filepath.Join(s.settings.dir.Load(), s.settings.appendDirname.Load())
}

// startAOF opens the append-only file when the server starts with
// appendonly yes, once the data is loaded: it appends to the last
// incremental file the manifest names, or, with no AOF yet, writes a base
// from the data set and creates the first incremental file, as Redis's
// aofOpenIfNeededOnServerStart does.
func (s *Server) startAOF() error {
	if !s.settings.appendOnly.Load() {
		return nil
	}
	w := &s.aof
	dir := s.aofDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("Can't open or create append-only dir %s: %w", dir, err)
	}
	man, err := readOrNewManifest(dir, s.settings.appendFilename.Load())
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.dir, w.name, w.man = dir, s.settings.appendFilename.Load(), man
	w.noteSeqs()
	w.mu.Unlock()
	if man.base == nil && len(man.incrs) == 0 {
		// No AOF yet: the base is the data set as it is now.
		s.world.Lock()
		snap, ok := s.aofSnapshot()
		s.world.Unlock()
		if !ok {
			return errors.New("creating the AOF base file: another snapshot is open")
		}
		w.mu.Lock()
		w.baseSeq++
		base := aofFile{name: w.baseName(w.baseSeq, s.settings.aofUseRDBPreamble.Load()), seq: w.baseSeq, typ: aofBase}
		w.mu.Unlock()
		if err := s.writeAOFBase(filepath.Join(dir, base.name), snap); err != nil {
			return fmt.Errorf("creating the AOF base file %s: %w", base.name, err)
		}
		s.log.Info("Creating AOF base file on server start", zap.String("file", base.name))
		w.mu.Lock()
		w.man.base = &base
		w.mu.Unlock()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.man.incrs) == 0 {
		w.incrSeq++
		incr := aofFile{name: w.incrName(w.incrSeq), seq: w.incrSeq, typ: aofIncr}
		w.man.incrs = append(w.man.incrs, incr)
		s.log.Info("Creating AOF incr file on server start", zap.String("file", incr.name))
	}
	last := w.man.incrs[len(w.man.incrs)-1]
	f, err := w.open(filepath.Join(dir, last.name))
	if err != nil {
		return fmt.Errorf("Can't open the append-only file %s: %w", last.name, err)
	}
	if err := writeManifest(dir, w.name, w.man); err != nil {
		f.Close()
		return err
	}
	w.f = f
	if fi, err := os.Stat(filepath.Join(dir, last.name)); err == nil {
		w.size = fi.Size()
	}
	w.fsyncedSize = w.size
	w.currentSize = w.filesSize()
	w.rewriteBaseSize = w.currentSize
	w.curDB = -1
	w.state = aofOn
	w.startLoop(s)
	w.cancelSub = s.Subscribe(w)
	return nil
}

// readOrNewManifest reads dir's manifest (readManifest), or returns an
// empty one if there is none.
func readOrNewManifest(dir, name string) (*aofManifest, error) {
	m, err := readManifest(dir, name)
	if m == nil && err == nil {
		m = &aofManifest{}
	}
	return m, err
}

// noteSeqs sets the sequence counters from the manifest.
func (w *aofWriter) noteSeqs() {
	w.baseSeq, w.incrSeq = 0, 0
	if w.man.base != nil {
		w.baseSeq = w.man.base.seq
	}
	for _, f := range w.man.history {
		if f.typ == aofHistory && isIncrName(f.name) {
			w.incrSeq = max(w.incrSeq, f.seq)
		} else {
			w.baseSeq = max(w.baseSeq, f.seq)
		}
	}
	for _, f := range w.man.incrs {
		w.incrSeq = max(w.incrSeq, f.seq)
	}
}

func isIncrName(name string) bool {
	return len(name) > len(".incr.aof") && name[len(name)-len(".incr.aof"):] == ".incr.aof"
}

func (w *aofWriter) baseName(seq int64, rdb bool) string {
	if rdb {
		return fmt.Sprintf("%s.%d.base.rdb", w.name, seq)
	}
	return fmt.Sprintf("%s.%d.base.aof", w.name, seq)
}

func (w *aofWriter) incrName(seq int64) string {
	return fmt.Sprintf("%s.%d.incr.aof", w.name, seq)
}

// filesSize is the size of the base and incremental files.
func (w *aofWriter) filesSize() int64 {
	var n int64
	files := append([]aofFile(nil), w.man.incrs...)
	if w.man.base != nil {
		files = append(files, *w.man.base)
	}
	for _, f := range files {
		if fi, err := os.Stat(filepath.Join(w.dir, f.name)); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// writeManifest replaces dir's manifest with m atomically: a temporary
// file, fsynced, renamed over it, and the directory fsynced.
func writeManifest(dir, name string, m *aofManifest) error {
	path := filepath.Join(dir, name+".manifest")
	tmp := filepath.Join(dir, "temp-"+name+".manifest")
	if err := writeFileSynced(tmp, m.encode()); err != nil {
		return fmt.Errorf("write the AOF manifest: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename the AOF manifest: %w", err)
	}
	return syncDir(dir)
}

// writeFileSynced writes data to path and fsyncs it.
func writeFileSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir fsyncs a directory, making the renames in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s to fsync it: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

// Propagate appends one command's effects to the AOF (see Propagator).
func (w *aofWriter) Propagate(dbi int, cmds [][][]byte) {
	// This runs on a client's goroutine, holding propagation.mu.
	always := w.srv().settings.appendFsync.Load() == "always"
	w.mu.Lock()
	if w.f == nil { // off, or turned on and waiting for its rewrite to start
		w.mu.Unlock()
		return
	}
	s := w.srv()
	start := len(w.buf)
	if s.settings.aofTimestampEnabled.Load() {
		if now := s.store.Clock().Now().Unix(); now > w.lastTS {
			w.lastTS = now
			w.buf = append(w.buf, "#TS:"...)
			w.buf = strconv.AppendInt(w.buf, now, 10)
			w.buf = append(w.buf, "\r\n"...)
		}
	}
	// Redis puts a transaction's SELECT inside it in the AOF.
	w.buf = appendPropagated(w.buf, &w.curDB, dbi, cmds, true)
	w.appended += int64(len(w.buf) - start)
	if always {
		w.alwaysTarget.Store(w.appended)
	} else {
		w.writeTarget.Store(w.appended)
	}
	w.mu.Unlock()
	// The client writes it (always: and fsyncs it) before its reply
	// (awaitAOF). Effects no reply waits for kick the AOF goroutine when
	// propagation.mu is released (writeUnclaimed, endEffects).
}

// takeWriteTarget returns, and forgets, where the effects just propagated
// end under everysec and no, whose replies wait for the write only
// (awaitAOFWrite), or 0. The caller holds propagation.mu.
func (w *aofWriter) takeWriteTarget() int64 { return w.writeTarget.Swap(0) }

// writeUnclaimed kicks the AOF goroutine to write effects that no reply
// waits for (a replica's stream from its master, removals of expired
// keys, the writes of a client whose replies are off), if the effects
// just propagated are such. Kicking only then keeps the goroutine asleep
// under a load of clients' writes, which write the buffer themselves: it
// used to wake for every other SET and find nothing to write. The caller
// holds propagation.mu.
func (w *aofWriter) writeUnclaimed() {
	if w.takeWriteTarget() != 0 {
		w.kickLoop()
	}
}

// kickLoop wakes the AOF goroutine to write the buffer. One kick per
// batch: while one is pending, the AOF goroutine has yet to take the
// buffer, and will take what is appended meanwhile with it.
func (w *aofWriter) kickLoop() {
	if !w.kicked.Load() && !w.kicked.Swap(true) {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
}

// appendedSoFar returns where what has been appended so far ends, or 0
// with the AOF off, and whether appendfsync is always.
func (w *aofWriter) appendedSoFar() (end int64, always bool) {
	always = w.srv().settings.appendFsync.Load() == "always"
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return 0, always
	}
	return w.appended, always
}

// takeAlwaysTarget returns, and forgets, where the effects just
// propagated end when appendfsync always must fsync them before the reply,
// or 0. The caller holds propagation.mu.
func (w *aofWriter) takeAlwaysTarget() int64 { return w.alwaysTarget.Swap(0) }

// aofPostponeMax is how long replies go out without waiting for their
// effects' write while an fsync runs, as Redis postpones the write of its
// AOF buffer for at most 2 s while its background fsync runs
// (flushAppendOnlyFile).
const aofPostponeMax = 2 * time.Second

// awaitAOF makes c's replies wait until the AOF is fsynced up to
// c.aofTarget, the end of c's last write's effects (appendfsync always).
// It runs before c's output is written (connection.Options.BeforeWrite),
// holding no lock, so a pipeline's writes share one fsync, and so do the
// clients' whose effects one fsync covers (syncUpTo: a group commit, as
// Redis fsyncs once per event loop). If the AOF cannot be written, it
// fails, and c is disconnected before its replies go out:
// Redis exits in that case ("Can't recover from AOF write error when the
// AOF fsync policy is 'always'"); here the server goes on, refusing
// writes until the AOF can be written, and no client is told a write
// succeeded that is not on disk.
func (s *Server) awaitAOF(c *client) error {
	if t := c.aofWriteTarget.Load(); t != 0 {
		s.awaitAOFWrite(c, t)
	}
	target := c.aofTarget.Load()
	if target == 0 {
		return nil
	}
	w := &s.aof
	// Yield first, as awaitAOFWrite does: the clients the scheduler has
	// ready run their writes meanwhile, so the first of them to lead an
	// fsync (syncUpTo) covers all their effects. Without it, one client's fsync
	// holds the only P, no other client appends while it runs, and every
	// write pays an fsync of its own.
	runtime.Gosched()
	if w.syncUpTo(target) {
		c.aofTarget.CompareAndSwap(target, 0)
		return nil
	}
	s.log.Warn("Can't write the AOF with appendfsync always: closing the client without its reply",
		zap.Int64("client", c.id))
	return errAOFAlwaysUnwritten
}

// aofGroupYields is how many times at most the client that leads an
// appendfsync always fsync yields for others' writes to join it.
const aofGroupYields = 4

// syncUpTo makes the AOF durable up to target in appended, under
// appendfsync always, and reports whether it is. It is a group commit:
// while one client writes and fsyncs everything appended so far, the
// clients whose effects that covers wait for it to end (alwaysSync) and
// are then released together, instead of queuing on ioMu one behind the
// other, where a covered client could wait out the next client's fsync
// too. A client the fsync did not cover (it appended while the fsync
// ran) leads the next one, for everyone who appended meanwhile. A client
// fails only after its own attempt did not reach target.
func (w *aofWriter) syncUpTo(target int64) bool {
	for {
		w.mu.Lock()
		if w.durable >= target {
			w.mu.Unlock()
			return true
		}
		if running := w.alwaysSync; running != nil {
			w.mu.Unlock()
			<-running
			continue
		}
		done := make(chan struct{})
		w.alwaysSync = done
		// While clients keep appending, their requests came in behind
		// the ones already run: yield until they are in too. Redis's one
		// fsync per event loop covers every request read in that turn;
		// a leader that fsynced as soon as the clients ready before it
		// had run left the next few to an fsync of their own (4,100
		// fsyncs per 100,000 unpipelined SETs from 50 clients against
		// Redis's 3,400, and as many as Redis with these yields).
		for range aofGroupYields {
			seen := w.appended
			w.mu.Unlock()
			runtime.Gosched()
			w.mu.Lock()
			if w.appended == seen {
				break
			}
		}
		w.mu.Unlock()

		w.ioMu.Lock()
		w.writeOut(true)
		w.ioMu.Unlock()

		w.mu.Lock()
		w.alwaysSync = nil
		ok := w.durable >= target
		w.mu.Unlock()
		close(done)
		return ok
	}
}

// awaitAOFWrite makes c's replies wait until the AOF is written (not
// fsynced) up to target, the end of c's last write's effects (appendfsync
// everysec and no). It yields first, so that the clients the scheduler has
// ready run their requests and one write() carries all their effects, as
// Redis's beforeSleep writes the AOF once per turn of its event loop. A
// failed write does not hold the reply back: as in Redis, the effects
// stay in the buffer to be retried, and writes are refused meanwhile.
func (s *Server) awaitAOFWrite(c *client, target int64) {
	w := &s.aof
	switch {
	case w.written.Load() >= target:
	case w.postponed():
		// The reply goes out now, and the AOF goroutine writes the
		// effects meanwhile.
		w.kickLoop()
	default:
		runtime.Gosched()
		if w.written.Load() < target {
			w.ioMu.Lock()
			if w.written.Load() < target {
				w.writeOut(false)
			}
			w.ioMu.Unlock()
		}
	}
	c.aofWriteTarget.CompareAndSwap(target, 0)
}

// postponed reports whether replies go out without waiting for the write:
// while an fsync runs, for at most aofPostponeMax.
func (w *aofWriter) postponed() bool {
	start := w.fsyncStart.Load()
	return start != 0 && time.Now().UnixNano()-start < int64(aofPostponeMax)
}

// errAOFAlwaysUnwritten fails a client whose writes could not be made
// durable under appendfsync always: its replies are dropped.
var errAOFAlwaysUnwritten = errors.New("the AOF cannot be written with appendfsync always")

// srv returns the server the writer belongs to.
func (w *aofWriter) srv() *Server { return w.server }

// appendPropagated appends one call's propagated commands (see
// Propagator), run in database dbi, as RESP commands, for the AOF and the
// replication stream: first a SELECT when dbi is not *cur, the database
// the feed's last SELECT chose (-1 for none yet), which it updates, also
// for the SELECTs among cmds. selectInMulti puts a transaction's SELECT
// after its MULTI, as Redis writes its AOF; the replication stream has it
// before (replicationFeedSlaves).
func appendPropagated(dst []byte, cur *int, dbi int, cmds [][][]byte, selectInMulti bool) []byte {
	i := 0
	if selectInMulti && len(cmds) > 1 && len(cmds[0]) == 1 && equalFoldASCII(cmds[0][0], "multi") {
		dst = appendRESPCommand(dst, cmds[0])
		i = 1
	}
	if dbi != *cur {
		dst = appendRESPCommand(dst, [][]byte{[]byte("SELECT"), strconv.AppendInt(nil, int64(dbi), 10)})
		*cur = dbi
	}
	for _, cmd := range cmds[i:] {
		dst = appendRESPCommand(dst, cmd)
		if len(cmd) == 2 && equalFoldASCII(cmd[0], "select") {
			if n, err := strconv.Atoi(string(cmd[1])); err == nil {
				*cur = n
			}
		}
	}
	return dst
}

// appendRESPCommand appends args as a RESP array of bulk strings. Every
// write's effects go through it: it grows dst once, and writes the
// lengths of one or two digits without strconv.
func appendRESPCommand(dst []byte, args [][]byte) []byte {
	n := 16
	for _, a := range args {
		n += len(a) + 16
	}
	dst = slices.Grow(dst, n)
	dst = appendRESPLen(dst, '*', len(args))
	for _, a := range args {
		dst = appendRESPLen(dst, '$', len(a))
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// appendRESPLen appends a RESP header: t, then n, then CRLF.
func appendRESPLen(dst []byte, t byte, n int) []byte {
	switch {
	case uint(n) < 10:
		return append(dst, t, byte('0'+n), '\r', '\n')
	case uint(n) < 100:
		return append(dst, t, byte('0'+n/10), byte('0'+n%10), '\r', '\n')
	}
	dst = append(dst, t)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

// putBackLocked puts data, taken from the buffer by writeOut and not
// written, back before what was buffered since. Both buffers are kept, so
// that the next writes do not grow a new one from nothing. The caller
// holds mu.
func (w *aofWriter) putBackLocked(data []byte) {
	rest := w.buf
	w.buf = append(data, rest...)
	w.spare = rest[:0]
}

// writeOut writes the buffer to the incremental file, and fsyncs it if
// sync (appendfsync always, unless a rewrite runs with
// no-appendfsync-on-rewrite). The caller holds ioMu. A failed write is
// cut off the file (Redis truncates to the last good size) and kept in
// the buffer to try again; until a write succeeds, aof_last_write_status
// is err and writes are refused.
func (w *aofWriter) writeOut(sync bool) {
	s := w.srv()
	w.mu.Lock()
	f := w.f
	data := w.buf
	w.buf = w.spare[:0]
	w.spare = nil
	good := w.size
	end := w.appended // what data holds ends there
	synced := w.fsyncedSize == good
	skipSync := w.rewriting && s.settings.noAppendFsyncOnRewrite.Load()
	w.mu.Unlock()
	if f == nil || len(data) == 0 && (!sync || synced) {
		w.mu.Lock()
		w.putBackLocked(data)
		if f != nil {
			w.written.Store(end)
			if sync {
				w.durable = max(w.durable, end)
			}
		}
		w.mu.Unlock()
		return
	}
	n, err := f.Write(data)
	if err != nil {
		if n > 0 {
			if terr := f.Truncate(good); terr != nil {
				// The partial command stays in the file: what follows it
				// must not, so the rest is kept after it.
				s.log.Warn("Could not remove short write from the append-only file; the AOF may need redis-check-aof --fix",
					zap.Error(terr))
				good += int64(n)
				data = data[n:]
			}
		}
		w.mu.Lock()
		w.size = good
		w.putBackLocked(data)
		w.setWriteErr(err)
		w.mu.Unlock()
		return
	}
	w.mu.Lock()
	w.size += int64(n)
	w.currentSize += int64(n)
	w.spare = data[:0]
	size := w.size
	w.written.Store(end)
	w.mu.Unlock()
	if sync && !skipSync {
		if err := syncSink(f, s.settings.appendFsync.Load() == "always"); err != nil {
			w.mu.Lock()
			w.setWriteErr(err)
			w.mu.Unlock()
			return
		}
		w.mu.Lock()
		w.fsyncedSize = size
		w.durable = max(w.durable, end)
		w.lastFsync = time.Now()
	} else {
		w.mu.Lock()
		if sync { // no-appendfsync-on-rewrite: not waited for
			w.durable = max(w.durable, end)
		}
	}
	if w.writeErr != nil {
		s.log.Warn("AOF write error looks solved, Redis can write again.")
		w.writeErr = nil
		w.refusal.Store(nil)
	}
	w.mu.Unlock()
}

// setWriteErr records a failed write or fsync; w.mu is held.
func (w *aofWriter) setWriteErr(err error) {
	if w.writeErr == nil {
		w.srv().log.Warn("Error writing to the AOF file", zap.Error(err))
	}
	w.writeErr = err
	if w.state != aofOff {
		msg := "MISCONF Errors writing to the AOF file: " + strerror(err)
		w.refusal.Store(&msg)
	}
}

// writeRefusal returns Redis's error for writes while the AOF cannot
// be written, or "".
func (w *aofWriter) writeRefusal() string {
	if r := w.refusal.Load(); r != nil {
		return *r
	}
	return ""
}

// strerror returns err's system error text as C's strerror gives it
// ("No space left on device"), or err's text.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := errno.Error()
		if msg != "" && 'a' <= msg[0] && msg[0] <= 'z' {
			msg = string(msg[0]-'a'+'A') + msg[1:]
		}
		return msg
	}
	return err.Error()
}

// startLoop starts the AOF goroutine if it is not running; w.mu is held.
func (w *aofWriter) startLoop(s *Server) {
	if w.running || w.closed {
		return
	}
	w.running = true
	w.stop = make(chan struct{})
	w.wg.Add(1)
	go func(stop chan struct{}) {
		defer w.wg.Done()
		w.loop(s, stop)
	}(w.stop)
}

// loop writes the buffer when kicked, and every aofTick fsyncs
// (everysec), retries failed writes and starts due rewrites.
func (w *aofWriter) loop(s *Server, stop chan struct{}) {
	t := time.NewTicker(aofTick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-w.kick:
			// Let the clients already runnable run their requests first,
			// so that one write carries all their effects, as Redis writes
			// the AOF buffer once per event-loop turn (beforeSleep) rather
			// than once per command or per client.
			runtime.Gosched()
			w.kicked.Store(false) // writes from here on kick again
			w.ioMu.Lock()
			w.writeOut(false)
			w.ioMu.Unlock()
		case now := <-t.C:
			w.tick(s, now)
		}
	}
}

// tick is the AOF goroutine's periodic work.
func (w *aofWriter) tick(s *Server, now time.Time) {
	w.mu.Lock()
	// always fsyncs on the command path; here only what a failed write
	// left to retry.
	policy := s.settings.appendFsync.Load()
	syncDue := policy == "everysec" && now.Sub(w.lastFsync) >= time.Second
	w.mu.Unlock()
	w.ioMu.Lock()
	w.writeOut(policy == "always")
	w.ioMu.Unlock()
	if syncDue {
		w.fsyncEverysec(now)
	}
	if w.rewriteDue(s, now) {
		s.startRewrite()
	}
}

// fsyncEverysec is everysec's fsync. It holds syncMu, not ioMu: clients go
// on writing meanwhile (Redis fsyncs in a background thread), except that
// their replies do not wait for the write (postponed).
func (w *aofWriter) fsyncEverysec(now time.Time) {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	w.mu.Lock()
	f, size, end := w.f, w.size, w.written.Load()
	skip := f == nil || w.fsyncedSize == size || w.rewriting && w.srv().settings.noAppendFsyncOnRewrite.Load()
	if !skip {
		w.fsyncing = true
	}
	w.lastFsync = now
	w.mu.Unlock()
	if skip {
		return
	}
	w.fsyncStart.Store(time.Now().UnixNano())
	err := f.Sync()
	w.fsyncStart.Store(0)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fsyncing = false
	if err != nil {
		w.setWriteErr(err)
		return
	}
	if w.f == f { // not replaced meanwhile (which takes syncMu): size is f's
		w.fsyncedSize = max(w.fsyncedSize, size)
	}
	w.durable = max(w.durable, end)
}

// rewriteDue reports whether a rewrite should start now: a scheduled one
// (no save running), or an automatic one by the growth since the last
// rewrite (auto-aof-rewrite-percentage, auto-aof-rewrite-min-size).
func (w *aofWriter) rewriteDue(s *Server, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.rewriting || s.persist.saving.Load() || now.Before(w.retryAt) {
		return false
	}
	if w.scheduled || w.state == aofWaitRewrite {
		w.rewriting = true
		w.scheduled = false
		return true
	}
	if w.state == aofOff {
		return false
	}
	perc := s.settings.autoAOFRewritePercentage.Load()
	if perc == 0 || w.currentSize <= int64(s.settings.autoAOFRewriteMinSize.Load()) {
		return false
	}
	base := max(w.rewriteBaseSize, 1)
	growth := w.currentSize*100/base - 100
	if growth < perc {
		return false
	}
	s.log.Info("Starting automatic rewriting of AOF", zap.Int64("growth_percent", growth))
	w.rewriting = true
	return true
}

// requestRewrite asks for a rewrite (BGREWRITEAOF): it returns the reply's
// status, or the error of a rewrite already running.
func (s *Server) requestRewrite() (string, error) {
	w := &s.aof
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.rewriting {
		return "", errors.New("ERR Background append only file rewriting already in progress")
	}
	if s.persist.saving.Load() {
		w.scheduled = true
		w.startLoop(s) // which starts it once the save is done
		return "Background append only file rewriting scheduled", nil
	}
	if err := os.MkdirAll(s.aofDir(), 0o755); err != nil {
		s.log.Warn("Can't open or create append-only dir", zap.String("dir", s.aofDir()), zap.Error(err))
		w.lastRewriteOK = false
		return "", errors.New("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
	}
	w.rewriting = true
	w.scheduled = false
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		s.startRewrite()
	}()
	return "Background append only file rewriting started", nil
}

// aofSnapshot opens the keyspace snapshot a rewrite writes its base from;
// the caller holds the world lock exclusively. It fails if a save has the
// snapshot open.
func (s *Server) aofSnapshot() (snapshot, bool) {
	sn := s.store.BeginSnapshot()
	if sn == nil {
		return snapshot{}, false
	}
	snap := snapshot{taken: time.Now(), dirty: s.dirty.Load(), sn: sn}
	for _, l := range s.scripts.engine.Libraries() {
		snap.libraries = append(snap.libraries, l.Code)
	}
	return snap, true
}

// aofRewriting reports whether a rewrite is claimed or running: a save
// must not start then, as Redis runs one child process at a time.
func (s *Server) aofRewriting() bool {
	w := &s.aof
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rewriting
}

// errAOFRewriteActive is a save's error while a rewrite runs (bgsaveCommand).
var errAOFRewriteActive = errors.New("Another child process is active (AOF?): can't BGSAVE right now. " +
	"Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")

// startRewrite begins a claimed rewrite (w.rewriting is set): with no
// write between running and being propagated, it opens the snapshot and,
// with the AOF on, a fresh incremental file, then writes the base in the
// background. With the AOF off, it only writes a new base, as Redis does.
func (s *Server) startRewrite() {
	w := &s.aof
	s.prop.mu.Lock()
	s.world.Lock()
	locked := true
	unlock := func() {
		if locked {
			locked = false
			s.world.Unlock()
			s.prop.mu.Unlock()
		}
	}
	defer unlock()
	w.ioMu.Lock()
	defer w.ioMu.Unlock()
	w.mu.Lock()
	revoked := !w.rewriting // by SHUTDOWN (settleRewriteLocked)
	w.mu.Unlock()
	if revoked {
		return
	}
	if s.persist.saving.Load() || s.persist.halted.Load() {
		w.mu.Lock()
		w.rewriting = false
		w.scheduled = !s.persist.halted.Load()
		w.startLoop(s) // which starts it once the save is done
		w.mu.Unlock()
		return
	}
	snap, ok := s.aofSnapshot()
	if !ok {
		w.mu.Lock()
		w.rewriting = false
		w.scheduled = true
		w.startLoop(s)
		w.mu.Unlock()
		return
	}
	// What the old file still buffers precedes the snapshot.
	w.writeOut(false)
	w.mu.Lock()
	if w.state != aofOn {
		// Off, or turned on at run time: the directory's files, if any,
		// are from before and become history once the base is written.
		w.dir, w.name = s.aofDir(), s.settings.appendFilename.Load()
		man, err := readOrNewManifest(w.dir, w.name)
		if err != nil {
			s.log.Warn("Can't read the AOF manifest; starting a new one", zap.Error(err))
			man = &aofManifest{}
		}
		w.man = man
		w.noteSeqs()
	}
	pend := &aofRewrite{}
	var f aofSink
	if w.state != aofOff {
		w.incrSeq++
		pend.incr = aofFile{name: w.incrName(w.incrSeq), seq: w.incrSeq, typ: aofIncr}
		var err error
		f, err = w.open(filepath.Join(w.dir, pend.incr.name))
		if err == nil && w.state == aofOn {
			// The new file joins the manifest now, so that a crash during
			// the rewrite loads the old base, the old files and this one.
			next := w.man.clone()
			next.incrs = append(next.incrs, pend.incr)
			if err = writeManifest(w.dir, w.name, next); err == nil {
				w.man = next
			} else {
				f.Close()
			}
		}
		if err != nil {
			w.incrSeq--
			w.mu.Unlock()
			s.log.Warn("Can't open the new incremental AOF file", zap.String("file", pend.incr.name), zap.Error(err))
			snap.sn.Abort()
			w.rewriteFailed()
			return
		}
	}
	old := w.f
	if f != nil {
		w.f = f
		w.size, w.fsyncedSize = 0, 0
		w.curDB = -1
		w.lastTS = 0
	}
	w.pending = pend
	w.snapOpen = true
	w.rewriteStarted = time.Now()
	w.rewrites++
	rdbPreamble := s.settings.aofUseRDBPreamble.Load()
	w.baseSeq++
	base := aofFile{name: w.baseName(w.baseSeq, rdbPreamble), seq: w.baseSeq, typ: aofBase}
	w.mu.Unlock()
	unlock()
	// The old file's end is fsynced and the file closed. With appendfsync
	// always that is done holding ioMu, so that no reply waiting for an
	// fsync goes out before it; otherwise the base writer does it first,
	// as Redis closes the old file in a background job, and writes to the
	// new file go on meanwhile.
	syncOld := func() {}
	if old != nil && f != nil {
		syncOld = func() {
			w.syncMu.Lock()
			defer w.syncMu.Unlock()
			if err := old.Sync(); err != nil {
				w.mu.Lock()
				w.setWriteErr(err)
				w.mu.Unlock()
			}
			old.Close()
		}
		if s.settings.appendFsync.Load() == "always" {
			syncOld()
			syncOld = func() {}
		}
	}
	s.log.Info("Background append only file rewriting started")
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		syncOld()
		err := s.writeAOFBase(filepath.Join(w.dir, base.name), snap)
		w.mu.Lock()
		w.snapOpen = false
		w.mu.Unlock()
		s.finishRewrite(base, err)
	}()
}

// scheduleBgsave makes a save start once the rewrite in progress ends
// (BGSAVE SCHEDULE); it reports false when none runs any more.
func (s *Server) scheduleBgsave() bool {
	w := &s.aof
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.rewriting {
		return false
	}
	w.bgsaveWanted = true
	return true
}

// rewriteEnded starts the save BGSAVE SCHEDULE asked for; w.mu is held.
func (w *aofWriter) rewriteEnded() {
	if w.bgsaveWanted && !w.closed {
		w.bgsaveWanted = false
		s := w.srv()
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			if err := s.BackgroundSave(); err == nil {
				s.log.Info("Background saving started by BGSAVE SCHEDULE")
			}
		}()
	}
}

// settleRewriteLocked is for SHUTDOWN, which holds the world lock and
// must take the final save's snapshot: a rewrite whose snapshot is open is
// waited for (writing its base takes no lock SHUTDOWN holds), and one
// claimed but not started, which would need the world lock, is called
// off. Redis kills the rewriting child instead.
func (s *Server) settleRewriteLocked() {
	w := &s.aof
	for {
		w.mu.Lock()
		if !w.snapOpen && (!w.rewriting || w.pending == nil) {
			w.rewriting = false // claimed, not started: it waits for the world lock
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
}

// rewriteFailed records a failed rewrite and schedules its retry.
func (w *aofWriter) rewriteFailed() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rewriteEnded()
	w.rewriting = false
	w.lastRewriteOK = false
	w.failures++
	w.retryAt = time.Now().Add(retryDelay)
	if w.state == aofWaitRewrite {
		w.scheduled = true
	}
}

// finishRewrite swaps in the new base and incremental file, or records the
// failure: the files stay as they were, with the new incremental file
// after the old ones.
func (s *Server) finishRewrite(base aofFile, err error) {
	w := &s.aof
	w.ioMu.Lock()
	defer w.ioMu.Unlock()
	w.mu.Lock()
	pend := w.pending
	w.pending = nil
	w.lastRewriteSec = int64(time.Since(w.rewriteStarted).Seconds())
	if pend == nil { // the AOF was turned off meanwhile
		w.rewriteEnded()
		w.rewriting = false
		w.mu.Unlock()
		if err == nil {
			os.Remove(filepath.Join(w.dir, base.name))
		}
		return
	}
	if err != nil {
		w.mu.Unlock()
		s.log.Warn("Background AOF rewrite failed", zap.Error(err))
		w.rewriteFailed()
		return
	}
	next := w.man.clone()
	// The old base and every incremental file before the new one are
	// history (getNewBaseFileNameAndMarkPreAsHistory,
	// markRewrittenIncrAofAsHistory).
	var history []aofFile
	if next.base != nil {
		h := *next.base
		h.typ = aofHistory
		history = append(history, h)
	}
	var incrs []aofFile
	for _, f := range next.incrs {
		if pend.incr.seq == 0 || f.seq < pend.incr.seq {
			f.typ = aofHistory
			history = append(history, f)
		} else {
			incrs = append(incrs, f)
		}
	}
	if len(incrs) == 0 && pend.incr.seq != 0 {
		incrs = []aofFile{pend.incr} // turned on at run time: the manifest did not have it yet
	}
	next.base = &base
	next.history = append(next.history, history...)
	next.incrs = incrs
	if err := writeManifest(w.dir, w.name, next); err != nil {
		w.mu.Unlock()
		s.log.Warn("Background AOF rewrite: writing the manifest failed", zap.Error(err))
		os.Remove(filepath.Join(w.dir, base.name))
		w.rewriteFailed()
		return
	}
	w.man = next
	if w.state == aofWaitRewrite && pend.incr.seq != 0 {
		w.state = aofOn
	}
	// The history goes before INFO reports the rewrite done, as in Redis,
	// whose done handler drops it from the manifest before it returns.
	s.deleteAOFHistoryLocked()
	w.rewriteEnded()
	w.rewriting = false
	w.lastRewriteOK = true
	w.failures = 0
	w.currentSize = w.filesSize()
	w.rewriteBaseSize = w.currentSize
	w.mu.Unlock()
	s.log.Info("Background AOF rewrite finished successfully")
}

// deleteAOFHistoryLocked removes the history files and then drops them
// from the manifest (aofDelHistoryFiles). The caller holds w.mu.
func (s *Server) deleteAOFHistoryLocked() {
	w := &s.aof
	if len(w.man.history) == 0 {
		return
	}
	for _, f := range w.man.history {
		s.log.Info("Removing the history file in the background", zap.String("file", f.name))
		if err := os.Remove(filepath.Join(w.dir, f.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("Removing an AOF history file failed", zap.String("file", f.name), zap.Error(err))
		}
	}
	next := w.man.clone()
	next.history = nil
	if err := writeManifest(w.dir, w.name, next); err != nil {
		s.log.Warn("Writing the AOF manifest without its history failed", zap.Error(err))
		return
	}
	w.man = next
}

// clone returns a copy of m that can be changed without changing m.
func (m *aofManifest) clone() *aofManifest {
	c := &aofManifest{
		history: append([]aofFile(nil), m.history...),
		incrs:   append([]aofFile(nil), m.incrs...),
	}
	if m.base != nil {
		b := *m.base
		c.base = &b
	}
	return c
}

// setAppendOnly is CONFIG SET appendonly: yes starts the AOF with a
// rewrite, as Redis's startAppendOnly; no stops it, after writing and
// fsyncing what it buffers (stopAppendOnly).
func (s *Server) setAppendOnly(on bool) error {
	w := &s.aof
	w.mu.Lock()
	defer w.mu.Unlock()
	if on {
		if w.state != aofOff {
			return nil
		}
		if err := os.MkdirAll(s.aofDir(), 0o755); err != nil {
			s.log.Warn("Can't open or create append-only dir", zap.String("dir", s.aofDir()), zap.Error(err))
			return errors.New("Unable to turn on AOF. Check server logs.")
		}
		w.state = aofWaitRewrite
		w.man = nil
		w.pending = nil    // a rewrite with the AOF off made no incremental file: its result is not used
		w.scheduled = true // the AOF goroutine starts it, taking the locks a command cannot
		w.retryAt = time.Time{}
		w.startLoop(s)
		// Subscribing needs propagation.mu, which a command in a
		// transaction may hold: the AOF goroutine does it.
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			cancel := s.Subscribe(w)
			w.mu.Lock()
			if w.state == aofOff {
				w.mu.Unlock()
				cancel()
				return
			}
			w.cancelSub = cancel
			w.mu.Unlock()
		}()
		return nil
	}
	if w.state == aofOff {
		return nil
	}
	w.state = aofOff
	w.scheduled = false
	w.writeErr = nil
	w.refusal.Store(nil)
	w.pending = nil // a rewrite running is abandoned, as Redis kills its child
	cancel := w.cancelSub
	w.cancelSub = nil
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if cancel != nil {
			cancel()
		}
		w.closeFile()
	}()
	return nil
}

// closeFile writes and fsyncs what is buffered and closes the file.
func (w *aofWriter) closeFile() {
	w.ioMu.Lock()
	defer w.ioMu.Unlock()
	w.writeOut(true)
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	w.buf = nil
	w.pending = nil
}

// closeAOF stops the AOF at shutdown: it waits for a rewrite to end,
// writes and fsyncs the buffer and closes the file.
func (s *Server) closeAOF() {
	w := &s.aof
	w.mu.Lock()
	cancel := w.cancelSub
	w.cancelSub = nil
	stop := w.stop
	running := w.running
	w.running = false
	w.closed = true
	w.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if running {
		close(stop)
	}
	w.wg.Wait()
	w.closeFile()
}

// aofInfo is what INFO persistence reports of the AOF.
type aofInfo struct {
	enabled, rewriting, scheduled     bool
	lastRewriteSec, currentRewriteSec int64
	lastRewriteOK, writeOK            bool
	rewrites, failures                int64
	currentSize, baseSize             int64
	bufferLen                         int64
	fsyncing                          bool
}

func (s *Server) aofInfo() aofInfo {
	w := &s.aof
	w.mu.Lock()
	defer w.mu.Unlock()
	in := aofInfo{
		enabled:           w.state != aofOff,
		rewriting:         w.rewriting,
		scheduled:         w.scheduled,
		lastRewriteSec:    w.lastRewriteSec,
		currentRewriteSec: -1,
		lastRewriteOK:     w.lastRewriteOK,
		writeOK:           w.writeErr == nil,
		rewrites:          w.rewrites,
		failures:          w.failures,
		currentSize:       w.currentSize,
		baseSize:          w.rewriteBaseSize,
		bufferLen:         int64(len(w.buf)),
		fsyncing:          w.fsyncing,
	}
	if in.rewriting {
		in.currentRewriteSec = int64(time.Since(w.rewriteStarted).Seconds())
	}
	return in
}

// infoAOF writes INFO persistence's aof_* fields as Redis 7.0.15 does.
func (s *Server) infoAOFFields(w *infoWriter, tail bool) {
	in := s.aofInfo()
	if !tail {
		w.int("aof_enabled", boolInt(in.enabled))
		w.int("aof_rewrite_in_progress", boolInt(in.rewriting))
		w.int("aof_rewrite_scheduled", boolInt(in.scheduled))
		w.int("aof_last_rewrite_time_sec", in.lastRewriteSec)
		w.int("aof_current_rewrite_time_sec", in.currentRewriteSec)
		w.str("aof_last_bgrewrite_status", okErr(in.lastRewriteOK))
		w.int("aof_rewrites", in.rewrites)
		w.int("aof_rewrites_consecutive_failures", in.failures)
		w.str("aof_last_write_status", okErr(in.writeOK))
		w.int("aof_last_cow_size", 0)
		return
	}
	if !in.enabled {
		return
	}
	w.int("aof_current_size", in.currentSize)
	w.int("aof_base_size", in.baseSize)
	w.int("aof_pending_rewrite", boolInt(in.scheduled))
	w.int("aof_buffer_length", in.bufferLen)
	w.int("aof_pending_bio_fsync", boolInt(in.fsyncing))
	w.int("aof_delayed_fsync", 0) // commands never wait for an fsync (everysec)
}

func okErr(ok bool) string {
	if ok {
		return "ok"
	}
	return "err"
}

// writeAOFBase writes a rewrite's base file from snap crash-safely (a
// temporary file, fsynced, renamed): an RDB file when aof-use-rdb-preamble
// is yes, else the commands that rebuild the data set. It closes snap.
func (s *Server) writeAOFBase(path string, snap snapshot) error {
	if s.settings.aofUseRDBPreamble.Load() {
		return s.writeDump(path, snap, true)
	}
	defer snap.sn.Abort()
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, fmt.Sprintf("temp-rewriteaof-bg-%d.aof", os.Getpid()))
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := writeDurably(f, tmp, func(w io.Writer) error { return s.writeAOFCommands(w, snap) }); err != nil {
		return err
	}
	ok = true
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename %s to %s: %w", tmp, path, err)
	}
	return syncDir(dir)
}

// writeAOFCommands writes snap as the commands Redis's
// rewriteAppendOnlyFileRio writes: the functions, then per database a
// SELECT and per key the commands that build it, at most
// aofRewriteItemsPerCmd elements a command, and PEXPIREAT for an expiry.
func (s *Server) writeAOFCommands(w io.Writer, snap snapshot) error {
	var out []byte
	flush := func() error {
		_, err := w.Write(out)
		out = out[:0]
		return err
	}
	if s.settings.aofTimestampEnabled.Load() {
		out = fmt.Appendf(out, "#TS:%d\r\n", snap.taken.Unix())
	}
	for _, code := range snap.libraries {
		out = appendRESPCommand(out, [][]byte{b("FUNCTION"), b("LOAD"), code})
	}
	var scratch rdbScratch
	current := -1
	return snap.sn.Range(func(dbi int, entries []db.SnapshotEntry) error {
		if dbi != current {
			out = appendRESPCommand(out, [][]byte{b("SELECT"), strconv.AppendInt(nil, int64(dbi), 10)})
			current = dbi
		}
		for _, e := range entries {
			re, err := scratch.entry(dbi, e.Key, e.Value, e.ExpireAt)
			if err != nil {
				return err
			}
			out = appendRebuild(out, re)
			if re.ExpireAt != 0 {
				out = appendRESPCommand(out, [][]byte{b("PEXPIREAT"), re.Key, strconv.AppendInt(nil, re.ExpireAt, 10)})
			}
			if len(out) >= 1<<16 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
}

// appendRebuild appends the commands that build e's value
// (rewriteListObject, rewriteSetObject, rewriteSortedSetObject,
// rewriteHashObject, rewriteStreamObject).
func appendRebuild(out []byte, e rdb.Entry) []byte {
	key := e.Key
	batches := func(name string, items [][]byte, per int) {
		for len(items) > 0 {
			n := min(len(items), aofRewriteItemsPerCmd*per)
			args := append([][]byte{b(name), key}, items[:n]...)
			out = appendRESPCommand(out, args)
			items = items[n:]
		}
	}
	switch e.Type {
	case rdb.TypeString:
		out = appendRESPCommand(out, [][]byte{b("SET"), key, e.Value})
	case rdb.TypeList:
		batches("RPUSH", e.Elems, 1)
	case rdb.TypeSet:
		batches("SADD", e.Elems, 1)
	case rdb.TypeZSet:
		items := make([][]byte, 0, 2*len(e.Elems))
		for i, m := range e.Elems {
			items = append(items, formatAOFScore(e.Scores[i]), m)
		}
		batches("ZADD", items, 2)
	case rdb.TypeHash:
		items := make([][]byte, 0, 2*len(e.Pairs))
		for _, p := range e.Pairs {
			items = append(items, p.Field, p.Value)
		}
		batches("HMSET", items, 2)
	case rdb.TypeStream:
		out = appendStreamRebuild(out, key, e.Stream)
	}
	return out
}

// formatAOFScore formats a score as Redis's rioWriteBulkDouble ("%.17g").
func formatAOFScore(f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return b("inf")
	case math.IsInf(f, -1):
		return b("-inf")
	}
	return strconv.AppendFloat(nil, f, 'g', 17, 64)
}

func streamIDBytes(id rdb.StreamID) []byte {
	out := strconv.AppendUint(nil, id.Ms, 10)
	out = append(out, '-')
	return strconv.AppendUint(out, id.Seq, 10)
}

// appendStreamRebuild appends the commands that rebuild a stream as
// Redis's rewriteStreamObject: its entries, XSETID with its counters, its
// groups, consumers and pending entries.
func appendStreamRebuild(out []byte, key []byte, st *rdb.Stream) []byte {
	if st.Length == 0 {
		// An empty stream still has its last ID: made by an XADD trimmed
		// to nothing.
		out = appendRESPCommand(out, [][]byte{b("XADD"), key, b("MAXLEN"), b("0"), streamIDBytes(st.LastID), b("x"), b("y")})
	} else {
		for _, n := range st.Nodes {
			for _, en := range n.Entries {
				if en.Deleted {
					continue
				}
				args := [][]byte{b("XADD"), key, streamIDBytes(en.ID)}
				for _, p := range en.Pairs {
					args = append(args, p.Field, p.Value)
				}
				out = appendRESPCommand(out, args)
			}
		}
	}
	out = appendRESPCommand(out, [][]byte{b("XSETID"), key, streamIDBytes(st.LastID),
		b("ENTRIESADDED"), strconv.AppendUint(nil, st.EntriesAdded, 10),
		b("MAXDELETEDID"), streamIDBytes(st.MaxDeletedID)})
	for _, g := range st.Groups {
		out = appendRESPCommand(out, [][]byte{b("XGROUP"), b("CREATE"), key, g.Name, streamIDBytes(g.LastID),
			b("ENTRIESREAD"), strconv.AppendInt(nil, g.EntriesRead, 10)})
		pel := make(map[rdb.StreamID]rdb.StreamPending, len(g.PEL))
		for _, p := range g.PEL {
			pel[p.ID] = p
		}
		for _, c := range g.Consumers {
			if len(c.PEL) == 0 {
				out = appendRESPCommand(out, [][]byte{b("XGROUP"), b("CREATECONSUMER"), key, g.Name, c.Name})
				continue
			}
			for _, id := range c.PEL {
				p := pel[id]
				out = appendRESPCommand(out, [][]byte{b("XCLAIM"), key, g.Name, c.Name, b("0"), streamIDBytes(id),
					b("TIME"), strconv.AppendInt(nil, p.DeliveryTime, 10),
					b("RETRYCOUNT"), strconv.AppendUint(nil, p.DeliveryCount, 10), b("JUSTID"), b("FORCE")})
			}
		}
	}
	return out
}
