// Command mini-redis-cli sends one command to a Redis-protocol server and
// prints the reply the way redis-cli does.
//
//	mini-redis-cli [-h host] [-p port] [--raw] command [arg ...]
//
// For example:
//
//	mini-redis-cli set foo bar     # OK
//	mini-redis-cli get foo         # "bar"
//
// It exits 1 when the server replies with an error.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/mini-redis/mini-redis/client"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mini-redis-cli", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host := fs.String("h", "127.0.0.1", "server host")
	port := fs.Int("p", 6379, "server port")
	raw := fs.Bool("raw", false, "print replies raw, without quotes and types")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mini-redis-cli [-h host] [-p port] [--raw] command [arg ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	c, err := client.Dial(ctx, net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintf(stderr, "Could not connect to Redis at %s:%d: %v\n", *host, *port, err)
		return 1
	}
	defer c.Close()
	reply, err := c.Do(ctx, client.StringArgs(fs.Args())...)
	if err != nil {
		fmt.Fprintf(stderr, "mini-redis-cli: %v\n", err)
		return 1
	}
	if *raw {
		fmt.Fprint(stdout, formatRaw(reply))
	} else {
		fmt.Fprint(stdout, format(reply, ""))
	}
	if reply.IsError() {
		return 1
	}
	return 0
}
