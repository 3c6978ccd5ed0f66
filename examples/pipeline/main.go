// Command pipeline sends 10,000 SETs in one round trip and prints how long
// they took.
//
//	go run ./examples/pipeline -addr 127.0.0.1:6379
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/mini-redis/mini-redis/client"
)

// count is how many SETs the pipeline carries.
const count = 10000

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
	p := c.Pipeline()
	for i := range count {
		p.Do("SET", "key:"+strconv.Itoa(i), i)
	}
	start := time.Now()
	replies, err := p.Exec(ctx)
	elapsed := time.Since(start)
	if err != nil {
		return err
	}
	for i, r := range replies {
		if r.IsError() {
			return fmt.Errorf("SET %d: %s", i, r.Str)
		}
	}
	fmt.Fprintf(w, "%d SETs in one round trip: %v\n", len(replies), elapsed.Round(time.Microsecond))
	return nil
}
