package server

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// Benchmarks of SORT through the real dispatcher (see bench_list_test.go)
// on a list of 10,000 elements in a shuffled order: integers and decimal
// fractions for the numeric sorts, words for ALPHA, and with a BY pattern
// that looks up a weight key per element, and GET # for the replies.
//
//	go test ./server -run '^$' -bench 'SORT' -benchmem

const benchSortLen = 10_000

// fillSortList pushes benchSortLen elements, made by elem from a shuffled
// 0..benchSortLen-1, onto key; with weights, it also sets w_<element> to
// a shuffled number for each.
func fillSortList(b *testing.B, c *client, key string, elem func(i int) string, weights bool) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	perm := r.Perm(benchSortLen)
	args := benchArgs("RPUSH", key)
	mset := benchArgs("MSET")
	for i, p := range perm {
		e := elem(p)
		args = append(args, []byte(e))
		mset = append(mset, []byte("w_"+e), []byte(strconv.Itoa(perm[(i+1)%len(perm)])))
	}
	c.benchDo(b, args)
	if weights {
		c.benchDo(b, mset)
	}
	if c.errors != 0 {
		b.Fatal("filling failed")
	}
}

func BenchmarkSORT(b *testing.B) {
	ints := func(i int) string { return strconv.Itoa(i*7919 - benchSortLen*3000) }
	floats := func(i int) string { return strconv.FormatFloat(float64(i)/7.0, 'f', -1, 64) }
	words := func(i int) string { return "member:" + strconv.FormatInt(int64(i)*2654435761%1000003, 36) }
	for _, bm := range []struct {
		name    string
		elem    func(int) string
		weights bool
		args    []string
	}{
		{"numeric/ints", ints, false, nil},
		{"numeric/floats", floats, false, nil},
		{"numeric/desc-limit", ints, false, []string{"DESC", "LIMIT", "100", "10"}},
		{"alpha", words, false, []string{"ALPHA"}},
		{"alpha/store", words, false, []string{"ALPHA", "STORE", "dst"}},
		{"by", words, true, []string{"BY", "w_*", "GET", "#"}},
		{"by-limit", words, true, []string{"BY", "w_*", "LIMIT", "0", "10"}},
		{"nosort", words, false, []string{"BY", "nosort"}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			c, nc := benchClient(b)
			fillSortList(b, c, "l", bm.elem, bm.weights)
			args := benchArgs(append([]string{"SORT", "l"}, bm.args...)...)
			benchReply(b, c, nc, args)
		})
	}
}
