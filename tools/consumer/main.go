// Command app shows another Bazel workspace using a single mini-redis
// module: it encodes a command with @mini_redis//frame and parses it back.
package main

import (
	"fmt"
	"os"

	"github.com/mini-redis/mini-redis/frame"
)

func main() {
	wire := frame.AppendCommand(nil, []byte("SET"), []byte("greeting"), []byte("hello"))
	var p frame.RequestParser
	args, n, err := p.Parse(wire, nil)
	if err != nil || n != len(wire) {
		fmt.Fprintf(os.Stderr, "app: parse %q: %v\n", wire, err)
		os.Exit(1)
	}
	fmt.Printf("consumer decoded %q via @mini_redis//frame\n", args)
}
