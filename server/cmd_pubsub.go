package server

import (
	"github.com/mini-redis/mini-redis/db/pubsub"
	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/server/config"
)

// Publish/subscribe. A client that subscribes switches its connection to
// push mode (connection.EnablePush): messages from publishers are queued
// on it without waiting for the network, and a subscriber whose queue
// passes client-output-buffer-limit pubsub is disconnected, as in Redis.

func pubsubCommands() []*command {
	return []*command{
		{name: "subscribe", flags: flagSubscribeContext, run: subscribeCmd((*pubsub.Hub).Subscribe, "subscribe", false)},
		{name: "psubscribe", flags: flagSubscribeContext, run: subscribeCmd((*pubsub.Hub).PSubscribe, "psubscribe", false)},
		{name: "ssubscribe", flags: flagSubscribeContext, run: subscribeCmd((*pubsub.Hub).SSubscribe, "ssubscribe", true)},
		{name: "unsubscribe", flags: flagSubscribeContext, run: subscribeCmd((*pubsub.Hub).Unsubscribe, "unsubscribe", false)},
		{name: "punsubscribe", flags: flagSubscribeContext, run: subscribeCmd((*pubsub.Hub).PUnsubscribe, "punsubscribe", false)},
		{name: "sunsubscribe", flags: flagSubscribeContext, run: subscribeCmd((*pubsub.Hub).SUnsubscribe, "sunsubscribe", true)},
		{name: "publish", flags: flagMayReplicate, run: cmdPublish},
		{name: "spublish", flags: flagMayReplicate, run: cmdSPublish},
		container("pubsub", 0,
			&command{name: "channels", run: cmdPubsubChannels},
			&command{name: "numsub", run: cmdPubsubNumsub},
			&command{name: "numpat", run: cmdPubsubNumpat},
			&command{name: "shardchannels", run: cmdPubsubShardChannels},
			&command{name: "shardnumsub", run: cmdPubsubShardNumsub},
			&command{name: "help", run: cmdPubsubHelp},
		),
	}
}

// subscriber is a client as the pub/sub hub sees it.
type subscriber struct {
	c *client
	// Subscriptions as the last confirmation reported them: channels and
	// patterns, and shard channels. Only the client's goroutine uses them.
	chanPat, shard int
}

// active reports whether the client is subscribed to anything: Redis's
// subscribed state, in which a RESP2 client may only (un)subscribe, PING,
// QUIT and RESET.
func (s *subscriber) active() bool { return s.chanPat+s.shard > 0 }

// Deliver queues a published message on the client's connection. It never
// blocks (see pubsub.Subscriber).
func (s *subscriber) Deliver(m pubsub.Message) {
	s.c.conn.Push(func(dst []byte, p frame.Protocol) []byte {
		if m.Kind == pubsub.KindPMessage {
			dst = frame.AppendPushLen(dst, 4, p)
			dst = frame.AppendBulkString(dst, string(m.Kind))
			dst = frame.AppendBulk(dst, m.Pattern)
		} else {
			dst = frame.AppendPushLen(dst, 3, p)
			dst = frame.AppendBulkString(dst, string(m.Kind))
		}
		dst = frame.AppendBulk(dst, m.Channel)
		return frame.AppendBulk(dst, m.Payload)
	})
}

// receivesPushes reports whether other goroutines push to the client's
// connection: invalidations when it tracks keys (tracking.go), messages
// once it has subscribed. Its replies hold those pushes back while they
// are written, since a reply is written in parts (a RESP2 subscriber's
// PING reply is an array) and a push must not land inside one.
func (c *client) receivesPushes() bool { return c.trackOn || c.sub != nil }

// subscriberOf returns the client's subscriber, switching its connection
// to push mode the first time.
func (c *client) subscriberOf() *subscriber {
	if c.sub == nil {
		c.sub = &subscriber{c: c}
		c.conn.EnablePush(c.server.settings.outputLimits(config.ClassPubSub))
	}
	return c.sub
}

// subscribeCmd returns one of the (un)subscribe commands: op does the work
// in the hub, and each acknowledgement goes back as (kind, name, count).
func subscribeCmd(op func(*pubsub.Hub, pubsub.Subscriber, ...[]byte) []pubsub.Ack, kind string, shard bool) func(*client, [][]byte) {
	return func(c *client, args [][]byte) {
		sub := c.subscriberOf()
		// A message published to a channel as soon as op subscribes to it
		// must follow the confirmations, not land inside one: in Redis the
		// whole reply is queued before any PUBLISH runs.
		c.conn.HoldPushes()
		defer c.conn.ReleasePushes()
		acks := op(c.server.pubsub, sub, args[1:]...)
		if c.conn.Discarding() {
			// Confirmations reach the client even under CLIENT REPLY OFF or
			// SKIP: Redis sends them as pushes, which the setting does not
			// silence (in RESP2 too).
			c.conn.SetDiscard(false)
			defer c.conn.SetDiscard(true)
		}
		for _, ack := range acks {
			// Confirmations are pushes in RESP3, arrays in RESP2.
			c.conn.WritePushLen(3)
			c.conn.WriteBulkString(kind)
			if ack.Null {
				c.conn.WriteNull()
			} else {
				c.conn.WriteBulk(ack.Name)
			}
			c.conn.WriteInt(int64(ack.Count))
		}
		if len(acks) > 0 {
			last := acks[len(acks)-1].Count
			if shard {
				sub.shard = last
			} else {
				sub.chanPat = last
			}
		}
		c.showSubscriptions()
		c.applyIdleTimeout()
		c.applyOutputLimits()
	}
}

// PUBLISH channel message
func cmdPublish(c *client, args [][]byte) {
	c.conn.WriteInt(int64(c.server.pubsub.Publish(args[1], args[2])))
}

// SPUBLISH shardchannel message
func cmdSPublish(c *client, args [][]byte) {
	c.conn.WriteInt(int64(c.server.pubsub.SPublish(args[1], args[2])))
}

func (c *client) writeStrings(list []string) {
	c.conn.WriteArrayLen(len(list))
	for _, s := range list {
		c.conn.WriteBulkString(s)
	}
}

// PUBSUB CHANNELS [pattern]
func cmdPubsubChannels(c *client, args [][]byte) {
	if len(args) > 3 {
		c.conn.WriteError(subcommandSyntax(args[1], "PUBSUB"))
		return
	}
	if len(args) == 3 {
		c.writeStrings(c.server.pubsub.ChannelsMatching(args[2]))
		return
	}
	c.writeStrings(c.server.pubsub.Channels())
}

// PUBSUB SHARDCHANNELS [pattern]
func cmdPubsubShardChannels(c *client, args [][]byte) {
	if len(args) > 3 {
		c.conn.WriteError(subcommandSyntax(args[1], "PUBSUB"))
		return
	}
	if len(args) == 3 {
		c.writeStrings(c.server.pubsub.ShardChannelsMatching(args[2]))
		return
	}
	c.writeStrings(c.server.pubsub.ShardChannels())
}

// writeNumSub writes the (channel, count) pairs of PUBSUB NUMSUB: a map in
// RESP3.
func (c *client) writeNumSub(channels [][]byte, counts []int) {
	c.conn.WriteMapLen(len(channels))
	for i, ch := range channels {
		c.conn.WriteBulk(ch)
		c.conn.WriteInt(int64(counts[i]))
	}
}

// PUBSUB NUMSUB [channel ...]
func cmdPubsubNumsub(c *client, args [][]byte) {
	c.writeNumSub(args[2:], c.server.pubsub.NumSub(args[2:]...))
}

// PUBSUB SHARDNUMSUB [shardchannel ...]
func cmdPubsubShardNumsub(c *client, args [][]byte) {
	c.writeNumSub(args[2:], c.server.pubsub.ShardNumSub(args[2:]...))
}

// PUBSUB NUMPAT
func cmdPubsubNumpat(c *client, args [][]byte) {
	c.conn.WriteInt(int64(c.server.pubsub.NumPat()))
}

// PUBSUB HELP
func cmdPubsubHelp(c *client, args [][]byte) {
	c.writeHelp("PUBSUB",
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
	)
}
