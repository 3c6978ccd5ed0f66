package server

import (
	"strings"
	"testing"
)

// Differential tests of BITOP, BITFIELD and BITFIELD_RO, run as the set
// scripts are (runCollectionScripts: RESP2 and RESP3, the keyspace
// lookups and the dirty count compared after every step): BITFIELD counts
// one change per write that changes its field or grows the string, and a
// write that fails under OVERFLOW FAIL counts none. Their keyspace events
// and WATCH are compared in TestDifferentialConnections.
var bitopsDiffScripts = map[string][]step{
	"bitop": {
		s("SET a abc"), q("SET", "b", "\x0f\xf0"), s("SET c 1"), q("SET", "empty", ""),
		s("BITOP AND d a b"), s("GET d"), s("OBJECT ENCODING d"), s("BITOP OR d a b"), s("GET d"), s("BITOP XOR d a b"),
		s("GET d"), s("BITOP NOT d a"), s("GET d"), s("BITOP NOT d b"), s("GET d"), s("STRLEN d"),
		s("BITOP and d a b c"), s("GET d"), s("BITOP or d a b c"), s("GET d"), s("BITOP xor d a b c"), s("GET d"),
		s("BITOP Not d c"), s("GET d"), s("OBJECT ENCODING d"), s("BITOP XOR d a a"), s("GET d"), s("EXISTS d"),
		s("BITOP AND d a"), s("GET d"), s("BITOP OR d a a a a"), s("GET d"),
		// Missing keys and empty strings are empty strings: zeros for
		// AND, nothing for OR and XOR.
		s("BITOP AND d a missing"), s("GET d"), s("BITOP AND d missing a"), s("GET d"), s("BITOP OR d missing a"),
		s("GET d"), s("BITOP XOR d a missing b"), s("GET d"), s("BITOP AND d a empty"), s("GET d"),
		s("BITOP OR d empty a"), s("GET d"),
		// An empty result deletes destkey, counting a change only if it
		// existed.
		s("BITOP AND d missing"), s("EXISTS d"), s("BITOP AND d missing"), s("BITOP OR d missing other"),
		s("BITOP NOT d missing"), s("BITOP NOT d empty"), s("SET d x"), s("BITOP NOT d empty"), s("EXISTS d"),
		s("SET d x"), s("BITOP XOR d missing empty"), s("EXISTS d"),
		// destkey of any type is replaced, and loses its deadline; a
		// source may be destkey itself.
		s("RPUSH l x"), s("BITOP OR l a"), s("TYPE l"), s("GET l"), s("SET t v"), s("EXPIRE t 100"),
		s("BITOP OR t a"), s("TTL t"), s("BITOP XOR a a b"), s("GET a"), s("BITOP NOT a a"), s("GET a"),
		s("SET i 5"), s("OBJECT ENCODING i"), s("BITOP OR i i"), s("OBJECT ENCODING i"), s("GET i"),
		s("SET n -12345"), s("BITOP NOT n n"), s("STRLEN n"),
		q("SET", "bin", "\x00\xff\x80\x01\x7f"), s("BITOP NOT nb bin"), s("GET nb"), s("BITOP AND ab bin nb"),
		s("GET ab"), s("BITOP OR ob bin nb a"), s("GET ob"),
		// Errors: the operation, then NOT's arity, then the sources'
		// types in order (the keys after a wrong one are not looked up).
		s("BITOP NAND d a"), s("BITOP AND"), s("BITOP AND d"), s("BITOP NOT d"), s("BITOP NOT d a b"),
		s("BITOP NOT d missing missing"), s("BITOP BOGUS d"), s("BITOP"), q("BITOP", "AND\x00x", "d", "a"),
		q("BITOP", "", "d", "a"), s("RPUSH list x"), s("BITOP AND d list"), s("BITOP OR d a list missing"),
		s("BITOP XOR d missing list a"), s("BITOP NOT d list"), s("BITOP NAND d list"), s("BITOP NOT d list a"),
		s("GET d"), s("BITOP OR list a"), s("TYPE list"),
	},
	"bitop long strings": {
		s("SETRANGE long 1000 x"), s("SETRANGE long2 37 yz"), s("SETRANGE long3 2048 q"),
		s("BITOP OR d long long2"), s("STRLEN d"), s("GETRANGE d 30 45"), s("BITOP AND d long long2"), s("STRLEN d"),
		s("BITCOUNT d"), s("BITOP XOR d long long2 long3"), s("STRLEN d"), s("BITCOUNT d"), s("GETRANGE d 995 1005"),
		s("BITOP NOT d long3"), s("BITCOUNT d"), s("STRLEN d"), s("BITOP AND d long3 d"), s("BITCOUNT d"),
		s("SET s0 0123456789abcdefghij"), s("SET s1 ABCDEFGHIJKLMNOPQRSTU"), s("BITOP AND d s0 s1"), s("GET d"),
		s("BITOP OR d s0 s1"), s("GET d"), s("BITOP XOR d s0 s1"), s("GET d"), s("BITOP NOT d s1"), s("GET d"),
	},
	"bitfield get": {
		q("SET", "k", "\x80\x01\xff\x7f\x00\xaa"),
		s("BITFIELD k GET u1 0"), s("BITFIELD k GET i1 0"), s("BITFIELD k GET u8 0"), s("BITFIELD k GET i8 0"),
		s("BITFIELD k GET u4 4"), s("BITFIELD k GET i4 12"), s("BITFIELD k GET u16 4"), s("BITFIELD k GET i16 8"),
		s("BITFIELD k GET u63 0"), s("BITFIELD k GET i64 0"), s("BITFIELD k GET i64 1"), s("BITFIELD k GET u63 7"),
		s("BITFIELD k GET i64 40"), s("BITFIELD k GET u32 44"), s("BITFIELD k GET i7 45"), s("BITFIELD k GET u3 47"),
		s("BITFIELD k GET u8 #0 GET u8 #1 GET u8 #2 GET i8 #3 GET u8 #5 GET u8 #6"), s("BITFIELD k GET i5 #3"),
		s("BITFIELD k GET i64 #0"), s("BITFIELD k GET u8 100"), s("BITFIELD k GET i64 4294967295"),
		s("BITFIELD k GET u8 4294967288"), s("BITFIELD k GET u8 4294967289"), s("BITFIELD k GET u8 #536870911"),
		s("BITFIELD k GET u16 #268435455"), s("STRLEN k"),
		// Only GETs on a missing key: a read, which creates nothing.
		s("BITFIELD missing GET u8 0 GET i64 99"), s("EXISTS missing"), s("BITFIELD missing"), s("EXISTS missing"),
		s("BITFIELD k"), s("BITFIELD_RO missing GET u8 0"), s("BITFIELD_RO k"), s("BITFIELD k OVERFLOW SAT GET u2 0"),
		s("BITFIELD k get u8 0 Get i8 0 gEt u8 #1"),
		s("SET n 1234"), s("BITFIELD n GET u8 0 GET u32 0"), s("OBJECT ENCODING n"), s("BITFIELD_RO n GET i16 #1"),
		s("OBJECT ENCODING n"), q("SET", "e", ""), s("BITFIELD e GET u8 0"), s("BITFIELD_RO e GET i3 5"),
		// BITFIELD_RO is BITFIELD's GET and OVERFLOW.
		s("BITFIELD_RO k GET u8 0 GET i4 #1"), s("BITFIELD_RO k OVERFLOW FAIL GET u8 0"),
		s("BITFIELD_RO k SET u8 0 1"), s("BITFIELD_RO k INCRBY u8 0 1"), s("BITFIELD_RO k GET u8 0 SET u8 0 1"),
		s("BITFIELD_RO missing SET u8 0 1"), s("EXISTS missing"), s("RPUSH list x"), s("BITFIELD_RO list GET u8 0"),
		s("BITFIELD_RO list SET u8 0 1"), s("BITFIELD_RO k SET u8 0 x"), s("BITFIELD_RO k SET u99 0 1"),
		s("BITFIELD_RO k BOGUS"), s("BITFIELD_RO k GET u8"), s("BITFIELD_RO"), s("GET k"),
		s("BITFIELD list GET u8 0"), s("BITFIELD list"), s("BITFIELD list SET u8 0 1"), s("BITFIELD list GET u8 x"),
		s("TYPE list"),
	},
	"bitfield set incrby": {
		s("BITFIELD k SET u8 0 255"), s("GET k"), s("OBJECT ENCODING k"), s("BITFIELD k SET u8 0 255"),
		s("BITFIELD k SET i8 0 -1"), s("BITFIELD k SET i8 0 0 GET u8 0"), s("GET k"), s("BITFIELD k SET u4 4 15"),
		s("GET k"), s("BITFIELD k SET u4 12 15"), s("STRLEN k"), s("GET k"), s("BITFIELD k SET u4 12 15"),
		s("BITFIELD k INCRBY u4 12 0"), s("BITFIELD k INCRBY u4 12 1"), s("BITFIELD k INCRBY u4 12 -1"),
		s("BITFIELD k INCRBY i4 12 -9"), s("BITFIELD k INCRBY i4 12 7"), s("BITFIELD k INCRBY i4 12 100"),
		s("BITFIELD k SET i64 0 -9223372036854775808"), s("BITFIELD k GET i64 0 GET u63 0 GET u63 1"),
		s("BITFIELD k INCRBY i64 0 -1"), s("BITFIELD k INCRBY i64 0 1"), s("BITFIELD k INCRBY i64 0 9223372036854775807"),
		s("BITFIELD k SET u63 1 9223372036854775807"), s("BITFIELD k INCRBY u63 1 1"), s("BITFIELD k GET u63 1"),
		s("BITFIELD k SET u1 0 1 SET u1 1 1 SET u1 2 0 INCRBY u1 3 3 GET u4 0"),
		s("BITFIELD k SET u8 #3 1 SET u8 #3 2 INCRBY u8 #3 3 GET u8 #3"), s("STRLEN k"),
		s("BITFIELD k SET i3 #20 3 SET i3 #20 4 GET i3 #20 GET u3 #20"), s("STRLEN k"), s("GET k"),
		s("BITFIELD k INCRBY u2 100 1 INCRBY u2 100 1 INCRBY u2 100 1 INCRBY u2 100 1"), s("STRLEN k"),
		// Writes create and grow the string, to the furthest write,
		// before any is done; GETs in the same command see the writes
		// before them.
		s("BITFIELD new GET u8 0 SET u8 16 1 GET u8 16 GET u8 100"), s("GET new"), s("OBJECT ENCODING new"),
		s("BITFIELD new2 INCRBY i16 #3 -5 GET i16 #3 GET u16 #3"), s("GET new2"), s("STRLEN new2"),
		s("BITFIELD new3 SET u8 0 0"), s("GET new3"), s("BITFIELD new3 SET u8 0 0"), s("BITFIELD new3 SET u8 8 0"),
		s("STRLEN new3"), s("BITFIELD new3 SET u8 0 0 SET u8 0 1 SET u8 0 1"),
		s("SET num 99"), s("OBJECT ENCODING num"), s("BITFIELD num SET u8 0 57"), s("OBJECT ENCODING num"),
		s("GET num"), s("SET num 99"), s("BITFIELD num SET u8 0 49"), s("GET num"), s("OBJECT ENCODING num"),
		s("SET num 99"), s("BITFIELD num INCRBY u8 #2 0"), s("GET num"), s("OBJECT ENCODING num"),
		s("SET t abc"), s("EXPIRE t 100"), s("BITFIELD t SET u8 0 65"), s("TTL t"), s("GET t"),
		s("BITFIELD t SET u8 #10 65"), s("TTL t"), s("STRLEN t"),
		s("BITFIELD big SET u8 #100000 1"), s("STRLEN big"), s("BITFIELD big GET u8 #100000 INCRBY u8 #100000 1"),
		q("BITFIELD", "bin", "SET", "u8", "0", "0"), q("SET", "bin", "\x00"),
	},
	"bitfield overflow": {
		s("BITFIELD u SET u8 0 255 INCRBY u8 0 1 GET u8 0"), s("BITFIELD u OVERFLOW WRAP INCRBY u8 0 -1 INCRBY u8 0 2"),
		s("BITFIELD u OVERFLOW SAT INCRBY u8 0 300 INCRBY u8 0 -300 INCRBY u8 0 5"),
		s("BITFIELD u OVERFLOW FAIL INCRBY u8 0 251 INCRBY u8 0 250 INCRBY u8 0 -6 INCRBY u8 0 -5 GET u8 0"),
		s("BITFIELD u OVERFLOW SAT SET u8 0 300 SET u8 0 -1 SET u8 0 -300 GET u8 0"),
		s("BITFIELD u OVERFLOW WRAP SET u8 0 300 SET u8 0 -1 SET u8 0 -300 GET u8 0"),
		s("BITFIELD u OVERFLOW FAIL SET u8 0 300 SET u8 0 -1 SET u8 0 255 SET u8 0 0 GET u8 0"),
		s("BITFIELD s SET i8 0 127 INCRBY i8 0 1 INCRBY i8 0 -1"),
		s("BITFIELD s OVERFLOW SAT INCRBY i8 0 200 INCRBY i8 0 -300 SET i8 0 128 SET i8 0 -129 GET i8 0"),
		s("BITFIELD s OVERFLOW WRAP SET i8 0 128 SET i8 0 -129 SET i8 0 9223372036854775807 GET i8 0"),
		s("BITFIELD s OVERFLOW FAIL SET i8 0 128 SET i8 0 -129 SET i8 0 -128 INCRBY i8 0 -1 INCRBY i8 0 255 GET i8 0"),
		s("BITFIELD s OVERFLOW SAT SET i64 8 9223372036854775807 INCRBY i64 8 1 INCRBY i64 8 -9223372036854775808"),
		s("BITFIELD s OVERFLOW WRAP SET i64 8 9223372036854775807 INCRBY i64 8 1 INCRBY i64 8 -1"),
		s("BITFIELD s OVERFLOW FAIL INCRBY i64 8 -1 INCRBY i64 8 -9223372036854775808 GET i64 8"),
		s("BITFIELD s OVERFLOW SAT SET u63 8 -1 SET u63 8 9223372036854775807 INCRBY u63 8 1 GET u63 8"),
		s("BITFIELD s OVERFLOW WRAP INCRBY u63 8 9223372036854775807 INCRBY u63 8 -9223372036854775808"),
		s("BITFIELD s OVERFLOW FAIL INCRBY u63 8 -9223372036854775808 INCRBY u63 8 9223372036854775807"),
		s("BITFIELD s OVERFLOW SAT INCRBY i1 0 1 INCRBY i1 0 -5 SET i1 0 1 GET i1 0 INCRBY u1 0 5 INCRBY u1 0 -5"),
		s("BITFIELD s OVERFLOW WRAP INCRBY i1 0 1 INCRBY i1 0 3 INCRBY u1 0 3 INCRBY i2 0 9 INCRBY u3 0 -9"),
		// OVERFLOW applies to the writes after it, the last one wins,
		// and the mode is names case-blind.
		s("BITFIELD m INCRBY u2 0 5 OVERFLOW SAT INCRBY u2 0 5 OVERFLOW fail INCRBY u2 0 5 overflow Wrap INCRBY u2 0 5"),
		s("BITFIELD m OVERFLOW SAT OVERFLOW FAIL INCRBY u2 0 5 OVERFLOW FAIL OVERFLOW WRAP INCRBY u2 0 5"),
		s("BITFIELD m OVERFLOW SAT"), s("BITFIELD m OVERFLOW FAIL GET u2 0"), s("GET m"),
		// A write that fails writes nothing and counts no change, but
		// the string has already been made or grown for it.
		s("BITFIELD f OVERFLOW FAIL INCRBY u2 0 5"), s("EXISTS f"), s("GET f"), s("OBJECT ENCODING f"),
		s("BITFIELD f OVERFLOW FAIL INCRBY u2 #20 5 SET i4 #30 8"), s("STRLEN f"), s("GET f"),
		s("SET g 7"), s("OBJECT ENCODING g"), s("BITFIELD g OVERFLOW FAIL SET u1 0 3"), s("OBJECT ENCODING g"),
		s("GET g"), s("SET g 7"), s("BITFIELD g OVERFLOW FAIL SET u8 #3 300 SET u8 0 55"), s("GET g"),
	},
	"bitfield errors": {
		s("SET k v"),
		// Types: i1-i64, u1-u63, the letter lower case, the width an
		// integer up to a NUL.
		s("BITFIELD k GET u64 0"), s("BITFIELD k GET i65 0"), s("BITFIELD k GET i0 0"), s("BITFIELD k GET u0 0"),
		s("BITFIELD k GET I8 0"), s("BITFIELD k GET U8 0"), s("BITFIELD k GET i 0"), s("BITFIELD k GET u 0"),
		s("BITFIELD k GET 8 0"), s("BITFIELD k GET x8 0"), s("BITFIELD k GET i-8 0"), s("BITFIELD k GET i+8 0"),
		s("BITFIELD k GET i08 0"), s("BITFIELD k GET i8.0 0"), s("BITFIELD k GET i99999999999999999999 0"),
		q("BITFIELD", "k", "GET", "", "0"), q("BITFIELD", "k", "GET", "i8\x00junk", "0"),
		q("BITFIELD", "k", "GET", "i\x008", "0"), q("BITFIELD", "k", "GET", " i8", "0"), s("BITFIELD k GET i64 0 GET u63 0"),
		s("BITFIELD k SET u64 0 1"), s("BITFIELD k INCRBY i65 0 1"), s("BITFIELD k GET u63 0 SET u64 0 1"),
		// Offsets: non-negative, within proto-max-bulk-len bytes; "#n"
		// counts fields of the type's width.
		s("BITFIELD k GET u8 -1"), s("BITFIELD k GET u8 x"), s("BITFIELD k GET u8 1.5"), s("BITFIELD k GET u8 +1"),
		s("BITFIELD k GET u8 4294967296"), s("BITFIELD k GET u8 4294967295"), s("BITFIELD k GET u8 9223372036854775807"),
		s("BITFIELD k GET u8 9223372036854775808"), s("BITFIELD k GET u8 #"), s("BITFIELD k GET u8 #-1"),
		s("BITFIELD k GET u8 #x"), s("BITFIELD k GET u8 ##1"), s("BITFIELD k GET u8 #536870912"),
		s("BITFIELD k GET u16 #268435456"), s("BITFIELD k GET i64 #67108863"), s("BITFIELD k GET i64 #67108864"),
		s("BITFIELD k GET u8 #1152921504606846976"), s("BITFIELD k GET u8 #2305843009213693953"),
		s("BITFIELD k GET i64 #144115188075855873"), s("BITFIELD k GET i64 #288230376151711745"), s("BITFIELD k GET u8 #9223372036854775807"),
		q("BITFIELD", "k", "GET", "u8", ""), q("BITFIELD", "k", "GET", "u8", " 1"), q("BITFIELD", "k", "GET", "u8", "1\x00"),
		s("BITFIELD k SET u8 -1 0"), s("BITFIELD k INCRBY u8 x 0"), s("BITFIELD k SET u8 4294967296 0"),
		// Values: 64-bit integers.
		s("BITFIELD k SET u8 0 x"), s("BITFIELD k SET u8 0 1.5"), s("BITFIELD k SET u8 0 9223372036854775808"),
		s("BITFIELD k INCRBY i8 0 -9223372036854775809"), q("BITFIELD", "k", "SET", "u8", "0", ""),
		// Subcommands and OVERFLOW, checked in order: the first bad one
		// answers, before the key's type is looked at.
		s("BITFIELD k BOGUS"), s("BITFIELD k GET"), s("BITFIELD k GET u8"), s("BITFIELD k SET u8 0"),
		s("BITFIELD k INCRBY u8 0"), s("BITFIELD k OVERFLOW"), s("BITFIELD k OVERFLOW BOGUS"),
		s("BITFIELD k OVERFLOW BOGUS GET u8 x"), s("BITFIELD k GET u8 x OVERFLOW BOGUS"), s("BITFIELD k OVERFLOW GET"),
		s("BITFIELD k GET u8 0 BOGUS"), s("BITFIELD k GET u8 0 GET"), s("BITFIELD k SET u8 0 1 INCRBY"),
		s("BITFIELD k GET u64 x"), s("BITFIELD k SET u64 x y"), s("BITFIELD k SET u8 x y"), s("BITFIELD k GET u8 0 0"),
		q("BITFIELD", "k", "GET\x00x", "u8", "0"), q("BITFIELD", "k", "OVERFLOW", "SAT\x00x", "INCRBY", "u8", "0", "1"),
		s("BITFIELD k SET u8 0 1 SET u8 0 x"), s("GET k"), s("BITFIELD k INCRBY u8 0 1 GET u64 0"), s("GET k"),
		s("RPUSH list x"), s("BITFIELD list BOGUS"), s("BITFIELD list GET u64 0"), s("BITFIELD list SET u8 0 x"),
		s("BITFIELD"), s("BITFIELD_RO"), s("BITFIELD_RO list GET u64 0"),
	},
	"bitfield proto-max-bulk-len": {
		s("CONFIG SET proto-max-bulk-len 1048576"), s("BITFIELD k GET u8 8388607"), s("BITFIELD k GET u8 8388608"),
		s("BITFIELD k GET u8 #1048575"), s("BITFIELD k GET u8 #1048576"), s("BITFIELD k GET u16 #524287"),
		s("BITFIELD k GET u16 #524288"), s("BITFIELD_RO k GET i64 8388607"), s("BITFIELD k SET u8 8388608 1"),
		s("BITFIELD k SET u1 8388607 1"), s("STRLEN k"), s("BITFIELD k SET u8 8388607 1"), s("STRLEN k"),
		s("CONFIG SET proto-max-bulk-len 536870912"), s("BITFIELD k GET u8 8388608"),
	},
	"bits in transactions": {
		s("MULTI"), s("BITFIELD k SET u8 0 65"), s("BITOP NOT d k"), s("BITFIELD k GET u8 0 INCRBY u8 0 1"),
		s("BITFIELD_RO d GET u8 0"), s("BITOP NOT d nope a"), s("BITFIELD k GET u64 0"), s("EXEC"), s("GET k"),
		s("GET d"), s("MULTI"), s("BITFIELD_RO k SET u8 0 1"), s("BITOP BOGUS d k"), s("EXEC"),
	},
	"bit command keys": {
		s("COMMAND GETKEYSANDFLAGS bitop and d a b"), s("COMMAND GETKEYSANDFLAGS bitop not d a"),
		s("COMMAND GETKEYS bitop bogus d a"), s("COMMAND GETKEYSANDFLAGS bitfield k"),
		s("COMMAND GETKEYSANDFLAGS bitfield k GET u8 0"), s("COMMAND GETKEYSANDFLAGS bitfield k GET u8 0 OVERFLOW SAT"),
		s("COMMAND GETKEYSANDFLAGS bitfield k GET u8 0 SET u8 0 1"), s("COMMAND GETKEYSANDFLAGS bitfield k INCRBY u8 0 1"),
		s("COMMAND GETKEYSANDFLAGS bitfield k BOGUS"), s("COMMAND GETKEYSANDFLAGS bitfield k GET u8"),
		s("COMMAND GETKEYSANDFLAGS bitfield k OVERFLOW"), s("COMMAND GETKEYSANDFLAGS bitfield k get x y overflow z"),
		s("COMMAND GETKEYSANDFLAGS bitfield k SET u8"), s("COMMAND GETKEYSANDFLAGS bitfield_ro k GET u8 0"),
		s("COMMAND GETKEYS bitfield_ro k"), s("COMMAND INFO bitop bitfield bitfield_ro"),
	},
	"bit keyspace lookups": {
		s("SET a x"), s("RPUSH l x"), s("BITOP AND d a nx1 nx2"), s("BITOP OR d nx a"), s("BITOP OR d a l nx"),
		s("BITOP OR d nx l a"), s("BITOP NOT d nx"), s("BITOP NOT d a"), s("BITOP BOGUS d a"),
		s("BITFIELD nx GET u8 0"), s("BITFIELD a GET u8 0"), s("BITFIELD l GET u8 0"), s("BITFIELD nx"),
		s("BITFIELD nx2 SET u8 0 1"), s("BITFIELD a INCRBY u8 0 1"), s("BITFIELD l SET u8 0 1"),
		s("BITFIELD_RO nx GET u8 0"), s("BITFIELD_RO a GET u8 0"), s("BITFIELD_RO nx SET u8 0 1"),
		s("BITFIELD nx3 GET u8 x"),
	},
}

func TestBitopsDifferential(t *testing.T) {
	runCollectionScripts(t, bitopsDiffScripts)
}

// The bit commands' keyspace events and their effect on WATCH, in
// TestDifferentialConnections.
func init() {
	connScripts["bitop bitfield events"] = []mstep{
		on(1, "CONFIG SET notify-keyspace-events KEA"), on(0, "PSUBSCRIBE __key*__:*"),
		on(1, "SET a abc"), recv(0), recv(0), on(1, "BITOP NOT d a"), recv(0), recv(0), on(1, "BITOP AND d a"),
		recv(0), recv(0), on(1, "BITOP AND d missing"), recv(0), recv(0), on(1, "BITOP AND d missing"),
		on(1, "BITOP NOT d a b"), on(1, "RPUSH l x"), recv(0), recv(0), on(1, "BITOP OR d l"),
		on(1, "BITOP OR l a"), recv(0), recv(0),
		on(1, "BITFIELD b GET u8 0"), on(1, "BITFIELD b SET u8 0 1"), recv(0), recv(0),
		on(1, "BITFIELD b SET u8 0 1"), on(1, "BITFIELD b SET u8 0 1 INCRBY u8 0 1 INCRBY u8 0 -1"), recv(0), recv(0),
		on(1, "BITFIELD b OVERFLOW FAIL INCRBY u8 0 300"), on(1, "BITFIELD b OVERFLOW FAIL INCRBY u8 #5 300"),
		on(1, "BITFIELD f OVERFLOW FAIL INCRBY u8 0 300"), on(1, "BITFIELD b SET u8 #9 0"), recv(0), recv(0),
		on(1, "BITFIELD_RO b GET u8 0"), on(1, "BITFIELD_RO b SET u8 0 1"), on(1, "BITFIELD b SET u8 0 x"),
		on(1, "SET e 1"), recv(0), recv(0), on(1, "EXPIRE e 100"), recv(0), recv(0), on(1, "BITFIELD e SET u8 0 48"),
		on(1, "BITFIELD e SET u8 0 49"), recv(0), recv(0), on(1, "BITOP OR e a"), recv(0), recv(0),
		on(1, "CONFIG SET notify-keyspace-events K$"), on(1, "BITOP NOT d a"), recv(0), on(1, "BITOP NOT d nx"),
		on(1, "BITFIELD d INCRBY u1 0 1"), recv(0), on(1, "DEL d"), on(1, "BITOP NOT d a"), recv(0),
		onQ(1, "CONFIG", "SET", "notify-keyspace-events", ""),
	}
	connScripts["bitop bitfield keymiss events"] = []mstep{
		on(1, "CONFIG SET notify-keyspace-events Em"), on(0, "SUBSCRIBE __keyevent@0__:keymiss"),
		on(1, "BITOP AND d m1 m2"), recv(0), recv(0), on(1, "BITFIELD m3 GET u8 0"), recv(0),
		on(1, "BITFIELD_RO m4 GET u8 0"), recv(0), on(1, "BITFIELD m5 SET u8 0 1"), on(1, "BITFIELD m6"), recv(0),
		on(1, "GET last"), recv(0),
		onQ(1, "CONFIG", "SET", "notify-keyspace-events", ""),
	}
	connScripts["bitop bitfield watch"] = []mstep{
		on(0, "SET w abc"), on(0, "WATCH w"), on(1, "BITFIELD w GET u8 0"), on(0, "MULTI"), on(0, "PING"),
		on(0, "EXEC"), on(0, "WATCH w"), on(1, "BITFIELD w SET u8 0 97"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "BITFIELD w OVERFLOW FAIL INCRBY u8 0 300"), on(0, "MULTI"), on(0, "PING"),
		on(0, "EXEC"), on(0, "WATCH w"), on(1, "BITFIELD w OVERFLOW FAIL INCRBY u8 #7 300"), on(0, "MULTI"),
		on(0, "PING"), on(0, "EXEC"), on(0, "WATCH w"), on(1, "BITFIELD w SET u8 0 98"), on(0, "MULTI"),
		on(0, "PING"), on(0, "EXEC"), on(0, "WATCH w"), on(1, "BITOP OR w w"), on(0, "MULTI"), on(0, "PING"),
		on(0, "EXEC"), on(0, "WATCH nk"), on(1, "BITOP OR nk missing"), on(1, "BITFIELD_RO nk GET u8 0"),
		on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"), on(0, "WATCH w"), on(1, "BITOP AND w missing"),
		on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		// A key made for writes that all fail is no change to watch.
		on(0, "WATCH nf"), on(1, "BITFIELD nf OVERFLOW FAIL INCRBY u8 0 300"), on(1, "EXISTS nf"),
		on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"), on(0, "WATCH nf"), on(1, "BITFIELD nf OVERFLOW FAIL SET i2 #9 2"),
		on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"), on(0, "WATCH nf"), on(1, "BITFIELD nf SET i2 #9 1"),
		on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
	}
}

// bitDiffCommands are the bit commands whose differential scripts are in
// this file rather than diffScripts, for
// TestDifferentialCoversEveryCommand.
func bitDiffCommands() map[string]bool {
	used := map[string]bool{}
	for _, script := range bitopsDiffScripts {
		for _, st := range script {
			if len(st.args) > 0 {
				used[strings.ToLower(st.args[0])] = true
			}
		}
	}
	return used
}
