package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name    string
		params  []Param
		wantErr string
	}{
		{"upper case", []Param{{Name: "Port", Kind: Int{Max: 1}, Default: "0"}}, `invalid parameter name "Port"`},
		{"empty name", []Param{{Name: "", Kind: Int{Max: 1}, Default: "0"}}, `invalid parameter name ""`},
		{"no kind", []Param{{Name: "port", Default: "0"}}, `"port" has no Kind`},
		{"twice", []Param{{Name: "a", Kind: Bool{}, Default: "no"}, {Name: "a", Kind: Bool{}, Default: "no"}}, `"a" registered twice`},
		{"alias clash", []Param{{Name: "a", Kind: Bool{}, Default: "no"}, {Name: "b", Aliases: []string{"a"}, Kind: Bool{}, Default: "no"}},
			`"a" registered twice`},
		{"bad default", []Param{{Name: "a", Kind: Int{Min: 0, Max: 9}, Default: "10"}},
			`parameter "a": default "10": argument must be between 0 and 9 inclusive`},
		{"bad multi default", []Param{{Name: "save", Kind: Save{}, Default: `"1 1`}}, `unbalanced quotes`},
		{"special without funcs", []Param{{Name: "a", Kind: Special{}, Default: ""}}, `needs ParseFunc and FormatFunc`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.params...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c, _ := newTestConfig(t)
	want := map[string]string{
		"port":                       "6379",
		"bind":                       "* -::*",
		"save":                       "3600 1 300 100 60 10000",
		"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		"proto-max-bulk-len":         "536870912",
		"client-query-buffer-limit":  "1073741824",
		"notify-keyspace-events":     "",
		"requirepass":                "",
		"enable-debug-command":       "no",
		"hash-max-ziplist-entries":   "512",
	}
	for name, w := range want {
		if got := get(t, c, name); got != w {
			t.Errorf("%s = %q, want %q", name, got, w)
		}
	}
	if _, ok := c.Lookup("nosuch"); ok {
		t.Error("Lookup(nosuch) found something")
	}
	if v, _ := c.Lookup("MAXCLIENTS"); v.Int() != 10000 {
		t.Errorf("Lookup(MAXCLIENTS).Int() = %d", v.Int())
	}
}

func TestGet(t *testing.T) {
	c, _ := newTestConfig(t)
	tests := []struct {
		patterns []string
		want     string
	}{
		{[]string{"maxmemory"}, `maxmemory="0"`},
		// A name is returned as spelled.
		{[]string{"MAXMEMORY"}, `MAXMEMORY="0"`},
		{[]string{"maxmemory", "MAXMEMORY"}, `maxmemory="0"`},
		{[]string{"MAXMEMORY", "maxmemory", "maxmem*"}, `MAXMEMORY="0" maxmemory-policy="noeviction"`},
		{[]string{"maxmem*"}, `maxmemory="0" maxmemory-policy="noeviction"`},
		{[]string{"MAXMEM*"}, `maxmemory="0" maxmemory-policy="noeviction"`},
		{[]string{"hz", "HZ", "h?"}, `hz="10"`},
		// Aliases are entries of their own.
		{[]string{"hash-max-*"}, `hash-max-listpack-entries="512" hash-max-ziplist-entries="512"`},
		{[]string{"hash-max-ziplist-entries"}, `hash-max-ziplist-entries="512"`},
		{[]string{"hash-max-ziplist-entries", "*-entries"}, `hash-max-listpack-entries="512" hash-max-ziplist-entries="512"`},
		{[]string{"nosuch"}, ``},
		{[]string{"["}, ``},
		{[]string{"re[q]uirepass", "port"}, `port="6379" requirepass=""`},
		{[]string{"*buffer*"}, `client-output-buffer-limit="normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60" ` +
			`client-query-buffer-limit="1073741824"`},
		{nil, ``},
	}
	for _, tt := range tests {
		if got := pairsString(c.Get(tt.patterns...)); got != tt.want {
			t.Errorf("Get(%q) = %s\nwant %s", tt.patterns, got, tt.want)
		}
	}

	all := c.Get("*")
	if len(all) != len(testParams(&recorder{}))+1 {
		t.Errorf("Get(*) returned %d entries, want every name and alias", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b Pair) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("Get(*) is not sorted: %s", pairsString(all))
	}
}

func TestGetHidden(t *testing.T) {
	c, err := New(
		Param{Name: "key-load-delay", Kind: Int{Min: -10, Max: 10}, Default: "0", Hidden: true},
		Param{Name: "key-count", Kind: Int{Min: 0, Max: 10}, Default: "1"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := pairsString(c.Get("key-*")); got != `key-count="1"` {
		t.Errorf("Get(key-*) = %s", got)
	}
	if got := pairsString(c.Get("key-load-delay")); got != `key-load-delay="0"` {
		t.Errorf("Get(key-load-delay) = %s", got)
	}
}

// The error texts are Redis 7.0.15's replies to the same CONFIG SET.
func TestSetErrors(t *testing.T) {
	tests := []struct {
		pairs []string
		want  string
	}{
		{[]string{}, "ERR wrong number of arguments for 'config|set' command"},
		{[]string{"maxmemory"}, "ERR wrong number of arguments for 'config|set' command"},
		{[]string{"a", "b", "c"}, "ERR syntax error"},
		{[]string{"nosuch", "1"}, "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"},
		{[]string{"databases", "4"}, "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"},
		{[]string{"DATABASES", "1"}, "ERR CONFIG SET failed (possibly related to argument 'DATABASES') - can't set immutable config"},
		{[]string{"enable-debug-command", "yes"}, "ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config"},
		{[]string{"dir", "/"}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[]string{"dbfilename", "a/b"}, "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"},
		{[]string{"maxmemory", "1", "maxmemory", "2"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"},
		{[]string{"maxmemory", "1", "MAXMEMORY", "2"}, "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter"},
		// The first problem found, in order, is the one reported.
		{[]string{"maxmemory", "1", "nosuch", "2", "port", "1"}, "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"},
		{[]string{"databases", "4", "nosuch", "2"}, "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"},
		{[]string{"nosuch", "2", "databases", "4"}, "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"},
		// Names are checked before values.
		{[]string{"timeout", "abc", "nosuch", "1"}, "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"},
		{[]string{"timeout", "abc", "hz", "abc"}, "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"},
		{[]string{"timeout", "5", "hz", "abc"}, "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"},
		// A value error names the parameter as registered, in lower case.
		{[]string{"MAXMEMORY", "abc"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{[]string{"HASH-MAX-ZIPLIST-ENTRIES", "abc"}, "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') - argument couldn't be parsed into an integer"},
		{[]string{"timeout", "-1"}, "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive"},
		{[]string{"protected-mode", "maybe"}, "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'"},
		{[]string{"loglevel", "foo"}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"},
		{[]string{"save", "100"}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[]string{"save", "100 1  "}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[]string{"notify-keyspace-events", "Kq"}, "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{[]string{"client-output-buffer-limit", "master 1 1 1"}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."},
		{[]string{"proto-max-bulk-len", "1000"}, "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"},
		{[]string{"appendonly", "yes"}, "ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on AOF. Check server logs."},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.pairs, " "), func(t *testing.T) {
			c, _ := newTestConfig(t)
			before := pairsString(c.Get("*"))
			err := c.Set(tt.pairs...)
			var ce *CommandError
			if !errors.As(err, &ce) || ce.Reply != tt.want || err.Error() != tt.want {
				t.Fatalf("Set(%q) = %v, want %q", tt.pairs, err, tt.want)
			}
			if after := pairsString(c.Get("*")); after != before {
				t.Errorf("a failed Set changed values:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		pairs []string
		want  map[string]string
	}{
		{[]string{"maxmemory", "1gb"}, map[string]string{"maxmemory": "1073741824"}},
		{[]string{"MaxMemory", "100k", "TIMEOUT", "10"}, map[string]string{"maxmemory": "100000", "timeout": "10"}},
		{[]string{"maxmemory", ""}, map[string]string{"maxmemory": "0"}},
		{[]string{"protected-mode", "NO"}, map[string]string{"protected-mode": "no"}},
		{[]string{"loglevel", "WARNING"}, map[string]string{"loglevel": "warning"}},
		{[]string{"hz", "1000"}, map[string]string{"hz": "500"}},
		{[]string{"save", "100 1 200 2"}, map[string]string{"save": "100 1 200 2"}},
		{[]string{"save", ""}, map[string]string{"save": ""}},
		{[]string{"save", "100 "}, map[string]string{"save": "100 0"}},
		{[]string{"client-output-buffer-limit", "normal 1mb 2mb 3"},
			map[string]string{"client-output-buffer-limit": "normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}},
		{[]string{"client-output-buffer-limit", ""},
			map[string]string{"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}},
		{[]string{"notify-keyspace-events", "KEA"}, map[string]string{"notify-keyspace-events": "AKE"}},
		{[]string{"requirepass", "a b\"c"}, map[string]string{"requirepass": "a b\"c"}},
		// A name and its alias are different entries: both may be set, in
		// turn, as Redis 7.0 allows.
		{[]string{"hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2"},
			map[string]string{"hash-max-listpack-entries": "2", "hash-max-ziplist-entries": "2"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.pairs, " "), func(t *testing.T) {
			c, _ := newTestConfig(t)
			if err := c.Set(tt.pairs...); err != nil {
				t.Fatalf("Set(%q): %v", tt.pairs, err)
			}
			for name, w := range tt.want {
				if got := get(t, c, name); got != w {
					t.Errorf("%s = %q, want %q", name, got, w)
				}
			}
		})
	}
}

func TestSetApplies(t *testing.T) {
	c, rec := newTestConfig(t)
	if err := c.Set("timeout", "5", "maxmemory", "1mb", "loglevel", "notice"); err != nil {
		t.Fatal(err)
	}
	// In order, and only what changed (loglevel was already notice).
	if got, want := rec.take(), []string{"timeout=5", "maxmemory=1048576"}; !slices.Equal(got, want) {
		t.Errorf("applied %q, want %q", got, want)
	}
	// A parameter set through its name and its alias is applied once, with
	// its final value.
	if err := c.Set("hash-max-listpack-entries", "1", "hash-max-ziplist-entries", "2"); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.take(), []string{"hash-max-listpack-entries=2"}; !slices.Equal(got, want) {
		t.Errorf("applied %q, want %q", got, want)
	}
	// Clamped to the current value: nothing changes.
	if err := c.Set("hz", "10"); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 0 {
		t.Errorf("applied %q for an unchanged value", got)
	}
}

func TestSetRollback(t *testing.T) {
	c, rec := newTestConfig(t)
	errBoom := errors.New("boom")
	rec.failOn("maxmemory", errBoom)

	err := c.Set("timeout", "5", "loglevel", "debug", "maxmemory", "1mb", "hz", "20")
	const want = "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - boom"
	if err == nil || err.Error() != want {
		t.Fatalf("Set = %v, want %q", err, want)
	}
	if !errors.Is(err, errBoom) {
		t.Errorf("Set's error does not wrap Apply's: %v", err)
	}
	// Applied in order up to the failure, then the applied ones (the
	// failing one included) get their old values back; hz never was.
	wantCalls := []string{"timeout=5", "loglevel=debug", "maxmemory=1048576", "timeout=0", "loglevel=notice", "maxmemory=0"}
	if got := rec.take(); !slices.Equal(got, wantCalls) {
		t.Errorf("applied %q\nwant    %q", got, wantCalls)
	}
	for name, w := range map[string]string{"timeout": "0", "loglevel": "notice", "maxmemory": "0", "hz": "10"} {
		if got := get(t, c, name); got != w {
			t.Errorf("after rollback %s = %q, want %q", name, got, w)
		}
	}

	// An Apply error without text gives Redis's message without a reason.
	rec.failOn("maxmemory", errors.New(""))
	if err := c.Set("maxmemory", "2mb"); err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'maxmemory')" {
		t.Errorf("Set = %v", err)
	}
	rec.take()

	// A failure while restoring is reported beside the cause.
	errRestore := errors.New("cannot restore")
	c2, err := New(
		Param{Name: "a", Kind: Int{Max: 9}, Default: "0", Apply: func(v Value) error {
			if v.Int() == 0 {
				return errRestore
			}
			return nil
		}},
		Param{Name: "b", Kind: Int{Max: 9}, Default: "0", Apply: func(Value) error { return errBoom }},
	)
	if err != nil {
		t.Fatal(err)
	}
	err = c2.Set("a", "1", "b", "1")
	if !errors.Is(err, errBoom) || !errors.Is(err, errRestore) || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'b') - boom" {
		t.Errorf("Set = %v, want b's error wrapping both the cause and the restore failure", err)
	}
	if got := pairsString(c2.Get("*")); got != `a="0" b="0"` {
		t.Errorf("after rollback: %s", got)
	}
}

func TestSetProtected(t *testing.T) {
	c, rec := newTestConfig(t)
	dir := t.TempDir()
	if err := c.SetProtected("dir", dir, "dbfilename", "x.rdb"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, c, "dbfilename"); got != "x.rdb" {
		t.Errorf("dbfilename = %q", got)
	}
	if got := rec.take(); len(got) != 2 || !strings.HasPrefix(got[0], "dir=") || got[1] != "dbfilename=x.rdb" {
		t.Errorf("applied %q", got)
	}
	err := c.SetProtected("dir", dir+"/missing")
	if err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory" {
		t.Errorf("SetProtected(missing dir) = %v", err)
	}
	// Immutable wins over protected.
	if err := c.SetProtected("port", "1"); err == nil || !strings.HasSuffix(err.Error(), "can't set immutable config") {
		t.Errorf("SetProtected(port) = %v", err)
	}
}

func TestConcurrentGetSet(t *testing.T) {
	c, _ := newTestConfig(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				switch (g + i) % 4 {
				case 0:
					if err := c.Set("timeout", fmt.Sprint(i), "maxmemory", fmt.Sprint(i)+"kb"); err != nil {
						t.Error(err)
						return
					}
				case 1:
					if len(c.Get("*")) == 0 {
						t.Error("Get(*) returned nothing")
						return
					}
				case 2:
					if err := c.Set("save", fmt.Sprintf("%d 1 %d 2", i+1, i+2)); err != nil {
						t.Error(err)
						return
					}
				case 3:
					// The default's three points, or a Set's two.
					v, _ := c.Lookup("save")
					if n := len(v.Any().([]SavePoint)); n != 2 && n != 3 {
						t.Errorf("save = %q", v)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	// Both parameters of each Set were stored together.
	ts, ms := get(t, c, "timeout"), get(t, c, "maxmemory")
	var n int
	fmt.Sscan(ts, &n)
	if ms != fmt.Sprint(n*1024) {
		t.Errorf("timeout = %s but maxmemory = %s: a Set was torn", ts, ms)
	}
}

// An Apply may read the configuration.
func TestApplyMayGet(t *testing.T) {
	var c *Config
	var seen string
	var err error
	c, err = New(
		Param{Name: "a", Kind: Int{Max: 100}, Default: "1", Apply: func(v Value) error {
			if c != nil {
				seen = pairsString(c.Get("*"))
			}
			return nil
		}},
		Param{Name: "b", Kind: Int{Max: 100}, Default: "2"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set("a", "3", "b", "4"); err != nil {
		t.Fatal(err)
	}
	if seen != `a="3" b="4"` {
		t.Errorf("Apply saw %s", seen)
	}
}

func BenchmarkGet(b *testing.B) {
	c, _ := newTestConfig(b)
	b.ReportAllocs()
	for b.Loop() {
		c.Get("maxmemory", "client-*")
	}
}

func BenchmarkSet(b *testing.B) {
	c, _ := newTestConfig(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Set("maxmemory", "1gb", "timeout", "10"); err != nil {
			b.Fatal(err)
		}
	}
}
