// Package redistest starts real Redis programs for tests that compare
// mini-redis with the reference implementation.
//
// A test that needs redis-server or redis-cli calls Require: when the program
// is missing the test is skipped, except under CI=true, where it fails, so
// that CI cannot pass without running it.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Require returns the path of program, or ends the test: skipped normally,
// failed when the environment variable CI is "true".
func Require(tb testing.TB, program string) string {
	tb.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is required under CI=true but was not found on PATH (.ci/run installs it): %v", program, err)
	}
	tb.Skipf("%s not found on PATH; install it to run this test", program)
	return ""
}

// A Server is a redis-server process started for a test.
type Server struct {
	Addr string // host:port it listens on
	Dir  string // its working directory (dump files land here)
	cmd  *exec.Cmd
}

// Start runs redis-server on a free loopback port with no persistence and
// the given extra config directives (e.g. "requirepass", "secret"), in a
// temporary directory. The server is stopped when the test ends.
//
// In -short mode the test is skipped: the differential tests are most of
// the server's and by far the slowest under the race detector, so CI
// runs them in full without it (tools/bazel test //...) and runs the
// rest with it (go test -race -short).
func Start(tb testing.TB, directives ...string) *Server {
	tb.Helper()
	if testing.Short() {
		tb.Skip("a differential test against redis-server: not run with -short")
	}
	bin := Require(tb, "redis-server")
	dir := tb.TempDir()
	port, err := FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	args := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--daemonize", "no",
		"--logfile", filepath.Join(dir, "redis.log"),
	}
	for i := 0; i+1 < len(directives); i += 2 {
		args = append(args, "--"+directives[i], directives[i+1])
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Dir: dir, cmd: cmd}
	tb.Cleanup(s.Stop)
	if err := WaitForPing(s.Addr, 10*time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
		tb.Fatalf("redis-server did not come up: %v\n%s", err, log)
	}
	return s
}

// Stop kills the server and waits for it. It is safe to call twice.
func (s *Server) Stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// Version returns the server's version, e.g. "7.0.15".
func (s *Server) Version(tb testing.TB) string {
	tb.Helper()
	nc, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprint(nc, "INFO server\r\n")
	r := bufio.NewReader(nc)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			tb.Fatalf("INFO server: %v", err)
		}
		if v, ok := strings.CutPrefix(line, "redis_version:"); ok {
			return strings.TrimSpace(v)
		}
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// WaitForPing waits at most timeout for the server at addr to answer PING,
// for tests that start a server of their own: it is up once it answers
// PONG, or NOAUTH when it requires a password.
func WaitForPing(addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			nc.SetDeadline(time.Now().Add(time.Second))
			fmt.Fprint(nc, "PING\r\n")
			buf := make([]byte, 7)
			n, rerr := nc.Read(buf)
			nc.Close()
			// Up: PONG, or NOAUTH when started with requirepass.
			if rerr == nil && (string(buf[:n]) == "+PONG\r\n" || string(buf[:n]) == "-NOAUTH") {
				return nil
			}
			// LOADING or similar: keep waiting.
			last = fmt.Errorf("PING answered %q (%v)", buf[:n], rerr)
		} else {
			last = err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%w: last attempt: %v", ctx.Err(), last)
}

// Exchange connects to addr, writes input, and reads everything the server
// sends until it closes the connection or stays silent for quiet. It
// reports the bytes received and whether the server closed the connection.
// Differential tests send the same bytes to redis-server and to mini-redis
// and compare both results.
func Exchange(addr string, input []byte, quiet time.Duration) (out []byte, closed bool, err error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, false, err
	}
	defer nc.Close()
	if _, err := nc.Write(input); err != nil {
		// The server may close early on garbage; what it sent still counts.
		if !isConnReset(err) {
			return nil, false, err
		}
	}
	buf := make([]byte, 64<<10)
	for {
		nc.SetReadDeadline(time.Now().Add(quiet))
		n, err := nc.Read(buf)
		out = append(out, buf[:n]...)
		if err == nil {
			continue
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return out, false, nil
		}
		return out, true, nil // EOF or reset: the server closed
	}
}

func isConnReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe")
}

// ReexecEnv is the environment variable that tells a test binary, started
// again by StartSelf, to run as the server (from its TestMain) instead of
// running its tests.
const ReexecEnv = "MINI_REDIS_RUN_MAIN"

// StartSelf starts this test binary again as a server process, with
// ReexecEnv=1 and redis-server style args, on a free port, with the admin
// API off and its dump in a temporary directory (a --dir in args wins).
// It returns once the port accepts connections, with the process, the
// client address and the process's standard error so far; the process is
// killed when the test ends. The binary's TestMain must serve when
// ReexecEnv is "1".
func StartSelf(tb testing.TB, args ...string) (*exec.Cmd, string, *strings.Builder) {
	tb.Helper()
	port, err := FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	full := append([]string{"--port", strconv.Itoa(port), "--admin-port", "0", "--loglevel", "info",
		"--dir", tb.TempDir()}, args...)
	cmd := exec.Command(os.Args[0], full...)
	cmd.Env = append(os.Environ(), ReexecEnv+"=1")
	logs := &strings.Builder{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", os.Args[0], err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := WaitForPing(addr, 30*time.Second); err != nil {
		tb.Fatalf("server process did not start: %v\n%s", err, logs)
	}
	return cmd, addr, logs
}
