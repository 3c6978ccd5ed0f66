package main

import (
	"bytes"
	"math"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		f    frame.Frame
		want string
	}{
		{frame.NewSimple("OK"), "OK\n"},
		{frame.NewError("ERR bad"), "(error) ERR bad\n"},
		{frame.NewInteger(3), "(integer) 3\n"},
		{frame.NewBulkString("a\"b\n\x01"), "\"a\\\"b\\n\\x01\"\n"},
		{frame.NewNullBulk(), "(nil)\n"},
		{frame.NewNull(), "(nil)\n"},
		{frame.NewBool(true), "(true)\n"},
		{frame.NewDouble(math.Inf(-1)), "(double) -inf\n"},
		{frame.NewArray(), "(empty array)\n"},
		{frame.NewArray(frame.NewBulkString("a"), frame.NewInteger(1)), "1) \"a\"\n2) (integer) 1\n"},
		{frame.NewArray(frame.NewArray(frame.NewBulkString("x"), frame.NewBulkString("y")), frame.NewBulkString("z")),
			"1) 1) \"x\"\n   2) \"y\"\n2) \"z\"\n"},
		{frame.NewMap(frame.NewBulkString("k"), frame.NewInteger(1)), "1# \"k\" => (integer) 1\n"},
	} {
		if got := format(tc.f, ""); got != tc.want {
			t.Errorf("format(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestFormatRaw(t *testing.T) {
	f := frame.NewArray(frame.NewBulkString("a"), frame.NewInteger(2), frame.NewNullBulk())
	if got := formatRaw(f); got != "a\n2\n\n" {
		t.Errorf("formatRaw = %q", got)
	}
	// Doubles and booleans print their value alone, without its type.
	f = frame.NewArray(frame.NewDouble(1.5), frame.NewDouble(math.Inf(1)), frame.NewBool(true), frame.NewBool(false))
	if got := formatRaw(f); got != "1.5\ninf\n1\n0\n" {
		t.Errorf("formatRaw of doubles and booleans = %q", got)
	}
}

func TestUsageWithoutCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(nil, &out, &errOut); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	if !bytes.Contains(errOut.Bytes(), []byte("usage:")) {
		t.Errorf("no usage message: %q", errOut.String())
	}
}
