package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/mini-redis/mini-redis/db/rdb/internal/lzf"
)

// bufSize is the Reader's and Writer's buffer, and the most either
// reserves for a string before its bytes have arrived.
const bufSize = 64 << 10

// keepScratch is the largest scratch buffer a Reader or Writer keeps
// between entries; one large value should not pin its size for the rest
// of the file.
const keepScratch = 1 << 20

// A Reader reads the entries of an RDB stream one at a time.
//
// Reader buffers its input and may read past the end of the RDB data.
// It checks the checksum at the end of the stream, so an entry it has
// returned is well formed but not known to be intact until Next has
// returned io.EOF; see Load.
type Reader struct {
	src    io.Reader
	buf    []byte // buf[r:w] is read from src but not yet consumed
	r, w   int
	base   int64  // stream offset of buf[0]
	crc    uint64 // checksum of the stream up to buf[crcAt]
	crcAt  int
	srcErr error // what src returned once it had no more data

	version int
	aux     map[string]string
	db      int
	scratch []byte // the key and value being read
	lzfBuf  []byte // the compressed bytes of an LZF string
	err     error  // once set, what Next returns: the first error, or io.EOF
}

// NewReader reads the header and the AUX fields of the RDB stream in src
// and returns a Reader for its entries. It fails if the stream does not
// start with an RDB header of a version from MinVersion to MaxVersion.
func NewReader(src io.Reader) (*Reader, error) {
	r := &Reader{src: src, buf: make([]byte, bufSize), aux: make(map[string]string)}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	// Read the AUX fields at the start, so that Aux has them before the
	// first entry.
	for {
		t, err := r.readByte()
		if err != nil {
			return nil, err
		}
		if t != opAux {
			r.r-- // readByte just consumed it from the buffer
			return r, nil
		}
		if err := r.readAux(); err != nil {
			return nil, err
		}
	}
}

// Version returns the format version from the stream's header.
func (r *Reader) Version() int { return r.version }

// Aux returns the AUX fields read so far: "redis-ver", "redis-bits",
// "ctime", "used-mem", "aof-base" and others. Redis writes them all at
// the start, which NewReader reads. The map is a copy.
func (r *Reader) Aux() map[string]string { return maps.Clone(r.aux) }

// Next returns the next key. At the end of the stream, once the checksum
// matched (or the file has none, which Redis writes as zero), it returns
// io.EOF. Any other error is an *Error naming the offset, and Next returns
// it again on every later call.
//
// Entries come in file order, grouped by database. Key and Value are
// newly allocated and belong to the caller. Values of types other than
// string stop the stream with an error wrapping ErrUnsupported; IDLE and
// FREQ (LRU and LFU hints) and RESIZEDB (table size hints) are read and
// ignored.
func (r *Reader) Next() (Entry, error) {
	if r.err != nil {
		return Entry{}, r.err
	}
	e, err := r.next()
	if err != nil {
		r.err = err
	}
	return e, err
}

func (r *Reader) next() (Entry, error) {
	expireAt := int64(0)
	for {
		off := r.offset()
		t, err := r.readByte()
		if err != nil {
			return Entry{}, err
		}
		switch t {
		case typeString:
			return r.readEntry(expireAt)
		case opExpireTimeMs:
			p, err := r.take(8)
			if err != nil {
				return Entry{}, err
			}
			expireAt = clampExpire(int64(binary.LittleEndian.Uint64(p)))
		case opExpireTime:
			p, err := r.take(4)
			if err != nil {
				return Entry{}, err
			}
			expireAt = clampExpire(int64(int32(binary.LittleEndian.Uint32(p))) * 1000)
		case opSelectDB:
			n, err := r.readCount()
			if err != nil {
				return Entry{}, err
			}
			if n > math.MaxInt32 {
				return Entry{}, r.corrupt(off, "DB index %d is out of range", n)
			}
			r.db = int(n)
		case opResizeDB:
			if _, err := r.readCount(); err != nil {
				return Entry{}, err
			}
			if _, err := r.readCount(); err != nil {
				return Entry{}, err
			}
		case opAux:
			if err := r.readAux(); err != nil {
				return Entry{}, err
			}
		case opIdle:
			if _, err := r.readCount(); err != nil {
				return Entry{}, err
			}
		case opFreq:
			if _, err := r.readByte(); err != nil {
				return Entry{}, err
			}
		case opModuleAux:
			return Entry{}, r.unsupported(off, "unsupported module auxiliary data (opcode %d)", t)
		case opFunction2, opFunctionPre:
			return Entry{}, r.unsupported(off, "unsupported function library (opcode %d)", t)
		case opEOF:
			return Entry{}, r.readChecksum()
		default:
			if name, ok := typeName(t); ok {
				return Entry{}, r.unsupported(off, "unsupported value type %d (%s)", t, name)
			}
			return Entry{}, r.corrupt(off, "unknown RDB encoding type %d", t)
		}
	}
}

// clampExpire keeps an expiry from the file from reading as "no expiry":
// one at or before the epoch becomes 1, which is just as much in the past.
func clampExpire(ms int64) int64 {
	return max(ms, 1)
}

// readEntry reads the key and string value after a type byte.
func (r *Reader) readEntry(expireAt int64) (Entry, error) {
	klen, err := r.readPair()
	if err != nil {
		return Entry{}, err
	}
	// One allocation for both: the scratch buffer is reused.
	kv := bytes.Clone(r.scratch)
	if cap(r.scratch) > keepScratch {
		r.scratch = nil
	}
	return Entry{DB: r.db, Key: kv[:klen:klen], Value: kv[klen:], ExpireAt: expireAt}, nil
}

func (r *Reader) readAux() error {
	klen, err := r.readPair()
	if err != nil {
		return err
	}
	r.aux[string(r.scratch[:klen])] = string(r.scratch[klen:])
	return nil
}

// readPair reads two strings, a key and its value, into r.scratch and
// returns the length of the first.
func (r *Reader) readPair() (int, error) {
	var err error
	if r.scratch, err = r.appendString(r.scratch[:0]); err != nil {
		return 0, err
	}
	klen := len(r.scratch)
	r.scratch, err = r.appendString(r.scratch)
	return klen, err
}

func (r *Reader) readHeader() error {
	p, err := r.take(9)
	if err != nil {
		return err
	}
	if string(p[:5]) != "REDIS" {
		return r.corrupt(0, "wrong signature trying to load DB from file")
	}
	v := 0
	for _, c := range p[5:] {
		if c < '0' || c > '9' {
			return r.corrupt(0, "wrong signature trying to load DB from file")
		}
		v = v*10 + int(c-'0')
	}
	if v < MinVersion || v > MaxVersion {
		return r.unsupported(5, "can't handle RDB format version %d", v)
	}
	r.version = v
	return nil
}

// readChecksum reads the checksum after the EOF opcode and compares it
// with the data's, unless it is zero: Redis writes zero when rdbchecksum
// is off.
func (r *Reader) readChecksum() error {
	r.crc = crcUpdate(r.crc, r.buf[r.crcAt:r.r])
	r.crcAt = r.r
	off := r.offset()
	p, err := r.take(8)
	if err != nil {
		return err
	}
	if got := binary.LittleEndian.Uint64(p); got != 0 && got != r.crc {
		return &Error{Offset: off, Err: ErrChecksum,
			Msg: fmt.Sprintf("wrong RDB checksum expected: (%x) got (%x)", r.crc, got)}
	}
	return io.EOF
}

// readLen reads a length. When the first byte announces a special string
// encoding instead, it returns that encoding and special = true.
func (r *Reader) readLen() (n uint64, special bool, err error) {
	off := r.offset()
	b, err := r.readByte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case len6Bit:
		return uint64(b & 0x3f), false, nil
	case len14Bit:
		b2, err := r.readByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(b&0x3f)<<8 | uint64(b2), false, nil
	case lenEnc:
		return uint64(b & 0x3f), true, nil
	}
	switch b {
	case len32Bit:
		p, err := r.take(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case len64Bit:
		p, err := r.take(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, r.corrupt(off, "unknown length encoding %d in rdbLoadLen()", b)
}

// readCount reads a length that is not a string's: a database number, a
// size hint, an LRU idle time.
func (r *Reader) readCount() (uint64, error) {
	off := r.offset()
	n, special, err := r.readLen()
	if err == nil && special {
		err = r.corrupt(off, "unexpected string encoding %d where a length belongs", n)
	}
	return n, err
}

// appendString reads a string in any of its encodings and appends it to
// dst.
func (r *Reader) appendString(dst []byte) ([]byte, error) {
	off := r.offset()
	n, special, err := r.readLen()
	if err != nil {
		return dst, err
	}
	if !special {
		return r.appendRaw(dst, n)
	}
	switch n {
	case encInt8:
		b, err := r.readByte()
		if err != nil {
			return dst, err
		}
		return strconv.AppendInt(dst, int64(int8(b)), 10), nil
	case encInt16:
		p, err := r.take(2)
		if err != nil {
			return dst, err
		}
		return strconv.AppendInt(dst, int64(int16(binary.LittleEndian.Uint16(p))), 10), nil
	case encInt32:
		p, err := r.take(4)
		if err != nil {
			return dst, err
		}
		return strconv.AppendInt(dst, int64(int32(binary.LittleEndian.Uint32(p))), 10), nil
	case encLZF:
		return r.appendLZF(dst, off)
	}
	return dst, r.corrupt(off, "unknown RDB string encoding type %d", n)
}

// appendLZF reads an LZF-compressed string, the part after its encoding
// byte at off, and appends it decompressed to dst.
func (r *Reader) appendLZF(dst []byte, off int64) ([]byte, error) {
	clen, err := r.readCount()
	if err != nil {
		return dst, err
	}
	ulen, err := r.readCount()
	if err != nil {
		return dst, err
	}
	if r.lzfBuf, err = r.appendRaw(r.lzfBuf[:0], clen); err != nil {
		return dst, err
	}
	src := r.lzfBuf
	if cap(r.lzfBuf) > keepScratch {
		r.lzfBuf = nil
	}
	// The compressed bytes are all here, and they bound what they can
	// decompress to: a larger length is corrupt, and is refused before
	// anything is allocated for it.
	if ulen > uint64(lzf.MaxDecompressedLen(len(src))) {
		return dst, r.corrupt(off, "invalid LZF compressed string (%d bytes cannot decompress to %d)", clen, ulen)
	}
	n := len(dst)
	dst = slices.Grow(dst, int(ulen))[:n+int(ulen)]
	if err := lzf.Decompress(dst[n:], src); err != nil {
		return dst[:n], r.corrupt(off, "invalid LZF compressed string")
	}
	return dst, nil
}

// appendRaw appends the next n bytes of the stream to dst.
func (r *Reader) appendRaw(dst []byte, n uint64) ([]byte, error) {
	// Reserve at most a buffer's worth before the bytes are there: past
	// that, dst grows only as data arrives, so a corrupt length cannot
	// make the Reader allocate memory the stream does not back.
	dst = slices.Grow(dst, int(min(n, bufSize)))
	for n > 0 {
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return dst, err
			}
		}
		k := int(min(n, uint64(r.w-r.r)))
		dst = append(dst, r.buf[r.r:r.r+k]...)
		r.r += k
		n -= uint64(k)
	}
	return dst, nil
}

// offset returns the stream offset of the next byte to consume.
func (r *Reader) offset() int64 { return r.base + int64(r.r) }

func (r *Reader) readByte() (byte, error) {
	if r.r == r.w {
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	b := r.buf[r.r]
	r.r++
	return b, nil
}

// take consumes the next n bytes, n <= bufSize, and returns them. They
// stay valid until the next read.
func (r *Reader) take(n int) ([]byte, error) {
	for r.w-r.r < n {
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
	p := r.buf[r.r : r.r+n]
	r.r += n
	return p, nil
}

// fill moves the unread bytes to the front of the buffer and reads more
// after them. It fails with an *Error when src has no more.
func (r *Reader) fill() error {
	// Consumed bytes go into the checksum in bulk, before they leave the
	// buffer: per-byte updates would cost more than the parsing.
	r.crc = crcUpdate(r.crc, r.buf[r.crcAt:r.r])
	r.w = copy(r.buf, r.buf[r.r:r.w])
	r.base += int64(r.r)
	r.r, r.crcAt = 0, 0
	if r.srcErr != nil {
		return r.readError()
	}
	// An io.Reader may return no bytes and no error; bufio gives up after
	// 100 such reads, and so does this.
	for range 100 {
		n, err := r.src.Read(r.buf[r.w:])
		r.w += n
		if err != nil {
			r.srcErr = err
		}
		if n > 0 {
			return nil
		}
		if err != nil {
			return r.readError()
		}
	}
	r.srcErr = io.ErrNoProgress
	return r.readError()
}

func (r *Reader) readError() error {
	off := r.base + int64(r.w)
	if errors.Is(r.srcErr, io.EOF) {
		return &Error{Offset: off, Msg: "short read loading DB: unexpected end of file", Err: io.ErrUnexpectedEOF}
	}
	return &Error{Offset: off, Msg: "read: " + r.srcErr.Error(), Err: r.srcErr}
}

func (r *Reader) corrupt(off int64, format string, args ...any) error {
	return &Error{Offset: off, Msg: fmt.Sprintf(format, args...), Err: ErrCorrupt}
}

func (r *Reader) unsupported(off int64, format string, args ...any) error {
	return &Error{Offset: off, Msg: fmt.Sprintf(format, args...), Err: ErrUnsupported}
}

// Info describes a whole RDB stream that Load read.
type Info struct {
	Version int               // format version
	Aux     map[string]string // AUX fields: "redis-ver", "ctime", ...
	Keys    int               // entries passed to the callback
}

// Load reads the RDB stream in src to its end and calls fn with each
// entry, in file order.
//
// Load returns nil only after the EOF marker and the checksum have been
// checked. A truncated, corrupt or unsupported stream can fail after fn
// has seen some of its entries, so a caller that must not load a file
// half-way collects the entries in a fresh keyspace and puts that into
// service only when Load returns nil. If fn returns an error, Load stops
// and returns it as it is. On failure, Info holds what was read before.
func Load(src io.Reader, fn func(Entry) error) (Info, error) {
	r, err := NewReader(src)
	if err != nil {
		return Info{}, err
	}
	info := Info{Version: r.Version()}
	for {
		e, err := r.Next()
		if err != nil {
			info.Aux = r.Aux()
			if err == io.EOF {
				return info, nil
			}
			return info, err
		}
		if err := fn(e); err != nil {
			info.Aux = r.Aux()
			return info, err
		}
		info.Keys++
	}
}
