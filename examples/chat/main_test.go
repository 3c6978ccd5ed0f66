package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/server/servertest"
)

func TestRun(t *testing.T) {
	srv := servertest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, srv.Addr(), &out); err != nil {
		t.Fatal(err)
	}
	want := "[alice hears] alice: hi bob\n[alice hears] bob: hello alice\n" +
		"[bob hears] alice: hi bob\n[bob hears] bob: hello alice\n"
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}
