package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// captureRedis reads the metadata of every command from the redis-server
// at addr, or from one it starts when addr is empty, and returns it
// encoded as the data file: a JSON object with sorted keys, so that a
// capture of the same server gives the same bytes.
func captureRedis(addr, program string) ([]byte, error) {
	if addr == "" {
		var stop func()
		var err error
		addr, stop, err = startRedis(program)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	conn, err := dial(addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	hello, err := conn.do("HELLO", "3")
	if err != nil {
		return nil, err
	}
	version, err := field(hello, "version")
	if err != nil {
		return nil, fmt.Errorf("HELLO: %w", err)
	}
	infos, err := conn.do("COMMAND")
	if err != nil {
		return nil, err
	}
	docs, err := conn.do("COMMAND", "DOCS")
	if err != nil {
		return nil, err
	}
	commands := map[string]any{}
	if err := addInfos(commands, infos.Elems); err != nil {
		return nil, err
	}
	if err := addDocs(commands, docs); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(map[string]any{
		"redis_version": version.Text(),
		"commands":      commands,
	}, "", "\t")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// addInfos adds the info of each COMMAND INFO entry, and of its
// subcommands, to commands. An entry is positional; the data file names
// its fields, and lists subcommands as entries of their own.
func addInfos(commands map[string]any, entries []frame.Frame) error {
	for _, e := range entries {
		if len(e.Elems) != 10 {
			return fmt.Errorf("COMMAND: an entry of %d elements, want 10", len(e.Elems))
		}
		el := e.Elems
		name := el[0].Text()
		info := map[string]any{}
		for i, key := range []string{"", "arity", "flags", "first_key", "last_key", "step", "acl_categories", "tips", "key_specs"} {
			if key != "" {
				info[key] = plain(el[i])
			}
		}
		entry(commands, name)["info"] = info
		if err := addInfos(commands, el[9].Elems); err != nil {
			return err
		}
	}
	return nil
}

// addDocs adds the docs of each entry of a COMMAND DOCS reply, a map of
// name to documentation, to commands, with subcommands as entries of their
// own.
func addDocs(commands map[string]any, docs frame.Frame) error {
	if docs.Type != frame.Map {
		return fmt.Errorf("COMMAND DOCS: a %v reply, want a map", docs.Type)
	}
	for i := 0; i+1 < len(docs.Elems); i += 2 {
		name := docs.Elems[i].Text()
		doc, ok := plain(docs.Elems[i+1]).(map[string]any)
		if !ok {
			return fmt.Errorf("COMMAND DOCS %s: not a map", name)
		}
		delete(doc, "subcommands")
		entry(commands, name)["docs"] = doc
		if subs, err := field(docs.Elems[i+1], "subcommands"); err == nil {
			if err := addDocs(commands, subs); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry returns the data of the command name, adding it if need be.
func entry(commands map[string]any, name string) map[string]any {
	e, ok := commands[name].(map[string]any)
	if !ok {
		e = map[string]any{}
		commands[name] = e
	}
	return e
}

// plain converts a reply to the JSON value that holds its data: maps to
// objects, arrays and sets to arrays, integers to numbers, strings to
// strings. The RESP types (set or array, simple or bulk string) are not
// kept: every field has one, which package server's writer knows.
func plain(f frame.Frame) any {
	switch f.Type {
	case frame.Map:
		m := make(map[string]any, len(f.Elems)/2)
		for i := 0; i+1 < len(f.Elems); i += 2 {
			m[f.Elems[i].Text()] = plain(f.Elems[i+1])
		}
		return m
	case frame.Array, frame.Set:
		l := make([]any, 0, len(f.Elems))
		for _, e := range f.Elems {
			l = append(l, plain(e))
		}
		return l
	case frame.Integer:
		return f.Int
	case frame.Null:
		return nil
	default:
		return f.Text()
	}
}

// field returns the value of the field name of a map reply.
func field(m frame.Frame, name string) (frame.Frame, error) {
	if m.Type != frame.Map {
		return frame.Frame{}, fmt.Errorf("a %v reply, want a map", m.Type)
	}
	for i := 0; i+1 < len(m.Elems); i += 2 {
		if m.Elems[i].Text() == name {
			return m.Elems[i+1], nil
		}
	}
	return frame.Frame{}, fmt.Errorf("no field %q", name)
}

// startRedis starts program with no persistence on a free loopback port
// and returns its address and a function that stops it.
func startRedis(program string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("find a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir, err := os.MkdirTemp("", "gencommands")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(program, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("start %s: %w", program, err)
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := dial(addr)
		if err == nil {
			_, err = c.do("PING")
			c.Close()
			if err == nil {
				return addr, stop, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("%s did not come up at %s: %w", program, addr, err)
		}
	}
}

// A conn is a minimal Redis client: one request at a time.
type conn struct {
	net.Conn
	r   *bufio.Reader
	buf []byte
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c, r: bufio.NewReader(c)}, nil
}

// do sends a command and returns its reply; an error reply is an error.
func (c *conn) do(args ...string) (frame.Frame, error) {
	c.SetDeadline(time.Now().Add(30 * time.Second))
	req := make([][]byte, len(args))
	for i, a := range args {
		req[i] = []byte(a)
	}
	if _, err := c.Write(frame.AppendCommand(nil, req...)); err != nil {
		return frame.Frame{}, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	var p frame.Parser
	c.buf = c.buf[:0]
	chunk := make([]byte, 64<<10)
	for {
		f, n, err := p.Parse(c.buf)
		if err == nil {
			if n != len(c.buf) {
				return frame.Frame{}, fmt.Errorf("%s: more than one reply", strings.Join(args, " "))
			}
			f = f.Clone() // it aliases c.buf
			if f.Type == frame.Error || f.Type == frame.BulkError {
				return frame.Frame{}, fmt.Errorf("%s: %s", strings.Join(args, " "), f.Text())
			}
			return f, nil
		}
		if !errors.Is(err, frame.ErrIncomplete) {
			return frame.Frame{}, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
		}
		m, err := c.r.Read(chunk)
		if err != nil {
			return frame.Frame{}, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
		}
		c.buf = append(c.buf, chunk[:m]...)
	}
}
