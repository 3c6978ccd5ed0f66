package frame

import (
	"bytes"
	"math"
	"strconv"
	"unsafe"
)

// Parse parses the frame at the start of buf with Redis's default limits.
// See Parser.Parse. It keeps no state between calls: each call scans buf
// from the start.
func Parse(buf []byte) (Frame, int, error) {
	var p Parser
	return p.Parse(buf)
}

// A Parser parses RESP2 and RESP3 frames of any type, as a client reads
// replies. The zero value is ready to use with the default limits.
//
// A Parser remembers how far it scanned a frame that is not complete yet,
// so a large reply arriving in many reads costs time linear in its size.
// After ErrIncomplete, call Parse again with the same input extended (the
// buffer may move or grow, as long as the unconsumed input still starts at
// buf[0]), or call Reset before parsing something else.
type Parser struct {
	Limits Limits

	// Progress through an incomplete frame.
	pos      int // offset of the first element header not yet scanned
	lineSeen int // bytes of the header at pos known to hold no line end
	// For each open aggregate, outermost first, the elements still due:
	// the first few in an array, so that parsing a shallow frame with a
	// fresh Parser allocates nothing for them, the rest in a slice.
	depth   int
	shallow [8]int64
	deep    []int64
}

// Reset discards the progress through a partly received frame.
func (p *Parser) Reset() {
	p.pos, p.lineSeen, p.depth = 0, 0, 0
}

// due returns the count of elements still due in the i'th open aggregate.
func (p *Parser) due(i int) *int64 {
	if i < len(p.shallow) {
		return &p.shallow[i]
	}
	return &p.deep[i-len(p.shallow)]
}

// open records an aggregate with count elements to come.
func (p *Parser) open(count int64) {
	if p.depth < len(p.shallow) {
		p.shallow[p.depth] = count
	} else {
		p.deep = append(p.deep[:p.depth-len(p.shallow)], count)
	}
	p.depth++
}

// Parse parses the frame at the start of buf and returns it with the number
// of bytes it took up. String payloads alias buf.
//
// If buf holds only part of a frame, Parse returns ErrIncomplete and
// consumes nothing. Parse never allocates for a length it has only been told
// about: a "$500000000" or "*2000000000" header costs nothing until its
// bytes arrive, and a frame's elements are allocated only once all of them
// are in buf. Malformed input gives a *ProtocolError.
//
// An attribute ("|") is returned as a frame of its own, and the reply it
// annotates by the next call; inside an aggregate it counts as an element.
func (p *Parser) Parse(buf []byte) (Frame, int, error) {
	n, err := p.scan(buf)
	if err != nil {
		return Frame{}, 0, err
	}
	var f Frame
	m, err := p.build(buf[:n], 0, &f)
	if err == nil && m != n {
		// scan and build read the same bytes with the same rules.
		err = protocolError("internal error: frame of " + strconv.Itoa(n) + " bytes parsed as " + strconv.Itoa(m))
	}
	if err != nil {
		return Frame{}, 0, err
	}
	return f, n, nil
}

// scan finds the length of the frame at the start of buf, checking every
// element, without building anything. It resumes where the last call that
// ran out of input stopped.
func (p *Parser) scan(buf []byte) (int, error) {
	if p.pos > len(buf) {
		p.Reset() // not the input we were given before: start over
	}
	maxDepth := p.Limits.maxDepth()
	var f Frame
	for {
		n, count, err := p.item(buf[p.pos:], p.lineSeen, &f)
		if err == ErrIncomplete {
			p.lineSeen = n
			return 0, err
		}
		if err != nil {
			p.Reset()
			return 0, err
		}
		p.pos += n
		p.lineSeen = 0
		if f.Type.IsAggregate() && !f.Nil {
			if p.depth >= maxDepth {
				p.Reset()
				return 0, errTooDeep
			}
			if count > 0 {
				p.open(count)
				continue
			}
		}
		// An element ended: it may be the last one its parents were due.
		for p.depth > 0 {
			due := p.due(p.depth - 1)
			*due--
			if *due > 0 {
				break
			}
			p.depth--
		}
		if p.depth == 0 {
			n := p.pos
			p.Reset()
			return n, nil
		}
	}
}

// build parses the frame at the start of b, which scan found complete and
// well formed, into f.
func (p *Parser) build(b []byte, depth int, f *Frame) (int, error) {
	n, count, err := p.item(b, 0, f)
	if err != nil {
		return 0, err
	}
	if !f.Type.IsAggregate() || f.Nil {
		return n, nil
	}
	if depth >= p.Limits.maxDepth() {
		return 0, errTooDeep
	}
	f.Elems = make([]Frame, count)
	for i := range f.Elems {
		m, err := p.build(b[n:], depth+1, &f.Elems[i])
		if err != nil {
			return 0, err
		}
		n += m
	}
	return n, nil
}

var errTooDeep = protocolError("aggregates nested too deeply")

// The longest header line of a length, a count, an integer, a null or a
// boolean: anything longer is not a valid number (LONG_STR_SIZE).
const maxNumberLine = 21

// maxDoubleLine is the longest double hiredis reads ("Double value is too
// large" past it); Redis writes at most 24 bytes.
const maxDoubleLine = 325

// item parses the element at the start of b into f: a scalar whole, an
// aggregate only its header. For an aggregate, count is how many elements
// follow (twice the pairs of a map or attribute). seen is how many bytes
// after the type byte are known to hold no line end. On ErrIncomplete, n is
// that number for the next call.
func (p *Parser) item(b []byte, seen int, f *Frame) (n int, count int64, err error) {
	if len(b) == 0 {
		return 0, 0, ErrIncomplete
	}
	t := Type(b[0])
	maxLine := int64(maxNumberLine)
	switch t {
	case SimpleString, Error, BigNumber:
		maxLine = p.Limits.maxBulkLen()
	case Double:
		maxLine = maxDoubleLine
	case Integer, Null, Boolean, BulkString, BulkError, Verbatim, Array, Set, Push, Map, Attribute:
	default:
		return 0, 0, protocolError("unknown type byte " + quoteShort(b[:1]))
	}
	line, n, err := readLine(b[1:], seen, maxLine)
	if err != nil {
		if err == errLineTooLong {
			err = lineTooLong(t)
		}
		return n, 0, err
	}
	n++ // the type byte
	*f = Frame{Type: t}
	switch t {
	case SimpleString, Error, BigNumber:
		if t == BigNumber && !isBigNumber(line) {
			return 0, 0, protocolError("invalid big number " + quoteShort(line))
		}
		f.Str = line[:len(line):len(line)]
	case Integer:
		v, ok := ParseInt(line)
		if !ok {
			return 0, 0, protocolError("invalid integer " + quoteShort(line))
		}
		f.Int = v
	case Null:
		if len(line) != 0 {
			return 0, 0, protocolError("invalid null " + quoteShort(line))
		}
	case Boolean:
		if len(line) != 1 || (line[0] != 't' && line[0] != 'f') {
			return 0, 0, protocolError("invalid boolean " + quoteShort(line))
		}
		f.Bool = line[0] == 't'
	case Double:
		v, ok := parseDouble(line)
		if !ok {
			return 0, 0, protocolError("invalid double " + quoteShort(line))
		}
		f.Float = v
	case BulkString, BulkError, Verbatim:
		n, err := p.blob(b, line, n, f)
		return n, 0, err
	default:
		return p.aggregateHeader(line, n, f)
	}
	return n, 0, nil
}

// errLineTooLong is turned into the error of the line's type by item.
var errLineTooLong = protocolError("line too long")

func lineTooLong(t Type) error {
	switch t {
	case BulkString, BulkError, Verbatim:
		return ErrInvalidBulkLength
	case Array, Set, Push, Map, Attribute:
		return ErrInvalidMultibulkLength
	}
	return protocolError(t.String() + " too long")
}

// readLine returns the line at the start of b without its CRLF, and the
// length including the CRLF. A line holds no CR or LF of its own, and at
// most max bytes. seen bytes of b are known to hold neither; on
// ErrIncomplete, n is how many bytes are known now.
//
// The first CR or LF decides, and a line too long is so as soon as more than
// max bytes have come without either: the outcome does not depend on how
// much of the input has arrived.
func readLine(b []byte, seen int, max int64) (line []byte, n int, err error) {
	w := b
	if int64(len(w)) > max+1 {
		w = w[:max+1] // a line end past max is too late anyway
	}
	if seen > len(w) {
		seen = 0
	}
	i := -1
	if len(w)-seen <= 32 {
		// Most lines are a few digits: a loop beats two IndexByte calls.
		for j, c := range w[seen:] {
			if c == '\r' || c == '\n' {
				i = j
				break
			}
		}
	} else {
		i = bytes.IndexByte(w[seen:], '\r')
		if i >= 0 {
			w = w[:seen+i+1]
		}
		if lf := bytes.IndexByte(w[seen:], '\n'); lf >= 0 {
			i = lf
		}
	}
	if i < 0 {
		if int64(len(b)) > max {
			return nil, 0, errLineTooLong
		}
		return nil, len(w), ErrIncomplete
	}
	i += seen
	switch {
	case int64(i) > max:
		return nil, 0, errLineTooLong
	case b[i] == '\n':
		return nil, 0, protocolError("line feed without carriage return")
	case i+1 >= len(b):
		return nil, i, ErrIncomplete
	case b[i+1] != '\n':
		return nil, 0, protocolError("carriage return without line feed")
	}
	return b[:i], i + 2, nil
}

// blob reads the payload of the blob whose header line is line, n bytes
// into buf, into f, whose Type is set.
func (p *Parser) blob(buf, line []byte, n int, f *Frame) (int, error) {
	l, ok := ParseInt(line)
	if ok && l == -1 && f.Type == BulkString {
		f.Nil = true
		return n, nil
	}
	if !ok || l < 0 || l > p.Limits.maxBulkLen() {
		return 0, ErrInvalidBulkLength
	}
	rest := buf[n:]
	if int64(len(rest)) < l+2 {
		return 0, ErrIncomplete
	}
	if rest[l] != '\r' || rest[l+1] != '\n' {
		return 0, protocolError(f.Type.String() + " not terminated by CRLF")
	}
	f.Str = rest[:l:l]
	if f.Type == Verbatim {
		if l < 4 || rest[3] != ':' {
			return 0, protocolError("invalid verbatim string")
		}
		copy(f.Format[:], rest[:3])
		f.Str = rest[4:l:l]
	}
	return n + int(l) + 2, nil
}

// aggregateHeader reads the count of the aggregate whose header line is
// line into f, whose Type is set.
func (p *Parser) aggregateHeader(line []byte, n int, f *Frame) (int, int64, error) {
	count, ok := ParseInt(line)
	if ok && count == -1 && f.Type == Array {
		f.Nil = true
		return n, 0, nil
	}
	if !ok || count < 0 || count > p.Limits.maxMultibulkLen() {
		return 0, 0, ErrInvalidMultibulkLength
	}
	if f.Type == Map || f.Type == Attribute {
		count *= 2
	}
	return n, count, nil
}

// parseDouble accepts what hiredis accepts: "inf", "-inf", "nan" and "-nan"
// in any case, and finite numbers in decimal notation.
func parseDouble(b []byte) (float64, bool) {
	switch {
	case equalFold(b, "inf"):
		return math.Inf(1), true
	case equalFold(b, "-inf"):
		return math.Inf(-1), true
	case equalFold(b, "nan"), equalFold(b, "-nan"):
		return math.NaN(), true
	}
	// strconv would also take "Inf", "0x1p3" and "1_0"; RESP3 allows only
	// decimal notation.
	for _, c := range b {
		if !('0' <= c && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, false
		}
	}
	// ParseFloat keeps no reference to its argument once it returns (its
	// error would, but is dropped here), so the line need not be copied.
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	return v, err == nil && !math.IsInf(v, 0)
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

// equalFold reports whether b is s, ignoring ASCII case; s is lower case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// quoteShort quotes the start of b for an error message: a malformed line
// may be long, and the message need not be.
func quoteShort(b []byte) string {
	const max = 32
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}
