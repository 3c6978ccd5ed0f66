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

// Value types: the byte before a key. Those mini-redis reads are named;
// typeName names them all.
const (
	typeString         = 0
	typeList           = 1  // a length, then the elements (Redis before 3.2)
	typeSet            = 2  // a length, then the members
	typeZSet           = 3  // a length, then members and scores as text (Redis before 4.0)
	typeHash           = 4  // a length, then fields and values
	typeZSet2          = 5  // a length, then members and binary scores
	typeHashZipmap     = 9  // a zipmap blob (Redis before 2.6)
	typeListZiplist    = 10 // a ziplist blob (Redis before 3.2)
	typeSetIntset      = 11 // an intset blob
	typeZSetZiplist    = 12 // a ziplist blob of members and scores (Redis before 7.0)
	typeHashZiplist    = 13 // a ziplist blob of fields and values (Redis before 7.0)
	typeListQuicklist  = 14 // nodes, each a ziplist blob (Redis 3.2 to 6.2)
	typeHashListpack   = 16 // a listpack blob of fields and values (Redis 7.0)
	typeZSetListpack   = 17 // a listpack blob of members and scores (Redis 7.0)
	typeListQuicklist2 = 18 // nodes, each a container kind and a blob (Redis 7.0)
	typeSetListpack    = 20 // a listpack blob of members (Redis 7.2)
)

// Quicklist node containers in a typeListQuicklist2 value.
const (
	containerPlain  = 1 // the node is one element, as it is
	containerPacked = 2 // the node is a listpack of elements
)

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

// Type is the type of an Entry's value.
type Type uint8

// The value types Reader and Writer know. The zero value is a string, so
// an Entry that sets only Value is a string key.
const (
	TypeString Type = iota
	TypeList
	TypeHash
	TypeSet
	TypeZSet
	TypeStream
)

// String returns the name Redis's TYPE command gives the type.
func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeList:
		return "list"
	case TypeHash:
		return "hash"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	case TypeStream:
		return "stream"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Encoding names, as Redis's OBJECT ENCODING and redis-check-rdb call the
// encodings of collections in RDB files. See Entry.Encoding.
const (
	EncodingQuicklist  = "quicklist"  // a list of listpack (or ziplist) nodes
	EncodingLinkedList = "linkedlist" // a list, element by element (old files)
	EncodingListpack   = "listpack"   // a hash (or set) in one listpack
	EncodingZiplist    = "ziplist"    // a list or hash in one ziplist (old files)
	EncodingZipmap     = "zipmap"     // a hash in one zipmap (Redis 2.4 files)
	EncodingHashtable  = "hashtable"  // a hash or set, element by element
	EncodingIntset     = "intset"     // a set of integers in one intset
	EncodingSkiplist   = "skiplist"   // a sorted set, member by member
)

// A HashPair is one field of a hash and its value.
type HashPair struct {
	Field, Value []byte
}

// An Entry is one key read from or written to an RDB file.
type Entry struct {
	DB    int    // database number (SELECT index)
	Key   []byte // the key
	Type  Type   // the type of the value; TypeString unless set
	Value []byte // a string's value
	// Elems are a list's elements, head first, a set's members, or a
	// sorted set's members.
	Elems [][]byte
	// Scores are a sorted set's scores, Scores[i] the score of Elems[i],
	// never NaN. Reader gives the members in the file's order, which for
	// a skiplist Redis writes from the highest score down; Writer takes
	// them in ascending order (by score, then by member), as ZRANGE gives
	// them.
	Scores []float64
	// Pairs are a hash's fields and values.
	Pairs []HashPair
	// Stream is a stream's value (Type TypeStream; Encoding is then
	// "stream"). Writer writes it as RDB type 19.
	Stream *Stream
	// Encoding is a collection's encoding in the file. Reader sets it to
	// the record's: for a list EncodingQuicklist, or EncodingZiplist or
	// EncodingLinkedList in old files; for a hash EncodingListpack or
	// EncodingHashtable, or EncodingZiplist or EncodingZipmap in old files;
	// for a set EncodingIntset or EncodingHashtable (EncodingListpack in
	// Redis 7.2 files); for a sorted set EncodingListpack or
	// EncodingSkiplist, or EncodingZiplist in old files. Redis 7.0 loads
	// every list as a quicklist and
	// converts the others by its thresholds (see the package doc). Writer
	// writes a list as a quicklist of listpacks whatever it says, a hash
	// element by element if it is EncodingHashtable and as a listpack
	// otherwise, a set as an intset if it is EncodingIntset (every
	// member must then be an integer) and element by element otherwise,
	// and a sorted set member by member if it is EncodingSkiplist and as a
	// listpack otherwise.
	Encoding string
	// ExpireAt is when the key expires, in unix milliseconds, or 0 when it
	// does not. Reader returns keys whose expiry has passed, since whether
	// they count as expired depends on the caller's clock; an expiry at or
	// before the epoch reads as 1, just as much in the past.
	ExpireAt int64
}

// Errors that an *Error may wrap, for errors.Is.
var (
	// ErrUnsupported: the file is well formed but holds something that
	// mini-redis cannot load (module data, another
	// format version).
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
