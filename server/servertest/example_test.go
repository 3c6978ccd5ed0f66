package servertest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mini-redis/mini-redis/server/servertest"
	"github.com/redis/go-redis/v9"
)

// A test talks to an in-process server with go-redis, and moves its clock
// so that a key with a TTL expires without sleeping. In a test function,
// servertest.Start(t) replaces Run and Close.
func Example() {
	srv, err := servertest.Run("--requirepass", "pw")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: "pw"})
	defer rdb.Close()

	rdb.Set(ctx, "session", "alice", time.Hour)
	fmt.Println(rdb.Get(ctx, "session").Val())

	srv.FastForward(time.Hour)
	_, err = rdb.Get(ctx, "session").Result()
	fmt.Println(err == redis.Nil)
	// Output:
	// alice
	// true
}
