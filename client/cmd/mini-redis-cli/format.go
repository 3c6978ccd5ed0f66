package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mini-redis/mini-redis/frame"
)

// format renders a reply as redis-cli 7.0 does on a terminal
// (cliFormatReplyTTY). prefix is the indentation of the enclosing
// aggregate's elements; the caller has already written the first line's.
func format(f frame.Frame, prefix string) string {
	var b strings.Builder
	formatTo(&b, f, prefix)
	return b.String()
}

func formatTo(b *strings.Builder, f frame.Frame, prefix string) {
	if f.IsNull() {
		b.WriteString("(nil)\n")
		return
	}
	switch f.Type {
	case frame.SimpleString:
		b.Write(f.Str)
	case frame.Error, frame.BulkError:
		b.WriteString("(error) ")
		b.Write(f.Str)
	case frame.Integer:
		b.WriteString("(integer) ")
		b.WriteString(strconv.FormatInt(f.Int, 10))
	case frame.Double:
		b.WriteString("(double) ")
		b.WriteString(doubleText(f.Float))
	case frame.Boolean:
		if f.Bool {
			b.WriteString("(true)")
		} else {
			b.WriteString("(false)")
		}
	case frame.BigNumber:
		// redis-cli 7.0 gives up on big numbers ("Unknown reply type");
		// later versions print them this way.
		b.WriteString("(big number) ")
		b.Write(f.Str)
	case frame.BulkString:
		b.Write(frame.AppendQuote(nil, f.Str))
	case frame.Verbatim:
		// Verbatim text is meant for humans: printed as it is.
		b.Write(f.Str)
	default:
		formatAggregate(b, f, prefix)
		return
	}
	b.WriteByte('\n')
}

// formatAggregate writes an array, set, push or map: one numbered line per
// element, nested aggregates indented under their number.
func formatAggregate(b *strings.Builder, f frame.Frame, prefix string) {
	isMap := f.Type == frame.Map || f.Type == frame.Attribute
	n := len(f.Elems)
	if isMap {
		n /= 2
	}
	if n == 0 {
		switch f.Type {
		case frame.Map, frame.Attribute:
			b.WriteString("(empty hash)\n")
		case frame.Set:
			b.WriteString("(empty set)\n")
		case frame.Push:
			b.WriteString("(empty push)\n")
		default:
			b.WriteString("(empty array)\n")
		}
		return
	}
	width := len(strconv.Itoa(n))
	sep := ")"
	switch f.Type {
	case frame.Set:
		sep = "~"
	case frame.Map, frame.Attribute:
		sep = "#"
	}
	inner := prefix + strings.Repeat(" ", width+2)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(prefix)
		}
		fmt.Fprintf(b, "%*d%s ", width, i+1, sep)
		if !isMap {
			formatTo(b, f.Elems[i], inner)
			continue
		}
		key := format(f.Elems[2*i], inner)
		b.WriteString(strings.TrimSuffix(key, "\n"))
		b.WriteString(" => ")
		// redis-cli starts a value that takes more than one line (a
		// list or map of several elements, as MEMORY STATS's "db.0") on
		// a line of its own, indented like the map's elements.
		v := format(f.Elems[2*i+1], inner)
		if strings.Contains(strings.TrimSuffix(v, "\n"), "\n") {
			b.WriteString("\n")
			b.WriteString(inner)
		}
		b.WriteString(v)
	}
}

// formatRaw renders a reply as redis-cli --raw does (cliFormatReplyRaw
// followed by a newline): values only, aggregates' elements one per line.
func formatRaw(f frame.Frame) string {
	var b strings.Builder
	formatRawTo(&b, f)
	b.WriteByte('\n')
	return b.String()
}

func formatRawTo(b *strings.Builder, f frame.Frame) {
	if f.IsNull() {
		return
	}
	switch f.Type {
	case frame.Error, frame.BulkError:
		b.Write(f.Str)
		b.WriteByte('\n')
	case frame.Integer:
		b.WriteString(strconv.FormatInt(f.Int, 10))
	case frame.Double:
		b.WriteString(doubleText(f.Float))
	case frame.Boolean:
		if f.Bool {
			b.WriteString("(true)")
		} else {
			b.WriteString("(false)")
		}
	case frame.Map, frame.Attribute:
		for i := 0; i+1 < len(f.Elems); i += 2 {
			if i > 0 {
				b.WriteByte('\n')
			}
			formatRawTo(b, f.Elems[i])
			b.WriteByte(' ')
			formatRawTo(b, f.Elems[i+1])
		}
	case frame.Array, frame.Set, frame.Push:
		for i, e := range f.Elems {
			if i > 0 {
				b.WriteByte('\n')
			}
			formatRawTo(b, e)
		}
	default:
		b.Write(f.Str)
	}
}

// doubleText spells f as the server does in a reply (C's "%.17g").
func doubleText(f float64) string {
	b := frame.AppendDouble(nil, f, frame.RESP3) // ",<text>\r\n"
	return string(b[1 : len(b)-2])
}
