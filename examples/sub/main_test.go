package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/client"
	"github.com/mini-redis/mini-redis/server/servertest"
)

func TestRun(t *testing.T) {
	srv := servertest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	ready := make(chan struct{})
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, srv.Addr(), 2, &out, ready) }()
	<-ready

	c, err := client.Dial(ctx, srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, m := range [][2]string{{"numbers", "42"}, {"letters", "abc"}} {
		if n, err := c.Publish(ctx, m[0], m[1]); err != nil || n != 1 {
			t.Fatalf("PUBLISH %s: %d, %v", m[0], n, err)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	want := "subscribed to [numbers letters]\nnumbers: 42\nletters: abc\n"
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}
