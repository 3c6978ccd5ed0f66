package rdb

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

func TestCRC64Jones(t *testing.T) {
	// A dump written by Redis 7.0.15 (SET a 1, a 100-byte LZF string, a
	// key with an expiry, a key in DB 1); its last 8 bytes are the
	// checksum of the rest, little-endian.
	dump, err := hex.DecodeString("524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374696d65c28c3b016bfa08757365642d6d656dc270b70e00fa08616f662d62617365c000fe00fb03010003626967c3094064017878e05700017878000161c001fc9623d2fca10100000001650568656c6c6ffe01fb010000016bc1d4feff4c47805b016b273f")
	if err != nil {
		t.Fatal(err)
	}
	body, sum := dump[:len(dump)-8], dump[len(dump)-8:]
	for _, tc := range []struct {
		name string
		in   []byte
		want uint64
	}{
		{"check value", []byte("123456789"), 0xe9c6d914c4b8d9ca}, // from Redis's crc64.c
		{"empty", nil, 0},
		{"Redis dump", body, binary.LittleEndian.Uint64(sum)},
	} {
		if got := crcUpdate(0, tc.in); got != tc.want {
			t.Errorf("%s: crc64 = %#x, want %#x", tc.name, got, tc.want)
		}
	}
}

// TestCRC64Incremental checks that feeding the bytes in pieces, as the
// Reader and Writer do at buffer boundaries, gives the same sum.
func TestCRC64Incremental(t *testing.T) {
	data := bytes.Repeat([]byte("REDIS0010\xfa\x09redis-ver\x067.0.15"), 300)
	whole := crcUpdate(0, data)
	for _, step := range []int{1, 7, 64, 2047, 2048, 4096} {
		var crc uint64
		for p := data; len(p) > 0; {
			n := min(step, len(p))
			crc = crcUpdate(crc, p[:n])
			p = p[n:]
		}
		if crc != whole {
			t.Errorf("in steps of %d: %#x, want %#x", step, crc, whole)
		}
	}
}
