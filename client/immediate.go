package client

import (
	"context"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// The methods of Immediate: one for each method of Commands, of the same
// name and arguments, returning its Result's value and error
// (TestImmediateMatchesCommands checks that none is missing).

// Ping checks that the server answers.
func (d Immediate) Ping(ctx context.Context) error {
	return d.cmds.Ping(ctx).Err()
}

// Get returns the value of key, or Nil if it does not exist.
func (d Immediate) Get(ctx context.Context, key string) ([]byte, error) {
	return d.cmds.Get(ctx, key).Result()
}

// Set stores value under key. A positive ttl makes the key expire after it,
// with millisecond precision; zero means no expiry.
func (d Immediate) Set(ctx context.Context, key string, value any, ttl time.Duration) error {
	return d.cmds.Set(ctx, key, value, ttl).Err()
}

// SetArgs stores value under key as opts say, and reports whether it was
// stored (NX and XX may prevent it).
func (d Immediate) SetArgs(ctx context.Context, key string, value any, opts SetOptions) (bool, error) {
	return d.cmds.SetArgs(ctx, key, value, opts).Result()
}

// SetNX stores value under key if the key does not exist, and reports
// whether it did.
func (d Immediate) SetNX(ctx context.Context, key string, value any, ttl time.Duration) (bool, error) {
	return d.cmds.SetNX(ctx, key, value, ttl).Result()
}

// GetDel returns the value of key and deletes the key, or returns Nil.
func (d Immediate) GetDel(ctx context.Context, key string) ([]byte, error) {
	return d.cmds.GetDel(ctx, key).Result()
}

// Del deletes keys and returns how many existed.
func (d Immediate) Del(ctx context.Context, keys ...string) (int64, error) {
	return d.cmds.Del(ctx, keys...).Result()
}

// Incr adds 1 to the integer stored at key and returns the result.
func (d Immediate) Incr(ctx context.Context, key string) (int64, error) {
	return d.cmds.Incr(ctx, key).Result()
}

// IncrBy adds n to the integer stored at key and returns the result.
func (d Immediate) IncrBy(ctx context.Context, key string, n int64) (int64, error) {
	return d.cmds.IncrBy(ctx, key, n).Result()
}

// Decr subtracts 1 from the integer stored at key and returns the result.
func (d Immediate) Decr(ctx context.Context, key string) (int64, error) {
	return d.cmds.Decr(ctx, key).Result()
}

// IncrByFloat adds x to the number stored at key and returns the result.
func (d Immediate) IncrByFloat(ctx context.Context, key string, x float64) (float64, error) {
	return d.cmds.IncrByFloat(ctx, key, x).Result()
}

// Append appends value to the string at key and returns its new length.
func (d Immediate) Append(ctx context.Context, key string, value any) (int64, error) {
	return d.cmds.Append(ctx, key, value).Result()
}

// StrLen returns the length of the string at key.
func (d Immediate) StrLen(ctx context.Context, key string) (int64, error) {
	return d.cmds.StrLen(ctx, key).Result()
}

// MGet returns the values of keys, nil for each that does not exist.
func (d Immediate) MGet(ctx context.Context, keys ...string) ([][]byte, error) {
	return d.cmds.MGet(ctx, keys...).Result()
}

// MSet stores keys and values given alternately: key, value, key, value.
func (d Immediate) MSet(ctx context.Context, keyValues ...any) error {
	return d.cmds.MSet(ctx, keyValues...).Err()
}

// Exists returns how many of keys exist (a key named twice counts twice).
func (d Immediate) Exists(ctx context.Context, keys ...string) (int64, error) {
	return d.cmds.Exists(ctx, keys...).Result()
}

// Expire makes key expire after ttl, in milliseconds (PEXPIRE), and
// reports whether the key exists.
func (d Immediate) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return d.cmds.Expire(ctx, key, ttl).Result()
}

// ExpireAt makes key expire at t (PEXPIREAT), and reports whether the key
// exists.
func (d Immediate) ExpireAt(ctx context.Context, key string, t time.Time) (bool, error) {
	return d.cmds.ExpireAt(ctx, key, t).Result()
}

// Persist removes key's expiry, and reports whether it had one.
func (d Immediate) Persist(ctx context.Context, key string) (bool, error) {
	return d.cmds.Persist(ctx, key).Result()
}

// TTL returns the time key has left to live, with millisecond precision
// (PTTL): NoExpiry if it does not expire, Nil if it does not exist.
func (d Immediate) TTL(ctx context.Context, key string) (time.Duration, error) {
	return d.cmds.TTL(ctx, key).Result()
}

// Type returns the type of the value at key: "string", "list", "set",
// "zset", "hash", "stream", or "none" if it does not exist.
func (d Immediate) Type(ctx context.Context, key string) (string, error) {
	return d.cmds.Type(ctx, key).Result()
}

// Keys returns the keys that match the glob-style pattern.
func (d Immediate) Keys(ctx context.Context, pattern string) ([]string, error) {
	return d.cmds.Keys(ctx, pattern).Result()
}

// Rename renames key to newKey.
func (d Immediate) Rename(ctx context.Context, key, newKey string) error {
	return d.cmds.Rename(ctx, key, newKey).Err()
}

// FlushDB deletes every key of the current database.
func (d Immediate) FlushDB(ctx context.Context) error {
	return d.cmds.FlushDB(ctx).Err()
}

// LPush prepends values to the list at key and returns its new length.
func (d Immediate) LPush(ctx context.Context, key string, values ...any) (int64, error) {
	return d.cmds.LPush(ctx, key, values...).Result()
}

// RPush appends values to the list at key and returns its new length.
func (d Immediate) RPush(ctx context.Context, key string, values ...any) (int64, error) {
	return d.cmds.RPush(ctx, key, values...).Result()
}

// LPop removes and returns the first element of the list at key, or Nil.
func (d Immediate) LPop(ctx context.Context, key string) ([]byte, error) {
	return d.cmds.LPop(ctx, key).Result()
}

// RPop removes and returns the last element of the list at key, or Nil.
func (d Immediate) RPop(ctx context.Context, key string) ([]byte, error) {
	return d.cmds.RPop(ctx, key).Result()
}

// LLen returns the length of the list at key.
func (d Immediate) LLen(ctx context.Context, key string) (int64, error) {
	return d.cmds.LLen(ctx, key).Result()
}

// LRange returns the elements of the list at key from start to stop,
// inclusive; negative indexes count from the end.
func (d Immediate) LRange(ctx context.Context, key string, start, stop int64) ([]string, error) {
	return d.cmds.LRange(ctx, key, start, stop).Result()
}

// BLPop removes and returns the first element of the first non-empty list
// of keys, waiting up to timeout (0: for ever) for one; it returns the
// key and the element, or Nil when the time is up. The read timeout
// (WithReadTimeout) is extended by timeout, or with a timeout of 0 does
// not apply: only ctx ends the wait. In a transaction it does not wait.
func (d Immediate) BLPop(ctx context.Context, timeout time.Duration, keys ...string) (key string, value []byte, err error) {
	kv, err := d.cmds.BLPop(ctx, timeout, keys...).Result()
	return kv.Key, kv.Value, err
}

// BRPop is BLPop taking the last element.
func (d Immediate) BRPop(ctx context.Context, timeout time.Duration, keys ...string) (key string, value []byte, err error) {
	kv, err := d.cmds.BRPop(ctx, timeout, keys...).Result()
	return kv.Key, kv.Value, err
}

// HSet sets fields of the hash at key, given alternately: field, value,
// field, value. It returns how many fields are new.
func (d Immediate) HSet(ctx context.Context, key string, fieldValues ...any) (int64, error) {
	return d.cmds.HSet(ctx, key, fieldValues...).Result()
}

// HGet returns the value of field in the hash at key, or Nil.
func (d Immediate) HGet(ctx context.Context, key, field string) ([]byte, error) {
	return d.cmds.HGet(ctx, key, field).Result()
}

// HGetAll returns the fields and values of the hash at key.
func (d Immediate) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	return d.cmds.HGetAll(ctx, key).Result()
}

// HDel deletes fields of the hash at key and returns how many existed.
func (d Immediate) HDel(ctx context.Context, key string, fields ...string) (int64, error) {
	return d.cmds.HDel(ctx, key, fields...).Result()
}

// HLen returns the number of fields of the hash at key.
func (d Immediate) HLen(ctx context.Context, key string) (int64, error) {
	return d.cmds.HLen(ctx, key).Result()
}

// HIncrBy adds n to the integer in field of the hash at key and returns
// the result.
func (d Immediate) HIncrBy(ctx context.Context, key, field string, n int64) (int64, error) {
	return d.cmds.HIncrBy(ctx, key, field, n).Result()
}

// SAdd adds members to the set at key and returns how many are new.
func (d Immediate) SAdd(ctx context.Context, key string, members ...any) (int64, error) {
	return d.cmds.SAdd(ctx, key, members...).Result()
}

// SRem removes members from the set at key and returns how many were in it.
func (d Immediate) SRem(ctx context.Context, key string, members ...any) (int64, error) {
	return d.cmds.SRem(ctx, key, members...).Result()
}

// SMembers returns the members of the set at key, in no particular order.
func (d Immediate) SMembers(ctx context.Context, key string) ([]string, error) {
	return d.cmds.SMembers(ctx, key).Result()
}

// SIsMember reports whether member is in the set at key.
func (d Immediate) SIsMember(ctx context.Context, key string, member any) (bool, error) {
	return d.cmds.SIsMember(ctx, key, member).Result()
}

// SCard returns the number of members of the set at key.
func (d Immediate) SCard(ctx context.Context, key string) (int64, error) {
	return d.cmds.SCard(ctx, key).Result()
}

// ZAdd adds members to the sorted set at key, or updates their scores, and
// returns how many are new.
func (d Immediate) ZAdd(ctx context.Context, key string, members ...Z) (int64, error) {
	return d.cmds.ZAdd(ctx, key, members...).Result()
}

// ZScore returns the score of member in the sorted set at key, or Nil.
func (d Immediate) ZScore(ctx context.Context, key, member string) (float64, error) {
	return d.cmds.ZScore(ctx, key, member).Result()
}

// ZIncrBy adds x to the score of member in the sorted set at key and
// returns the new score.
func (d Immediate) ZIncrBy(ctx context.Context, key string, x float64, member string) (float64, error) {
	return d.cmds.ZIncrBy(ctx, key, x, member).Result()
}

// ZRem removes members from the sorted set at key and returns how many
// were in it.
func (d Immediate) ZRem(ctx context.Context, key string, members ...any) (int64, error) {
	return d.cmds.ZRem(ctx, key, members...).Result()
}

// ZCard returns the number of members of the sorted set at key.
func (d Immediate) ZCard(ctx context.Context, key string) (int64, error) {
	return d.cmds.ZCard(ctx, key).Result()
}

// ZRange returns the members of the sorted set at key ranked start to
// stop, inclusive, lowest score first.
func (d Immediate) ZRange(ctx context.Context, key string, start, stop int64) ([]string, error) {
	return d.cmds.ZRange(ctx, key, start, stop).Result()
}

// ZRangeWithScores is ZRange with the members' scores.
func (d Immediate) ZRangeWithScores(ctx context.Context, key string, start, stop int64) ([]Z, error) {
	return d.cmds.ZRangeWithScores(ctx, key, start, stop).Result()
}

// Publish sends message to channel and returns how many subscribers
// received it.
func (d Immediate) Publish(ctx context.Context, channel string, message any) (int64, error) {
	return d.cmds.Publish(ctx, channel, message).Result()
}

// SPublish sends message to the shard channel and returns how many
// subscribers received it.
func (d Immediate) SPublish(ctx context.Context, channel string, message any) (int64, error) {
	return d.cmds.SPublish(ctx, channel, message).Result()
}

// XAdd appends an entry of fields and values, given alternately, to the
// stream at key, with the ID id ("*" for one the server chooses), and
// returns its ID.
func (d Immediate) XAdd(ctx context.Context, key, id string, fieldValues ...any) (string, error) {
	return d.cmds.XAdd(ctx, key, id, fieldValues...).Result()
}

// XAddArgs is XAdd with options: trimming and NOMKSTREAM.
func (d Immediate) XAddArgs(ctx context.Context, key string, opts XAddOptions, fieldValues ...any) (string, error) {
	return d.cmds.XAddArgs(ctx, key, opts, fieldValues...).Result()
}

// XTrim trims the stream at key as opts say and returns how many entries
// it evicted.
func (d Immediate) XTrim(ctx context.Context, key string, opts XTrimOptions) (int64, error) {
	return d.cmds.XTrim(ctx, key, opts).Result()
}

// XDel deletes the entries with ids from the stream at key and returns
// how many existed.
func (d Immediate) XDel(ctx context.Context, key string, ids ...string) (int64, error) {
	return d.cmds.XDel(ctx, key, ids...).Result()
}

// XLen returns the number of entries of the stream at key.
func (d Immediate) XLen(ctx context.Context, key string) (int64, error) {
	return d.cmds.XLen(ctx, key).Result()
}

// XRange returns the entries of the stream at key with IDs from start to
// end, inclusive ("-" and "+" for the ends of the stream; "(" before an
// ID excludes it).
func (d Immediate) XRange(ctx context.Context, key, start, end string) ([]XMessage, error) {
	return d.cmds.XRange(ctx, key, start, end).Result()
}

// XRangeN is XRange returning at most count entries.
func (d Immediate) XRangeN(ctx context.Context, key, start, end string, count int64) ([]XMessage, error) {
	return d.cmds.XRangeN(ctx, key, start, end, count).Result()
}

// XRevRange is XRange in reverse order, from end down to start.
func (d Immediate) XRevRange(ctx context.Context, key, end, start string) ([]XMessage, error) {
	return d.cmds.XRevRange(ctx, key, end, start).Result()
}

// XRevRangeN is XRevRange returning at most count entries.
func (d Immediate) XRevRangeN(ctx context.Context, key, end, start string, count int64) ([]XMessage, error) {
	return d.cmds.XRevRangeN(ctx, key, end, start, count).Result()
}

// XAck removes ids from the pending entries of group on the stream at key
// and returns how many were pending.
func (d Immediate) XAck(ctx context.Context, key, group string, ids ...string) (int64, error) {
	return d.cmds.XAck(ctx, key, group, ids...).Result()
}

// XGroupCreate creates group on the stream at key, delivering the entries
// after id ("$" for those added from now on, "0" for all). mkStream
// creates an empty stream if there is none (MKSTREAM); without it a
// missing stream is an Error. A group that exists is a BUSYGROUP Error.
func (d Immediate) XGroupCreate(ctx context.Context, key, group, id string, mkStream bool) error {
	return d.cmds.XGroupCreate(ctx, key, group, id, mkStream).Err()
}

// XGroupCreateArgs is XGroupCreate with all of XGROUP CREATE's options.
func (d Immediate) XGroupCreateArgs(ctx context.Context, key, group, id string, opts XGroupCreateOptions) error {
	return d.cmds.XGroupCreateArgs(ctx, key, group, id, opts).Err()
}

// XGroupDestroy deletes group from the stream at key, with its consumers
// and pending entries, and reports whether it existed.
func (d Immediate) XGroupDestroy(ctx context.Context, key, group string) (bool, error) {
	return d.cmds.XGroupDestroy(ctx, key, group).Result()
}

// XGroupSetID sets the last delivered ID of group on the stream at key
// ("$" for the stream's last entry).
func (d Immediate) XGroupSetID(ctx context.Context, key, group, id string) error {
	return d.cmds.XGroupSetID(ctx, key, group, id).Err()
}

// XGroupSetIDEntriesRead is XGroupSetID also setting the group's
// entries-read counter (ENTRIESREAD; -1 for unknown). Redis 7 or later.
func (d Immediate) XGroupSetIDEntriesRead(ctx context.Context, key, group, id string, entriesRead int64) error {
	return d.cmds.XGroupSetIDEntriesRead(ctx, key, group, id, entriesRead).Err()
}

// XGroupCreateConsumer adds consumer to group on the stream at key and
// reports whether it is new.
func (d Immediate) XGroupCreateConsumer(ctx context.Context, key, group, consumer string) (bool, error) {
	return d.cmds.XGroupCreateConsumer(ctx, key, group, consumer).Result()
}

// XGroupDelConsumer removes consumer from group on the stream at key and
// returns how many entries it had pending, which are no longer pending.
func (d Immediate) XGroupDelConsumer(ctx context.Context, key, group, consumer string) (int64, error) {
	return d.cmds.XGroupDelConsumer(ctx, key, group, consumer).Result()
}

// XClaim gives consumer of group the pending entries ids of the stream at
// key that have been idle for at least minIdle, and returns them; a
// deleted entry is dropped from the pending entries and not returned.
func (d Immediate) XClaim(ctx context.Context, key, group, consumer string, minIdle time.Duration, ids ...string) ([]XMessage, error) {
	return d.cmds.XClaim(ctx, key, group, consumer, minIdle, ids...).Result()
}

// XClaimJustID is XClaim returning only the claimed IDs (JUSTID), which
// does not count as a delivery.
func (d Immediate) XClaimJustID(ctx context.Context, key, group, consumer string, minIdle time.Duration, ids ...string) ([]string, error) {
	return d.cmds.XClaimJustID(ctx, key, group, consumer, minIdle, ids...).Result()
}

// GeoAdd adds members, with their positions, to the geospatial index (a
// sorted set) at key, or moves them, and returns how many are new.
func (d Immediate) GeoAdd(ctx context.Context, key string, locations ...GeoLocation) (int64, error) {
	return d.cmds.GeoAdd(ctx, key, locations...).Result()
}

// GeoAddArgs is GeoAdd with options.
func (d Immediate) GeoAddArgs(ctx context.Context, key string, opts GeoAddOptions, locations ...GeoLocation) (int64, error) {
	return d.cmds.GeoAddArgs(ctx, key, opts, locations...).Result()
}

// GeoDist returns the distance between two members of the index at key,
// in unit ("m", "km", "mi" or "ft"; empty for metres), or Nil if either is
// not in it.
func (d Immediate) GeoDist(ctx context.Context, key, member1, member2, unit string) (float64, error) {
	return d.cmds.GeoDist(ctx, key, member1, member2, unit).Result()
}

// GeoHash returns the 11-character geohashes of members in the index at
// key, an empty string for each that is not in it.
func (d Immediate) GeoHash(ctx context.Context, key string, members ...string) ([]string, error) {
	return d.cmds.GeoHash(ctx, key, members...).Result()
}

// GeoSearch returns the members of the index at key that q finds.
func (d Immediate) GeoSearch(ctx context.Context, key string, q GeoSearchQuery) ([]string, error) {
	return d.cmds.GeoSearch(ctx, key, q).Result()
}

// GeoSearchStore stores the members of the index at src that q finds in
// the index dest, replacing it, and returns how many. With storeDist,
// dest is a sorted set of the distances from the centre instead
// (STOREDIST).
func (d Immediate) GeoSearchStore(ctx context.Context, dest, src string, q GeoSearchQuery, storeDist bool) (int64, error) {
	return d.cmds.GeoSearchStore(ctx, dest, src, q, storeDist).Result()
}

// Eval runs a Lua script with keys and args and returns its reply; an
// error the script raises is an Error.
func (d Immediate) Eval(ctx context.Context, script string, keys []string, args ...any) (frame.Frame, error) {
	return d.cmds.Eval(ctx, script, keys, args...).Result()
}

// EvalRO is Eval for a read-only script (EVAL_RO), which the server
// refuses to run if it writes.
func (d Immediate) EvalRO(ctx context.Context, script string, keys []string, args ...any) (frame.Frame, error) {
	return d.cmds.EvalRO(ctx, script, keys, args...).Result()
}

// EvalSha runs the script whose SHA1 digest is sha, as Eval does; if the
// server does not have it, the Error's Prefix is "NOSCRIPT". A Script
// falls back to Eval then.
func (d Immediate) EvalSha(ctx context.Context, sha string, keys []string, args ...any) (frame.Frame, error) {
	return d.cmds.EvalSha(ctx, sha, keys, args...).Result()
}

// ScriptLoad stores a script in the server's cache and returns its SHA1
// digest, for EvalSha.
func (d Immediate) ScriptLoad(ctx context.Context, script string) (string, error) {
	return d.cmds.ScriptLoad(ctx, script).Result()
}

// ScriptFlush empties the server's script cache.
func (d Immediate) ScriptFlush(ctx context.Context) error {
	return d.cmds.ScriptFlush(ctx).Err()
}

// FCall calls the function fn, loaded with FunctionLoad, with keys and
// args, and returns its reply; an error it raises is an Error.
func (d Immediate) FCall(ctx context.Context, fn string, keys []string, args ...any) (frame.Frame, error) {
	return d.cmds.FCall(ctx, fn, keys, args...).Result()
}

// FCallRO is FCall for a function declared no-writes (FCALL_RO).
func (d Immediate) FCallRO(ctx context.Context, fn string, keys []string, args ...any) (frame.Frame, error) {
	return d.cmds.FCallRO(ctx, fn, keys, args...).Result()
}

// FunctionLoad loads a library of functions, whose code starts with a
// "#!lua name=..." line, and returns the library's name. replace replaces
// a library of that name; without it, one that exists is an Error.
func (d Immediate) FunctionLoad(ctx context.Context, code string, replace bool) (string, error) {
	return d.cmds.FunctionLoad(ctx, code, replace).Result()
}

// FunctionDelete deletes the library named library and its functions.
func (d Immediate) FunctionDelete(ctx context.Context, library string) error {
	return d.cmds.FunctionDelete(ctx, library).Err()
}

// FunctionFlush deletes every library.
func (d Immediate) FunctionFlush(ctx context.Context) error {
	return d.cmds.FunctionFlush(ctx).Err()
}

// GeoPos returns the positions of members in the index at key, nil for
// each that is not in it. The positions are those the index stores, as
// 52-bit geohashes: a little off those added.
func (d Immediate) GeoPos(ctx context.Context, key string, members ...string) ([]*GeoPos, error) {
	return d.cmds.GeoPos(ctx, key, members...).Result()
}

// GeoSearchLocations is GeoSearch returning what opts ask of each member.
func (d Immediate) GeoSearchLocations(ctx context.Context, key string, q GeoSearchQuery, opts GeoSearchOptions) ([]GeoResult, error) {
	return d.cmds.GeoSearchLocations(ctx, key, q, opts).Result()
}

// Scan runs one step of SCAN from cursor (0 to start) and returns the next
// cursor, 0 once the keyspace has been covered, and a batch of keys. A key
// may come more than once. opts may be nil. ScanAll iterates to the end.
func (d Immediate) Scan(ctx context.Context, cursor uint64, opts *ScanOptions) (next uint64, keys []string, err error) {
	page, err := d.cmds.Scan(ctx, cursor, opts).Result()
	return page.Next, page.Items, err
}

// SScan is Scan over the members of the set at key (SSCAN).
func (d Immediate) SScan(ctx context.Context, key string, cursor uint64, opts *ScanOptions) (next uint64, members []string, err error) {
	page, err := d.cmds.SScan(ctx, key, cursor, opts).Result()
	return page.Next, page.Items, err
}

// HScan is Scan over the hash at key (HSCAN); items holds fields and
// values alternately.
func (d Immediate) HScan(ctx context.Context, key string, cursor uint64, opts *ScanOptions) (next uint64, items []string, err error) {
	page, err := d.cmds.HScan(ctx, key, cursor, opts).Result()
	return page.Next, page.Items, err
}

// ZScan is Scan over the sorted set at key (ZSCAN); items holds members
// and their scores alternately.
func (d Immediate) ZScan(ctx context.Context, key string, cursor uint64, opts *ScanOptions) (next uint64, items []string, err error) {
	page, err := d.cmds.ZScan(ctx, key, cursor, opts).Result()
	return page.Next, page.Items, err
}

// ScriptExists reports, for each SHA1 digest, whether the server's script
// cache has the script.
func (d Immediate) ScriptExists(ctx context.Context, shas ...string) ([]bool, error) {
	return d.cmds.ScriptExists(ctx, shas...).Result()
}

// XRead reads entries from streams, given as after STREAMS: the keys,
// then an ID for each, the entries after which are returned ("0" for all,
// "$" for those added from now on, when blocking). It returns Nil if no
// stream has entries, after waiting as opts.Block says.
func (d Immediate) XRead(ctx context.Context, opts XReadOptions, streams ...string) ([]XStream, error) {
	return d.cmds.XRead(ctx, opts, streams...).Result()
}

// XReadGroup reads entries from streams as consumer of group; streams are
// as for XRead, with ">" for the entries never delivered to the group and
// an ID for the consumer's pending entries after it.
func (d Immediate) XReadGroup(ctx context.Context, group, consumer string, opts XReadOptions, streams ...string) ([]XStream, error) {
	return d.cmds.XReadGroup(ctx, group, consumer, opts, streams...).Result()
}

// XPending returns the summary of group's pending entries on the stream
// at key.
func (d Immediate) XPending(ctx context.Context, key, group string) (*XPendingSummary, error) {
	return d.cmds.XPending(ctx, key, group).Result()
}

// XPendingExt returns the pending entries of group on the stream at key
// that opts select, the extended form of XPENDING.
func (d Immediate) XPendingExt(ctx context.Context, key, group string, opts XPendingOptions) ([]XPendingEntry, error) {
	return d.cmds.XPendingExt(ctx, key, group, opts).Result()
}

// XClaimArgs is XClaim with options.
func (d Immediate) XClaimArgs(ctx context.Context, key, group, consumer string, minIdle time.Duration, opts XClaimOptions, ids ...string) ([]XMessage, error) {
	return d.cmds.XClaimArgs(ctx, key, group, consumer, minIdle, opts, ids...).Result()
}

// XAutoClaim claims for consumer of group up to count (0: the server's
// default, 100) pending entries of the stream at key idle for at least
// minIdle, scanning from the ID start. It returns the ID to scan from
// next ("0-0" once the scan is complete), the claimed entries, and the
// IDs of deleted entries it dropped from the pending entries.
func (d Immediate) XAutoClaim(ctx context.Context, key, group, consumer string, minIdle time.Duration, start string, count int64) (next string, msgs []XMessage, deleted []string, err error) {
	r, err := d.cmds.XAutoClaim(ctx, key, group, consumer, minIdle, start, count).Result()
	return r.Next, r.Messages, r.Deleted, err
}

// XAutoClaimJustID is XAutoClaim returning only the claimed IDs (JUSTID).
func (d Immediate) XAutoClaimJustID(ctx context.Context, key, group, consumer string, minIdle time.Duration, start string, count int64) (next string, ids, deleted []string, err error) {
	r, err := d.cmds.XAutoClaimJustID(ctx, key, group, consumer, minIdle, start, count).Result()
	return r.Next, r.IDs, r.Deleted, err
}

// XInfoStream describes the stream at key.
func (d Immediate) XInfoStream(ctx context.Context, key string) (*XInfoStream, error) {
	return d.cmds.XInfoStream(ctx, key).Result()
}

// XInfoGroups describes the consumer groups of the stream at key.
func (d Immediate) XInfoGroups(ctx context.Context, key string) ([]XInfoGroup, error) {
	return d.cmds.XInfoGroups(ctx, key).Result()
}

// XInfoConsumers describes the consumers of group on the stream at key.
func (d Immediate) XInfoConsumers(ctx context.Context, key, group string) ([]XInfoConsumer, error) {
	return d.cmds.XInfoConsumers(ctx, key, group).Result()
}

// XInfoStreamFull describes the stream at key in full: up to count (0 for
// all) entries, and for each group up to count pending entries and its
// consumers.
func (d Immediate) XInfoStreamFull(ctx context.Context, key string, count int64) (*XInfoStreamFull, error) {
	return d.cmds.XInfoStreamFull(ctx, key, count).Result()
}
