package config

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The expected values and error texts below are what Redis 7.0.15 answers to
// CONFIG SET / CONFIG GET with the same arguments (the server's
// config_diff_test.go checks many of them against a real one).
func TestKindParse(t *testing.T) {
	bounded := Int{Min: 0, Max: 65535}
	hz := Int{Min: 0, Max: math.MaxInt32, Adjust: clampHz}
	maxmemory := Memory{Min: 0, Max: math.MaxUint64}
	bulk := Memory{Min: 1 << 20, Max: math.MaxInt64}
	loglevel := Enum{Values: []string{"debug", "verbose", "notice", "warning"}}
	dbfilename := String{Check: checkBaseName}
	limitsDefault := BufferLimits{{}, {256 << 20, 64 << 20, 60}, {32 << 20, 8 << 20, 60}}
	save := []SavePoint{{3600, 1}, {300, 100}}

	tests := []struct {
		name    string
		kind    Kind
		args    []string
		prev    any
		want    string // formatted value
		wantErr string
	}{
		{"bool yes", Bool{}, []string{"yes"}, nil, "yes", ""},
		{"bool YES", Bool{}, []string{"YES"}, nil, "yes", ""},
		{"bool No", Bool{}, []string{"No"}, nil, "no", ""},
		{"bool maybe", Bool{}, []string{"maybe"}, nil, "", "argument must be 'yes' or 'no'"},
		{"bool empty", Bool{}, []string{""}, nil, "", "argument must be 'yes' or 'no'"},
		{"bool 1", Bool{}, []string{"1"}, nil, "", "argument must be 'yes' or 'no'"},

		{"int", bounded, []string{"6380"}, nil, "6380", ""},
		{"int min", bounded, []string{"0"}, nil, "0", ""},
		{"int max", bounded, []string{"65535"}, nil, "65535", ""},
		{"int above", bounded, []string{"65536"}, nil, "", "argument must be between 0 and 65535 inclusive"},
		{"int below", bounded, []string{"-1"}, nil, "", "argument must be between 0 and 65535 inclusive"},
		{"int word", bounded, []string{"abc"}, nil, "", "argument couldn't be parsed into an integer"},
		{"int leading zero", bounded, []string{"007"}, nil, "", "argument couldn't be parsed into an integer"},
		{"int plus", bounded, []string{"+5"}, nil, "", "argument couldn't be parsed into an integer"},
		{"int minus zero", bounded, []string{"-0"}, nil, "", "argument couldn't be parsed into an integer"},
		{"int space", bounded, []string{" 5"}, nil, "", "argument couldn't be parsed into an integer"},
		{"int float", bounded, []string{"1.5"}, nil, "", "argument couldn't be parsed into an integer"},
		{"int empty", bounded, []string{""}, nil, "", "argument couldn't be parsed into an integer"},
		{"int beyond int64", bounded, []string{"9223372036854775808"}, nil, "", "argument couldn't be parsed into an integer"},
		{"int unsigned bounds", Int{Min: 1, Max: math.MaxUint32}, []string{"4294967296"}, nil, "",
			"argument must be between 1 and 4294967295 inclusive"},
		{"hz clamped up", hz, []string{"1000"}, nil, "500", ""},
		{"hz clamped down", hz, []string{"0"}, nil, "1", ""},
		{"hz bounds before clamp", hz, []string{"-1"}, nil, "", "argument must be between 0 and 2147483647 inclusive"},

		{"memory plain", maxmemory, []string{"100"}, nil, "100", ""},
		{"memory k", maxmemory, []string{"1k"}, nil, "1000", ""},
		{"memory kb", maxmemory, []string{"1kb"}, nil, "1024", ""},
		{"memory Kb", maxmemory, []string{"1Kb"}, nil, "1024", ""},
		{"memory m", maxmemory, []string{"1m"}, nil, "1000000", ""},
		{"memory mb", maxmemory, []string{"1mb"}, nil, "1048576", ""},
		{"memory g", maxmemory, []string{"1g"}, nil, "1000000000", ""},
		{"memory GB", maxmemory, []string{"1GB"}, nil, "1073741824", ""},
		{"memory b", maxmemory, []string{"7B"}, nil, "7", ""},
		{"memory leading zeros", maxmemory, []string{"007"}, nil, "7", ""},
		{"memory empty", maxmemory, []string{""}, nil, "0", ""},
		{"memory bare unit", maxmemory, []string{"k"}, nil, "0", ""},
		{"memory saturates", maxmemory, []string{"99999999999999999999"}, nil, "18446744073709551615", ""},
		{"memory wraps", maxmemory, []string{"17179869184gb"}, nil, "0", ""},
		{"memory wraps short", maxmemory, []string{"17179869183gb"}, nil, "18446744072635809792", ""},
		{"memory 127 digits", maxmemory, []string{strings.Repeat("1", 127)}, nil, "18446744073709551615", ""},
		{"memory 128 digits", maxmemory, []string{strings.Repeat("1", 128)}, nil, "", "argument must be a memory value"},
		{"memory t", maxmemory, []string{"1t"}, nil, "", "argument must be a memory value"},
		{"memory fraction", maxmemory, []string{"1.5gb"}, nil, "", "argument must be a memory value"},
		{"memory negative", maxmemory, []string{"-1"}, nil, "", "argument must be a memory value"},
		{"memory plus", maxmemory, []string{"+5"}, nil, "", "argument must be a memory value"},
		{"memory hex", maxmemory, []string{"0x10"}, nil, "", "argument must be a memory value"},
		{"memory space", maxmemory, []string{"1 k"}, nil, "", "argument must be a memory value"},
		{"memory trailing space", maxmemory, []string{"1k "}, nil, "", "argument must be a memory value"},
		{"memory min", bulk, []string{"1000"}, nil, "", "argument must be between 1048576 and 9223372036854775807 inclusive"},
		{"memory at min", bulk, []string{"1mb"}, nil, "1048576", ""},
		{"memory above signed max", bulk, []string{"18446744073709551615"}, nil, "",
			"argument must be between 1048576 and 9223372036854775807 inclusive"},

		{"enum", loglevel, []string{"verbose"}, nil, "verbose", ""},
		{"enum case", loglevel, []string{"DEBUG"}, nil, "debug", ""},
		{"enum unknown", loglevel, []string{"foo"}, nil, "",
			"argument(s) must be one of the following: debug, verbose, notice, warning"},
		{"enum empty", loglevel, []string{""}, nil, "",
			"argument(s) must be one of the following: debug, verbose, notice, warning"},
		{"enum message cut at 255 bytes", Enum{Values: []string{strings.Repeat("x", 300)}}, []string{"y"}, nil, "",
			("argument(s) must be one of the following: " + strings.Repeat("x", 300))[:255]},

		{"string", dbfilename, []string{"my dump.rdb"}, nil, "my dump.rdb", ""},
		{"string empty", dbfilename, []string{""}, nil, "", ""},
		{"string check", dbfilename, []string{"a/b"}, nil, "", "dbfilename can't be a path, just a filename"},

		{"save replaces zero", Save{}, []string{"100", "1"}, Save{}.Zero(), "100 1", ""},
		{"save appends", Save{}, []string{"60", "10000"}, save, "3600 1 300 100 60 10000", ""},
		{"save empty arg empties", Save{}, []string{""}, save, "", ""},
		{"save no args keeps", Save{}, nil, save, "3600 1 300 100", ""},
		{"save odd", Save{}, []string{"100"}, nil, "", "Invalid save parameters"},
		{"save word", Save{}, []string{"100", "a"}, nil, "", "Invalid save parameters"},
		{"save zero seconds", Save{}, []string{"0", "1"}, nil, "", "Invalid save parameters"},
		{"save negative changes", Save{}, []string{"1", "-1"}, nil, "", "Invalid save parameters"},
		{"save empty changes", Save{}, []string{"100", ""}, nil, "100 0", ""},
		{"save empty seconds", Save{}, []string{"", "1"}, nil, "", "Invalid save parameters"},
		{"save strtoll plus and space", Save{}, []string{" 100", "+1"}, nil, "100 1", ""},
		{"save trailing space", Save{}, []string{"100 ", "1"}, nil, "", "Invalid save parameters"},
		{"save changes wrap like a C int", Save{}, []string{"1", "4294967297"}, nil, "1 1", ""},
		{"save changes wrap negative", Save{}, []string{"1", "2147483648"}, nil, "1 -2147483648", ""},
		{"save seconds saturate", Save{}, []string{"9999999999999999999999", "1"}, nil, "9223372036854775807 1", ""},

		{"limits one class", OutputBufferLimits{}, []string{"normal", "1mb", "2mb", "3"}, limitsDefault,
			"normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60", ""},
		{"limits replica is slave", OutputBufferLimits{}, []string{"REPLICA", "1kb", "1k", "1", "pubsub", "3", "3", "3"}, limitsDefault,
			"normal 0 0 0 slave 1024 1000 1 pubsub 3 3 3", ""},
		{"limits none", OutputBufferLimits{}, nil, limitsDefault,
			"normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", ""},
		{"limits from nothing", OutputBufferLimits{}, []string{"slave", "1", "2", "3"}, nil,
			"normal 0 0 0 slave 1 2 3 pubsub 0 0 0", ""},
		{"limits master", OutputBufferLimits{}, []string{"master", "1", "1", "1"}, limitsDefault, "",
			"Invalid client class specified in buffer limit configuration."},
		{"limits count", OutputBufferLimits{}, []string{"normal", "1", "1"}, limitsDefault, "",
			"Wrong number of arguments in buffer limit configuration."},
		{"limits negative seconds", OutputBufferLimits{}, []string{"normal", "1", "1", "-1"}, limitsDefault, "",
			"Error in hard, soft or soft_seconds setting in buffer limit configuration."},
		{"limits seconds beyond int", OutputBufferLimits{}, []string{"normal", "1", "2", "2147483648"}, limitsDefault, "",
			"Error in hard, soft or soft_seconds setting in buffer limit configuration."},
		{"limits seconds wrap", OutputBufferLimits{}, []string{"normal", "1", "2", "4294967297"}, limitsDefault,
			"normal 1 2 1 slave 268435456 67108864 60 pubsub 33554432 8388608 60", ""},
		{"limits empty seconds", OutputBufferLimits{}, []string{"normal", "1", "2", ""}, limitsDefault,
			"normal 1 2 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", ""},
		{"limits bad size", OutputBufferLimits{}, []string{"normal", "1x", "2", "3"}, limitsDefault, "",
			"Error in hard, soft or soft_seconds setting in buffer limit configuration."},
		{"limits all or nothing", OutputBufferLimits{}, []string{"normal", "1", "1", "1", "pubsub", "1", "1", "x"}, limitsDefault, "",
			"Error in hard, soft or soft_seconds setting in buffer limit configuration."},

		{"bind", Bind{}, []string{"127.0.0.1", "-::1"}, nil, "127.0.0.1 -::1", ""},
		{"bind empty", Bind{}, []string{""}, nil, "", ""},
		{"bind none", Bind{}, nil, nil, "", ""},
		{"bind 16", Bind{}, strings.Fields(strings.Repeat("a ", 16)), nil, strings.TrimSpace(strings.Repeat("a ", 16)), ""},
		{"bind 17", Bind{}, strings.Fields(strings.Repeat("a ", 17)), nil, "", "Too many bind addresses specified."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.kind.Parse(tt.args, tt.prev)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Parse(%q) = %v, %v; want error %q", tt.args, v, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.args, err)
			}
			if got := tt.kind.Format(v); got != tt.want {
				t.Errorf("Parse(%q) formats as %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

// Parsing a save directive must not write into the array of the value it
// amends: that value may still be current.
func TestSaveDoesNotAlias(t *testing.T) {
	base := make([]SavePoint, 1, 4)
	base[0] = SavePoint{1, 1}
	a, err := Save{}.Parse([]string{"2", "2"}, base)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Save{}.Parse([]string{"3", "3"}, base)
	if err != nil {
		t.Fatal(err)
	}
	if got := (Save{}).Format(a); got != "1 1 2 2" {
		t.Errorf("first = %q", got)
	}
	if got := (Save{}).Format(b); got != "1 1 3 3" {
		t.Errorf("second = %q", got)
	}
}

func TestDir(t *testing.T) {
	dir := t.TempDir()
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		arg, want, wantErr string
	}{
		{dir, real, ""},
		{link, real, ""},
		{dir + "/./", real, ""},
		{filepath.Join(dir, "missing"), "", "No such file or directory"},
		{file, "", "Not a directory"},
		{"", "", "No such file or directory"},
	}
	for _, tt := range tests {
		v, err := Dir{}.Parse([]string{tt.arg}, nil)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Parse(%q) = %v, %v; want error %q", tt.arg, v, err, tt.wantErr)
			}
			continue
		}
		if err != nil || v != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %q", tt.arg, v, err, tt.want)
		}
	}
}

func TestKindRewrite(t *testing.T) {
	limits := OutputBufferLimits{}
	def, _ := limits.Parse(strings.Fields("normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60"), nil)
	changed, _ := limits.Parse(strings.Fields("pubsub 1mb 1mb 1"), def)
	tests := []struct {
		name   string
		kind   Kind
		v, def any
		want   []Line
	}{
		{"bool default", Bool{}, true, true, []Line{{"yes", false}}},
		{"bool changed", Bool{}, false, true, []Line{{"no", true}}},
		{"int", Int{}, int64(20), int64(10), []Line{{"20", true}}},
		{"memory gb", Memory{}, uint64(2 << 30), uint64(0), []Line{{"2gb", true}}},
		{"memory mb", Memory{}, uint64(512 << 20), uint64(512 << 20), []Line{{"512mb", false}}},
		{"memory kb", Memory{}, uint64(1536), uint64(0), []Line{{"1536", true}}},
		{"memory bytes", Memory{}, uint64(1000), uint64(0), []Line{{"1000", true}}},
		{"memory beyond int64", Memory{}, uint64(math.MaxUint64), uint64(0), []Line{{"18446744073709551615", true}}},
		{"enum", Enum{}, "debug", "notice", []Line{{"debug", true}}},
		{"string quoted", String{}, "a b\"c\n\x01", "", []Line{{`"a b\"c\n\x01"`, true}}},
		{"string default", String{}, "dump.rdb", "dump.rdb", []Line{{`"dump.rdb"`, false}}},
		{"string omitted", String{OmitEmpty: true}, "", "", nil},
		{"save", Save{}, []SavePoint{{100, 1}, {200, 2}}, []SavePoint{{3600, 1}}, []Line{{"100 1", true}, {"200 2", true}}},
		{"save default forced", Save{}, []SavePoint{{3600, 1}}, []SavePoint{{3600, 1}}, []Line{{"3600 1", true}}},
		{"save none", Save{}, []SavePoint(nil), []SavePoint{{3600, 1}}, []Line{{`""`, true}}},
		{"limits", limits, changed, def, []Line{
			{"normal 0 0 0", false}, {"replica 256mb 64mb 60", false}, {"pubsub 1mb 1mb 1", true}}},
		{"bind default", Bind{}, []string{"*", "-::*"}, []string{"*", "-::*"}, nil},
		{"bind", Bind{}, []string{"127.0.0.1", "-::1"}, []string{"*"}, []Line{{"127.0.0.1 -::1", true}}},
		{"bind none", Bind{}, []string(nil), []string{"*"}, []Line{{`""`, true}}},
		{"dir", Dir{}, "/tmp/a b", "/", []Line{{`"/tmp/a b"`, true}}},
		{"special default", notifyKind, mustParse(t, notifyKind, "KEA"), mustParse(t, notifyKind, ""), []Line{{`"AKE"`, true}}},
		{"special at default", notifyKind, mustParse(t, notifyKind, ""), mustParse(t, notifyKind, ""), []Line{{`""`, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.kind.Rewrite(tt.v, tt.def)
			if len(got) != len(tt.want) {
				t.Fatalf("Rewrite = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Rewrite = %+v, want %+v", got, tt.want)
				}
			}
		})
	}
}

func mustParse(tb testing.TB, k Kind, arg string) any {
	tb.Helper()
	v, err := k.Parse([]string{arg}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestParseMemoryRoundTrip(t *testing.T) {
	for _, n := range []uint64{0, 1, 999, 1000, 1024, 1025, 1 << 20, 3 << 20, 5 << 30, 1<<30 + 1, math.MaxInt64, math.MaxUint64} {
		s := FormatMemory(n)
		got, ok := ParseMemory(s)
		if !ok || got != n {
			t.Errorf("ParseMemory(FormatMemory(%d) = %q) = %d, %v", n, s, got, ok)
		}
	}
}

func TestStrtoll(t *testing.T) {
	tests := []struct {
		in   string
		n    int64
		rest string
	}{
		{"", 0, ""},
		{"12", 12, ""},
		{"  \t12x", 12, "x"},
		{"+7", 7, ""},
		{"-7 ", -7, " "},
		{"-", 0, "-"},
		{" ", 0, " "},
		{"x1", 0, "x1"},
		{"9223372036854775807", math.MaxInt64, ""},
		{"9223372036854775808", math.MaxInt64, ""},
		{"-9223372036854775808", math.MinInt64, ""},
		{"-9223372036854775809", math.MinInt64, ""},
		{"99999999999999999999999a", math.MaxInt64, "a"},
	}
	for _, tt := range tests {
		n, rest := strtoll(tt.in)
		if n != tt.n || rest != tt.rest {
			t.Errorf("strtoll(%q) = %d, %q; want %d, %q", tt.in, n, rest, tt.n, tt.rest)
		}
	}
}
