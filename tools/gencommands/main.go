// Command gencommands keeps mini-redis's command metadata in step with
// Redis's.
//
// With -capture it starts a real redis-server (or connects to one given by
// -addr), reads the replies of COMMAND (COMMAND INFO for every command) and
// COMMAND DOCS, and writes them, one entry per command and subcommand, to a
// JSON file. Without -capture it reads that file and writes the Go file that
// holds package server's table of every Redis command's metadata: arity,
// flags, ACL categories, tips, key specs, legacy key positions and
// documentation.
//
// From the module root:
//
//	go run ./tools/gencommands -capture   # needs redis-server 7.0.15
//	go run ./tools/gencommands            # or go generate ./server
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	capture := flag.Bool("capture", false, "capture the metadata from a real redis-server instead of generating Go")
	addr := flag.String("addr", "", "with -capture, the address of a running redis-server to capture from (default: start one)")
	server := flag.String("redis-server", "redis-server", "with -capture, the redis-server program to start")
	data := flag.String("data", "", "the captured metadata (default: server/commanddata/redis-7.0.15.json in the module)")
	out := flag.String("out", "", "the generated Go file (default: server/commands_gen.go in the module)")
	flag.Parse()
	if err := run(*capture, *addr, *server, *data, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencommands:", err)
		os.Exit(1)
	}
}

func run(capture bool, addr, server, data, out string) error {
	if data == "" || out == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		if data == "" {
			data = filepath.Join(root, "server", "commanddata", "redis-7.0.15.json")
		}
		if out == "" {
			out = filepath.Join(root, "server", "commands_gen.go")
		}
	}
	if capture {
		b, err := captureRedis(addr, server)
		if err != nil {
			return err
		}
		return writeFile(data, b)
	}
	in, err := os.ReadFile(data)
	if err != nil {
		return err
	}
	src, err := generate(in)
	if err != nil {
		return fmt.Errorf("%s: %w", data, err)
	}
	return writeFile(out, src)
}

// moduleRoot returns the directory of the go.mod above the working
// directory, so that the tool works both from the module root and from
// go generate in server/.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; pass -data and -out")
		}
		dir = parent
	}
}

// writeFile writes b to path unless it holds b already, so that an
// unchanged output keeps its modification time.
func writeFile(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(b) {
		return nil
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
