package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/mini-redis/mini-redis/client"
	"github.com/mini-redis/mini-redis/server/servertest"
)

func TestRun(t *testing.T) {
	srv := servertest.Start(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, srv.Addr(), "numbers", "42", &out); err != nil {
		t.Fatal(err)
	}
	if want := "published \"42\" on numbers to 0 subscriber(s)\n"; out.String() != want {
		t.Errorf("no subscriber: output %q, want %q", out.String(), want)
	}

	c, err := client.Dial(ctx, srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub, err := c.Subscribe(ctx, "numbers")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	out.Reset()
	if err := run(ctx, srv.Addr(), "numbers", "42", &out); err != nil {
		t.Fatal(err)
	}
	if want := "published \"42\" on numbers to 1 subscriber(s)\n"; out.String() != want {
		t.Errorf("one subscriber: output %q, want %q", out.String(), want)
	}
	if m := <-sub.C(); m == nil || m.Channel != "numbers" || string(m.Payload) != "42" {
		t.Errorf("subscriber got %+v", m)
	}
}
