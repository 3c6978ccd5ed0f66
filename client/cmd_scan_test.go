package client

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"
)

// TestScan checks the SCAN family's single steps and iterators on every
// target.
func TestScan(t *testing.T) {
	ts := targets(t)
	// collect drains an iterator, failing the test on an error.
	collect := func(t *testing.T, seq func(func(string, error) bool)) []string {
		t.Helper()
		var out []string
		for item, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, item)
		}
		return out
	}
	sorted := func(ss []string) []string {
		ss = append([]string(nil), ss...)
		sort.Strings(ss)
		return ss
	}
	// unique drops the duplicates SCAN may return.
	unique := func(ss []string) []string {
		seen := map[string]bool{}
		var out []string
		for _, s := range ss {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
		return sorted(out)
	}
	tests := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, c *Client)
	}{
		{"scan steps follow the cursor to 0", func(t *testing.T, ctx context.Context, c *Client) {
			var want []string
			for i := range 40 {
				k := fmt.Sprintf("k:%02d", i)
				want = append(want, k)
				noErr(t, c.Set(ctx, k, i, 0))
			}
			var got []string
			var cursor uint64
			steps := 0
			for {
				next, keys, err := c.Scan(ctx, cursor, &ScanOptions{Count: 5})
				noErr(t, err)
				got = append(got, keys...)
				steps++
				if next == 0 {
					break
				}
				cursor = next
			}
			eq(t, "keys", unique(got), want)
			eq(t, "more than one step", steps > 1, true)
		}},
		{"ScanAll with MATCH and TYPE", func(t *testing.T, ctx context.Context, c *Client) {
			for i := range 30 {
				noErr(t, c.Set(ctx, fmt.Sprintf("k:%d", i), i, 0))
			}
			must(c.HSet(ctx, "k:hash", "f", "v"))(t)
			must(c.SAdd(ctx, "other", "m"))(t)
			eq(t, "MATCH k:1*", unique(collect(t, c.ScanAll(ctx, &ScanOptions{Match: "k:1*", Count: 3}))),
				[]string{"k:1", "k:10", "k:11", "k:12", "k:13", "k:14", "k:15", "k:16", "k:17", "k:18", "k:19"})
			eq(t, "TYPE hash", unique(collect(t, c.ScanAll(ctx, &ScanOptions{Type: "hash"}))), []string{"k:hash"})
			eq(t, "all", len(unique(collect(t, c.ScanAll(ctx, nil)))), 32)
			eq(t, "empty database", collect(t, c.ScanAll(ctx, &ScanOptions{Match: "nothing*"})), []string(nil))
		}},
		{"SScan, HScan and ZScan", func(t *testing.T, ctx context.Context, c *Client) {
			must(c.SAdd(ctx, "s", "a", "b", "c"))(t)
			must(c.HSet(ctx, "h", "f1", "v1", "f2", "v2"))(t)
			must(c.ZAdd(ctx, "z", Z{1, "a"}, Z{2.5, "b"}))(t)
			next, members, err := c.SScan(ctx, "s", 0, nil)
			noErr(t, err)
			eq(t, "SScan", []any{next, sorted(members)}, []any{uint64(0), []string{"a", "b", "c"}})
			eq(t, "SScanAll MATCH", collect(t, c.SScanAll(ctx, "s", &ScanOptions{Match: "b"})), []string{"b"})
			// Small hashes and sorted sets come whole, in insertion order.
			eq(t, "HScanAll", collect(t, c.HScanAll(ctx, "h", nil)), []string{"f1", "v1", "f2", "v2"})
			_, items, err := c.HScan(ctx, "h", 0, &ScanOptions{Match: "f2"})
			noErr(t, err)
			eq(t, "HScan MATCH", items, []string{"f2", "v2"})
			eq(t, "ZScanAll", collect(t, c.ZScanAll(ctx, "z", nil)), []string{"a", "1", "b", "2.5"})
			_, items, err = c.ZScan(ctx, "z", 0, &ScanOptions{Count: 10})
			noErr(t, err)
			eq(t, "ZScan", items, []string{"a", "1", "b", "2.5"})
			eq(t, "SScanAll missing", collect(t, c.SScanAll(ctx, "nope", nil)), []string(nil))
		}},
		{"big set over many steps", func(t *testing.T, ctx context.Context, c *Client) {
			var want []string
			var args []any
			for i := range 300 { // past set-max-intset-entries and listpack limits: a real hash table
				m := fmt.Sprintf("m%03d", i)
				want = append(want, m)
				args = append(args, m)
			}
			must(c.SAdd(ctx, "big", args...))(t)
			eq(t, "SScanAll", unique(collect(t, c.SScanAll(ctx, "big", &ScanOptions{Count: 20}))), want)
		}},
		{"breaking out of the loop", func(t *testing.T, ctx context.Context, c *Client) {
			for i := range 20 {
				noErr(t, c.Set(ctx, fmt.Sprintf("k%d", i), i, 0))
			}
			n := 0
			for _, err := range c.ScanAll(ctx, &ScanOptions{Count: 2}) {
				noErr(t, err)
				if n++; n == 3 {
					break
				}
			}
			eq(t, "items seen", n, 3)
			noErr(t, c.Ping(ctx))
		}},
		{"errors", func(t *testing.T, ctx context.Context, c *Client) {
			noErr(t, c.Set(ctx, "str", "v", 0))
			var errs []error
			for item, err := range c.SScanAll(ctx, "str", nil) {
				eq(t, "item with the error", item, "")
				errs = append(errs, err)
			}
			var e Error
			eq(t, "one error", len(errs), 1)
			eq(t, "WRONGTYPE", errors.As(errs[0], &e) && e.Prefix() == "WRONGTYPE", true)
			_, _, err := c.HScan(ctx, "str", 0, nil)
			eq(t, "HScan WRONGTYPE", errors.As(err, &e) && e.Prefix() == "WRONGTYPE", true)
			must(c.SAdd(ctx, "s", "a"))(t)
			_, _, err = c.SScan(ctx, "s", 0, &ScanOptions{Type: "string"})
			eq(t, "TYPE refused by SSCAN", errors.As(err, &e) && e == "ERR syntax error", true)
			_, _, err = c.Scan(ctx, 0, &ScanOptions{Count: -1}) // not sent: Count must be positive
			noErr(t, err)

			canceled, cancel := context.WithCancel(ctx)
			cancel()
			errs = nil
			for _, err := range c.ScanAll(canceled, nil) {
				errs = append(errs, err)
			}
			eq(t, "canceled", len(errs) == 1 && errors.Is(errs[0], context.Canceled), true)
		}},
	}
	eachTarget(t, ts, func(t *testing.T, tg target, c *Client) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				noErr(t, c.FlushDB(ctx))
				tt.run(t, ctx, c)
			})
		}
	})
}
