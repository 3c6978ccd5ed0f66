package server

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Benchmarks of HSET and HGET through the whole server (parsing, dispatch,
// the key's lock, the reply) on a loopback connection, pipelined as
// redis-benchmark -P does, on a hash of 10 fields (a listpack) and of
// 100,000 (a hashtable). HSET changes existing fields, so the hash keeps
// its size. Compare with redis-server:
//
//	redis-benchmark -P 64 -n 1000000 -r 100000 hset h f__rand_int__ v
//	go test ./server -run '^$' -bench 'BenchmarkH(Set|Get)'

// benchPipeline is how many commands each round trip carries.
const benchPipeline = 64

func BenchmarkHSet(b *testing.B) {
	for _, size := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("fields=%d", size), func(b *testing.B) {
			benchHash(b, size, func(field string) []string { return []string{"HSET", "h", field, "v2"} }, ":0\r\n")
		})
	}
}

func BenchmarkHGet(b *testing.B) {
	for _, size := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("fields=%d", size), func(b *testing.B) {
			benchHash(b, size, func(field string) []string { return []string{"HGET", "h", field} }, "$1\r\nv\r\n")
		})
	}
}

// benchHash fills hash h with size fields, then runs b.N commands that
// cmd makes for random fields of it, each of which must reply want.
func benchHash(b *testing.B, size int, cmd func(field string) []string, want string) {
	cfg, _ := testConfig(b)
	c := dialRaw(b, startServerConfig(b, cfg, nil).addr)
	for from := 0; from < size; from += 1000 {
		args := []string{"HSET", "h"}
		for i := from; i < min(from+1000, size); i++ {
			args = append(args, "f"+strconv.Itoa(i), "v")
		}
		c.do(args...)
	}
	wantEncoding := "$8\r\nlistpack\r\n"
	if size > 512 {
		wantEncoding = "$9\r\nhashtable\r\n"
	}
	if got := c.do("OBJECT", "ENCODING", "h"); got != wantEncoding {
		b.Fatalf("OBJECT ENCODING h = %q, want %q", got, wantEncoding)
	}
	// A few pipelines of random fields, sent in turn.
	r := rand.New(rand.NewPCG(1, 2))
	batches := make([][]byte, 16)
	for i := range batches {
		for range benchPipeline {
			batches[i] = appendRequest(batches[i], cmd("f"+strconv.Itoa(r.IntN(size))))
		}
	}
	// Every reply is want: a batch's replies are read as bytes, so that
	// the client costs little beside the server.
	if len(c.Pending()) != 0 {
		b.Fatalf("unread replies: %q", c.Pending())
	}
	nc := c.NetConn()
	wantBatch := []byte(strings.Repeat(want, benchPipeline))
	got := make([]byte, len(wantBatch))
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += benchPipeline {
		if _, err := nc.Write(batches[(done/benchPipeline)%len(batches)]); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(nc, got); err != nil {
			b.Fatal(err)
		}
		if !bytes.Equal(got, wantBatch) {
			b.Fatalf("replies %q, want %q each", got, want)
		}
	}
}

// appendRequest appends args to dst as a RESP array of bulk strings.
func appendRequest(dst []byte, args []string) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, "\r\n"...)
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, "\r\n"...)
		dst = append(dst, a...)
		dst = append(dst, "\r\n"...)
	}
	return dst
}
