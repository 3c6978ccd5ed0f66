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
	blob    []byte // a ziplist, listpack, intset or zipmap being read
	elems   elemBuf
	scores  []float64 // a sorted set's scores
	// emptyKeys counts the empty collections skipped.
	emptyKeys int
	libs      [][]byte // the function libraries' code (function.go)
	// bare is set to read a DUMP payload's one value, which has no key
	// and is checked by its footer rather than as it is read (dump.go).
	bare bool
	err  error // once set, what Next returns: the first error, or io.EOF
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
// Entries come in file order, grouped by database. Key, Value, Elems and
// Pairs are newly allocated and belong to the caller. Strings, lists,
// hashes, sets and sorted sets are read in every encoding Redis 7.0 writes
// or loads (see Entry.Encoding); an empty collection, which Redis skips
// when it loads, is skipped too (Info counts them). Streams (RDB types 15
// and 19) are read into Entry.Stream, their listpacks and PELs checked as
// Redis checks them with sanitize-dump-payload yes; an empty stream is
// kept, as Redis keeps it. Module values stop the stream with an error wrapping
// ErrUnsupported. A sorted set's score that is NaN, or not a number at
// all, is corrupt. IDLE and FREQ (LRU and LFU hints) and RESIZEDB (table
// size hints) are read and ignored.
//
// Next does not check that a set's (or sorted set's) members or a hash's
// fields are distinct, which Redis requires (it refuses the file otherwise): a
// caller that builds the set or hash finds duplicates as it goes.
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
		if isValueType(t) {
			e, err := r.readValue(t, expireAt)
			if err == errEmptyKey {
				// Redis skips an empty collection, with a note in its log;
				// the expiry before it was the empty key's.
				r.emptyKeys++
				expireAt = 0
				continue
			}
			return e, err
		}
		switch t {
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
			code, err := r.readLibrary(t)
			if err != nil {
				return Entry{}, err
			}
			r.libs = append(r.libs, code)
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

// isValueType reports whether t is a value type Reader reads.
func isValueType(t byte) bool {
	switch t {
	case typeString, typeList, typeSet, typeHash, typeHashZipmap, typeListZiplist, typeSetIntset,
		typeHashZiplist, typeListQuicklist, typeHashListpack, typeListQuicklist2, typeSetListpack,
		typeZSet, typeZSet2, typeZSetZiplist, typeZSetListpack,
		typeStreamListpacks, typeStreamListpacks2:
		return true
	}
	return false
}

// readValue reads the key and value of a record of type t, one that
// isValueType accepts, after its type byte. An empty collection is
// errEmptyKey.
func (r *Reader) readValue(t byte, expireAt int64) (Entry, error) {
	switch t {
	case typeString:
		return r.readEntry(expireAt)
	case typeStreamListpacks, typeStreamListpacks2:
		return r.readStreamEntry(t, expireAt)
	}
	return r.readCollection(t, expireAt)
}

// clampExpire keeps an expiry from the file from reading as "no expiry":
// one at or before the epoch becomes 1, which is just as much in the past.
func clampExpire(ms int64) int64 {
	return max(ms, 1)
}

// readEntry reads the key and string value after a type byte.
func (r *Reader) readEntry(expireAt int64) (Entry, error) {
	if r.bare {
		v, err := r.appendString(nil)
		if err != nil {
			return Entry{}, err
		}
		return Entry{Value: v}, nil
	}
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

// errEmptyKey: the collection just read has no elements.
var errEmptyKey = errors.New("empty key")

// readCollection reads the key and value of a list, hash or set of RDB
// type t, after its type byte.
func (r *Reader) readCollection(t byte, expireAt int64) (Entry, error) {
	off := r.offset()
	var err error
	r.scratch = r.scratch[:0]
	if !r.bare {
		if r.scratch, err = r.appendString(r.scratch); err != nil {
			return Entry{}, err
		}
	}
	key := r.scratch
	r.elems.reset()
	var typ Type
	var enc string
	switch t {
	case typeList:
		typ, enc = TypeList, EncodingLinkedList
		err = r.readStrings(1)
	case typeSet:
		typ, enc = TypeSet, EncodingHashtable
		err = r.readStrings(1)
	case typeHash:
		typ, enc = TypeHash, EncodingHashtable
		err = r.readStrings(2)
	case typeListQuicklist, typeListQuicklist2:
		typ, enc = TypeList, EncodingQuicklist
		err = r.readQuicklist(t, key)
	case typeHashZipmap:
		typ, enc = TypeHash, EncodingZipmap
		err = r.readBlob(key, "Zipmap", parseZipmap)
	case typeListZiplist:
		typ, enc = TypeList, EncodingZiplist
		err = r.readBlob(key, "List ziplist", parseZiplist)
	case typeSetIntset:
		typ, enc = TypeSet, EncodingIntset
		err = r.readBlob(key, "Intset", parseIntset)
	case typeHashZiplist:
		typ, enc = TypeHash, EncodingZiplist
		err = r.readBlob(key, "Hash ziplist", pairs(parseZiplist))
	case typeHashListpack:
		typ, enc = TypeHash, EncodingListpack
		err = r.readBlob(key, "Hash listpack", pairs(parseListpack))
	case typeSetListpack:
		typ, enc = TypeSet, EncodingListpack
		err = r.readBlob(key, "Set listpack", parseListpack)
	case typeZSet, typeZSet2:
		typ, enc = TypeZSet, EncodingSkiplist
		err = r.readZSet(t)
	case typeZSetZiplist:
		typ, enc = TypeZSet, EncodingZiplist
		err = r.readBlob(key, "Zset ziplist", pairs(parseZiplist))
	case typeZSetListpack:
		typ, enc = TypeZSet, EncodingListpack
		err = r.readBlob(key, "Zset listpack", pairs(parseListpack))
	}
	if err == nil && typ == TypeZSet {
		err = r.parseScores(off, key)
	}
	if cap(r.blob) > keepScratch {
		r.blob = nil
	}
	if err != nil {
		return Entry{}, err
	}
	if r.elems.n() == 0 {
		return Entry{}, errEmptyKey
	}
	e := r.collectionEntry(key, typ, enc, expireAt)
	if cap(r.scratch) > keepScratch {
		r.scratch = nil
	}
	if cap(r.scores) > keepScratch/8 {
		r.scores = nil
	}
	if cap(r.elems.data) > keepScratch || cap(r.elems.ends) > keepScratch/8 {
		r.elems = elemBuf{}
	}
	return e, nil
}

// collectionEntry makes the Entry of key and the elements read, in one
// allocation for the bytes and one for the slices.
func (r *Reader) collectionEntry(key []byte, typ Type, enc string, expireAt int64) Entry {
	b := &r.elems
	buf := make([]byte, len(key)+len(b.data))
	copy(buf, key)
	copy(buf[len(key):], b.data)
	data := buf[len(key):]
	e := Entry{DB: r.db, Key: buf[:len(key):len(key)], Type: typ, Encoding: enc, ExpireAt: expireAt}
	start := 0
	if typ == TypeHash {
		e.Pairs = make([]HashPair, b.n()/2)
		for i := range e.Pairs {
			f, v := b.ends[2*i], b.ends[2*i+1]
			e.Pairs[i] = HashPair{Field: data[start:f:f], Value: data[f:v:v]}
			start = v
		}
		return e
	}
	if typ == TypeZSet {
		// The elements are members and the text of their scores, which
		// parseScores has read into r.scores.
		e.Elems = make([][]byte, b.n()/2)
		e.Scores = slices.Clone(r.scores)
		for i := range e.Elems {
			m, sc := b.ends[2*i], b.ends[2*i+1]
			e.Elems[i] = data[start:m:m]
			start = sc
		}
		return e
	}
	e.Elems = make([][]byte, b.n())
	for i, end := range b.ends {
		e.Elems[i] = data[start:end:end]
		start = end
	}
	return e
}

// readZSet reads a sorted set held member by member (RDB type 3, scores
// as text, or 5, binary doubles) into r.elems: each member, then the text
// of its score, which parseScores reads.
func (r *Reader) readZSet(t byte) error {
	n, err := r.readCount()
	if err != nil {
		return err
	}
	for range n {
		if r.elems.data, err = r.appendString(r.elems.data); err != nil {
			return err
		}
		r.elems.end()
		if t == typeZSet2 {
			p, err := r.take(8)
			if err != nil {
				return err
			}
			f := math.Float64frombits(binary.LittleEndian.Uint64(p))
			r.elems.data = strconv.AppendFloat(r.elems.data, f, 'g', -1, 64)
			r.elems.end()
			continue
		}
		// rdbLoadDoubleValue: a length byte, or one of three values.
		l, err := r.readByte()
		if err != nil {
			return err
		}
		switch l {
		case 253:
			r.elems.data = append(r.elems.data, "nan"...)
		case 254:
			r.elems.data = append(r.elems.data, "inf"...)
		case 255:
			r.elems.data = append(r.elems.data, "-inf"...)
		default:
			if r.elems.data, err = r.appendRaw(r.elems.data, uint64(l)); err != nil {
				return err
			}
		}
		r.elems.end()
	}
	return nil
}

// parseScores reads the scores of the sorted set of key just read, the
// text of every second element, into r.scores. A score that is not a
// number, or is NaN, makes the record at off corrupt: Redis refuses a NaN
// score ("Zset with NAN score detected"), and a string that is not a
// number, which it would read as 0 or as the number it starts with, is no
// score it writes.
func (r *Reader) parseScores(off int64, key []byte) error {
	r.scores = r.scores[:0]
	for i := 1; i < r.elems.n(); i += 2 {
		f, ok := parseScore(r.elems.elem(i))
		if !ok {
			return r.corrupt(off, "Zset %s has an invalid score %.40q", quoteKey(key), r.elems.elem(i))
		}
		r.scores = append(r.scores, f)
	}
	return nil
}

// parseScore parses a sorted set's score as Redis writes it: "%.17g"
// text, "inf" or "-inf", an integer. Out of range, it is infinite (or
// zero), as strtod makes it; NaN is no score.
func parseScore(b []byte) (float64, bool) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// readStrings reads a length, then that many times per strings, into
// r.elems.
func (r *Reader) readStrings(per int) error {
	n, err := r.readCount()
	if err != nil {
		return err
	}
	// n is not trusted: each string takes at least a byte of the stream,
	// so a wrong n runs into the end of the data.
	for range n {
		for range per {
			if r.elems.data, err = r.appendString(r.elems.data); err != nil {
				return err
			}
			r.elems.end()
		}
	}
	return nil
}

// readBlob reads a string holding a ziplist, listpack, intset or zipmap
// and appends its elements to r.elems with parse. what names the kind of
// blob in an error, as Redis's message does.
func (r *Reader) readBlob(key []byte, what string, parse func([]byte, *elemBuf) (int, error)) error {
	off := r.offset()
	var err error
	if r.blob, err = r.appendString(r.blob[:0]); err != nil {
		return err
	}
	if _, err := parse(r.blob, &r.elems); err != nil {
		return r.corrupt(off, "%s integrity check failed for key %s: %v", what, quoteKey(key), err)
	}
	return nil
}

// pairs makes a parser of a hash's blob from parse: the elements must
// come in pairs.
func pairs(parse func([]byte, *elemBuf) (int, error)) func([]byte, *elemBuf) (int, error) {
	return func(blob []byte, b *elemBuf) (int, error) {
		n, err := parse(blob, b)
		if err == nil && n%2 != 0 {
			err = fmt.Errorf("%d elements: the last field has no value", n)
		}
		return n, err
	}
}

// readQuicklist reads the nodes of a quicklist (RDB type 14: ziplists;
// type 18: a container kind, then a listpack or a plain element).
func (r *Reader) readQuicklist(t byte, key []byte) error {
	nodes, err := r.readCount()
	if err != nil {
		return err
	}
	for range nodes {
		container := uint64(containerPacked)
		if t == typeListQuicklist2 {
			off := r.offset()
			if container, err = r.readCount(); err != nil {
				return err
			}
			if container != containerPlain && container != containerPacked {
				return r.corrupt(off, "Quicklist integrity check failed for key %s: unknown node container %d", quoteKey(key), container)
			}
		}
		off := r.offset()
		if r.blob, err = r.appendString(r.blob[:0]); err != nil {
			return err
		}
		if len(r.blob) == 0 {
			return r.corrupt(off, "Quicklist integrity check failed for key %s: empty node", quoteKey(key))
		}
		switch {
		case container == containerPlain:
			r.elems.add(r.blob)
		case t == typeListQuicklist2:
			_, err = parseListpack(r.blob, &r.elems)
		default:
			_, err = parseZiplist(r.blob, &r.elems)
		}
		if err != nil {
			return r.corrupt(off, "Quicklist integrity check failed for key %s: %v", quoteKey(key), err)
		}
	}
	return nil
}

// quoteKey quotes a key for an error message, cut short if it is long.
func quoteKey(key []byte) string {
	if len(key) > 64 {
		return fmt.Sprintf("%q...", key[:64])
	}
	return fmt.Sprintf("%q", key)
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

// Offset returns how many bytes of the stream the Reader has consumed.
// Once Next has returned io.EOF it is the stream's length, the EOF marker
// and checksum included, although the Reader may have read further ahead
// from its source: a caller reading data that follows the RDB stream (an
// append-only file's RDB preamble) resumes at this offset.
func (r *Reader) Offset() int64 { return r.offset() }

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
	if !r.bare {
		r.crc = crcUpdate(r.crc, r.buf[r.crcAt:r.r])
	}
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
	// EmptyKeys counts the empty lists, hashes and sets skipped, as Redis
	// skips them.
	EmptyKeys int
	// Libraries are the code of the function libraries, in file order
	// (see Reader.Libraries). Load does not check them: the caller loads
	// them into its scripting engine, and fails the load if one fails.
	Libraries [][]byte
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
			info.EmptyKeys = r.emptyKeys
			info.Libraries = r.libs
			if err == io.EOF {
				return info, nil
			}
			return info, err
		}
		if err := fn(e); err != nil {
			info.Aux = r.Aux()
			info.EmptyKeys = r.emptyKeys
			info.Libraries = r.libs
			return info, err
		}
		info.Keys++
	}
}
