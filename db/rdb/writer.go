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
	started bool // the header is written
	inDB    bool // a SELECTDB is written; db is its number
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

// WriteEntry writes a string key, with its expiry when e.ExpireAt is not
// 0, in database e.DB. Entries of one database must be written together:
// a database that comes back later is written a second time, which Redis
// loads, but without accurate size hints.
//
// Strings are stored as Redis stores them: as an 8-, 16- or 32-bit
// integer when they are the canonical decimal form of one, LZF-compressed
// when they are longer than 20 bytes and compression saves at least 4
// bytes, as they are otherwise.
func (w *Writer) WriteEntry(e Entry) error {
	if err := w.start(); err != nil {
		return err
	}
	if e.ExpireAt < 0 {
		return w.fail(fmt.Errorf("rdb: invalid expire time %d for key %q", e.ExpireAt, e.Key))
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
	w.buf = append(w.buf, typeString)
	if err := w.writeString(e.Key); err != nil {
		return err
	}
	if err := w.writeString(e.Value); err != nil {
		return err
	}
	return w.maybeFlush()
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
	var ctime int64
	if !w.opts.Time.IsZero() {
		ctime = w.opts.Time.Unix()
	}
	for _, f := range [...]struct{ key, value string }{
		{"redis-ver", w.opts.RedisVersion},
		{"redis-bits", strconv.Itoa(strconv.IntSize)},
		{"ctime", strconv.FormatInt(ctime, 10)},
		{"used-mem", strconv.FormatInt(w.opts.UsedMem, 10)},
		{"aof-base", "0"},
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
