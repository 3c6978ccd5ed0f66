package acl

import "testing"

// TestApplyDescribe checks the rules against the ACL LIST lines (after
// "user name ") redis-server 7.0.15 gives for the same SETUSER rules,
// without the command part, which this package does not handle yet.
func TestApplyDescribe(t *testing.T) {
	tests := []struct {
		rules []string
		want  string
	}{
		{nil, "off resetchannels"},
		{[]string{"on", "nopass", "~*", "&*"}, "on nopass ~* &*"},
		{[]string{"on", ">pw"}, "on #" + Hash("pw") + " resetchannels"},
		{[]string{">a", ">b", "<a"}, "off #" + Hash("b") + " resetchannels"},
		{[]string{">a", "nopass"}, "off nopass resetchannels"},
		{[]string{"nopass", ">a"}, "off #" + Hash("a") + " resetchannels"},
		{[]string{"~a", "%R~b", "%W~c", "%RW~d", "%R~a"}, "off ~a %R~b %W~c ~d resetchannels"},
		{[]string{"%R~x", "%W~x"}, "off ~x resetchannels"},
		{[]string{"%R"}, "off %R~ resetchannels"},
		{[]string{"~a", "allkeys"}, "off ~* resetchannels"},
		{[]string{"~a", "resetkeys", "~b"}, "off ~b resetchannels"},
		{[]string{"&a", "&b", "&a"}, "off resetchannels &a &b"},
		{[]string{"on", "~a", "&b", ">p", "reset"}, "off sanitize-payload resetchannels"},
	}
	for _, tt := range tests {
		u := New("u", nil)
		for _, r := range tt.rules {
			if err := u.Apply(r); err != nil {
				t.Fatalf("%q: rule %q: %v", tt.rules, r, err)
			}
		}
		if got := u.Describe(); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.rules, got, tt.want)
		}
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		before []string
		rule   string
		want   error
	}{
		{nil, "bogus", ErrSyntax},
		{nil, "", ErrSyntax},
		{nil, "%X~a", ErrSyntax},
		{nil, "%RR~a", ErrSyntax},
		{nil, "%", ErrSyntax},
		{nil, "%~a", ErrSyntax},
		{[]string{"allkeys"}, "~a", ErrKeyAfterAll},
		{[]string{"&*"}, "&a", ErrChanAfterAll},
		{nil, "<nope", ErrNoSuchPass},
		{nil, "#abc", ErrBadHash},
		{nil, "!" + Hash("x")[:63] + "G", ErrBadHash},
		{nil, "!" + Hash("x"), ErrNoSuchPass},
	}
	for _, tt := range tests {
		u := New("u", nil)
		for _, r := range tt.before {
			if err := u.Apply(r); err != nil {
				t.Fatal(err)
			}
		}
		before := u.Describe()
		if err := u.Apply(tt.rule); err != tt.want {
			t.Errorf("%q after %q: got %v, want %v", tt.rule, tt.before, err, tt.want)
		}
		if u.Describe() != before {
			t.Errorf("%q: failed rule changed the user", tt.rule)
		}
	}
}

func TestChecks(t *testing.T) {
	u := New("u", nil)
	for _, r := range []string{"on", ">secret", "%R~r:*", "~rw:*"} {
		if err := u.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	if !u.CheckPassword("secret") || u.CheckPassword("other") {
		t.Error("password check wrong")
	}
	cases := []struct {
		key  string
		perm int
		want bool
	}{
		{"r:1", Read, true}, {"r:1", Write, false}, {"rw:1", All, true}, {"x", Read, false}, {"r/1", Read, false},
	}
	for _, c := range cases {
		if got := u.KeyAllowed(c.key, c.perm); got != c.want {
			t.Errorf("KeyAllowed(%q, %d) = %v", c.key, c.perm, got)
		}
	}
	u.Apply("off")
	if u.CheckPassword("secret") {
		t.Error("a user that is off authenticated")
	}
}

// FuzzApply feeds arbitrary rules: no panic, and a failed rule leaves the
// user as it was.
func FuzzApply(f *testing.F) {
	for _, s := range []string{"~a", "%RW~b", "%", ">p", "#" + Hash("x"), "&*", "reset", "!zz", "(~a &b)", "(", "()", "(on)", `(~"a b)`, "clearselectors"} {
		f.Add(s, "on")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		u := New("u", nil)
		for _, r := range []string{a, b} {
			before := u.Describe()
			if err := u.Apply(r); err != nil && u.Describe() != before {
				t.Fatalf("failed rule %q changed the user", r)
			}
		}
	})
}

func TestChannelAllowed(t *testing.T) {
	u := New("u", nil)
	for _, r := range []string{"&news.*", "&exact"} {
		if err := u.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		channel   string
		isPattern bool
		want      bool
	}{
		{"news.a", false, true}, {"exact", false, true}, {"other", false, false},
		{"news.*", true, true}, {"news.a*", true, false}, {"*", true, false},
	}
	for _, c := range cases {
		if got := u.ChannelAllowed(c.channel, c.isPattern); got != c.want {
			t.Errorf("ChannelAllowed(%q, %v) = %v", c.channel, c.isPattern, got)
		}
	}
	u.Apply("allchannels")
	if !u.ChannelAllowed("anything", true) {
		t.Error("allchannels refused a pattern")
	}
}

func BenchmarkKeyAllowed(b *testing.B) {
	u := New("u", nil)
	u.Apply("~user:*")
	u.Apply("%R~cache:*")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		u.KeyAllowed("cache:12345", Read)
	}
}
