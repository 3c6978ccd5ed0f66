// Package config is a server's configuration in the manner of Redis 7.0's
// config.c: a registry of named parameters, loaded from a redis.conf-style
// file and redis-server's command line, read with CONFIG GET, changed with
// CONFIG SET and written back with CONFIG REWRITE.
//
// The package knows nothing of the server. The server registers its
// parameters (Param), each with a Kind that parses and prints its values,
// and usually a typed Handle through which it reads the current value
// without locks. The few parameters whose changes must take effect at once
// (or be refused) also have an Apply hook, told every value the parameter
// takes: once at Load, and again whenever CONFIG SET changes it.
//
// Values, formats and error texts are those of Redis 7.0.15, quirks included,
// so that a server built on this package answers CONFIG GET and CONFIG SET
// the way Redis does:
//
//   - Aliases are separate entries, as in Redis: a pattern matching both a
//     name and its alias returns both, and CONFIG SET may set a parameter
//     through its name and its alias in one call.
//   - Redis returns CONFIG GET's matches in the order of a hash table seeded
//     at random when the server starts; Get returns them sorted by name.
//   - Errors of Set and Rewrite (CommandError) carry the exact reply Redis
//     sends; errors of Load (LoadError) print exactly as redis-server's
//     "FATAL CONFIG FILE ERROR".
package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mini-redis/mini-redis/db/glob"
	"github.com/mini-redis/mini-redis/frame"
)

// RedisVersion is the version of Redis whose behaviour the package follows;
// it appears in the banner of a LoadError.
const RedisVersion = "7.0.15"

// A Param describes one configuration parameter.
type Param struct {
	// Name is the parameter's name, in lower case, e.g. "maxmemory".
	Name string
	// Aliases are other names for the parameter, in lower case, e.g.
	// "hash-max-ziplist-entries" for "hash-max-listpack-entries".
	Aliases []string
	// Kind parses and prints the parameter's values.
	Kind Kind
	// Default is the value before any configuration, written as in a
	// configuration file: one argument for most kinds, several separated
	// by spaces for kinds whose directives take several arguments ("3600 1
	// 300 100 60 10000" for save).
	Default string
	// Immutable parameters can be set only at start: CONFIG SET refuses
	// them.
	Immutable bool
	// Protected parameters (dir, dbfilename) are changed only by SetProtected,
	// as Redis allows them only when enable-protected-configs permits the
	// client.
	Protected bool
	// Hidden parameters are left out of pattern matches: CONFIG GET returns
	// them only when asked for by name.
	Hidden bool
	// Handle, if not nil, holds the parameter's current value for the
	// server to read: a *Handle[T] whose T is the type of Kind's values.
	Handle Holder
	// Apply, if not nil, is told each value the parameter takes: at Load
	// (the final value, defaults included), and at every CONFIG SET that
	// changes it, after Handle holds it. It is for the effects a change
	// must have at once, and for refusing values: an error fails the Load
	// or the CONFIG SET, which restores the previous values. Apply must
	// not call Set, SetProtected, Load or Rewrite of the same Config.
	Apply func(Value) error
}

// A Value is a parameter's parsed value, as passed to Apply.
type Value struct {
	kind Kind
	v    any
}

// Bool returns the value of a Bool parameter (false for other kinds).
func (v Value) Bool() bool { b, _ := v.v.(bool); return b }

// Int returns the value of an Int parameter (0 for other kinds).
func (v Value) Int() int64 { n, _ := v.v.(int64); return n }

// Uint returns the value of a Memory parameter, in bytes (0 for other
// kinds).
func (v Value) Uint() uint64 { n, _ := v.v.(uint64); return n }

// String returns the value as CONFIG GET prints it: the name of an Enum
// value, the text of a String, and so on.
func (v Value) String() string {
	if v.kind == nil {
		return ""
	}
	return v.kind.Format(v.v)
}

// Any returns the value itself: bool, int64, uint64 or string for the basic
// kinds, []SavePoint for Save, BufferLimits for OutputBufferLimits, []string
// for Bind, and whatever a Special kind's ParseFunc returns.
func (v Value) Any() any { return v.v }

// A Pair is a parameter's name and its value as CONFIG GET prints them.
type Pair struct {
	Name  string
	Value string
}

// A CommandError is an error of Set or Rewrite. Reply is the error reply
// Redis sends for it, error code included, so that a server can send it
// as is.
type CommandError struct {
	Reply string // e.g. "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config"
	Err   error  // the cause, if any: an Apply or file system error
}

func (e *CommandError) Error() string { return e.Reply }

// Unwrap returns the cause.
func (e *CommandError) Unwrap() error { return e.Err }

// entry is one name under which a parameter is registered: its own name or
// an alias.
type entry struct {
	name  string
	param int
}

// A Config holds the values of a set of parameters. Its methods are safe for
// concurrent use.
type Config struct {
	params  []Param
	defs    []any    // parsed defaults, by parameter
	entries []*entry // names then aliases, in registration order
	byName  map[string]*entry

	// opMu serializes the operations that change values or the file (Load,
	// Set, Rewrite); it is held while Apply runs, so Apply may call Get.
	opMu sync.Mutex
	mu   sync.RWMutex // guards vals and file
	vals []any
	file string // absolute path of the configuration file, "" if none

	directives map[string]directive // guarded by opMu
}

// A directive is a configuration-file line that is not a parameter.
type directive struct {
	parse   func(args []string) error
	rewrite func() []string
}

// AddDirective registers a configuration-file directive that is not a
// parameter, such as Redis's "user": CONFIG GET and SET know nothing of
// it. Load calls parse with the arguments of each of its lines, in file
// order; an error fails the Load, with the error's text as the reason.
// Rewrite replaces the directive's lines with those rewrite returns (what
// follows the name, quoted as it must appear), in place and then at the
// end of the file; a nil rewrite keeps the lines as they are.
func (c *Config) AddDirective(name string, parse func(args []string) error, rewrite func() []string) {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	if c.directives == nil {
		c.directives = map[string]directive{}
	}
	c.directives[asciiLower(name)] = directive{parse, rewrite}
}

// New returns a Config of the given parameters at their defaults, which it
// stores in their Handles. It reports an error if a name is not lower case
// or is registered twice, if a default does not parse, or if a Handle is
// not of the type of its Kind's values.
func New(params ...Param) (*Config, error) {
	c := &Config{
		params: slices.Clone(params),
		defs:   make([]any, len(params)),
		vals:   make([]any, len(params)),
		byName: make(map[string]*entry),
	}
	add := func(name string, i int) error {
		if name == "" || asciiLower(name) != name || strings.ContainsAny(name, " \t\r\n") {
			return fmt.Errorf("config: invalid parameter name %q", name)
		}
		if _, dup := c.byName[name]; dup {
			return fmt.Errorf("config: parameter %q registered twice", name)
		}
		e := &entry{name: name, param: i}
		c.byName[name] = e
		c.entries = append(c.entries, e)
		return nil
	}
	for i, p := range c.params {
		if p.Kind == nil {
			return nil, fmt.Errorf("config: parameter %q has no Kind", p.Name)
		}
		if s, ok := p.Kind.(Special); ok && (s.ParseFunc == nil || s.FormatFunc == nil) {
			return nil, fmt.Errorf("config: parameter %q: Special kind needs ParseFunc and FormatFunc", p.Name)
		}
		if err := add(p.Name, i); err != nil {
			return nil, err
		}
		for _, a := range p.Aliases {
			if err := add(a, i); err != nil {
				return nil, err
			}
		}
		var args []string
		if p.Kind.Multi() {
			var ok bool
			if args, ok = splitArgs(p.Default); !ok {
				return nil, fmt.Errorf("config: parameter %q: default %q has unbalanced quotes", p.Name, p.Default)
			}
		} else {
			args = []string{p.Default}
		}
		v, err := p.Kind.Parse(args, startValue(p.Kind, nil))
		if err != nil {
			return nil, fmt.Errorf("config: parameter %q: default %q: %w", p.Name, p.Default, err)
		}
		if err := c.check(i, v); err != nil {
			return nil, fmt.Errorf("config: parameter %q: %w", p.Name, err)
		}
		c.defs[i] = v
		c.vals[i] = v
		if p.Handle != nil {
			p.Handle.hold(v)
		}
	}
	return c, nil
}

// startValue is the value a directive amends: the current value, or for an
// Accumulator, its zero value.
func startValue(k Kind, cur any) any {
	if a, ok := k.(Accumulator); ok {
		return a.Zero()
	}
	return cur
}

func (c *Config) lookup(name string) (*entry, bool) {
	e, ok := c.byName[asciiLower(name)]
	return e, ok
}

// Lookup returns the current value of the parameter with the given name or
// alias (in any case).
func (c *Config) Lookup(name string) (Value, bool) {
	e, ok := c.lookup(name)
	if !ok {
		return Value{}, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return Value{c.params[e.param].Kind, c.vals[e.param]}, true
}

// File returns the absolute path of the configuration file given to Load,
// or "" if there was none.
func (c *Config) File() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.file
}

// Get is CONFIG GET: the parameters matching any of the patterns, with their
// values.
//
// A pattern without glob characters ('*', '?', '[') is a name, looked up in
// any case and returned under the spelling given; hidden parameters are
// found only this way. Other patterns are matched without regard to case
// against every name and alias. Each name is returned at most once, but a
// parameter may be returned under its name and under an alias. The result
// is sorted by name.
func (c *Config) Get(patterns ...string) []Pair {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []Pair
	seen := make(map[string]bool) // lower-cased names already in out
	add := func(name string, e *entry) {
		seen[asciiLower(name)] = true
		p := c.params[e.param]
		out = append(out, Pair{Name: name, Value: p.Kind.Format(c.vals[e.param])})
	}
	for _, pat := range patterns {
		// Redis tests for glob characters and matches the pattern as a C
		// string, up to a NUL; a name is looked up whole.
		if !strings.ContainsAny(cString(pat), "[*?") {
			if seen[asciiLower(pat)] {
				continue
			}
			if e, ok := c.lookup(pat); ok {
				add(pat, e)
			}
			continue
		}
		for _, e := range c.entries {
			if c.params[e.param].Hidden || seen[e.name] {
				continue
			}
			if glob.MatchString(cString(pat), e.name, true) {
				add(e.name, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b Pair) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Set is CONFIG SET name value [name value ...] from a client that may not
// change protected parameters. See SetProtected.
func (c *Config) Set(pairs ...string) error { return c.set(false, pairs) }

// SetProtected is CONFIG SET from a client allowed to change protected
// parameters too (in Redis, when enable-protected-configs is "yes", or
// "local" and the client is local).
//
// As in Redis, the call is atomic: every name is checked first (unknown,
// immutable, protected, or given twice: the first problem is the error),
// then every value is parsed, in order; only if all parse are the new values
// stored, then applied, in order, each parameter once and only if its value
// changed. If an Apply fails, every parameter gets its previous value back,
// and the parameters already applied are applied again with it.
//
// Calls of Set, Load and Rewrite run one at a time. Get and Lookup do not
// wait for them: while the new values are applied, they already see them
// (and, if an Apply fails, they see them go).
//
// Errors are *CommandError with Redis's reply.
func (c *Config) SetProtected(pairs ...string) error { return c.set(true, pairs) }

func setFailed(name, reason string, cause error) error {
	reply := "ERR CONFIG SET failed (possibly related to argument '" + name + "')"
	if reason != "" {
		reply += " - " + reason
	}
	return &CommandError{Reply: reply, Err: cause}
}

func (c *Config) set(allowProtected bool, pairs []string) error {
	if len(pairs) < 2 {
		return &CommandError{Reply: "ERR wrong number of arguments for 'config|set' command"}
	}
	if len(pairs)%2 != 0 {
		return &CommandError{Reply: "ERR syntax error"}
	}
	c.opMu.Lock()
	defer c.opMu.Unlock()

	n := len(pairs) / 2
	ents := make([]*entry, n)
	for i := range n {
		name := pairs[2*i]
		e, ok := c.lookup(name)
		if !ok {
			return &CommandError{Reply: "ERR Unknown option or number of arguments for CONFIG SET - '" + cString(name) + "'"}
		}
		p := &c.params[e.param]
		switch {
		case p.Immutable:
			return setFailed(name, "can't set immutable config", nil)
		case p.Protected && !allowProtected:
			return setFailed(name, "can't set protected config", nil)
		case slices.Contains(ents[:i], e):
			// Like Redis, duplicates are the same entry: a name and its
			// alias are different entries.
			return setFailed(name, "duplicate parameter", nil)
		}
		ents[i] = e
	}

	c.mu.RLock()
	old := slices.Clone(c.vals)
	c.mu.RUnlock()

	// Parse every value against the values set so far in this call, so
	// that a name and its alias set in one call act in turn, as in Redis.
	work := make(map[int]any, n)
	var order []*entry // the first entry naming each parameter
	for i, e := range ents {
		p := &c.params[e.param]
		prev, seen := work[e.param]
		if !seen {
			prev = old[e.param]
			order = append(order, e)
		}
		v, err := p.Kind.Parse(setArgs(p.Kind, pairs[2*i+1]), startValue(p.Kind, prev))
		if err == nil {
			err = c.check(e.param, v)
		}
		if err != nil {
			return setFailed(e.name, err.Error(), err)
		}
		work[e.param] = v
	}

	c.store(work)
	var applied []int
	for _, e := range order {
		p := &c.params[e.param]
		if p.Apply == nil || p.Kind.Format(work[e.param]) == p.Kind.Format(old[e.param]) {
			continue
		}
		applied = append(applied, e.param)
		if err := p.Apply(Value{p.Kind, work[e.param]}); err != nil {
			return setFailed(e.name, err.Error(), errors.Join(err, c.restore(old, work, applied)))
		}
	}
	return nil
}

// setArgs splits a CONFIG SET value into a directive's arguments: kinds of
// several arguments split it at every single space, as Redis's sdssplitlen
// does (so "a  b" has an empty argument in the middle, and "" has none).
func setArgs(k Kind, value string) []string {
	if !k.Multi() {
		return []string{value}
	}
	if value == "" {
		return nil
	}
	return strings.Split(value, " ")
}

// cString is s as C's "%s" and string functions read it: up to its first
// NUL.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// check reports an error if v, a value of parameter i, is not of the type
// of the parameter's Handle: a Kind whose values are not always of one type.
func (c *Config) check(i int, v any) error {
	if h := c.params[i].Handle; h != nil {
		return h.check(v)
	}
	return nil
}

// store makes the values in vals, which passed check, current.
func (c *Config) store(vals map[int]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, v := range vals {
		c.vals[i] = v
		if h := c.params[i].Handle; h != nil {
			h.hold(v)
		}
	}
}

// restore puts back the old values of the parameters a failed CONFIG SET
// changed, and applies them again to those already applied.
func (c *Config) restore(old []any, changed map[int]any, applied []int) error {
	back := make(map[int]any, len(changed))
	for i := range changed {
		back[i] = old[i]
	}
	c.store(back)
	var errs []error
	for _, i := range applied {
		p := &c.params[i]
		if err := p.Apply(Value{p.Kind, old[i]}); err != nil {
			errs = append(errs, fmt.Errorf("config: restoring %s: %w", p.Name, err))
		}
	}
	return errors.Join(errs...)
}

// splitArgs splits s as Redis's sdssplitargs does.
func splitArgs(s string) ([]string, bool) {
	raw, ok := frame.SplitArgs([]byte(s), nil)
	if !ok {
		return nil, false
	}
	args := make([]string, len(raw))
	for i, a := range raw {
		args[i] = string(a)
	}
	return args, true
}

// asciiLower lowers ASCII letters only, as C's tolower does in the C locale.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// equalFold is C's strcasecmp(a, b) == 0: ASCII letters fold, nothing else.
func equalFold(a, b string) bool {
	return len(a) == len(b) && asciiLower(a) == asciiLower(b)
}
