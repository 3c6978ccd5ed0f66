// Package servertest runs real mini-redis servers inside a Go test, for
// projects that talk to Redis and want to test against it without an
// outside process:
//
//	func TestCache(t *testing.T) {
//		srv := servertest.Start(t, "--requirepass", "pw")
//		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: "pw"})
//		...
//		srv.FastForward(time.Hour) // keys with a TTL of an hour are gone
//	}
//
// Each server listens on its own free loopback port, keeps its data in
// memory only (no dump is read or written unless the arguments set dir
// and save), has no admin API, and is independent of every other server
// in the process.
package servertest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/server"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

// stopTimeout bounds how long Close waits for clients to finish.
const stopTimeout = 10 * time.Second

// A Server is a mini-redis server running in this process.
type Server struct {
	srv   *server.Server
	clock *offsetClock
	// removeDir is the directory Run made for the server, which Close
	// removes.
	removeDir string
}

// Start starts a server for the test, configured by redis-server style
// options such as "--requirepass", "pw" or "--databases", "4", and stops
// it when the test ends. It fails the test if the server cannot start.
func Start(tb testing.TB, args ...string) *Server {
	tb.Helper()
	s, err := run(zaptest.NewLogger(tb, zaptest.Level(zap.WarnLevel)), tb.TempDir(), args)
	if err != nil {
		tb.Fatalf("servertest: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("servertest: %v", err)
		}
	})
	return s
}

// Run starts a server as Start does, for code that has no testing.TB (an
// Example, TestMain); the caller must Close it.
func Run(args ...string) (*Server, error) {
	dir, err := os.MkdirTemp("", "servertest-")
	if err != nil {
		return nil, fmt.Errorf("servertest: %w", err)
	}
	s, err := run(zap.NewNop(), dir, args)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.removeDir = dir
	return s, nil
}

// run starts a server whose dir is dir unless args say otherwise, so that
// it never reads a dump.rdb it happens to find in the working directory.
func run(log *zap.Logger, dir string, args []string) (*Server, error) {
	clock := &offsetClock{}
	// Defaults first: later options override earlier ones, so the
	// caller's arguments win.
	full := append([]string{
		"--bind", "127.0.0.1", "--port", "0", "--admin-port", "0",
		"--save", "", "--dir", dir,
	}, args...)
	srv, err := server.New(full, server.Options{Logger: log, Clock: clock})
	if err != nil {
		return nil, fmt.Errorf("configure server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	return &Server{srv: srv, clock: clock}, nil
}

// Addr returns the host:port clients connect to.
func (s *Server) Addr() string { return s.srv.Addr().String() }

// Server returns the underlying server, for what this package does not
// wrap (Stats, Shutdown with a context of one's own).
func (s *Server) Server() *server.Server { return s.srv }

// FastForward moves the server's clock forward by d, as if d had passed:
// keys whose TTL ends within d expire (they are gone on the next access,
// and the background expiry removes them), TTL and PTTL count down,
// OBJECT IDLETIME grows, and clients blocked in BLPOP and its kin whose
// timeout ends within d get their timeout reply. Nothing sleeps.
func (s *Server) FastForward(d time.Duration) {
	if d > 0 {
		s.clock.offset.Add(int64(d))
		s.clock.wake()
	}
}

// Close shuts the server down gracefully: clients finish what they sent
// and are disconnected. Calling it again does nothing.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if s.removeDir != "" {
		os.RemoveAll(s.removeDir)
	}
	if err != nil {
		return fmt.Errorf("stop server: %w", err)
	}
	return nil
}

// offsetClock is the system clock moved forward by FastForward. It is a
// db.MovableClock, so that blocked clients look at it again when it jumps.
type offsetClock struct {
	offset atomic.Int64 // nanoseconds

	mu    sync.Mutex
	moved chan struct{} // closed by the next FastForward; nil until Moved asks
}

// Moved returns a channel that the next FastForward closes.
func (c *offsetClock) Moved() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.moved == nil {
		c.moved = make(chan struct{})
	}
	return c.moved
}

func (c *offsetClock) wake() {
	c.mu.Lock()
	if c.moved != nil {
		close(c.moved)
		c.moved = nil
	}
	c.mu.Unlock()
}

// Now returns the wall time plus the offset.
func (c *offsetClock) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}
