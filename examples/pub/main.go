// Command pub publishes a message on a channel, for the sub example to
// receive.
//
//	go run ./examples/pub -addr 127.0.0.1:6379 -channel numbers -msg 42
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/mini-redis/mini-redis/client"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address, host:port")
	channel := flag.String("channel", "numbers", "channel to publish on")
	msg := flag.String("msg", "42", "message to publish")
	flag.Parse()
	if err := run(context.Background(), *addr, *channel, *msg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, addr, channel, msg string, w io.Writer) error {
	c, err := client.Dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	n, err := c.Publish(ctx, channel, msg)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "published %q on %s to %d subscriber(s)\n", msg, channel, n)
	return nil
}
