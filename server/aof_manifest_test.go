package server

import (
	"bytes"
	"testing"
)

// TestParseManifest checks Redis 7.0's manifest syntax and its errors.
func TestParseManifest(t *testing.T) {
	tests := []struct {
		name, in, err string
		base          string
		incrs         int
	}{
		{name: "as redis writes it", in: "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
			base: "appendonly.aof.1.base.rdb", incrs: 1},
		{name: "history and comments", in: "# c\nfile a.2.base.aof seq 2 type b\nfile a.1.base.aof seq 1 type h\nfile a.2.incr.aof seq 2 type i\nfile a.3.incr.aof seq 3 type i\n",
			base: "a.2.base.aof", incrs: 2},
		{name: "quoted name", in: "file \"a b\\x41\" seq 1 type b\n", base: "a bA"},
		{name: "no newline", in: "file a seq 1 type b", err: "The AOF manifest file is invalid format"},
		{name: "odd fields", in: "file a seq 1 type\n", err: "Invalid AOF manifest file format"},
		{name: "path", in: "file x/a seq 1 type b\n", err: "File can't be a path, just a filename"},
		{name: "two bases", in: "file a seq 1 type b\nfile b seq 2 type b\n", err: "Found duplicate base file information"},
		{name: "non-monotonic", in: "file a seq 2 type i\nfile b seq 2 type i\n", err: "Found a non-monotonic sequence number"},
		{name: "empty", in: "", err: "Found an empty AOF manifest"},
		{name: "bad seq", in: "file a seq x type b\n", err: "Invalid AOF manifest file format"},
		{name: "long line", in: "file " + string(bytes.Repeat([]byte("a"), 1100)) + " seq 1 type b\n", err: "The AOF manifest file contains too long line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseManifest([]byte(tt.in))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.base == nil || m.base.name != tt.base || len(m.incrs) != tt.incrs {
				t.Fatalf("parsed %+v", m)
			}
			// What we write reads back the same.
			again, err := parseManifest(m.encode())
			if err != nil || !bytes.Equal(again.encode(), m.encode()) {
				t.Fatalf("round trip: %v %q", err, m.encode())
			}
		})
	}
	// Our encoding of Redis's own manifest is byte for byte Redis's.
	in := "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
	m, _ := parseManifest([]byte(in))
	if got := string(m.encode()); got != in {
		t.Errorf("encode %q, want %q", got, in)
	}
}

// FuzzParseManifest checks the parser never panics and that whatever it
// accepts re-encodes to a manifest it reads back the same.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"))
	f.Add([]byte("file \"a\\\"b\" seq 3 type h\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseManifest(data)
		if err != nil {
			return
		}
		again, err := parseManifest(m.encode())
		if err != nil {
			t.Fatalf("re-encoded manifest %q refused: %v", m.encode(), err)
		}
		if !bytes.Equal(again.encode(), m.encode()) {
			t.Fatalf("round trip changed %q to %q", m.encode(), again.encode())
		}
	})
}
