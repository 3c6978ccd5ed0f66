package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mini-redis/mini-redis/frame"
)

// A Kind is a type of parameter value: it parses a directive's arguments,
// and prints values for CONFIG GET and CONFIG REWRITE.
//
// The errors of Parse are Redis's reasons, such as "argument must be 'yes'
// or 'no'": Load and Set put them in their own messages.
type Kind interface {
	// Parse parses a directive's arguments: exactly one for kinds that are
	// not Multi, any number for the others. prev is the parameter's value
	// before this directive (nil when the default is parsed), for kinds
	// whose directives amend a value rather than replace it.
	Parse(args []string, prev any) (any, error)
	// Format prints a value as CONFIG GET shows it.
	Format(v any) string
	// Rewrite returns the lines CONFIG REWRITE writes for value v of a
	// parameter whose default is def. No lines means the parameter is
	// left out of the file, and its old lines are removed.
	Rewrite(v, def any) []Line
	// Multi reports whether the kind's directives take any number of
	// arguments. On CONFIG SET their value is split at spaces; in a
	// configuration file, a single argument is split again like a line,
	// so that --save "60 1" works.
	Multi() bool
}

// An Accumulator is a Kind whose directives add to a value (save): the first
// directive of a configuration file, and every CONFIG SET, start from Zero
// instead of the current value.
type Accumulator interface {
	Kind
	Zero() any
}

// A Line is one line that CONFIG REWRITE writes for a parameter.
type Line struct {
	// Args is what follows the parameter's name, quoted as it must appear
	// in the file.
	Args string
	// Force writes the line even if the old file had no line for the
	// parameter left to replace. Kinds force lines whose value is not the
	// default.
	Force bool
}

// Bool is a yes/no parameter; its values are bool.
type Bool struct{}

var errYesNo = errors.New("argument must be 'yes' or 'no'")

// Parse accepts "yes" or "no" in any case.
func (Bool) Parse(args []string, _ any) (any, error) {
	switch {
	case equalFold(args[0], "yes"):
		return true, nil
	case equalFold(args[0], "no"):
		return false, nil
	}
	return nil, errYesNo
}

// Format prints "yes" or "no".
func (Bool) Format(v any) string {
	if v.(bool) {
		return "yes"
	}
	return "no"
}

// Rewrite writes "yes" or "no", forced if not the default.
func (b Bool) Rewrite(v, def any) []Line {
	return []Line{{Args: b.Format(v), Force: v != def}}
}

// Multi reports false.
func (Bool) Multi() bool { return false }

// Int is an integer parameter within [Min, Max]; its values are int64.
type Int struct {
	Min, Max int64
	// Adjust, if not nil, changes a value that passed the bounds check;
	// Redis accepts hz from 0 up, for instance, but clamps it to 1..500.
	Adjust func(int64) int64
}

var errInteger = errors.New("argument couldn't be parsed into an integer")

// Parse accepts a decimal integer as Redis's string2ll does: no sign but
// '-', no leading zeros, no spaces.
func (k Int) Parse(args []string, _ any) (any, error) {
	n, ok := frame.ParseInt([]byte(args[0]))
	if !ok {
		return nil, errInteger
	}
	if n < k.Min || n > k.Max {
		return nil, fmt.Errorf("argument must be between %d and %d inclusive", k.Min, k.Max)
	}
	if k.Adjust != nil {
		n = k.Adjust(n)
	}
	return n, nil
}

// Format prints the integer in decimal.
func (Int) Format(v any) string { return strconv.FormatInt(v.(int64), 10) }

// Rewrite writes the integer, forced if not the default.
func (k Int) Rewrite(v, def any) []Line {
	return []Line{{Args: k.Format(v), Force: v != def}}
}

// Multi reports false.
func (Int) Multi() bool { return false }

// Memory is a number of bytes within [Min, Max], written with or without a
// unit (see ParseMemory); its values are uint64.
type Memory struct {
	Min, Max uint64
}

var errMemory = errors.New("argument must be a memory value")

// Parse accepts what ParseMemory does.
func (k Memory) Parse(args []string, _ any) (any, error) {
	n, ok := ParseMemory(args[0])
	if !ok {
		return nil, errMemory
	}
	if n < k.Min || n > k.Max {
		return nil, fmt.Errorf("argument must be between %d and %d inclusive", k.Min, k.Max)
	}
	return n, nil
}

// Format prints the number of bytes, without a unit.
func (Memory) Format(v any) string { return strconv.FormatUint(v.(uint64), 10) }

// Rewrite writes the size with the largest exact unit (see FormatMemory),
// forced if not the default.
func (Memory) Rewrite(v, def any) []Line {
	return []Line{{Args: FormatMemory(v.(uint64)), Force: v != def}}
}

// Multi reports false.
func (Memory) Multi() bool { return false }

// Enum is a parameter taking one of a list of names, matched in any case;
// its values are the names as listed (strings).
type Enum struct {
	Values []string
}

// Parse accepts one of the names, in any case.
func (k Enum) Parse(args []string, _ any) (any, error) {
	for _, name := range k.Values {
		if equalFold(args[0], name) {
			return name, nil
		}
	}
	msg := "argument(s) must be one of the following: " + strings.Join(k.Values, ", ")
	// Redis builds the message in a 256-byte buffer.
	if len(msg) > 255 {
		msg = msg[:255]
	}
	return nil, errors.New(msg)
}

// Format prints the name.
func (Enum) Format(v any) string { return v.(string) }

// Rewrite writes the name, forced if not the default.
func (Enum) Rewrite(v, def any) []Line {
	return []Line{{Args: v.(string), Force: v != def}}
}

// Multi reports false.
func (Enum) Multi() bool { return false }

// String is a free-form parameter; its values are strings.
type String struct {
	// Check, if not nil, validates a value; its error is the reason
	// reported, as "dbfilename can't be a path, just a filename".
	Check func(string) error
	// OmitEmpty leaves the parameter out of a rewritten file when its
	// value is empty, as Redis does for parameters whose empty value means
	// unset (requirepass, masterauth).
	OmitEmpty bool
}

// Parse accepts any string that passes Check.
func (k String) Parse(args []string, _ any) (any, error) {
	if k.Check != nil {
		if err := k.Check(args[0]); err != nil {
			return nil, err
		}
	}
	return args[0], nil
}

// Format prints the string.
func (String) Format(v any) string { return v.(string) }

// Rewrite writes the string quoted, forced if not the default.
func (k String) Rewrite(v, def any) []Line {
	s := v.(string)
	if k.OmitEmpty && s == "" {
		return nil
	}
	return []Line{{Args: frame.Quote(s), Force: s != def.(string)}}
}

// Multi reports false.
func (String) Multi() bool { return false }

// Special is a kind defined by functions, for parameters with formats of
// their own (notify-keyspace-events, say).
type Special struct {
	// ParseFunc parses a directive's arguments; see Kind.Parse.
	ParseFunc func(args []string, prev any) (any, error)
	// FormatFunc prints a value as CONFIG GET shows it.
	FormatFunc func(v any) string
	// RewriteFunc, if not nil, returns the lines CONFIG REWRITE writes (see
	// Kind.Rewrite). If nil, one line is written: the formatted value,
	// quoted, forced if it differs from the formatted default.
	RewriteFunc func(v, def any) []Line
	// MultiArg makes the directives take any number of arguments (see
	// Kind.Multi).
	MultiArg bool
}

// Parse calls ParseFunc.
func (k Special) Parse(args []string, prev any) (any, error) { return k.ParseFunc(args, prev) }

// Format calls FormatFunc.
func (k Special) Format(v any) string { return k.FormatFunc(v) }

// Rewrite calls RewriteFunc, or writes the quoted formatted value.
func (k Special) Rewrite(v, def any) []Line {
	if k.RewriteFunc != nil {
		return k.RewriteFunc(v, def)
	}
	s := k.FormatFunc(v)
	return []Line{{Args: frame.Quote(s), Force: s != k.FormatFunc(def)}}
}

// Multi reports MultiArg.
func (k Special) Multi() bool { return k.MultiArg }
