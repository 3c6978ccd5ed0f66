package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mini-redis/mini-redis/frame"
)

// A LoadError is a configuration error found by Load. Its text is the one
// redis-server prints to stderr (between two newlines) before exiting:
//
//	*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***
//	Reading the configuration file, at line 2
//	>>> 'port 70000'
//	argument must be between 0 and 65535 inclusive
type LoadError struct {
	// Line is the number of the offending line in the text Redis parses:
	// the file, then standard input, then a line per command-line option
	// (see Load). It is 0 when the error is about no line (a default that
	// Apply refused).
	Line int
	// Text is the line, without leading and trailing white space.
	Text string
	// Source is where the line came from: the configuration file's
	// absolute path, "stdin", or "command line".
	Source string
	// Reason is Redis's reason, e.g. "Bad directive or wrong number of
	// arguments".
	Reason string
	// Err is the cause, if any: the error of a Parse or an Apply.
	Err error
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("*** FATAL CONFIG FILE ERROR (Redis " + RedisVersion + ") ***\n")
	if e.Line > 0 {
		fmt.Fprintf(&b, "Reading the configuration file, at line %d\n>>> '%s'\n", e.Line, e.Text)
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the cause.
func (e *LoadError) Unwrap() error { return e.Err }

// Load reads the configuration as redis-server does from its arguments (args
// is os.Args[1:]), stores every parameter's value (in its Handle too), then
// calls every parameter's Apply with its value, in order of registration.
//
// A first argument not starting with '-' is the configuration file. The
// other arguments are options, "--name value [value...]", which become
// lines "name value..." appended after the file, values quoted; a "-" first
// or last reads more lines from stdin, after the file. As in redis-server,
// "--save" with no value (last, or followed by another option) means save "".
//
// Lines are "directive arguments..." with arguments split as Redis splits
// them (quotes allowed); directive names are matched in any case; blank
// lines and lines starting with '#' are skipped, and so are Redis's
// deprecated directives (list-max-ziplist-entries and the like). An unknown
// directive, a wrong number of arguments or a bad value is a *LoadError. A file that
// cannot be read is an error in Redis's words too ("Fatal error, can't open
// config file ...").
//
// On success, the file's absolute path is kept for Rewrite. On error, no
// value has changed unless the error came from an Apply.
func (c *Config) Load(args []string, stdin io.Reader) error {
	c.opMu.Lock()
	defer c.opMu.Unlock()

	file, hasFile, fromStdin, options := commandLine(args)
	var text strings.Builder
	var sources []source
	if hasFile {
		abs, err := filepath.Abs(file)
		if err != nil {
			abs = file
		}
		data, err := os.ReadFile(abs)
		if err != nil {
			return fmt.Errorf("Fatal error, can't open config file '%s': %s", abs, strerror(err))
		}
		file = abs
		text.Write(data)
		sources = append(sources, source{file, text.Len()})
	}
	if fromStdin && stdin != nil {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return fmt.Errorf("config: reading stdin: %w", err)
		}
		text.Write(data)
		sources = append(sources, source{"stdin", text.Len()})
	}
	text.WriteString("\n")
	text.WriteString(options)
	sources = append(sources, source{"command line", text.Len()})

	if err := c.load(text.String(), sources); err != nil {
		return err
	}
	if hasFile {
		c.mu.Lock()
		c.file = file
		c.mu.Unlock()
	}
	return nil
}

// deprecatedDirectives are the directives Redis 7.0 still accepts in a
// configuration file, with one argument, and ignores (deprecated_configs
// in its config.c). They are no parameters: CONFIG GET and SET do not know
// them, and CONFIG REWRITE turns their lines into comments.
var deprecatedDirectives = []string{"list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"}

// A source is a part of the text Load parses: where it came from, and the
// offset where it ends.
type source struct {
	name string
	end  int
}

// load parses the configuration text, stores the values and applies them.
func (c *Config) load(text string, sources []source) error {
	c.mu.RLock()
	work := append([]any(nil), c.vals...)
	c.mu.RUnlock()

	n := len(c.params)
	seen := make([]bool, n)
	last := make([]*LoadError, n) // where each parameter was last set
	offset := 0
	for i, raw := range strings.Split(text, "\n") {
		start := offset
		offset += len(raw) + 1
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		at := func() *LoadError {
			le := &LoadError{Line: i + 1, Text: line}
			for _, s := range sources {
				if start < s.end {
					le.Source = s.name
					break
				}
			}
			return le
		}
		fail := func(reason string, cause error) error {
			le := at()
			le.Reason, le.Err = reason, cause
			return le
		}
		argv, ok := splitArgs(line)
		if !ok {
			return fail("Unbalanced quotes in configuration line", nil)
		}
		if len(argv) == 0 {
			continue
		}
		if d, ok := c.directives[asciiLower(argv[0])]; ok {
			if err := d.parse(argv[1:]); err != nil {
				return fail(err.Error(), err)
			}
			continue
		}
		e, ok := c.lookup(argv[0])
		if !ok {
			if len(argv) == 2 && slices.Contains(deprecatedDirectives, asciiLower(argv[0])) {
				continue
			}
			return fail("Bad directive or wrong number of arguments", nil)
		}
		p := &c.params[e.param]
		args := argv[1:]
		if !p.Kind.Multi() && len(args) != 1 {
			return fail("wrong number of arguments", nil)
		}
		if p.Kind.Multi() && len(args) == 1 && args[0] != "" {
			// --save "60 1" arrives as one argument. Redis splits it
			// again, and takes unbalanced quotes for no arguments.
			args, _ = splitArgs(args[0])
		}
		prev := work[e.param]
		if !seen[e.param] {
			prev = startValue(p.Kind, prev)
			seen[e.param] = true
		}
		v, err := p.Kind.Parse(args, prev)
		if err == nil {
			err = c.check(e.param, v)
		}
		if err != nil {
			return fail(err.Error(), err)
		}
		work[e.param] = v
		last[e.param] = at()
	}

	vals := make(map[int]any, len(work))
	for i, v := range work {
		vals[i] = v
	}
	c.store(vals)
	for i := range c.params {
		p := &c.params[i]
		if p.Apply == nil {
			continue
		}
		if err := p.Apply(Value{p.Kind, work[i]}); err != nil {
			le := last[i]
			if le == nil {
				// The default: there is no line to show.
				le = &LoadError{Reason: p.Name + ": " + err.Error()}
			} else {
				le.Reason = err.Error()
			}
			le.Err = err
			return le
		}
	}
	return nil
}

// commandLine turns redis-server's arguments into the configuration file
// (if any), whether to read stdin, and the options as configuration lines,
// following redis-server's main().
func commandLine(args []string) (file string, hasFile, stdin bool, options string) {
	j := 0
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, hasFile, j = args[0], true, 1
	}
	var b strings.Builder
	handledLast := true // whether the last option has a value
	last := len(args) - 1
	for ; j < len(args); j++ {
		a := args[j]
		switch {
		case a == "-" && (j == 0 || j == last):
			stdin = true
		case handledLast && strings.HasPrefix(a, "--"):
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(a[2:])
			b.WriteByte(' ')
			// "--port 6380" as one argument carries its own value.
			if words, _ := splitArgs(a); len(words) != 1 {
				handledLast = true
				break
			}
			handledLast = false
			if equalFold(a, "--save") && (j == last || strings.HasPrefix(args[j+1], "--")) {
				// A bare --save means save "", as before Redis 7.0.1.
				b.WriteString(`""`)
				handledLast = j != last
			}
		default:
			b.WriteString(frame.Quote(a))
			b.WriteByte(' ')
			handledLast = true
		}
	}
	return file, hasFile, stdin, b.String()
}
