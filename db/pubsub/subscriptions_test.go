package pubsub

import (
	"slices"
	"testing"
)

// TestSubscriptions: Subscribers lists the subscribers with subscriptions
// left, Subscriptions what each is subscribed to, by kind.
func TestSubscriptions(t *testing.T) {
	h := New()
	a, b := &recorder{name: "a"}, &recorder{name: "b"}
	h.Subscribe(a, []byte("c1"), []byte("c2"))
	h.PSubscribe(a, []byte("p*"))
	h.SSubscribe(b, []byte("s1"))
	ch, pat, shard := h.Subscriptions(a)
	slices.Sort(ch)
	if !slices.Equal(ch, []string{"c1", "c2"}) || !slices.Equal(pat, []string{"p*"}) || len(shard) != 0 {
		t.Errorf("a: %q %q %q", ch, pat, shard)
	}
	if ch, pat, shard := h.Subscriptions(b); len(ch)+len(pat) != 0 || !slices.Equal(shard, []string{"s1"}) {
		t.Errorf("b: %q %q %q", ch, pat, shard)
	}
	if got := len(h.Subscribers()); got != 2 {
		t.Errorf("%d subscribers, want 2", got)
	}
	h.RemoveAll(a)
	if subs := h.Subscribers(); len(subs) != 1 || subs[0] != Subscriber(b) {
		t.Errorf("after RemoveAll(a): %v", subs)
	}
	if ch, pat, shard := h.Subscriptions(a); ch != nil || pat != nil || shard != nil {
		t.Errorf("a after RemoveAll: %q %q %q", ch, pat, shard)
	}
}
