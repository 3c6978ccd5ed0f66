// Command hello_world stores a greeting with SET and reads it back with GET.
//
//	go run ./examples/hello_world -addr 127.0.0.1:6379
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
	flag.Parse()
	if err := run(context.Background(), *addr, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, addr string, w io.Writer) error {
	c, err := client.Dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Set(ctx, "hello", "world", 0); err != nil {
		return err
	}
	v, err := c.Get(ctx, "hello")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "got value from the server; success=%s\n", v)
	return nil
}
