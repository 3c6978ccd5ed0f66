package frame

import (
	"bytes"
	"math"
	"strconv"
)


// Parse parses the frame at the start of buf with Redis's default limits.
// See Parser.Parse.
func Parse(buf []byte) (Frame, int, error) {
	var p Parser
	return p.Parse(buf)
}

// A Parser parses RESP2 and RESP3 frames of any type, as a client reads
// replies. The zero value is ready to use with the default limits.
type Parser struct {
	Limits Limits
}

// Parse parses the frame at the start of buf and returns it with the number
// of bytes it took up. String payloads alias buf.
//
// If buf holds only part of a frame, Parse returns ErrIncomplete and
// consumes nothing. Parse never allocates for a length it has only been told
// about: a "$2000000000" header costs nothing until its bytes arrive.
// Malformed input gives a *ProtocolError.
func (p *Parser) Parse(buf []byte) (Frame, int, error) {
	f, n, err := p.parse(buf, 0)
	if err != nil {
		return Frame{}, 0, err
	}
	return f, n, nil
}

// readLine returns the line at the start of b without its CRLF, and the
// length including the CRLF.
func readLine(b []byte) ([]byte, int, error) {
	i := bytes.IndexByte(b, '\r')
	if i < 0 {
		if bytes.IndexByte(b, '\n') >= 0 {
			return nil, 0, protocolError("line feed without carriage return")
		}
		return nil, 0, ErrIncomplete
	}
	if i+1 >= len(b) {
		return nil, 0, ErrIncomplete
	}
	if b[i+1] != '\n' {
		return nil, 0, protocolError("carriage return without line feed")
	}
	return b[:i], i + 2, nil
}

func (p *Parser) parse(buf []byte, depth int) (Frame, int, error) {
	if len(buf) == 0 {
		return Frame{}, 0, ErrIncomplete
	}
	t := Type(buf[0])
	line, n, err := readLine(buf[1:])
	if err != nil {
		return Frame{}, 0, err
	}
	n++ // the type byte
	switch t {
	case SimpleString, Error:
		return Frame{Type: t, Str: line}, n, nil
	case Integer:
		v, ok := ParseInt(line)
		if !ok {
			return Frame{}, 0, protocolError("invalid integer " + strconv.Quote(string(line)))
		}
		return Frame{Type: t, Int: v}, n, nil
	case Null:
		if len(line) != 0 {
			return Frame{}, 0, protocolError("invalid null")
		}
		return Frame{Type: Null}, n, nil
	case Boolean:
		if len(line) == 1 && (line[0] == 't' || line[0] == 'f') {
			return Frame{Type: Boolean, Bool: line[0] == 't'}, n, nil
		}
		return Frame{}, 0, protocolError("invalid boolean " + strconv.Quote(string(line)))
	case Double:
		v, ok := parseDouble(line)
		if !ok {
			return Frame{}, 0, protocolError("invalid double " + strconv.Quote(string(line)))
		}
		return Frame{Type: Double, Float: v}, n, nil
	case BigNumber:
		if !isBigNumber(line) {
			return Frame{}, 0, protocolError("invalid big number " + strconv.Quote(string(line)))
		}
		return Frame{Type: BigNumber, Str: line}, n, nil
	case BulkString, BulkError, Verbatim:
		return p.parseBlob(t, buf, line, n)
	case Array, Set, Push, Map, Attribute:
		return p.parseAggregate(t, buf, line, n, depth)
	}
	return Frame{}, 0, protocolError("unknown type byte " + strconv.Quote(string(buf[:1])))
}

func (p *Parser) parseBlob(t Type, buf, line []byte, n int) (Frame, int, error) {
	l, ok := ParseInt(line)
	if ok && l == -1 && t == BulkString {
		return Frame{Type: BulkString, Nil: true}, n, nil
	}
	if !ok || l < 0 || l > p.Limits.maxBulkLen() {
		return Frame{}, 0, errInvalidBulkLength
	}
	rest := buf[n:]
	if int64(len(rest)) < l+2 {
		return Frame{}, 0, ErrIncomplete
	}
	if rest[l] != '\r' || rest[l+1] != '\n' {
		return Frame{}, 0, protocolError("bulk string not terminated by CRLF")
	}
	f := Frame{Type: t, Str: rest[:l:l]}
	if t == Verbatim {
		if l < 4 || rest[3] != ':' {
			return Frame{}, 0, protocolError("invalid verbatim string")
		}
		copy(f.Format[:], rest[:3])
		f.Str = rest[4:l:l]
	}
	return f, n + int(l) + 2, nil
}

func (p *Parser) parseAggregate(t Type, buf, line []byte, n, depth int) (Frame, int, error) {
	count, ok := ParseInt(line)
	if ok && count == -1 && t == Array {
		return Frame{Type: Array, Nil: true}, n, nil
	}
	if !ok || count < 0 || count > p.Limits.maxMultibulkLen() {
		return Frame{}, 0, errInvalidMultibulkLength
	}
	if depth >= p.Limits.maxDepth() {
		return Frame{}, 0, protocolError("aggregates nested too deeply")
	}
	if t == Map || t == Attribute {
		count *= 2
	}
	// Every element takes at least three bytes ("_\r\n"): a count the buffer
	// cannot hold means more is coming, and is never allocated up front.
	if count > int64(len(buf)-n)/3 {
		return Frame{}, 0, ErrIncomplete
	}
	f := Frame{Type: t, Elems: make([]Frame, 0, count)}
	for i := int64(0); i < count; i++ {
		e, m, err := p.parse(buf[n:], depth+1)
		if err != nil {
			return Frame{}, 0, err
		}
		f.Elems = append(f.Elems, e)
		n += m
	}
	return f, n, nil
}

func parseDouble(b []byte) (float64, bool) {
	switch string(b) {
	case "inf", "+inf":
		return math.Inf(1), true
	case "-inf":
		return math.Inf(-1), true
	case "nan", "-nan":
		return math.NaN(), true
	}
	// strconv would also take "Inf", "0x1p3" and "1_0"; RESP3 allows only
	// decimal notation.
	for _, c := range b {
		if !('0' <= c && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil
}

func isBigNumber(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
