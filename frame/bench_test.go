package frame

import (
	"strconv"
	"testing"
)

// The figures are recorded in README.md; reproduce them with
//
//	go test -run='^$' -bench=. -benchmem -count=5 ./frame

var (
	benchSet = []byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
	// RPUSH list with 98 values: 100 bulk strings in all.
	benchArray100 = func() []byte {
		args := [][]byte{[]byte("RPUSH"), []byte("list")}
		for i := 0; i < 98; i++ {
			args = append(args, []byte("value:"+strconv.Itoa(i)))
		}
		return AppendCommand(nil, args...)
	}()
	benchFrame100 = func() Frame {
		elems := make([]Frame, 100)
		for i := range elems {
			elems[i] = NewBulkString("value:" + strconv.Itoa(i))
		}
		return NewArray(elems...)
	}()
)

func benchmarkRequestParser(b *testing.B, in []byte, nargs int) {
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	var p RequestParser
	var args [][]byte
	for i := 0; i < b.N; i++ {
		var err error
		var n int
		args, n, err = p.Parse(in, args)
		if err != nil || n != len(in) || len(args) != nargs {
			b.Fatalf("Parse: %d args, %d bytes, %v", len(args), n, err)
		}
	}
}

// BenchmarkRequestParserSet parses "SET key value" as redis-cli sends it,
// into a reused argument slice, as the server does.
func BenchmarkRequestParserSet(b *testing.B) { benchmarkRequestParser(b, benchSet, 3) }

// BenchmarkRequestParserInlineSet parses the inline form, "SET key value\r\n".
func BenchmarkRequestParserInlineSet(b *testing.B) {
	benchmarkRequestParser(b, []byte("SET key value\r\n"), 3)
}

// BenchmarkRequestParserArray100 parses a request of 100 bulk strings.
func BenchmarkRequestParserArray100(b *testing.B) { benchmarkRequestParser(b, benchArray100, 100) }

// BenchmarkRequestParserSetSplit parses "SET key value" arriving in two
// reads, the second call resuming where the first stopped.
func BenchmarkRequestParserSetSplit(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchSet)))
	var p RequestParser
	var args [][]byte
	half := benchSet[:len(benchSet)/2]
	for i := 0; i < b.N; i++ {
		if _, _, err := p.Parse(half, args); err != ErrIncomplete {
			b.Fatal(err)
		}
		var err error
		if args, _, err = p.Parse(benchSet, args); err != nil || len(args) != 3 {
			b.Fatal(err)
		}
	}
}

func benchmarkParse(b *testing.B, in []byte, nelems int) {
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	var p Parser
	for i := 0; i < b.N; i++ {
		f, n, err := p.Parse(in)
		if err != nil || n != len(in) || len(f.Elems) != nelems {
			b.Fatalf("Parse: %d elements, %d bytes, %v", len(f.Elems), n, err)
		}
	}
}

// BenchmarkParseSet parses the SET request with the general parser, into a
// Frame (one allocation: the elements).
func BenchmarkParseSet(b *testing.B) { benchmarkParse(b, benchSet, 3) }

// BenchmarkParseArray100 parses a 100-element array with the general parser.
func BenchmarkParseArray100(b *testing.B) { benchmarkParse(b, benchArray100, 100) }

// BenchmarkParseReplyBulk parses a GET reply.
func BenchmarkParseReplyBulk(b *testing.B) { benchmarkParse(b, []byte("$5\r\nvalue\r\n"), 0) }

func benchmarkAppend(b *testing.B, f func(dst []byte) []byte) {
	b.ReportAllocs()
	buf := f(nil)
	b.SetBytes(int64(len(buf)))
	for i := 0; i < b.N; i++ {
		buf = f(buf[:0])
	}
}

// BenchmarkAppendSetReply encodes SET's reply, +OK, into a reused buffer.
func BenchmarkAppendSetReply(b *testing.B) {
	benchmarkAppend(b, func(dst []byte) []byte { return AppendSimple(dst, "OK") })
}

// BenchmarkAppendGetReply encodes GET's reply, a bulk string.
func BenchmarkAppendGetReply(b *testing.B) {
	value := []byte("value")
	benchmarkAppend(b, func(dst []byte) []byte { return AppendBulk(dst, value) })
}

// BenchmarkAppendArray100 encodes an array of 100 bulk strings with the
// Append* functions, as a command writes a reply.
func BenchmarkAppendArray100(b *testing.B) {
	benchmarkAppend(b, func(dst []byte) []byte {
		dst = AppendArrayLen(dst, len(benchFrame100.Elems))
		for _, e := range benchFrame100.Elems {
			dst = AppendBulk(dst, e.Str)
		}
		return dst
	})
}

// BenchmarkAppendFrameArray100 encodes the same array from a Frame.
func BenchmarkAppendFrameArray100(b *testing.B) {
	benchmarkAppend(b, func(dst []byte) []byte { return Append(dst, benchFrame100, RESP2) })
}

// BenchmarkAppendDouble encodes a double for a RESP2 client (ZSCORE).
func BenchmarkAppendDouble(b *testing.B) {
	benchmarkAppend(b, func(dst []byte) []byte { return AppendDouble(dst, 1.1, RESP2) })
}
