package client_test

import (
	"context"
	"fmt"
	"log"
	"sort"
	"time"

	"github.com/mini-redis/mini-redis/client"
)

func ExampleClient_ScanAll() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := client.Dial(ctx, srv.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for _, k := range []string{"user:1", "user:2", "order:1"} {
		if err := c.Set(ctx, k, "x", 0); err != nil {
			log.Fatal(err)
		}
	}
	var keys []string
	for key, err := range c.ScanAll(ctx, &client.ScanOptions{Match: "user:*"}) {
		if err != nil {
			log.Fatal(err)
		}
		keys = append(keys, key)
	}
	sort.Strings(keys) // SCAN has no order
	fmt.Println(keys)
	// Output:
	// [user:1 user:2]
}

func ExampleScript() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := client.Dial(ctx, srv.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// The first Run sends the source (EVALSHA fails with NOSCRIPT); the
	// next ones only its digest.
	incrBy := client.NewScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
	for range 2 {
		f, err := incrBy.Run(ctx, c, []string{"counter"}, 5)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(f.Int)
	}
	// Output:
	// 5
	// 10
}

func ExampleClient_XReadGroup() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := client.Dial(ctx, srv.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.XGroupCreate(ctx, "jobs", "workers", "$", true); err != nil {
		log.Fatal(err)
	}
	if _, err := c.XAdd(ctx, "jobs", "1-1", "task", "resize"); err != nil {
		log.Fatal(err)
	}
	// Block waits up to a second for a job; cancelling ctx would end the
	// wait sooner.
	streams, err := c.XReadGroup(ctx, "workers", "w1", client.XReadOptions{Count: 10, Block: time.Second}, "jobs", ">")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range streams[0].Messages {
		fmt.Println(m.ID, m.Fields)
		if _, err := c.XAck(ctx, "jobs", "workers", m.ID); err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// 1-1 [task resize]
}

func ExampleClient_GeoSearchLocations() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := client.Dial(ctx, srv.Addr(), client.WithProtocol(3))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.GeoAdd(ctx, "sicily",
		client.GeoLocation{Name: "Palermo", Longitude: 13.361389, Latitude: 38.115556},
		client.GeoLocation{Name: "Catania", Longitude: 15.087269, Latitude: 37.502669},
	); err != nil {
		log.Fatal(err)
	}
	q := client.GeoSearchQuery{FromLonLat: true, Longitude: 15, Latitude: 37, Radius: 200, Unit: "km", Sort: "ASC"}
	found, err := c.GeoSearchLocations(ctx, "sicily", q, client.GeoSearchOptions{WithDist: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range found {
		fmt.Printf("%s %.1f km\n", r.Name, r.Dist)
	}
	// Output:
	// Catania 56.4 km
	// Palermo 190.4 km
}
