package db

import (
	"bytes"
	"strings"
	"testing"
	"unsafe"
)

// The sizes the memory figures rely on (see entry and stringEntry).
func TestEntrySizes(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"entry", unsafe.Sizeof(entry{}), 48},
		{"String", unsafe.Sizeof(String{}), 16},
		{"stringEntry", unsafe.Sizeof(stringEntry{}), 64},
	} {
		if tc.got != tc.want {
			t.Errorf("%s is %d bytes, want %d", tc.name, tc.got, tc.want)
		}
	}
}

// SetString stores a copy of its bytes, whether they share an array with
// the key's or not, and a later value never writes into that array.
func TestSetString(t *testing.T) {
	long := strings.Repeat("x", inlineStringMax)
	for _, tc := range []struct {
		name, key, value string
		keepTTL          bool
	}{
		{"short", "k", "v", false},
		{"empty", "k", "", false},
		{"long", "k", long, false},
		{"long key", long, "v", false},
		{"keep ttl", "k", "v", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStore(t, Options{})
			d := s.DB(0)
			key, val := []byte(tc.key), []byte(tc.value)
			tx := d.Write(key)
			tx.SetString(key, val, tx.Now()+1000)
			tx.Close()
			// The caller's bytes stay its own.
			if len(val) > 0 {
				val[0] = 'Q'
			}
			key[0] = 'Q'
			if v, ok := get(d, tc.key); !ok || v != tc.value {
				t.Fatalf("get = %q, %v; want %q", v, ok, tc.value)
			}
			tx = d.Write([]byte(tc.key))
			first := tx.Get([]byte(tc.key)).(*String)
			// Appending to what a reader holds copies: the key's bytes
			// and the stored value stay as they are.
			grown := first.Append([]byte("more"))
			if tc.keepTTL {
				tx.SetStringValue([]byte(tc.key), grown.Bytes())
			} else {
				tx.SetString([]byte(tc.key), grown.Bytes(), 0)
			}
			at, _ := tx.ExpireAt([]byte(tc.key))
			tx.Close()
			if want := tc.value; string(first.Bytes()) != want {
				t.Errorf("first value became %q", first.Bytes())
			}
			if v, _ := get(d, tc.key); v != tc.value+"more" {
				t.Errorf("second value %q", v)
			}
			if keys := d.Keys(nil); len(keys) != 1 || keys[0] != tc.key {
				t.Errorf("keys %q", keys)
			}
			if (at != 0) != tc.keepTTL {
				t.Errorf("deadline %d after SetString (keep %v)", at, tc.keepTTL)
			}
			checkBytes(t, d)
		})
	}
}

// A String keeps Append's spare capacity, and Bytes never exposes it.
func TestStringSpareCapacity(t *testing.T) {
	s := NewString(make([]byte, 2, 16))
	if b := s.Bytes(); cap(b) != len(b) {
		t.Errorf("Bytes has capacity %d for %d bytes", cap(b), len(b))
	}
	a := s.Append([]byte("ab"))
	b := a.Append([]byte("cd"))
	if unsafe.SliceData(a.Bytes()) != unsafe.SliceData(s.Bytes()) || unsafe.SliceData(b.Bytes()) != unsafe.SliceData(s.Bytes()) {
		t.Error("Append did not use the spare capacity")
	}
	if !bytes.Equal(b.Bytes(), []byte("\x00\x00abcd")) || len(s.Bytes()) != 2 || len(a.Bytes()) != 4 {
		t.Errorf("values %q %q %q", s.Bytes(), a.Bytes(), b.Bytes())
	}
	if NewString(nil).Bytes() != nil || NewString([]byte{}).Bytes() == nil {
		t.Error("nil and empty strings are not told apart")
	}
}

// A String of 4 GB or more keeps its bytes behind a hugeBytes. Such a
// string is too big for a test to build, so this one is put in that form
// by hand: every method must read it as the plain form.
func TestHugeStringForm(t *testing.T) {
	b := make([]byte, 100, 200)
	copy(b, strings.Repeat("h", 100))
	s := &String{p: (*byte)(unsafe.Pointer(&hugeBytes{b})), n: hugeLen, meta: flagRaw}
	if got := s.Bytes(); !bytes.Equal(got, b) || cap(got) != len(b) {
		t.Errorf("Bytes = %d bytes of capacity %d, want the 100 bytes", len(got), cap(got))
	}
	if s.Len() != 100 || s.Size() != 116 || s.Encoding() != "raw" || s.IsSharedInteger() {
		t.Errorf("Len %d, Size %d, Encoding %s, shared %v", s.Len(), s.Size(), s.Encoding(), s.IsSharedInteger())
	}
	grown := s.Append([]byte("!"))
	if string(grown.Bytes()) != strings.Repeat("h", 100)+"!" || string(s.Bytes()) != strings.Repeat("h", 100) {
		t.Errorf("Append gave %q and left %q", grown.Bytes(), s.Bytes())
	}
	if c := cloneValue(s).(*String); !bytes.Equal(c.Bytes(), b) || c.Encoding() != "raw" {
		t.Errorf("clone %q, %s", c.Bytes(), c.Encoding())
	}
}

// The flags live beside the spare capacity: setting bytes keeps them.
func TestStringFlagsAndSpare(t *testing.T) {
	s := NewFloatString([]byte("3"))
	s.setBytes(make([]byte, 1, 1000))
	if !s.has(flagNotInt) || s.has(flagRaw|flagUnshared) || s.spare() != 999 {
		t.Errorf("meta %#x after setBytes", s.meta)
	}
	if a := WithBytes([]byte("12")); a.Encoding() != "raw" || a.spare() != 0 {
		t.Errorf("WithBytes: %s, spare %d", a.Encoding(), a.spare())
	}
}
