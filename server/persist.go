package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/rdb"
	"github.com/mini-redis/mini-redis/server/scripting"
	"go.uber.org/zap"
)

// Persistence: RDB snapshots in Redis's own format (package db/rdb), so a
// dump moves between this server and Redis 7 both ways.
//
// A save first takes a snapshot: with every command paused, it gathers the
// keys with references to their values, which are immutable once stored,
// so the pause is short. Then it writes the file without holding anything:
// to a temporary file in the same directory, fsynced, renamed over the
// dump and the directory fsynced, so a crash at any moment leaves the
// previous dump whole.

// persistence is the state of RDB saving, read by INFO, the admin API and
// the command dispatcher. Its configuration (save, dir, dbfilename, ...) is
// in the server's settings.
type persistence struct {
	saving       atomic.Bool  // a save is in progress
	saveStarted  atomic.Int64 // Unix seconds the current save began
	lastSave     atomic.Int64 // Unix seconds of the last successful save
	lastOK       atomic.Bool
	lastDuration atomic.Int64 // seconds the last save took, or -1
	lastAttempt  atomic.Int64 // Unix seconds of the last attempt, for the retry delay
	saves        atomic.Int64
	pauseMicros  atomic.Int64 // the last snapshot's pause: INFO latest_fork_usec
	keysDone     atomic.Int64
	keysTotal    atomic.Int64
	loadLoaded   atomic.Int64
	loadExpired  atomic.Int64
	lastErr      atomic.Pointer[string]

	// halted is set by SHUTDOWN after its final save: no command runs after
	// it, as none runs after SHUTDOWN in Redis.
	halted atomic.Bool
	// savedForShutdown records that SHUTDOWN saved, or asked not to save.
	savedForShutdown atomic.Bool
	wg               sync.WaitGroup // saves started and not finished
	// abandon tells a background save to stop and remove its temporary
	// file: a shutdown does not wait for it, as Redis kills its saving
	// child (killRDBChild) before its own final save, if any.
	abandon atomic.Bool

	// createTemp opens the temporary file a save writes before renaming it
	// over the dump; nil means the file system's. Tests put a full disk
	// behind it.
	createTemp func(name string) (dumpFile, error)
}

// dumpFile is the temporary file a save writes.
type dumpFile interface {
	io.Writer
	Sync() error
	Close() error
}

// createDumpTemp opens the temporary file of a save, truncated.
func (p *persistence) createDumpTemp(name string) (dumpFile, error) {
	if p.createTemp != nil {
		return p.createTemp(name)
	}
	return os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
}

// retryDelay is how long after a failed background save the save rules
// wait before trying again (CONFIG_BGSAVE_RETRY_DELAY).
const retryDelay = 5 * time.Second

// errSaveInProgress is the error of a save started while one runs.
var errSaveInProgress = errors.New("Background save already in progress")

// errSaveAbandoned ends a background save a shutdown abandoned.
var errSaveAbandoned = errors.New("abandoned by the shutdown")

// abandonSave stops a save in progress and waits until it has removed
// its temporary file, leaving the previous dump as it was.
func (s *Server) abandonSave() {
	p := &s.persist
	if p.saving.Load() {
		s.log.Info("a background save is in progress: abandoning it")
	}
	p.abandon.Store(true)
	p.wg.Wait()
	p.abandon.Store(false)
}

// initPersistence sets up saving.
func (s *Server) initPersistence() {
	p := &s.persist
	p.lastSave.Store(s.started.Unix())
	p.lastOK.Store(true)
	p.lastDuration.Store(-1)
}

// dumpPath returns the dump file's path.
func (s *Server) dumpPath() string {
	return filepath.Join(s.settings.dir.Load(), s.settings.dbFilename.Load())
}

// snapshot is the keyspace at one instant, copied shard by shard as the
// dump is written (db.Snapshot: copy-on-write per shard).
type snapshot struct {
	taken time.Time
	dirty int64 // the change counter at the snapshot
	sn    *db.Snapshot
	// libraries are the function libraries' code, which never changes
	// once loaded (a new library replaces a whole one).
	libraries [][]byte
}

// startSave claims the right to save and opens the save's snapshot, with
// every command paused for the moment it takes (microseconds: nothing is
// copied yet), or reports a save in progress. finishSave completes it.
func (s *Server) startSave() (snapshot, error) {
	if s.persist.saving.Load() {
		return snapshot{}, errSaveInProgress // no need to pause anyone
	}
	start := time.Now()
	s.world.Lock()
	defer s.world.Unlock()
	return s.startSaveSince(start)
}

// startSaveLocked is startSave for a caller that already holds the world
// lock exclusively (client.startSave, SHUTDOWN).
func (s *Server) startSaveLocked() (snapshot, error) {
	return s.startSaveSince(time.Now())
}

// startSaveSince is startSave under the world lock; the pause began at
// start. A save is claimed only with every command paused, and counted in
// persist.wg until finishSave returns, so that SHUTDOWN, which saves
// holding the lock, finds either no save or one it can wait for.
func (s *Server) startSaveSince(start time.Time) (snapshot, error) {
	p := &s.persist
	if s.aofRewriting() {
		return snapshot{}, errAOFRewriteActive // one snapshot at a time
	}
	if !p.saving.CompareAndSwap(false, true) {
		return snapshot{}, errSaveInProgress
	}
	now := time.Now()
	p.saveStarted.Store(now.Unix())
	p.lastAttempt.Store(now.Unix())
	p.wg.Add(1)
	// Saves are serialized by the claim, so no other snapshot is open.
	snap := snapshot{taken: now, dirty: s.dirty.Load(), sn: s.store.BeginSnapshot()}
	for _, l := range s.scripts.engine.Libraries() {
		snap.libraries = append(snap.libraries, l.Code)
	}
	p.pauseMicros.Store(time.Since(start).Microseconds())
	return snap, nil
}

// startSave is Server.startSave from inside a command (SAVE, BGSAVE).
func (c *client) startSave() (snap snapshot, err error) {
	if c.server.persist.saving.Load() {
		return snapshot{}, errSaveInProgress // no need to pause anyone
	}
	c.exclusive(func() { snap, err = c.server.startSaveLocked() })
	return snap, err
}

// Save takes a snapshot and writes it, returning when the dump is on disk
// (the admin API, a shutdown's save).
func (s *Server) Save() error {
	snap, err := s.startSave()
	if err != nil {
		return err
	}
	return s.finishSave(snap)
}

// BackgroundSave starts a save and returns at once (the admin API, the
// save rules).
func (s *Server) BackgroundSave() error {
	snap, err := s.startSave()
	if err != nil {
		return err
	}
	go s.finishSave(snap)
	return nil
}

// finishSave writes snap to the dump file, records the outcome and ends
// the save startSave began.
func (s *Server) finishSave(snap snapshot) error {
	p := &s.persist
	defer p.wg.Done()
	defer p.saving.Store(false)
	start := time.Now()
	path := s.dumpPath()
	err := s.writeDump(path, snap, false)
	took := time.Since(start)
	p.lastDuration.Store(int64(took.Seconds()))
	if o := s.cfg.Observer; o != nil {
		o.SaveDone(SaveEvent{Path: path, Start: start, Duration: took, Err: err})
	}
	if errors.Is(err, errSaveAbandoned) {
		s.log.Info("background save abandoned; the previous dump stays", zap.String("path", path))
		return err
	}
	if err != nil {
		msg := err.Error()
		p.lastErr.Store(&msg)
		p.lastOK.Store(false)
		s.log.Error("saving the dump failed", zap.String("path", path), zap.Error(err))
		return err
	}
	// Changes made while the file was written still count as unsaved.
	s.dirty.Add(-snap.dirty)
	p.lastSave.Store(snap.taken.Unix())
	p.lastOK.Store(true)
	p.lastErr.Store(nil)
	p.saves.Add(1)
	s.log.Info("DB saved on disk", zap.String("path", path), zap.Duration("took", time.Since(start)),
		zap.Int64("pause_us", p.pauseMicros.Load()))
	return nil
}

// writeDump writes snap to path crash-safely: a temporary file in the same
// directory, fsync, rename, fsync of the directory. aofBase marks it as an
// AOF's RDB base.
func (s *Server) writeDump(path string, snap snapshot, aofBase bool) (err error) {
	if snap.sn == nil {
		return errors.New("another snapshot is open")
	}
	// Close the snapshot however this ends, or writers would go on
	// copying shards for it.
	defer snap.sn.Abort()
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, fmt.Sprintf("temp-%d.rdb", os.Getpid()))
	p := &s.persist
	f, err := p.createDumpTemp(tmp)
	if err != nil {
		return fmt.Errorf("failed opening the temp RDB file %s (in server root dir %s) for saving: %w",
			filepath.Base(tmp), dir, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := writeDurably(f, tmp, func(w io.Writer) error { return s.encodeRDB(w, snap, aofBase) }); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, path, err)
	}
	// The rename is durable only once the directory is.
	return syncDir(dir)
}

// encodeRDB writes snap to out in the RDB format (a dump file, an AOF's
// RDB base when aofBase, or a replica's full sync), counting the keys
// written for INFO's current_save_keys_processed. It does not close snap.
func (s *Server) encodeRDB(out io.Writer, snap snapshot, aofBase bool) error {
	p := &s.persist
	keys, expiring := snap.sn.DBSizes()
	total := 0
	for _, n := range keys {
		total += n
	}
	p.keysTotal.Store(int64(total))
	p.keysDone.Store(0)
	ms, _ := s.memStats()
	opts := s.rdbValueOptions()
	opts.RedisVersion = RedisVersion
	opts.Time = snap.taken
	opts.UsedMem = int64(ms.HeapAlloc)
	opts.NoChecksum = !s.settings.rdbChecksum.Load()
	opts.AOFBase = aofBase
	w := rdb.NewWriter(out, opts)
	// Redis writes the libraries before the databases.
	for _, code := range snap.libraries {
		if err := w.WriteLibrary(code); err != nil {
			return err
		}
	}
	var scratch rdbScratch
	current := -1
	// The snapshot streams shard by shard: what no writer copied is read
	// from the keyspace as the file is written.
	err := snap.sn.Range(func(dbi int, entries []db.SnapshotEntry) error {
		if p.abandon.Load() {
			return errSaveAbandoned
		}
		if dbi != current {
			if err := w.SelectDB(dbi, keys[dbi], expiring[dbi]); err != nil {
				return err
			}
			current = dbi
		}
		for _, e := range entries {
			// The snapshot's collections do not change while it is open
			// (a write clones them first), so they are read without a lock.
			re, err := scratch.entry(dbi, e.Key, e.Value, e.ExpireAt)
			if err != nil {
				return err
			}
			if err := w.WriteEntry(re); err != nil {
				return err
			}
		}
		p.keysDone.Add(int64(len(entries)))
		return nil
	})
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	p.keysDone.Store(int64(total))
	return nil
}

// writeDurably writes a file's contents through a buffer with write,
// then flushes, fsyncs and closes f, the file at name; errors name it.
func writeDurably(f dumpFile, name string, write func(io.Writer) error) error {
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	return nil
}

// saveRulesDue reports whether a save rule says it is time to save: some
// rule's number of changes happened and its seconds passed since the last
// save.
func (s *Server) saveRulesDue(now time.Time) bool {
	p := &s.persist
	rules := s.settings.save.Load()
	dirty := s.dirty.Load()
	since := now.Unix() - p.lastSave.Load()
	if !p.lastOK.Load() && now.Unix()-p.lastAttempt.Load() < int64(retryDelay/time.Second) {
		return false // a failed save is retried after a delay, as in Redis
	}
	for _, r := range rules {
		if dirty >= int64(r.Changes) && since >= r.Seconds {
			return true
		}
	}
	return false
}

// checkSaveRules starts a background save when the rules say so; the
// sampler calls it ten times a second.
func (s *Server) checkSaveRules(now time.Time) {
	if s.persist.saving.Load() || !s.saveRulesDue(now) {
		return
	}
	if err := s.BackgroundSave(); err == nil {
		s.log.Info("background saving started by the save rules")
	}
}

// hasSaveRules reports whether any save rule is configured.
func (s *Server) hasSaveRules() bool { return len(s.settings.save.Load()) > 0 }

// writeRefusal returns the MISCONF error writes are refused with, or "":
// when the last save failed (stop-writes-on-bgsave-error, as Redis: only
// with save rules), or the append-only file cannot be written (aof.go).
func (s *Server) writeRefusal() string {
	p := &s.persist
	if !p.lastOK.Load() && s.settings.stopWritesOnBgsaveError.Load() && s.hasSaveRules() {
		return errMisconf
	}
	return s.aof.writeRefusal()
}

// persistInfo is what INFO persistence and the admin API report.
type persistInfo struct {
	inProgress                  bool
	lastSave                    time.Time
	lastStatus                  string
	lastError                   string
	lastDurationSec, currentSec int64
	saves                       int64
	keysProcessed, keysTotal    int64
	loadExpired, loadLoaded     int64
	pauseMicros                 int64
}

func (s *Server) persistenceInfo() persistInfo {
	p := &s.persist
	info := persistInfo{
		inProgress:      p.saving.Load(),
		lastSave:        time.Unix(p.lastSave.Load(), 0),
		lastStatus:      "ok",
		lastDurationSec: p.lastDuration.Load(),
		currentSec:      -1,
		saves:           p.saves.Load(),
		keysProcessed:   p.keysDone.Load(),
		keysTotal:       p.keysTotal.Load(),
		loadExpired:     p.loadExpired.Load(),
		loadLoaded:      p.loadLoaded.Load(),
		pauseMicros:     p.pauseMicros.Load(),
	}
	if !p.lastOK.Load() {
		info.lastStatus = "err"
	}
	if e := p.lastErr.Load(); e != nil {
		info.lastError = *e
	}
	if info.inProgress {
		info.currentSec = time.Now().Unix() - p.saveStarted.Load()
	} else {
		info.keysProcessed, info.keysTotal = 0, 0
	}
	return info
}

// loadDump loads the dump file at start, if there is one. It reads the
// whole file into a fresh keyspace and puts that into service only when
// every key read well: a damaged dump loads nothing, and the server
// refuses to start, as Redis does.
func (s *Server) loadDump() error {
	path := s.dumpPath()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open the dump: %w", err)
	}
	defer f.Close()
	start := time.Now()
	// Nearly everything loading allocates is kept, so collections while
	// the heap grows would find little garbage: pause the collector for
	// the load (the garbage is bounded by the dump's size).
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	fresh := s.newStore()
	info, loaded, expired, err := loadRDBEntries(bufio.NewReaderSize(f, 1<<20), fresh, true)
	if err != nil {
		return fmt.Errorf("loading %s: %w", path, err)
	}
	// The libraries replace the engine's (none at start) only if they all
	// load, as Redis loads them into a fresh context; one that fails
	// fails the load.
	if errText := s.scripts.engine.RestoreLibraries(info.Libraries, scripting.RestoreFlush); errText != "" {
		return fmt.Errorf("loading %s: Failed loading library, %s", path, errText)
	}
	// The background loops already run on the keyspace being replaced.
	s.world.Lock()
	s.store = fresh
	s.world.Unlock()
	s.persist.loadLoaded.Store(loaded)
	s.persist.loadExpired.Store(expired)
	s.log.Info("DB loaded from disk", zap.String("path", path), zap.Int64("keys", loaded),
		zap.Int64("expired", expired), zap.Int("libraries", len(info.Libraries)), zap.Int("empty_keys_skipped", info.EmptyKeys), zap.Duration("took", time.Since(start)),
		zap.String("redis_ver", info.Aux["redis-ver"]))
	return nil
}

// loadRDBEntries reads the RDB in r into st, whose databases it fills. With
// dropExpired, keys whose deadline has passed are skipped and counted as
// expired, as Redis loads a dump on a master; a replica keeps them for the
// master's DEL. It returns what rdb.Load reports and the keys loaded.
func loadRDBEntries(r io.Reader, st *db.Store, dropExpired bool) (info rdb.Info, loaded, expired int64, err error) {
	limits := st.EncodingLimits()
	now := st.Clock().Now().UnixMilli()
	info, err = rdb.Load(r, func(e rdb.Entry) error {
		d := st.DB(e.DB)
		if d == nil {
			return fmt.Errorf("key %q is in database %d, but there are only %d", e.Key, e.DB, st.Databases())
		}
		if dropExpired && e.ExpireAt != 0 && e.ExpireAt <= now {
			expired++
			return nil
		}
		if e.Type == rdb.TypeString {
			// Copied into the key's entry: no String to throw away.
			tx := d.Write(e.Key)
			tx.SetString(e.Key, e.Value, e.ExpireAt)
			tx.Close()
			loaded++
			return nil
		}
		v, err := valueOf(e, limits)
		if err != nil {
			return err
		}
		tx := d.Write(e.Key)
		tx.Set(e.Key, v, e.ExpireAt)
		tx.Close()
		loaded++
		return nil
	})
	return info, loaded, expired, err
}

// shutdown is SHUTDOWN: save unless NOSAVE (or when SAVE is
// given, even without save rules), then stop. A failed save cancels the
// shutdown unless FORCE. After it, no command runs.
func (c *client) shutdown(req shutdownRequest) (err error) {
	s := c.server
	// Every other command waits: nothing may change after the final save.
	c.exclusive(func() { err = s.shutdownLocked(req) })
	return err
}

func (s *Server) shutdownLocked(req shutdownRequest) error {
	save := req.save || !req.noSave && s.hasSaveRules()
	if save {
		s.abandonSave()
		s.settleRewriteLocked()
		snap, err := s.startSaveLocked()
		if err != nil {
			return err
		}
		if err := s.finishSave(snap); err != nil && !req.force {
			return err
		}
	}
	s.persist.savedForShutdown.Store(true)
	s.persist.halted.Store(true)
	s.requestShutdown()
	return nil
}

// saveOnShutdown is the final save of a shutdown by signal, by
// RequestShutdown or by the admin API: when save rules are configured (or
// the admin API asked to save, or not to), unless SHUTDOWN has already
// saved or said not to. It saves with the world locked and, on success,
// halts the server before letting go, so that nothing changes after the
// dump; on failure commands carry on as if nothing had happened.
func (s *Server) saveOnShutdown() error {
	if !s.shutdownSaved.CompareAndSwap(false, true) {
		return nil
	}
	save := s.hasSaveRules()
	if o := s.shutdownOpts.Load(); o != nil && o.Save != nil {
		save = *o.Save
	}
	if !save || s.persist.savedForShutdown.Load() {
		return nil
	}
	s.world.Lock()
	defer s.world.Unlock()
	if s.persist.savedForShutdown.Load() {
		return nil // SHUTDOWN saved while we waited for the lock
	}
	s.abandonSave()
	s.settleRewriteLocked()
	snap, err := s.startSaveLocked()
	if err == nil {
		err = s.finishSave(snap)
	}
	if err != nil {
		s.shutdownSaved.Store(false) // the next attempt saves again
		return err
	}
	s.persist.savedForShutdown.Store(true)
	s.persist.halted.Store(true)
	return nil
}
