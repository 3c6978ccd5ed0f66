package server

import (
	"bytes"
	"math/bits"

	"github.com/mini-redis/mini-redis/db"
)

// The bit commands: strings seen as arrays of bits, most significant bit of
// the first byte first.

func bitCommands() []*command {
	return []*command{
		{name: "setbit", flags: flagWrite, run: cmdSetBit},
		{name: "getbit", run: cmdGetBit},
		{name: "bitcount", run: cmdBitCount},
		{name: "bitpos", run: cmdBitPos},
		{name: "bitop", flags: flagWrite, run: cmdBitOp},
		{name: "bitfield", flags: flagWrite, run: cmdBitField, keyFlags: bitfieldKeyFlags},
		{name: "bitfield_ro", run: cmdBitFieldRO},
	}
}

// parseBitOffset parses a bit offset (getBitOffsetFromArgument): a
// non-negative integer whose byte lies within proto-max-bulk-len.
func (c *client) parseBitOffset(b []byte) (int64, bool) {
	return bitOffset(b, 0, c.server.maxBulkLen())
}

// bitOffset parses a bit offset as getBitOffsetFromArgument does. For a
// BITFIELD field of fieldBits bits (0 for SETBIT and GETBIT), "#n" means
// the n-th field of that width: n*fieldBits, a product that wraps around
// on overflow as Redis's does, and is then checked like any offset.
func bitOffset(arg []byte, fieldBits uint, maxBulkLen int64) (int64, bool) {
	hash := fieldBits > 0 && len(arg) > 0 && arg[0] == '#'
	if hash {
		arg = arg[1:]
	}
	n, ok := parseInt(arg)
	if hash {
		n *= int64(fieldBits)
	}
	if !ok || n < 0 || n>>3 >= maxBulkLen {
		return 0, false
	}
	return n, true
}

// SETBIT key offset value
func cmdSetBit(c *client, args [][]byte) {
	key := args[1]
	offset, ok := c.parseBitOffset(args[2])
	if !ok {
		c.conn.WriteError(errBitOffset)
		return
	}
	on, ok := parseInt(args[3])
	if !ok || on&^1 != 0 {
		c.conn.WriteError(errBitValue)
		return
	}
	tx := c.db().Write(key)
	defer tx.Close()
	s, ok := c.checkString(tx.Get(key))
	if !ok {
		return
	}
	old := bytesOf(s)
	byteIndex := int(offset >> 3)
	mask := byte(1) << (7 - uint(offset&7))
	grows := byteIndex >= len(old) // a missing key grows from nothing
	was := !grows && old[byteIndex]&mask != 0
	// As Redis, a write only when the key is created or grows, or the bit
	// changes.
	if grows || was != (on == 1) {
		b := grownCopy(old, byteIndex+1)
		if on == 1 {
			b[byteIndex] |= mask
		} else {
			b[byteIndex] &^= mask
		}
		tx.SetValue(key, db.WithBytes(b))
		c.server.dirty.Add(1)
		c.notify(evString, "setbit", key)
	} else if s.Encoding() != "raw" {
		// Redis makes the value a raw string of its own before it looks
		// at the bit, so OBJECT ENCODING says "raw" even when the bit
		// was already as asked.
		tx.Unshare(key, db.WithBytes(bytes.Clone(old)))
	}
	if was {
		c.conn.WriteInt(1)
	} else {
		c.conn.WriteInt(0)
	}
}

// GETBIT key offset
func cmdGetBit(c *client, args [][]byte) {
	offset, ok := c.parseBitOffset(args[2])
	if !ok {
		c.conn.WriteError(errBitOffset)
		return
	}
	s, ok := c.readString(args[1])
	if !ok {
		return
	}
	b := bytesOf(s)
	i := int(offset >> 3)
	if i < len(b) && b[i]&(1<<(7-uint(offset&7))) != 0 {
		c.conn.WriteInt(1)
	} else {
		c.conn.WriteInt(0)
	}
}

// bitRange is the part of a string that BITCOUNT or BITPOS looks at.
type bitRange struct {
	lo, hi   int64 // bit indexes, inclusive
	empty    bool
	endGiven bool // whether the request named an end
}

// parseBitRange reads the range that may follow BITCOUNT's key,
// [start end [BYTE | BIT]], or BITPOS's bit, [start [end [BYTE | BIT]]]
// (bitpos true), over a string of n bytes; no range is the whole string.
func parseBitRange(args [][]byte, n int64, bitpos bool) (bitRange, string) {
	switch {
	case len(args) == 0:
		return bitRange{lo: 0, hi: n*8 - 1, empty: n == 0}, ""
	case len(args) > 3, len(args) == 1 && !bitpos:
		return bitRange{}, errSyntax
	}
	start, startOK := parseInt(args[0])
	end, endOK := n-1, true
	if len(args) >= 2 {
		end, endOK = parseInt(args[1])
	}
	isBit, unitOK := false, true
	if len(args) == 3 {
		isBit = is(args[2], "bit")
		unitOK = isBit || is(args[2], "byte")
	}
	// A request with several faults gets the error of the first one Redis
	// checks: BITCOUNT reads its end before its unit, BITPOS its unit
	// before its end.
	r := bitRange{endGiven: len(args) >= 2}
	switch {
	case !startOK, !bitpos && !endOK:
		return r, errNotInteger
	case !bitpos && start < 0 && end < 0 && start > end:
		// BITCOUNT takes two negative indexes the wrong way round for an
		// empty range, where clamping them could leave a byte.
		r.empty = true
		return r, ""
	case !unitOK:
		return r, errSyntax
	case !endOK:
		return r, errNotInteger
	}
	total := n
	if isBit {
		total = n * 8
	}
	lo, hi, empty := rangeToBounds(start, end, total)
	if empty {
		r.empty = true
		return r, ""
	}
	if !isBit {
		lo, hi = lo*8, hi*8+7
	}
	r.lo, r.hi = lo, hi
	return r, ""
}

// BITCOUNT key [start end [BYTE | BIT]]
func cmdBitCount(c *client, args [][]byte) {
	s, ok := c.readString(args[1])
	switch {
	case !ok:
		return
	case s == nil:
		// A missing key counts zero before its range is even looked at.
		c.conn.WriteInt(0)
		return
	}
	b := s.Bytes()
	r, errText := parseBitRange(args[2:], int64(len(b)), false)
	switch {
	case errText != "":
		c.conn.WriteError(errText)
	case r.empty:
		c.conn.WriteInt(0)
	default:
		c.conn.WriteInt(countBits(b, r.lo, r.hi))
	}
}

// countBits counts the set bits of b from bit lo to bit hi, inclusive.
func countBits(b []byte, lo, hi int64) int64 {
	first, last := lo>>3, hi>>3
	var n int
	for i := first; i <= last; i++ {
		x := b[i]
		if i == first {
			x &= 0xff >> uint(lo&7)
		}
		if i == last {
			x &= 0xff << uint(7-hi&7)
		}
		n += bits.OnesCount8(x)
	}
	return int64(n)
}

// BITPOS key bit [start [end [BYTE | BIT]]]
func cmdBitPos(c *client, args [][]byte) {
	bit, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	if bit != 0 && bit != 1 {
		c.conn.WriteError(errBitArgument)
		return
	}
	s, ok := c.readString(args[1])
	switch {
	case !ok:
		return
	case s == nil:
		// A missing key is an endless run of zeros.
		if bit == 1 {
			c.conn.WriteInt(-1)
		} else {
			c.conn.WriteInt(0)
		}
		return
	}
	b := s.Bytes()
	r, errText := parseBitRange(args[3:], int64(len(b)), true)
	switch {
	case errText != "":
		c.conn.WriteError(errText)
		return
	case r.empty:
		c.conn.WriteInt(-1)
		return
	}
	if pos := findBit(b, byte(bit), r.lo, r.hi); pos >= 0 {
		c.conn.WriteInt(pos)
		return
	}
	// Looking for a clear bit with no end given, the string continues with
	// zeros past its end; with an explicit range there is none to find.
	if bit == 0 && !r.endGiven {
		c.conn.WriteInt(r.hi + 1)
		return
	}
	c.conn.WriteInt(-1)
}

// findBit returns the index of the first bit equal to bit in b from lo to
// hi inclusive, or -1.
func findBit(b []byte, bit byte, lo, hi int64) int64 {
	skip := byte(0x00) // a byte with no bit of interest
	if bit == 0 {
		skip = 0xff
	}
	for i := lo; i <= hi; {
		if i&7 == 0 && i+7 <= hi && b[i>>3] == skip {
			i += 8 // a whole byte without the bit
			continue
		}
		if (b[i>>3]>>(7-uint(i&7)))&1 == bit {
			return i
		}
		i++
	}
	return -1
}

// BITOP AND | OR | XOR | NOT destkey key [key ...]
func cmdBitOp(c *client, args [][]byte) {
	op, ok := parseBitop(args[1])
	if !ok {
		c.conn.WriteError(errSyntax)
		return
	}
	if op == bitopNot && len(args) != 4 {
		c.conn.WriteError(errBitopNot)
		return
	}
	dst, keys := args[2], args[3:]
	tx := c.db().Write(append([][]byte{dst}, keys...)...)
	defer tx.Close()
	srcs := make([][]byte, len(keys))
	for i, k := range keys {
		s, ok := c.checkString(c.lookupRead(&tx, k))
		if !ok {
			return // the keys after it are not looked up
		}
		srcs[i] = bytesOf(s)
	}
	res := applyBitop(op, srcs)
	switch {
	case len(res) > 0:
		// Over whatever dst held, of any type, and without its deadline.
		tx.Set(dst, db.WithBytes(res), 0)
		c.notify(evString, "set", dst)
		c.server.dirty.Add(1)
	case tx.Delete(dst):
		c.notify(evGeneric, "del", dst)
		c.server.dirty.Add(1)
	}
	c.conn.WriteInt(int64(len(res)))
}

// bitfieldOpKind is a BITFIELD subcommand that reads or writes a field.
type bitfieldOpKind uint8

const (
	bitfieldGet bitfieldOpKind = iota
	bitfieldSet
	bitfieldIncrBy
)

// bitfieldOp is one GET, SET or INCRBY of a BITFIELD.
type bitfieldOp struct {
	kind     bitfieldOpKind
	typ      bitfieldType
	offset   uint64
	value    int64 // SET's value, INCRBY's increment
	overflow overflowMode
}

// bitfieldRequest is a parsed BITFIELD.
type bitfieldRequest struct {
	ops []bitfieldOp
	// writes tells whether any op is a SET or INCRBY; size is then the
	// length the string must have for the furthest of them.
	writes bool
	size   uint64
}

// parseBitfield parses the subcommands of BITFIELD or BITFIELD_RO, args
// after the key, in order, stopping at the first bad one with Redis's
// error for it. OVERFLOW applies to the SETs and INCRBYs after it.
func parseBitfield(args [][]byte, maxBulkLen int64) (bitfieldRequest, string) {
	var req bitfieldRequest
	mode := overflowWrap
	for i := 0; i < len(args); i++ {
		left := len(args) - i - 1 // arguments after the subcommand
		var op bitfieldOp
		switch sub := args[i]; {
		case is(sub, "get") && left >= 2:
			op.kind = bitfieldGet
		case is(sub, "set") && left >= 3:
			op.kind = bitfieldSet
		case is(sub, "incrby") && left >= 3:
			op.kind = bitfieldIncrBy
		case is(sub, "overflow") && left >= 1:
			i++
			switch name := args[i]; {
			case is(name, "wrap"):
				mode = overflowWrap
			case is(name, "sat"):
				mode = overflowSat
			case is(name, "fail"):
				mode = overflowFail
			default:
				return req, errOverflowType
			}
			continue
		default:
			return req, errSyntax
		}
		var ok bool
		if op.typ, ok = parseBitfieldType(args[i+1]); !ok {
			return req, errBitfieldType
		}
		offset, ok := bitOffset(args[i+2], op.typ.bits, maxBulkLen)
		if !ok {
			return req, errBitOffset
		}
		op.offset, op.overflow = uint64(offset), mode
		i += 2
		if op.kind != bitfieldGet {
			req.writes = true
			req.size = max(req.size, (op.offset+uint64(op.typ.bits)-1)>>3+1)
			i++
			if op.value, ok = parseInt(args[i]); !ok {
				return req, errNotInteger
			}
		}
		req.ops = append(req.ops, op)
	}
	return req, ""
}

// bitfieldKeyFlags returns the flags of BITFIELD's key (bitfieldGetKeys):
// read-only when the subcommands, read as far as the first that is not a
// GET or OVERFLOW, are only those; a bad subcommand counts as a write.
func bitfieldKeyFlags(argv [][]byte) keySpecFlags {
	for i := 2; i < len(argv); i++ {
		left := len(argv) - i - 1
		switch arg := argv[i]; {
		case is(arg, "get") && left >= 2:
			i += 2
		case is(arg, "overflow") && left >= 1:
			i++
		default:
			return keyRW | keyAccess | keyUpdate
		}
	}
	return keyRO | keyAccess
}

// BITFIELD key [GET type offset] [SET type offset value]
// [INCRBY type offset increment] [OVERFLOW WRAP | SAT | FAIL] ...
func cmdBitField(c *client, args [][]byte) { c.bitfield(args, false) }

// BITFIELD_RO key [GET type offset ...]
func cmdBitFieldRO(c *client, args [][]byte) { c.bitfield(args, true) }

// bitfield is BITFIELD, and BITFIELD_RO when readOnly (bitfieldGeneric).
func (c *client) bitfield(args [][]byte, readOnly bool) {
	req, errText := parseBitfield(args[2:], c.server.maxBulkLen())
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	if !req.writes {
		// Only GETs: a read, which creates no key.
		s, ok := c.readString(args[1])
		if !ok {
			return
		}
		b := bytesOf(s)
		c.conn.WriteArrayLen(len(req.ops))
		for _, op := range req.ops {
			c.replyBitfield(b, op)
		}
		return
	}
	if readOnly {
		c.conn.WriteError(errBitfieldRO)
		return
	}
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	s, ok := c.checkString(tx.Get(key))
	if !ok {
		return
	}
	// Redis first makes the string long enough for every write, even
	// those that will fail, and then edits it in place; values here are
	// immutable once stored, so the edits go to a copy.
	old := bytesOf(s)
	grows := req.size > uint64(len(old))
	b := grownCopy(old, int(req.size))
	c.conn.WriteArrayLen(len(req.ops))
	var changes int64
	for _, op := range req.ops {
		if op.kind == bitfieldGet {
			c.replyBitfield(b, op)
			continue
		}
		changed, ok := c.writeBitfield(b, op)
		if ok && (grows || changed) {
			// As Redis counts them: a write that leaves the field as it
			// was is a change only if the string grew.
			changes++
		}
	}
	switch {
	case changes > 0:
		tx.SetValue(key, db.WithBytes(b))
		c.server.dirty.Add(changes)
		c.notify(evString, "setbit", key)
	case s == nil:
		// Every write failed, yet Redis has added the zeroed string,
		// telling no one, not even the key's watchers.
		tx.AddQuietly(key, db.WithBytes(b))
	case grows || s.Encoding() != "raw":
		// No change Redis counts: its string was only zero-padded, or
		// made a raw string of its own to be edited.
		tx.Unshare(key, db.WithBytes(b))
	}
}

// replyBitfield replies with the field op reads from b.
func (c *client) replyBitfield(b []byte, op bitfieldOp) {
	if op.typ.signed {
		c.conn.WriteInt(getSignedField(b, op.offset, op.typ.bits))
	} else {
		c.conn.WriteInt(int64(getUnsignedField(b, op.offset, op.typ.bits)))
	}
}

// writeBitfield carries out op, a SET or an INCRBY, on b and replies to it:
// with the field's old value (SET) or its new one (INCRBY), or nil when
// the result overflows under OVERFLOW FAIL, which writes nothing (ok
// false). changed tells whether the field's value changed.
func (c *client) writeBitfield(b []byte, op bitfieldOp) (changed, ok bool) {
	bits := op.typ.bits
	var oldVal, newVal uint64 // the field's bits
	var reply int64
	var overflow bool
	if op.typ.signed {
		old := getSignedField(b, op.offset, bits)
		var v int64
		if op.kind == bitfieldIncrBy {
			v, overflow = addSigned(old, op.value, bits, op.overflow)
			reply = v
		} else {
			v, overflow = addSigned(op.value, 0, bits, op.overflow)
			reply = old
		}
		oldVal, newVal = uint64(old), uint64(v)
	} else {
		old := getUnsignedField(b, op.offset, bits)
		var v uint64
		if op.kind == bitfieldIncrBy {
			v, overflow = addUnsigned(old, op.value, bits, op.overflow)
			reply = int64(v)
		} else {
			v, overflow = addUnsigned(uint64(op.value), 0, bits, op.overflow)
			reply = int64(old)
		}
		oldVal, newVal = old, v
	}
	if overflow && op.overflow == overflowFail {
		c.conn.WriteNull()
		return false, false
	}
	c.conn.WriteInt(reply)
	setField(b, op.offset, bits, newVal)
	return oldVal != newVal, true
}
