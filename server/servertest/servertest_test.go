package servertest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/server/servertest"
	"github.com/redis/go-redis/v9"
)

func client(t *testing.T, srv *servertest.Server, password string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: password})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func TestStartServesGoRedis(t *testing.T) {
	ctx := context.Background()
	rdb := client(t, servertest.Start(t), "")
	if err := rdb.Set(ctx, "greeting", "hello", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := rdb.Get(ctx, "greeting").Result(); err != nil || got != "hello" {
		t.Fatalf("GET = %q, %v", got, err)
	}
	if n, err := rdb.Incr(ctx, "n").Result(); err != nil || n != 1 {
		t.Fatalf("INCR = %d, %v", n, err)
	}
}

func TestOptionsApply(t *testing.T) {
	ctx := context.Background()
	srv := servertest.Start(t, "--requirepass", "pw", "--databases", "2")
	if err := client(t, srv, "").Ping(ctx).Err(); err == nil || !strings.HasPrefix(err.Error(), "NOAUTH") {
		t.Errorf("PING without the password: %v, want NOAUTH", err)
	}
	rdb := client(t, srv, "pw")
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING with the password: %v", err)
	}
	if got, _ := rdb.ConfigGet(ctx, "databases").Result(); got["databases"] != "2" {
		t.Errorf("CONFIG GET databases = %v, want 2", got)
	}
}

func TestFastForwardExpiresKeys(t *testing.T) {
	ctx := context.Background()
	srv := servertest.Start(t)
	rdb := client(t, srv, "")
	rdb.Set(ctx, "short", "v", 10*time.Second)
	rdb.Set(ctx, "long", "v", time.Hour)
	rdb.Set(ctx, "forever", "v", 0)

	srv.FastForward(30 * time.Second)
	if _, err := rdb.Get(ctx, "short").Result(); !errors.Is(err, redis.Nil) {
		t.Errorf("GET short after its TTL: %v, want nil", err)
	}
	ttl, err := rdb.TTL(ctx, "long").Result()
	if err != nil || ttl > time.Hour-30*time.Second || ttl < time.Hour-time.Minute {
		t.Errorf("TTL long = %v, %v; want about 59m30s", ttl, err)
	}
	if n, _ := rdb.Exists(ctx, "forever").Result(); n != 1 {
		t.Error("a key without a TTL expired")
	}
	// Keys nobody reads go too: the background expiry follows the clock.
	rdb.Set(ctx, "unread", "v", time.Minute)
	srv.FastForward(2 * time.Minute)
	deadline := time.Now().Add(5 * time.Second)
	for {
		info, _ := rdb.Info(ctx, "stats").Result()
		if strings.Contains(info, "expired_keys:2") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the unread key did not expire in the background:\n%s", info)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServersAreIndependent(t *testing.T) {
	ctx := context.Background()
	a, b := servertest.Start(t), servertest.Start(t, "--requirepass", "b")
	if a.Addr() == b.Addr() {
		t.Fatalf("both servers at %s", a.Addr())
	}
	ra, rb := client(t, a, ""), client(t, b, "b")
	ra.Set(ctx, "k", "a", time.Minute)
	rb.Set(ctx, "k", "b", time.Minute)
	a.FastForward(time.Hour)
	if _, err := ra.Get(ctx, "k").Result(); !errors.Is(err, redis.Nil) {
		t.Errorf("a's key survived a's FastForward: %v", err)
	}
	if got, err := rb.Get(ctx, "k").Result(); err != nil || got != "b" {
		t.Errorf("b's key after a's FastForward = %q, %v; want b", got, err)
	}
	// CONFIG SET on one leaves the other alone.
	ra.ConfigSet(ctx, "maxclients", "7")
	if got, _ := rb.ConfigGet(ctx, "maxclients").Result(); got["maxclients"] != "10000" {
		t.Errorf("b's maxclients = %v after CONFIG SET on a", got)
	}
}

func TestStartIgnoresDumpInWorkingDirectory(t *testing.T) {
	// A stray dump.rdb where the tests run must not leak into the server.
	wd, _ := os.Getwd()
	if _, err := os.Stat(filepath.Join(wd, "dump.rdb")); err == nil {
		t.Skip("a dump.rdb exists here already")
	}
	dir := t.TempDir()
	srv := servertest.Start(t, "--dir", dir)
	rdb := client(t, srv, "")
	rdb.Set(context.Background(), "k", "v", 0)
	if err := rdb.Save(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Errorf("SAVE with --dir did not write there: %v", err)
	}
	other := client(t, servertest.Start(t), "")
	if n, _ := other.DBSize(context.Background()).Result(); n != 0 {
		t.Errorf("a new server has %d keys, want 0", n)
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	_, err := servertest.Run("--maxclients", "nope")
	if err == nil || !strings.Contains(err.Error(), "argument couldn't be parsed into an integer") {
		t.Errorf("Run with a bad option: %v", err)
	}
}

func TestFastForwardTimesOutBlockedClients(t *testing.T) {
	ctx := context.Background()
	srv := servertest.Start(t)
	rdb, observer := client(t, srv, ""), client(t, srv, "")
	done := make(chan error, 1)
	go func() {
		_, err := rdb.BLPop(ctx, time.Minute, "queue").Result()
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(observer.Info(ctx, "clients").Val(), "blocked_clients:1") {
		if time.Now().After(deadline) {
			t.Fatal("BLPOP did not block")
		}
		time.Sleep(time.Millisecond)
	}
	srv.FastForward(59 * time.Second)
	select {
	case err := <-done:
		t.Fatalf("BLPOP returned %v before its timeout", err)
	case <-time.After(50 * time.Millisecond):
	}
	srv.FastForward(time.Second)
	select {
	case err := <-done:
		if !errors.Is(err, redis.Nil) {
			t.Errorf("BLPOP after its timeout: %v, want redis.Nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("BLPOP still blocked after FastForward past its timeout")
	}
}
