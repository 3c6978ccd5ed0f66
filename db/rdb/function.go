package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Function libraries. Redis 7.0 keeps each library of FUNCTION LOAD as
// its code, which starts with a shebang naming the engine and the library
// ("#!lua name=mylib"), and stores it as that code alone: an
// RDB_OPCODE_FUNCTION2 record (opcode 245, then the code as a string). A
// file holds them after its AUX fields, before the first database; a
// FUNCTION DUMP payload holds nothing else, before its footer. Redis 7.0's
// release candidates wrote RDB_OPCODE_FUNCTION records (opcode 246) with
// the name, engine and description apart from the code, which Redis 7.0
// still reads and turns into a shebang and the code.
//
// This package treats library code as opaque bytes: compiling it, and
// checking its shebang, is the caller's business.

// readLibrary reads the library record whose opcode t (opFunction2 or
// opFunctionPre) was just read, and returns its code. Its errors are
// *Errors whose Msg is what Redis's rdbFunctionLoad says.
func (r *Reader) readLibrary(t byte) ([]byte, error) {
	off := r.offset()
	// The message is Redis's alone, as FUNCTION RESTORE replies it; the
	// offset and the kind are those of the string that failed.
	fail := func(msg string, err error) error {
		if e, ok := err.(*Error); ok {
			return &Error{Offset: e.Offset, Msg: msg, Err: e.Err}
		}
		return &Error{Offset: off, Msg: msg, Err: err}
	}
	if t == opFunction2 {
		code, err := r.appendString(nil)
		if err != nil {
			return nil, fail("Failed loading library payload", err)
		}
		return code, nil
	}
	name, err := r.appendString(nil)
	if err != nil {
		return nil, fail("Failed loading library name", err)
	}
	engine, err := r.appendString(nil)
	if err != nil {
		return nil, fail("Failed loading engine name", err)
	}
	// Redis reads the indicator with rdbLoadLen, which takes a string
	// encoding's byte (11xxxxxx) as the length xxxxxx.
	hasDesc, _, err := r.readLen()
	if err != nil {
		return nil, fail("Failed loading library description indicator", err)
	}
	if hasDesc != 0 {
		// The description is read and dropped, as Redis 7.0 drops it.
		if _, err := r.appendString(nil); err != nil {
			return nil, fail("Failed loading library description", err)
		}
	}
	blob, err := r.appendString(nil)
	if err != nil {
		return nil, fail("Failed loading library blob", err)
	}
	// Redis's translation of the old record: "#!<engine> name=<name>\n<blob>".
	code := make([]byte, 0, len(engine)+len(name)+len(blob)+9)
	code = append(code, "#!"...)
	code = append(code, engine...)
	code = append(code, " name="...)
	code = append(code, name...)
	code = append(code, '\n')
	return append(code, blob...), nil
}

// Libraries returns the code of the function libraries read so far, in
// file order. Redis writes them all before the first database, so once
// Next has returned the first key (or io.EOF) they are all there. The
// slices belong to the caller.
func (r *Reader) Libraries() [][]byte { return r.libs }

// WriteLibrary writes a function library: its code, as an
// RDB_OPCODE_FUNCTION2 record, with the string compressed as any other.
// Redis writes libraries before the first database, and so must the
// caller: WriteLibrary fails once SelectDB or WriteEntry has been called.
func (w *Writer) WriteLibrary(code []byte) error {
	if err := w.start(); err != nil {
		return err
	}
	if w.inDB {
		return w.fail(fmt.Errorf("rdb: function library written after the keys of DB %d", w.db))
	}
	w.buf = append(w.buf, opFunction2)
	if err := w.writeString(code); err != nil {
		return err
	}
	return w.maybeFlush()
}

// AppendFunctionDump appends to dst the payload of FUNCTION DUMP for the
// libraries of the given code, in that order: for each an
// RDB_OPCODE_FUNCTION2 record, then the footer DUMP payloads have (the
// format version and the CRC-64). Strings are compressed unless
// opts.NoCompression, as Redis's rdbcompression says; the other options
// play no part.
//
// AppendFunctionDump allocates its buffers afresh; a Dumper keeps them.
func AppendFunctionDump(dst []byte, codes [][]byte, opts WriterOptions) []byte {
	var d Dumper
	return d.AppendFunctionDump(dst, codes, opts)
}

// AppendFunctionDump is the package's AppendFunctionDump, with the
// Dumper's buffers.
func (d *Dumper) AppendFunctionDump(dst []byte, codes [][]byte, opts WriterOptions) []byte {
	opts.NoChecksum = true
	d.sink.b = dst
	defer func() { d.sink.b = nil }()
	w := &d.w
	w.dst, w.opts, w.err = &d.sink, opts, nil
	w.started, w.bare = true, true
	w.buf = w.buf[:0]
	for _, code := range codes {
		w.buf = append(w.buf, opFunction2)
		w.buf = w.appendString(w.buf, code)
	}
	w.flush() // a sliceWriter does not fail
	if cap(w.buf) > keepScratch {
		w.buf = nil
	}
	out := binary.LittleEndian.AppendUint16(d.sink.b, Version)
	sum := crcUpdate(0, out[len(dst):])
	return binary.LittleEndian.AppendUint64(out, sum)
}

// ParseFunctionDump returns the library code in a FUNCTION DUMP payload,
// as Redis 7.0's FUNCTION RESTORE reads it.
//
// The footer is checked first, as ParseDump checks it: an error wrapping
// ErrChecksum is what Redis reports as "DUMP payload version or checksum
// are wrong". Then records are read while more than the footer's length
// is left (a record may run into the footer, as Redis allows): each must
// be a library, RDB_OPCODE_FUNCTION2 or the older RDB_OPCODE_FUNCTION.
// Other errors wrap ErrCorrupt or io.ErrUnexpectedEOF; their Msg is the
// error Redis replies with: "given type is not a function", "Failed
// loading library payload" and so on.
func ParseFunctionDump(payload []byte) ([][]byte, error) {
	if err := checkDumpFooter(payload); err != nil {
		return nil, err
	}
	r := &Reader{
		src:     bytes.NewReader(payload),
		buf:     make([]byte, min(len(payload), bufSize)),
		version: int(binary.LittleEndian.Uint16(payload[len(payload)-dumpFooterLen:])),
		bare:    true,
	}
	var codes [][]byte
	for int64(len(payload))-r.offset() > dumpFooterLen {
		off := r.offset()
		t, err := r.readByte()
		if err != nil {
			return nil, &Error{Offset: off, Msg: "can not read data type", Err: err}
		}
		if t != opFunction2 && t != opFunctionPre {
			return nil, r.corrupt(off, "given type is not a function")
		}
		code, err := r.readLibrary(t)
		if err != nil {
			return nil, err
		}
		codes = append(codes, code)
	}
	return codes, nil
}

// checkDumpFooter checks a DUMP payload's footer as Redis's
// verifyDumpPayload does: long enough, a version no newer than Version,
// a matching checksum (zero included).
func checkDumpFooter(payload []byte) error {
	if len(payload) < dumpFooterLen {
		return &Error{Offset: 0, Err: ErrChecksum,
			Msg: fmt.Sprintf("DUMP payload of %d bytes is shorter than its footer", len(payload))}
	}
	footer := payload[len(payload)-dumpFooterLen:]
	if v := binary.LittleEndian.Uint16(footer); v > Version {
		return &Error{Offset: int64(len(payload) - dumpFooterLen), Err: ErrChecksum,
			Msg: fmt.Sprintf("DUMP payload of RDB format version %d, newer than %d", v, Version)}
	}
	want := binary.LittleEndian.Uint64(footer[2:])
	if got := crcUpdate(0, payload[:len(payload)-8]); got != want {
		return &Error{Offset: int64(len(payload) - 8), Err: ErrChecksum,
			Msg: fmt.Sprintf("wrong DUMP payload checksum expected: (%x) got (%x)", got, want)}
	}
	return nil
}
