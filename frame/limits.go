package frame

import "math"

// Redis's defaults for the limits a parser enforces.
const (
	// DefaultMaxBulkLen is proto-max-bulk-len: 512 MB.
	DefaultMaxBulkLen = 512 << 20
	// DefaultMaxMultibulkLen is the largest element count of a request: INT_MAX.
	DefaultMaxMultibulkLen = math.MaxInt32
	// MaxInlineLen is PROTO_INLINE_MAX_SIZE: an inline request, or the length
	// line of a multibulk request, longer than this is a protocol error.
	MaxInlineLen = 64 << 10
	// DefaultMaxDepth bounds the nesting of aggregates in a reply.
	DefaultMaxDepth = 128

	// UnauthenticatedMaxMultibulkLen and UnauthenticatedMaxBulkLen are the
	// tighter limits Redis applies while requirepass is set and the client
	// has not authenticated, so that an anonymous peer cannot make the server
	// buffer much.
	UnauthenticatedMaxMultibulkLen = 10
	UnauthenticatedMaxBulkLen      = 16384
)

// Limits bound what a parser accepts. A zero field means the default.
type Limits struct {
	// MaxBulkLen is the longest bulk string (proto-max-bulk-len). The
	// reply parser also bounds by it the lines of simple strings, errors
	// and big numbers; integers, lengths and doubles have fixed bounds.
	MaxBulkLen int64
	// MaxMultibulkLen is the most elements in a request or an aggregate.
	// Values above DefaultMaxMultibulkLen are lowered to it in requests.
	MaxMultibulkLen int64
	// MaxDepth is the deepest nesting of aggregates (replies only:
	// requests are flat).
	MaxDepth int
	// Unauthenticated applies Redis's limits for a client that has not
	// authenticated while a password is required: at most 10 elements and
	// 16384-byte bulks per request, with their own error texts. It is
	// checked after MaxBulkLen and MaxMultibulkLen, in Redis's order.
	Unauthenticated bool
}

// Unauthenticated returns the default limits with Limits.Unauthenticated
// set: what Redis applies to a client that has not authenticated while a
// password is required.
func Unauthenticated() Limits {
	return Limits{Unauthenticated: true}
}

func (l Limits) maxBulkLen() int64 {
	if l.MaxBulkLen > 0 {
		return l.MaxBulkLen
	}
	return DefaultMaxBulkLen
}

func (l Limits) maxMultibulkLen() int64 {
	if l.MaxMultibulkLen > 0 {
		return l.MaxMultibulkLen
	}
	return DefaultMaxMultibulkLen
}

func (l Limits) maxDepth() int {
	if l.MaxDepth > 0 {
		return l.MaxDepth
	}
	return DefaultMaxDepth
}
