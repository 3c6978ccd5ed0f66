package config

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/mini-redis/mini-redis/db/pubsub"
)

// recorder is the Apply of the test registry: it records every call, and
// fails the parameters told to.
type recorder struct {
	mu    sync.Mutex
	calls []string // "name=value"
	fail  map[string]error
}

func (r *recorder) apply(name string) func(Value) error {
	return func(v Value) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.calls = append(r.calls, name+"="+v.String())
		return r.fail[name]
	}
}

// failOn makes the Apply of name fail with err (nil: succeed again).
func (r *recorder) failOn(name string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail == nil {
		r.fail = make(map[string]error)
	}
	r.fail[name] = err
}

// take returns the calls recorded since the last take.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

var errAOF = errors.New("Unable to turn on AOF. Check server logs.")

// testParams is the registry of the package's tests: a few parameters
// with Redis 7.0's names, kinds, bounds and defaults, enough for every kind,
// flag and alias the package handles. It is not the server's table (the
// server's tests compare that one with redis-server); port and bind are
// immutable here as they are there.
func testParams(rec *recorder) []Param {
	apply := rec.apply
	const intMax = math.MaxInt32
	return []Param{
		{Name: "port", Kind: Int{Min: 0, Max: 65535}, Default: "6379", Immutable: true, Apply: apply("port")},
		{Name: "bind", Kind: Bind{}, Default: "* -::*", Immutable: true, Apply: apply("bind")},
		{Name: "protected-mode", Kind: Bool{}, Default: "yes", Apply: apply("protected-mode")},
		{Name: "timeout", Kind: Int{Min: 0, Max: intMax}, Default: "0", Apply: apply("timeout")},
		{Name: "maxclients", Kind: Int{Min: 1, Max: math.MaxUint32}, Default: "10000", Apply: apply("maxclients")},
		{Name: "requirepass", Kind: String{OmitEmpty: true}, Default: "", Apply: apply("requirepass")},
		{Name: "databases", Kind: Int{Min: 1, Max: intMax}, Default: "16", Immutable: true, Apply: apply("databases")},
		{Name: "save", Kind: Save{}, Default: "3600 1 300 100 60 10000", Apply: apply("save")},
		{Name: "dir", Kind: Dir{}, Default: ".", Protected: true, Apply: apply("dir")},
		{Name: "dbfilename", Kind: String{Check: checkBaseName}, Default: "dump.rdb", Protected: true, Apply: apply("dbfilename")},
		{Name: "appendonly", Kind: Bool{}, Default: "no", Apply: func(v Value) error {
			if err := apply("appendonly")(v); err != nil {
				return err
			}
			if v.Bool() {
				return errAOF
			}
			return nil
		}},
		{Name: "loglevel", Kind: Enum{Values: []string{"debug", "verbose", "notice", "warning"}}, Default: "notice", Apply: apply("loglevel")},
		{Name: "notify-keyspace-events", Kind: notifyKind, Default: "", Apply: apply("notify-keyspace-events")},
		{Name: "hz", Kind: Int{Min: 0, Max: intMax, Adjust: clampHz}, Default: "10", Apply: apply("hz")},
		{Name: "maxmemory", Kind: Memory{Min: 0, Max: math.MaxUint64}, Default: "0", Apply: apply("maxmemory")},
		{Name: "maxmemory-policy", Kind: Enum{Values: []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
			"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}}, Default: "noeviction", Apply: apply("maxmemory-policy")},
		{Name: "proto-max-bulk-len", Kind: Memory{Min: 1 << 20, Max: math.MaxInt64}, Default: "512mb", Apply: apply("proto-max-bulk-len")},
		{Name: "client-query-buffer-limit", Kind: Memory{Min: 1 << 20, Max: math.MaxInt64}, Default: "1gb", Apply: apply("client-query-buffer-limit")},
		{Name: "client-output-buffer-limit", Kind: OutputBufferLimits{},
			Default: "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60", Apply: apply("client-output-buffer-limit")},
		{Name: "enable-debug-command", Kind: Enum{Values: []string{"no", "yes", "local"}}, Default: "no", Immutable: true, Apply: apply("enable-debug-command")},
		{Name: "hash-max-listpack-entries", Aliases: []string{"hash-max-ziplist-entries"}, Kind: Int{Min: 0, Max: math.MaxInt64},
			Default: "512", Apply: apply("hash-max-listpack-entries")},
	}
}

// notifyKind is notify-keyspace-events as the server defines it, with the
// parsing and printing of package pubsub.
var notifyKind = Special{
	ParseFunc:  func(args []string, _ any) (any, error) { return pubsub.ParseEventFlags(args[0]) },
	FormatFunc: func(v any) string { return v.(pubsub.EventFlags).String() },
}

func checkBaseName(s string) error {
	if strings.ContainsAny(s, `/\`) {
		return errors.New("dbfilename can't be a path, just a filename")
	}
	return nil
}

func clampHz(n int64) int64 { return min(max(n, 1), 500) }

// newTestConfig returns a Config of the test registry at its defaults.
func newTestConfig(tb testing.TB) (*Config, *recorder) {
	tb.Helper()
	rec := &recorder{}
	c, err := New(testParams(rec)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c, rec
}

// get returns the value of one parameter, as CONFIG GET prints it.
func get(tb testing.TB, c *Config, name string) string {
	tb.Helper()
	v, ok := c.Lookup(name)
	if !ok {
		tb.Fatalf("no parameter %q", name)
	}
	return v.String()
}

func pairsString(ps []Pair) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s=%q ", p.Name, p.Value)
	}
	return strings.TrimSpace(b.String())
}
