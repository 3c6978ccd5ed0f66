package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"slices"
	"strconv"
	"strings"
)

// The data file, as captureRedis writes it.
type (
	dataFile struct {
		RedisVersion string                     `json:"redis_version"`
		Commands     map[string]capturedCommand `json:"commands"`
	}
	capturedCommand struct {
		Info capturedInfo `json:"info"`
		Docs capturedDocs `json:"docs"`
	}
	capturedInfo struct {
		Arity         int               `json:"arity"`
		Flags         []string          `json:"flags"`
		FirstKey      int               `json:"first_key"`
		LastKey       int               `json:"last_key"`
		Step          int               `json:"step"`
		ACLCategories []string          `json:"acl_categories"`
		Tips          []string          `json:"tips"`
		KeySpecs      []capturedKeySpec `json:"key_specs"`
	}
	capturedKeySpec struct {
		Notes       string         `json:"notes"`
		Flags       []string       `json:"flags"`
		BeginSearch capturedSearch `json:"begin_search"`
		FindKeys    capturedSearch `json:"find_keys"`
	}
	capturedSearch struct {
		Type string             `json:"type"`
		Spec capturedSearchSpec `json:"spec"`
	}
	// The fields of every type of search step; each type has some.
	capturedSearchSpec struct {
		Index     *int    `json:"index"`
		Keyword   *string `json:"keyword"`
		StartFrom *int    `json:"startfrom"`
		LastKey   *int    `json:"lastkey"`
		KeyStep   *int    `json:"keystep"`
		Limit     *int    `json:"limit"`
		KeyNumIdx *int    `json:"keynumidx"`
		FirstKey  *int    `json:"firstkey"`
	}
	capturedDocs struct {
		Summary         string        `json:"summary"`
		Since           string        `json:"since"`
		Group           string        `json:"group"`
		Complexity      string        `json:"complexity"`
		DocFlags        []string      `json:"doc_flags"`
		DeprecatedSince string        `json:"deprecated_since"`
		ReplacedBy      string        `json:"replaced_by"`
		History         [][]string    `json:"history"`
		Arguments       []capturedArg `json:"arguments"`
	}
	capturedArg struct {
		Name            string        `json:"name"`
		Type            string        `json:"type"`
		KeySpecIndex    *int          `json:"key_spec_index"`
		Token           *string       `json:"token"`
		Since           string        `json:"since"`
		DeprecatedSince string        `json:"deprecated_since"`
		Flags           []string      `json:"flags"`
		Arguments       []capturedArg `json:"arguments"`
	}
)

// A nameTable maps the names Redis uses for a set of flags to the Go
// constants of package server, in the order Redis lists them in its
// replies, which is the order package server writes them in.
type nameTable []struct{ name, constant string }

var (
	commandFlags = nameTable{
		{"write", "flagWrite"}, {"readonly", "flagReadonly"}, {"denyoom", "flagDenyOOM"},
		{"admin", "flagAdmin"}, {"pubsub", "flagPubSub"}, {"noscript", "flagNoScript"},
		{"blocking", "flagBlocking"}, {"loading", "flagLoading"}, {"stale", "flagStale"},
		{"skip_monitor", "flagSkipMonitor"}, {"skip_slowlog", "flagSkipSlowlog"},
		{"asking", "flagAsking"}, {"fast", "flagFast"}, {"no_auth", "flagNoAuth"},
		{"no_mandatory_keys", "flagNoMandatoryKeys"}, {"no_async_loading", "flagNoAsyncLoading"},
		{"no_multi", "flagNoMulti"}, {"movablekeys", "flagMovableKeys"}, {"allow_busy", "flagAllowBusy"},
	}
	aclCategories = nameTable{
		{"@keyspace", "aclKeyspace"}, {"@read", "aclRead"}, {"@write", "aclWrite"},
		{"@set", "aclSet"}, {"@sortedset", "aclSortedset"}, {"@list", "aclList"},
		{"@hash", "aclHash"}, {"@string", "aclString"}, {"@bitmap", "aclBitmap"},
		{"@hyperloglog", "aclHyperloglog"}, {"@geo", "aclGeo"}, {"@stream", "aclStream"},
		{"@pubsub", "aclPubsub"}, {"@admin", "aclAdmin"}, {"@fast", "aclFast"},
		{"@slow", "aclSlow"}, {"@blocking", "aclBlocking"}, {"@dangerous", "aclDangerous"},
		{"@connection", "aclConnection"}, {"@transaction", "aclTransaction"},
		{"@scripting", "aclScripting"},
	}
	keySpecFlags = nameTable{
		{"RO", "keyRO"}, {"RW", "keyRW"}, {"OW", "keyOW"}, {"RM", "keyRM"},
		{"access", "keyAccess"}, {"update", "keyUpdate"}, {"insert", "keyInsert"},
		{"delete", "keyDelete"}, {"not_key", "keyNotKey"}, {"incomplete", "keyIncomplete"},
		{"variable_flags", "keyVariableFlags"},
	}
	docFlags = nameTable{{"deprecated", "docDeprecated"}, {"syscmd", "docSyscmd"}}
	argFlags = nameTable{{"optional", "argOptional"}, {"multiple", "argMultiple"}, {"multiple_token", "argMultipleToken"}}
)

// expr returns the Go expression for a set of flags, or "" for none. The
// names must be known and in the table's order: package server writes a
// set in that order, so a set Redis lists otherwise could not be
// reproduced.
func (t nameTable) expr(names []string) (string, error) {
	var consts []string
	next := 0
	for _, name := range names {
		i := slices.IndexFunc(t, func(e struct{ name, constant string }) bool { return e.name == name })
		if i < 0 {
			return "", fmt.Errorf("unknown flag %q", name)
		}
		if i < next {
			return "", fmt.Errorf("flag %q out of order in %q", name, names)
		}
		next = i + 1
		consts = append(consts, t[i].constant)
	}
	return strings.Join(consts, " | "), nil
}

// argTypes are the argument types package server's writer reproduces.
var argTypes = []string{"key", "string", "integer", "double", "pattern", "unix-time", "pure-token", "oneof", "block"}

// generate returns the Go source of the metadata in the data file data.
func generate(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a field the generator ignored would be lost silently
	var f dataFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if len(f.Commands) == 0 {
		return nil, fmt.Errorf("no commands")
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by tools/gencommands; DO NOT EDIT.\n\n")
	b.WriteString("package server\n\n")
	fmt.Fprintf(&b, "// redisCommands is the metadata Redis %s declares for each of its\n", f.RedisVersion)
	b.WriteString("// commands and subcommands, keyed by the name COMMAND INFO reports, as\n")
	b.WriteString("// captured in commanddata.\n")
	b.WriteString("var redisCommands = map[string]commandMeta{\n")
	for _, name := range slices.Sorted(mapKeys(f.Commands)) {
		if err := writeCommand(&b, name, f.Commands[name]); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format the generated code: %w", err)
	}
	return src, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// writeCommand writes the map entry of one command.
func writeCommand(b *bytes.Buffer, name string, c capturedCommand) error {
	in, d := c.Info, c.Docs
	fmt.Fprintf(b, "%s: {\n", strconv.Quote(name))
	fmt.Fprintf(b, "arity: %d, firstKey: %d, lastKey: %d, keyStep: %d,\n", in.Arity, in.FirstKey, in.LastKey, in.Step)
	b.WriteString("info: commandInfo{\n")
	if err := writeFlags(b, "flags", commandFlags, in.Flags); err != nil {
		return err
	}
	if err := writeFlags(b, "acl", aclCategories, in.ACLCategories); err != nil {
		return err
	}
	if len(in.Tips) > 0 {
		fmt.Fprintf(b, "tips: %s,\n", stringSlice(in.Tips))
	}
	if len(in.KeySpecs) > 0 {
		b.WriteString("keySpecs: []keySpec{\n")
		for i, ks := range in.KeySpecs {
			if err := writeKeySpec(b, ks); err != nil {
				return fmt.Errorf("key spec %d: %w", i, err)
			}
		}
		b.WriteString("},\n")
	}
	b.WriteString("},\n")

	b.WriteString("doc: commandDoc{\n")
	for _, field := range []struct{ name, value string }{
		{"summary", d.Summary}, {"since", d.Since}, {"group", d.Group}, {"complexity", d.Complexity},
	} {
		if field.value != "" {
			fmt.Fprintf(b, "%s: %s,\n", field.name, strconv.Quote(field.value))
		}
	}
	if d.Group == "" {
		return fmt.Errorf("no group") // Redis always reports one
	}
	if err := writeFlags(b, "flags", docFlags, d.DocFlags); err != nil {
		return err
	}
	if d.DeprecatedSince != "" {
		fmt.Fprintf(b, "deprecatedSince: %s,\n", strconv.Quote(d.DeprecatedSince))
	}
	if d.ReplacedBy != "" {
		fmt.Fprintf(b, "replacedBy: %s,\n", strconv.Quote(d.ReplacedBy))
	}
	if len(d.History) > 0 {
		b.WriteString("history: []docHistory{\n")
		for _, h := range d.History {
			if len(h) != 2 {
				return fmt.Errorf("history entry %q: want version and change", h)
			}
			fmt.Fprintf(b, "{%s, %s},\n", strconv.Quote(h[0]), strconv.Quote(h[1]))
		}
		b.WriteString("},\n")
	}
	if len(d.Arguments) > 0 {
		b.WriteString("args: ")
		if err := writeArgs(b, d.Arguments); err != nil {
			return err
		}
		b.WriteString(",\n")
	}
	b.WriteString("},\n")
	b.WriteString("},\n")
	return nil
}

// writeFlags writes the field of a set of flags, if it has any.
func writeFlags(b *bytes.Buffer, field string, t nameTable, names []string) error {
	e, err := t.expr(names)
	if err != nil {
		return err
	}
	if e != "" {
		fmt.Fprintf(b, "%s: %s,\n", field, e)
	}
	return nil
}

// writeKeySpec writes one key spec, with the fields of its search steps'
// types and only those.
func writeKeySpec(b *bytes.Buffer, ks capturedKeySpec) error {
	b.WriteString("{")
	if ks.Notes != "" {
		fmt.Fprintf(b, "notes: %s, ", strconv.Quote(ks.Notes))
	}
	flags, err := keySpecFlags.expr(ks.Flags)
	if err != nil {
		return err
	}
	if flags != "" {
		fmt.Fprintf(b, "flags: %s, ", flags)
	}
	bs, fk := ks.BeginSearch.Spec, ks.FindKeys.Spec
	switch ks.BeginSearch.Type {
	case "index":
		if err := only(bs, bs.Index); err != nil {
			return fmt.Errorf("begin_search: %w", err)
		}
		fmt.Fprintf(b, "begin: beginSearch{kind: beginIndex, index: %d}, ", *bs.Index)
	case "keyword":
		if err := only(bs, bs.Keyword, bs.StartFrom); err != nil {
			return fmt.Errorf("begin_search: %w", err)
		}
		fmt.Fprintf(b, "begin: beginSearch{kind: beginKeyword, keyword: %s, startFrom: %d}, ", strconv.Quote(*bs.Keyword), *bs.StartFrom)
	case "unknown":
		if err := only(bs); err != nil {
			return fmt.Errorf("begin_search: %w", err)
		}
		b.WriteString("begin: beginSearch{kind: beginUnknown}, ")
	default:
		return fmt.Errorf("begin_search of unknown type %q", ks.BeginSearch.Type)
	}
	switch ks.FindKeys.Type {
	case "range":
		if err := only(fk, fk.LastKey, fk.KeyStep, fk.Limit); err != nil {
			return fmt.Errorf("find_keys: %w", err)
		}
		fmt.Fprintf(b, "find: findKeys{kind: findRange, lastKey: %d, keyStep: %d, limit: %d}", *fk.LastKey, *fk.KeyStep, *fk.Limit)
	case "keynum":
		if err := only(fk, fk.KeyNumIdx, fk.FirstKey, fk.KeyStep); err != nil {
			return fmt.Errorf("find_keys: %w", err)
		}
		fmt.Fprintf(b, "find: findKeys{kind: findKeynum, keyNumIdx: %d, firstKey: %d, keyStep: %d}", *fk.KeyNumIdx, *fk.FirstKey, *fk.KeyStep)
	case "unknown":
		if err := only(fk); err != nil {
			return fmt.Errorf("find_keys: %w", err)
		}
		b.WriteString("find: findKeys{kind: findUnknown}")
	default:
		return fmt.Errorf("find_keys of unknown type %q", ks.FindKeys.Type)
	}
	b.WriteString("},\n")
	return nil
}

// only checks that a search step's spec has exactly the fields want (the
// addresses of its fields) set.
func only(spec capturedSearchSpec, want ...any) error {
	all := []any{spec.Index, spec.Keyword, spec.StartFrom, spec.LastKey, spec.KeyStep, spec.Limit, spec.KeyNumIdx, spec.FirstKey}
	for _, f := range all {
		isNil := f == any((*int)(nil)) || f == any((*string)(nil))
		if wanted := slices.Contains(want, f); wanted == isNil {
			return fmt.Errorf("spec %+v: fields not those of its type", spec)
		}
	}
	return nil
}

// writeArgs writes a list of documented arguments, members of oneof and
// block arguments included.
func writeArgs(b *bytes.Buffer, args []capturedArg) error {
	b.WriteString("[]docArg{\n")
	for _, a := range args {
		if !slices.Contains(argTypes, a.Type) {
			return fmt.Errorf("argument %s: unknown type %q", a.Name, a.Type)
		}
		if nested := a.Type == "oneof" || a.Type == "block"; nested != (len(a.Arguments) > 0) {
			// Redis lists the members of exactly these types.
			return fmt.Errorf("argument %s of type %s with %d members", a.Name, a.Type, len(a.Arguments))
		}
		fmt.Fprintf(b, "{name: %s, typ: %s", strconv.Quote(a.Name), strconv.Quote(a.Type))
		if a.KeySpecIndex != nil {
			fmt.Fprintf(b, ", keySpec: %d, hasKeySpec: true", *a.KeySpecIndex)
		}
		if a.Token != nil && *a.Token == "" {
			b.WriteString(", emptyToken: true") // MIGRATE's empty_string
		}
		for _, field := range []struct{ name, value string }{
			{"token", deref(a.Token)}, {"since", a.Since}, {"deprecatedSince", a.DeprecatedSince},
		} {
			if field.value != "" {
				fmt.Fprintf(b, ", %s: %s", field.name, strconv.Quote(field.value))
			}
		}
		flags, err := argFlags.expr(a.Flags)
		if err != nil {
			return fmt.Errorf("argument %s: %w", a.Name, err)
		}
		if flags != "" {
			fmt.Fprintf(b, ", flags: %s", flags)
		}
		if len(a.Arguments) > 0 {
			b.WriteString(", args: ")
			if err := writeArgs(b, a.Arguments); err != nil {
				return fmt.Errorf("argument %s: %w", a.Name, err)
			}
		}
		b.WriteString("},\n")
	}
	b.WriteString("}")
	return nil
}

// stringSlice returns the Go expression of a []string.
func stringSlice(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Quote(x)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
