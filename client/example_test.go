package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/mini-redis/mini-redis/client"
	"github.com/mini-redis/mini-redis/server/servertest"
)

// startServer starts an in-process mini-redis for an example; a real
// program dials its server's address instead.
func startServer() *servertest.Server {
	srv, err := servertest.Run()
	if err != nil {
		log.Fatal(err)
	}
	return srv
}

func Example() {
	srv := startServer()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	c, err := client.Dial(ctx, srv.Addr(), client.WithProtocol(3))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Set(ctx, "greeting", "hello", time.Minute); err != nil {
		log.Fatal(err)
	}
	v, err := c.Get(ctx, "greeting")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", v)
	if _, err := c.Get(ctx, "missing"); errors.Is(err, client.Nil) {
		fmt.Println("missing: nil")
	}
	// Output:
	// hello
	// missing: nil
}

func ExampleError() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := client.Dial(ctx, srv.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	c.LPush(ctx, "list", "x")
	_, err = c.Get(ctx, "list")
	var e client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Prefix())
	}
	// Output: WRONGTYPE
}

func ExamplePipeline() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := client.Dial(ctx, srv.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	p := c.Pipeline()
	for i := range 1000 {
		p.Do("SET", fmt.Sprint("key:", i), i)
	}
	p.Do("DBSIZE")
	replies, err := p.Exec(ctx) // one write, 1001 replies
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(replies), replies[len(replies)-1].Int)
	// Output: 1001 1000
}

func ExampleClient_Watch() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := client.Dial(ctx, srv.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	c.Set(ctx, "balance", 100, 0)
	// Double the balance, unless someone changes it meanwhile.
	replies, err := c.Watch(ctx, func(tx *client.Tx) error {
		v, err := tx.Get(ctx, "balance")
		if err != nil {
			return err
		}
		var n int
		fmt.Sscan(string(v), &n)
		tx.Queue("SET", "balance", 2*n)
		tx.Queue("GET", "balance")
		return nil
	}, "balance")
	if errors.Is(err, client.ErrTxFailed) {
		fmt.Println("retry")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(replies[1].Text())
	// Output: 200
}

func ExampleClient_Subscribe() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := client.Dial(ctx, srv.Addr(), client.WithProtocol(3))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	sub, err := c.Subscribe(ctx, "news")
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()
	c.Publish(ctx, "news", "hello")
	m := <-sub.C()
	fmt.Printf("%s: %s\n", m.Channel, m.Payload)
	// Output: news: hello
}

func ExamplePool() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	p := client.NewPool(srv.Addr(), client.WithPoolSize(4))
	defer p.Close()

	done := make(chan bool)
	for range 8 {
		go func() {
			_, err := p.Do(ctx, "INCR", "hits")
			done <- err == nil
		}()
	}
	for range 8 {
		<-done
	}
	f, err := p.Do(ctx, "GET", "hits")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Text())
	// Output: 8
}

func ExampleBuffered() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	b, err := client.NewBuffered(ctx, srv.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	// Many goroutines, one connection: their commands share writes.
	done := make(chan bool)
	for range 100 {
		go func() {
			_, err := b.Do(ctx, "INCR", "hits")
			done <- err == nil
		}()
	}
	for range 100 {
		<-done
	}
	f, err := b.Do(ctx, "GET", "hits")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Text())
	// Output: 100
}
