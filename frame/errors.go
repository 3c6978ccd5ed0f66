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

// Errors Redis 7 replies with, word for word.
var (
	errInvalidMultibulkLength = protocolError("invalid multibulk length")
	errInvalidBulkLength      = protocolError("invalid bulk length")
	errTooBigMbulkCount       = protocolError("too big mbulk count string")
	errTooBigBulkCount        = protocolError("too big bulk count string")
	errTooBigInline           = protocolError("too big inline request")
	errUnbalancedQuotes       = protocolError("unbalanced quotes in request")
)

// expectedDollar is Redis's reply to a multibulk element that is not a bulk string.
func expectedDollar(got byte) error {
	return protocolError("expected '$', got '" + string([]byte{got}) + "'")
}
