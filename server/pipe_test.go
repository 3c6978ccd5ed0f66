package server

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// redisCLI runs redis-cli against addr with args and stdin, and returns its
// standard output.
func redisCLI(t *testing.T, addr string, stdin []byte, args ...string) string {
	t.Helper()
	bin := redistest.Require(t, "redis-cli")
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-h", host, "-p", port}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("redis-cli %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestRedisCLIPipe sends 100,000 SET commands through redis-cli --pipe, the
// mass-insertion mode, which writes the raw protocol as fast as it can and
// then counts the replies.
func TestRedisCLIPipe(t *testing.T) {
	srv := startServer(t)
	const n = 100000
	var in []byte
	for i := 0; i < n; i++ {
		k := strconv.Itoa(i)
		in = frame.AppendCommand(in, []byte("SET"), []byte("pipe:"+k), []byte("value "+k))
	}
	out := redisCLI(t, srv.addr, in, "--pipe")
	t.Logf("redis-cli --pipe: %s", out)
	if !strings.Contains(out, "errors: 0, replies: 100000") {
		t.Fatalf("redis-cli --pipe summary:\n%s\nwant errors: 0, replies: 100000", out)
	}
	for _, i := range []int{0, 1, 4242, 99999} {
		k := strconv.Itoa(i)
		if got := redisCLI(t, srv.addr, nil, "GET", "pipe:"+k); got != "value "+k+"\n" {
			t.Errorf("GET pipe:%s = %q, want %q", k, got, "value "+k+"\n")
		}
	}
	if got := redisCLI(t, srv.addr, nil, "EXISTS", "pipe:100000"); got != "0\n" {
		t.Errorf("EXISTS of a key never set = %q, want 0", got)
	}
}

// TestRedisCLI runs single commands as a person would from a shell.
func TestRedisCLI(t *testing.T) {
	srv := startServer(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "PONG\n"},
		{[]string{"PING", "hello world"}, "hello world\n"},
		{[]string{"SET", "cli:k", "a b\nc"}, "OK\n"},
		{[]string{"GET", "cli:k"}, "a b\nc\n"},
		{[]string{"--no-raw", "GET", "cli:k"}, "\"a b\\nc\"\n"},
		{[]string{"GET", "cli:missing"}, "\n"},
		{[]string{"--no-raw", "GET", "cli:missing"}, "(nil)\n"},
		{[]string{"DEL", "cli:k", "cli:missing"}, "1\n"},
	} {
		if got := redisCLI(t, srv.addr, nil, tc.args...); got != tc.want {
			t.Errorf("redis-cli %q = %q, want %q", tc.args, got, tc.want)
		}
	}
	// Commands read from standard input, one per line, in redis-cli's own
	// quoting, arrive as the same arguments.
	got := redisCLI(t, srv.addr, []byte("SET cli:q \"x\\ty\"\nGET cli:q\nECHO 'it\\'s'\n"))
	if want := "OK\nx\ty\nit's\n"; got != want {
		t.Errorf("redis-cli reading stdin: %q, want %q", got, want)
	}
}
