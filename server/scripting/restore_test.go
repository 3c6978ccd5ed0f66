package scripting

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// lib returns a library called name whose functions are fns.
func lib(name string, fns ...string) []byte {
	var b strings.Builder
	b.WriteString("#!lua name=" + name + "\n")
	for _, f := range fns {
		b.WriteString("redis.register_function('" + f + "', function() return 1 end)\n")
	}
	return []byte(b.String())
}

// state describes the engine's libraries and functions.
func state(e *Engine) string {
	var parts []string
	for _, l := range e.Libraries() {
		var fns []string
		for _, f := range l.Functions {
			if e.Function(f.Name) != f {
				fns = append(fns, "unlinked:")
			}
			fns = append(fns, f.Name)
		}
		parts = append(parts, l.Name+"("+strings.Join(fns, ",")+")")
	}
	libs, funcs := e.Counts()
	return strings.Join(parts, " ") + " " + strconv.Itoa(libs) + "/" + strconv.Itoa(funcs)
}

// TestRestoreLibraries runs FUNCTION RESTORE's policies on an engine
// holding a(fa) and b(fb): a failure changes nothing.
func TestRestoreLibraries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		codes  [][]byte
		policy RestorePolicy
		err    string
		want   string
	}{
		{"append new", [][]byte{lib("c", "fc")}, RestoreAppend, "", "a(fa) b(fb) c(fc) 3/3"},
		{"append existing", [][]byte{lib("c", "fc"), lib("b", "fb2")}, RestoreAppend, "Library b already exists", "a(fa) b(fb) 2/2"},
		{"append function clash", [][]byte{lib("c", "fa")}, RestoreAppend, "Function fa already exists", "a(fa) b(fb) 2/2"},
		{"replace", [][]byte{lib("b", "fb2"), lib("c", "fc")}, RestoreReplace, "", "a(fa) b(fb2) c(fc) 3/3"},
		{"replace takes the replaced library's functions", [][]byte{lib("b", "fb", "fx")}, RestoreReplace, "", "a(fa) b(fb,fx) 2/3"},
		{"replace function clash", [][]byte{lib("b", "fa")}, RestoreReplace, "Function fa already exists", "a(fa) b(fb) 2/2"},
		{"flush", [][]byte{lib("c", "fa")}, RestoreFlush, "", "c(fa) 1/1"},
		{"flush to nothing", nil, RestoreFlush, "", " 0/0"},
		{"duplicate library", [][]byte{lib("c", "fc"), lib("c", "fd")}, RestoreFlush, "Library 'c' already exists", "a(fa) b(fb) 2/2"},
		{"duplicate function", [][]byte{lib("c", "fc"), lib("d", "fc")}, RestoreFlush, "Function fc already exists", "a(fa) b(fb) 2/2"},
		{"bad code after good", [][]byte{lib("c", "fc"), []byte("#!lua name=d\nreturn +")}, RestoreAppend,
			"Error compiling function: ", "a(fa) b(fb) 2/2"},
		{"no metadata", [][]byte{[]byte("return 1")}, RestoreFlush, "Missing library metadata", "a(fa) b(fb) 2/2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New()
			defer e.Close()
			for _, code := range [][]byte{lib("a", "fa"), lib("b", "fb")} {
				if _, errText := e.LoadLibrary(code, false); errText != "" {
					t.Fatal(errText)
				}
			}
			errText := e.RestoreLibraries(tc.codes, tc.policy)
			if tc.err == "" && errText != "" || !strings.HasPrefix(errText, tc.err) {
				t.Errorf("RestoreLibraries = %q, want %q", errText, tc.err)
			}
			if got := state(e); got != tc.want {
				t.Errorf("libraries %s, want %s", got, tc.want)
			}
		})
	}
}

// FuzzRestoreLibraries restores any two pieces of library code: it must
// not panic, and fail leaving the libraries as they were, or succeed
// with every function of every library callable.
func FuzzRestoreLibraries(f *testing.F) {
	f.Add(lib("x", "fx"), lib("y", "fy"), uint8(0))
	f.Add(lib("x", "fa"), []byte("#!lua name=y\nerror('e')"), uint8(1))
	f.Add([]byte("#!lua name=x\nredis.register_function{function_name='fx', callback=function() end, flags={'no-writes'}}"), []byte("#!lua"), uint8(2))
	e := New()
	defer e.Close()
	f.Fuzz(func(t *testing.T, a, b []byte, policy uint8) {
		e.FlushLibraries()
		if _, errText := e.LoadLibrary(lib("a", "fa"), false); errText != "" {
			t.Fatal(errText)
		}
		before := state(e)
		errText := e.RestoreLibraries([][]byte{a, b}, RestorePolicy(policy%3))
		after := state(e)
		if errText != "" {
			if after != before {
				t.Fatalf("failed restore (%s) changed %s to %s", errText, before, after)
			}
			return
		}
		if strings.Contains(after, "unlinked:") {
			t.Fatalf("after restore: %s", after)
		}
		libs := e.Libraries()
		if !slices.ContainsFunc(libs, func(l *Library) bool { return string(l.Code) == string(a) }) {
			t.Fatalf("library of %q missing: %s", a, after)
		}
	})
}
