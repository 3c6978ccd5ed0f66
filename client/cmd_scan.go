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

// A ScanPage is one step of SCAN, SSCAN, HSCAN or ZSCAN: the cursor to
// go on from, 0 once everything has been covered, and a batch of items.
type ScanPage struct {
	Next  uint64
	Items []string
}

// Scan runs one step of SCAN from cursor (0 to start) and returns the next
// cursor, 0 once the keyspace has been covered, and a batch of keys. A key
// may come more than once. opts may be nil.
func (c Commands) Scan(ctx context.Context, cursor uint64, opts *ScanOptions) *Result[ScanPage] {
	return c.scan(ctx, "SCAN", "", cursor, opts)
}

// SScan is Scan over the members of the set at key (SSCAN).
func (c Commands) SScan(ctx context.Context, key string, cursor uint64, opts *ScanOptions) *Result[ScanPage] {
	return c.scan(ctx, "SSCAN", key, cursor, opts)
}

// HScan is Scan over the hash at key (HSCAN); the items are fields and
// values alternately.
func (c Commands) HScan(ctx context.Context, key string, cursor uint64, opts *ScanOptions) *Result[ScanPage] {
	return c.scan(ctx, "HSCAN", key, cursor, opts)
}

// ZScan is Scan over the sorted set at key (ZSCAN); the items are members
// and their scores alternately.
func (c Commands) ZScan(ctx context.Context, key string, cursor uint64, opts *ScanOptions) *Result[ScanPage] {
	return c.scan(ctx, "ZSCAN", key, cursor, opts)
}

// scan runs one step of cmd; key is empty for SCAN.
func (c Commands) scan(ctx context.Context, cmd, key string, cursor uint64, opts *ScanOptions) *Result[ScanPage] {
	args := make([]any, 0, 9)
	args = append(args, cmd)
	if cmd != "SCAN" {
		args = append(args, key)
	}
	args = opts.args(append(args, cursor))
	return run(ctx, c, newResult(cmd, scanReply, true), args...)
}

// scanReply converts a SCAN-family reply, [cursor, [item, ...]].
func scanReply(cmd string, f frame.Frame, err error) (ScanPage, error) {
	if err != nil {
		return ScanPage{}, err
	}
	if f.Type != frame.Array || len(f.Elems) != 2 {
		return ScanPage{}, unexpected(cmd, f)
	}
	next, perr := strconv.ParseUint(f.Elems[0].Text(), 10, 64)
	if perr != nil {
		return ScanPage{}, unexpected(cmd, f)
	}
	items, err := stringsReply(cmd, f.Elems[1], nil)
	if err != nil {
		return ScanPage{}, err
	}
	return ScanPage{Next: next, Items: items}, nil
}

// The iterators over SCAN and its kin take several round trips, one per
// step, so they are Immediate's alone: a Pipeline or a transaction can
// only queue single steps (Commands.Scan and the others).

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
func (d Immediate) ScanAll(ctx context.Context, opts *ScanOptions) iter.Seq2[string, error] {
	return d.scanAll(ctx, "SCAN", "", opts)
}

// SScanAll is ScanAll over the members of the set at key.
func (d Immediate) SScanAll(ctx context.Context, key string, opts *ScanOptions) iter.Seq2[string, error] {
	return d.scanAll(ctx, "SSCAN", key, opts)
}

// HScanAll is ScanAll over the hash at key: it yields a field, then its
// value, then the next field, and so on.
func (d Immediate) HScanAll(ctx context.Context, key string, opts *ScanOptions) iter.Seq2[string, error] {
	return d.scanAll(ctx, "HSCAN", key, opts)
}

// ZScanAll is ScanAll over the sorted set at key: it yields a member,
// then its score, then the next member, and so on.
func (d Immediate) ZScanAll(ctx context.Context, key string, opts *ScanOptions) iter.Seq2[string, error] {
	return d.scanAll(ctx, "ZSCAN", key, opts)
}

func (d Immediate) scanAll(ctx context.Context, cmd, key string, opts *ScanOptions) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		var cursor uint64
		for {
			page, err := d.cmds.scan(ctx, cmd, key, cursor, opts).Result()
			if err != nil {
				yield("", err)
				return
			}
			for _, it := range page.Items {
				if !yield(it, nil) {
					return
				}
			}
			if page.Next == 0 {
				return
			}
			cursor = page.Next
		}
	}
}
