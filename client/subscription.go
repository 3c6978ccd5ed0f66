package client

import (
	"context"
	"errors"
)

// A Message is one pub/sub message.
type Message struct {
	// Kind is "message" for a channel's message, "pmessage" for one that
	// matched a pattern, "smessage" for a shard channel's.
	Kind string
	// Pattern is the pattern that matched, for a pmessage.
	Pattern string
	// Channel is the channel the message was published to.
	Channel string
	// Payload is the message.
	Payload []byte
}

// A Subscription is a connection in pub/sub mode: messages for its
// channels and patterns arrive on the channel C returns. It has its own
// connection, dialled with the Client's options.
type Subscription struct {
	msgs chan *Message
}

// Subscribe dials a connection for a Subscription and subscribes it to
// channels, returning once the server has confirmed them.
func (c *Client) Subscribe(ctx context.Context, channels ...string) (*Subscription, error) {
	return nil, errors.New("client: Subscribe not implemented yet")
}

// PSubscribe dials a connection for a Subscription and subscribes it to
// the glob-style patterns.
func (c *Client) PSubscribe(ctx context.Context, patterns ...string) (*Subscription, error) {
	return nil, errors.New("client: PSubscribe not implemented yet")
}

// SSubscribe dials a connection for a Subscription and subscribes it to
// shard channels.
func (c *Client) SSubscribe(ctx context.Context, channels ...string) (*Subscription, error) {
	return nil, errors.New("client: SSubscribe not implemented yet")
}

// C returns the channel of messages. It is closed when the subscription
// ends: after Close, or when the connection fails (see Err).
func (s *Subscription) C() <-chan *Message { return s.msgs }
