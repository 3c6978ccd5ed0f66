package client

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/mini-redis/mini-redis/frame"
)

// appendCommand appends args to dst as a RESP array of bulk strings. An
// argument is a string, a []byte, an integer, a float, or a bool (sent as
// 1 or 0); anything else is an error, and nothing is appended.
func appendCommand(dst []byte, args []any) ([]byte, error) {
	if len(args) == 0 {
		return dst, errEmptyCommand
	}
	start := len(dst)
	dst = frame.AppendArrayLen(dst, len(args))
	for _, a := range args {
		var ok bool
		if dst, ok = appendArg(dst, a); !ok {
			return dst[:start], fmt.Errorf("client: argument of unsupported type %s", reflect.TypeOf(a))
		}
	}
	return dst, nil
}

// appendArg appends one argument as a bulk string.
func appendArg(dst []byte, a any) ([]byte, bool) {
	switch v := a.(type) {
	case string:
		return appendBulkString(dst, v), true
	case []byte:
		return appendBulk(dst, v), true
	case int:
		return appendBulkInt(dst, int64(v)), true
	case int64:
		return appendBulkInt(dst, v), true
	case int32:
		return appendBulkInt(dst, int64(v)), true
	case int16:
		return appendBulkInt(dst, int64(v)), true
	case int8:
		return appendBulkInt(dst, int64(v)), true
	case uint:
		return appendBulkUint(dst, uint64(v)), true
	case uint64:
		return appendBulkUint(dst, v), true
	case uint32:
		return appendBulkInt(dst, int64(v)), true
	case uint16:
		return appendBulkInt(dst, int64(v)), true
	case uint8:
		return appendBulkInt(dst, int64(v)), true
	case float64:
		return appendBulkFloat(dst, v), true
	case float32:
		return appendBulkFloat(dst, float64(v)), true
	case bool:
		if v {
			return appendBulkString(dst, "1"), true
		}
		return appendBulkString(dst, "0"), true
	}
	return dst, false
}

// appendBulkString is frame.AppendBulkString, which, being generic, leaks
// its argument to the heap: with it every string argument of a command
// would cost an allocation.
func appendBulkString(dst []byte, s string) []byte {
	dst = strconv.AppendInt(append(dst, '$'), int64(len(s)), 10)
	dst = append(append(dst, '\r', '\n'), s...)
	return append(dst, '\r', '\n')
}

// appendBulk is appendBulkString for a []byte.
func appendBulk(dst, b []byte) []byte {
	dst = strconv.AppendInt(append(dst, '$'), int64(len(b)), 10)
	dst = append(append(dst, '\r', '\n'), b...)
	return append(dst, '\r', '\n')
}

func appendBulkUint(dst []byte, n uint64) []byte {
	var b [20]byte
	return appendBulk(dst, strconv.AppendUint(b[:0], n, 10))
}

// appendBulkFloat writes f as Redis parses it: the shortest decimal that
// reads back as f, and "inf"/"-inf" for the infinities.
func appendBulkFloat(dst []byte, f float64) []byte {
	var b [32]byte
	return appendBulk(dst, strconv.AppendFloat(b[:0], f, 'g', -1, 64))
}

// StringArgs converts strings to the arguments Do takes, as for a command
// read as text: c.Do(ctx, client.StringArgs(words)...).
func StringArgs(ss []string) []any {
	args := make([]any, len(ss))
	for i, s := range ss {
		args[i] = s
	}
	return args
}

// appendBulkInt appends n as a bulk string of its decimal digits, as
// frame.AppendBulkInt does, without its allocation (see
// appendBulkString).
func appendBulkInt(dst []byte, n int64) []byte {
	var b [20]byte
	return appendBulk(dst, strconv.AppendInt(b[:0], n, 10))
}
