package client

import (
	"strconv"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
)

// FuzzAppendCommand checks that what appendCommand writes is parsed by
// the server's request parser back into the same arguments.
func FuzzAppendCommand(f *testing.F) {
	f.Add("SET", []byte("k\r\nv"), int64(-5), 1.5, true)
	f.Add("", []byte{}, int64(0), 0.0, false)
	f.Fuzz(func(t *testing.T, s string, b []byte, n int64, x float64, ok bool) {
		out, err := appendCommand(nil, []any{s, b, n, x, ok})
		if err != nil {
			t.Fatal(err)
		}
		var p frame.RequestParser
		args, used, err := p.Parse(out, nil)
		if err != nil || used != len(out) {
			t.Fatalf("Parse(%q) = %q, %d, %v", out, args, used, err)
		}
		want := []string{s, string(b), strconv.FormatInt(n, 10), strconv.FormatFloat(x, 'g', -1, 64), map[bool]string{true: "1", false: "0"}[ok]}
		if len(args) != len(want) {
			t.Fatalf("args %q, want %q", args, want)
		}
		for i := range want {
			if string(args[i]) != want[i] {
				t.Fatalf("arg %d = %q, want %q", i, args[i], want[i])
			}
		}
	})
}

// TestSubscriptionIgnoresOddFrames feeds the subscription reader frames
// no server sends: none may stop it or deliver a message.
func TestSubscriptionIgnoresOddFrames(t *testing.T) {
	s := &Subscription{msgs: make(chan *Message, 10), done: make(chan struct{}), subs: map[string]map[string]bool{}}
	odd := []frame.Frame{
		frame.NewPush(),
		frame.NewPush(frame.NewInteger(1)),
		frame.NewPush(frame.NewBulkString("message")),
		frame.NewArray(frame.NewBulkString("pmessage"), frame.NewBulkString("p")),
		frame.NewPush(frame.NewBulkString("invalidate"), frame.NewArray()),
		frame.NewArray(frame.NewBulkString("subscribe"), frame.NewNullBulk(), frame.NewInteger(0)),
		frame.NewError("ERR odd"),
		frame.NewInteger(3),
	}
	for _, f := range odd {
		if !s.handle(f) {
			t.Fatalf("handle(%v) stopped the reader", f)
		}
	}
	if len(s.msgs) != 0 {
		t.Errorf("%d messages delivered from odd frames", len(s.msgs))
	}
}
