package client

import (
	"context"
	"fmt"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// unexpected reports a reply of a type the command does not return.
func unexpected(cmd string, f frame.Frame) error {
	return fmt.Errorf("client: unexpected %s reply %v", cmd, f)
}

// Ping checks that the server answers.
func (c *Client) Ping(ctx context.Context) error {
	f, err := c.call(ctx, "PING")
	if err != nil {
		return err
	}
	if f.Type != frame.SimpleString || f.Text() != "PONG" {
		return unexpected("PING", f)
	}
	return nil
}

// Get returns the value of key, or Nil if it does not exist.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	f, err := c.call(ctx, "GET", key)
	return bytesReply("GET", f, err)
}

// Set stores value under key. A positive ttl makes the key expire after it,
// with millisecond precision; zero means no expiry.
func (c *Client) Set(ctx context.Context, key string, value any, ttl time.Duration) error {
	var err error
	if ttl > 0 {
		_, err = c.call(ctx, "SET", key, value, "PX", formatMillis(ttl))
	} else {
		_, err = c.call(ctx, "SET", key, value)
	}
	return err
}

// Del deletes keys and returns how many existed.
func (c *Client) Del(ctx context.Context, keys ...string) (int64, error) {
	f, err := c.call(ctx, withKeys("DEL", keys)...)
	return intReply("DEL", f, err)
}

// withKeys returns the command name and keys as arguments.
func withKeys(cmd string, keys []string, extra ...any) []any {
	args := make([]any, 0, 1+len(keys)+len(extra))
	args = append(args, cmd)
	for _, k := range keys {
		args = append(args, k)
	}
	return append(args, extra...)
}

// bytesReply converts a bulk string reply; a nil one is Nil.
func bytesReply(cmd string, f frame.Frame, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if f.IsNull() {
		return nil, Nil
	}
	switch f.Type {
	case frame.BulkString, frame.SimpleString, frame.Verbatim:
		return f.Str, nil
	}
	return nil, unexpected(cmd, f)
}

// intReply converts an integer reply.
func intReply(cmd string, f frame.Frame, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	if f.Type != frame.Integer {
		return 0, unexpected(cmd, f)
	}
	return f.Int, nil
}
