package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/mini-redis/mini-redis/server/servertest"
)

func TestRun(t *testing.T) {
	srv := servertest.Start(t)
	var out bytes.Buffer
	if err := run(context.Background(), srv.Addr(), &out); err != nil {
		t.Fatal(err)
	}
	if want := "got value from the server; success=world\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}
