package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/server/servertest"
	"github.com/redis/go-redis/v9"
)

// TestEmbeddedServers is what a project that uses Redis writes: it starts
// two independent in-process servers, talks to them with go-redis, and
// moves one server's clock so a TTL runs out without sleeping.
func TestEmbeddedServers(t *testing.T) {
	ctx := context.Background()
	cache := servertest.Start(t)
	sessions := servertest.Start(t, "--requirepass", "pw")

	rc := redis.NewClient(&redis.Options{Addr: cache.Addr()})
	defer rc.Close()
	rs := redis.NewClient(&redis.Options{Addr: sessions.Addr(), Password: "pw"})
	defer rs.Close()

	if err := rc.Set(ctx, "page", "<html>", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rs.Set(ctx, "page", "session", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	cache.FastForward(2 * time.Minute)

	if _, err := rc.Get(ctx, "page").Result(); !errors.Is(err, redis.Nil) {
		t.Errorf("cache: GET after the TTL = %v, want redis.Nil", err)
	}
	if got, err := rs.Get(ctx, "page").Result(); err != nil || got != "session" {
		t.Errorf("sessions: GET = %q, %v; want the value (its clock did not move)", got, err)
	}
	if err := redis.NewClient(&redis.Options{Addr: sessions.Addr()}).Ping(ctx).Err(); err == nil {
		t.Error("sessions: PING without the password succeeded")
	}
}
