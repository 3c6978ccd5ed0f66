package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/mini-redis/mini-redis/server/acl"
)

// The users a server starts with: the configuration's user directives or
// the aclfile, and ACL LOAD and SAVE of the aclfile (Redis's
// ACLLoadConfiguredUsers, ACLLoadFromFile, ACLSaveToFile).

// aclConfig is what the configuration says of the ACL users.
type aclConfig struct {
	catalog *acl.Catalog
	// confUsers are the user directives, each "name rule...", validated,
	// in file order.
	confUsers [][]string
	// startUsers are the users the server starts with, from confUsers or
	// the aclfile; nil for the default user alone.
	startUsers []*acl.User
	// describeAll, once the server has its users, returns them as user
	// directives for CONFIG REWRITE.
	describeAll atomic.Pointer[func() []string]
}

// addACLDirectives registers the user directive of configuration files.
func (st *settings) addACLDirectives() {
	st.acl.catalog = newACLCatalog()
	st.conf.AddDirective("user", func(args []string) error {
		if len(args) == 0 {
			return errors.New("Bad directive or wrong number of arguments")
		}
		// Redis names the argument argv[index], its index counted from the
		// rules rather than from "user": the word two before the bad one.
		argv := append([]string{"user"}, args...)
		bad := func(index int, err error) error {
			return fmt.Errorf("Error in user declaration '%s': %s", argv[index], err)
		}
		for _, line := range st.acl.confUsers {
			if line[0] == args[0] {
				return bad(1, errors.New("Duplicate user found. A user can only be defined once in config files"))
			}
		}
		rules, open := acl.MergeSelectorArgs(args[1:])
		if open >= 0 {
			// Redis reports the errno left by an earlier failure, which
			// is ENOENT's by then.
			return bad(open, acl.ErrUnknownCommand)
		}
		u := st.newACLUser(args[0])
		for j, r := range rules {
			// A rule naming no command waits for the users to load, as in
			// Redis, where modules may add the command meanwhile.
			if err := u.Apply(r); err != nil && !errors.Is(err, acl.ErrUnknownCommand) {
				return bad(j, err)
			}
		}
		st.acl.confUsers = append(st.acl.confUsers, append([]string{args[0]}, rules...))
		return nil
	}, func() []string {
		// CONFIG REWRITE writes every user, unless they live in the
		// aclfile (Redis's rewriteConfigUserOption).
		if st.aclFile.Load() != "" {
			return nil
		}
		if f := st.acl.describeAll.Load(); f != nil {
			return (*f)()
		}
		return nil
	})
}

// loadStartupUsers builds the users the server starts with, after the
// configuration has loaded: its user directives or its aclfile, not both.
func (st *settings) loadStartupUsers() error {
	file := st.aclFile.Load()
	switch {
	case file != "" && len(st.acl.confUsers) > 0:
		return errors.New("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path " +
			"is invalid. This setup is very likely to lead to configuration errors and security holes, please define " +
			"either an ACL file or declare users directly in your redis.conf, but not both.")
	case file != "":
		users, errText := readACLFile(file, st.newACLUser)
		if errText != "" {
			return errors.New("Aborting Redis startup because of ACL errors: " + errText)
		}
		st.acl.startUsers = users
	default:
		for _, line := range st.acl.confUsers {
			u := st.newACLUser(line[0])
			if line[0] == "default" {
				u.Apply("reset")
			}
			for _, r := range line[1:] {
				if err := u.Apply(r); err != nil {
					return fmt.Errorf("Error loading ACL rule '%s' for the user named '%s': %s", r, line[0], err)
				}
			}
			st.acl.startUsers = append(st.acl.startUsers, u)
		}
	}
	return nil
}

// readACLFile parses an ACL file as Redis's ACLLoadFromFile: every line
// "user name rule...", the words separated by single spaces. It returns
// the users, or Redis's error text naming every bad line.
func readACLFile(path string, newUser func(name string) *acl.User) ([]*acl.User, string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "Error loading ACLs, opening file '" + path + "': " + errnoText(err)
	}
	var errs strings.Builder
	var users []*acl.User
	seen := map[string]bool{}
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.Trim(line, " \t\r\n")
		if line == "" {
			continue
		}
		argv := strings.Split(line, " ")
		if argv[0] != "user" || len(argv) < 2 {
			fmt.Fprintf(&errs, "%s:%d should start with user keyword followed by the username. ", path, n)
			continue
		}
		if !validUserName([]byte(argv[1])) {
			fmt.Fprintf(&errs, "'%s:%d: username '%s' contains invalid characters. ", path, n, argv[1])
			continue
		}
		u := newUser(argv[1])
		rules, open := acl.MergeSelectorArgs(argv[2:])
		if open >= 0 {
			// Redis 7.0.15 crashes here; this is the error it means to give.
			fmt.Fprintf(&errs, "%s:%d: Unmatched parenthesis in selector definition.", path, n)
		}
		// A rule naming no command is always told; of the others only the
		// first, as the next ones may follow from it.
		syntaxErr := false
		for _, r := range rules {
			r = strings.Trim(r, "\t\r\n")
			err := u.Apply(r)
			switch {
			case err == nil:
			case errors.Is(err, acl.ErrUnknownCommand):
				fmt.Fprintf(&errs, "%s:%d: Error in applying operation '%s': %s. ", path, n, r, err)
			case !syntaxErr:
				fmt.Fprintf(&errs, "%s:%d: %s. ", path, n, err)
				syntaxErr = true
			}
		}
		if errs.Len() > 0 {
			continue
		}
		if seen[argv[1]] {
			fmt.Fprintf(&errs, "WARNING: Duplicate user '%s' found on line %d. ", argv[1], n)
			continue
		}
		seen[argv[1]] = true
		users = append(users, u)
	}
	if errs.Len() > 0 {
		return nil, errs.String() + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
	}
	return users, ""
}

// errnoText is the strerror text of a file error, as Redis prints it.
func errnoText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	msg := err.Error()
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

// install makes users the registry's, as ACL LOAD does: the default user
// takes the new rules in place (its clients keep it), a default user not
// among users gets Redis's initial rules, and every other user is new. It
// returns the old users other than default, whose connections the caller
// closes.
func (r *aclUsers) install(users []*acl.User) []*aclUser {
	r.mu.Lock()
	defer r.mu.Unlock()
	var old []*aclUser
	for name, u := range r.users {
		if name != "default" {
			u.deleted.Store(true)
			old = append(old, u)
		}
	}
	r.users = map[string]*aclUser{"default": r.def}
	def := acl.NewDefault(r.catalog)
	for _, u := range users {
		if u.Name == "default" {
			def = u
			continue
		}
		e := &aclUser{name: u.Name}
		e.rules.Store(u)
		r.users[u.Name] = e
	}
	r.def.rules.Store(def)
	return old
}

// writeFileAtomic writes data to a temporary file next to path, syncs it
// and renames it to path.
func writeFileAtomic(path, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating the temporary file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is none
	if _, err := tmp.WriteString(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("syncing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("renaming to %s: %w", path, err)
	}
	return nil
}

// addStartupUsers adds the configuration's users to the registry as
// Redis's ACLLoadConfiguredUsers: the ones named replace the initial
// ones, the default user keeps requirepass's password unless named.
func (r *aclUsers) addStartupUsers(users []*acl.User) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, u := range users {
		if u.Name == "default" {
			r.def.rules.Store(u)
			continue
		}
		e := &aclUser{name: u.Name}
		e.rules.Store(u)
		r.users[u.Name] = e
	}
}

// newACLUser returns a user as ACL SETUSER creates it, with the channels
// acl-pubsub-default gives.
func (st *settings) newACLUser(name string) *acl.User {
	u := acl.New(name, st.acl.catalog)
	st.applyPubsubDefault(u)
	if st.aclPubsubDefault.Load() == "allchannels" {
		u.Apply("allchannels")
	}
	return u
}

// applyPubsubDefault tells u what "reset" does to its channels now.
func (st *settings) applyPubsubDefault(u *acl.User) {
	u.SetPubsubDefault(st.aclPubsubDefault.Load() == "allchannels")
}
