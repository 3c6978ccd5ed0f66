package server

import (
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// TestConfigSetReachesTheServer checks that what CONFIG SET changes is what
// the server then uses, for the parameters read outside of the commands'
// own tests.
func TestConfigSetReachesTheServer(t *testing.T) {
	level := zap.NewAtomicLevel()
	cfg, err := loadConfig([]string{"--save", "", "--dir", t.TempDir()}, nil, level)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(cfg, zap.NewNop())
	defer s.Shutdown(t.Context())
	dir := t.TempDir()
	gen := s.settings.generation.Load()
	if err := s.settings.conf.SetProtected(
		"dir", dir, "dbfilename", "x.rdb", "save", "60 1", "hz", "50", "requirepass", "pw",
		"proto-max-bulk-len", "2mb", "timeout", "7", "loglevel", "warning",
	); err != nil {
		t.Fatal(err)
	}
	if got, want := s.dumpPath(), filepath.Join(dir, "x.rdb"); got != want {
		t.Errorf("dump path %s, want %s", got, want)
	}
	if !s.hasSaveRules() {
		t.Error("no save rules after CONFIG SET save")
	}
	if got := s.settings.hz.Load(); got != 50 {
		t.Errorf("hz %d", got)
	}
	if s.password() != "pw" || s.maxBulkLen() != 2<<20 || s.settings.idleTimeout() != 7*time.Second {
		t.Errorf("password %q, max bulk length %d, idle timeout %v", s.password(), s.maxBulkLen(), s.settings.idleTimeout())
	}
	if s.settings.generation.Load() == gen {
		t.Error("the generation did not change: connected clients keep the old timeout")
	}
	if level.Level() != zapcore.WarnLevel {
		t.Errorf("log level %v", level.Level())
	}
	for _, pairs := range [][]string{{"appendfsync", "sometimes"}, {"maxmemory-policy", "lru"}} {
		if err := s.settings.conf.Set(pairs...); err == nil {
			t.Errorf("CONFIG SET %q accepted", pairs)
		}
	}
}
