package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/mini-redis/mini-redis/client"
)

// This example needs a server on 127.0.0.1:6379 (tools/bazel run //server),
// so it has no Output line and is compiled but not run by go test.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, "127.0.0.1:6379")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	if err := c.Set(ctx, "greeting", "hello", time.Minute); err != nil {
		log.Fatal(err)
	}
	v, err := c.Get(ctx, "greeting")
	if errors.Is(err, client.ErrNil) {
		fmt.Println("greeting expired")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", v)
}
