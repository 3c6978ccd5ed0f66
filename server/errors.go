package server

import (
	"bytes"
	"strings"
)

// Error replies, in Redis 7's words.
const (
	errSyntax          = "ERR syntax error"
	errNotInteger      = "ERR value is not an integer or out of range"
	errNotFloat        = "ERR value is not a valid float"
	errWrongType       = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errNoSuchKey       = "ERR no such key"
	errSameObject      = "ERR source and destination objects are the same"
	errDBIndexRange    = "ERR DB index is out of range"
	errOverflow        = "ERR increment or decrement would overflow"
	errDecrOverflow    = "ERR decrement would overflow"
	errNaNOrInfinity   = "ERR increment would produce NaN or Infinity"
	errStringTooLong   = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	errOffsetRange     = "ERR offset is out of range"
	errBitOffset       = "ERR bit offset is not an integer or out of range"
	errBitValue        = "ERR bit is not an integer or out of range"
	errBitArgument     = "ERR The bit argument must be 1 or 0."
	errBitopNot        = "ERR BITOP NOT must be called with a single source key."
	errBitfieldType    = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	errOverflowType    = "ERR Invalid OVERFLOW type specified"
	errBitfieldRO      = "ERR BITFIELD_RO only supports the GET subcommand"
	errInvalidCursor   = "ERR invalid cursor"
	errLCSKeysNotStr   = "ERR The specified keys must contain string values"
	errLCSLenAndIdx    = "ERR If you want both the length and indexes, please just use IDX."
	errLCSMemory       = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
	errExpireNXOptions = "ERR NX and XX, GT or LT options at the same time are not compatible"
	errExpireGTLT      = "ERR GT and LT options at the same time are not compatible"
	errLFUSelected     = "ERR An LFU maxmemory policy is selected, idle time not tracked. " +
		"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	errLFUNotSelected = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
		"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// wrongArity is the reply to a command called with the wrong number of
// arguments.
func wrongArity(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// unknownCommand is Redis's reply to a command it does not have: the name
// and the first arguments, each cut to fit in 128 bytes.
func unknownCommand(args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.Write(cString(args[0], 128))
	b.WriteString("', with args beginning with: ")
	shown := 0
	for _, a := range args[1:] {
		if shown >= 128 {
			break
		}
		a = cString(a, 128-shown)
		b.WriteByte('\'')
		b.Write(a)
		b.WriteString("' ")
		shown += len(a) + 3
	}
	return b.String()
}

// cString is what C's "%.<n>s" prints of b: up to n bytes, and nothing
// from a NUL on.
func cString(b []byte, n int) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return b[:min(len(b), n)]
}

// unknownSubcommand is the reply to OBJECT FOO and the like.
func unknownSubcommand(sub []byte, container string) string {
	return "ERR unknown subcommand '" + string(cString(sub, 128)) +
		"'. Try " + strings.ToUpper(container) + " HELP."
}

// invalidExpire is the reply to a non-positive or overflowing expire time.
func invalidExpire(cmd string) string {
	return "ERR invalid expire time in '" + cmd + "' command"
}

// subcommandSyntax is the reply of commands that check a subcommand's
// arguments themselves (addReplySubcommandSyntaxError).
func subcommandSyntax(sub []byte, container string) string {
	return "ERR unknown subcommand or wrong number of arguments for '" + string(cString(sub, 128)) +
		"'. Try " + container + " HELP."
}
