package listpack

import (
	"strings"
	"testing"
)

func TestEntrySize(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"0", 2}, {"127", 2}, {"128", 3}, {"-1", 3}, {"-4096", 3}, {"4096", 4},
		{"32767", 4}, {"32768", 5}, {"8388608", 6}, {"2147483648", 10},
		{"-9223372036854775808", 10},
		{"", 2}, {"a", 3}, {"01", 4}, {"+1", 4}, {"-0", 4}, {"1.5", 5},
		{strings.Repeat("x", 63), 65},
		{strings.Repeat("x", 64), 64 + 2 + 1},
		{strings.Repeat("x", 125), 125 + 2 + 1}, // 127 bytes before the backlen
		{strings.Repeat("x", 126), 126 + 2 + 2}, // 128
		{strings.Repeat("x", 4095), 4095 + 2 + 2},
		{strings.Repeat("x", 4096), 4096 + 5 + 2},
		{strings.Repeat("x", 20000), 20000 + 5 + 3},
	}
	for _, tt := range tests {
		if got := EntrySize([]byte(tt.in)); got != tt.want {
			t.Errorf("EntrySize(%.20q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestBacklenSize(t *testing.T) {
	for _, tt := range []struct {
		l    uint64
		want int
	}{{1, 1}, {127, 1}, {128, 2}, {16382, 2}, {16383, 3}, {2097150, 3}, {2097151, 4}, {268435454, 4}, {268435455, 5}} {
		if got := BacklenSize(tt.l); got != tt.want {
			t.Errorf("BacklenSize(%d) = %d, want %d", tt.l, got, tt.want)
		}
	}
}
