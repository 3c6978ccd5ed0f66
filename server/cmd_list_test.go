package server

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
)

// TestListConcurrentMoves runs pushes, pops and moves between two lists
// from several clients at once (go test -race looks at the locking): no
// element is lost or made up, and the lists end as LRANGE shows them.
func TestListConcurrentMoves(t *testing.T) {
	ts := startServer(t)
	const clients, rounds = 4, 500
	var wg sync.WaitGroup
	balance := make([]int64, clients) // elements pushed less elements popped, per client
	for i := range clients {
		c := ts.dial(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			for range rounds {
				var args []string
				switch r.IntN(8) {
				case 0:
					args = []string{"RPUSH", "a", "x", "y"}
				case 1:
					args = []string{"LPUSH", "b", "z"}
				case 2:
					args = []string{"RPOPLPUSH", "a", "b"}
				case 3:
					args = []string{"LMOVE", "b", "a", "LEFT", "RIGHT"}
				case 4:
					args = []string{"LMOVE", "a", "a", "RIGHT", "LEFT"}
				case 5:
					args = []string{"LPOP", "a"}
				case 6:
					args = []string{"LMPOP", "2", "b", "a", "RIGHT", "COUNT", "2"}
				default:
					args = []string{"RPOP", "b", "3"}
				}
				reply := c.do(args...)
				f, _, err := frame.Parse([]byte(reply))
				if err != nil || f.IsError() {
					t.Errorf("%q: %q", args, reply)
					return
				}
				switch args[0] {
				case "RPUSH", "LPUSH":
					balance[i] += int64(len(args) - 2)
				case "LPOP":
					if !f.IsNull() {
						balance[i]--
					}
				case "RPOP":
					balance[i] -= int64(len(f.Elems))
				case "LMPOP":
					if !f.IsNull() {
						balance[i] -= int64(len(f.Elems[1].Elems))
					}
				}
			}
		}()
	}
	wg.Wait()
	var want int64
	for _, n := range balance {
		want += n
	}
	c := ts.dial(t)
	var have int64
	for _, key := range []string{"a", "b"} {
		llen, _, _ := frame.Parse([]byte(c.do("LLEN", key)))
		n := llen.Int
		f, _, _ := frame.Parse([]byte(c.do("LRANGE", key, "0", "-1")))
		if int64(len(f.Elems)) != n {
			t.Errorf("LLEN %s is %d, LRANGE has %d elements", key, n, len(f.Elems))
		}
		have += n
	}
	if have != want {
		t.Errorf("the lists hold %d elements; %d were pushed and not popped", have, want)
	}
}
