package server

import "testing"

// TestParseLongDouble covers the syntax strtold accepts, decimal and
// hexadecimal; the wants are what Redis 7.0.15's INCRBYFLOAT of a missing
// key replies ("" for "ERR value is not a valid float").
func TestParseLongDouble(t *testing.T) {
	tests := []struct{ in, want string }{
		// Decimal.
		{"5.", "5"},
		{".5", "0.5"},
		{"1.e3", "1000"},
		{"1E5", "100000"},
		{"1e+5", "100000"},
		{"1e-5", "0.00001"},
		{"1e0009", "1000000000"},
		{".", ""},
		{".e1", ""},
		{"-.e1", ""},
		{"1e+", ""},
		{"1ee5", ""},
		{"1e5.5", ""},
		{"1.5.2", ""},
		{"1p5", ""},
		{"1e0x1", ""},
		// Hexadecimal: hex digits, a decimal exponent of 2 after p.
		{"0x1e", "30"},
		{"0x1e5", "485"},
		{"0x.8", "0.5"},
		{"0x1.p0", "1"},
		{"0x1.8p1", "3"},
		{"0X1P-2", "0.25"},
		{"0x1p+3", "8"},
		{"+0x1p4", "16"},
		{"-0x10", "-16"},
		{"0x", ""},
		{"0x.", ""},
		{"0x.p1", ""},
		{"0xg", ""},
		{"0x1p", ""},
		{"0x1P", ""},
		{"0x1p+", ""},
		{"0x1pa", ""},
		{"0x1pA1", ""},
		{"0x1pp1", ""},
		{"0x1p1.5", ""},
		{"0x1e+5", ""},
		{"0x+1", ""},
		{"0x-1", ""},
		{"0xx1", ""},
		{"00x1", ""},
	}
	for _, tt := range tests {
		f, ok := parseLongDouble([]byte(tt.in))
		switch {
		case ok != (tt.want != ""):
			t.Errorf("parseLongDouble(%q) ok = %v, want %v", tt.in, ok, !ok)
		case ok && string(formatLongDouble(f)) != tt.want:
			t.Errorf("parseLongDouble(%q) = %s, want %s", tt.in, formatLongDouble(f), tt.want)
		}
	}
}
