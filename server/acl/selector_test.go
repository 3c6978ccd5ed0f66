package acl

import (
	"slices"
	"testing"
)

// TestSelectorDescribe checks selector rules against the ACL LIST lines
// (after "user name ") redis-server 7.0.15 gives for them.
func TestSelectorDescribe(t *testing.T) {
	tests := []struct {
		rules []string
		want  string
	}{
		{[]string{"on", "nopass", "(+get ~k*)", "( +set ~x )", "(+@read &ch %R~r*)"},
			"on nopass resetchannels -@all (~k* resetchannels -@all +get) (~x resetchannels -@all +set) (%R~r* resetchannels &ch -@all +@read)"},
		{[]string{"()"}, "off resetchannels -@all (resetchannels -@all)"},
		{[]string{`(+get "~a b)`}, "off resetchannels -@all (resetchannels -@all)"},
		{[]string{`(~a\tb)`}, `off resetchannels -@all (~a\tb resetchannels -@all)`},
		{[]string{`('+get' "~q")`}, "off resetchannels -@all (~q resetchannels -@all +get)"},
		{[]string{"(%R~a %W~a ~b)"}, "off resetchannels -@all (~a ~b resetchannels -@all)"},
		{[]string{"(~x +@all)", "(allkeys allchannels allcommands)", "(resetkeys resetchannels nocommands ~y)"},
			"off resetchannels -@all (~x resetchannels +@all) (~* &* +@all) (~y resetchannels -@all)"},
		{[]string{"(+get)", "clearselectors", "(+set)"}, "off resetchannels -@all (resetchannels -@all +set)"},
		{[]string{"(+get)", "CLEARSELECTORS"}, "off resetchannels -@all"},
		{[]string{"(+get)", "reset"}, "off sanitize-payload resetchannels -@all"},
		{[]string{"+select|0", "(+select|1 ~k)"}, "off resetchannels -@all +select|0 (~k resetchannels -@all +select|1)"},
	}
	for _, tt := range tests {
		u := New("u", testCatalog())
		for _, r := range tt.rules {
			if err := u.Apply(r); err != nil {
				t.Fatalf("%q: rule %q: %v", tt.rules, r, err)
			}
		}
		if got := u.Describe(); got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.rules, got, tt.want)
		}
	}
}

// TestSelectorPubsubDefault: with acl-pubsub-default allchannels a new
// selector allows every channel, as Redis's ACLCreateSelector.
func TestSelectorPubsubDefault(t *testing.T) {
	u := New("u", testCatalog())
	u.SetPubsubDefault(true)
	for _, r := range []string{"(+get)", "(resetchannels &x)"} {
		if err := u.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := u.Describe(), "off resetchannels -@all (&* -@all +get) (resetchannels &x -@all)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSelectorErrors(t *testing.T) {
	tests := []struct {
		rule string
		want error
	}{
		{"(on)", ErrSyntax},
		{"(>pw)", ErrSyntax},
		{"(reset)", ErrSyntax},
		{"(clearselectors)", ErrSyntax},
		{`(+get "~a b")`, ErrSyntax},
		{"(&a b)", ErrSyntax},
		{"(~a\tb)", ErrSyntax},
		{"(%x~a)", ErrSyntax},
		{"(+nosuch)", ErrUnknownCommand},
		{"(+get) )", ErrUnknownCommand},
		{"(+get (+set)", ErrSyntax},
		{"(~* ~a)", ErrKeyAfterAll},
		{"(&* &a)", ErrChanAfterAll},
		{"(+config|get|x)", ErrFirstArgOfSub},
		{"(", ErrSyntax},
		{")", ErrSyntax},
		{"~a b", ErrSyntax},
		{"&a\x00b", ErrSyntax},
		{"%R~a b", ErrSyntax},
	}
	for _, tt := range tests {
		u := New("u", testCatalog())
		u.Apply("(+get ~k)")
		before := u.Describe()
		if err := u.Apply(tt.rule); err != tt.want {
			t.Errorf("%q: got %v, want %v", tt.rule, err, tt.want)
		}
		if u.Describe() != before {
			t.Errorf("%q: failed rule changed the user", tt.rule)
		}
	}
}

func TestMergeSelectorArgs(t *testing.T) {
	tests := []struct {
		in       []string
		want     []string
		unclosed int
	}{
		{[]string{"on", "(+get)", "~k"}, []string{"on", "(+get)", "~k"}, -1},
		{[]string{"(+get", "~k*)", "(", "+set", ")"}, []string{"(+get ~k*)", "( +set )"}, -1},
		{[]string{"on", "(+get", "(+set)"}, []string{"on", "(+get (+set)"}, -1},
		{[]string{"on", "(+get", "~k"}, nil, 1},
		{[]string{"(+get)", "(", "x"}, nil, 1},
		{[]string{"", "x)"}, []string{"", "x)"}, -1},
		{nil, nil, -1},
	}
	for _, tt := range tests {
		got, open := MergeSelectorArgs(tt.in)
		if !slices.Equal(got, tt.want) || open != tt.unclosed {
			t.Errorf("MergeSelectorArgs(%q) = %q, %d; want %q, %d", tt.in, got, open, tt.want, tt.unclosed)
		}
	}
}

// TestSelectorChecks: each selector judges commands, keys and channels on
// its own; Clone copies selectors deeply.
func TestSelectorChecks(t *testing.T) {
	cat := testCatalog()
	u := New("u", cat)
	for _, r := range []string{"+get", "~root*", "(+set %W~w* &ch*)", "(+hget +select|1 &x)"} {
		if err := u.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	get, _ := cat.ID("get")
	set, _ := cat.ID("set")
	sel, _ := cat.ID("select")
	if !u.CommandAllowed(get, args("get k")) || u.CommandAllowed(set, args("set k v")) {
		t.Error("root selector's commands wrong")
	}
	s1, s2 := &u.Selectors[0], &u.Selectors[1]
	if !s1.CommandAllowed(set, args("set k v")) || s1.CommandAllowed(get, args("get k")) {
		t.Error("first selector's commands wrong")
	}
	if !s2.CommandAllowed(sel, args("select 1")) || s2.CommandAllowed(sel, args("select 0")) {
		t.Error("second selector's first arguments wrong")
	}
	if !s1.KeyAllowed("w1", Write) || s1.KeyAllowed("w1", Read) || s1.KeyAllowed("root1", Write) {
		t.Error("first selector's keys wrong")
	}
	if !u.AnyChannelAllowed("ch1", false) || !u.AnyChannelAllowed("x", false) || u.AnyChannelAllowed("y", false) ||
		!u.AnyChannelAllowed("ch*", true) || u.AnyChannelAllowed("x*", true) || u.AnyAllChannels() {
		t.Error("channels across selectors wrong")
	}
	v := u.Clone()
	v.Selectors[0].apply("resetkeys")
	v.Apply("(allchannels)")
	if !u.Selectors[0].KeyAllowed("w1", Write) || len(u.Selectors) != 2 || !v.AnyAllChannels() {
		t.Error("Clone shares selectors")
	}
}
