package pubsub

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Expected strings are what Redis 7.0.15's CONFIG GET notify-keyspace-events
// answers after CONFIG SET to the input; TestEventFlagsAgreeWithRedis
// checks more against a real server.
func TestEventFlags(t *testing.T) {
	tests := []struct {
		in   string
		want EventFlags
		str  string
	}{
		{"", 0, ""},
		{"K", EventKeyspace, "K"},
		{"E", EventKeyevent, "E"},
		{"KEA", EventKeyspace | EventKeyevent | EventAll, "AKE"},
		{"AKE", EventKeyspace | EventKeyevent | EventAll, "AKE"},
		{"Kx", EventKeyspace | EventExpired, "xK"},
		{"Ex", EventKeyevent | EventExpired, "xE"},
		{"A", EventAll, "A"},
		{"Ag", EventAll, "A"},
		{"AnK", EventAll | EventNew | EventKeyspace, "AK"}, // n is set but not shown
		{"KEAmn", EventKeyspace | EventKeyevent | EventAll | EventKeyMiss | EventNew, "AKEm"},
		{"g$lshzxetd", EventAll, "A"},
		{"$lshzxetdnm", EventAll&^EventGeneric | EventNew | EventKeyMiss, "$lshzxetdnm"},
		{"gn", EventGeneric | EventNew, "gn"},
		{"mEKd", EventKeyMiss | EventKeyevent | EventKeyspace | EventModule, "dKEm"},
		{"xxxx", EventExpired, "x"},
		{"ez$", EventEvicted | EventZSet | EventString, "$ze"},
	}
	for _, tt := range tests {
		got, err := ParseEventFlags(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseEventFlags(%q) = %v, %v; want %v", tt.in, uint32(got), err, uint32(tt.want))
			continue
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseEventFlags(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
	}
}

func TestParseEventFlagsRejects(t *testing.T) {
	for _, in := range []string{"Q", "K E", "a", "KEA!", "k", "\x00", "AKE\n", "é"} {
		f, err := ParseEventFlags(in)
		if !errors.Is(err, ErrInvalidEventClass) || f != 0 {
			t.Errorf("ParseEventFlags(%q) = %v, %v; want ErrInvalidEventClass", in, uint32(f), err)
		}
	}
	if got, want := ErrInvalidEventClass.Error(), "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."; got != want {
		t.Errorf("error text %q, want Redis's %q", got, want)
	}
}

// Parsing what String prints gives back the flags, except the n that "A"
// hides.
func TestEventFlagsRoundTrip(t *testing.T) {
	for f := EventFlags(0); f < EventNew<<1; f++ {
		back, err := ParseEventFlags(f.String())
		if err != nil {
			t.Fatalf("ParseEventFlags(%q): %v", f.String(), err)
		}
		want := f
		if f&EventAll == EventAll {
			want &^= EventNew
		}
		if back != want {
			t.Fatalf("flags %b print as %q, which parses to %b", f, f.String(), back)
		}
	}
}

func TestChannelNames(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{string(KeyspaceChannel(0, []byte("mykey"))), "__keyspace@0__:mykey"},
		{string(KeyspaceChannel(15, []byte(""))), "__keyspace@15__:"},
		{string(KeyspaceChannel(3, []byte("a:b\x00c"))), "__keyspace@3__:a:b\x00c"},
		{string(KeyeventChannel(0, "set")), "__keyevent@0__:set"},
		{string(KeyeventChannel(123, "expired")), "__keyevent@123__:expired"},
		{string(AppendKeyspaceChannel([]byte("x"), 1, []byte("k"))), "x__keyspace@1__:k"},
		{string(AppendKeyeventChannel([]byte("x"), 1, "del")), "x__keyevent@1__:del"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestNotifyKeyspaceEvent(t *testing.T) {
	tests := []struct {
		flags  string
		class  EventFlags
		event  string
		want   []string
		wantKS []string // what a subscriber of the keyspace channel alone gets
	}{
		{"KEA", EventString, "set", []string{
			"pmessage __key*__:* __keyspace@2__:foo set",
			"pmessage __key*__:* __keyevent@2__:set foo",
		}, []string{"message __keyspace@2__:foo set"}},
		{"K$", EventString, "set", []string{"pmessage __key*__:* __keyspace@2__:foo set"}, []string{"message __keyspace@2__:foo set"}},
		{"E$", EventString, "set", []string{"pmessage __key*__:* __keyevent@2__:set foo"}, nil},
		{"KEl", EventString, "set", nil, nil}, // class not enabled
		{"A", EventString, "set", nil, nil},   // neither K nor E
		{"KEA", EventNew, "new", nil, nil},    // A does not include n
		{"KEn", EventNew, "new", []string{
			"pmessage __key*__:* __keyspace@2__:foo new",
			"pmessage __key*__:* __keyevent@2__:new foo",
		}, []string{"message __keyspace@2__:foo new"}},
		{"Ex", EventExpired, "expired", []string{"pmessage __key*__:* __keyevent@2__:expired foo"}, nil},
	}
	for _, tt := range tests {
		h := New()
		all, ks := &recorder{}, &recorder{}
		h.PSubscribe(all, []byte("__key*__:*"))
		h.Subscribe(ks, []byte("__keyspace@2__:foo"))
		flags, err := ParseEventFlags(tt.flags)
		if err != nil {
			t.Fatal(err)
		}
		h.NotifyKeyspaceEvent(flags, tt.class, tt.event, []byte("foo"), 2)
		if got := all.take(); !slices.Equal(got, append([]string{}, tt.want...)) {
			t.Errorf("%s/%s: pattern subscriber got %q, want %q", tt.flags, tt.event, got, tt.want)
		}
		if got := ks.take(); !slices.Equal(got, append([]string{}, tt.wantKS...)) {
			t.Errorf("%s/%s: keyspace subscriber got %q, want %q", tt.flags, tt.event, got, tt.wantKS)
		}
	}
}

func TestNotifyWithoutSubscribersDoesNotAllocate(t *testing.T) {
	h := New()
	h.Subscribe(&recorder{}, []byte("unrelated"))
	flags, _ := ParseEventFlags("KEA")
	key := []byte("some:key:of:ordinary:length")
	if n := testing.AllocsPerRun(1000, func() {
		h.NotifyKeyspaceEvent(flags, EventString, "set", key, 0)
	}); n != 0 {
		t.Errorf("NotifyKeyspaceEvent with nobody listening: %v allocations", n)
	}
}

func BenchmarkNotifyKeyspaceEvent(b *testing.B) {
	h := New()
	flags, _ := ParseEventFlags("KEA")
	key := []byte("user:1000")
	b.Run("nobody", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.NotifyKeyspaceEvent(flags, EventString, "set", key, 0)
		}
	})
	h.PSubscribe(&nopSubscriber{}, []byte("__keyevent@0__:*"))
	b.Run("pattern", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.NotifyKeyspaceEvent(flags, EventString, "set", key, 0)
		}
	})
}

func FuzzParseEventFlags(f *testing.F) {
	for _, s := range []string{"", "KEA", "AnK", "g$lshzxetd", "$lshzxetdnm", "Q", "K E", "KEA!", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flags, err := ParseEventFlags(s)
		valid := strings.Trim(s, "Ag$lshzxeKEtmdn") == ""
		if valid != (err == nil) {
			t.Fatalf("ParseEventFlags(%q) error %v, but valid = %v", s, err, valid)
		}
		if err != nil {
			if flags != 0 || !errors.Is(err, ErrInvalidEventClass) {
				t.Fatalf("ParseEventFlags(%q) = %v, %v", s, uint32(flags), err)
			}
			return
		}
		back, err := ParseEventFlags(flags.String())
		want := flags
		if flags&EventAll == EventAll {
			want &^= EventNew // "A" hides n, as in Redis
		}
		if err != nil || back != want {
			t.Fatalf("%q parses to %b, prints as %q, which parses to %b, %v", s, flags, flags.String(), back, err)
		}
	})
}
