package client

import (
	"context"
	"fmt"
	"strconv"
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

// okReply checks a reply that is +OK.
func okReply(cmd string, f frame.Frame, err error) error {
	if err != nil {
		return err
	}
	if f.Type != frame.SimpleString {
		return unexpected(cmd, f)
	}
	return nil
}

// floatReply converts a double: a bulk string over RESP2, a double over
// RESP3. A nil is Nil.
func floatReply(cmd string, f frame.Frame, err error) (float64, error) {
	if err != nil {
		return 0, err
	}
	switch {
	case f.IsNull():
		return 0, Nil
	case f.Type == frame.Double:
		return f.Float, nil
	case f.Type == frame.BulkString:
		v, perr := strconv.ParseFloat(f.Text(), 64)
		if perr != nil {
			return 0, unexpected(cmd, f)
		}
		return v, nil
	}
	return 0, unexpected(cmd, f)
}

// boolReply converts an integer 0 or 1, or a RESP3 boolean.
func boolReply(cmd string, f frame.Frame, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	switch f.Type {
	case frame.Integer:
		return f.Int != 0, nil
	case frame.Boolean:
		return f.Bool, nil
	}
	return false, unexpected(cmd, f)
}

// stringsReply converts an array (or RESP3 set) of strings. A nil array
// is Nil.
func stringsReply(cmd string, f frame.Frame, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	if f.IsNull() {
		return nil, Nil
	}
	if f.Type != frame.Array && f.Type != frame.Set {
		return nil, unexpected(cmd, f)
	}
	out := make([]string, len(f.Elems))
	for i, e := range f.Elems {
		out[i] = e.Text()
	}
	return out, nil
}

// valuesReply converts an array whose elements may be nil, as MGET's.
func valuesReply(cmd string, f frame.Frame, err error) ([][]byte, error) {
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array {
		return nil, unexpected(cmd, f)
	}
	out := make([][]byte, len(f.Elems))
	for i, e := range f.Elems {
		if !e.IsNull() {
			out[i] = e.Str
		}
	}
	return out, nil
}

// pairs returns the key-value pairs of a RESP3 map or of a RESP2 array
// of alternating keys and values.
func pairs(cmd string, f frame.Frame) ([]frame.Frame, error) {
	if f.Type != frame.Map && f.Type != frame.Array || len(f.Elems)%2 != 0 {
		return nil, unexpected(cmd, f)
	}
	return f.Elems, nil
}

// mapReply converts a map, or a RESP2 array of keys and values.
func mapReply(cmd string, f frame.Frame, err error) (map[string]string, error) {
	if err != nil {
		return nil, err
	}
	kv, err := pairs(cmd, f)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].Text()] = kv[i+1].Text()
	}
	return m, nil
}

// SetOptions are SET's options.
type SetOptions struct {
	// TTL, if positive, makes the key expire after it (PX).
	TTL time.Duration
	// ExpireAt, if not zero, makes the key expire then (PXAT).
	ExpireAt time.Time
	// KeepTTL keeps the existing key's time to live (KEEPTTL).
	KeepTTL bool
	// NX sets the key only if it does not exist; XX only if it does.
	NX, XX bool
}

// SetArgs stores value under key as opts say, and reports whether it was
// stored (NX and XX may prevent it).
func (c *Client) SetArgs(ctx context.Context, key string, value any, opts SetOptions) (bool, error) {
	args := []any{"SET", key, value}
	switch {
	case opts.TTL > 0:
		args = append(args, "PX", formatMillis(opts.TTL))
	case !opts.ExpireAt.IsZero():
		args = append(args, "PXAT", opts.ExpireAt.UnixMilli())
	case opts.KeepTTL:
		args = append(args, "KEEPTTL")
	}
	if opts.NX {
		args = append(args, "NX")
	}
	if opts.XX {
		args = append(args, "XX")
	}
	f, err := c.call(ctx, args...)
	if err != nil {
		return false, err
	}
	if f.IsNull() {
		return false, nil
	}
	return true, okReply("SET", f, nil)
}

// SetNX stores value under key if the key does not exist, and reports
// whether it did.
func (c *Client) SetNX(ctx context.Context, key string, value any, ttl time.Duration) (bool, error) {
	return c.SetArgs(ctx, key, value, SetOptions{TTL: ttl, NX: true})
}

// GetDel returns the value of key and deletes the key, or returns Nil.
func (c *Client) GetDel(ctx context.Context, key string) ([]byte, error) {
	f, err := c.call(ctx, "GETDEL", key)
	return bytesReply("GETDEL", f, err)
}

// Incr adds 1 to the integer stored at key and returns the result.
func (c *Client) Incr(ctx context.Context, key string) (int64, error) {
	f, err := c.call(ctx, "INCR", key)
	return intReply("INCR", f, err)
}

// IncrBy adds n to the integer stored at key and returns the result.
func (c *Client) IncrBy(ctx context.Context, key string, n int64) (int64, error) {
	f, err := c.call(ctx, "INCRBY", key, n)
	return intReply("INCRBY", f, err)
}

// Decr subtracts 1 from the integer stored at key and returns the result.
func (c *Client) Decr(ctx context.Context, key string) (int64, error) {
	f, err := c.call(ctx, "DECR", key)
	return intReply("DECR", f, err)
}

// IncrByFloat adds x to the number stored at key and returns the result.
func (c *Client) IncrByFloat(ctx context.Context, key string, x float64) (float64, error) {
	f, err := c.call(ctx, "INCRBYFLOAT", key, x)
	return floatReply("INCRBYFLOAT", f, err)
}

// Append appends value to the string at key and returns its new length.
func (c *Client) Append(ctx context.Context, key string, value any) (int64, error) {
	f, err := c.call(ctx, "APPEND", key, value)
	return intReply("APPEND", f, err)
}

// StrLen returns the length of the string at key.
func (c *Client) StrLen(ctx context.Context, key string) (int64, error) {
	f, err := c.call(ctx, "STRLEN", key)
	return intReply("STRLEN", f, err)
}

// MGet returns the values of keys, nil for each that does not exist.
func (c *Client) MGet(ctx context.Context, keys ...string) ([][]byte, error) {
	f, err := c.call(ctx, withKeys("MGET", keys)...)
	return valuesReply("MGET", f, err)
}

// MSet stores keys and values given alternately: key, value, key, value.
func (c *Client) MSet(ctx context.Context, keyValues ...any) error {
	f, err := c.call(ctx, append([]any{"MSET"}, keyValues...)...)
	return okReply("MSET", f, err)
}

// Exists returns how many of keys exist (a key named twice counts twice).
func (c *Client) Exists(ctx context.Context, keys ...string) (int64, error) {
	f, err := c.call(ctx, withKeys("EXISTS", keys)...)
	return intReply("EXISTS", f, err)
}

// Expire makes key expire after ttl, in milliseconds (PEXPIRE), and
// reports whether the key exists.
func (c *Client) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	f, err := c.call(ctx, "PEXPIRE", key, ttl.Milliseconds())
	return boolReply("PEXPIRE", f, err)
}

// ExpireAt makes key expire at t (PEXPIREAT), and reports whether the key
// exists.
func (c *Client) ExpireAt(ctx context.Context, key string, t time.Time) (bool, error) {
	f, err := c.call(ctx, "PEXPIREAT", key, t.UnixMilli())
	return boolReply("PEXPIREAT", f, err)
}

// Persist removes key's expiry, and reports whether it had one.
func (c *Client) Persist(ctx context.Context, key string) (bool, error) {
	f, err := c.call(ctx, "PERSIST", key)
	return boolReply("PERSIST", f, err)
}

// NoExpiry is TTL's result for a key that exists but does not expire.
const NoExpiry time.Duration = -1

// TTL returns the time key has left to live, with millisecond precision
// (PTTL): NoExpiry if it does not expire, Nil if it does not exist.
func (c *Client) TTL(ctx context.Context, key string) (time.Duration, error) {
	f, err := c.call(ctx, "PTTL", key)
	ms, err := intReply("PTTL", f, err)
	switch {
	case err != nil:
		return 0, err
	case ms == -2:
		return 0, Nil
	case ms == -1:
		return NoExpiry, nil
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Type returns the type of the value at key: "string", "list", "set",
// "zset", "hash", "stream", or "none" if it does not exist.
func (c *Client) Type(ctx context.Context, key string) (string, error) {
	f, err := c.call(ctx, "TYPE", key)
	b, err := bytesReply("TYPE", f, err)
	return string(b), err
}

// Keys returns the keys that match the glob-style pattern.
func (c *Client) Keys(ctx context.Context, pattern string) ([]string, error) {
	f, err := c.call(ctx, "KEYS", pattern)
	return stringsReply("KEYS", f, err)
}

// Rename renames key to newKey.
func (c *Client) Rename(ctx context.Context, key, newKey string) error {
	f, err := c.call(ctx, "RENAME", key, newKey)
	return okReply("RENAME", f, err)
}

// FlushDB deletes every key of the current database.
func (c *Client) FlushDB(ctx context.Context) error {
	f, err := c.call(ctx, "FLUSHDB")
	return okReply("FLUSHDB", f, err)
}

// LPush prepends values to the list at key and returns its new length.
func (c *Client) LPush(ctx context.Context, key string, values ...any) (int64, error) {
	f, err := c.call(ctx, append([]any{"LPUSH", key}, values...)...)
	return intReply("LPUSH", f, err)
}

// RPush appends values to the list at key and returns its new length.
func (c *Client) RPush(ctx context.Context, key string, values ...any) (int64, error) {
	f, err := c.call(ctx, append([]any{"RPUSH", key}, values...)...)
	return intReply("RPUSH", f, err)
}

// LPop removes and returns the first element of the list at key, or Nil.
func (c *Client) LPop(ctx context.Context, key string) ([]byte, error) {
	f, err := c.call(ctx, "LPOP", key)
	return bytesReply("LPOP", f, err)
}

// RPop removes and returns the last element of the list at key, or Nil.
func (c *Client) RPop(ctx context.Context, key string) ([]byte, error) {
	f, err := c.call(ctx, "RPOP", key)
	return bytesReply("RPOP", f, err)
}

// LLen returns the length of the list at key.
func (c *Client) LLen(ctx context.Context, key string) (int64, error) {
	f, err := c.call(ctx, "LLEN", key)
	return intReply("LLEN", f, err)
}

// LRange returns the elements of the list at key from start to stop,
// inclusive; negative indexes count from the end.
func (c *Client) LRange(ctx context.Context, key string, start, stop int64) ([]string, error) {
	f, err := c.call(ctx, "LRANGE", key, start, stop)
	return stringsReply("LRANGE", f, err)
}

// BLPop removes and returns the first element of the first non-empty list
// of keys, waiting up to timeout (0: for ever) for one; it returns the
// key and the element, or Nil when the time is up. The read timeout
// (WithReadTimeout) is extended by timeout, or with a timeout of 0 does
// not apply: only ctx ends the wait.
func (c *Client) BLPop(ctx context.Context, timeout time.Duration, keys ...string) (key string, value []byte, err error) {
	return c.bpop(ctx, "BLPOP", timeout, keys)
}

// BRPop is BLPop taking the last element.
func (c *Client) BRPop(ctx context.Context, timeout time.Duration, keys ...string) (key string, value []byte, err error) {
	return c.bpop(ctx, "BRPOP", timeout, keys)
}

func (c *Client) bpop(ctx context.Context, cmd string, timeout time.Duration, keys []string) (string, []byte, error) {
	secs := strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64)
	block := timeout
	if timeout <= 0 {
		block = -1 // for ever: only ctx ends the wait
	}
	f, err := c.callBlocking(ctx, block, withKeys(cmd, keys, secs)...)
	if err != nil {
		return "", nil, err
	}
	if f.IsNull() {
		return "", nil, Nil
	}
	if f.Type != frame.Array || len(f.Elems) != 2 {
		return "", nil, unexpected(cmd, f)
	}
	return f.Elems[0].Text(), f.Elems[1].Str, nil
}

// HSet sets fields of the hash at key, given alternately: field, value,
// field, value. It returns how many fields are new.
func (c *Client) HSet(ctx context.Context, key string, fieldValues ...any) (int64, error) {
	f, err := c.call(ctx, append([]any{"HSET", key}, fieldValues...)...)
	return intReply("HSET", f, err)
}

// HGet returns the value of field in the hash at key, or Nil.
func (c *Client) HGet(ctx context.Context, key, field string) ([]byte, error) {
	f, err := c.call(ctx, "HGET", key, field)
	return bytesReply("HGET", f, err)
}

// HGetAll returns the fields and values of the hash at key.
func (c *Client) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	f, err := c.call(ctx, "HGETALL", key)
	return mapReply("HGETALL", f, err)
}

// HDel deletes fields of the hash at key and returns how many existed.
func (c *Client) HDel(ctx context.Context, key string, fields ...string) (int64, error) {
	f, err := c.call(ctx, withKeys("HDEL", append([]string{key}, fields...))...)
	return intReply("HDEL", f, err)
}

// HLen returns the number of fields of the hash at key.
func (c *Client) HLen(ctx context.Context, key string) (int64, error) {
	f, err := c.call(ctx, "HLEN", key)
	return intReply("HLEN", f, err)
}

// HIncrBy adds n to the integer in field of the hash at key and returns
// the result.
func (c *Client) HIncrBy(ctx context.Context, key, field string, n int64) (int64, error) {
	f, err := c.call(ctx, "HINCRBY", key, field, n)
	return intReply("HINCRBY", f, err)
}

// SAdd adds members to the set at key and returns how many are new.
func (c *Client) SAdd(ctx context.Context, key string, members ...any) (int64, error) {
	f, err := c.call(ctx, append([]any{"SADD", key}, members...)...)
	return intReply("SADD", f, err)
}

// SRem removes members from the set at key and returns how many were in it.
func (c *Client) SRem(ctx context.Context, key string, members ...any) (int64, error) {
	f, err := c.call(ctx, append([]any{"SREM", key}, members...)...)
	return intReply("SREM", f, err)
}

// SMembers returns the members of the set at key, in no particular order.
func (c *Client) SMembers(ctx context.Context, key string) ([]string, error) {
	f, err := c.call(ctx, "SMEMBERS", key)
	return stringsReply("SMEMBERS", f, err)
}

// SIsMember reports whether member is in the set at key.
func (c *Client) SIsMember(ctx context.Context, key string, member any) (bool, error) {
	f, err := c.call(ctx, "SISMEMBER", key, member)
	return boolReply("SISMEMBER", f, err)
}

// SCard returns the number of members of the set at key.
func (c *Client) SCard(ctx context.Context, key string) (int64, error) {
	f, err := c.call(ctx, "SCARD", key)
	return intReply("SCARD", f, err)
}

// A Z is a member of a sorted set and its score.
type Z struct {
	Score  float64
	Member string
}

// ZAdd adds members to the sorted set at key, or updates their scores, and
// returns how many are new.
func (c *Client) ZAdd(ctx context.Context, key string, members ...Z) (int64, error) {
	args := make([]any, 0, 2+2*len(members))
	args = append(args, "ZADD", key)
	for _, m := range members {
		args = append(args, m.Score, m.Member)
	}
	f, err := c.call(ctx, args...)
	return intReply("ZADD", f, err)
}

// ZScore returns the score of member in the sorted set at key, or Nil.
func (c *Client) ZScore(ctx context.Context, key, member string) (float64, error) {
	f, err := c.call(ctx, "ZSCORE", key, member)
	return floatReply("ZSCORE", f, err)
}

// ZIncrBy adds x to the score of member in the sorted set at key and
// returns the new score.
func (c *Client) ZIncrBy(ctx context.Context, key string, x float64, member string) (float64, error) {
	f, err := c.call(ctx, "ZINCRBY", key, x, member)
	return floatReply("ZINCRBY", f, err)
}

// ZRem removes members from the sorted set at key and returns how many
// were in it.
func (c *Client) ZRem(ctx context.Context, key string, members ...any) (int64, error) {
	f, err := c.call(ctx, append([]any{"ZREM", key}, members...)...)
	return intReply("ZREM", f, err)
}

// ZCard returns the number of members of the sorted set at key.
func (c *Client) ZCard(ctx context.Context, key string) (int64, error) {
	f, err := c.call(ctx, "ZCARD", key)
	return intReply("ZCARD", f, err)
}

// ZRange returns the members of the sorted set at key ranked start to
// stop, inclusive, lowest score first.
func (c *Client) ZRange(ctx context.Context, key string, start, stop int64) ([]string, error) {
	f, err := c.call(ctx, "ZRANGE", key, start, stop)
	return stringsReply("ZRANGE", f, err)
}

// ZRangeWithScores is ZRange with the members' scores.
func (c *Client) ZRangeWithScores(ctx context.Context, key string, start, stop int64) ([]Z, error) {
	f, err := c.call(ctx, "ZRANGE", key, start, stop, "WITHSCORES")
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array {
		return nil, unexpected("ZRANGE", f)
	}
	// RESP3 nests [member, score] pairs; RESP2 alternates them.
	var zs []Z
	add := func(member, score frame.Frame) error {
		s, err := floatReply("ZRANGE", score, nil)
		if err != nil {
			return err
		}
		zs = append(zs, Z{Score: s, Member: member.Text()})
		return nil
	}
	if len(f.Elems) > 0 && f.Elems[0].Type == frame.Array {
		for _, p := range f.Elems {
			if len(p.Elems) != 2 {
				return nil, unexpected("ZRANGE", f)
			}
			if err := add(p.Elems[0], p.Elems[1]); err != nil {
				return nil, err
			}
		}
		return zs, nil
	}
	if len(f.Elems)%2 != 0 {
		return nil, unexpected("ZRANGE", f)
	}
	for i := 0; i < len(f.Elems); i += 2 {
		if err := add(f.Elems[i], f.Elems[i+1]); err != nil {
			return nil, err
		}
	}
	return zs, nil
}

// Publish sends message to channel and returns how many subscribers
// received it.
func (c *Client) Publish(ctx context.Context, channel string, message any) (int64, error) {
	f, err := c.call(ctx, "PUBLISH", channel, message)
	return intReply("PUBLISH", f, err)
}

// SPublish sends message to the shard channel and returns how many
// subscribers received it.
func (c *Client) SPublish(ctx context.Context, channel string, message any) (int64, error) {
	f, err := c.call(ctx, "SPUBLISH", channel, message)
	return intReply("SPUBLISH", f, err)
}
