package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// hangTimeout bounds waits that only a hang reaches.
const hangTimeout = 10 * time.Second

// TestMain lets the test binary run the real program: a test that needs a
// server process (signals, exit codes) starts this binary again with
// redistest.ReexecEnv=1 and the server's arguments.
func TestMain(m *testing.M) {
	if os.Getenv(redistest.ReexecEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

// serverProcess runs the program (this test binary, see TestMain) with
// args, on spare ports, and returns it with the client port.
func serverProcess(t *testing.T, args ...string) (*exec.Cmd, string, *strings.Builder) {
	t.Helper()
	return redistest.StartSelf(t, args...)
}

// SIGTERM with clients connected: in-flight commands finish, clients are
// closed, the port is released, the exit status is 0.
func TestSIGTERMWithClients(t *testing.T) {
	cmd, addr, logs := serverProcess(t)
	idle := redisconn.Dial(t, addr)
	busy := redisconn.Dial(t, addr)
	idle.Do("PING")
	// DEBUG is off; a pipeline of many commands is the in-flight work.
	for i := 0; i < 2000; i++ {
		busy.Send("SET", fmt.Sprintf("k%d", i), "v")
	}
	busy.Send("PING")
	for i := 0; i < 2000; i++ {
		busy.Read()
	}
	busy.Read() // the pipeline has been taken in
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, logs)
	}
	if got, _ := io.ReadAll(idle.NetConn()); len(got) != 0 {
		t.Errorf("idle client got %q", got)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("port still open after exit")
	}
	if !strings.Contains(logs.String(), "received shutdown signal") {
		t.Errorf("no shutdown log:\n%s", logs)
	}
}

// A second signal during a slow shutdown exits at once, with status 1.
func TestSecondSignalForcesExit(t *testing.T) {
	cmd, addr, logs := serverProcess(t, "--enable-debug-command", "yes")
	c := redisconn.Dial(t, addr)
	c.Send("DEBUG", "SLEEP", "30") // keeps the shutdown waiting
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("exit after a second signal: %v, want status 1\n%s", err, logs)
		}
	case <-time.After(hangTimeout):
		t.Fatalf("a second signal did not force the exit\n%s", logs)
	}
}

// Bad arguments print Redis's message and exit 1; --version and --help
// exit 0.
func TestArguments(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"--version"}, 0, "mini-redis server v="},
		{[]string{"--help"}, 0, "Usage: mini-redis-server"},
		{[]string{"--port", "nope"}, 1, "argument couldn't be parsed into an integer"},
		{[]string{"--no-such-option", "1"}, 1, "Bad directive or wrong number of arguments"},
	} {
		var stderr strings.Builder
		if code := run(tc.args, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.contains) {
			t.Errorf("run %q: exit %d, %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.contains)
		}
	}
}

// A SIGTERM whose final save fails does not exit: as redis-server, the
// server logs it and goes on serving with its data; once the dump can be
// written, the next SIGTERM saves and exits 0.
func TestSIGTERMWithFailingSaveKeepsServing(t *testing.T) {
	dir := t.TempDir()
	// A directory where the dump goes (made once the server has started,
	// which would refuse to load it) makes the save's rename fail, even
	// for root.
	blocker := filepath.Join(dir, "dump.rdb")
	cmd, addr, logs := serverProcess(t, "--dir", dir, "--save", "3600 1")
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	c := redisconn.Dial(t, addr)
	if got := string(c.DoRaw("SET", "k", "v")); got != "+OK\r\n" {
		t.Fatalf("SET: %q", got)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The failed save shows in INFO; until then the shutdown is under way.
	deadline := time.Now().Add(hangTimeout)
	for !strings.Contains(string(c.DoRaw("INFO", "persistence")), "rdb_last_bgsave_status:err") {
		if time.Now().After(deadline) {
			t.Fatal("the final save was not attempted")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("exited (%v) although the final save failed", err)
	case <-time.After(300 * time.Millisecond):
	}
	if got := string(c.DoRaw("GET", "k")); got != "$1\r\nv\r\n" {
		t.Errorf("GET after the aborted shutdown: %q", got)
	}
	if got := string(c.DoRaw("SET", "k2", "w")); !strings.HasPrefix(got, "-MISCONF") {
		// stop-writes-on-bgsave-error: the failed save refuses writes,
		// as after any failed save.
		t.Errorf("write after the failed save: %q, want MISCONF", got)
	}

	if err := os.RemoveAll(blocker); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after the second attempt: %v\n%s", err, logs)
		}
	case <-time.After(hangTimeout):
		t.Fatal("the second SIGTERM did not stop the server")
	}
	if !strings.Contains(logs.String(), "the final save failed; still serving") {
		t.Errorf("no log line for the aborted shutdown:\n%s", logs)
	}
	if _, err := os.Stat(blocker); err != nil {
		t.Errorf("no dump after the successful shutdown: %v", err)
	}
}
