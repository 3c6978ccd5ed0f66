package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mini-redis/mini-redis/frame"
)

// format renders a reply as redis-cli does on a terminal. indent is the
// prefix width of the enclosing aggregate, for nested replies.
func format(f frame.Frame, indent string) string {
	if f.IsNull() {
		return "(nil)\n"
	}
	switch f.Type {
	case frame.SimpleString, frame.BigNumber:
		return string(f.Str) + "\n"
	case frame.Error, frame.BulkError:
		return "(error) " + string(f.Str) + "\n"
	case frame.Integer:
		return "(integer) " + strconv.FormatInt(f.Int, 10) + "\n"
	case frame.Double:
		return "(double) " + doubleText(f.Float) + "\n"
	case frame.Boolean:
		if f.Bool {
			return "(true)\n"
		}
		return "(false)\n"
	case frame.BulkString, frame.Verbatim:
		return string(frame.AppendQuote(nil, f.Str)) + "\n"
	}
	// Aggregates: numbered lines; nested ones indented under their number.
	step := 1
	if f.Type == frame.Map || f.Type == frame.Attribute {
		step = 2
	}
	n := len(f.Elems) / step
	if n == 0 {
		switch f.Type {
		case frame.Map:
			return "(empty hash)\n"
		case frame.Set:
			return "(empty set)\n"
		}
		return "(empty array)\n"
	}
	width := len(strconv.Itoa(n))
	var b strings.Builder
	for i := 0; i < n; i++ {
		prefix := fmt.Sprintf("%*d) ", width, i+1)
		if step == 2 {
			prefix = fmt.Sprintf("%*d# ", width, i+1)
		}
		if i > 0 {
			b.WriteString(indent)
		}
		b.WriteString(prefix)
		inner := indent + strings.Repeat(" ", len(prefix))
		if step == 2 {
			key := strings.TrimSuffix(format(f.Elems[2*i], inner), "\n")
			b.WriteString(key + " => ")
			b.WriteString(format(f.Elems[2*i+1], inner+strings.Repeat(" ", len(key)+4)))
		} else {
			b.WriteString(format(f.Elems[i], inner))
		}
	}
	return b.String()
}

// formatRaw renders a reply as redis-cli --raw does: values only, one per line.
func formatRaw(f frame.Frame) string {
	if f.IsNull() {
		return "\n"
	}
	switch f.Type {
	case frame.Integer:
		return strconv.FormatInt(f.Int, 10) + "\n"
	case frame.Double:
		return doubleText(f.Float) + "\n"
	case frame.Boolean:
		if f.Bool {
			return "1\n"
		}
		return "0\n"
	}
	if f.Type.IsAggregate() {
		var b strings.Builder
		for _, e := range f.Elems {
			b.WriteString(formatRaw(e))
		}
		return b.String()
	}
	return string(f.Str) + "\n"
}

// doubleText spells f as the server does in a reply (C's "%.17g").
func doubleText(f float64) string {
	b := frame.AppendDouble(nil, f, frame.RESP3) // ",<text>\r\n"
	return string(b[1 : len(b)-2])
}
