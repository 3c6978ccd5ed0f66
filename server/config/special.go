package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/mini-redis/mini-redis/frame"
)

// A SavePoint is one condition of the save parameter: snapshot when at
// least Changes writes happened within Seconds.
type SavePoint struct {
	Seconds int64
	// Changes is a C int in Redis: values beyond 32 bits wrap.
	Changes int
}

// Save is the kind of the save parameter: pairs of seconds and changes
// ("3600 1 300 100 60 10000"), or "" for none. Its values are []SavePoint.
//
// Directives add up, as in Redis: the first save line of a file replaces the
// default, later ones append their pairs, and save "" empties the list.
// CONFIG SET replaces the list.
type Save struct{}

var errSave = errors.New("Invalid save parameters")

// Zero returns the empty list, where directives start.
func (Save) Zero() any { return []SavePoint(nil) }

// Parse appends the pairs in args to prev; a single empty argument empties
// it.
func (Save) Parse(args []string, prev any) (any, error) {
	if len(args) == 1 && args[0] == "" {
		return []SavePoint(nil), nil
	}
	if len(args)%2 != 0 {
		return nil, errSave
	}
	nums := make([]int64, len(args))
	for j, a := range args {
		n, rest := strtoll(a)
		if rest != "" || (j%2 == 0 && n < 1) || (j%2 == 1 && n < 0) {
			return nil, errSave
		}
		nums[j] = n
	}
	points, _ := prev.([]SavePoint)
	points = slices.Clip(points) // never append into the caller's array
	for j := 0; j < len(nums); j += 2 {
		points = append(points, SavePoint{Seconds: nums[j], Changes: int(int32(nums[j+1]))})
	}
	return points, nil
}

// Format prints the pairs separated by spaces.
func (Save) Format(v any) string {
	var b strings.Builder
	for i, p := range v.([]SavePoint) {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d %d", p.Seconds, p.Changes)
	}
	return b.String()
}

// Rewrite writes one forced line per pair, or save "" for none.
func (Save) Rewrite(v, _ any) []Line {
	points := v.([]SavePoint)
	if len(points) == 0 {
		return []Line{{Args: `""`, Force: true}}
	}
	lines := make([]Line, len(points))
	for i, p := range points {
		lines[i] = Line{Args: fmt.Sprintf("%d %d", p.Seconds, p.Changes), Force: true}
	}
	return lines
}

// Multi reports true.
func (Save) Multi() bool { return true }

// The client classes of client-output-buffer-limit, indexes of BufferLimits.
const (
	ClassNormal = iota
	ClassReplica
	ClassPubSub
)

// A BufferLimit is the output buffer limit of one class of clients: a
// client is closed when its output buffer reaches Hard bytes, or stays at
// Soft bytes or more for SoftSeconds. Zero means no limit.
type BufferLimit struct {
	Hard, Soft  uint64
	SoftSeconds int
}

// BufferLimits are the limits of the classes normal, replica and pubsub, in
// that order.
type BufferLimits [3]BufferLimit

// OutputBufferLimits is the kind of client-output-buffer-limit: groups of
// "<class> <hard> <soft> <soft-seconds>", class normal, replica (or slave)
// or pubsub, sizes with units allowed. Its values are BufferLimits. A
// directive changes only the classes it names.
type OutputBufferLimits struct{}

var (
	errLimitArgs    = errors.New("Wrong number of arguments in buffer limit configuration.")
	errLimitClass   = errors.New("Invalid client class specified in buffer limit configuration.")
	errLimitSetting = errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
)

// className is the name CONFIG GET prints for a class: Redis 7.0 still
// calls replicas "slave" there.
func className(class int) string {
	switch class {
	case ClassNormal:
		return "normal"
	case ClassReplica:
		return "slave"
	}
	return "pubsub"
}

// Parse sets the classes named in args in a copy of prev; nothing is set if
// any group is invalid.
func (OutputBufferLimits) Parse(args []string, prev any) (any, error) {
	if len(args)%4 != 0 {
		return nil, errLimitArgs
	}
	limits, _ := prev.(BufferLimits)
	for j := 0; j < len(args); j += 4 {
		class := -1
		switch {
		case equalFold(args[j], "normal"):
			class = ClassNormal
		case equalFold(args[j], "slave"), equalFold(args[j], "replica"):
			class = ClassReplica
		case equalFold(args[j], "pubsub"):
			class = ClassPubSub
		}
		if class < 0 {
			return nil, errLimitClass
		}
		hard, hok := ParseMemory(args[j+1])
		soft, sok := ParseMemory(args[j+2])
		secs, rest := strtoll(args[j+3])
		seconds := int(int32(secs)) // a C int in Redis
		if !hok || !sok || seconds < 0 || rest != "" {
			return nil, errLimitSetting
		}
		limits[class] = BufferLimit{Hard: hard, Soft: soft, SoftSeconds: seconds}
	}
	return limits, nil
}

// Format prints every class, sizes in bytes: "normal 0 0 0 slave 268435456
// 67108864 60 pubsub 33554432 8388608 60".
func (OutputBufferLimits) Format(v any) string {
	limits := v.(BufferLimits)
	var b strings.Builder
	for i, l := range limits {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s %d %d %d", className(i), l.Hard, l.Soft, l.SoftSeconds)
	}
	return b.String()
}

// Rewrite writes a line per class ("replica" for slave, sizes with units),
// forced for the classes not at their default.
func (OutputBufferLimits) Rewrite(v, def any) []Line {
	limits, defs := v.(BufferLimits), def.(BufferLimits)
	lines := make([]Line, len(limits))
	for i, l := range limits {
		name := className(i)
		if i == ClassReplica {
			name = "replica" // what CONFIG REWRITE writes
		}
		lines[i] = Line{
			Args:  fmt.Sprintf("%s %s %s %d", name, FormatMemory(l.Hard), FormatMemory(l.Soft), l.SoftSeconds),
			Force: l != defs[i],
		}
	}
	return lines
}

// Multi reports true.
func (OutputBufferLimits) Multi() bool { return true }

// maxBindAddrs is Redis's CONFIG_BINDADDR_MAX.
const maxBindAddrs = 16

// Bind is the kind of bind: up to 16 addresses, kept as given ("127.0.0.1
// -::1"); a single empty argument means none. Its values are []string.
type Bind struct{}

var errBindCount = errors.New("Too many bind addresses specified.")

// Parse returns the addresses.
func (Bind) Parse(args []string, _ any) (any, error) {
	if len(args) > maxBindAddrs {
		return nil, errBindCount
	}
	if len(args) == 1 && args[0] == "" {
		return []string(nil), nil
	}
	return slices.Clone(args), nil
}

// Format prints the addresses separated by spaces.
func (Bind) Format(v any) string { return strings.Join(v.([]string), " ") }

// Rewrite writes the addresses unquoted, as Redis does, or "" for none;
// nothing at the default.
func (Bind) Rewrite(v, def any) []Line {
	addrs := v.([]string)
	if slices.Equal(addrs, def.([]string)) {
		return nil
	}
	if len(addrs) == 0 {
		return []Line{{Args: `""`, Force: true}}
	}
	return []Line{{Args: strings.Join(addrs, " "), Force: true}}
}

// Multi reports true.
func (Bind) Multi() bool { return true }

// Dir is the kind of dir: an existing directory, kept as an absolute path
// with symbolic links resolved, which is what Redis prints after its chdir.
// Relative paths are taken from the process's working directory. Changing
// the working directory is the business of the parameter's Apply. Its values
// are strings.
type Dir struct{}

// Parse checks that the directory exists and returns its absolute path.
// Errors are the system's ("No such file or directory").
func (Dir) Parse(args []string, _ any) (any, error) {
	fi, err := os.Stat(args[0])
	if err != nil {
		return nil, errors.New(strerror(err))
	}
	if !fi.IsDir() {
		return nil, errors.New(strerror(syscall.ENOTDIR))
	}
	abs, err := filepath.Abs(args[0])
	if err != nil {
		return nil, errors.New(strerror(err))
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return abs, nil
}

// Format prints the path.
func (Dir) Format(v any) string { return v.(string) }

// Rewrite always writes the path, quoted, as Redis does.
func (Dir) Rewrite(v, _ any) []Line { return []Line{{Args: frame.Quote(v.(string)), Force: true}} }

// Multi reports false.
func (Dir) Multi() bool { return false }

// strerror returns the text C's strerror gives for the system error in err
// ("No such file or directory"), or err's text if it has none.
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	// Go's texts are C's with the first letter lowered.
	s := errno.Error()
	if s != "" && 'a' <= s[0] && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// strtoll parses the start of s as C's strtoll(s, &end, 10) does: leading
// white space, a sign, digits, saturating at the int64 bounds. It returns
// the number and the rest of s; with no digits, the rest is all of s.
func strtoll(s string) (int64, string) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var u uint64
	overflow := false
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if u > (1<<63-d)/10 { // beyond -MinInt64 = 1<<63
			overflow = true
		} else {
			u = u*10 + d
		}
		i++
	}
	if i == start {
		return 0, s
	}
	switch {
	case neg && (overflow || u == 1<<63):
		return -1 << 63, s[i:]
	case neg:
		return -int64(u), s[i:]
	case overflow || u > 1<<63-1:
		return 1<<63 - 1, s[i:]
	}
	return int64(u), s[i:]
}

func isCSpace(c byte) bool {
	return c == ' ' || ('\t' <= c && c <= '\r')
}

// ParseMemory parses a size as Redis's memtoull does: decimal digits then an
// optional unit, in any case: b (1), k (1000), kb (1024), m (1000²), mb
// (1024²), g (1000³) or gb (1024³). Like Redis, it accepts no sign or
// spaces, takes "" and a bare unit as 0, saturates digits beyond 64 bits and
// lets the multiplication wrap ("17179869184gb" is 0); more than 127 digits
// are an error.
func ParseMemory(s string) (uint64, bool) {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch unit := s[i:]; {
	case unit == "" || equalFold(unit, "b"):
		mul = 1
	case equalFold(unit, "k"):
		mul = 1000
	case equalFold(unit, "kb"):
		mul = 1024
	case equalFold(unit, "m"):
		mul = 1000 * 1000
	case equalFold(unit, "mb"):
		mul = 1024 * 1024
	case equalFold(unit, "g"):
		mul = 1000 * 1000 * 1000
	case equalFold(unit, "gb"):
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 { // Redis copies the digits into a 128-byte buffer
		return 0, false
	}
	var n uint64
	for _, c := range s[:i] {
		d := uint64(c - '0')
		if n > (^uint64(0)-d)/10 {
			n = ^uint64(0) // strtoull saturates
			break
		}
		n = n*10 + d
	}
	return n * mul, true
}

// FormatMemory writes a size the way CONFIG REWRITE does: with the largest
// of gb, mb and kb that divides it, else in bytes.
func FormatMemory(n uint64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	switch {
	case n == 0:
		return "0"
	case n%gb == 0:
		return strconv.FormatUint(n/gb, 10) + "gb"
	case n%mb == 0:
		return strconv.FormatUint(n/mb, 10) + "mb"
	case n%kb == 0:
		return strconv.FormatUint(n/kb, 10) + "kb"
	}
	return strconv.FormatUint(n, 10)
}
