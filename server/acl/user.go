// Package acl is the pure logic of Redis 7.0 ACL users: the user model,
// the SETUSER rule parser, ACL LIST's description of a user, and the key
// and channel permission checks. It knows nothing of connections; the
// server package drives it.
package acl

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"github.com/mini-redis/mini-redis/db/glob"
	"github.com/mini-redis/mini-redis/frame"
)

// The errors SETUSER reports, worded as Redis's ACLSetUserStringError.
var (
	ErrSyntax       = errors.New("Syntax error")
	ErrKeyAfterAll  = errors.New("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")
	ErrChanAfterAll = errors.New("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")
	ErrNoSuchPass   = errors.New("The password you are trying to remove from the user does not exist")
	ErrBadHash      = errors.New("The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")
	// ErrUnknownCommand is a command rule naming no command or category.
	ErrUnknownCommand = errors.New("Unknown command or category name in ACL")
	// ErrFirstArgOfSub is +container|sub|arg.
	ErrFirstArgOfSub = errors.New("Allowing first-arg of a subcommand is not supported")
)

// Sanitize is a user's payload sanitization flag.
type Sanitize int

// The sanitization flags: none given, skip-sanitize-payload,
// sanitize-payload.
const (
	SanitizeUnset Sanitize = iota
	SanitizeSkip
	SanitizeAlways
)

// Key permissions of a key pattern.
const (
	Read  = 1 << iota // %R~
	Write             // %W~
	All   = Read | Write
)

// A KeyPattern is a glob with the permissions it grants.
type KeyPattern struct {
	Pattern string
	Perm    int
}

// A Selector is a set of command, key and channel permissions, as
// Redis's aclSelector: a user has its root selector and any number of
// others, "(...)" in its rules; a command runs if one of them allows it
// whole.
type Selector struct {
	AllKeys     bool
	Keys        []KeyPattern
	AllChannels bool
	Channels    []string

	cat   *Catalog
	perms perms
}

func newSelector(cat *Catalog, allChannels bool) Selector {
	s := Selector{cat: cat, AllChannels: allChannels}
	if cat != nil {
		s.perms = newPerms(cat.Len())
	}
	return s
}

func (s *Selector) clone() Selector {
	v := *s
	v.Keys = slices.Clone(s.Keys)
	v.Channels = slices.Clone(s.Channels)
	v.perms = s.perms.clone()
	return v
}

// A User is one ACL user: its own flags and passwords, its root selector
// (embedded) and its other selectors, in the order added.
type User struct {
	Name      string
	On        bool
	NoPass    bool
	Passwords []string // SHA-256 hex digests, in the order added
	Sanitize  Sanitize
	Selector
	Selectors []Selector

	// pubsubAll is acl-pubsub-default allchannels: "reset" and new
	// selectors then allow every channel.
	pubsubAll bool
}

// SetPubsubDefault sets what "reset" does to the channels, as Redis's
// acl-pubsub-default: allow them all (allchannels) or none.
func (u *User) SetPubsubDefault(allChannels bool) { u.pubsubAll = allChannels }

// New returns a user as ACL SETUSER creates it: off, no passwords, keys,
// channels or commands. Command rules name the commands of cat.
func New(name string, cat *Catalog) *User {
	return &User{Name: name, Selector: newSelector(cat, false)}
}

// NewDefault returns the user "default" as Redis starts it: on, nopass,
// every key, channel and command.
func NewDefault(cat *Catalog) *User {
	u := New("default", cat)
	u.On, u.NoPass, u.AllKeys, u.AllChannels = true, true, true, true
	u.perms.setAll(true)
	return u
}

// Clone returns a deep copy of u, for changing it while others read it.
func (u *User) Clone() *User {
	v := *u
	v.Passwords = slices.Clone(u.Passwords)
	v.Selector = u.Selector.clone()
	v.Selectors = nil
	for i := range u.Selectors {
		v.Selectors = append(v.Selectors, u.Selectors[i].clone())
	}
	return &v
}

// Hash returns the SHA-256 hex digest Redis stores for a password.
func Hash(password string) string {
	sum := sha256.Sum256([]byte(password))
	return hex.EncodeToString(sum[:])
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Apply applies one SETUSER rule to u, as Redis's ACLSetUser: a
// "(...)" rule adds a selector, the rules of keys, channels and commands
// change the root selector. On error u is unchanged.
func (u *User) Apply(rule string) error {
	switch lower := strings.ToLower(rule); {
	case lower == "on":
		u.On = true
	case lower == "off":
		u.On = false
	case lower == "nopass":
		u.NoPass, u.Passwords = true, nil
	case lower == "resetpass":
		u.NoPass, u.Passwords = false, nil
	case lower == "sanitize-payload":
		u.Sanitize = SanitizeAlways
	case lower == "skip-sanitize-payload":
		u.Sanitize = SanitizeSkip
	case lower == "clearselectors":
		u.Selectors = nil
	case lower == "reset":
		*u = User{Name: u.Name, Sanitize: SanitizeAlways, Selector: newSelector(u.cat, u.pubsubAll), pubsubAll: u.pubsubAll}
	case len(rule) >= 2 && rule[0] == '(' && rule[len(rule)-1] == ')':
		sel, err := u.parseSelector(rule[1 : len(rule)-1])
		if err != nil {
			return err
		}
		u.Selectors = append(u.Selectors, sel)
	case rule != "" && (rule[0] == '>' || rule[0] == '#'):
		h := rule[1:]
		if rule[0] == '>' {
			h = Hash(h)
		} else if !validHash(h) {
			return ErrBadHash
		}
		if !slices.Contains(u.Passwords, h) {
			u.Passwords = append(u.Passwords, h)
		}
		u.NoPass = false
	case rule != "" && (rule[0] == '<' || rule[0] == '!'):
		h := rule[1:]
		if rule[0] == '<' {
			h = Hash(h)
		} else if !validHash(h) {
			return ErrBadHash
		}
		i := slices.Index(u.Passwords, h)
		if i < 0 {
			return ErrNoSuchPass
		}
		u.Passwords = slices.Delete(u.Passwords, i, i+1)
	default:
		return u.Selector.apply(rule)
	}
	return nil
}

// parseSelector builds a selector from the rules inside "(...)", split
// as Redis's sdssplitargs splits them; rules it cannot split (an
// unbalanced quote) make an empty selector, as in Redis.
func (u *User) parseSelector(inner string) (Selector, error) {
	sel := newSelector(u.cat, u.pubsubAll)
	rules, ok := frame.SplitArgs([]byte(inner), nil)
	if !ok {
		rules = nil
	}
	for _, r := range rules {
		if err := sel.apply(string(r)); err != nil {
			return Selector{}, err
		}
	}
	return sel, nil
}

// apply applies one rule of keys, channels or commands to s, as Redis's
// ACLSetSelector. On error s is unchanged.
func (s *Selector) apply(rule string) error {
	switch lower := strings.ToLower(rule); {
	case lower == "allkeys":
		s.AllKeys, s.Keys = true, nil
	case lower == "resetkeys":
		s.AllKeys, s.Keys = false, nil
	case lower == "allchannels":
		s.AllChannels, s.Channels = true, nil
	case lower == "resetchannels":
		s.AllChannels, s.Channels = false, nil
	case rule == "":
		return ErrSyntax
	case rule[0] == '+' || rule[0] == '-' || lower == "allcommands" || lower == "nocommands":
		p := s.perms.clone()
		if _, err := p.applyCommandRule(s.cat, rule); err != nil {
			return err
		}
		s.perms = p
	case rule[0] == '~' || rule[0] == '%':
		return s.addKeyPattern(rule)
	case rule[0] == '&':
		if s.AllChannels {
			return ErrChanAfterAll
		}
		if hasSpaces(rule[1:]) {
			return ErrSyntax
		}
		if rule == "&*" {
			s.AllChannels, s.Channels = true, nil
		} else if !slices.Contains(s.Channels, rule[1:]) {
			s.Channels = append(s.Channels, rule[1:])
		}
	default:
		return ErrSyntax
	}
	return nil
}

// hasSpaces is Redis's ACLStringHasSpaces: patterns may hold no white
// space or NUL, which ACL LIST's lines could not show.
func hasSpaces(s string) bool {
	return strings.ContainsAny(s, " \t\n\v\f\r\x00")
}

// addKeyPattern applies ~pattern or %R~pattern, %W~pattern, %RW~pattern.
func (s *Selector) addKeyPattern(rule string) error {
	if s.AllKeys {
		return ErrKeyAfterAll
	}
	perm, i := All, 1
	if rule[0] == '%' {
		perm = 0
		for ; i < len(rule); i++ {
			c := rule[i] &^ 0x20
			if c == 'R' && perm&Read == 0 {
				perm |= Read
			} else if c == 'W' && perm&Write == 0 {
				perm |= Write
			} else if rule[i] == '~' {
				i++
				break
			} else {
				return ErrSyntax
			}
		}
		if perm == 0 { // "%R" alone is accepted, with an empty pattern, as Redis does
			return ErrSyntax
		}
	}
	pat := rule[i:]
	if pat == "*" && perm == All {
		s.AllKeys, s.Keys = true, nil
		return nil
	}
	if hasSpaces(pat) {
		return ErrSyntax
	}
	for j := range s.Keys {
		if s.Keys[j].Pattern == pat {
			s.Keys[j].Perm |= perm
			return nil
		}
	}
	s.Keys = append(s.Keys, KeyPattern{pat, perm})
	return nil
}

// Flags returns the user's flags as ACL GETUSER lists them.
func (u *User) Flags() []string {
	flags := []string{"off"}
	if u.On {
		flags[0] = "on"
	}
	if u.NoPass {
		flags = append(flags, "nopass")
	}
	switch u.Sanitize {
	case SanitizeSkip:
		flags = append(flags, "skip-sanitize-payload")
	case SanitizeAlways:
		flags = append(flags, "sanitize-payload")
	}
	return flags
}

// Describe returns the user's rules as ACL LIST shows them, after "user
// name ": the flags, passwords, root selector, then each selector in
// parentheses (Redis's ACLDescribeUser).
func (u *User) Describe() string {
	var b strings.Builder
	for _, f := range u.Flags() {
		b.WriteString(f + " ")
	}
	for _, h := range u.Passwords {
		b.WriteString("#" + h + " ")
	}
	b.WriteString(u.Selector.Describe())
	for i := range u.Selectors {
		b.WriteString(" (" + u.Selectors[i].Describe() + ")")
	}
	return b.String()
}

// Describe returns the selector's rules as Redis's ACLDescribeSelector:
// keys, channels, then commands.
func (s *Selector) Describe() string {
	var b strings.Builder
	if s.AllKeys {
		b.WriteString("~* ")
	} else {
		for _, k := range s.Keys {
			b.WriteString(k.rule() + " ")
		}
	}
	if s.AllChannels {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, c := range s.Channels {
			b.WriteString("&" + c + " ")
		}
	}
	if s.cat != nil {
		b.WriteString(s.CommandRules())
	}
	return strings.TrimSuffix(b.String(), " ")
}

// rule returns the pattern as a rule: ~pat, %R~pat or %W~pat.
func (k KeyPattern) rule() string {
	switch k.Perm {
	case Read:
		return "%R~" + k.Pattern
	case Write:
		return "%W~" + k.Pattern
	}
	return "~" + k.Pattern
}

// CommandRules returns the command rules as ACL GETUSER's "commands"
// shows them ("+@all", "-@all +get").
func (s *Selector) CommandRules() string { return s.perms.describe(s.cat) }

// KeyRules returns the key patterns as ACL GETUSER's "keys" shows them.
func (s *Selector) KeyRules() string {
	if s.AllKeys {
		return "~*"
	}
	parts := make([]string, 0, len(s.Keys))
	for _, k := range s.Keys {
		parts = append(parts, k.rule())
	}
	return strings.Join(parts, " ")
}

// ChannelRules returns the channel patterns as ACL GETUSER's "channels"
// shows them.
func (s *Selector) ChannelRules() string {
	if s.AllChannels {
		return "&*"
	}
	parts := make([]string, 0, len(s.Channels))
	for _, c := range s.Channels {
		parts = append(parts, "&"+c)
	}
	return strings.Join(parts, " ")
}

// Unrestricted reports whether u may run every command on every key and
// channel: its root selector allows it all, and the permission check has
// nothing to do for it.
func (u *User) Unrestricted() bool { return u.perms.all && u.AllKeys && u.AllChannels }

// CommandAllowed reports whether s allows the command id of its catalog
// with args (the name first; for a subcommand, the container's name and
// then the subcommand's), as Redis's ACLSelectorCheckCmd: a denied
// command may still run with a first argument +cmd|arg allowed.
func (s *Selector) CommandAllowed(id int, args [][]byte) bool {
	return s.perms.allowedCmd(s.cat, id, args)
}

// AnyChannelAllowed reports whether one of u's selectors allows channel,
// as Redis's ACLKillPubsubClientsIfNeeded judges its subscribers.
func (u *User) AnyChannelAllowed(channel string, isPattern bool) bool {
	if u.ChannelAllowed(channel, isPattern) {
		return true
	}
	for i := range u.Selectors {
		if u.Selectors[i].ChannelAllowed(channel, isPattern) {
			return true
		}
	}
	return false
}

// AnyAllChannels reports whether one of u's selectors allows every
// channel.
func (u *User) AnyAllChannels() bool {
	if u.AllChannels {
		return true
	}
	for i := range u.Selectors {
		if u.Selectors[i].AllChannels {
			return true
		}
	}
	return false
}

// CheckPassword reports whether password authenticates u.
func (u *User) CheckPassword(password string) bool {
	if !u.On {
		return false
	}
	return u.NoPass || slices.Contains(u.Passwords, Hash(password))
}

// KeyAllowed reports whether s allows access to key with the permissions
// perm. Patterns are Redis globs (stringmatchlen).
func (s *Selector) KeyAllowed(key string, perm int) bool {
	if s.AllKeys {
		return true
	}
	for _, k := range s.Keys {
		if k.Perm&perm != perm {
			continue
		}
		if glob.Match([]byte(k.Pattern), []byte(key), false) {
			return true
		}
	}
	return false
}

// ChannelAllowed reports whether s allows channel: a channel name
// (PUBLISH, SUBSCRIBE) must match one of the selector's patterns, while a
// pattern (PSUBSCRIBE) must equal one of them, as in Redis's
// ACLCheckChannelAgainstList.
func (s *Selector) ChannelAllowed(channel string, isPattern bool) bool {
	if s.AllChannels {
		return true
	}
	for _, p := range s.Channels {
		if isPattern && p == channel || !isPattern && glob.Match([]byte(p), []byte(channel), false) {
			return true
		}
	}
	return false
}

// MergeSelectorArgs joins the rules of selectors split over several
// arguments, "(+get" "~k*)", into one "(+get ~k*)", as Redis's
// ACLMergeSelectorArguments. If a selector is never closed, it returns
// the index of the rule that opened it, else -1.
func MergeSelectorArgs(rules []string) (merged []string, unclosed int) {
	open := -1
	var sel string
	for i, r := range rules {
		if open < 0 && strings.HasPrefix(r, "(") && !strings.HasSuffix(r, ")") {
			open, sel = i, r
			continue
		}
		if open >= 0 {
			sel += " " + r
			if strings.HasSuffix(r, ")") {
				merged = append(merged, sel)
				open = -1
			}
			continue
		}
		merged = append(merged, r)
	}
	if open >= 0 {
		return nil, open
	}
	return merged, -1
}
