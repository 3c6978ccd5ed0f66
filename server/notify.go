package main

// Keyspace notifications: the event classes of notify-keyspace-events.
// Commands report what they did with client.notify; what is published, if
// anything, depends on the server's configured classes.

type eventClass uint16

const (
	evGeneric eventClass = 1 << iota // g: DEL, EXPIRE, RENAME, ...
	evString                         // $: string commands
	evExpired                        // x: a key expired
	evNew                            // n: a key was created
)

// notify reports event on key in the client's database.
func (c *client) notify(class eventClass, event string, key []byte) {
	c.server.notify(c.dbIndex, class, event, key)
}
