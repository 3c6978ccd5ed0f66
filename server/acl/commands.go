package acl

import (
	"slices"
	"strings"
)

// categoryNames are Redis's ACL categories, in the order of its category
// table (ACLCommandCategories): bit i of a Command's Categories is
// categoryNames[i]. The order matters: ACL LIST's best-fit description
// tries the categories in it, and ACL CAT lists them in it.
var categoryNames = [...]string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
	"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
	"dangerous", "connection", "transaction", "scripting",
}

// Categories returns the names of the ACL categories in Redis's order.
func Categories() []string { return slices.Clone(categoryNames[:]) }

// categoryBit returns the bit of the category name (any letter case), or 0.
func categoryBit(name string) uint64 {
	for i, n := range categoryNames {
		if strings.EqualFold(n, name) {
			return 1 << i
		}
	}
	return 0
}

// A Command is what the ACL rules need to know of one command or
// subcommand.
type Command struct {
	// Name is the full lower-case name: "get", or "config|get" for a
	// subcommand.
	Name string
	// Categories has bit i set for category Categories()[i].
	Categories uint64
	// Extra marks a command Redis 7.0 lacks: it takes part in the rules
	// but not in the counts ACL LIST's best fit weighs, so that the
	// descriptions stay Redis's.
	Extra bool
}

// A Catalog is the set of commands rules can name, each with an id that
// indexes the users' permission bitmaps. It is read only once built and
// may be shared by any number of users and goroutines.
type Catalog struct {
	cmds   []catEntry
	byName map[string]int
	order  []int // top-level commands by name, each followed by its subcommands by name
}

type catEntry struct {
	Command
	parent int // -1 for a top-level command
	subs   []int
}

// NewCatalog returns a catalog of cmds. A subcommand's container must be
// among them.
func NewCatalog(cmds []Command) *Catalog {
	c := &Catalog{byName: make(map[string]int, len(cmds))}
	sorted := slices.Clone(cmds)
	slices.SortFunc(sorted, func(a, b Command) int { return strings.Compare(a.Name, b.Name) })
	for _, cmd := range sorted {
		c.byName[cmd.Name] = len(c.cmds)
		c.cmds = append(c.cmds, catEntry{Command: cmd, parent: -1})
	}
	for id := range c.cmds {
		e := &c.cmds[id]
		if parent, _, ok := strings.Cut(e.Name, "|"); ok {
			if p, found := c.byName[parent]; found {
				e.parent = p
				c.cmds[p].subs = append(c.cmds[p].subs, id)
			}
		}
	}
	for id, e := range c.cmds {
		if e.parent < 0 {
			c.order = append(c.order, id)
			c.order = append(c.order, e.subs...)
		}
	}
	return c
}

// Len returns the number of commands; ids run from 0 to Len()-1.
func (c *Catalog) Len() int { return len(c.cmds) }

// ID returns the id of the command with the full lower-case name.
func (c *Catalog) ID(name string) (int, bool) {
	id, ok := c.byName[name]
	return id, ok
}

// lookup finds a command as Redis's ACLLookupCommand does: "cmd" or
// "container|sub" in any letter case; "cmd|arg" of a command without
// subcommands is not a command.
func (c *Catalog) lookup(name string) (int, bool) {
	name = strings.ToLower(name)
	if strings.Count(name, "|") > 1 {
		return 0, false
	}
	if parent, _, ok := strings.Cut(name, "|"); ok {
		p, found := c.byName[parent]
		if !found || len(c.cmds[p].subs) == 0 {
			return 0, false
		}
	}
	return c.ID(name)
}

// InCategory returns the names of the commands in the category (any
// letter case), as ACL CAT lists them, and whether the category exists.
// Extra commands are left out: the list is Redis 7.0's.
func (c *Catalog) InCategory(category string) ([]string, bool) {
	bit := categoryBit(category)
	if bit == 0 {
		return nil, false
	}
	var names []string
	for _, id := range c.order {
		if e := &c.cmds[id]; e.Categories&bit != 0 && !e.Extra {
			names = append(names, e.Name)
		}
	}
	return names, true
}

// perms are a user's command permissions, as a Redis selector keeps them:
// a bitmap of the allowed commands, the first arguments allowed of
// commands otherwise denied, and whether commands added later are
// allowed (the bit +@all sets).
type perms struct {
	allowed []uint64
	// future is Redis's reserved command bit: set by +@all, cleared by
	// -@all, it says whether the rules start from +@all or -@all.
	future bool
	// all is Redis's SELECTOR_FLAG_ALLCOMMANDS: set by +@all and
	// cleared by any command denied since; it makes the check free.
	all       bool
	firstArgs map[int][]string
}

func newPerms(n int) perms { return perms{allowed: make([]uint64, (n+63)/64)} }

func (p *perms) clone() perms {
	q := *p
	q.allowed = slices.Clone(p.allowed)
	if p.firstArgs != nil {
		q.firstArgs = make(map[int][]string, len(p.firstArgs))
		for id, args := range p.firstArgs {
			q.firstArgs[id] = slices.Clone(args)
		}
	}
	return q
}

func (p *perms) bit(id int) bool { return p.allowed[id/64]&(1<<(id%64)) != 0 }

// setBit is Redis's ACLSetSelectorCommandBit: denying any command ends
// the all-commands fast path.
func (p *perms) setBit(id int, allow bool) {
	if allow {
		p.allowed[id/64] |= 1 << (id % 64)
	} else {
		p.allowed[id/64] &^= 1 << (id % 64)
		p.all = false
	}
}

// setAll is +@all (allow) or -@all.
func (p *perms) setAll(allow bool) {
	var w uint64
	if allow {
		w = ^uint64(0)
	}
	for i := range p.allowed {
		p.allowed[i] = w
	}
	p.future, p.all, p.firstArgs = allow, allow, nil
}

// change is Redis's ACLChangeSelectorPerm: the command and all its
// subcommands, forgetting the first arguments allowed of it.
func (p *perms) change(cat *Catalog, id int, allow bool) {
	p.setBit(id, allow)
	delete(p.firstArgs, id)
	for _, sub := range cat.cmds[id].subs {
		p.setBit(sub, allow)
	}
}

// setCategory is +@category or -@category.
func (p *perms) setCategory(cat *Catalog, bit uint64, allow bool) {
	for id := range cat.cmds {
		if cat.cmds[id].Categories&bit != 0 {
			p.change(cat, id, allow)
		}
	}
}

// addFirstArg allows one first argument of a command otherwise denied.
func (p *perms) addFirstArg(id int, arg string) {
	for _, a := range p.firstArgs[id] {
		if strings.EqualFold(a, arg) {
			return
		}
	}
	if p.firstArgs == nil {
		p.firstArgs = map[int][]string{}
	}
	p.firstArgs[id] = append(p.firstArgs[id], arg)
}

// applyCommandRule applies a command rule (+cmd, -cmd, +cmd|sub, -cmd|sub,
// +@cat, -@cat, allcommands, nocommands), as Redis's ACLSetSelector. ok
// is false if rule is not a command rule.
func (p *perms) applyCommandRule(cat *Catalog, rule string) (ok bool, err error) {
	switch lower := strings.ToLower(rule); {
	case lower == "allcommands" || lower == "+@all":
		p.setAll(true)
		return true, nil
	case lower == "nocommands" || lower == "-@all":
		p.setAll(false)
		return true, nil
	case rule == "" || rule[0] != '+' && rule[0] != '-':
		return false, nil
	}
	allow := rule[0] == '+'
	if len(rule) > 1 && rule[1] == '@' {
		bit := categoryBit(rule[2:])
		if bit == 0 || cat == nil {
			return true, ErrUnknownCommand
		}
		p.setCategory(cat, bit, allow)
		return true, nil
	}
	if cat == nil {
		return true, ErrUnknownCommand
	}
	name := rule[1:]
	if !allow || !strings.Contains(name, "|") {
		id, found := cat.lookup(name)
		if !found {
			return true, ErrUnknownCommand
		}
		p.change(cat, id, allow)
		return true, nil
	}
	i := strings.LastIndexByte(name, '|')
	base, sub := name[:i], name[i+1:]
	id, found := cat.lookup(base)
	if !found {
		return true, ErrUnknownCommand
	}
	if cat.cmds[id].parent >= 0 {
		return true, ErrFirstArgOfSub
	}
	if sub == "" {
		return true, ErrSyntax
	}
	if len(cat.cmds[id].subs) > 0 {
		subID, found := cat.lookup(name)
		if !found {
			return true, ErrUnknownCommand
		}
		p.change(cat, subID, true)
		return true, nil
	}
	p.addFirstArg(id, sub)
	return true, nil
}

// allowed reports whether the command id may run with args (its name
// first, and for a subcommand the container's name before it).
func (p *perms) allowedCmd(cat *Catalog, id int, args [][]byte) bool {
	if p.all || p.bit(id) {
		return true
	}
	first := p.firstArgs[id]
	if first == nil || len(args) < 2 {
		return false
	}
	idx := 1
	if cat.cmds[id].parent >= 0 {
		idx = 2
	}
	if idx >= len(args) {
		return false
	}
	for _, a := range first {
		if strings.EqualFold(a, string(args[idx])) {
			return true
		}
	}
	return false
}

// describe returns the command rules as Redis 7.0's
// ACLDescribeSelectorCommandRules: +@all or -@all, then the categories
// that best fit the bitmap, then the single commands that still differ,
// then the first arguments of denied commands. Redis emits the single
// commands in the order of its command table's hash; here they come in
// the catalog's order (by name).
func (p *perms) describe(cat *Catalog) string {
	var b strings.Builder
	additive := !p.future
	fake := newPerms(cat.Len())
	if additive {
		b.WriteString("-@all ")
	} else {
		b.WriteString("+@all ")
		fake.setAll(true)
	}
	temp := perms{allowed: slices.Clone(p.allowed)}
	var applied [len(categoryNames)]bool
	for {
		best, minDiff, maxSame := -1, int(^uint(0)>>1), 0
		for j := range categoryNames {
			if applied[j] {
				continue
			}
			on, off := temp.countCategory(cat, 1<<j)
			diff, same := off, on
			if !additive {
				diff, same = on, off
			}
			if same > diff && (diff < minDiff || diff == minDiff && same > maxSame) {
				best, minDiff, maxSame = j, diff, same
			}
		}
		if best < 0 {
			break
		}
		if additive {
			b.WriteString("+@")
		} else {
			b.WriteString("-@")
		}
		b.WriteString(categoryNames[best])
		b.WriteByte(' ')
		fake.setCategory(cat, 1<<best, additive)
		temp.setCategory(cat, 1<<best, !additive)
		applied[best] = true
	}
	for _, id := range cat.order {
		user := p.bit(id)
		if user != fake.bit(id) {
			if user {
				b.WriteByte('+')
			} else {
				b.WriteByte('-')
			}
			b.WriteString(cat.cmds[id].Name)
			b.WriteByte(' ')
			fake.change(cat, id, user)
		}
		if !user {
			for _, a := range p.firstArgs[id] {
				b.WriteString("+" + cat.cmds[id].Name + "|" + a + " ")
			}
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// countCategory counts the commands of the category (Redis's commands
// only) that p allows and denies.
func (p *perms) countCategory(cat *Catalog, bit uint64) (on, off int) {
	for id := range cat.cmds {
		e := &cat.cmds[id]
		if e.Categories&bit == 0 || e.Extra {
			continue
		}
		if p.bit(id) {
			on++
		} else {
			off++
		}
	}
	return on, off
}
