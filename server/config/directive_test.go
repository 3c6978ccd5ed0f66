package config

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestAddDirective: a directive's lines reach its function in file order,
// options after the file, in any letter case; its error fails the Load
// with the line; CONFIG GET knows nothing of it.
func TestAddDirective(t *testing.T) {
	tests := []struct {
		name    string
		file    *string
		options []string
		want    [][]string
		errText string
	}{
		{"none", nil, nil, nil, ""},
		{"file then options", ptr("user a on\nUSER b off x\n"), []string{"--user", "c"},
			[][]string{{"a", "on"}, {"b", "off", "x"}, {"c"}}, ""},
		{"quoted", ptr(`user "a b" "x y"` + "\n"), nil, [][]string{{"a b", "x y"}}, ""},
		{"refused", ptr("user a\nuser bad\n"), nil, [][]string{{"a"}, {"bad"}}, "at line 2\n>>> 'user bad'\nno bad users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestConfig(t)
			var got [][]string
			c.AddDirective("user", func(args []string) error {
				got = append(got, args)
				if len(args) > 0 && args[0] == "bad" {
					return errors.New("no bad users")
				}
				return nil
			}, nil)
			err := c.Load(loadArgs(t, tt.file, tt.options...), nil)
			switch {
			case tt.errText == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tt.errText != "" && (err == nil || !strings.Contains(err.Error(), tt.errText)):
				t.Fatalf("Load: got %v, want an error with %q", err, tt.errText)
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal[[]string]) {
				t.Errorf("directive got %q, want %q", got, tt.want)
			}
			if pairs := c.Get("user"); len(pairs) != 0 {
				t.Errorf("CONFIG GET user = %v", pairs)
			}
		})
	}
}

// TestRewriteDirective: CONFIG REWRITE puts the directive's lines where
// its old ones were, appends the rest, and drops the old ones left over;
// a directive without a rewrite function keeps its lines.
func TestRewriteDirective(t *testing.T) {
	tests := []struct {
		name string
		old  string
		new  []string
		want string
	}{
		{"replaced in place", "user a\nport 7000\nuser b\n", []string{"x on", "y off"}, "user x on\nport 7000\nuser y off\nkeep me\n"},
		{"fewer", "user a\nuser b\nport 7000\n", []string{"x"}, "user x\nport 7000\nkeep me\n"},
		{"more", "port 7000\nuser a\n", []string{"x", "y"}, "port 7000\nuser x\nkeep me\nuser y\n"},
		{"none", "user a\nport 7000\n", nil, "port 7000\nkeep me\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestConfig(t)
			c.AddDirective("user", func([]string) error { return nil }, func() []string { return tt.new })
			c.AddDirective("keep", func([]string) error { return nil }, nil)
			path := writeFile(t, tt.old+"keep me\n")
			if err := c.Load([]string{path}, nil); err != nil {
				t.Fatal(err)
			}
			if err := c.Rewrite(); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// The lines of the directives and of port, in order (save and
			// dir are always written too).
			var got strings.Builder
			for _, l := range strings.Split(string(data), "\n") {
				if strings.HasPrefix(l, "user ") || strings.HasPrefix(l, "port ") || strings.HasPrefix(l, "keep ") {
					got.WriteString(l + "\n")
				}
			}
			if got.String() != tt.want {
				t.Errorf("rewritten:\n%s\nwant:\n%s", data, tt.want)
			}
		})
	}
}
