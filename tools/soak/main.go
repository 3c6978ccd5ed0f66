// Command soak holds many idle clients on a server while a write load runs
// beside them and slow subscribers fall behind, for a bounded time, and
// checks that the server came through: every idle client still answers,
// every slow subscriber was cut off by the pubsub output buffer limit and
// nobody else was, the writers saw no error, and once the clients are gone
// the server is back to its clients, memory and goroutines of before.
// tools/soak.sh runs it against a freshly built server.
//
//	soak -addr 127.0.0.1:6379 -clients 10000 -writers 8 -slow 20 -duration 30s \
//	     -metrics http://127.0.0.1:9121/metrics
//
// It prints a report of the figures before, during and after, and exits 1
// when a check fails. The server needs maxclients above -clients plus the
// writers and slow subscribers, and the process an open-files limit to
// match.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:6379", "server address")
	flag.IntVar(&cfg.idle, "clients", 10000, "idle clients held open")
	flag.IntVar(&cfg.writers, "writers", 8, "clients running SET/GET on random keys")
	flag.IntVar(&cfg.slow, "slow", 20, "subscribers that never read while a publisher floods their channel")
	flag.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long the load runs")
	metricsURL := flag.String("metrics", "", "the server's Prometheus /metrics URL, for its goroutine count (optional)")
	flag.Parse()
	if *metricsURL != "" {
		cfg.goroutines = func() (int, error) { return scrapeGoroutines(*metricsURL) }
	}
	rep, err := run(context.Background(), cfg)
	fmt.Print(rep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// config is what one soak does.
type config struct {
	addr     string
	idle     int
	writers  int
	slow     int
	duration time.Duration
	// goroutines returns the server's goroutine count; nil when unknown.
	goroutines func() (int, error)
}

// sample is the server's state at one moment.
type sample struct {
	clients    int64
	usedMemory int64
	rss        int64
	goroutines int // -1 when unknown
}

func (s sample) String() string {
	g := "?"
	if s.goroutines >= 0 {
		g = strconv.Itoa(s.goroutines)
	}
	return fmt.Sprintf("connected_clients=%d used_memory=%d used_memory_rss=%d goroutines=%s",
		s.clients, s.usedMemory, s.rss, g)
}

// report is what run found, printed as text.
type report struct {
	before, peak, after sample
	writes, errors      int64
	slowCut             int
	idleAnswered        int
	elapsed             time.Duration
}

func (r report) String() string {
	return fmt.Sprintf("before: %v\nloaded: %v\nafter:  %v\nwrites: %d (%.0f/s), errors: %d\n"+
		"idle clients answering after the load: %d\nslow subscribers cut off: %d\n",
		r.before, r.peak, r.after, r.writes, float64(r.writes)/r.elapsed.Seconds(), r.errors,
		r.idleAnswered, r.slowCut)
}

// run does one soak and checks its outcome.
func run(ctx context.Context, cfg config) (report, error) {
	var rep report
	if cfg.idle < 0 || cfg.writers < 1 || cfg.slow < 0 || cfg.duration <= 0 {
		return rep, errors.New("-clients and -slow must be at least 0, -writers at least 1, -duration positive")
	}
	admin := redis.NewClient(&redis.Options{Addr: cfg.addr, PoolSize: 1, Protocol: 2})
	defer admin.Close()
	var err error
	if rep.before, err = measure(ctx, admin, cfg); err != nil {
		return rep, err
	}

	idle, err := openIdle(cfg.addr, cfg.idle)
	defer closeAll(idle)
	if err != nil {
		return rep, err
	}
	slow, slowIDs, err := openSlowSubscribers(cfg.addr, cfg.slow)
	defer closeAll(slow)
	if err != nil {
		return rep, err
	}

	loadCtx, stop := context.WithTimeout(ctx, cfg.duration)
	defer stop()
	start := time.Now()
	var wg sync.WaitGroup
	var writes, failures atomic.Int64
	var firstErr atomic.Pointer[error]
	writers := redis.NewClient(&redis.Options{Addr: cfg.addr, PoolSize: cfg.writers, Protocol: 2})
	defer writers.Close()
	for i := 0; i < cfg.writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for loadCtx.Err() == nil {
				key := "soak:" + strconv.Itoa(rand.IntN(100000))
				err := writers.Set(ctx, key, key, 0).Err()
				if err == nil {
					err = writers.Get(ctx, key).Err()
				}
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, &err)
				}
				writes.Add(1)
			}
		}()
	}
	if cfg.slow > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			payload := strings.Repeat("x", 64<<10)
			for loadCtx.Err() == nil {
				if err := writers.Publish(ctx, "soak:flood", payload).Err(); err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	// The peak is sampled halfway, with everything connected and running.
	select {
	case <-time.After(cfg.duration / 2):
		if rep.peak, err = measure(ctx, admin, cfg); err != nil {
			return rep, err
		}
	case <-ctx.Done():
	}
	wg.Wait()
	rep.elapsed = time.Since(start)
	rep.writes, rep.errors = writes.Load(), failures.Load()

	var problems []error
	if p := firstErr.Load(); p != nil {
		problems = append(problems, fmt.Errorf("%d writer errors, the first: %w", rep.errors, *p))
	}
	for i, c := range idle {
		if err := ping(c); err != nil {
			problems = append(problems, fmt.Errorf("idle client %d after the load: %w", i, err))
			break
		}
		rep.idleAnswered++
	}
	// The output limit's check runs as output is queued; give the last
	// publishes' a moment.
	left, err := stillConnected(ctx, admin, slowIDs)
	for wait := 0; err == nil && len(left) > 0 && wait < 20; wait++ {
		time.Sleep(100 * time.Millisecond)
		left, err = stillConnected(ctx, admin, slowIDs)
	}
	if err != nil {
		problems = append(problems, err)
	}
	rep.slowCut = len(slowIDs) - len(left)
	if len(left) > 0 {
		problems = append(problems, fmt.Errorf("slow subscribers %v were not disconnected", left))
	}
	closeAll(idle)
	closeAll(slow)
	writers.Close()
	rep.after, err = settle(ctx, admin, cfg, rep.before)
	if err != nil {
		problems = append(problems, err)
	}
	return rep, errors.Join(problems...)
}

// openIdle opens n connections and checks each answers PING.
func openIdle(addr string, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, 0, n)
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			return conns, fmt.Errorf("idle client %d: %w", i, err)
		}
		conns = append(conns, c)
		if err := ping(c); err != nil {
			return conns, fmt.Errorf("idle client %d: %w", i, err)
		}
	}
	return conns, nil
}

// openSlowSubscribers subscribes n connections to the flooded channel and
// never reads from them again. It returns them with their client ids.
func openSlowSubscribers(addr string, n int) ([]net.Conn, []string, error) {
	conns := make([]net.Conn, 0, n)
	var ids []string
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			return conns, ids, fmt.Errorf("slow subscriber %d: %w", i, err)
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(c)
		io.WriteString(c, "CLIENT ID\r\n")
		line, err := r.ReadString('\n')
		id, ok := strings.CutPrefix(strings.TrimSpace(line), ":")
		if err != nil || !ok {
			return conns, ids, fmt.Errorf("slow subscriber %d: CLIENT ID got %q, %v", i, line, err)
		}
		ids = append(ids, id)
		// The confirmation is read so that the subscription is in place
		// before the flood begins; after it, nothing is.
		io.WriteString(c, "SUBSCRIBE soak:flood\r\n")
		want := "*3\r\n$9\r\nsubscribe\r\n$10\r\nsoak:flood\r\n:1\r\n"
		buf := make([]byte, len(want))
		if _, err := io.ReadFull(r, buf); err != nil || string(buf) != want {
			return conns, ids, fmt.Errorf("slow subscriber %d: SUBSCRIBE got %q, %v", i, buf, err)
		}
	}
	return conns, ids, nil
}

// stillConnected returns those of ids the server still lists as clients.
func stillConnected(ctx context.Context, rdb *redis.Client, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{"CLIENT", "LIST", "ID"}
	for _, id := range ids {
		args = append(args, id)
	}
	list, err := rdb.Do(ctx, args...).Text()
	if err != nil {
		return nil, fmt.Errorf("CLIENT LIST: %w", err)
	}
	var left []string
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		if id, ok := strings.CutPrefix(line, "id="); ok {
			id, _, _ = strings.Cut(id, " ")
			left = append(left, id)
		}
	}
	return left, nil
}

// ping sends PING on c and checks the reply.
func ping(c net.Conn) error {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, "PING\r\n"); err != nil {
		return err
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != "+PONG\r\n" {
		return fmt.Errorf("PING got %q", buf)
	}
	return nil
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

// measure samples the server.
func measure(ctx context.Context, rdb *redis.Client, cfg config) (sample, error) {
	s := sample{goroutines: -1}
	info, err := rdb.Info(ctx, "clients", "memory").Result()
	if err != nil {
		return s, fmt.Errorf("INFO: %w", err)
	}
	fields := map[string]*int64{"connected_clients": &s.clients, "used_memory": &s.usedMemory, "used_memory_rss": &s.rss}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		name, value, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if p := fields[name]; ok && p != nil {
			*p, _ = strconv.ParseInt(value, 10, 64)
		}
	}
	if cfg.goroutines != nil {
		if s.goroutines, err = cfg.goroutines(); err != nil {
			return s, fmt.Errorf("goroutines: %w", err)
		}
	}
	return s, nil
}

// settle waits, for up to 10 seconds, for the server to drop back to the
// clients and goroutines it had before, and returns its state then.
func settle(ctx context.Context, rdb *redis.Client, cfg config, before sample) (sample, error) {
	// A few goroutines come and go with the server's own timers.
	const goroutineSlack = 10
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := measure(ctx, rdb, cfg)
		if err != nil {
			return s, err
		}
		clientsBack := s.clients <= before.clients
		goroutinesBack := s.goroutines < 0 || s.goroutines <= before.goroutines+goroutineSlack
		if clientsBack && goroutinesBack {
			return s, nil
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("10 s after the load the server still has %v (before: %v)", s, before)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// scrapeGoroutines reads go_goroutines from a Prometheus text endpoint.
func scrapeGoroutines(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no go_goroutines in %s", url)
}
