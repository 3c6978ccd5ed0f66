package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// writeFile writes content to a file in a new temporary directory and
// returns its path.
func writeFile(tb testing.TB, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "redis.conf")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// loadArgs returns redis-server's arguments: the file (if content is not
// nil) then the options.
func loadArgs(tb testing.TB, content *string, options ...string) []string {
	if content == nil {
		return options
	}
	return append([]string{writeFile(tb, *content)}, options...)
}

func ptr(s string) *string { return &s }

// loadErrorCases are configurations redis-server 7.0.15 refuses, with the
// line and reason it prints (the server's config_diff_test.go runs such
// configurations through the real one).
var loadErrorCases = []struct {
	name    string
	file    *string // nil: no file
	options []string
	line    int
	text    string
	reason  string
	source  string // "file" for the file's path
}{
	{"unknown directive", ptr("port 0\nfoo bar\n"), nil, 2, "foo bar", "Bad directive or wrong number of arguments", "file"},
	{"too many arguments", ptr("# c\n\nport 1 2\n"), nil, 3, "port 1 2", "wrong number of arguments", "file"},
	{"no argument", ptr("port\n"), nil, 1, "port", "wrong number of arguments", "file"},
	{"comment after value", ptr("port 6379 # comment\n"), nil, 1, "port 6379 # comment", "wrong number of arguments", "file"},
	{"not an integer", ptr("port abc\n"), nil, 1, "port abc", "argument couldn't be parsed into an integer", "file"},
	{"out of range", ptr("port 70000\n"), nil, 1, "port 70000", "argument must be between 0 and 65535 inclusive", "file"},
	{"line trimmed", ptr("   port 99999   \n"), nil, 1, "port 99999", "argument must be between 0 and 65535 inclusive", "file"},
	{"directive in capitals", ptr("PORT abc\n"), nil, 1, "PORT abc", "argument couldn't be parsed into an integer", "file"},
	{"databases", ptr("databases 0\n"), nil, 1, "databases 0", "argument must be between 1 and 2147483647 inclusive", "file"},
	{"bool", ptr("protected-mode maybe\n"), nil, 1, "protected-mode maybe", "argument must be 'yes' or 'no'", "file"},
	{"enum", ptr("loglevel foo\n"), nil, 1, "loglevel foo", "argument(s) must be one of the following: debug, verbose, notice, warning", "file"},
	{"memory", ptr("maxmemory 1x\n"), nil, 1, "maxmemory 1x", "argument must be a memory value", "file"},
	{"save", ptr("save 100\n"), nil, 1, "save 100", "Invalid save parameters", "file"},
	{"buffer limits", ptr("client-output-buffer-limit normal 1 1\n"), nil, 1, "client-output-buffer-limit normal 1 1",
		"Wrong number of arguments in buffer limit configuration.", "file"},
	{"notify", ptr("notify-keyspace-events Kq\n"), nil, 1, "notify-keyspace-events Kq", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.", "file"},
	{"dir", ptr("dir /nonexistent\n"), nil, 1, "dir /nonexistent", "No such file or directory", "file"},
	{"dbfilename", ptr("dbfilename a/b\n"), nil, 1, "dbfilename a/b", "dbfilename can't be a path, just a filename", "file"},
	{"unbalanced quotes", ptr("save \"100 1\n"), nil, 1, "save \"100 1", "Unbalanced quotes in configuration line", "file"},
	{"quote not followed by space", ptr("port \"1\"x\n"), nil, 1, "port \"1\"x", "Unbalanced quotes in configuration line", "file"},
	{"CRLF", ptr("timeout 5\r\nport x\r\n"), nil, 2, "port x", "argument couldn't be parsed into an integer", "file"},
	// Options are lines after the file and a newline.
	{"option after file", ptr("timeout 5\nport 0\n"), []string{"--port", "abc"}, 4, `port "abc"`,
		"argument couldn't be parsed into an integer", "command line"},
	{"option after file without final newline", ptr("timeout 5\nport 0"), []string{"--port", "abc"}, 3, `port "abc"`,
		"argument couldn't be parsed into an integer", "command line"},
	{"option alone", nil, []string{"--port", "abc"}, 2, `port "abc"`, "argument couldn't be parsed into an integer", "command line"},
	{"second option", nil, []string{"--timeout", "5", "--port", "abc"}, 3, `port "abc"`,
		"argument couldn't be parsed into an integer", "command line"},
	{"option of several values", nil, []string{"--save", "60", "1", "--port", "abc"}, 3, `port "abc"`,
		"argument couldn't be parsed into an integer", "command line"},
	{"bare save", nil, []string{"--save", "--port", "abc"}, 3, `port "abc"`,
		"argument couldn't be parsed into an integer", "command line"},
	{"value with a space", nil, []string{"--port", "a b"}, 2, `port "a b"`, "argument couldn't be parsed into an integer", "command line"},
	{"two values", nil, []string{"--port", "1", "2"}, 2, `port "1" "2"`, "wrong number of arguments", "command line"},
	{"option without value", nil, []string{"--port"}, 2, "port", "wrong number of arguments", "command line"},
	{"empty option name", nil, []string{"--", "port"}, 2, `"port"`, "wrong number of arguments", "command line"},
	{"odd save", nil, []string{"--save", "60", "1", "70"}, 2, `save "60" "1" "70"`, "Invalid save parameters", "command line"},
	{"unknown option", nil, []string{"--nosuch", "1"}, 2, `nosuch "1"`, "Bad directive or wrong number of arguments", "command line"},
	// Redis ignores its deprecated directives only with one argument.
	{"deprecated directive alone", ptr("list-max-ziplist-entries\n"), nil, 1, "list-max-ziplist-entries",
		"Bad directive or wrong number of arguments", "file"},
	{"deprecated directive with two arguments", ptr("lua-replicate-commands yes\nLIST-MAX-ZIPLIST-VALUE 5 6\n"), nil, 2,
		"LIST-MAX-ZIPLIST-VALUE 5 6", "Bad directive or wrong number of arguments", "file"},
	{"after a deprecated directive", ptr("list-max-ziplist-value 5\nport x\n"), nil, 2, "port x",
		"argument couldn't be parsed into an integer", "file"},
}

func TestLoadErrors(t *testing.T) {
	for _, tt := range loadErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestConfig(t)
			args := loadArgs(t, tt.file, tt.options...)
			err := c.Load(args, nil)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load(%q) = %v, want a *LoadError", args, err)
			}
			want := "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n" +
				"Reading the configuration file, at line " + strconv.Itoa(tt.line) + "\n" +
				">>> '" + tt.text + "'\n" + tt.reason
			if err.Error() != want {
				t.Errorf("Load(%q) error:\n%s\nwant:\n%s", args, err, want)
			}
			wantSource := tt.source
			if wantSource == "file" {
				wantSource = args[0]
			}
			if le.Source != wantSource {
				t.Errorf("Source = %q, want %q", le.Source, wantSource)
			}
			if got := rec.take(); len(got) != 0 {
				t.Errorf("a failed Load applied %q", got)
			}
			if c.File() != "" {
				t.Errorf("a failed Load kept the file %q", c.File())
			}
			if got := get(t, c, "port"); got != "6379" {
				t.Errorf("a failed Load changed port to %s", got)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		file    *string
		options []string
		want    map[string]string
	}{
		{"defaults", nil, nil, map[string]string{"save": "3600 1 300 100 60 10000", "port": "6379"}},
		{"save reset then set", nil, []string{"--save", "", "--save", "60 1"}, map[string]string{"save": "60 1"}},
		{"save set then reset", nil, []string{"--save", "60 1", "--save", ""}, map[string]string{"save": ""}},
		{"saves add up", nil, []string{"--save", "60", "1", "--save", "70", "2"}, map[string]string{"save": "60 1 70 2"}},
		{"bare save", nil, []string{"--save"}, map[string]string{"save": ""}},
		{"save one argument", nil, []string{"--save", "60 1 70 2"}, map[string]string{"save": "60 1 70 2"}},
		{"save one argument with spaces", nil, []string{"--save", "  60   1 "}, map[string]string{"save": "60 1"}},
		{"file saves then option", ptr("save 10 1\nsave 20 2 30 3\n"), []string{"--save", "40", "4"},
			map[string]string{"save": "10 1 20 2 30 3 40 4"}},
		{"file saves", ptr("save 10 1\nsave 20 2 30 3\n"), nil, map[string]string{"save": "10 1 20 2 30 3"}},
		{"deprecated directives ignored", ptr("list-max-ziplist-entries 5\nLua-Replicate-Commands yes\nport 7000\n"),
			[]string{"--list-max-ziplist-value", "x"}, map[string]string{"port": "7000"}},
		{"save empty then pair", ptr("save \"\"\nsave 5 5\n"), nil, map[string]string{"save": "5 5"}},
		{"save empty in the middle", ptr("save 60 1\nsave \"\"\nsave 70 2\n"), nil, map[string]string{"save": "70 2"}},
		{"save without arguments", ptr("save 60 1\nsave\nsave 70 2 80 3\n"), nil, map[string]string{"save": "60 1 70 2 80 3"}},
		{"save without arguments first", ptr("save\n"), nil, map[string]string{"save": ""}},
		{"bind one argument", nil, []string{"--bind", "127.0.0.1 -::1"}, map[string]string{"bind": "127.0.0.1 -::1"}},
		{"bind two arguments", nil, []string{"--bind", "127.0.0.1", "::1"}, map[string]string{"bind": "127.0.0.1 ::1"}},
		{"bind none", ptr("bind\n"), nil, map[string]string{"bind": ""}},
		{"buffer limits add up", nil, []string{"--client-output-buffer-limit", "normal 1mb 2mb 3", "--client-output-buffer-limit", "pubsub", "1", "1", "1"},
			map[string]string{"client-output-buffer-limit": "normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 1 1 1"}},
		{"option overrides file", ptr("port 7000\ntimeout 5\n"), []string{"--port", "7001"}, map[string]string{"port": "7001", "timeout": "5"}},
		{"later line wins", ptr("timeout 10\nTIMEOUT 20\n"), nil, map[string]string{"timeout": "20"}},
		{"option and value in one argument", nil, []string{"--port 7002"}, map[string]string{"port": "7002"}},
		{"directive case", ptr("MaxMemory 1gb\n"), nil, map[string]string{"maxmemory": "1073741824"}},
		{"alias", ptr("hash-max-ziplist-entries 7\n"), nil, map[string]string{"hash-max-listpack-entries": "7"}},
		{"quotes", ptr(`requirepass "a b\"c"` + "\n" + `dbfilename 'x y.rdb'` + "\n"), nil,
			map[string]string{"requirepass": `a b"c`, "dbfilename": "x y.rdb"}},
		{"comments and blanks", ptr("# port 1\n\n   # indented\n\t\nport 2 \n"), nil, map[string]string{"port": "2"}},
		{"hz clamped", ptr("hz 1000\n"), nil, map[string]string{"hz": "500"}},
		{"notify", nil, []string{"--notify-keyspace-events", "KEA"}, map[string]string{"notify-keyspace-events": "AKE"}},
		{"option value quoted back", nil, []string{"--requirepass", "a \"b\"\n"}, map[string]string{"requirepass": "a \"b\"\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestConfig(t)
			args := loadArgs(t, tt.file, tt.options...)
			if err := c.Load(args, nil); err != nil {
				t.Fatalf("Load(%q): %v", args, err)
			}
			for name, w := range tt.want {
				if got := get(t, c, name); got != w {
					t.Errorf("%s = %q, want %q", name, got, w)
				}
			}
			if tt.file != nil && c.File() != args[0] {
				t.Errorf("File() = %q, want %q", c.File(), args[0])
			}
		})
	}
}

func TestLoadApplies(t *testing.T) {
	c, rec := newTestConfig(t)
	path := writeFile(t, "timeout 5\nsave 1 1\nsave 2 2\n")
	if err := c.Load([]string{path, "--timeout", "6"}, nil); err != nil {
		t.Fatal(err)
	}
	// Every parameter once, in order of registration, with its final
	// value.
	calls := rec.take()
	var names []string
	for _, call := range calls {
		names = append(names, call[:strings.IndexByte(call, '=')])
	}
	var want []string
	for _, p := range testParams(&recorder{}) {
		want = append(want, p.Name)
	}
	if !slices.Equal(names, want) {
		t.Errorf("applied %q\nwant %q", names, want)
	}
	for _, w := range []string{"timeout=6", "save=1 1 2 2", "port=6379"} {
		if !slices.Contains(calls, w) {
			t.Errorf("no Apply %q in %q", w, calls)
		}
	}
}

func TestLoadApplyError(t *testing.T) {
	c, _ := newTestConfig(t)
	path := writeFile(t, "timeout 5\nappendonly yes\n")
	err := c.Load([]string{path}, nil)
	const want = "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n" +
		"Reading the configuration file, at line 2\n>>> 'appendonly yes'\nUnable to turn on AOF. Check server logs."
	if err == nil || err.Error() != want || !errors.Is(err, errAOF) {
		t.Errorf("Load = %v, want\n%s", err, want)
	}

	// A default refused by Apply has no line to show.
	c, rec := newTestConfig(t)
	rec.failOn("hz", errors.New("no timer"))
	err = c.Load(nil, nil)
	const wantDefault = "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nhz: no timer"
	if err == nil || err.Error() != wantDefault {
		t.Errorf("Load = %v, want\n%s", err, wantDefault)
	}
}

func TestLoadStdin(t *testing.T) {
	c, _ := newTestConfig(t)
	if err := c.Load([]string{"-", "--timeout", "9"}, strings.NewReader("port 1234\ntimeout 8\n")); err != nil {
		t.Fatal(err)
	}
	if get(t, c, "port") != "1234" || get(t, c, "timeout") != "9" {
		t.Errorf("port %s timeout %s", get(t, c, "port"), get(t, c, "timeout"))
	}
	if c.File() != "" {
		t.Errorf("File() = %q with stdin only", c.File())
	}

	// The file, then stdin ("-" last), then the options.
	c, _ = newTestConfig(t)
	path := writeFile(t, "port 1\n")
	err := c.Load([]string{path, "--timeout", "1", "-"}, strings.NewReader("timeout 2\nport x\n"))
	var le *LoadError
	if !errors.As(err, &le) || le.Line != 3 || le.Text != "port x" || le.Source != "stdin" {
		t.Fatalf("Load = %#v", err)
	}
	// "-" in the middle is an option value.
	if _, _, stdin, _ := commandLine([]string{"--timeout", "-", "--port", "1"}); stdin {
		t.Error("a '-' in the middle read stdin")
	}
}

func TestLoadMissingFile(t *testing.T) {
	c, _ := newTestConfig(t)
	path := filepath.Join(t.TempDir(), "missing.conf")
	err := c.Load([]string{path}, nil)
	want := "Fatal error, can't open config file '" + path + "': No such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("Load = %v, want %q", err, want)
	}
}

func TestLoadRelativeFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.conf"), []byte("port 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	c, _ := newTestConfig(t)
	if err := c.Load([]string{"r.conf"}, nil); err != nil {
		t.Fatal(err)
	}
	// Kept absolute, so that a later chdir (dir) does not lose it.
	if want := filepath.Join(dir, "r.conf"); c.File() != want {
		t.Errorf("File() = %q, want %q", c.File(), want)
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		args    []string
		file    string
		hasFile bool
		stdin   bool
		options string
	}{
		{nil, "", false, false, ""},
		{[]string{"redis.conf"}, "redis.conf", true, false, ""},
		{[]string{"redis.conf", "--port", "1"}, "redis.conf", true, false, `port "1" `},
		{[]string{"--port", "1", "--save", "", "--save", "60 1"}, "", false, false, "port \"1\" \nsave \"\" \nsave \"60 1\" "},
		{[]string{"--save"}, "", false, false, `save ""`},
		{[]string{"--SAVE", "--port", "1"}, "", false, false, "SAVE \"\"\nport \"1\" "},
		{[]string{"--port 7000", "--timeout", "1"}, "", false, false, "port 7000 \ntimeout \"1\" "},
		{[]string{"--port", "--timeout"}, "", false, false, `port "--timeout" `},
		{[]string{"-"}, "", false, true, ""},
		{[]string{"r.conf", "-"}, "r.conf", true, true, ""},
		{[]string{"-", "--port", "1"}, "", false, true, `port "1" `},
		{[]string{"r.conf", "extra"}, "r.conf", true, false, `"extra" `},
		{[]string{"--", "port"}, "", false, false, ` "port" `},
	}
	for _, tt := range tests {
		file, hasFile, stdin, options := commandLine(tt.args)
		if file != tt.file || hasFile != tt.hasFile || stdin != tt.stdin || options != tt.options {
			t.Errorf("commandLine(%q) = %q, %v, %v, %q; want %q, %v, %v, %q",
				tt.args, file, hasFile, stdin, options, tt.file, tt.hasFile, tt.stdin, tt.options)
		}
	}
}
