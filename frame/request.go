package frame

import "bytes"

// RequestParser parses the requests clients send: a multibulk array of bulk
// strings ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), or an inline command ("GET k\r\n")
// when the first byte is not '*'. It follows Redis 7's processMultibulkBuffer
// and processInlineBuffer byte for byte, including their error texts and
// their leniencies (the byte after a length line's CR, and the CRLF after a
// bulk string, are skipped unchecked). Errors are the Err* values of this
// package, or a *ProtocolError for "expected '$', got 'X'".
//
// With Limits.Unauthenticated set, a multibulk request is refused past 10
// elements or a 16384-byte bulk, as Redis refuses a client that has not yet
// authenticated; inline requests are not limited that way, in Redis either.
// The limits are read at every call, so a server can lift them between two
// requests, once AUTH succeeds.
//
// A RequestParser remembers how far it got through a request that is not yet
// complete, as offsets from the request's first byte, so feeding it a large
// request a few bytes at a time costs time linear in its size. The caller
// may move or grow its buffer between calls, as long as the unconsumed input
// still starts at buf[0].
//
// The zero value is ready to use with Redis's default limits.
type RequestParser struct {
	// Limits bounds bulk lengths and element counts. MaxDepth is unused:
	// requests are flat.
	Limits Limits

	// State of the multibulk request being parsed; count == 0 when idle.
	count   int64 // declared number of elements
	pos     int   // offset of the first unparsed byte
	bulkLen int64 // declared length of the bulk being read, or -1
	offs    []int // start and end offsets of the parsed elements
	scanned int   // inline: bytes already searched for '\n'
}

// Parse parses the request at the start of buf. It returns its arguments and
// the number of bytes it took up. The arguments alias buf and are valid until
// buf is modified; args is reused for them when large enough.
//
// An empty request (an empty inline line, or "*0\r\n") returns no arguments
// and n > 0: skip it, as Redis does. ErrIncomplete means buf holds only part
// of a request. Any other error is a *ProtocolError: reply with "ERR " and
// its text and close the connection, as Redis does.
func (p *RequestParser) Parse(buf []byte, args [][]byte) (out [][]byte, n int, err error) {
	if len(buf) == 0 {
		return args[:0], 0, ErrIncomplete
	}
	if buf[0] == '*' {
		return p.parseMultibulk(buf, args)
	}
	return p.parseInline(buf, args)
}

// Pending reports whether the parser holds the state of a partly read request.
func (p *RequestParser) Pending() bool { return p.count > 0 || p.scanned > 0 }

// Reset discards the state of a partly read request.
func (p *RequestParser) Reset() {
	p.count, p.pos, p.bulkLen, p.offs, p.scanned = 0, 0, -1, p.offs[:0], 0
}

// indexCR returns the index of the first '\r' in b, or -1. Like strchr on
// Redis's NUL-terminated query buffer, it gives up at a NUL byte.
func indexCR(b []byte) int { return indexStop(b, '\r') }

func indexStop(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
		if x == 0 {
			return -1
		}
	}
	return -1
}

func (p *RequestParser) parseMultibulk(buf []byte, args [][]byte) ([][]byte, int, error) {
	if p.count == 0 {
		if args, n, ok := p.parseWhole(buf, args); ok {
			return args, n, nil
		}
	}
	lim := p.Limits
	if p.count == 0 {
		cr := indexCR(buf)
		if cr < 0 {
			if len(buf) > MaxInlineLen {
				return args[:0], 0, ErrTooBigMbulkCount
			}
			return args[:0], 0, ErrIncomplete
		}
		if cr+2 > len(buf) { // the LF (or whatever follows the CR) is missing
			return args[:0], 0, ErrIncomplete
		}
		count, ok := ParseInt(buf[1:cr])
		if !ok || count > DefaultMaxMultibulkLen || count > lim.maxMultibulkLen() {
			return args[:0], 0, ErrInvalidMultibulkLength
		}
		if lim.Unauthenticated && count > UnauthenticatedMaxMultibulkLen {
			return args[:0], 0, ErrUnauthenticatedMultibulkLength
		}
		if count <= 0 {
			return args[:0], cr + 2, nil
		}
		p.count, p.pos, p.bulkLen, p.offs = count, cr+2, -1, p.offs[:0]
	}
	for int64(len(p.offs)/2) < p.count {
		rest := buf[p.pos:]
		if p.bulkLen < 0 {
			cr := indexCR(rest)
			if cr < 0 {
				if len(rest) > MaxInlineLen {
					p.Reset()
					return args[:0], 0, ErrTooBigBulkCount
				}
				return args[:0], 0, ErrIncomplete
			}
			if cr+2 > len(rest) {
				return args[:0], 0, ErrIncomplete
			}
			if rest[0] != '$' {
				p.Reset()
				return args[:0], 0, expectedDollar(rest[0])
			}
			l, ok := ParseInt(rest[1:cr])
			if !ok || l < 0 || l > lim.maxBulkLen() {
				p.Reset()
				return args[:0], 0, ErrInvalidBulkLength
			}
			if lim.Unauthenticated && l > UnauthenticatedMaxBulkLen {
				p.Reset()
				return args[:0], 0, ErrUnauthenticatedBulkLength
			}
			p.bulkLen = l
			p.pos += cr + 2
			rest = buf[p.pos:]
		}
		if int64(len(rest)) < p.bulkLen+2 {
			return args[:0], 0, ErrIncomplete
		}
		p.offs = append(p.offs, p.pos, p.pos+int(p.bulkLen))
		p.pos += int(p.bulkLen) + 2
		p.bulkLen = -1
	}
	args = args[:0]
	for i := 0; i < len(p.offs); i += 2 {
		args = append(args, buf[p.offs[i]:p.offs[i+1]:p.offs[i+1]])
	}
	n := p.pos
	p.Reset()
	return args, n, nil
}

// parseWhole parses a multibulk request that buf holds whole, in one pass
// straight into args, as most requests come: the resumable parse below
// keeps its progress in p and the elements' offsets, and scans each length
// line twice (for its end, then its digits). It reports false, having
// changed nothing in p, for a request that is incomplete, empty, breaks a
// rule or limit, or writes a length other than plainly: the resumable
// parse then reads it again and tells which. When it reports true, its
// result is the resumable parse's.
func (p *RequestParser) parseWhole(buf []byte, args [][]byte) ([][]byte, int, bool) {
	count, pos, ok := plainLength(buf, '*')
	lim := &p.Limits
	if !ok || count == 0 || count > DefaultMaxMultibulkLen || count > lim.maxMultibulkLen() ||
		lim.Unauthenticated && count > UnauthenticatedMaxMultibulkLen {
		return args, 0, false
	}
	maxBulk := lim.maxBulkLen()
	if lim.Unauthenticated {
		maxBulk = min(maxBulk, UnauthenticatedMaxBulkLen)
	}
	args = args[:0]
	for range count {
		l, size, ok := plainLength(buf[pos:], '$')
		if !ok || l > maxBulk {
			return args, 0, false
		}
		start := pos + size
		if int64(len(buf)-start) < l+2 {
			return args, 0, false
		}
		end := start + int(l)
		args = append(args, buf[start:end:end])
		pos = end + 2
	}
	return args, pos, true
}

// plainLength reads a length line at the start of b: the byte lead, a
// number written plainly (no sign, no leading zero, at most 18 digits), a
// CR and one more byte, which Redis skips unchecked. It returns the number
// and the line's size. Whatever it accepts, the resumable parse reads the
// same; it reports false for anything else, including a line cut short.
func plainLength(b []byte, lead byte) (n int64, size int, ok bool) {
	if len(b) < 4 || b[0] != lead {
		return 0, 0, false
	}
	i := 1
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		n = n*10 + int64(d)
	}
	digits := i - 1
	if digits == 0 || digits > 18 || digits > 1 && b[1] == '0' ||
		i+1 >= len(b) || b[i] != '\r' {
		return 0, 0, false
	}
	return n, i + 2, true
}

func (p *RequestParser) parseInline(buf []byte, args [][]byte) ([][]byte, int, error) {
	nl := indexStop(buf[p.scanned:], '\n')
	if nl < 0 {
		return args[:0], 0, p.inlineIncomplete(buf)
	}
	nl += p.scanned
	p.scanned = 0
	end := nl
	if end > 0 && buf[end-1] == '\r' {
		end--
	}
	args, ok := SplitArgs(buf[:end], args[:0])
	if !ok {
		return args[:0], 0, ErrUnbalancedQuotes
	}
	return args, nl + 1, nil
}

// inlineIncomplete returns the error for an inline request without its
// newline in buf, and remembers how far the search went: to the end, or to
// the NUL that stopped it, past which the line can never end. The next
// search starts there rather than at the line's start, so a long line that
// arrives in pieces costs time linear in its length.
func (p *RequestParser) inlineIncomplete(buf []byte) error {
	if len(buf) > MaxInlineLen {
		p.Reset()
		return ErrTooBigInline
	}
	if nul := bytes.IndexByte(buf[p.scanned:], 0); nul >= 0 {
		p.scanned += nul
	} else {
		p.scanned = len(buf)
	}
	return ErrIncomplete
}
