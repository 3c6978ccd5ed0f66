// Package rdb reads and writes Redis RDB snapshot files, the format of
// Redis's dump.rdb, so that mini-redis can load Redis's snapshots and
// Redis can load mini-redis's.
//
// Writer writes format version 10, as Redis 7.0 does; Reader reads
// versions 9 (Redis 5 and 6) to 11 (Redis 7.2). Strings, lists, hashes,
// sets, sorted sets and streams are supported: an Entry holds a string's
// bytes, a list's elements, a hash's pairs, a set's members or a sorted
// set's members and scores, with the name of the collection's encoding,
// or a Stream (its nodes, IDs and consumer groups). A file
// holding a module value is rejected with an error wrapping
// ErrUnsupported that names the value type and the byte offset at which
// it starts. Function libraries are read and written as their code,
// opaque bytes (Reader.Libraries, Writer.WriteLibrary). AppendDump and
// ParseDump write and read the payloads of Redis's DUMP and RESTORE: one
// value, without the file; AppendFunctionDump and ParseFunctionDump those
// of FUNCTION DUMP and FUNCTION RESTORE.
//
// The package knows nothing of mini-redis's own values: its caller
// converts Entries to and from them, and decides their encodings in
// memory. Redis 7.0, loading a file, gives every list its quicklist
// encoding; keeps a hash that the file holds as a listpack (or ziplist) a
// listpack unless it has more than hash-max-listpack-entries fields,
// whatever the length of its values; makes a hash held field by field, or
// as a zipmap, a listpack if it has few enough fields and none of them or
// their values is longer than hash-max-listpack-value; and makes a set an
// intset if its members are integers and no more than
// set-max-intset-entries, whether the file holds an intset or not. A
// sorted set held member by member is a listpack if it has at most
// zset-max-listpack-entries members and none longer than
// zset-max-listpack-value; one held as a listpack (or ziplist) stays one
// unless it has more members than that.
//
// # Format
//
// A file is the header "REDIS" and four version digits, then a sequence
// of records, each introduced by one byte:
//
//	0xFA AUX           two strings: metadata such as redis-ver and ctime
//	0xFE SELECTDB      a length: the database of the keys that follow
//	0xFB RESIZEDB      two lengths: how many keys and expiring keys it has
//	0xFC EXPIRETIME_MS 8 bytes, little-endian: the next key's expiry, unix ms
//	0xFD EXPIRETIME    4 bytes, little-endian: the same in seconds (old files)
//	0xF8 IDLE, 0xF9 FREQ  LRU and LFU hints for the next key
//	0x00 ... 0x15      a value type, then the key (a string) and the value
//	0xFF EOF           then the CRC-64 of everything before, 8 bytes little-endian
//
// Values of the types read here:
//
//	0  string          a string
//	1  list            a length, then the elements (before Redis 3.2)
//	2  set             a length, then the members
//	3  zset            a length, then members and scores as text (Redis 2)
//	4  hash            a length, then fields and values
//	5  zset v2         a length, then members and scores, binary doubles,
//	                   from the highest score down
//	9  hash zipmap     a zipmap (Redis 2.4)
//	10 list ziplist    a ziplist (before Redis 3.2)
//	11 set intset      an intset
//	12 zset ziplist    a ziplist of members and scores (before Redis 7.0)
//	13 hash ziplist    a ziplist of fields and values (before Redis 7.0)
//	14 list quicklist  a length, then as many ziplists (Redis 3.2 to 6.2)
//	16 hash listpack   a listpack of fields and values (Redis 7.0)
//	17 zset listpack   a listpack of members and scores, in order: an
//	                   integer score as an integer, others as "%.17g"
//	18 list quicklist2 a length, then as many nodes: a length, 2 for a
//	                   listpack or 1 for a plain element, and the node (7.0)
//	20 set listpack    a listpack of members (Redis 7.2)
//
// A ziplist, listpack, intset or zipmap is a string in the file, so it may
// be LZF-compressed; each is described, and checked as deeply as Redis
// checks it with sanitize-dump-payload on, in the file that parses it.
// Redis 7.0 writes types 0, 2, 4, 5, 11, 16, 17 and 18, which is what
// Writer writes.
//
// Lengths take 1, 2, 5 or 9 bytes. Strings are a length and the bytes,
// or a special encoding: an 8-, 16- or 32-bit integer (little-endian) in
// place of its decimal digits, or LZF-compressed data with both lengths.
// The checksum is CRC-64-Jones (reflected, initial value 0, no final
// xor); a checksum of 0 means the writer had checksums turned off.
//
// # Loading safely
//
// An error can come after some keys have been read: a file cut short,
// or corrupted anywhere, is only known to be bad at its end, where the
// checksum is. Load makes the rule explicit: load into a fresh keyspace,
// and use it only if Load returns nil.
//
// Corrupt input never makes the Reader panic or allocate much more memory
// than the input holds: lengths and counts are trusted only as far as the
// bytes they announce have arrived, and a blob is parsed only once it is
// all there.
package rdb
