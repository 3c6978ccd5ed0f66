package main

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/mini-redis/mini-redis/server/servertest"
)

func TestRunReadsAndAcksEveryEntry(t *testing.T) {
	srv := servertest.Start(t)
	ctx := context.Background()
	tests := []struct {
		name                       string
		clients, entries, pipeline int
	}{
		{"one client", 1, 10, 1},
		{"pipelined, entries not a multiple", 4, 103, 16},
		{"more clients than entries", 8, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rps, err := run(ctx, srv.Addr(), "s", "both", tt.clients, tt.entries, tt.pipeline)
			if err != nil {
				t.Fatal(err)
			}
			if rps <= 0 {
				t.Errorf("rps = %v, want > 0", rps)
			}
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
			defer rdb.Close()
			groups, err := rdb.XInfoGroups(ctx, "s").Result()
			if err != nil {
				t.Fatal(err)
			}
			if len(groups) != 1 || groups[0].Pending != 0 || groups[0].EntriesRead != int64(tt.entries) {
				t.Errorf("groups = %+v, want one with %d entries read and none pending", groups, tt.entries)
			}
		})
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	for _, args := range []struct {
		phase   string
		c, n, p int
	}{{"both", 0, 1, 1}, {"both", 1, 0, 1}, {"both", 1, 1, 0}, {"neither", 1, 1, 1}} {
		if _, err := run(context.Background(), "127.0.0.1:1", "s", args.phase, args.c, args.n, args.p); err == nil {
			t.Errorf("run(%+v) succeeded, want an error", args)
		}
	}
}
