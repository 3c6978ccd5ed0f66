// Command queue runs a producer and a worker through a list: the producer
// RPUSHes jobs, the worker takes them with BLPOP as they come, and stops at
// the producer's "done".
//
//	go run ./examples/queue -addr 127.0.0.1:6379 -jobs 5
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/mini-redis/mini-redis/client"
)

const (
	queue = "jobs"
	done  = "done" // the producer's last item: no more jobs
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address, host:port")
	jobs := flag.Int("jobs", 5, "how many jobs the producer makes")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, *addr, *jobs, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, addr string, jobs int, w io.Writer) error {
	worker, err := client.Dial(ctx, addr)
	if err != nil {
		return err
	}
	defer worker.Close()
	producer, err := client.Dial(ctx, addr)
	if err != nil {
		return err
	}
	defer producer.Close()

	produced := make(chan error, 1)
	go func() {
		for i := 1; i <= jobs; i++ {
			if _, err := producer.RPush(ctx, queue, "job "+strconv.Itoa(i)); err != nil {
				produced <- err
				return
			}
			time.Sleep(time.Millisecond) // let the worker wait for some
		}
		_, err := producer.RPush(ctx, queue, done)
		produced <- err
	}()

	for n := 0; ; n++ {
		_, v, err := worker.BLPop(ctx, 5*time.Second, queue)
		if err != nil {
			return fmt.Errorf("worker: %w", err)
		}
		if string(v) == done {
			fmt.Fprintf(w, "worker: done after %d jobs\n", n)
			break
		}
		fmt.Fprintf(w, "worker: processing %s\n", v)
	}
	return <-produced
}
