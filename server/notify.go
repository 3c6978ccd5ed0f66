package server

import "github.com/mini-redis/mini-redis/db/pubsub"

// Keyspace notifications: commands report what they did with
// client.notify; what is published, if anything, depends on
// notify-keyspace-events.

// Short names for the event classes commands report.
const (
	evGeneric = pubsub.EventGeneric // DEL, EXPIRE, RENAME, ...
	evString  = pubsub.EventString  // string commands
	evSet     = pubsub.EventSet     // set commands
	evExpired = pubsub.EventExpired // a key expired
)

// notify reports event on key in the client's database.
func (c *client) notify(class pubsub.EventFlags, event string, key []byte) {
	c.server.notifyBy(c, c.dbIndex, class, event, key)
}

// replyRemoved ends a command that removed n elements from the collection
// at key (HDEL, LREM, SREM, ZREM, ZREMRANGEBY*), as Redis's do: for n > 0
// the event of class, then a del event if the collection is left empty
// (Close deletes the key), and n changes to the dirty count; the reply is
// n.
func (c *client) replyRemoved(class pubsub.EventFlags, event string, key []byte, n int, emptied bool) {
	if n > 0 {
		c.notify(class, event, key)
		if emptied {
			c.notify(evGeneric, "del", key)
		}
		c.server.dirty.Add(int64(n))
	}
	c.conn.WriteInt(int64(n))
}

// notify publishes a keyspace event to __keyspace@db__:key and
// __keyevent@db__:event, as the configured classes say. With
// notifications off (the default) it costs one atomic load.
func (s *Server) notify(dbIndex int, class pubsub.EventFlags, event string, key []byte) {
	s.notifyBy(nil, dbIndex, class, event, key)
}

// notifyBy is notify for a change made by actor's command, or by none
// (nil). Every change of a key is notified, as in Redis, so this is also
// where client-side caching learns of them (tracking.go).
func (s *Server) notifyBy(actor *client, dbIndex int, class pubsub.EventFlags, event string, key []byte) {
	if s.tracking.live.Load() && class&(pubsub.EventKeyMiss|pubsub.EventNew) == 0 {
		s.trackChanged(actor, key) // a miss, or the creation that another event accompanies, changes nothing
	}
	flags := pubsub.EventFlags(s.settings.notifyKeyspaceEvents.Load())
	if flags&class == 0 {
		return
	}
	s.pubsub.NotifyKeyspaceEvent(flags, class, event, key, dbIndex)
}
