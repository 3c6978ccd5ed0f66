// Package rdb reads and writes Redis RDB snapshot files, the format of
// Redis's dump.rdb, so that mini-redis can load Redis's snapshots and
// Redis can load mini-redis's.
//
// Writer writes format version 10, as Redis 7.0 does; Reader reads
// versions 9 (Redis 5 and 6) to 11 (Redis 7.2). mini-redis stores only
// strings, so only string values are supported: a file holding a list,
// hash, set, sorted set, stream, module value or function library is
// rejected with an error wrapping ErrUnsupported that names the value
// type and the byte offset at which it starts.
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
// than the input holds: lengths are trusted only as far as the bytes they
// announce have arrived.
package rdb
