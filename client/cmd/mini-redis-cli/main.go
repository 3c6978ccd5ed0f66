// Command mini-redis-cli talks to a Redis-protocol server and prints the
// replies the way redis-cli does.
//
//	mini-redis-cli [-h host] [-p port] [-a password] [--user u] [-n db] [-3] [--raw] [command [arg ...]]
//
// With a command it sends it, prints the reply and exits:
//
//	mini-redis-cli set foo bar     # OK
//	mini-redis-cli get foo         # "bar"
//
// Without one it reads commands at a prompt such as "127.0.0.1:6379>",
// with history and line editing; arguments are split as redis-cli splits
// them ("double quotes" with \n and \xHH escapes, 'single quotes').
// SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and MONITOR print what arrives until
// Ctrl-C. It exits 1 when it cannot connect.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/frame"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// config is the command line.
type config struct {
	host, password, user string
	port, db             int
	resp3, raw           bool
	timeout              time.Duration
}

func (c *config) addr() string { return net.JoinHostPort(c.host, strconv.Itoa(c.port)) }

// run is the program; ctx ends SUBSCRIBE and MONITOR (main's ends on Ctrl-C).
func run(ctx context.Context, args []string, stdin io.ReadCloser, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("mini-redis-cli", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.host, "h", "127.0.0.1", "server host")
	fs.IntVar(&cfg.port, "p", 6379, "server port")
	fs.StringVar(&cfg.password, "a", "", "password to AUTH with")
	fs.StringVar(&cfg.user, "user", "", "ACL user to AUTH as (with -a)")
	fs.IntVar(&cfg.db, "n", 0, "database number")
	fs.BoolVar(&cfg.resp3, "3", false, "speak RESP3 (HELLO 3)")
	fs.BoolVar(&cfg.raw, "raw", false, "print replies raw, without quotes and types")
	noRaw := fs.Bool("no-raw", false, "print replies formatted (the default)")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "connect timeout")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mini-redis-cli [-h host] [-p port] [-a password] [--user u] [-n db] [-3] [--raw] [command [arg ...]]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *noRaw {
		cfg.raw = false
	}
	if cfg.password != "" {
		fmt.Fprintln(stderr, "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.")
	}
	s, err := dial(ctx, &cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "Could not connect to Redis at %s: %s\n", cfg.addr(), connectError(err))
		return 1
	}
	defer s.close()
	if fs.NArg() == 0 {
		return interactive(ctx, s, stdin, stdout, stderr)
	}
	if err := s.command(ctx, fs.Args(), stdout); err != nil {
		fmt.Fprintf(stderr, "Error: %s\n", connectError(err))
		return 1
	}
	return 0
}

// connectError spells err as redis-cli does, after the C library's
// strerror where there is one.
func connectError(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "Connection reset by peer"
	case errors.Is(err, io.EOF):
		return "Server closed the connection"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return "Connection timed out"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "Name or service not known"
	}
	return err.Error()
}

// A session is the connection to the server and what the prompt shows.
type session struct {
	cfg  *config
	conn *connection.Conn
	db   int
}

// dial connects and authenticates, switches protocol and selects the
// database as the flags ask. Like redis-cli, it prints nothing for these
// replies, and an error reply to them is reported but not fatal.
func dial(ctx context.Context, cfg *config, stderr io.Writer) (*session, error) {
	d := net.Dialer{Timeout: cfg.timeout}
	nc, err := d.DialContext(ctx, "tcp", cfg.addr())
	if err != nil {
		return nil, err
	}
	s := &session{cfg: cfg, conn: connection.New(nc, connection.Options{})}
	var setup [][]string
	if cfg.password != "" {
		if cfg.user != "" {
			setup = append(setup, []string{"AUTH", cfg.user, cfg.password})
		} else {
			setup = append(setup, []string{"AUTH", cfg.password})
		}
	}
	if cfg.db != 0 {
		setup = append(setup, []string{"SELECT", strconv.Itoa(cfg.db)})
	}
	if cfg.resp3 {
		setup = append(setup, []string{"HELLO", "3"})
	}
	for _, cmd := range setup {
		f, err := s.roundTrip(cmd)
		if err != nil {
			s.close()
			return nil, err
		}
		if f.IsError() {
			// redis-cli reports a failed AUTH and goes on; the next
			// command then gets the server's verdict (NOAUTH, ...).
			if cmd[0] == "AUTH" {
				fmt.Fprintf(stderr, "AUTH failed: %s\n", f.Str)
			}
			continue
		}
		if cmd[0] == "SELECT" {
			s.db = cfg.db
		}
	}
	return s, nil
}

func (s *session) close() { s.conn.Close() }

// send writes one command.
func (s *session) send(args []string) error {
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	_, err := s.conn.NetConn().Write(frame.AppendCommand(nil, bs...))
	return err
}

// roundTrip sends a command and reads its reply, skipping RESP3 push
// frames that arrive before it (client tracking invalidations).
func (s *session) roundTrip(args []string) (frame.Frame, error) {
	if err := s.send(args); err != nil {
		return frame.Frame{}, err
	}
	for {
		f, err := s.conn.ReadFrame()
		if err != nil {
			return frame.Frame{}, err
		}
		if f.Type != frame.Push {
			return f.Clone(), nil
		}
	}
}

// print writes a reply in the configured style.
func (s *session) print(w io.Writer, f frame.Frame) {
	if s.cfg.raw {
		io.WriteString(w, formatRaw(f))
	} else {
		io.WriteString(w, format(f, ""))
	}
}

// streaming reports whether cmd puts the connection in a mode where the
// server sends on its own: its output is printed until ctx ends.
func streaming(cmd string) bool {
	switch strings.ToLower(cmd) {
	case "subscribe", "psubscribe", "ssubscribe", "monitor":
		return true
	}
	return false
}

// command runs one command and prints its reply, or, for SUBSCRIBE and
// the like, everything the server sends until ctx ends.
func (s *session) command(ctx context.Context, args []string, w io.Writer) error {
	if !streaming(args[0]) {
		f, err := s.roundTrip(args)
		if err != nil {
			return err
		}
		s.print(w, f)
		if strings.EqualFold(args[0], "select") && len(args) == 2 && !f.IsError() {
			s.db, _ = strconv.Atoi(args[1])
		}
		return nil
	}
	if !strings.EqualFold(args[0], "monitor") {
		fmt.Fprintln(w, "Reading messages... (press Ctrl-C to quit)")
	}
	if err := s.send(args); err != nil {
		return err
	}
	// Ctrl-C ends the wait for the next message by closing the connection.
	stop := context.AfterFunc(ctx, func() { s.conn.Interrupt() })
	defer stop()
	for {
		f, err := s.conn.ReadFrame()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		s.print(w, f)
	}
}
