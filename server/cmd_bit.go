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
	}
}

// parseBitOffset parses a bit offset (getBitOffsetFromArgument): a
// non-negative integer whose byte lies within proto-max-bulk-len.
func (c *client) parseBitOffset(b []byte) (int64, bool) {
	n, ok := parseInt(b)
	if !ok || n < 0 || n>>3 >= c.server.maxBulkLen() {
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
