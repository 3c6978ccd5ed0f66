package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/mini-redis/mini-redis/frame"
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
// connection, dialled with the Client's options, read by its own
// goroutine; over RESP3 messages are push frames, over RESP2 arrays. Its
// methods are safe for concurrent use.
type Subscription struct {
	c     *Client // the connection; only its writes use c.mu
	msgs  chan *Message
	done  chan struct{} // closed by Close
	resp3 bool          // replies are told from messages by type: see Do

	mu      sync.Mutex
	subs    map[string]map[string]bool // kind ("subscribe", ...) to names
	waiters []*subWaiter               // commands awaiting confirmations, in order
	err     error                      // why the reader stopped
	closed  bool
}

// A subWaiter waits for n confirmations, or an error reply; or, for Do,
// for one reply.
type subWaiter struct {
	n     int
	err   error
	isDo  bool
	reply frame.Frame
	done  chan struct{}
}

// Subscribe dials a connection for a Subscription and subscribes it to
// channels, returning once the server has confirmed them.
func (c *Client) Subscribe(ctx context.Context, channels ...string) (*Subscription, error) {
	return c.subscribe(ctx, "SUBSCRIBE", channels)
}

// PSubscribe dials a connection for a Subscription and subscribes it to
// the glob-style patterns.
func (c *Client) PSubscribe(ctx context.Context, patterns ...string) (*Subscription, error) {
	return c.subscribe(ctx, "PSUBSCRIBE", patterns)
}

// SSubscribe dials a connection for a Subscription and subscribes it to
// shard channels.
func (c *Client) SSubscribe(ctx context.Context, channels ...string) (*Subscription, error) {
	return c.subscribe(ctx, "SSUBSCRIBE", channels)
}

func (c *Client) subscribe(ctx context.Context, cmd string, names []string) (*Subscription, error) {
	sc, err := dial(ctx, c.addr, c.opts)
	if err != nil {
		return nil, err
	}
	s := &Subscription{
		c:     sc,
		msgs:  make(chan *Message, c.opts.messageBuffer),
		done:  make(chan struct{}),
		subs:  map[string]map[string]bool{},
		resp3: c.opts.protocol == 3,
	}
	go s.read()
	if len(names) > 0 {
		if err := s.send(ctx, cmd, names); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Subscribe adds channels to the subscription.
func (s *Subscription) Subscribe(ctx context.Context, channels ...string) error {
	return s.send(ctx, "SUBSCRIBE", channels)
}

// PSubscribe adds patterns to the subscription.
func (s *Subscription) PSubscribe(ctx context.Context, patterns ...string) error {
	return s.send(ctx, "PSUBSCRIBE", patterns)
}

// SSubscribe adds shard channels to the subscription.
func (s *Subscription) SSubscribe(ctx context.Context, channels ...string) error {
	return s.send(ctx, "SSUBSCRIBE", channels)
}

// Unsubscribe removes channels from the subscription, all of them if none
// are given. Messages already on their way may still arrive.
func (s *Subscription) Unsubscribe(ctx context.Context, channels ...string) error {
	return s.send(ctx, "UNSUBSCRIBE", s.orAll("subscribe", channels))
}

// PUnsubscribe removes patterns, all of them if none are given.
func (s *Subscription) PUnsubscribe(ctx context.Context, patterns ...string) error {
	return s.send(ctx, "PUNSUBSCRIBE", s.orAll("psubscribe", patterns))
}

// SUnsubscribe removes shard channels, all of them if none are given.
func (s *Subscription) SUnsubscribe(ctx context.Context, channels ...string) error {
	return s.send(ctx, "SUNSUBSCRIBE", s.orAll("ssubscribe", channels))
}

// orAll returns names, or if there are none every name subscribed to as
// kind: the server confirms each name of an unsubscription, so naming
// them tells how many confirmations to await.
func (s *Subscription) orAll(kind string, names []string) []string {
	if len(names) > 0 {
		return names
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for n := range s.subs[kind] {
		names = append(names, n)
	}
	return names
}

// Ping checks that the server answers on the subscription's connection.
func (s *Subscription) Ping(ctx context.Context) error {
	return s.send(ctx, "PING", nil)
}

// errDoNeedsRESP3 refuses Subscription.Do over RESP2, where a
// subscribed connection runs only the pub/sub commands.
var errDoNeedsRESP3 = errors.New("client: Subscription.Do needs RESP3 (WithProtocol(3))")

// Do runs an ordinary command on the subscription's connection, which
// RESP3 allows: its reply comes among the messages' push frames. An error
// reply is a frame, as with Client.Do.
func (s *Subscription) Do(ctx context.Context, args ...any) (frame.Frame, error) {
	if !s.resp3 {
		return frame.Frame{}, errDoNeedsRESP3
	}
	out, err := appendCommand(nil, args)
	if err != nil {
		return frame.Frame{}, err
	}
	w := &subWaiter{n: 1, isDo: true, done: make(chan struct{})}
	if err := s.write(ctx, out, w); err != nil {
		return frame.Frame{}, err
	}
	return w.reply, w.err
}

// send writes cmd with names and waits for the server to confirm each
// name (PING: for its one reply). A canceled ctx ends the wait; the
// subscription stays usable and the confirmations are consumed when they
// come.
func (s *Subscription) send(ctx context.Context, cmd string, names []string) error {
	if cmd != "PING" && len(names) == 0 {
		return nil
	}
	args := make([]any, 0, 1+len(names))
	args = append(args, cmd)
	for _, n := range names {
		args = append(args, n)
	}
	out, err := appendCommand(nil, args)
	if err != nil {
		return err
	}
	w := &subWaiter{n: max(len(names), 1), done: make(chan struct{})}
	return s.write(ctx, out, w)
}

// write writes out, a command, and waits for w to be done.
func (s *Subscription) write(ctx context.Context, out []byte, w *subWaiter) error {
	// The waiter is queued before the write, under the write lock, so that
	// waiters are in the order of the commands.
	s.c.mu.Lock()
	s.mu.Lock()
	if s.closed || s.err != nil {
		err := s.errLocked()
		s.mu.Unlock()
		s.c.mu.Unlock()
		return err
	}
	s.waiters = append(s.waiters, w)
	s.mu.Unlock()
	_, err := s.c.conn.NetConn().Write(out)
	s.c.mu.Unlock()
	if err != nil {
		s.c.conn.Close() // the reader stops, and fails the waiters
		return fmt.Errorf("client: %w", err)
	}
	select {
	case <-w.done:
		return w.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Subscription) errLocked() error {
	if s.closed {
		return ErrClosed
	}
	return s.err
}

// C returns the channel of messages. It is closed when the subscription
// ends: after Close, or when the connection fails (see Err). The reader
// waits for room on the channel, so a receiver that stops receiving holds
// up the subscription's other calls.
func (s *Subscription) C() <-chan *Message { return s.msgs }

// Err returns why the subscription ended: nil while it is live, ErrClosed
// after Close, or the connection's error.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return s.err
}

// Close ends the subscription and closes its connection.
func (s *Subscription) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	return s.c.conn.Close()
}

// read reads the connection until it fails, delivering messages and
// confirmations.
func (s *Subscription) read() {
	defer close(s.msgs)
	for {
		f, err := s.c.conn.ReadFrame()
		if err != nil {
			s.stop(fmt.Errorf("client: subscription: %w", err))
			return
		}
		if !s.handle(f) {
			return
		}
	}
}

// handle deals with one frame; it returns false once the subscription
// is closed.
func (s *Subscription) handle(f frame.Frame) bool {
	if s.resp3 && f.Type != frame.Push && s.replyToDo(f) {
		return true
	}
	if f.IsError() {
		s.confirm(Error(f.Str))
		return true
	}
	if f.Type != frame.Push && f.Type != frame.Array || len(f.Elems) == 0 {
		// A RESP3 PING's PONG, or a reply of no interest.
		s.confirm(nil)
		return true
	}
	kind := strings.ToLower(f.Elems[0].Text())
	var m *Message
	switch {
	case (kind == "message" || kind == "smessage") && len(f.Elems) == 3:
		m = &Message{Kind: kind, Channel: f.Elems[1].Text(), Payload: clone(f.Elems[2].Str)}
	case kind == "pmessage" && len(f.Elems) == 4:
		m = &Message{Kind: kind, Pattern: f.Elems[1].Text(), Channel: f.Elems[2].Text(), Payload: clone(f.Elems[3].Str)}
	case kind == "pong":
		s.confirm(nil) // RESP2's PING reply in subscribed mode
		return true
	case len(f.Elems) == 3 && strings.HasSuffix(kind, "subscribe"):
		s.track(kind, f.Elems[1])
		s.confirm(nil)
		return true
	default:
		return true // another push, such as CLIENT TRACKING's
	}
	select {
	case s.msgs <- m:
		return true
	case <-s.done:
		return false
	}
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// unsubscribeOf maps each unsubscription's confirmation to the kind it
// undoes.
func unsubscribeOf(kind string) (string, bool) {
	switch kind {
	case "unsubscribe":
		return "subscribe", true
	case "punsubscribe":
		return "psubscribe", true
	case "sunsubscribe":
		return "ssubscribe", true
	}
	return "", false
}

// track records a subscription or unsubscription the server confirmed.
func (s *Subscription) track(kind string, name frame.Frame) {
	if name.IsNull() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub, ok := unsubscribeOf(kind); ok {
		delete(s.subs[sub], name.Text())
		return
	}
	if s.subs[kind] == nil {
		s.subs[kind] = map[string]bool{}
	}
	s.subs[kind][name.Text()] = true
}

// replyToDo hands f, a RESP3 reply, to the oldest waiter if it is a Do's,
// and reports whether it was.
func (s *Subscription) replyToDo(f frame.Frame) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiters) == 0 || !s.waiters[0].isDo {
		return false
	}
	w := s.waiters[0]
	s.waiters = s.waiters[1:]
	w.reply = f.Clone()
	close(w.done)
	return true
}

// confirm counts a confirmation, or an error, for the oldest waiter.
func (s *Subscription) confirm(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiters) == 0 {
		return
	}
	w := s.waiters[0]
	w.n--
	if err != nil && w.err == nil {
		w.err = err
	}
	if w.n <= 0 || err != nil {
		// An error reply (wrong arity, a command refused) is the
		// command's only reply.
		s.waiters = s.waiters[1:]
		close(w.done)
	}
}

// stop fails the waiters once the reader has stopped.
func (s *Subscription) stop(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		if s.closed {
			err = ErrClosed
		}
		s.err = err
	}
	for _, w := range s.waiters {
		w.err = s.err
		close(w.done)
	}
	s.waiters = nil
}
