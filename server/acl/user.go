// Package acl is the pure logic of Redis 7.0 ACL users: the user model,
// the SETUSER rule parser, ACL LIST's description of a user, and the key
// and channel permission checks. It knows nothing of connections; the
// server package drives it.
//
// Selectors ("(...)" rules) are not implemented.
package acl

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"github.com/mini-redis/mini-redis/db/glob"
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

// A User is one ACL user.
type User struct {
	Name        string
	On          bool
	NoPass      bool
	Passwords   []string // SHA-256 hex digests, in the order added
	AllKeys     bool
	Keys        []KeyPattern
	AllChannels bool
	Channels    []string
	Sanitize    Sanitize

	cat   *Catalog
	perms perms
	// pubsubAll is acl-pubsub-default allchannels: "reset" then allows
	// every channel.
	pubsubAll bool
}

// SetPubsubDefault sets what "reset" does to the channels, as Redis's
// acl-pubsub-default: allow them all (allchannels) or none.
func (u *User) SetPubsubDefault(allChannels bool) { u.pubsubAll = allChannels }

// New returns a user as ACL SETUSER creates it: off, no passwords, keys,
// channels or commands. Command rules name the commands of cat.
func New(name string, cat *Catalog) *User {
	u := &User{Name: name, cat: cat}
	u.perms = newPerms(u.catalogLen())
	return u
}

// NewDefault returns the user "default" as Redis starts it: on, nopass,
// every key, channel and command.
func NewDefault(cat *Catalog) *User {
	u := New("default", cat)
	u.On, u.NoPass, u.AllKeys, u.AllChannels = true, true, true, true
	u.perms.setAll(true)
	return u
}

func (u *User) catalogLen() int {
	if u.cat == nil {
		return 0
	}
	return u.cat.Len()
}

// Clone returns a deep copy of u, for changing it while others read it.
func (u *User) Clone() *User {
	v := *u
	v.Passwords = slices.Clone(u.Passwords)
	v.Keys = slices.Clone(u.Keys)
	v.Channels = slices.Clone(u.Channels)
	v.perms = u.perms.clone()
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

// Apply applies one SETUSER rule to u. On error u is unchanged.
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
	case lower == "allkeys":
		u.AllKeys, u.Keys = true, nil
	case lower == "resetkeys":
		u.AllKeys, u.Keys = false, nil
	case lower == "allchannels":
		u.AllChannels, u.Channels = true, nil
	case lower == "resetchannels":
		u.AllChannels, u.Channels = false, nil
	case lower == "clearselectors": // selectors are not implemented: there are none to clear
	case lower == "sanitize-payload":
		u.Sanitize = SanitizeAlways
	case lower == "skip-sanitize-payload":
		u.Sanitize = SanitizeSkip
	case lower == "reset":
		*u = User{Name: u.Name, cat: u.cat, Sanitize: SanitizeAlways, perms: newPerms(u.catalogLen()),
			pubsubAll: u.pubsubAll, AllChannels: u.pubsubAll}
	case rule == "":
		return ErrSyntax
	case rule[0] == '+' || rule[0] == '-' || lower == "allcommands" || lower == "nocommands":
		p := u.perms.clone()
		if _, err := p.applyCommandRule(u.cat, rule); err != nil {
			return err
		}
		u.perms = p
	case rule[0] == '>' || rule[0] == '#':
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
	case rule[0] == '<' || rule[0] == '!':
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
	case rule[0] == '~' || rule[0] == '%':
		return u.addKeyPattern(rule)
	case rule[0] == '&':
		if u.AllChannels {
			return ErrChanAfterAll
		}
		if rule == "&*" {
			u.AllChannels, u.Channels = true, nil
		} else if !slices.Contains(u.Channels, rule[1:]) {
			u.Channels = append(u.Channels, rule[1:])
		}
	default:
		return ErrSyntax
	}
	return nil
}

// addKeyPattern applies ~pattern or %R~pattern, %W~pattern, %RW~pattern.
func (u *User) addKeyPattern(rule string) error {
	if u.AllKeys {
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
		u.AllKeys, u.Keys = true, nil
		return nil
	}
	for j := range u.Keys {
		if u.Keys[j].Pattern == pat {
			u.Keys[j].Perm |= perm
			return nil
		}
	}
	u.Keys = append(u.Keys, KeyPattern{pat, perm})
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
// name ".
func (u *User) Describe() string {
	var b strings.Builder
	for _, f := range u.Flags() {
		b.WriteString(f + " ")
	}
	for _, h := range u.Passwords {
		b.WriteString("#" + h + " ")
	}
	if u.AllKeys {
		b.WriteString("~* ")
	} else {
		for _, k := range u.Keys {
			switch k.Perm {
			case Read:
				b.WriteString("%R")
			case Write:
				b.WriteString("%W")
			}
			b.WriteString("~" + k.Pattern + " ")
		}
	}
	if u.AllChannels {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, c := range u.Channels {
			b.WriteString("&" + c + " ")
		}
	}
	if u.cat != nil {
		b.WriteString(u.CommandRules())
	}
	return strings.TrimSuffix(b.String(), " ")
}

// CommandRules returns the command rules as ACL GETUSER's "commands"
// shows them ("+@all", "-@all +get").
func (u *User) CommandRules() string { return u.perms.describe(u.cat) }

// KeyRules returns the key patterns as ACL GETUSER's "keys" shows them.
func (u *User) KeyRules() string {
	if u.AllKeys {
		return "~*"
	}
	parts := make([]string, 0, len(u.Keys))
	for _, k := range u.Keys {
		prefix := ""
		switch k.Perm {
		case Read:
			prefix = "%R"
		case Write:
			prefix = "%W"
		}
		parts = append(parts, prefix+"~"+k.Pattern)
	}
	return strings.Join(parts, " ")
}

// ChannelRules returns the channel patterns as ACL GETUSER's "channels"
// shows them.
func (u *User) ChannelRules() string {
	if u.AllChannels {
		return "&*"
	}
	parts := make([]string, 0, len(u.Channels))
	for _, c := range u.Channels {
		parts = append(parts, "&"+c)
	}
	return strings.Join(parts, " ")
}

// Unrestricted reports whether u may run every command on every key and
// channel: the permission check has nothing to do for it.
func (u *User) Unrestricted() bool { return u.perms.all && u.AllKeys && u.AllChannels }

// CommandAllowed reports whether u may run the command id of its
// catalog with args (the name first; for a subcommand, the container's
// name and then the subcommand's), as Redis's ACLSelectorCheckCmd: a
// denied command may still run with a first argument +cmd|arg allowed.
func (u *User) CommandAllowed(id int, args [][]byte) bool {
	return u.perms.allowedCmd(u.cat, id, args)
}

// CheckPassword reports whether password authenticates u.
func (u *User) CheckPassword(password string) bool {
	if !u.On {
		return false
	}
	return u.NoPass || slices.Contains(u.Passwords, Hash(password))
}

// KeyAllowed reports whether u may access key with the permissions perm.
// Patterns are Redis globs (stringmatchlen).
func (u *User) KeyAllowed(key string, perm int) bool {
	if u.AllKeys {
		return true
	}
	for _, k := range u.Keys {
		if k.Perm&perm != perm {
			continue
		}
		if glob.Match([]byte(k.Pattern), []byte(key), false) {
			return true
		}
	}
	return false
}

// ChannelAllowed reports whether u may use channel: a channel name
// (PUBLISH, SUBSCRIBE) must match one of the user's patterns, while a
// pattern (PSUBSCRIBE) must equal one of them, as in Redis's
// ACLCheckChannelAgainstList.
func (u *User) ChannelAllowed(channel string, isPattern bool) bool {
	if u.AllChannels {
		return true
	}
	for _, p := range u.Channels {
		if isPattern && p == channel || !isPattern && glob.Match([]byte(p), []byte(channel), false) {
			return true
		}
	}
	return false
}
