package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/rdb"
	"github.com/mini-redis/mini-redis/server/scripting"
	"go.uber.org/zap"
)

// Loading the append-only file at start, as Redis 7.0 does
// (loadAppendOnlyFiles and loadSingleAppendOnlyFile in aof.c): the
// manifest names a base file, an RDB ("REDIS" magic) or commands, and
// incremental files of commands, loaded in that order. Each command runs
// through the command table for a client of its own, with no reply and
// nothing propagated; a MULTI queues commands until EXEC runs them.
//
// Nothing expires while loading, as in Redis (keyIsExpired returns 0 while
// loading): a key whose deadline passed while the server was down still
// takes the commands that follow it in the file, so that "INCR k;
// PEXPIREAT k <past>; INCR k" ends with k gone rather than with a fresh
// counter that never expires. The keyspace is loaded with a clock stopped
// at the epoch, which then follows the server's clock.

// loadData loads the data set at start: the append-only file when
// appendonly is yes, which wins over the dump as in Redis (even when it
// holds nothing), else the dump. The names of the directory and file are
// appenddirname's and appendfilename's, or Redis's defaults where those
// settings are not declared.
func (s *Server) loadData() error {
	if !s.settings.appendOnly.Load() {
		return s.loadDump()
	}
	dirName, fileName := s.settings.appendDirname.Load(), s.settings.appendFilename.Load()
	_, err := s.loadAppendOnly(s.settings.dir.Load(), dirName, fileName)
	return err
}

// aofLoadResult describes what loadAppendOnly loaded, for the writer that
// goes on appending to the directory and for INFO.
type aofLoadResult struct {
	// manifest is the directory's manifest after loading (and after an
	// old-style file's migration); nil when there was no append-only file.
	manifest *aofManifest
	// baseSize and totalSize are the sizes of the base file and of the
	// base and incremental files together, after any truncation (Redis's
	// aof_rewrite_base_size and aof_current_size).
	baseSize, totalSize int64
	// truncated is how many bytes were dropped from the last file's tail
	// under aof-load-truncated yes.
	truncated int64
	commands  int64 // commands run, the queued ones of a transaction included
	failed    int64 // commands that replied with an error, as Redis ignores them
	rdbKeys   int64 // keys loaded from an RDB base or preamble
}

// loadAppendOnly loads the append-only file of the server whose working
// directory is dir, configured with appenddirname dirName and
// appendfilename fileName. A single old-style file fileName in dir (Redis
// before 7.0) is first moved into the directory with a manifest naming it
// as the base, as Redis's aofUpgradePrepare does. No file at all, or only
// empty ones, loads nothing and is no error: the server starts empty, and
// the RDB dump is not read.
func (s *Server) loadAppendOnly(dir, dirName, fileName string) (aofLoadResult, error) {
	aofDir := filepath.Join(dir, dirName)
	oldPath := filepath.Join(dir, fileName)
	if _, err := os.Stat(oldPath); err == nil {
		m, err := readManifest(aofDir, fileName)
		if err != nil {
			return aofLoadResult{}, err
		}
		_, dirErr := os.Stat(aofDir)
		_, inDirErr := os.Stat(filepath.Join(aofDir, fileName))
		// Redis's three cases: no directory; no manifest; or a manifest
		// naming only the old file as base, which is not in the directory
		// yet (a migration interrupted between manifest and rename).
		if errors.Is(dirErr, fs.ErrNotExist) || m == nil ||
			m.base != nil && len(m.incrs) == 0 && m.base.name == fileName && errors.Is(inDirErr, fs.ErrNotExist) {
			if err := s.migrateOldAOF(dir, dirName, fileName); err != nil {
				return aofLoadResult{}, err
			}
		}
	}
	return s.loadAppendOnlyDir(aofDir, fileName)
}

// migrateOldAOF moves the old-style append-only file into the directory,
// recorded in a new manifest as the base file, seq 1.
func (s *Server) migrateOldAOF(dir, dirName, fileName string) error {
	aofDir := filepath.Join(dir, dirName)
	if err := os.MkdirAll(aofDir, 0o755); err != nil {
		return fmt.Errorf("Can't create AOF directory %s: %w", dirName, err)
	}
	m := &aofManifest{base: &aofFile{name: fileName, seq: 1, typ: aofBase}}
	if err := writeManifest(aofDir, fileName, m); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(dir, fileName), filepath.Join(aofDir, fileName)); err != nil {
		return fmt.Errorf("Error trying to rename the existing AOF to the AOF directory: %w", err)
	}
	if err := syncDir(aofDir); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	s.log.Info(fmt.Sprintf("Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).", fileName, dirName))
	return nil
}

// readManifest reads aofDir's manifest; it returns nil, and no error, when
// the directory or the manifest does not exist.
func readManifest(aofDir, fileName string) (*aofManifest, error) {
	data, err := os.ReadFile(filepath.Join(aofDir, fileName+".manifest"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("Fail to open AOF manifest %s: %w", fileName+".manifest", err)
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("reading the AOF manifest %s: %w", fileName+".manifest", err)
	}
	return m, nil
}

// loadAppendOnlyDir loads the multi-part append-only file in aofDir, whose
// manifest is fileName.manifest: the base file, then each incremental one
// in sequence order. A file the manifest names that does not exist fails
// the load, as a file with a partial command at its end does unless it
// is the last one and aof-load-truncated is yes. On failure the keyspace
// is left as it was (the function libraries and the change counter are
// not: the server refuses to start then).
func (s *Server) loadAppendOnlyDir(aofDir, fileName string) (aofLoadResult, error) {
	m, err := readManifest(aofDir, fileName)
	if err != nil || m == nil {
		if m == nil && err == nil {
			s.log.Info("no append-only file to load", zap.String("dir", aofDir))
		}
		return aofLoadResult{}, err
	}
	files := make([]aofFile, 0, 1+len(m.incrs))
	if m.base != nil {
		files = append(files, *m.base)
	}
	files = append(files, m.incrs...)
	res := aofLoadResult{manifest: m}
	sizes := make([]int64, len(files))
	for i, f := range files {
		st, err := os.Stat(filepath.Join(aofDir, f.name))
		if err != nil {
			return aofLoadResult{}, fmt.Errorf("Unable to obtain the AOF file %s length. stat: %w", f.name, err)
		}
		sizes[i] = st.Size()
		res.totalSize += st.Size()
	}
	if m.base != nil {
		res.baseSize = sizes[0]
	}
	if res.totalSize == 0 {
		s.log.Info("the append-only files are empty: nothing to load", zap.String("dir", aofDir))
		return res, nil
	}

	start := time.Now()
	l := s.newAOFLoader()
	l.fileName = fileName
	s.world.Lock()
	old := s.store
	s.store = l.store
	defer func() {
		l.clock.loading.Store(false)
		if err != nil {
			s.store = old
		}
		s.world.Unlock()
	}()
	for i, f := range files {
		last := i == len(files)-1
		var dropped int64
		dropped, err = l.loadFile(filepath.Join(aofDir, f.name), f.name, sizes[i], last)
		if err != nil {
			return aofLoadResult{}, err
		}
		res.truncated += dropped
		res.totalSize -= dropped
		if i == 0 && m.base != nil {
			res.baseSize -= dropped
			s.log.Info("DB loaded from base file "+f.name, zap.Duration("took", time.Since(start)))
		} else {
			s.log.Info("DB loaded from incr file "+f.name, zap.Duration("took", time.Since(start)))
		}
	}
	res.commands, res.failed, res.rdbKeys = l.commands, l.failed.Load(), l.rdbKeys
	s.log.Info("DB loaded from append only file", zap.String("dir", aofDir), zap.Int("files", len(files)),
		zap.Int64("commands", res.commands), zap.Int64("failed_commands", res.failed),
		zap.Int64("rdb_keys", res.rdbKeys), zap.Int64("truncated_bytes", res.truncated),
		zap.Duration("took", time.Since(start)))
	return res, nil
}

// loadingClock is the keyspace's clock while an append-only file loads:
// stopped at the epoch, so that no key has expired, until loading ends and
// it follows the server's clock.
type loadingClock struct {
	inner   db.Clock
	loading atomic.Bool
}

// Now implements db.Clock.
func (c *loadingClock) Now() time.Time {
	if c.loading.Load() {
		return time.UnixMilli(0)
	}
	return c.inner.Now()
}

// Moved implements db.MovableClock: the server's clock's, or never.
func (c *loadingClock) Moved() <-chan struct{} {
	if m, ok := c.inner.(db.MovableClock); ok {
		return m.Moved()
	}
	return nil
}

// aofLoader runs an append-only file's commands.
type aofLoader struct {
	s     *Server
	store *db.Store
	clock *loadingClock
	c     *client // the commands' client, as Redis's fake client
	// fileName is appendfilename, the name of an old-style file.
	fileName string
	// beforeMulti is the offset of the last MULTI read: a transaction
	// without its EXEC is dropped from there.
	beforeMulti int64
	commands    int64
	failed      atomic.Int64 // counted by the client's connection
	rdbKeys     int64
}

// newAOFLoader returns a loader with a fresh keyspace on a stopped clock,
// and a client that holds the world lock (the caller takes it) and whose
// replies go nowhere.
func (s *Server) newAOFLoader() *aofLoader {
	l := &aofLoader{s: s}
	l.clock = &loadingClock{inner: s.storeOptions.Clock}
	if l.clock.inner == nil {
		l.clock.inner = db.SystemClock{}
	}
	l.clock.loading.Store(true)
	opts := s.storeOptions
	opts.Clock = l.clock
	lim := s.settings.encodingLimits()
	opts.EncodingLimits = &lim
	l.store = db.New(opts)
	l.store.SetAccessPolicy(s.settings.accessPolicy())
	l.c = &client{server: s, authenticated: true, exclusiveHeld: true, created: time.Now()}
	l.c.conn = newAOFNullConn(func(string) { l.failed.Add(1) })
	return l
}

// loadFile loads one file of size bytes: an RDB first if it starts with
// Redis's magic, then commands. It returns how many bytes of a partial
// command at the end it dropped (truncating the file to what loaded),
// which only the last file may have, with aof-load-truncated yes.
func (l *aofLoader) loadFile(path, name string, size int64, last bool) (int64, error) {
	s := l.s
	if size == 0 {
		return 0, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("Fatal error: can't open the append log file %s for reading: %w", name, err)
	}
	defer f.Close()
	var start int64
	sig := make([]byte, 5)
	if n, _ := io.ReadFull(f, sig); n == 5 && string(sig) == "REDIS" {
		if start, err = l.loadRDB(f, name); err != nil {
			return 0, err
		}
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return 0, fmt.Errorf("Unrecoverable error reading the append only file %s: %w", name, err)
	}
	r := newAOFReader(bufio.NewReaderSize(f, 1<<20), start, size)
	validUpTo := start
	l.beforeMulti = -1
	for {
		args, at, err := r.next()
		if err == io.EOF {
			if l.c.multi == nil {
				return 0, nil
			}
			s.log.Warn("Revert incomplete MULTI/EXEC transaction in AOF file " + name)
			break
		}
		if errors.Is(err, errAOFShortRead) {
			break
		}
		var fe *aofFormatError
		if errors.As(err, &fe) {
			return 0, fmt.Errorf("Bad file format reading the append only file %s (at offset %d: %s): "+
				"make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>", name, fe.off, fe.msg)
		}
		if err != nil {
			return 0, fmt.Errorf("Unrecoverable error reading the append only file %s: %w", name, err)
		}
		if err := l.run(args, at, name); err != nil {
			return 0, err
		}
		validUpTo = r.off
	}
	// The end of the file is cut short. A transaction whose EXEC is
	// missing is dropped whole, from its MULTI: Redis cuts the file there
	// only when the cut falls between commands, which would leave a MULTI
	// for later appends to fall into.
	if l.c.multi != nil {
		l.c.discardTransaction()
		validUpTo = l.beforeMulti
	}
	dropped := size - validUpTo
	if !s.settings.aofLoadTruncated.Load() {
		return 0, fmt.Errorf("Unexpected end of file reading the append only file %s (%d bytes after offset %d). You can: "+
			"1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. "+
			"2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
			name, dropped, validUpTo)
	}
	if !last {
		return 0, fmt.Errorf("Fatal error: the truncated file is not the last file (%s: %d bytes after offset %d)", name, dropped, validUpTo)
	}
	s.log.Warn("!!! Warning: short read while loading the AOF file " + name + "!!!")
	s.log.Warn(fmt.Sprintf("!!! Truncating the AOF %s at offset %d !!!", name, validUpTo),
		zap.Int64("dropped_bytes", dropped))
	f.Close()
	if err := os.Truncate(path, validUpTo); err != nil {
		return 0, fmt.Errorf("Error truncating the AOF file %s: %w", name, err)
	}
	s.log.Warn("AOF " + name + " loaded anyway because aof-load-truncated is enabled")
	return dropped, nil
}

// loadRDB loads the RDB at the start of f, an RDB base file or an
// old-style file's RDB preamble, and returns its length, where commands
// may follow. Its keys are loaded even when their deadline has passed, as
// Redis loads an AOF's preamble; they expire once loading is over.
func (l *aofLoader) loadRDB(f *os.File, name string) (int64, error) {
	fail := func(err error) (int64, error) {
		if name == l.fileName { // an old-style file, named appendfilename
			return 0, fmt.Errorf("Error reading the RDB preamble of the AOF file %s, AOF loading aborted: %w", name, err)
		}
		return 0, fmt.Errorf("Error reading the RDB base file %s, AOF loading aborted: %w", name, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	// As loadDump: nearly all an RDB's load allocates is kept. Not while
	// commands run, whose garbage grows with the file.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	r, err := rdb.NewReader(f)
	if err != nil {
		return fail(err)
	}
	limits := l.store.EncodingLimits()
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(err)
		}
		d := l.store.DB(e.DB)
		if d == nil {
			return fail(fmt.Errorf("key %q is in database %d, but there are only %d", e.Key, e.DB, l.store.Databases()))
		}
		tx := d.Write(e.Key)
		if e.Type == rdb.TypeString {
			// Copied into the key's entry: no String to throw away.
			tx.SetString(e.Key, e.Value, e.ExpireAt)
		} else {
			v, err := valueOf(e, limits)
			if err != nil {
				tx.Close()
				return fail(err)
			}
			tx.Set(e.Key, v, e.ExpireAt)
		}
		tx.Close()
		l.rdbKeys++
	}
	if errText := l.s.scripts.engine.RestoreLibraries(r.Libraries(), scripting.RestoreFlush); errText != "" {
		return fail(errors.New("Failed loading library, " + errText))
	}
	return r.Offset(), nil
}

// run runs one command of the file name, read at offset at.
func (l *aofLoader) run(args [][]byte, at int64, name string) error {
	s, c := l.s, l.c
	cmd, errText := s.commands.resolve(args)
	if cmd == nil || strings.HasPrefix(errText, "ERR unknown subcommand") {
		return fmt.Errorf("Unknown command '%s' reading the append only file %s (at offset %d)", args[0], name, at)
	}
	if errText != "" {
		return fmt.Errorf("Bad file format reading the append only file %s (at offset %d: %s)", name, at, errText)
	}
	l.commands++
	if abs := l.absoluteTimes(cmd.name, args); abs != nil {
		args = abs
		cmd, _ = s.commands.resolve(args) // SETEX is now SET, EXPIRE PEXPIREAT
	}
	if cmd.name == "multi" && c.multi == nil {
		l.beforeMulti = at
	}
	// As Redis does, everything but EXEC is queued inside a transaction;
	// but a nested MULTI fails now, where Redis's EXEC finds it nested
	// (here the transaction has ended when its commands run).
	if c.multi != nil && cmd.flags&flagRunsQueue == 0 && cmd.name != "multi" {
		c.multi.queue(cmd, args)
		return nil
	}
	s.runRecovering(c, cmd, args)
	c.conn.Flush()
	if c.closeAfterReply {
		return fmt.Errorf("internal error running '%s' from the append only file %s (at offset %d): see the server log", cmd.name, name, at)
	}
	return nil
}

// absoluteTimes rewrites a command's relative expiry into the absolute
// one it means now, as Redis writes it to the file (feedAppendOnlyFile
// since 2.6, the propagated form since 7.0): while the keyspace's clock is
// stopped at the epoch, a relative time would count from there. Only a
// file not written by Redis has them. A time that is not a positive
// number is left for the command to refuse. It returns nil when there is
// nothing to rewrite.
func (l *aofLoader) absoluteTimes(name string, args [][]byte) [][]byte {
	now := l.clock.inner.Now().UnixMilli()
	abs := func(b []byte, unit int64) ([]byte, bool) {
		n, ok := parseInt(b)
		if !ok || n <= 0 || n > (math.MaxInt64-now)/unit {
			return nil, false
		}
		return strconv.AppendInt(nil, now+n*unit, 10), true
	}
	switch name {
	case "set", "getex":
		first := 3
		if name == "getex" {
			first = 2
		}
		for i := first; i+1 < len(args); i++ {
			unit := int64(0)
			switch {
			case len(args[i]) != 2:
			case equalFoldASCII(args[i], "ex"):
				unit = 1000
			case equalFoldASCII(args[i], "px"):
				unit = 1
			}
			if unit == 0 {
				continue
			}
			if at, ok := abs(args[i+1], unit); ok {
				args = slices.Clone(args)
				args[i], args[i+1] = []byte("PXAT"), at
				return args
			}
		}
	case "setex", "psetex":
		unit := int64(1000)
		if name == "psetex" {
			unit = 1
		}
		if at, ok := abs(args[2], unit); ok {
			return [][]byte{[]byte("SET"), args[1], args[3], []byte("PXAT"), at}
		}
	case "expire", "pexpire":
		unit := int64(1000)
		if name == "pexpire" {
			unit = 1
		}
		if at, ok := abs(args[2], unit); ok {
			return append([][]byte{[]byte("PEXPIREAT"), args[1], at}, args[3:]...)
		}
	}
	return nil
}

// errAOFShortRead is the end of a file within a command.
var errAOFShortRead = errors.New("unexpected end of file")

// aofFormatError is a file that is not a sequence of commands.
type aofFormatError struct {
	off int64 // where the bad line starts
	msg string
}

func (e *aofFormatError) Error() string {
	return fmt.Sprintf("bad format at offset %d: %s", e.off, e.msg)
}

// aofLineMax is the longest line Redis's loader reads at once
// (AOF_ANNOTATION_LINE_MAX_LEN, an fgets buffer): a longer one is read as
// several lines.
const aofLineMax = 1024 - 1

// aofReader reads an append-only file's commands as Redis's loader does:
// "*<argc>" then "$<len>" lines and their bytes, with the same leniency
// (aofAtoi and strtol read a number's leading digits, the two bytes after an
// argument are not checked) and "#" annotation lines skipped between
// commands.
type aofReader struct {
	r    *bufio.Reader
	off  int64 // offset of the next byte
	size int64 // the file's size: a longer argument is a short read
	line []byte
}

func newAOFReader(r *bufio.Reader, off, size int64) *aofReader {
	return &aofReader{r: r, off: off, size: size}
}

// readLine reads up to and including a newline, or aofLineMax bytes, or
// what is left of the file; io.EOF when nothing is.
func (r *aofReader) readLine() ([]byte, error) {
	r.line = r.line[:0]
	for len(r.line) < aofLineMax {
		b, err := r.r.ReadByte()
		if err != nil {
			if err == io.EOF && len(r.line) > 0 {
				break
			}
			return nil, err
		}
		r.off++
		r.line = append(r.line, b)
		if b == '\n' {
			break
		}
	}
	return r.line, nil
}

// next returns the next command and its offset. At the end of the file
// it returns io.EOF; within a command, errAOFShortRead; a line that is
// not where a command's is, an *aofFormatError.
func (r *aofReader) next() ([][]byte, int64, error) {
	var start int64
	var line []byte
	for {
		start = r.off
		var err error
		line, err = r.readLine()
		if err != nil {
			return nil, start, err
		}
		if line[0] != '#' {
			break
		}
	}
	if line[0] != '*' {
		return nil, start, &aofFormatError{start, "expected '*'"}
	}
	if len(line) == 1 {
		return nil, start, errAOFShortRead
	}
	argc := aofAtoi(line[1:])
	if argc < 1 {
		return nil, start, &aofFormatError{start, "bad argument count"}
	}
	var args [][]byte
	for j := int64(0); j < argc; j++ {
		at := r.off
		line, err := r.readLine()
		if err != nil {
			return nil, start, aofShortRead(err)
		}
		if line[0] != '$' {
			return nil, start, &aofFormatError{at, "expected '$'"}
		}
		n := aofAtoi(line[1:])
		if n < 0 {
			return nil, start, &aofFormatError{at, "bad argument length"}
		}
		if n+2 > r.size-r.off {
			// Redis's fread would find the end of the file (or the file
			// has grown since its size was taken, which at start it does
			// not).
			return nil, start, errAOFShortRead
		}
		arg := make([]byte, n+2)
		got, err := io.ReadFull(r.r, arg)
		r.off += int64(got)
		if err != nil {
			return nil, start, aofShortRead(err)
		}
		args = append(args, arg[:n:n])
	}
	return args, start, nil
}

// aofShortRead maps the end of the file inside a command to errAOFShortRead.
func aofShortRead(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errAOFShortRead
	}
	return err
}

// aofAtoi reads a number as C's aofAtoi and strtol do: leading white space, a
// sign, then as many digits as there are; 0 when there are none. Values
// past what 62 bits hold are clamped, as the loader has no use for them.
func aofAtoi(b []byte) int64 {
	for len(b) > 0 && (b[0] == ' ' || b[0] >= '\t' && b[0] <= '\r') { // C's isspace
		b = b[1:]
	}
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	var n int64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			break
		}
		if n < 1<<58 {
			n = n*10 + int64(ch-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// aofNullConn is the loader's client's connection: replies go nowhere.
type aofNullConn struct{ captureConn }

func (aofNullConn) Write(b []byte) (int, error) { return len(b), nil }

// newAOFNullConn returns a connection that drops what is written to it and
// calls onError with each error reply.
func newAOFNullConn(onError func(string)) *connection.Conn {
	return connection.New(&aofNullConn{}, connection.Options{ErrorHook: onError})
}
