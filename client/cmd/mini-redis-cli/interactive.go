package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/chzyer/readline"
	"github.com/mini-redis/mini-redis/frame"
)

// splitLine splits a prompt line into arguments as redis-cli does
// (sdssplitargs); ok is false when quotes are unbalanced.
func splitLine(line string) (args []string, ok bool) {
	bs, ok := frame.SplitArgs([]byte(line), nil)
	if !ok {
		return nil, false
	}
	args = make([]string, len(bs))
	for i, b := range bs {
		args[i] = string(b)
	}
	return args, true
}

// prompt is redis-cli's: host:port, then [db] when it is not 0.
func (s *session) prompt() string {
	p := s.cfg.addr()
	if s.db != 0 {
		p += "[" + strconv.Itoa(s.db) + "]"
	}
	return p + "> "
}

// interactive reads commands from stdin with line editing and history
// until EOF, "quit" or "exit".
func interactive(ctx context.Context, s *session, stdin io.ReadCloser, stdout, stderr io.Writer) int {
	rl, err := readline.NewEx(&readline.Config{
		Prompt:          s.prompt(),
		Stdin:           stdin,
		Stdout:          stdout,
		Stderr:          stderr,
		HistoryFile:     historyFile(),
		InterruptPrompt: "^C",
	})
	if err != nil {
		fmt.Fprintf(stderr, "mini-redis-cli: %v\n", err)
		return 1
	}
	defer rl.Close()
	for {
		rl.SetPrompt(s.prompt())
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			// redis-cli ends on Ctrl-C at the prompt too.
			return 0
		}
		if err != nil { // io.EOF: Ctrl-D or the end of piped input
			return 0
		}
		code, done := s.interpret(ctx, line, rl.Stdout(), stderr)
		if done {
			return code
		}
	}
}

// interpret runs one prompt line; done reports that the session is over.
func (s *session) interpret(ctx context.Context, line string, stdout, stderr io.Writer) (code int, done bool) {
	args, ok := splitLine(line)
	if !ok {
		fmt.Fprintln(stdout, "Invalid argument(s)")
		return 0, false
	}
	if len(args) == 0 {
		return 0, false
	}
	switch strings.ToLower(args[0]) {
	case "quit", "exit":
		return 0, true
	}
	if err := s.command(ctx, args, stdout); err != nil {
		fmt.Fprintf(stderr, "Error: %s\n", connectError(err))
		return 1, true
	}
	if streaming(args[0]) {
		return 0, true // Ctrl-C ended it, and ends redis-cli too
	}
	return 0, false
}

// historyFile is redis-cli's, ~/.rediscli_history, unless
// REDISCLI_HISTFILE names another; empty (no history kept) without a home.
func historyFile() string {
	if f, ok := os.LookupEnv("REDISCLI_HISTFILE"); ok {
		return f
	}
	home, ok := os.LookupEnv("HOME")
	if !ok || home == "" {
		return ""
	}
	return home + "/.rediscli_history"
}
