package scripting

import (
	"strconv"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestStringArrayReuse checks that KEYS and ARGV built one after another
// hold each call's items, whatever the previous call's were, and that the
// strings kept between calls stay bounded.
func TestStringArrayReuse(t *testing.T) {
	many := make([]string, 40)
	for i := range many {
		many[i] = "m" + strconv.Itoa(i)
	}
	calls := []struct {
		name  string
		items []string
	}{
		{"first", []string{"a", "b"}},
		{"same", []string{"a", "b"}},
		{"changed", []string{"a", "c"}},
		{"longer", []string{"x", "c", "d"}},
		{"shorter", []string{"x"}},
		{"none", nil},
		{"empty string", []string{""}},
		{"many", many},
		{"few after many", []string{"m0", "z"}},
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	var seen []lua.LValue
	for _, c := range calls {
		items := make([][]byte, len(c.items))
		for i, it := range c.items {
			items[i] = []byte(it)
		}
		tb := stringArray(L, items, &seen)
		if got := tb.Len(); got != len(c.items) {
			t.Errorf("%s: #t = %d, want %d", c.name, got, len(c.items))
		}
		for i, want := range c.items {
			if got := tb.RawGetInt(i + 1); got != lua.LString(want) {
				t.Errorf("%s: t[%d] = %v, want %q", c.name, i+1, got, want)
			}
		}
		if len(seen) > max(len(c.items), maxSeenArgs) {
			t.Errorf("%s: %d strings kept for %d items", c.name, len(seen), len(c.items))
		}
	}
}
