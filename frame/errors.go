package frame

import "errors"

// ErrIncomplete is returned by the parsers when the buffer holds only the
// beginning of a frame. Nothing is consumed; call again with more bytes.
var ErrIncomplete = errors.New("frame: incomplete frame")

// A ProtocolError reports input that breaks the protocol. Its message is the
// text Redis replies with after "ERR ", e.g. "Protocol error: invalid bulk
// length". After a protocol error the stream cannot be resynchronised: Redis
// replies with the error and closes the connection.
type ProtocolError struct {
	Reason string // e.g. "invalid bulk length"
}

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Reason }

func protocolError(reason string) error { return &ProtocolError{Reason: reason} }

// The protocol errors of Redis 7's request parser (networking.c), word for
// word. RequestParser returns these very values, so errors.Is matches them;
// the one error with a variable text, "expected '$', got 'X'", is a
// *ProtocolError built per call.
var (
	// ErrInvalidMultibulkLength: a request's element count is not a number
	// or exceeds INT_MAX ("*x", "*01", "*2147483648").
	ErrInvalidMultibulkLength error = &ProtocolError{Reason: "invalid multibulk length"}
	// ErrInvalidBulkLength: a bulk length is not a number, is negative, or
	// exceeds proto-max-bulk-len.
	ErrInvalidBulkLength error = &ProtocolError{Reason: "invalid bulk length"}
	// ErrUnauthenticatedMultibulkLength: more than 10 elements from a client
	// that must authenticate first.
	ErrUnauthenticatedMultibulkLength error = &ProtocolError{Reason: "unauthenticated multibulk length"}
	// ErrUnauthenticatedBulkLength: a bulk longer than 16384 bytes from a
	// client that must authenticate first.
	ErrUnauthenticatedBulkLength error = &ProtocolError{Reason: "unauthenticated bulk length"}
	// ErrTooBigMbulkCount: 64 KB without the CR that ends a request's count line.
	ErrTooBigMbulkCount error = &ProtocolError{Reason: "too big mbulk count string"}
	// ErrTooBigBulkCount: 64 KB without the CR that ends a bulk length line.
	ErrTooBigBulkCount error = &ProtocolError{Reason: "too big bulk count string"}
	// ErrTooBigInline: 64 KB of an inline request without its newline.
	ErrTooBigInline error = &ProtocolError{Reason: "too big inline request"}
	// ErrUnbalancedQuotes: an inline request whose quotes do not close, or
	// whose closing quote is followed by something other than a space.
	ErrUnbalancedQuotes error = &ProtocolError{Reason: "unbalanced quotes in request"}
)

// expectedDollar is Redis's reply to a multibulk element that is not a bulk
// string.
func expectedDollar(got byte) error {
	return &ProtocolError{Reason: "expected '$', got '" + string([]byte{got}) + "'"}
}
