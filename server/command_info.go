package server

//go:generate go run ../tools/gencommands

// The metadata Redis declares for its commands: what COMMAND INFO and
// COMMAND DOCS report. It is generated (commands_gen.go, by
// tools/gencommands) from the replies of a real redis-server 7.0.15,
// captured in commanddata/redis-7.0.15.json, for every command Redis has,
// implemented here or not; newCommandTable gives each command of the table
// its entry. TestCommandInfoMatchesRedis and TestCommandDocsMatchesRedis
// compare the replies with Redis's byte for byte.

// A commandMeta is what Redis declares about one command or subcommand.
type commandMeta struct {
	arity int // argument count including the name; -n means at least n

	// Positions of the keys in the arguments, as in COMMAND INFO: the
	// first, the last (negative counts from the end) and the step. 0, 0, 0
	// when the command takes no keys, or finds them in a way these cannot
	// say (movablekeys).
	firstKey, lastKey, keyStep int

	info commandInfo
	doc  commandDoc
}

// lookupMeta returns the declared metadata of the command name: Redis
// 7.0.15's, or for the few commands this server has from later versions,
// the entry in laterCommands.
func lookupMeta(name string) (commandMeta, bool) {
	if m, ok := redisCommands[name]; ok {
		return m, true
	}
	m, ok := laterCommands[name]
	return m, ok
}

// laterCommands are the commands this server implements that Redis 7.0
// lacks, with their metadata written by hand in 7.0's style from the
// version that added them. They are the only metadata not generated;
// the differential tests skip them (see commandInfoExceptions).
var laterCommands = map[string]commandMeta{
	// CLIENT SETINFO came with Redis 7.2; go-redis sends it on connect.
	"client|setinfo": {
		arity: 4,
		info:  commandInfo{flags: flagNoScript | flagLoading | flagStale, acl: aclSlow | aclConnection},
		doc: commandDoc{
			summary: "Set information specific to the client or connection", since: "7.2.0",
			group: "connection", complexity: "O(1)",
			args: []docArg{
				{name: "attr", typ: "oneof", args: []docArg{
					{name: "libname", typ: "string", token: "LIB-NAME"},
					{name: "libver", typ: "string", token: "LIB-VER"},
				}},
			},
		},
	},
}

// A commandInfo is the declared metadata of one command or subcommand.
//
// Its flags are kept apart from command.flags on purpose: those drive this
// server's behaviour (dispatch, MULTI, CLIENT PAUSE, DEBUG protection) and
// deliberately differ from what Redis declares, while these are what
// clients read. The behaviour flags add what Redis hides or says in code:
// flagExclusive (the commands that act on whole databases run with all
// others paused), flagProtected (DEBUG; Redis 7.0 does not report it),
// flagMayReplicate (PUBLISH; not reported either), and flagRunsInMulti,
// flagRunsQueue and flagSubscribeContext (Redis's processCommand names the
// commands). Many declared flags (allow_busy, no_async_loading, denyoom,
// loading, stale, fast, ...) have no behaviour here at all: there is no
// async loading, no replica and no maxmemory. Scripts read noscript and
// write from these declared flags, as Redis's scriptCall does.
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
// does to them: in two steps, begin_search finds the first key and
// find_keys the others from there.
type keySpec struct {
	notes string
	flags keySpecFlags
	begin beginSearch
	find  findKeys
}

// beginKind is the way a key spec's begin_search step finds the first key.
type beginKind uint8

const (
	beginUnknown beginKind = iota // not declared: the command parses its own arguments
	beginIndex                    // at a fixed position
	beginKeyword                  // after a token, such as STREAMS
)

// A beginSearch is a key spec's begin_search step.
type beginSearch struct {
	kind  beginKind
	index int // beginIndex: the position of the first key

	// beginKeyword: the keys follow the first argument equal to keyword,
	// looked for from startFrom on (from the end backwards when negative).
	keyword   string
	startFrom int
}

// findKind is the way a key spec's find_keys step finds the keys after the
// first.
type findKind uint8

const (
	findUnknown findKind = iota // not declared
	findRange                   // up to a position, at a step
	findKeynum                  // as many as an argument says (EVAL's numkeys)
)

// A findKeys is a key spec's find_keys step, from the first key.
type findKeys struct {
	kind    findKind
	keyStep int // findRange and findKeynum: the distance between keys

	// findRange: the last key, relative to the first or, when negative,
	// from the end; and when lastKey is -1, a limit: only 1/limit of the
	// remaining arguments are keys (0 for all).
	lastKey, limit int

	// findKeynum: the position of the key count relative to the first
	// key, and of the first key relative to it.
	keyNumIdx, firstKey int
}
