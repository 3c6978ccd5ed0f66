package client

import (
	"context"
	"iter"
	"strconv"

	"github.com/mini-redis/mini-redis/frame"
)

// ScanOptions are the options of SCAN, SSCAN, HSCAN and ZSCAN.
type ScanOptions struct {
	// Match, if not empty, keeps only the items that match this
	// glob-style pattern (MATCH). The server filters after it has read a
	// batch, so a call may return few or no items and a cursor not 0.
	Match string
	// Count, if positive, hints how much work one call does (COUNT).
	Count int64
	// Type, if not empty, keeps only keys of this type, such as "string"
	// or "zset" (TYPE). Only SCAN takes it: the others refuse it with a
	// syntax error.
	Type string
}

// args appends the options' arguments to args.
func (o *ScanOptions) args(args []any) []any {
	if o == nil {
		return args
	}
	if o.Match != "" {
		args = append(args, "MATCH", o.Match)
	}
	if o.Count > 0 {
		args = append(args, "COUNT", o.Count)
	}
	if o.Type != "" {
		args = append(args, "TYPE", o.Type)
	}
	return args
}

// Scan runs one step of SCAN from cursor (0 to start) and returns the next
// cursor, 0 once the keyspace has been covered, and a batch of keys. A key
// may come more than once. opts may be nil.
func (c *Client) Scan(ctx context.Context, cursor uint64, opts *ScanOptions) (next uint64, keys []string, err error) {
	return c.scan(ctx, "SCAN", "", cursor, opts)
}

// SScan is Scan over the members of the set at key (SSCAN).
func (c *Client) SScan(ctx context.Context, key string, cursor uint64, opts *ScanOptions) (next uint64, members []string, err error) {
	return c.scan(ctx, "SSCAN", key, cursor, opts)
}

// HScan is Scan over the hash at key (HSCAN); items holds fields and
// values alternately.
func (c *Client) HScan(ctx context.Context, key string, cursor uint64, opts *ScanOptions) (next uint64, items []string, err error) {
	return c.scan(ctx, "HSCAN", key, cursor, opts)
}

// ZScan is Scan over the sorted set at key (ZSCAN); items holds members
// and their scores alternately.
func (c *Client) ZScan(ctx context.Context, key string, cursor uint64, opts *ScanOptions) (next uint64, items []string, err error) {
	return c.scan(ctx, "ZSCAN", key, cursor, opts)
}

// ScanAll returns an iterator over the keys SCAN finds, calling it until
// the cursor comes back to 0. A key may come more than once. An error
// (ctx's included) is yielded once, with an empty string, and ends the
// iteration. Breaking out of the loop sends nothing more.
//
//	for key, err := range c.ScanAll(ctx, &client.ScanOptions{Match: "user:*"}) {
//		if err != nil {
//			return err
//		}
//		...
//	}
func (c *Client) ScanAll(ctx context.Context, opts *ScanOptions) iter.Seq2[string, error] {
	return c.scanAll(ctx, "SCAN", "", opts)
}

// SScanAll is ScanAll over the members of the set at key.
func (c *Client) SScanAll(ctx context.Context, key string, opts *ScanOptions) iter.Seq2[string, error] {
	return c.scanAll(ctx, "SSCAN", key, opts)
}

// HScanAll is ScanAll over the hash at key: it yields a field, then its
// value, then the next field, and so on.
func (c *Client) HScanAll(ctx context.Context, key string, opts *ScanOptions) iter.Seq2[string, error] {
	return c.scanAll(ctx, "HSCAN", key, opts)
}

// ZScanAll is ScanAll over the sorted set at key: it yields a member,
// then its score, then the next member, and so on.
func (c *Client) ZScanAll(ctx context.Context, key string, opts *ScanOptions) iter.Seq2[string, error] {
	return c.scanAll(ctx, "ZSCAN", key, opts)
}

func (c *Client) scanAll(ctx context.Context, cmd, key string, opts *ScanOptions) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		var cursor uint64
		for {
			next, items, err := c.scan(ctx, cmd, key, cursor, opts)
			if err != nil {
				yield("", err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == 0 {
				return
			}
			cursor = next
		}
	}
}

// scan runs one step of cmd; key is empty for SCAN.
func (c *Client) scan(ctx context.Context, cmd, key string, cursor uint64, opts *ScanOptions) (uint64, []string, error) {
	args := make([]any, 0, 9)
	args = append(args, cmd)
	if cmd != "SCAN" {
		args = append(args, key)
	}
	args = opts.args(append(args, cursor))
	f, err := c.call(ctx, args...)
	if err != nil {
		return 0, nil, err
	}
	if f.Type != frame.Array || len(f.Elems) != 2 {
		return 0, nil, unexpected(cmd, f)
	}
	next, perr := strconv.ParseUint(f.Elems[0].Text(), 10, 64)
	if perr != nil {
		return 0, nil, unexpected(cmd, f)
	}
	items, err := stringsReply(cmd, f.Elems[1], nil)
	if err != nil {
		return 0, nil, err
	}
	return next, items, nil
}
