package client

import (
	"fmt"
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
			return dst[:start], fmt.Errorf("client: argument of unsupported type %T", a)
		}
	}
	return dst, nil
}

// appendArg appends one argument as a bulk string.
func appendArg(dst []byte, a any) ([]byte, bool) {
	switch v := a.(type) {
	case string:
		return frame.AppendBulkString(dst, v), true
	case []byte:
		return frame.AppendBulk(dst, v), true
	case int:
		return frame.AppendBulkInt(dst, int64(v)), true
	case int64:
		return frame.AppendBulkInt(dst, v), true
	case int32:
		return frame.AppendBulkInt(dst, int64(v)), true
	case int16:
		return frame.AppendBulkInt(dst, int64(v)), true
	case int8:
		return frame.AppendBulkInt(dst, int64(v)), true
	case uint:
		return appendBulkUint(dst, uint64(v)), true
	case uint64:
		return appendBulkUint(dst, v), true
	case uint32:
		return frame.AppendBulkInt(dst, int64(v)), true
	case uint16:
		return frame.AppendBulkInt(dst, int64(v)), true
	case uint8:
		return frame.AppendBulkInt(dst, int64(v)), true
	case float64:
		return appendBulkFloat(dst, v), true
	case float32:
		return appendBulkFloat(dst, float64(v)), true
	case bool:
		if v {
			return frame.AppendBulkString(dst, "1"), true
		}
		return frame.AppendBulkString(dst, "0"), true
	}
	return dst, false
}

func appendBulkUint(dst []byte, n uint64) []byte {
	var b [20]byte
	return frame.AppendBulk(dst, strconv.AppendUint(b[:0], n, 10))
}

// appendBulkFloat writes f as Redis parses it: the shortest decimal that
// reads back as f, and "inf"/"-inf" for the infinities.
func appendBulkFloat(dst []byte, f float64) []byte {
	var b [32]byte
	return frame.AppendBulk(dst, strconv.AppendFloat(b[:0], f, 'g', -1, 64))
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
