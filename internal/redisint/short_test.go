package redisint

import (
	"strconv"
	"testing"
)

// Every string of one or two bytes, which Parse reads without its loop,
// parses as the canonical decimal of an int64 would: the number, if
// formatting it gives the string back.
func TestParseShortStrings(t *testing.T) {
	check := func(b []byte) {
		t.Helper()
		want, err := strconv.ParseInt(string(b), 10, 64)
		wantOK := err == nil && strconv.FormatInt(want, 10) == string(b)
		if !wantOK {
			want = 0
		}
		if got, ok := Parse(b); got != want || ok != wantOK {
			t.Errorf("Parse(%q) = %d, %v; want %d, %v", b, got, ok, want, wantOK)
		}
	}
	for i := range 256 {
		check([]byte{byte(i)})
		for j := range 256 {
			check([]byte{byte(i), byte(j)})
		}
	}
}
