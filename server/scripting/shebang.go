package scripting

import (
	"bytes"
	"strings"

	"github.com/mini-redis/mini-redis/frame"
)

// Flags are the properties a script declares in its shebang line
// ("#!lua flags=no-writes,allow-oom").
type Flags uint32

// The flags a shebang may declare, and CompatMode for a script without a
// shebang, which Redis runs as it ran every script before 7.0: it may
// write unless run by EVAL_RO, and is checked command by command.
const (
	NoWrites Flags = 1 << iota
	AllowOOM
	AllowStale
	NoCluster
	AllowCrossSlotKeys
	CompatMode
)

// flagNames are the shebang names of the flags, as Redis spells them.
var flagNames = []struct {
	flag Flags
	name string
}{
	{NoWrites, "no-writes"},
	{AllowOOM, "allow-oom"},
	{AllowStale, "allow-stale"},
	{NoCluster, "no-cluster"},
	{AllowCrossSlotKeys, "allow-cross-slot-keys"},
}

// ParseShebang reads the shebang line of a script body, as Redis's
// evalExtractShebangFlags does. It returns the script's flags and the
// length of the shebang line (without its newline; 0 when there is none),
// or the error reply, without its "ERR " code.
func ParseShebang(body []byte) (flags Flags, n int, errText string) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return CompatMode, 0, ""
	}
	end := bytes.IndexByte(body, '\n')
	if end < 0 {
		return 0, 0, "Invalid script shebang"
	}
	parts, ok := frame.SplitArgs(body[:end], nil)
	if !ok || len(parts) == 0 {
		return 0, 0, "Invalid engine in script shebang"
	}
	if string(parts[0]) != "#!lua" {
		return 0, 0, "Unexpected engine in script shebang: " + string(parts[0])
	}
	for _, p := range parts[1:] {
		list, found := strings.CutPrefix(string(p), "flags=")
		if !found {
			return 0, 0, "Unknown lua shebang option: " + string(p)
		}
		if list == "" {
			continue // sdssplitlen of nothing is no flag at all
		}
		for _, name := range strings.Split(list, ",") {
			f := flagByName(name)
			if f == 0 {
				return 0, 0, "Unexpected flag in script shebang: " + name
			}
			flags |= f
		}
	}
	return flags, end, ""
}

func flagByName(name string) Flags {
	for _, fn := range flagNames {
		if fn.name == name {
			return fn.flag
		}
	}
	return 0
}
