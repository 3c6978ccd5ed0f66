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

// NoExpiry is TTL's result for a key that exists but does not expire.
const NoExpiry time.Duration = -1

// A Z is a member of a sorted set and its score.
type Z struct {
	Score  float64
	Member string
}

// statusReply is okReply keeping the status text.
func statusReply(cmd string, f frame.Frame, err error) (string, error) {
	if err := okReply(cmd, f, err); err != nil {
		return "", err
	}
	if string(f.Str) == okText {
		return okText, nil // no copy
	}
	return f.Text(), nil
}

// okText is the text of a +OK status, kept so that decoding one does not
// allocate.
const okText = "OK"

// pingReply checks PING's +PONG.
func pingReply(cmd string, f frame.Frame, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if f.Type != frame.SimpleString || string(f.Str) != "PONG" {
		return "", unexpected(cmd, f)
	}
	return "PONG", nil
}

// setReply is SetArgs's: +OK if stored, a nil if NX or XX prevented it.
func setArgsReply(cmd string, f frame.Frame, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	if f.IsNull() {
		return false, nil
	}
	return true, okReply(cmd, f, nil)
}

// ttlReply converts PTTL's milliseconds: NoExpiry for -1, Nil for -2.
func ttlReply(cmd string, f frame.Frame, err error) (time.Duration, error) {
	ms, err := intReply(cmd, f, err)
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

// textReply converts a string reply to a string.
func textReply(cmd string, f frame.Frame, err error) (string, error) {
	b, err := bytesReply(cmd, f, err)
	return string(b), err
}

// A KeyValue is a key and a value, as BLPOP replies.
type KeyValue struct {
	Key   string
	Value []byte
}

// keyValueReply converts BLPOP's [key, element]; a nil is Nil.
func keyValueReply(cmd string, f frame.Frame, err error) (KeyValue, error) {
	if err != nil {
		return KeyValue{}, err
	}
	if f.IsNull() {
		return KeyValue{}, Nil
	}
	if f.Type != frame.Array || len(f.Elems) != 2 {
		return KeyValue{}, unexpected(cmd, f)
	}
	return KeyValue{Key: f.Elems[0].Text(), Value: clone(f.Elems[1].Str)}, nil
}

// zsReply converts a WITHSCORES reply: RESP3 nests [member, score]
// pairs, RESP2 alternates them.
func zsReply(cmd string, f frame.Frame, err error) ([]Z, error) {
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array {
		return nil, unexpected(cmd, f)
	}
	var zs []Z
	add := func(member, score frame.Frame) error {
		s, err := floatReply(cmd, score, nil)
		if err != nil {
			return err
		}
		zs = append(zs, Z{Score: s, Member: member.Text()})
		return nil
	}
	if len(f.Elems) > 0 && f.Elems[0].Type == frame.Array {
		for _, p := range f.Elems {
			if len(p.Elems) != 2 {
				return nil, unexpected(cmd, f)
			}
			if err := add(p.Elems[0], p.Elems[1]); err != nil {
				return nil, err
			}
		}
		return zs, nil
	}
	if len(f.Elems)%2 != 0 {
		return nil, unexpected(cmd, f)
	}
	for i := 0; i < len(f.Elems); i += 2 {
		if err := add(f.Elems[i], f.Elems[i+1]); err != nil {
			return nil, err
		}
	}
	return zs, nil
}

// Results whose decoders copy what they keep of the reply, and those whose
// reply must be cloned first (see Result.copies).
func statusResult(cmd string) *StatusResult   { return newResult(cmd, statusReply, true) }
func intResult(cmd string) *IntResult         { return newResult(cmd, intReply, true) }
func boolResult(cmd string) *BoolResult       { return newResult(cmd, boolReply, true) }
func floatResult(cmd string) *FloatResult     { return newResult(cmd, floatReply, true) }
func stringsResult(cmd string) *StringsResult { return newResult(cmd, stringsReply, true) }
func bytesResult(cmd string) *StringResult    { return newResult(cmd, bytesReply, false) }

// Ping checks that the server answers.
func (c Commands) Ping(ctx context.Context) *StatusResult {
	return run(ctx, c, newResult("PING", pingReply, true), "PING")
}

// Get returns the value of key, or Nil if it does not exist.
func (c Commands) Get(ctx context.Context, key string) *StringResult {
	return run(ctx, c, bytesResult("GET"), "GET", key)
}

// Set stores value under key. A positive ttl makes the key expire after it,
// with millisecond precision; zero means no expiry.
func (c Commands) Set(ctx context.Context, key string, value any, ttl time.Duration) *StatusResult {
	if ttl > 0 {
		return run(ctx, c, statusResult("SET"), "SET", key, value, "PX", formatMillis(ttl))
	}
	return run(ctx, c, statusResult("SET"), "SET", key, value)
}

// SetArgs stores value under key as opts say, and reports whether it was
// stored (NX and XX may prevent it).
func (c Commands) SetArgs(ctx context.Context, key string, value any, opts SetOptions) *BoolResult {
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
	return run(ctx, c, newResult("SET", setArgsReply, true), args...)
}

// SetNX stores value under key if the key does not exist, and reports
// whether it did.
func (c Commands) SetNX(ctx context.Context, key string, value any, ttl time.Duration) *BoolResult {
	return c.SetArgs(ctx, key, value, SetOptions{TTL: ttl, NX: true})
}

// GetDel returns the value of key and deletes the key, or returns Nil.
func (c Commands) GetDel(ctx context.Context, key string) *StringResult {
	return run(ctx, c, bytesResult("GETDEL"), "GETDEL", key)
}

// Del deletes keys and returns how many existed.
func (c Commands) Del(ctx context.Context, keys ...string) *IntResult {
	return run(ctx, c, intResult("DEL"), withKeys("DEL", keys)...)
}

// Incr adds 1 to the integer stored at key and returns the result.
func (c Commands) Incr(ctx context.Context, key string) *IntResult {
	return run(ctx, c, intResult("INCR"), "INCR", key)
}

// IncrBy adds n to the integer stored at key and returns the result.
func (c Commands) IncrBy(ctx context.Context, key string, n int64) *IntResult {
	return run(ctx, c, intResult("INCRBY"), "INCRBY", key, n)
}

// Decr subtracts 1 from the integer stored at key and returns the result.
func (c Commands) Decr(ctx context.Context, key string) *IntResult {
	return run(ctx, c, intResult("DECR"), "DECR", key)
}

// IncrByFloat adds x to the number stored at key and returns the result.
func (c Commands) IncrByFloat(ctx context.Context, key string, x float64) *FloatResult {
	return run(ctx, c, floatResult("INCRBYFLOAT"), "INCRBYFLOAT", key, x)
}

// Append appends value to the string at key and returns its new length.
func (c Commands) Append(ctx context.Context, key string, value any) *IntResult {
	return run(ctx, c, intResult("APPEND"), "APPEND", key, value)
}

// StrLen returns the length of the string at key.
func (c Commands) StrLen(ctx context.Context, key string) *IntResult {
	return run(ctx, c, intResult("STRLEN"), "STRLEN", key)
}

// MGet returns the values of keys, nil for each that does not exist.
func (c Commands) MGet(ctx context.Context, keys ...string) *Result[[][]byte] {
	return run(ctx, c, newResult("MGET", valuesReply, false), withKeys("MGET", keys)...)
}

// MSet stores keys and values given alternately: key, value, key, value.
func (c Commands) MSet(ctx context.Context, keyValues ...any) *StatusResult {
	return run(ctx, c, statusResult("MSET"), append([]any{"MSET"}, keyValues...)...)
}

// Exists returns how many of keys exist (a key named twice counts twice).
func (c Commands) Exists(ctx context.Context, keys ...string) *IntResult {
	return run(ctx, c, intResult("EXISTS"), withKeys("EXISTS", keys)...)
}

// Expire makes key expire after ttl, in milliseconds (PEXPIRE), and
// reports whether the key exists.
func (c Commands) Expire(ctx context.Context, key string, ttl time.Duration) *BoolResult {
	return run(ctx, c, boolResult("PEXPIRE"), "PEXPIRE", key, ttl.Milliseconds())
}

// ExpireAt makes key expire at t (PEXPIREAT), and reports whether the key
// exists.
func (c Commands) ExpireAt(ctx context.Context, key string, t time.Time) *BoolResult {
	return run(ctx, c, boolResult("PEXPIREAT"), "PEXPIREAT", key, t.UnixMilli())
}

// Persist removes key's expiry, and reports whether it had one.
func (c Commands) Persist(ctx context.Context, key string) *BoolResult {
	return run(ctx, c, boolResult("PERSIST"), "PERSIST", key)
}

// TTL returns the time key has left to live, with millisecond precision
// (PTTL): NoExpiry if it does not expire, Nil if it does not exist.
func (c Commands) TTL(ctx context.Context, key string) *Result[time.Duration] {
	return run(ctx, c, newResult("PTTL", ttlReply, true), "PTTL", key)
}

// Type returns the type of the value at key: "string", "list", "set",
// "zset", "hash", "stream", or "none" if it does not exist.
func (c Commands) Type(ctx context.Context, key string) *Result[string] {
	return run(ctx, c, newResult("TYPE", textReply, true), "TYPE", key)
}

// Keys returns the keys that match the glob-style pattern.
func (c Commands) Keys(ctx context.Context, pattern string) *StringsResult {
	return run(ctx, c, stringsResult("KEYS"), "KEYS", pattern)
}

// Rename renames key to newKey.
func (c Commands) Rename(ctx context.Context, key, newKey string) *StatusResult {
	return run(ctx, c, statusResult("RENAME"), "RENAME", key, newKey)
}

// FlushDB deletes every key of the current database.
func (c Commands) FlushDB(ctx context.Context) *StatusResult {
	return run(ctx, c, statusResult("FLUSHDB"), "FLUSHDB")
}

// LPush prepends values to the list at key and returns its new length.
func (c Commands) LPush(ctx context.Context, key string, values ...any) *IntResult {
	return run(ctx, c, intResult("LPUSH"), append([]any{"LPUSH", key}, values...)...)
}

// RPush appends values to the list at key and returns its new length.
func (c Commands) RPush(ctx context.Context, key string, values ...any) *IntResult {
	return run(ctx, c, intResult("RPUSH"), append([]any{"RPUSH", key}, values...)...)
}

// LPop removes and returns the first element of the list at key, or Nil.
func (c Commands) LPop(ctx context.Context, key string) *StringResult {
	return run(ctx, c, bytesResult("LPOP"), "LPOP", key)
}

// RPop removes and returns the last element of the list at key, or Nil.
func (c Commands) RPop(ctx context.Context, key string) *StringResult {
	return run(ctx, c, bytesResult("RPOP"), "RPOP", key)
}

// LLen returns the length of the list at key.
func (c Commands) LLen(ctx context.Context, key string) *IntResult {
	return run(ctx, c, intResult("LLEN"), "LLEN", key)
}

// LRange returns the elements of the list at key from start to stop,
// inclusive; negative indexes count from the end.
func (c Commands) LRange(ctx context.Context, key string, start, stop int64) *StringsResult {
	return run(ctx, c, stringsResult("LRANGE"), "LRANGE", key, start, stop)
}

// BLPop removes and returns the first element of the first non-empty list
// of keys, waiting up to timeout (0: for ever) for one; it returns the
// key and the element, or Nil when the time is up. The read timeout
// (WithReadTimeout) is extended by timeout, or with a timeout of 0 does
// not apply: only ctx ends the wait. In a transaction it does not wait.
func (c Commands) BLPop(ctx context.Context, timeout time.Duration, keys ...string) *Result[KeyValue] {
	return c.bpop(ctx, "BLPOP", timeout, keys)
}

// BRPop is BLPop taking the last element.
func (c Commands) BRPop(ctx context.Context, timeout time.Duration, keys ...string) *Result[KeyValue] {
	return c.bpop(ctx, "BRPOP", timeout, keys)
}

func (c Commands) bpop(ctx context.Context, cmd string, timeout time.Duration, keys []string) *Result[KeyValue] {
	secs := strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64)
	block := timeout
	if timeout <= 0 {
		block = -1 // for ever: only ctx ends the wait
	}
	return runBlocking(ctx, c, block, newResult(cmd, keyValueReply, true), withKeys(cmd, keys, secs)...)
}

// HSet sets fields of the hash at key, given alternately: field, value,
// field, value. It returns how many fields are new.
func (c Commands) HSet(ctx context.Context, key string, fieldValues ...any) *IntResult {
	return run(ctx, c, intResult("HSET"), append([]any{"HSET", key}, fieldValues...)...)
}

// HGet returns the value of field in the hash at key, or Nil.
func (c Commands) HGet(ctx context.Context, key, field string) *StringResult {
	return run(ctx, c, bytesResult("HGET"), "HGET", key, field)
}

// HGetAll returns the fields and values of the hash at key.
func (c Commands) HGetAll(ctx context.Context, key string) *Result[map[string]string] {
	return run(ctx, c, newResult("HGETALL", mapReply, true), "HGETALL", key)
}

// HDel deletes fields of the hash at key and returns how many existed.
func (c Commands) HDel(ctx context.Context, key string, fields ...string) *IntResult {
	return run(ctx, c, intResult("HDEL"), withKeys("HDEL", append([]string{key}, fields...))...)
}

// HLen returns the number of fields of the hash at key.
func (c Commands) HLen(ctx context.Context, key string) *IntResult {
	return run(ctx, c, intResult("HLEN"), "HLEN", key)
}

// HIncrBy adds n to the integer in field of the hash at key and returns
// the result.
func (c Commands) HIncrBy(ctx context.Context, key, field string, n int64) *IntResult {
	return run(ctx, c, intResult("HINCRBY"), "HINCRBY", key, field, n)
}

// SAdd adds members to the set at key and returns how many are new.
func (c Commands) SAdd(ctx context.Context, key string, members ...any) *IntResult {
	return run(ctx, c, intResult("SADD"), append([]any{"SADD", key}, members...)...)
}

// SRem removes members from the set at key and returns how many were in it.
func (c Commands) SRem(ctx context.Context, key string, members ...any) *IntResult {
	return run(ctx, c, intResult("SREM"), append([]any{"SREM", key}, members...)...)
}

// SMembers returns the members of the set at key, in no particular order.
func (c Commands) SMembers(ctx context.Context, key string) *StringsResult {
	return run(ctx, c, stringsResult("SMEMBERS"), "SMEMBERS", key)
}

// SIsMember reports whether member is in the set at key.
func (c Commands) SIsMember(ctx context.Context, key string, member any) *BoolResult {
	return run(ctx, c, boolResult("SISMEMBER"), "SISMEMBER", key, member)
}

// SCard returns the number of members of the set at key.
func (c Commands) SCard(ctx context.Context, key string) *IntResult {
	return run(ctx, c, intResult("SCARD"), "SCARD", key)
}

// ZAdd adds members to the sorted set at key, or updates their scores, and
// returns how many are new.
func (c Commands) ZAdd(ctx context.Context, key string, members ...Z) *IntResult {
	args := make([]any, 0, 2+2*len(members))
	args = append(args, "ZADD", key)
	for _, m := range members {
		args = append(args, m.Score, m.Member)
	}
	return run(ctx, c, intResult("ZADD"), args...)
}

// ZScore returns the score of member in the sorted set at key, or Nil.
func (c Commands) ZScore(ctx context.Context, key, member string) *FloatResult {
	return run(ctx, c, floatResult("ZSCORE"), "ZSCORE", key, member)
}

// ZIncrBy adds x to the score of member in the sorted set at key and
// returns the new score.
func (c Commands) ZIncrBy(ctx context.Context, key string, x float64, member string) *FloatResult {
	return run(ctx, c, floatResult("ZINCRBY"), "ZINCRBY", key, x, member)
}

// ZRem removes members from the sorted set at key and returns how many
// were in it.
func (c Commands) ZRem(ctx context.Context, key string, members ...any) *IntResult {
	return run(ctx, c, intResult("ZREM"), append([]any{"ZREM", key}, members...)...)
}

// ZCard returns the number of members of the sorted set at key.
func (c Commands) ZCard(ctx context.Context, key string) *IntResult {
	return run(ctx, c, intResult("ZCARD"), "ZCARD", key)
}

// ZRange returns the members of the sorted set at key ranked start to
// stop, inclusive, lowest score first.
func (c Commands) ZRange(ctx context.Context, key string, start, stop int64) *StringsResult {
	return run(ctx, c, stringsResult("ZRANGE"), "ZRANGE", key, start, stop)
}

// ZRangeWithScores is ZRange with the members' scores.
func (c Commands) ZRangeWithScores(ctx context.Context, key string, start, stop int64) *Result[[]Z] {
	return run(ctx, c, newResult("ZRANGE", zsReply, true), "ZRANGE", key, start, stop, "WITHSCORES")
}

// Publish sends message to channel and returns how many subscribers
// received it.
func (c Commands) Publish(ctx context.Context, channel string, message any) *IntResult {
	return run(ctx, c, intResult("PUBLISH"), "PUBLISH", channel, message)
}

// SPublish sends message to the shard channel and returns how many
// subscribers received it.
func (c Commands) SPublish(ctx context.Context, channel string, message any) *IntResult {
	return run(ctx, c, intResult("SPUBLISH"), "SPUBLISH", channel, message)
}
