package server

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The manifest of a Redis 7.0 multi-part append-only file: one line per
// file, "file <name> seq <n> type <b|h|i>", in the order base, history,
// incremental (aof.c, aofLoadManifestFromFile and getAofManifestAsString).

// aofFileType is a manifest entry's type.
type aofFileType byte

const (
	aofBase    aofFileType = 'b'
	aofHistory aofFileType = 'h'
	aofIncr    aofFileType = 'i'
)

// aofFile is one file the manifest names.
type aofFile struct {
	name string
	seq  int64
	typ  aofFileType
}

// aofManifest lists the files of an append-only file directory.
type aofManifest struct {
	base    *aofFile
	history []aofFile
	incrs   []aofFile
}

// maxManifestLine is the longest line Redis reads (AOF_MANIFEST_MAX_LINE).
const maxManifestLine = 1024

// parseManifest reads a manifest with Redis's checks and error wording.
func parseManifest(data []byte) (*aofManifest, error) {
	m := &aofManifest{}
	var maxIncrSeq int64
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if len(line) > maxManifestLine {
			return nil, errors.New("The AOF manifest file contains too long line")
		}
		if line[0] == '#' {
			continue
		}
		if !bytes.HasSuffix(line, []byte("\n")) {
			return nil, errors.New("The AOF manifest file is invalid format")
		}
		text := strings.TrimRight(string(line), " \t\r\n")
		args, ok := splitArgs(text)
		if !ok || len(args) < 6 || len(args)%2 != 0 {
			return nil, errors.New("Invalid AOF manifest file format")
		}
		var f aofFile
		for i := 0; i < len(args); i += 2 {
			switch strings.ToLower(args[i]) {
			case "file":
				f.name = args[i+1]
				if strings.ContainsRune(f.name, '/') {
					return nil, errors.New("File can't be a path, just a filename")
				}
			case "seq":
				n, err := strconv.ParseInt(args[i+1], 10, 64)
				if err != nil {
					return nil, errors.New("Invalid AOF manifest file format")
				}
				f.seq = n
			case "type":
				if len(args[i+1]) != 1 {
					return nil, errors.New("Invalid AOF manifest file format")
				}
				f.typ = aofFileType(args[i+1][0])
			} // unknown keys are ignored, for later versions
		}
		if f.name == "" || f.seq == 0 || f.typ == 0 {
			return nil, errors.New("Invalid AOF manifest file format")
		}
		switch f.typ {
		case aofBase:
			if m.base != nil {
				return nil, errors.New("Found duplicate base file information")
			}
			m.base = &f
		case aofHistory:
			m.history = append(m.history, f)
		case aofIncr:
			if f.seq <= maxIncrSeq {
				return nil, errors.New("Found a non-monotonic sequence number")
			}
			maxIncrSeq = f.seq
			m.incrs = append(m.incrs, f)
		default:
			return nil, fmt.Errorf("Unknown AOF file type: %c", f.typ)
		}
	}
	if m.base == nil && len(m.incrs) == 0 {
		return nil, errors.New("Found an empty AOF manifest")
	}
	return m, nil
}

// splitArgs splits a manifest line into words as Redis's sdssplitargs
// does for what Redis writes: bare words, or double-quoted ones with
// backslash escapes (sdscatrepr quotes a name with spaces or odd bytes).
func splitArgs(line string) ([]string, bool) {
	var args []string
	for {
		line = strings.TrimLeft(line, " \t\r\n")
		if line == "" {
			return args, true
		}
		if line[0] != '"' {
			end := strings.IndexAny(line, " \t\r\n")
			if end < 0 {
				end = len(line)
			}
			args = append(args, line[:end])
			line = line[end:]
			continue
		}
		var w strings.Builder
		i := 1
		for {
			if i >= len(line) {
				return nil, false // unterminated quotes
			}
			ch := line[i]
			if ch == '"' {
				i++
				if i < len(line) && line[i] != ' ' && line[i] != '\t' {
					return nil, false // closing quote must be followed by a space
				}
				break
			}
			if ch == '\\' && i+1 < len(line) {
				i++
				switch e := line[i]; e {
				case 'n':
					w.WriteByte('\n')
				case 'r':
					w.WriteByte('\r')
				case 't':
					w.WriteByte('\t')
				case 'a':
					w.WriteByte('\a')
				case 'b':
					w.WriteByte('\b')
				case 'x':
					if i+2 < len(line) {
						if n, err := strconv.ParseUint(line[i+1:i+3], 16, 8); err == nil {
							w.WriteByte(byte(n))
							i += 2
							break
						}
					}
					w.WriteByte('x')
				default:
					w.WriteByte(e)
				}
				i++
				continue
			}
			w.WriteByte(ch)
			i++
		}
		args = append(args, w.String())
		line = line[i:]
	}
}

// encode returns the manifest as Redis writes it: base, history, then
// incremental files.
func (m *aofManifest) encode() []byte {
	var buf bytes.Buffer
	line := func(f aofFile) {
		fmt.Fprintf(&buf, "file %s seq %d type %c\n", quoteManifestName(f.name), f.seq, f.typ)
	}
	if m.base != nil {
		line(*m.base)
	}
	for _, f := range m.history {
		line(f)
	}
	for _, f := range m.incrs {
		line(f)
	}
	return buf.Bytes()
}

// quoteManifestName quotes name as sdscatrepr would when it holds
// anything but printable bytes other than space and quotes.
func quoteManifestName(name string) string {
	plain := name != ""
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return name
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\a':
			b.WriteString(`\a`)
		case c == '\b':
			b.WriteString(`\b`)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
