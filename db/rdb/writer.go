package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/mini-redis/mini-redis/db/rdb/internal/lzf"

	"github.com/mini-redis/mini-redis/internal/listpack"
)

// WriterOptions set the metadata a Writer records and how it encodes.
// The zero value writes what Redis 7.0 writes with its default settings,
// with a "ctime" of 0.
type WriterOptions struct {
	// RedisVersion is recorded as the "redis-ver" AUX field; empty means
	// DefaultRedisVersion.
	RedisVersion string
	// Time is when the snapshot was taken, recorded (in seconds) as the
	// "ctime" AUX field. The caller reads its own clock.
	Time time.Time
	// UsedMem is recorded as the "used-mem" AUX field: the server's
	// memory use in bytes, which Redis only logs.
	UsedMem int64
	// NoCompression stores long strings as they are, like Redis's
	// "rdbcompression no".
	NoCompression bool
	// NoChecksum writes a zero checksum, like Redis's "rdbchecksum no":
	// readers then skip the check.
	NoChecksum bool
	// ListMaxListpackSize is Redis's list-max-listpack-size, which sizes
	// the listpack nodes lists are written in, as Redis 7.0 would have
	// split them: -1 to -5 bound a node to 4, 8, 16, 32 or 64 KB, a
	// positive number to that many elements (and 8 KB). 0 means Redis's
	// default, -2; Redis's own 0 packs one element a node, as 1 does.
	ListMaxListpackSize int
	// AOFBase records the file as the base of an append-only file (the
	// "aof-base" AUX field 1 rather than 0), as Redis writes the RDB
	// preamble of an AOF rewrite.
	AOFBase bool
}

// minCompressLen: Redis does not try to compress strings of 20 bytes or
// fewer, which LZF cannot shrink.
const minCompressLen = 21

// lzfSaving is the least LZF must save for Redis to keep the compressed
// form: four bytes.
const lzfSaving = 4

var errClosed = errors.New("rdb: write to a closed Writer")

// A Writer writes an RDB stream of format Version, as Redis 7.0 does: the
// header and AUX fields, then the keys of each database, then the EOF
// marker and the CRC-64 checksum of everything before it.
//
// It buffers its output: the stream is complete only when Close has
// returned nil. After an error, every method returns that error.
type Writer struct {
	dst     io.Writer
	opts    WriterOptions
	buf     []byte
	crc     uint64
	lzf     lzf.Compressor
	lzfBuf  []byte
	blob    []byte  // a listpack or intset being built
	nodes   []int   // a list's nodes: how many elements each, or -1 for a plain one
	ints    []int64 // an intset's members
	started bool    // the header is written
	bare    bool    // values without keys, for a DUMP payload (dump.go)
	inDB    bool    // a SELECTDB is written; db is its number
	db      int
	err     error
}

// NewWriter returns a Writer that writes an RDB stream to dst. Nothing is
// written until the first call of one of its methods.
func NewWriter(dst io.Writer, opts WriterOptions) *Writer {
	if opts.RedisVersion == "" {
		opts.RedisVersion = DefaultRedisVersion
	}
	return &Writer{dst: dst, opts: opts, buf: make([]byte, 0, bufSize)}
}

// SelectDB starts database db, telling readers how many keys, and how
// many keys with an expiry, it holds: Redis sizes its tables from these
// hints when it loads the file. Calling it is optional: WriteEntry starts
// the entry's database itself, without hints, when it is not the current
// one.
func (w *Writer) SelectDB(db, keys, expires int) error {
	if err := w.start(); err != nil {
		return err
	}
	if keys < 0 || expires < 0 {
		return w.fail(fmt.Errorf("rdb: negative size hint for DB %d: %d keys, %d expires", db, keys, expires))
	}
	if err := w.selectDB(db); err != nil {
		return err
	}
	w.buf = append(w.buf, opResizeDB)
	w.buf = appendLen(w.buf, uint64(keys))
	w.buf = appendLen(w.buf, uint64(expires))
	return w.maybeFlush()
}

func (w *Writer) selectDB(db int) error {
	if db < 0 || db > math.MaxInt32 {
		return w.fail(fmt.Errorf("rdb: DB index is out of range: %d", db))
	}
	w.buf = append(w.buf, opSelectDB)
	w.buf = appendLen(w.buf, uint64(db))
	w.inDB, w.db = true, db
	return nil
}

// WriteEntry writes a key, with its expiry when e.ExpireAt is not 0, in
// database e.DB. Entries of one database must be written together: a
// database that comes back later is written a second time, which Redis
// loads, but without accurate size hints.
//
// Strings are stored as Redis stores them: as an 8-, 16- or 32-bit
// integer when they are the canonical decimal form of one, LZF-compressed
// when they are longer than 20 bytes and compression saves at least 4
// bytes, as they are otherwise. So are the elements of collections
// written element by element, and the listpacks and intsets of the
// others.
//
// Collections are written as Redis 7.0 writes them (see Entry.Encoding):
// a list as a quicklist of listpack nodes (RDB type 18) split as
// WriterOptions.ListMaxListpackSize says, an element of 1 GB or more in a
// plain node of its own; a hash as a listpack (type 16), or field by
// field (type 4) for EncodingHashtable or one too big for a listpack; a
// set as an intset (type 11) for EncodingIntset, member by member (type 2)
// otherwise. WriteEntry does not check that members or fields are
// distinct, except an intset's. An empty collection, which Redis never
// stores, is not written at all.
func (w *Writer) WriteEntry(e Entry) error {
	if err := w.start(); err != nil {
		return err
	}
	if e.ExpireAt < 0 {
		return w.fail(fmt.Errorf("rdb: invalid expire time %d for key %q", e.ExpireAt, e.Key))
	}
	if ok, err := w.checkEntry(e); !ok {
		return err
	}
	if !w.inDB || e.DB != w.db {
		if err := w.selectDB(e.DB); err != nil {
			return err
		}
	}
	if e.ExpireAt != 0 {
		w.buf = append(w.buf, opExpireTimeMs)
		w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(e.ExpireAt))
	}
	return w.writeValue(e)
}

// checkEntry returns an error, recorded as the Writer's, for an entry
// that cannot be written; it parses an intset's members into w.ints. It
// reports false, with no error, for an empty collection, which is not
// written.
func (w *Writer) checkEntry(e Entry) (bool, error) {
	switch e.Type {
	case TypeString:
	case TypeList, TypeSet:
		if len(e.Elems) == 0 {
			return false, nil
		}
	case TypeHash:
		if len(e.Pairs) == 0 {
			return false, nil
		}
	case TypeZSet:
		if len(e.Elems) == 0 {
			return false, nil
		}
		if len(e.Scores) != len(e.Elems) {
			return false, w.fail(fmt.Errorf("rdb: sorted set %q has %d members but %d scores", e.Key, len(e.Elems), len(e.Scores)))
		}
		for i, f := range e.Scores {
			if math.IsNaN(f) {
				return false, w.fail(fmt.Errorf("rdb: sorted set %q has a NaN score for %q", e.Key, e.Elems[i]))
			}
		}
	case TypeStream:
		if e.Stream == nil {
			return false, w.fail(fmt.Errorf("rdb: stream %q has no value", e.Key))
		}
	default:
		return false, w.fail(fmt.Errorf("rdb: key %q has an unknown type %v", e.Key, e.Type))
	}
	if e.Type == TypeSet && e.Encoding == EncodingIntset {
		// Checked first, so that a failure leaves nothing half written.
		var err error
		if w.ints, err = intsetMembers(w.ints[:0], e.Elems); err != nil {
			return false, w.fail(fmt.Errorf("rdb: set %q cannot be an intset: %w", e.Key, err))
		}
	}
	return true, nil
}

// writeValue writes the type byte, the key (unless the Writer writes a
// DUMP payload) and the value of an entry checkEntry accepted.
func (w *Writer) writeValue(e Entry) error {
	var err error
	switch e.Type {
	case TypeString:
		err = w.writeKey(typeString, e.Key)
		if err == nil {
			err = w.writeString(e.Value)
		}
	case TypeList:
		err = w.writeList(e)
	case TypeHash:
		err = w.writeHash(e)
	case TypeSet:
		err = w.writeSet(e)
	case TypeZSet:
		err = w.writeZSet(e)
	case TypeStream:
		err = w.writeStream(e)
	}
	if err != nil {
		return err
	}
	return w.maybeFlush()
}

// writeKey writes a value's type byte and its key; a DUMP payload has
// no key.
func (w *Writer) writeKey(t byte, key []byte) error {
	w.buf = append(w.buf, t)
	if w.bare {
		return nil
	}
	return w.writeString(key)
}

// writeStrings writes strings one after the other, flushing as it goes.
func (w *Writer) writeStrings(ss [][]byte) error {
	for _, s := range ss {
		if err := w.writeString(s); err != nil {
			return err
		}
		if err := w.maybeFlush(); err != nil {
			return err
		}
	}
	return nil
}

// plainThreshold is the size from which Redis 7.0 keeps a list element in
// a plain node of its own rather than in a listpack (its packed_threshold,
// 1 GB). Tests lower it.
var plainThreshold = 1 << 30

// Redis's quicklist node limits: the node sizes of list-max-listpack-size
// -1 to -5, the size bound of a node limited by its count, and what Redis
// adds to an element's length to estimate its size in a listpack.
var quicklistSizeLevels = [...]int{4096, 8192, 16384, 32768, 65536}

const (
	quicklistSafetyLimit  = 8192
	quicklistSizeOverhead = 8
	quicklistFillMax      = 1<<15 - 1
)

// quicklistAllows reports whether Redis 7.0 adds an element of n bytes to
// a quicklist node of size bytes and count elements, under fill
// (_quicklistNodeAllowInsert).
func quicklistAllows(fill, size, count, n int) bool {
	newSize := size + n + quicklistSizeOverhead
	if fill < 0 {
		return newSize <= quicklistSizeLevels[-fill-1]
	}
	return newSize <= quicklistSafetyLimit && count < fill
}

// writeList writes a list as a quicklist of listpack nodes (RDB type 18).
// The first pass splits the list into nodes as Redis would, the second
// writes them, one listpack at a time.
func (w *Writer) writeList(e Entry) error {
	fill := w.opts.ListMaxListpackSize
	switch {
	case fill == 0:
		fill = -2
	case fill < -5:
		fill = -5 // as Redis's quicklistSetFill clamps it
	case fill > quicklistFillMax:
		fill = quicklistFillMax
	}
	w.nodes = w.nodes[:0]
	size, count := 0, 0
	for _, el := range e.Elems {
		if len(el) >= plainThreshold {
			if count > 0 {
				w.nodes = append(w.nodes, count)
			}
			w.nodes = append(w.nodes, -1)
			size, count = 0, 0
			continue
		}
		if count > 0 && !quicklistAllows(fill, size, count, len(el)) {
			w.nodes = append(w.nodes, count)
			size, count = 0, 0
		}
		if count == 0 {
			size = lpHeaderSize + 1
		}
		size += listpack.EntrySize(el)
		count++
	}
	if count > 0 {
		w.nodes = append(w.nodes, count)
	}
	if err := w.writeKey(typeListQuicklist2, e.Key); err != nil {
		return err
	}
	w.buf = appendLen(w.buf, uint64(len(w.nodes)))
	elems := e.Elems
	for _, n := range w.nodes {
		var err error
		if n < 0 {
			w.buf = appendLen(w.buf, containerPlain)
			err = w.writeString(elems[0])
			elems = elems[1:]
		} else {
			w.blob = lpStart(w.blob[:0])
			for _, el := range elems[:n] {
				w.blob = lpAppendEntry(w.blob, el)
			}
			w.blob = lpFinish(w.blob, 0, n)
			elems = elems[n:]
			w.buf = appendLen(w.buf, containerPacked)
			err = w.writeString(w.blob)
		}
		if err == nil {
			err = w.maybeFlush()
		}
		if err != nil {
			return err
		}
	}
	w.dropBlob()
	return nil
}

// writeHash writes a hash as a listpack (RDB type 16), or field by field
// (type 4) when it is a hashtable or too big for a listpack.
func (w *Writer) writeHash(e Entry) error {
	asListpack := e.Encoding != EncodingHashtable
	if asListpack {
		size := lpHeaderSize + 1
		for _, p := range e.Pairs {
			size += listpack.EntrySize(p.Field) + listpack.EntrySize(p.Value)
		}
		asListpack = size <= lpMaxSafeBytes
	}
	if !asListpack {
		if err := w.writeKey(typeHash, e.Key); err != nil {
			return err
		}
		w.buf = appendLen(w.buf, uint64(len(e.Pairs)))
		for _, p := range e.Pairs {
			if err := w.writeString(p.Field); err != nil {
				return err
			}
			if err := w.writeString(p.Value); err != nil {
				return err
			}
			if err := w.maybeFlush(); err != nil {
				return err
			}
		}
		return nil
	}
	w.blob = lpStart(w.blob[:0])
	for _, p := range e.Pairs {
		w.blob = lpAppendEntry(w.blob, p.Field)
		w.blob = lpAppendEntry(w.blob, p.Value)
	}
	w.blob = lpFinish(w.blob, 0, 2*len(e.Pairs))
	err := w.writeKey(typeHashListpack, e.Key)
	if err == nil {
		err = w.writeString(w.blob)
	}
	w.dropBlob()
	return err
}

// writeSet writes a set as an intset (RDB type 11), whose members
// WriteEntry has parsed into w.ints, or member by member (type 2).
func (w *Writer) writeSet(e Entry) error {
	if e.Encoding != EncodingIntset {
		if err := w.writeKey(typeSet, e.Key); err != nil {
			return err
		}
		w.buf = appendLen(w.buf, uint64(len(e.Elems)))
		return w.writeStrings(e.Elems)
	}
	w.blob = appendIntset(w.blob[:0], w.ints)
	err := w.writeKey(typeSetIntset, e.Key)
	if err == nil {
		err = w.writeString(w.blob)
	}
	w.dropBlob()
	if cap(w.ints) > keepScratch/8 {
		w.ints = nil
	}
	return err
}

// writeZSet writes a sorted set as a listpack of members and scores (RDB
// type 17), or member by member (type 5) when it is a skiplist or too big
// for a listpack: from the highest score down, with binary scores, as
// Redis writes its skiplists.
func (w *Writer) writeZSet(e Entry) error {
	var num [32]byte
	asListpack := e.Encoding != EncodingSkiplist
	if asListpack {
		size := lpHeaderSize + 1
		for i, m := range e.Elems {
			size += listpack.EntrySize(m) + listpack.EntrySize(appendScore(num[:0], e.Scores[i]))
		}
		asListpack = size <= lpMaxSafeBytes
	}
	if !asListpack {
		if err := w.writeKey(typeZSet2, e.Key); err != nil {
			return err
		}
		w.buf = appendLen(w.buf, uint64(len(e.Elems)))
		for i := len(e.Elems) - 1; i >= 0; i-- {
			if err := w.writeString(e.Elems[i]); err != nil {
				return err
			}
			w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(e.Scores[i]))
			if err := w.maybeFlush(); err != nil {
				return err
			}
		}
		return nil
	}
	w.blob = lpStart(w.blob[:0])
	for i, m := range e.Elems {
		w.blob = lpAppendEntry(w.blob, m)
		w.blob = lpAppendEntry(w.blob, appendScore(num[:0], e.Scores[i]))
	}
	w.blob = lpFinish(w.blob, 0, 2*len(e.Elems))
	err := w.writeKey(typeZSetListpack, e.Key)
	if err == nil {
		err = w.writeString(w.blob)
	}
	w.dropBlob()
	return err
}

// appendScore appends a sorted set's score as Redis 7.0's listpack holds
// it (zzlInsertAt): an integer when it is one, of at most 2^62 either way
// (double2ll), which the listpack then stores as an integer; "inf" or
// "-inf"; otherwise the 17 significant digits of "%.17g" (d2string).
func appendScore(dst []byte, f float64) []byte {
	const llLimit = 1 << 62 // LLONG_MAX/2, as a double
	switch {
	case f >= -llLimit && f <= llLimit && f == math.Trunc(f):
		return strconv.AppendInt(dst, int64(f), 10)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// dropBlob lets go of a large blob buffer.
func (w *Writer) dropBlob() {
	if cap(w.blob) > keepScratch {
		w.blob = nil
	}
}

// Close writes the EOF marker and the checksum and flushes the stream. It
// does not close the underlying writer.
func (w *Writer) Close() error {
	if err := w.start(); err != nil {
		return err
	}
	w.buf = append(w.buf, opEOF)
	var sum uint64
	if !w.opts.NoChecksum {
		sum = crcUpdate(w.crc, w.buf)
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, sum)
	if err := w.flush(); err != nil {
		return err
	}
	w.err = errClosed
	return nil
}

// start writes the header and the AUX fields Redis 7.0 writes, once.
func (w *Writer) start() error {
	if w.err != nil {
		return w.err
	}
	if w.started {
		return nil
	}
	w.started = true
	w.buf = fmt.Appendf(w.buf, "REDIS%04d", Version)
	aofBase := "0"
	if w.opts.AOFBase {
		aofBase = "1"
	}
	var ctime int64
	if !w.opts.Time.IsZero() {
		ctime = w.opts.Time.Unix()
	}
	for _, f := range [...]struct{ key, value string }{
		{"redis-ver", w.opts.RedisVersion},
		{"redis-bits", strconv.Itoa(strconv.IntSize)},
		{"ctime", strconv.FormatInt(ctime, 10)},
		{"used-mem", strconv.FormatInt(w.opts.UsedMem, 10)},
		{"aof-base", aofBase},
	} {
		w.buf = append(w.buf, opAux)
		w.buf = w.appendString(w.buf, []byte(f.key))
		w.buf = w.appendString(w.buf, []byte(f.value))
	}
	return nil
}

// writeString appends s to the buffer; a long one goes out directly
// rather than through the buffer.
func (w *Writer) writeString(s []byte) error {
	if len(s) < bufSize {
		w.buf = w.appendString(w.buf, s)
		return nil
	}
	// Too long to be an integer: compressed or as it is.
	var body []byte
	w.buf, body = w.appendStringHeader(w.buf, s)
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.write(body); err != nil {
		return err
	}
	if cap(w.lzfBuf) > keepScratch {
		w.lzfBuf = nil
	}
	return nil
}

// appendString appends s to dst in the encoding Redis would choose.
func (w *Writer) appendString(dst, s []byte) []byte {
	if v, ok := int32String(s); ok {
		switch {
		case v >= math.MinInt8 && v <= math.MaxInt8:
			return append(dst, lenEnc<<6|encInt8, byte(v))
		case v >= math.MinInt16 && v <= math.MaxInt16:
			return binary.LittleEndian.AppendUint16(append(dst, lenEnc<<6|encInt16), uint16(v))
		default:
			return binary.LittleEndian.AppendUint32(append(dst, lenEnc<<6|encInt32), uint32(v))
		}
	}
	dst, body := w.appendStringHeader(dst, s)
	return append(dst, body...)
}

// appendStringHeader appends the header of s, a string that is not an
// integer, and returns the bytes that follow it: s compressed, when Redis
// would compress it (valid until the next compression), or s as it is.
func (w *Writer) appendStringHeader(dst, s []byte) (_, body []byte) {
	if c := w.compress(s); c != nil {
		dst = append(dst, lenEnc<<6|encLZF)
		dst = appendLen(dst, uint64(len(c)))
		return appendLen(dst, uint64(len(s))), c
	}
	return appendLen(dst, uint64(len(s))), s
}

// compress returns s compressed, or nil when Redis would store it as it
// is. The result is valid until the next call.
func (w *Writer) compress(s []byte) []byte {
	if w.opts.NoCompression || len(s) < minCompressLen {
		return nil
	}
	w.lzfBuf = slices.Grow(w.lzfBuf[:0], len(s)-lzfSaving)[:len(s)-lzfSaving]
	n := w.lzf.Compress(w.lzfBuf, s)
	if n == 0 {
		return nil
	}
	return w.lzfBuf[:n]
}

// int32String reports whether Redis stores s as an integer: s is the
// canonical decimal form (no sign but a minus, no leading zero, not "-0")
// of a number that fits in 32 bits.
func int32String(s []byte) (int32, bool) {
	if len(s) == 0 || len(s) > 11 {
		return 0, false
	}
	digits := s
	if s[0] == '-' {
		digits = s[1:]
	}
	if len(digits) == 0 || len(digits) > 10 || digits[0] == '0' && len(s) > 1 {
		return 0, false
	}
	var v int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if s[0] == '-' {
		v = -v
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, false
	}
	return int32(v), true
}

// appendLen appends n in the shortest of Redis's length encodings.
func appendLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, len14Bit<<6|byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, len32Bit), uint32(n))
	default:
		return binary.BigEndian.AppendUint64(append(dst, len64Bit), n)
	}
}

func (w *Writer) maybeFlush() error {
	if len(w.buf) < bufSize {
		return nil
	}
	return w.flush()
}

func (w *Writer) flush() error {
	err := w.write(w.buf)
	w.buf = w.buf[:0]
	return err
}

// write sends p to dst and adds it to the checksum.
func (w *Writer) write(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	if !w.opts.NoChecksum {
		w.crc = crcUpdate(w.crc, p)
	}
	if _, err := w.dst.Write(p); err != nil {
		return w.fail(fmt.Errorf("rdb: write: %w", err))
	}
	return nil
}

func (w *Writer) fail(err error) error {
	w.err = err
	return err
}
