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
	c.server.notify(c.dbIndex, class, event, key)
}

// notify publishes a keyspace event to __keyspace@db__:key and
// __keyevent@db__:event, as the configured classes say. With
// notifications off (the default) it costs one atomic load.
func (s *Server) notify(dbIndex int, class pubsub.EventFlags, event string, key []byte) {
	flags := pubsub.EventFlags(s.settings.notifyKeyspaceEvents.Load())
	if flags&class == 0 {
		return
	}
	s.pubsub.NotifyKeyspaceEvent(flags, class, event, key, dbIndex)
}
