package server

// What COMMAND INFO reports about each command beyond its name, arity and
// legacy key positions: the flags, ACL categories, tips and key specs that
// Redis 7.0.15 declares for it. The data is transcribed from the replies of
// a real redis-server 7.0.15 (COMMAND INFO <name>), and
// TestCommandInfoMatchesRedis compares every entry with it byte for byte.

// A commandInfo is the declared metadata of one command or subcommand.
//
// Its flags are kept apart from command.flags on purpose: those drive this
// server's behaviour (dispatch, MULTI, CLIENT PAUSE, DEBUG protection) and
// sometimes deliberately differ from what Redis declares, while these are
// what clients read. Some declared flags (allow_busy, no_async_loading,
// denyoom) have no behaviour here at all: there are no scripts, no async
// loading and no maxmemory.
type commandInfo struct {
	flags    cmdFlags
	acl      aclCategories
	tips     []string
	keySpecs []keySpec
}

// aclCategories is a set of ACL categories.
type aclCategories uint32

// The ACL categories, in the order of Redis's category table, which is the
// order COMMAND INFO lists a command's categories in (and ACL CAT's).
const (
	aclKeyspace aclCategories = 1 << iota
	aclRead
	aclWrite
	aclSet
	aclSortedset
	aclList
	aclHash
	aclString
	aclBitmap
	aclHyperloglog
	aclGeo
	aclStream
	aclPubsub
	aclAdmin
	aclFast
	aclSlow
	aclBlocking
	aclDangerous
	aclConnection
	aclTransaction
	aclScripting
)

// aclCategoryNames are the names of the categories, indexed by bit.
var aclCategoryNames = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
	"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
	"dangerous", "connection", "transaction", "scripting",
}

// names returns the categories of the set as COMMAND INFO shows them,
// "@"-prefixed, in table order.
func (a aclCategories) names() []string {
	var out []string
	for i, name := range aclCategoryNames {
		if a&(1<<i) != 0 {
			out = append(out, "@"+name)
		}
	}
	return out
}

// keySpecFlags are the flags of a key spec.
type keySpecFlags uint16

// The key spec flags, in the order Redis lists them.
const (
	keyRO     keySpecFlags = 1 << iota // read only
	keyRW                              // read and modified
	keyOW                              // overwritten without being read
	keyRM                              // deleted
	keyAccess                          // the value is returned to the user
	keyUpdate                          // the value is updated (not inserted, not deleted)
	keyInsert                          // data is added
	keyDelete                          // data is removed
	keyNotKey                          // not a key (a shard channel) though it hashes like one
	keyIncomplete
	keyVariableFlags // the flags depend on the arguments
)

var keySpecFlagNames = []string{
	"RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key",
	"incomplete", "variable_flags",
}

// names returns the flags as COMMAND INFO shows them.
func (f keySpecFlags) names() []string {
	var out []string
	for i, name := range keySpecFlagNames {
		if f&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// A keySpec says where a group of a command's keys are and what the command
// does to them. Every command we implement finds its keys the same way:
// begin_search by index (the first key's position) and find_keys by range
// (the last key, relative to the first or negative from the end; the step;
// and the limit, 0 for none).
type keySpec struct {
	notes                   string
	flags                   keySpecFlags
	index                   int
	lastKey, keyStep, limit int
}

// commandInfos holds every command's declared metadata, keyed by the name
// COMMAND INFO reports ("object|encoding" for subcommands). CLIENT SETINFO
// is ours alone (Redis 7.2 added it; go-redis sends it): its entry follows
// the other CLIENT subcommands that only set connection state.
var commandInfos = map[string]commandInfo{
	"append":                  {flags: flagWrite | flagDenyOOM | flagFast, acl: aclWrite | aclString | aclFast, keySpecs: []keySpec{{flags: keyRW | keyInsert, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"auth":                    {flags: flagNoScript | flagLoading | flagStale | flagFast | flagNoAuth | flagAllowBusy, acl: aclFast | aclConnection},
	"bgsave":                  {flags: flagAdmin | flagNoScript | flagNoAsyncLoading, acl: aclAdmin | aclSlow | aclDangerous},
	"bitcount":                {flags: flagReadonly, acl: aclRead | aclBitmap | aclSlow, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"bitpos":                  {flags: flagReadonly, acl: aclRead | aclBitmap | aclSlow, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"client":                  {acl: aclSlow},
	"client|getname":          {flags: flagNoScript | flagLoading | flagStale, acl: aclSlow | aclConnection},
	"client|help":             {flags: flagLoading | flagStale, acl: aclSlow | aclConnection},
	"client|id":               {flags: flagNoScript | flagLoading | flagStale, acl: aclSlow | aclConnection},
	"client|info":             {flags: flagNoScript | flagLoading | flagStale, acl: aclSlow | aclConnection, tips: []string{"nondeterministic_output"}},
	"client|kill":             {flags: flagAdmin | flagNoScript | flagLoading | flagStale, acl: aclAdmin | aclSlow | aclDangerous | aclConnection},
	"client|list":             {flags: flagAdmin | flagNoScript | flagLoading | flagStale, acl: aclAdmin | aclSlow | aclDangerous | aclConnection, tips: []string{"nondeterministic_output"}},
	"client|no-evict":         {flags: flagAdmin | flagNoScript | flagLoading | flagStale, acl: aclAdmin | aclSlow | aclDangerous | aclConnection},
	"client|pause":            {flags: flagAdmin | flagNoScript | flagLoading | flagStale, acl: aclAdmin | aclSlow | aclDangerous | aclConnection},
	"client|reply":            {flags: flagNoScript | flagLoading | flagStale, acl: aclSlow | aclConnection},
	"client|setname":          {flags: flagNoScript | flagLoading | flagStale, acl: aclSlow | aclConnection},
	"client|setinfo":          {flags: flagNoScript | flagLoading | flagStale, acl: aclSlow | aclConnection}, // as 7.2 declares it
	"client|unpause":          {flags: flagAdmin | flagNoScript | flagLoading | flagStale, acl: aclAdmin | aclSlow | aclDangerous | aclConnection},
	"command":                 {flags: flagLoading | flagStale, acl: aclSlow | aclConnection, tips: []string{"nondeterministic_output_order"}},
	"command|count":           {flags: flagLoading | flagStale, acl: aclSlow | aclConnection},
	"command|docs":            {flags: flagLoading | flagStale, acl: aclSlow | aclConnection, tips: []string{"nondeterministic_output_order"}},
	"command|getkeys":         {flags: flagLoading | flagStale, acl: aclSlow | aclConnection},
	"command|getkeysandflags": {flags: flagLoading | flagStale, acl: aclSlow | aclConnection},
	"command|help":            {flags: flagLoading | flagStale, acl: aclSlow | aclConnection},
	"command|info":            {flags: flagLoading | flagStale, acl: aclSlow | aclConnection, tips: []string{"nondeterministic_output_order"}},
	"command|list":            {flags: flagLoading | flagStale, acl: aclSlow | aclConnection, tips: []string{"nondeterministic_output_order"}},
	"config":                  {acl: aclSlow},
	"config|get":              {flags: flagAdmin | flagNoScript | flagLoading | flagStale, acl: aclAdmin | aclSlow | aclDangerous},
	"config|help":             {flags: flagLoading | flagStale, acl: aclSlow},
	"config|resetstat":        {flags: flagAdmin | flagNoScript | flagLoading | flagStale, acl: aclAdmin | aclSlow | aclDangerous},
	"config|rewrite":          {flags: flagAdmin | flagNoScript | flagLoading | flagStale, acl: aclAdmin | aclSlow | aclDangerous},
	"config|set":              {flags: flagAdmin | flagNoScript | flagLoading | flagStale, acl: aclAdmin | aclSlow | aclDangerous, tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"}},
	"copy":                    {flags: flagWrite | flagDenyOOM, acl: aclKeyspace | aclWrite | aclSlow, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}, {flags: keyOW | keyUpdate, index: 2, lastKey: 0, keyStep: 1, limit: 0}}},
	"dbsize":                  {flags: flagReadonly | flagFast, acl: aclKeyspace | aclRead | aclFast, tips: []string{"request_policy:all_shards", "response_policy:agg_sum"}},
	"debug":                   {flags: flagAdmin | flagNoScript | flagLoading | flagStale, acl: aclAdmin | aclSlow | aclDangerous},
	"decr":                    {flags: flagWrite | flagDenyOOM | flagFast, acl: aclWrite | aclString | aclFast, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"decrby":                  {flags: flagWrite | flagDenyOOM | flagFast, acl: aclWrite | aclString | aclFast, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"del":                     {flags: flagWrite, acl: aclKeyspace | aclWrite | aclSlow, tips: []string{"request_policy:multi_shard", "response_policy:agg_sum"}, keySpecs: []keySpec{{flags: keyRM | keyDelete, index: 1, lastKey: -1, keyStep: 1, limit: 0}}},
	"discard":                 {flags: flagNoScript | flagLoading | flagStale | flagFast | flagAllowBusy, acl: aclFast | aclTransaction},
	"echo":                    {flags: flagLoading | flagStale | flagFast, acl: aclFast | aclConnection},
	"exec":                    {flags: flagNoScript | flagLoading | flagStale | flagSkipSlowlog, acl: aclSlow | aclTransaction},
	"exists":                  {flags: flagReadonly | flagFast, acl: aclKeyspace | aclRead | aclFast, tips: []string{"request_policy:multi_shard", "response_policy:agg_sum"}, keySpecs: []keySpec{{flags: keyRO, index: 1, lastKey: -1, keyStep: 1, limit: 0}}},
	"expire":                  {flags: flagWrite | flagFast, acl: aclKeyspace | aclWrite | aclFast, keySpecs: []keySpec{{flags: keyRW | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"expireat":                {flags: flagWrite | flagFast, acl: aclKeyspace | aclWrite | aclFast, keySpecs: []keySpec{{flags: keyRW | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"expiretime":              {flags: flagReadonly | flagFast, acl: aclKeyspace | aclRead | aclFast, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"flushall":                {flags: flagWrite, acl: aclKeyspace | aclWrite | aclSlow | aclDangerous, tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"}},
	"flushdb":                 {flags: flagWrite, acl: aclKeyspace | aclWrite | aclSlow | aclDangerous, tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"}},
	"get":                     {flags: flagReadonly | flagFast, acl: aclRead | aclString | aclFast, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"getbit":                  {flags: flagReadonly | flagFast, acl: aclRead | aclBitmap | aclFast, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"getdel":                  {flags: flagWrite | flagFast, acl: aclWrite | aclString | aclFast, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyDelete, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"getex":                   {flags: flagWrite | flagFast, acl: aclWrite | aclString | aclFast, keySpecs: []keySpec{{notes: "RW and UPDATE because it changes the TTL", flags: keyRW | keyAccess | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"getrange":                {flags: flagReadonly, acl: aclRead | aclString | aclSlow, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"getset":                  {flags: flagWrite | flagDenyOOM | flagFast, acl: aclWrite | aclString | aclFast, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"hello":                   {flags: flagNoScript | flagLoading | flagStale | flagFast | flagNoAuth | flagAllowBusy, acl: aclFast | aclConnection},
	"incr":                    {flags: flagWrite | flagDenyOOM | flagFast, acl: aclWrite | aclString | aclFast, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"incrby":                  {flags: flagWrite | flagDenyOOM | flagFast, acl: aclWrite | aclString | aclFast, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"incrbyfloat":             {flags: flagWrite | flagDenyOOM | flagFast, acl: aclWrite | aclString | aclFast, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"info":                    {flags: flagLoading | flagStale, acl: aclSlow | aclDangerous, tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}},
	"keys":                    {flags: flagReadonly, acl: aclKeyspace | aclRead | aclSlow | aclDangerous, tips: []string{"request_policy:all_shards", "nondeterministic_output_order"}},
	"lastsave":                {flags: flagLoading | flagStale | flagFast, acl: aclAdmin | aclFast | aclDangerous, tips: []string{"nondeterministic_output"}},
	"lcs":                     {flags: flagReadonly, acl: aclRead | aclString | aclSlow, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 1, keyStep: 1, limit: 0}}},
	"mget":                    {flags: flagReadonly | flagFast, acl: aclRead | aclString | aclFast, tips: []string{"request_policy:multi_shard"}, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: -1, keyStep: 1, limit: 0}}},
	"move":                    {flags: flagWrite | flagFast, acl: aclKeyspace | aclWrite | aclFast, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"mset":                    {flags: flagWrite | flagDenyOOM, acl: aclWrite | aclString | aclSlow, tips: []string{"request_policy:multi_shard", "response_policy:all_succeeded"}, keySpecs: []keySpec{{flags: keyOW | keyUpdate, index: 1, lastKey: -1, keyStep: 2, limit: 0}}},
	"msetnx":                  {flags: flagWrite | flagDenyOOM, acl: aclWrite | aclString | aclSlow, tips: []string{"request_policy:multi_shard", "response_policy:agg_min"}, keySpecs: []keySpec{{flags: keyOW | keyInsert, index: 1, lastKey: -1, keyStep: 2, limit: 0}}},
	"multi":                   {flags: flagNoScript | flagLoading | flagStale | flagFast | flagAllowBusy, acl: aclFast | aclTransaction},
	"object":                  {acl: aclSlow},
	"object|encoding":         {flags: flagReadonly, acl: aclKeyspace | aclRead | aclSlow, tips: []string{"nondeterministic_output"}, keySpecs: []keySpec{{flags: keyRO, index: 2, lastKey: 0, keyStep: 1, limit: 0}}},
	"object|freq":             {flags: flagReadonly, acl: aclKeyspace | aclRead | aclSlow, tips: []string{"nondeterministic_output"}, keySpecs: []keySpec{{flags: keyRO, index: 2, lastKey: 0, keyStep: 1, limit: 0}}},
	"object|help":             {flags: flagLoading | flagStale, acl: aclKeyspace | aclSlow},
	"object|idletime":         {flags: flagReadonly, acl: aclKeyspace | aclRead | aclSlow, tips: []string{"nondeterministic_output"}, keySpecs: []keySpec{{flags: keyRO, index: 2, lastKey: 0, keyStep: 1, limit: 0}}},
	"object|refcount":         {flags: flagReadonly, acl: aclKeyspace | aclRead | aclSlow, tips: []string{"nondeterministic_output"}, keySpecs: []keySpec{{flags: keyRO, index: 2, lastKey: 0, keyStep: 1, limit: 0}}},
	"persist":                 {flags: flagWrite | flagFast, acl: aclKeyspace | aclWrite | aclFast, keySpecs: []keySpec{{flags: keyRW | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"pexpire":                 {flags: flagWrite | flagFast, acl: aclKeyspace | aclWrite | aclFast, keySpecs: []keySpec{{flags: keyRW | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"pexpireat":               {flags: flagWrite | flagFast, acl: aclKeyspace | aclWrite | aclFast, keySpecs: []keySpec{{flags: keyRW | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"pexpiretime":             {flags: flagReadonly | flagFast, acl: aclKeyspace | aclRead | aclFast, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"ping":                    {flags: flagFast, acl: aclFast | aclConnection, tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"}},
	"psetex":                  {flags: flagWrite | flagDenyOOM, acl: aclWrite | aclString | aclSlow, keySpecs: []keySpec{{flags: keyOW | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"psubscribe":              {flags: flagPubSub | flagNoScript | flagLoading | flagStale, acl: aclPubsub | aclSlow},
	"pttl":                    {flags: flagReadonly | flagFast, acl: aclKeyspace | aclRead | aclFast, tips: []string{"nondeterministic_output"}, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"publish":                 {flags: flagPubSub | flagLoading | flagStale | flagFast, acl: aclPubsub | aclFast},
	"pubsub":                  {acl: aclSlow},
	"pubsub|channels":         {flags: flagPubSub | flagLoading | flagStale, acl: aclPubsub | aclSlow},
	"pubsub|help":             {flags: flagLoading | flagStale, acl: aclSlow},
	"pubsub|numpat":           {flags: flagPubSub | flagLoading | flagStale, acl: aclPubsub | aclSlow},
	"pubsub|numsub":           {flags: flagPubSub | flagLoading | flagStale, acl: aclPubsub | aclSlow},
	"pubsub|shardchannels":    {flags: flagPubSub | flagLoading | flagStale, acl: aclPubsub | aclSlow},
	"pubsub|shardnumsub":      {flags: flagPubSub | flagLoading | flagStale, acl: aclPubsub | aclSlow},
	"punsubscribe":            {flags: flagPubSub | flagNoScript | flagLoading | flagStale, acl: aclPubsub | aclSlow},
	"quit":                    {flags: flagNoScript | flagLoading | flagStale | flagFast | flagNoAuth | flagAllowBusy, acl: aclFast | aclConnection},
	"randomkey":               {flags: flagReadonly, acl: aclKeyspace | aclRead | aclSlow, tips: []string{"request_policy:all_shards", "nondeterministic_output"}},
	"rename":                  {flags: flagWrite, acl: aclKeyspace | aclWrite | aclSlow, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyDelete, index: 1, lastKey: 0, keyStep: 1, limit: 0}, {flags: keyOW | keyUpdate, index: 2, lastKey: 0, keyStep: 1, limit: 0}}},
	"renamenx":                {flags: flagWrite | flagFast, acl: aclKeyspace | aclWrite | aclFast, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyDelete, index: 1, lastKey: 0, keyStep: 1, limit: 0}, {flags: keyOW | keyInsert, index: 2, lastKey: 0, keyStep: 1, limit: 0}}},
	"reset":                   {flags: flagNoScript | flagLoading | flagStale | flagFast | flagNoAuth | flagAllowBusy, acl: aclFast | aclConnection},
	"save":                    {flags: flagAdmin | flagNoScript | flagNoAsyncLoading | flagNoMulti, acl: aclAdmin | aclSlow | aclDangerous},
	"scan":                    {flags: flagReadonly, acl: aclKeyspace | aclRead | aclSlow, tips: []string{"nondeterministic_output", "request_policy:special"}},
	"select":                  {flags: flagLoading | flagStale | flagFast, acl: aclFast | aclConnection},
	"set":                     {flags: flagWrite | flagDenyOOM, acl: aclWrite | aclString | aclSlow, keySpecs: []keySpec{{notes: "RW and ACCESS due to the optional `GET` argument", flags: keyRW | keyAccess | keyUpdate | keyVariableFlags, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"setbit":                  {flags: flagWrite | flagDenyOOM, acl: aclWrite | aclBitmap | aclSlow, keySpecs: []keySpec{{flags: keyRW | keyAccess | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"setex":                   {flags: flagWrite | flagDenyOOM, acl: aclWrite | aclString | aclSlow, keySpecs: []keySpec{{flags: keyOW | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"setnx":                   {flags: flagWrite | flagDenyOOM | flagFast, acl: aclWrite | aclString | aclFast, keySpecs: []keySpec{{flags: keyOW | keyInsert, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"setrange":                {flags: flagWrite | flagDenyOOM, acl: aclWrite | aclString | aclSlow, keySpecs: []keySpec{{flags: keyRW | keyUpdate, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"shutdown":                {flags: flagAdmin | flagNoScript | flagLoading | flagStale | flagNoMulti | flagAllowBusy, acl: aclAdmin | aclSlow | aclDangerous},
	"spublish":                {flags: flagPubSub | flagLoading | flagStale | flagFast, acl: aclPubsub | aclFast, keySpecs: []keySpec{{flags: keyNotKey, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"ssubscribe":              {flags: flagPubSub | flagNoScript | flagLoading | flagStale, acl: aclPubsub | aclSlow, keySpecs: []keySpec{{flags: keyNotKey, index: 1, lastKey: -1, keyStep: 1, limit: 0}}},
	"strlen":                  {flags: flagReadonly | flagFast, acl: aclRead | aclString | aclFast, keySpecs: []keySpec{{flags: keyRO, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"subscribe":               {flags: flagPubSub | flagNoScript | flagLoading | flagStale, acl: aclPubsub | aclSlow},
	"substr":                  {flags: flagReadonly, acl: aclRead | aclString | aclSlow, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"sunsubscribe":            {flags: flagPubSub | flagNoScript | flagLoading | flagStale, acl: aclPubsub | aclSlow, keySpecs: []keySpec{{flags: keyNotKey, index: 1, lastKey: -1, keyStep: 1, limit: 0}}},
	"swapdb":                  {flags: flagWrite | flagFast, acl: aclKeyspace | aclWrite | aclFast | aclDangerous},
	"time":                    {flags: flagLoading | flagStale | flagFast, acl: aclFast, tips: []string{"nondeterministic_output"}},
	"touch":                   {flags: flagReadonly | flagFast, acl: aclKeyspace | aclRead | aclFast, tips: []string{"request_policy:multi_shard", "response_policy:agg_sum"}, keySpecs: []keySpec{{flags: keyRO, index: 1, lastKey: -1, keyStep: 1, limit: 0}}},
	"ttl":                     {flags: flagReadonly | flagFast, acl: aclKeyspace | aclRead | aclFast, tips: []string{"nondeterministic_output"}, keySpecs: []keySpec{{flags: keyRO | keyAccess, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"type":                    {flags: flagReadonly | flagFast, acl: aclKeyspace | aclRead | aclFast, keySpecs: []keySpec{{flags: keyRO, index: 1, lastKey: 0, keyStep: 1, limit: 0}}},
	"unlink":                  {flags: flagWrite | flagFast, acl: aclKeyspace | aclWrite | aclFast, tips: []string{"request_policy:multi_shard", "response_policy:agg_sum"}, keySpecs: []keySpec{{flags: keyRM | keyDelete, index: 1, lastKey: -1, keyStep: 1, limit: 0}}},
	"unsubscribe":             {flags: flagPubSub | flagNoScript | flagLoading | flagStale, acl: aclPubsub | aclSlow},
	"unwatch":                 {flags: flagNoScript | flagLoading | flagStale | flagFast | flagAllowBusy, acl: aclFast | aclTransaction},
	"watch":                   {flags: flagNoScript | flagLoading | flagStale | flagFast | flagAllowBusy, acl: aclFast | aclTransaction, keySpecs: []keySpec{{flags: keyRO, index: 1, lastKey: -1, keyStep: 1, limit: 0}}},
}
