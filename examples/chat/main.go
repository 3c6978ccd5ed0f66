// Command chat has two clients, alice and bob, talk through a pub/sub
// channel: each subscribes to the room, says one line, and prints what
// it hears.
//
//	go run ./examples/chat -addr 127.0.0.1:6379
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/mini-redis/mini-redis/client"
)

const room = "chat:room"

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address, host:port")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := run(ctx, *addr, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// A user is one chat client: a connection to publish on and a
// subscription to the room.
type user struct {
	name string
	c    *client.Client
	sub  *client.Subscription
}

func join(ctx context.Context, addr, name string) (*user, error) {
	c, err := client.Dial(ctx, addr, client.WithClientName(name))
	if err != nil {
		return nil, err
	}
	sub, err := c.Subscribe(ctx, room)
	if err != nil {
		c.Close()
		return nil, err
	}
	return &user{name: name, c: c, sub: sub}, nil
}

func (u *user) close() {
	u.sub.Close()
	u.c.Close()
}

func (u *user) say(ctx context.Context, text string) error {
	_, err := u.c.Publish(ctx, room, u.name+": "+text)
	return err
}

// hear waits for the next line in the room.
func (u *user) hear(ctx context.Context) (string, error) {
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case m, ok := <-u.sub.C():
		if !ok {
			return "", u.sub.Err()
		}
		return string(m.Payload), nil
	}
}

func run(ctx context.Context, addr string, w io.Writer) error {
	alice, err := join(ctx, addr, "alice")
	if err != nil {
		return err
	}
	defer alice.close()
	bob, err := join(ctx, addr, "bob")
	if err != nil {
		return err
	}
	defer bob.close()

	// Both are subscribed (Subscribe returns once the server confirms), so
	// each hears both lines, in the order they were said.
	if err := alice.say(ctx, "hi bob"); err != nil {
		return err
	}
	if err := bob.say(ctx, "hello alice"); err != nil {
		return err
	}
	for _, u := range []*user{alice, bob} {
		for range 2 {
			line, err := u.hear(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "[%s hears] %s\n", u.name, line)
		}
	}
	return nil
}
