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
	if err := run(ctx, srv.Addr(), 3, &out); err != nil {
		t.Fatal(err)
	}
	want := "worker: processing job 1\nworker: processing job 2\nworker: processing job 3\nworker: done after 3 jobs\n"
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}
