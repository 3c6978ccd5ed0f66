package server

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestSubscribeConfirmationsComeBeforeMessages subscribes to many
// channels in one SUBSCRIBE while another client publishes to the first
// of them: every confirmation must arrive whole and before any message,
// since Redis queues a SUBSCRIBE's whole reply before any PUBLISH that
// sees the subscriptions runs.
func TestSubscribeConfirmationsComeBeforeMessages(t *testing.T) {
	ts := startServer(t)
	const channels = 300
	pub := ts.dial(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			pub.do("PUBLISH", "c0", "hi")
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	args := []string{"SUBSCRIBE"}
	for i := 0; i < channels; i++ {
		args = append(args, fmt.Sprint("c", i))
	}
	for round := 0; round < 5; round++ {
		sub := ts.dial(t)
		var req strings.Builder
		fmt.Fprintf(&req, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
		}
		sub.sendRaw(req.String())
		for i := 0; i < channels; i++ {
			name := args[i+1]
			want := fmt.Sprintf("*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:%d\r\n", len(name), name, i+1)
			if got := sub.readReply(); got != want {
				t.Fatalf("round %d, confirmation %d: %q, want %q", round, i+1, got, want)
			}
		}
		if got, want := sub.readReply(), "*3\r\n$7\r\nmessage\r\n$2\r\nc0\r\n$2\r\nhi\r\n"; got != want {
			t.Fatalf("round %d, after the confirmations: %q, want %q", round, got, want)
		}
	}
}
