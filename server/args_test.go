package server

import "testing"

// is compares as Redis's strcasecmp does: letter case aside, and the
// argument ending at its first NUL.
func TestIsComparesAsStrcasecmp(t *testing.T) {
	for _, tc := range []struct {
		arg, kw string
		want    bool
	}{
		{"nx", "nx", true},
		{"NX", "nx", true},
		{"nX\x00", "nx", true},
		{"nx\x00junk", "nx", true},
		{"nxx", "nx", false},
		{"n", "nx", false},
		{"", "nx", false},
		{"\x00nx", "nx", false},
		{"n\x00x", "nx", false},
		{"incr", "incr", true},
		{"INCRBY", "incr", false},
	} {
		if got := is([]byte(tc.arg), tc.kw); got != tc.want {
			t.Errorf("is(%q, %q) = %v, want %v", tc.arg, tc.kw, got, tc.want)
		}
	}
}
