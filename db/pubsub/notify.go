package pubsub

import (
	"errors"
	"strconv"
)

// EventFlags are the classes of keyspace notifications a server publishes,
// the value of the notify-keyspace-events configuration parameter.
type EventFlags uint32

// The classes of keyspace notifications, with their letters in
// notify-keyspace-events.
const (
	EventKeyspace EventFlags = 1 << iota // K: publish to __keyspace@<db>__:<key>
	EventKeyevent                        // E: publish to __keyevent@<db>__:<event>
	EventGeneric                         // g: DEL, EXPIRE, RENAME, ...
	EventString                          // $: string commands
	EventList                            // l: list commands
	EventSet                             // s: set commands
	EventHash                            // h: hash commands
	EventZSet                            // z: sorted set commands
	EventExpired                         // x: a key expired
	EventEvicted                         // e: a key was evicted for maxmemory
	EventStream                          // t: stream commands
	EventKeyMiss                         // m: a key was looked up and missing
	EventModule                          // d: module key type events
	EventNew                             // n: a key was created

	// EventAll is what the letter "A" stands for: every class of event but
	// EventKeyMiss and EventNew, and neither of the channel kinds.
	EventAll = EventGeneric | EventString | EventList | EventSet | EventHash | EventZSet |
		EventExpired | EventEvicted | EventStream | EventModule
)

// ErrInvalidEventClass is the error of ParseEventFlags. Its text is the one
// Redis puts in its CONFIG SET error.
var ErrInvalidEventClass = errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")

// ParseEventFlags parses a notify-keyspace-events value such as "KEA" or
// "Ex". Letters may repeat and come in any order; the empty string turns
// notifications off. Any other character is ErrInvalidEventClass.
func ParseEventFlags(s string) (EventFlags, error) {
	var f EventFlags
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			f |= EventAll
		case 'g':
			f |= EventGeneric
		case '$':
			f |= EventString
		case 'l':
			f |= EventList
		case 's':
			f |= EventSet
		case 'h':
			f |= EventHash
		case 'z':
			f |= EventZSet
		case 'x':
			f |= EventExpired
		case 'e':
			f |= EventEvicted
		case 'K':
			f |= EventKeyspace
		case 'E':
			f |= EventKeyevent
		case 't':
			f |= EventStream
		case 'm':
			f |= EventKeyMiss
		case 'd':
			f |= EventModule
		case 'n':
			f |= EventNew
		default:
			return 0, ErrInvalidEventClass
		}
	}
	return f, nil
}

// String returns f as CONFIG GET notify-keyspace-events shows it: the event
// classes ("A" when all of EventAll is set), then K, E and m. Like Redis, it
// leaves out n when A is shown, although the flag stays set.
func (f EventFlags) String() string {
	var b []byte
	if f&EventAll == EventAll {
		b = append(b, 'A')
	} else {
		for _, c := range []struct {
			flag   EventFlags
			letter byte
		}{
			{EventGeneric, 'g'}, {EventString, '$'}, {EventList, 'l'}, {EventSet, 's'},
			{EventHash, 'h'}, {EventZSet, 'z'}, {EventExpired, 'x'}, {EventEvicted, 'e'},
			{EventStream, 't'}, {EventModule, 'd'}, {EventNew, 'n'},
		} {
			if f&c.flag != 0 {
				b = append(b, c.letter)
			}
		}
	}
	if f&EventKeyspace != 0 {
		b = append(b, 'K')
	}
	if f&EventKeyevent != 0 {
		b = append(b, 'E')
	}
	if f&EventKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

// KeyspaceChannel returns the channel of keyspace notifications for key in
// database db: "__keyspace@0__:mykey".
func KeyspaceChannel(db int, key []byte) []byte {
	return AppendKeyspaceChannel(make([]byte, 0, len("__keyspace@__:")+3+len(key)), db, key)
}

// KeyeventChannel returns the channel of keyevent notifications for event in
// database db: "__keyevent@0__:set".
func KeyeventChannel(db int, event string) []byte {
	return AppendKeyeventChannel(make([]byte, 0, len("__keyevent@__:")+3+len(event)), db, event)
}

// AppendKeyspaceChannel appends KeyspaceChannel(db, key) to dst.
func AppendKeyspaceChannel(dst []byte, db int, key []byte) []byte {
	dst = append(dst, "__keyspace@"...)
	dst = strconv.AppendInt(dst, int64(db), 10)
	dst = append(dst, "__:"...)
	return append(dst, key...)
}

// AppendKeyeventChannel appends KeyeventChannel(db, event) to dst.
func AppendKeyeventChannel(dst []byte, db int, event string) []byte {
	dst = append(dst, "__keyevent@"...)
	dst = strconv.AppendInt(dst, int64(db), 10)
	dst = append(dst, "__:"...)
	return append(dst, event...)
}

// NotifyKeyspaceEvent publishes a keyspace notification as Redis's
// notifyKeyspaceEvent does: if flags enable class, the event name goes to the
// key's keyspace channel (with K) and the key to the event's keyevent channel
// (with E). It returns at once when flags do not enable class, and does not
// allocate when nobody listens.
func (h *Hub) NotifyKeyspaceEvent(flags, class EventFlags, event string, key []byte, db int) {
	if flags&class == 0 {
		return
	}
	// Channel names usually fit here, sparing an allocation per event.
	var buf [128]byte
	if flags&EventKeyspace != 0 {
		h.Publish(AppendKeyspaceChannel(buf[:0], db, key), []byte(event))
	}
	if flags&EventKeyevent != 0 {
		h.Publish(AppendKeyeventChannel(buf[:0], db, event), key)
	}
}
