// Command sub subscribes to two channels and prints each message that
// arrives, until Ctrl-C (or, with -n, after n messages).
//
//	go run ./examples/sub -addr 127.0.0.1:6379
//	go run ./examples/pub -channel numbers -msg 42   # elsewhere
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"

	"github.com/mini-redis/mini-redis/client"
)

// channels are the two the example listens on.
var channels = []string{"numbers", "letters"}

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address, host:port")
	n := flag.Int("n", 0, "exit after this many messages (0: never)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *addr, *n, os.Stdout, nil); err != nil {
		log.Fatal(err)
	}
}

// run prints messages until ctx ends or n have arrived. It closes ready,
// when not nil, once the subscriptions are in place.
func run(ctx context.Context, addr string, n int, w io.Writer, ready chan<- struct{}) error {
	c, err := client.Dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	sub, err := c.Subscribe(ctx, channels...)
	if err != nil {
		return err
	}
	defer sub.Close()
	fmt.Fprintf(w, "subscribed to %v\n", channels)
	if ready != nil {
		close(ready)
	}
	for got := 0; n == 0 || got < n; got++ {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-sub.C():
			if !ok {
				return sub.Err()
			}
			fmt.Fprintf(w, "%s: %s\n", m.Channel, m.Payload)
		}
	}
	return nil
}
