package server

import (
	"strings"
	"testing"
)

// Differential tests of the stream commands, run as the other
// collections' are (runCollectionScripts: RESP2 and RESP3, keyspace
// lookups and the dirty count compared after every step). Entries get
// explicit IDs, so the replies are the same on both servers; "*" IDs,
// which depend on each server's clock, are compared by shape.

var streamDiffScripts = map[string][]step{
	"xadd xlen xrange": {
		s("XADD s 1-1 a 1"), s("XADD s 1-2 b 2 c 3"), s("XLEN s"), s("XRANGE s - +"), s("XREVRANGE s + -"),
		s("XADD s 1-2 x y"), s("XADD s 1-1 x y"), s("XADD s 0-0 x y"), s("XADD s 0 x y"), s("XADD new 0-0 x y"),
		s("EXISTS new"), s("XADD s 1-* d 4"), s("XADD s 2-* e 5"), s("XADD s 2 f 6"), s("XADD s 3-5 g 7"),
		s("XRANGE s - + COUNT 2"), s("XRANGE s - + COUNT 0"), s("XRANGE s - + COUNT -1"), s("XRANGE s 1 1"),
		s("XRANGE s 1-2 2"), s("XRANGE s (1-2 (3-5"), s("XREVRANGE s (3-5 (1-2 COUNT 1"), s("XRANGE s 2 +"),
		s("XRANGE s ( +"), s("XRANGE s (- +"), s("XRANGE s - (+"), s("XRANGE s (0-0 +"), s("XRANGE s - (0-0"),
		s("XRANGE s (18446744073709551615-18446744073709551615 +"), s("XRANGE s 5 1"), s("XRANGE s - + COUNT"),
		s("XRANGE s - + COUNT x"), s("XRANGE s - + LIMIT 1"), s("XRANGE s x +"), s("XRANGE s - x"), s("XRANGE s 1-x +"),
		s("XRANGE s -1 +"), s("XRANGE s +1 +"), s("XRANGE s 01 +"), q("XRANGE", "s", " 1", "+"), s("XRANGE s 1- +"),
		s("XRANGE s -0 +"), s("XRANGE s 18446744073709551616 +"), s("XRANGE missing - +"), s("XLEN missing"),
		s("XRANGE missing - + COUNT 0"), s("XADD s"), s("XADD s 4-0"), s("XADD s 4-0 a"), s("XADD s 4-0 a b c"),
		s("XADD s 5-x a b"), s("XADD s -5 a b"), s("XADD s 5-5-5 a b"), q("XADD", "s", "6\x00zz", "a", "b"),
		s("XRANGE s 6 6"), s("SET str v"), s("XADD str 1-1 a b"), s("XLEN str"), s("XRANGE str - +"),
		s("XREVRANGE str + -"), s("TYPE s"), s("OBJECT ENCODING s"), scan("TYPE stream"),
		s("XADD big 18446744073709551615-18446744073709551614 a b"), s("XADD big 18446744073709551615-* a b"),
		s("XADD big 18446744073709551615-* a b"), s("XADD big 1-1 a b"), s("XADD big * a b"),
		s("XRANGE big - +"), s("XADD ov 5-18446744073709551615 a b"), s("XADD ov 5-* a b"), s("XADD ov 6-* a b"),
		like("XADD auto * a b"), like("XADD auto * a b"), s("XLEN auto"), s("XADD s NOMKSTREAM 7-0 a b"),
		s("XADD nom NOMKSTREAM 1-1 a b"), s("EXISTS nom"), s("XADD nom NOMKSTREAM * a b"), s("XLEN s"),
		s("XADD s 1e3 a b"), s("XADD s 8 x"),
	},
}

func TestStreamDifferential(t *testing.T) {
	runCollectionScripts(t, streamDiffScripts)
}

// TestStreamCommandsAreCovered keeps the scripts honest: every stream
// command appears in one.
func TestStreamCommandsAreCovered(t *testing.T) {
	used := map[string]bool{}
	for _, script := range streamDiffScripts {
		for _, st := range script {
			used[strings.ToLower(st.args[0])] = true
		}
	}
	for _, cmd := range streamCommands() {
		if !used[cmd.name] {
			t.Errorf("command %s has no differential test", cmd.name)
		}
	}
}
