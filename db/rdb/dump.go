package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// DUMP payloads: one value as Redis's DUMP serializes it and RESTORE
// takes it back. A payload is the value's record as a file holds it,
// without the key (its type byte, then the value), followed by a footer:
// the format version, 2 bytes little-endian, and the CRC-64 of everything
// before the checksum, 8 bytes little-endian.

// dumpFooterLen is the length of a payload's footer: version and checksum.
const dumpFooterLen = 2 + 8

// maxDumpType is the newest value type Redis 7.0 knows (stream v2).
const maxDumpType = 19

// sliceWriter is an io.Writer appending to a slice.
type sliceWriter struct{ b []byte }

func (s *sliceWriter) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}

// AppendDump appends to dst the DUMP payload of e's value (e.Key, e.DB and
// e.ExpireAt play no part), byte for byte what Redis 7.0's DUMP returns
// for the same value in the same encoding: the value is written as
// WriteEntry writes it, with opts.NoCompression and
// opts.ListMaxListpackSize, which stand for Redis's rdbcompression and
// list-max-listpack-size; the other options concern files only. Redis
// compresses a payload's strings as it compresses a file's.
//
// An empty collection has no payload, since Redis never holds one; it is
// an error, as an unknown type or a set that cannot be an intset are.
//
// AppendDump allocates its buffers afresh; a Dumper keeps them.
func AppendDump(dst []byte, e Entry, opts WriterOptions) ([]byte, error) {
	var d Dumper
	return d.AppendDump(dst, e, opts)
}

// A Dumper makes DUMP payloads, keeping its buffers (and its compressor's
// table, 256 KiB) from one to the next. Its zero value is ready to use.
// It is not safe for concurrent use.
type Dumper struct {
	w    Writer
	sink sliceWriter
}

// AppendDump is the package's AppendDump, with the Dumper's buffers.
func (d *Dumper) AppendDump(dst []byte, e Entry, opts WriterOptions) ([]byte, error) {
	opts.NoChecksum = true // the payload's checksum is computed below, at once
	d.sink.b = dst
	defer func() { d.sink.b = nil }()
	w := &d.w
	w.dst, w.opts, w.err = &d.sink, opts, nil
	w.started, w.bare = true, true
	w.buf = w.buf[:0]
	ok, err := w.checkEntry(e)
	if err == nil && !ok {
		err = fmt.Errorf("rdb: key %q is an empty %v, which has no DUMP payload", e.Key, e.Type)
	}
	if err == nil {
		err = w.writeValue(e)
	}
	if err == nil {
		err = w.flush()
	}
	if cap(w.buf) > keepScratch {
		w.buf = nil
	}
	if err != nil {
		return dst, err
	}
	out := binary.LittleEndian.AppendUint16(d.sink.b, Version)
	sum := crcUpdate(0, out[len(dst):])
	return binary.LittleEndian.AppendUint64(out, sum), nil
}

// ParseDump returns the value of a DUMP payload, as Redis 7.0's RESTORE
// reads it: an Entry with Type, Value, Elems or Pairs and Encoding set,
// but no Key, DB or ExpireAt.
//
// It checks the footer first, as Redis does before it reads anything: a
// payload shorter than the footer, of a format version newer than
// Version, or whose checksum does not match (a zero checksum does not
// mean "none" here, as it does in a file) is refused with an error
// wrapping ErrChecksum: what RESTORE reports as "DUMP payload version or
// checksum are wrong". Payloads of older versions are read.
//
// Then it reads the value, of any type Reader reads, in any of the
// encodings Reader reads (and with the same checks); Redis 7.0 knows no
// set listpacks (RDB type 20), so they are refused. The value is read
// from the whole payload, footer included, and what follows it is
// ignored, as Redis reads it. An empty collection is refused
// (ErrCorrupt): Redis's RESTORE replies "Bad data format" for one. So
// does it for any other error of this second step: ErrCorrupt,
// ErrUnsupported (modules), io.ErrUnexpectedEOF.
//
// Like Reader, ParseDump does not check that a set's members or a
// hash's fields are distinct.
func ParseDump(payload []byte) (Entry, error) {
	if err := checkDumpFooter(payload); err != nil {
		return Entry{}, err
	}
	footer := payload[len(payload)-dumpFooterLen:]
	// The buffer need not be larger than the payload: nothing it takes at
	// once is longer than 9 bytes.
	r := &Reader{
		src:     bytes.NewReader(payload),
		buf:     make([]byte, min(len(payload), bufSize)),
		version: int(binary.LittleEndian.Uint16(footer)),
		bare:    true,
	}
	t, err := r.readByte()
	if err != nil {
		return Entry{}, err
	}
	if t > maxDumpType {
		return Entry{}, r.corrupt(0, "unknown RDB encoding type %d for Redis 7.0", t)
	}
	if !isValueType(t) {
		if name, ok := typeName(t); ok {
			return Entry{}, r.unsupported(0, "unsupported value type %d (%s)", t, name)
		}
		return Entry{}, r.corrupt(0, "unknown RDB encoding type %d", t)
	}
	e, err := r.readValue(t, 0)
	if err == errEmptyKey {
		return Entry{}, r.corrupt(0, "empty collection (RDB type %d) in a DUMP payload", t)
	}
	return e, err
}
