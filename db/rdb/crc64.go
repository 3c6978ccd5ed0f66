package rdb

import (
	"hash/crc64"
	"sync"
)

// jonesPoly is the CRC-64-Jones polynomial (0xad93d23594c935a9) in the
// reflected form hash/crc64 takes.
const jonesPoly = 0x95ac9329ac4bc9b5

// jonesTable is built on first use and never written after: it is a
// constant that Go cannot spell as one.
var jonesTable = sync.OnceValue(func() *crc64.Table { return crc64.MakeTable(jonesPoly) })

// crcUpdate extends crc, Redis's CRC-64-Jones of the bytes before p
// (reflected, initial value 0, no final xor), over p.
//
// hash/crc64 computes the same reflected CRC but inverts the value on the
// way in and on the way out (initial value and final xor of all ones);
// inverting around the call cancels both.
func crcUpdate(crc uint64, p []byte) uint64 {
	return ^crc64.Update(^crc, jonesTable(), p)
}
