package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/mini-redis/mini-redis/client"
	"github.com/mini-redis/mini-redis/server/servertest"
)

func TestRun(t *testing.T) {
	srv := servertest.Start(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, srv.Addr(), &out); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^10000 SETs in one round trip: [0-9.]+(µs|ms|s)\n$`).Match(out.Bytes()) {
		t.Errorf("output %q", out.String())
	}
	c, err := client.Dial(ctx, srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n, err := c.Do(ctx, "DBSIZE")
	if err != nil || n.Int != count {
		t.Errorf("DBSIZE = %v, %v; want %d", n, err, count)
	}
	if v, err := c.Get(ctx, "key:9999"); err != nil || string(v) != "9999" {
		t.Errorf("GET key:9999 = %q, %v", v, err)
	}
}
