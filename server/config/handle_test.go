package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestHandle(t *testing.T) {
	var (
		timeout Handle[int64]
		save    Handle[[]SavePoint]
		mode    Handle[bool]
	)
	var seen []int64 // timeout's Handle as each Apply sees it
	c, err := New(
		Param{Name: "timeout", Kind: Int{Min: 0, Max: 100}, Default: "0", Handle: &timeout,
			Apply: func(v Value) error {
				seen = append(seen, timeout.Load())
				if v.Int() == 13 {
					return errors.New("unlucky")
				}
				return nil
			}},
		Param{Name: "save", Kind: Save{}, Default: "3600 1", Handle: &save},
		Param{Name: "protected-mode", Kind: Bool{}, Default: "yes", Handle: &mode},
	)
	if err != nil {
		t.Fatal(err)
	}
	if timeout.Load() != 0 || !mode.Load() || !slices.Equal(save.Load(), []SavePoint{{3600, 1}}) {
		t.Fatalf("after New: timeout %d, protected-mode %v, save %v", timeout.Load(), mode.Load(), save.Load())
	}
	if err := c.Load([]string{"--timeout", "5", "--save", ""}, nil); err != nil {
		t.Fatal(err)
	}
	if timeout.Load() != 5 || save.Load() != nil {
		t.Errorf("after Load: timeout %d, save %v", timeout.Load(), save.Load())
	}
	if err := c.Set("timeout", "7", "protected-mode", "no"); err != nil {
		t.Fatal(err)
	}
	if timeout.Load() != 7 || mode.Load() {
		t.Errorf("after Set: timeout %d, protected-mode %v", timeout.Load(), mode.Load())
	}
	// A refused value is rolled back in the Handle too.
	if err := c.Set("protected-mode", "yes", "timeout", "13"); err == nil {
		t.Fatal("Set timeout 13 succeeded")
	}
	if timeout.Load() != 7 || mode.Load() {
		t.Errorf("after a failed Set: timeout %d, protected-mode %v", timeout.Load(), mode.Load())
	}
	if want := []int64{5, 7, 13, 7}; !slices.Equal(seen, want) {
		t.Errorf("Apply saw the Handle at %v, want %v", seen, want)
	}
}

func TestHandleOfWrongType(t *testing.T) {
	var h Handle[int]
	_, err := New(Param{Name: "timeout", Kind: Int{Min: 0, Max: 100}, Default: "0", Handle: &h})
	if err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("New with a Handle[int] for an Int: %v", err)
	}

	// A Special kind whose values change type is refused a value that does
	// not fit, and keeps the old one.
	var s Handle[string]
	odd := Special{
		ParseFunc: func(args []string, _ any) (any, error) {
			if args[0] == "n" {
				return 1, nil
			}
			return args[0], nil
		},
		FormatFunc: func(v any) string { return "" },
	}
	c, err := New(Param{Name: "odd", Kind: odd, Default: "a", Handle: &s})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set("odd", "n"); err == nil {
		t.Error("Set odd n succeeded")
	}
	if err := c.Load([]string{"--odd", "n"}, nil); err == nil {
		t.Error("Load odd n succeeded")
	}
	if got := s.Load(); got != "a" {
		t.Errorf("Handle holds %q, want a", got)
	}
}
