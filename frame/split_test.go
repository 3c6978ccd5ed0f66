package frame

import "testing"

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"dump.rdb", `"dump.rdb"`},
		{"a b", `"a b"`},
		{"it's", `"it's"`},
		{`a"b\c`, `"a\"b\\c"`},
		{`\x41`, `"\\x41"`},
		{"\n\r\t\a\b", `"\n\r\t\a\b"`},
		{"\v\f", `"\x0b\x0c"`},
		{"\x00\x1f\x7f\x80\xff", `"\x00\x1f\x7f\x80\xff"`},
		{" ~", `" ~"`},
		{"é", `"\xc3\xa9"`},
		{"\x00\x7f\xff é", `"\x00\x7f\xff \xc3\xa9"`},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if got := AppendQuote([]byte("x "), []byte(tt.in)); string(got) != "x "+tt.want {
			t.Errorf("AppendQuote(%q, %q) = %s, want x %s", "x ", tt.in, got, tt.want)
		}
		// A quoted string splits back into itself.
		args, ok := SplitArgs([]byte(tt.want), nil)
		if !ok || len(args) != 1 || string(args[0]) != tt.in {
			t.Errorf("SplitArgs(%s) = %q, %v; want [%q]", tt.want, strs(args), ok, tt.in)
		}
	}
}
