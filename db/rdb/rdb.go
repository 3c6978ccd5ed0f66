package rdb

import (
	"errors"
	"fmt"
)

// Format versions. Redis 7.0 writes version 10; Redis 5 and 6 write 9 and
// Redis 7.2 writes 11, which use the same encoding for strings.
const (
	Version    = 10 // what Writer writes
	MinVersion = 9  // the oldest version Reader accepts
	MaxVersion = 11 // the newest version Reader accepts
)

// DefaultRedisVersion is the "redis-ver" AUX field Writer records unless
// told otherwise: the Redis release whose RDB format (version 10) mini-redis
// writes. Redis only logs this field when loading.
const DefaultRedisVersion = "7.0.15"

// Opcodes that may stand where a value type is expected.
const (
	opFunction2    = 0xf5 // a function library (Redis 7.0)
	opFunctionPre  = 0xf6 // a function library (Redis 7.0 release candidates)
	opModuleAux    = 0xf7 // module auxiliary data
	opIdle         = 0xf8 // LRU idle time of the next key, in seconds
	opFreq         = 0xf9 // LFU frequency of the next key
	opAux          = 0xfa // a metadata field: two strings
	opResizeDB     = 0xfb // sizes of the current database and its expires
	opExpireTimeMs = 0xfc // expiry of the next key, unix milliseconds
	opExpireTime   = 0xfd // expiry of the next key, unix seconds
	opSelectDB     = 0xfe // the database the next keys belong to
	opEOF          = 0xff // end of data; the checksum follows
)

// typeString is the only value type mini-redis stores.
const typeString = 0

// Length and string encodings: the top two bits of a length's first byte.
const (
	len6Bit  = 0    // 00xxxxxx: the length is the low 6 bits
	len14Bit = 1    // 01xxxxxx yyyyyyyy: 14 bits, big-endian
	len32Bit = 0x80 // 10000000 + 4 bytes big-endian
	len64Bit = 0x81 // 10000001 + 8 bytes big-endian
	lenEnc   = 3    // 11xxxxxx: a special string encoding follows

	encInt8  = 0 // 11000000 + 1 byte: a signed integer
	encInt16 = 1 // 11000001 + 2 bytes little-endian
	encInt32 = 2 // 11000010 + 4 bytes little-endian
	encLZF   = 3 // 11000011 + compressed length + length + LZF data
)

// An Entry is one key read from or written to an RDB file.
type Entry struct {
	DB    int    // database number (SELECT index)
	Key   []byte // the key
	Value []byte // the string value
	// ExpireAt is when the key expires, in unix milliseconds, or 0 when it
	// does not. Reader returns keys whose expiry has passed, since whether
	// they count as expired depends on the caller's clock; an expiry at or
	// before the epoch reads as 1, just as much in the past.
	ExpireAt int64
}

// Errors that an *Error may wrap, for errors.Is.
var (
	// ErrUnsupported: the file is well formed but holds something that
	// mini-redis cannot load (a value type other than string, module data,
	// functions, another format version).
	ErrUnsupported = errors.New("unsupported")
	// ErrChecksum: the data does not match the checksum at its end.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrCorrupt: the data is not valid RDB.
	ErrCorrupt = errors.New("corrupt")
)

// An Error is a problem found in an RDB stream, with the byte offset at
// which the offending item starts (or, for a truncated file, where the
// data ended). Err is ErrUnsupported, ErrChecksum, ErrCorrupt,
// io.ErrUnexpectedEOF or the underlying reader's error.
type Error struct {
	Offset int64  // byte offset in the stream
	Msg    string // what is wrong, in Redis's wording where Redis has one
	Err    error  // the kind of problem, for errors.Is
}

// Error returns "rdb: <Msg> at offset <Offset>".
func (e *Error) Error() string {
	return fmt.Sprintf("rdb: %s at offset %d", e.Msg, e.Offset)
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// typeName names value type t for an error message, as Redis's
// redis-check-rdb does, with the kind of value in front. It reports
// false for a type that RDB versions up to 11 do not define.
func typeName(t byte) (string, bool) {
	switch t {
	case 0:
		return "string", true
	case 1:
		return "list linked-list", true
	case 2:
		return "set hashtable", true
	case 3:
		return "zset v1", true
	case 4:
		return "hash hashtable", true
	case 5:
		return "zset v2", true
	case 6:
		return "module pre-release", true
	case 7:
		return "module value", true
	case 9:
		return "hash zipmap", true
	case 10:
		return "list ziplist", true
	case 11:
		return "set intset", true
	case 12:
		return "zset ziplist", true
	case 13:
		return "hash ziplist", true
	case 14:
		return "list quicklist", true
	case 15:
		return "stream", true
	case 16:
		return "hash listpack", true
	case 17:
		return "zset listpack", true
	case 18:
		return "list quicklist-v2", true
	case 19:
		return "stream v2", true
	case 20:
		return "set listpack", true
	case 21:
		return "stream v3", true
	}
	return "", false
}
