package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/server/acl"
)

// TestACLFileUnclosedSelector: an aclfile line whose selector is never
// closed is refused with the error Redis 7.0.15 means to give (it crashes
// instead), and no user loads.
func TestACLFileUnclosedSelector(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.acl")
	if err := os.WriteFile(path, []byte("user default on nopass ~* &* +@all\nuser a on (+get ~x) (+set\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cat := newACLCatalog()
	users, errText := readACLFile(path, func(name string) *acl.User { return acl.New(name, cat) })
	want := path + ":2: Unmatched parenthesis in selector definition.WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
	if users != nil || errText != want {
		t.Errorf("readACLFile = %d users, %q; want none, %q", len(users), errText, want)
	}
}

// TestACLCheckSelectorDenials: of the selectors' denials aclCheck reports
// the most relevant, channel over key over command, then the last
// argument, as Redis's ACLCheckAllUserCommandPerm.
func TestACLCheckSelectorDenials(t *testing.T) {
	s := startServerConfig(t, mustTestConfig(t), nil).Server
	tests := []struct {
		rules  []string
		args   string
		denial aclDenial
		pos    int
	}{
		{[]string{"(+get ~a*)"}, "get a1", aclOK, 0},
		{[]string{"(+get ~a*)"}, "set a1 x", aclDeniedCmd, 0},
		{[]string{"(+get ~a*)", "(+mget ~b*)"}, "mget b1 c1", aclDeniedKey, 2},
		{[]string{"(+mget ~b* ~c*)", "(+mget ~a* ~b*)"}, "mget a1 b1 c1", aclDeniedKey, 3},
		{[]string{"(+mget ~c*)", "(+mget ~a*)"}, "mget a1 b1 c1", aclDeniedKey, 2},
		{[]string{"(+publish &x)", "(+publish ~a*)"}, "publish y m", aclDeniedChannel, 1},
		{[]string{"+publish", "(+get ~a*)"}, "publish y m", aclDeniedChannel, 1},
		{[]string{"+mget", "~a*", "(+mget ~b*)", "(+mget ~a* ~b*)"}, "mget a1 b1", aclOK, 0},
	}
	for _, tt := range tests {
		u := acl.New("u", s.acl.catalog)
		for _, r := range tt.rules {
			if err := u.Apply(r); err != nil {
				t.Fatalf("%q: %v", r, err)
			}
		}
		var argv [][]byte
		for _, w := range strings.Fields(tt.args) {
			argv = append(argv, []byte(w))
		}
		cmd := s.commands.lookup(argv[0])
		if d, pos := s.aclCheck(u, cmd, argv); d != tt.denial || pos != tt.pos {
			t.Errorf("%q, %q: got %d at %d, want %d at %d", tt.rules, tt.args, d, pos, tt.denial, tt.pos)
		}
	}
}
