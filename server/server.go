package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db"
	"go.uber.org/zap"
)

// Server is a Redis-protocol server over one keyspace.
type Server struct {
	cfg      Config
	log      *zap.Logger
	store    *db.Store
	commands commandTable
	started  time.Time

	// world is held shared by every command and exclusively by the few that
	// act on whole databases (FLUSHALL, SWAPDB, ...), which therefore run
	// alone, as every command does in Redis.
	world sync.RWMutex

	// stopExpiry ends the active expiry loop.
	stopExpiry context.CancelFunc
	expiryDone chan struct{}

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	clients   map[*client]struct{}
	closing   bool
	clientsWG sync.WaitGroup

	nextClientID  atomic.Int64
	totalCommands atomic.Int64
	connected     atomic.Int64
	// dirty counts changes to the keyspace since the last save.
	dirty atomic.Int64
	// notifyClasses are the keyspace event classes to publish.
	notifyClasses atomic.Uint32
}

// NewServer returns a server for cfg. It serves nothing until Serve.
func NewServer(cfg Config, log *zap.Logger) *Server {
	s := &Server{
		cfg:        cfg,
		log:        log,
		commands:   newCommandTable(),
		started:    time.Now(),
		listeners:  make(map[net.Listener]struct{}),
		clients:    make(map[*client]struct{}),
		expiryDone: make(chan struct{}),
	}
	s.store = db.New(db.Options{
		Databases: cfg.Databases,
		Clock:     cfg.Clock,
		Rand:      cfg.Rand,
		OnExpired: func(d *db.DB, key string) { s.notify(d.Index(), evExpired, "expired", []byte(key)) },
	})
	ctx, cancel := context.WithCancel(context.Background())
	s.stopExpiry = cancel
	go s.activeExpiry(ctx)
	return s
}

// activeExpiry removes expired keys that nobody reads, ten times a second,
// spending at most a quarter of each interval, as Redis does with hz 10.
func (s *Server) activeExpiry(ctx context.Context) {
	defer close(s.expiryDone)
	const interval = 100 * time.Millisecond
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			deadline := time.Now().Add(interval / 4)
			s.world.RLock()
			s.store.ExpireCycle(db.ExpireLimits{Stop: func() bool { return time.Now().After(deadline) }})
			s.world.RUnlock()
		}
	}
}

// maxBulkLen is proto-max-bulk-len: the longest string a command may build.
func (s *Server) maxBulkLen() int64 {
	if s.cfg.ProtoMaxBulkLen > 0 {
		return s.cfg.ProtoMaxBulkLen
	}
	return 512 << 20
}

// flushAll empties every database (FLUSHALL).
func (s *Server) flushAll() {
	for i := 0; i < s.store.Databases(); i++ {
		s.dirty.Add(int64(s.store.DB(i).Len()))
	}
	s.store.FlushAll()
}

// notify publishes a keyspace event if the configured classes include it.
// Nothing is configured until pub/sub and CONFIG exist, so for now it only
// marks where each command reports its events.
func (s *Server) notify(dbIndex int, class eventClass, event string, key []byte) {
	if s.notifyClasses.Load()&uint32(class) == 0 {
		return
	}
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("server: closed")

// Serve accepts clients on ln until Shutdown, serving each in its own
// goroutine. It always returns a non-nil error: ErrServerClosed after
// Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errTooManyOpenFiles) {
				// Out of file descriptors or similar: wait and retry,
				// as net/http does, instead of spinning.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", zap.Error(err), zap.Duration("backoff", backoff))
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("server: accept: %w", err)
		}
		backoff = 0
		s.startClient(nc)
	}
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

func (s *Server) startClient(nc net.Conn) {
	c := &client{
		id:      s.nextClientID.Add(1),
		server:  s,
		conn:    connection.New(nc, connection.Options{WriteTimeout: s.cfg.WriteTimeout}),
		created: time.Now(),
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.clients[c] = struct{}{}
	s.clientsWG.Add(1)
	s.mu.Unlock()
	s.connected.Add(1)
	go func() {
		defer s.clientsWG.Done()
		defer s.removeClient(c)
		c.serve()
	}()
}

func (s *Server) removeClient(c *client) {
	s.mu.Lock()
	delete(s.clients, c)
	s.mu.Unlock()
	s.connected.Add(-1)
}

// Shutdown stops the server gracefully: it stops accepting, lets every
// client finish the commands it has sent, writes their replies and closes
// the connections. If ctx ends first, it closes the remaining connections
// at once and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for ln := range s.listeners {
		ln.Close()
		delete(s.listeners, ln)
	}
	for c := range s.clients {
		c.conn.Interrupt()
	}
	s.mu.Unlock()

	s.stopExpiry()
	<-s.expiryDone
	done := make(chan struct{})
	go func() {
		s.clientsWG.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.clients {
			c.conn.NetConn().Close()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// Stats is a snapshot of the server's counters.
type Stats struct {
	Uptime           time.Duration
	ConnectedClients int64
	TotalCommands    int64
	Keys             int64
}

// Stats returns the server's counters now.
func (s *Server) Stats() Stats {
	return Stats{
		Uptime:           time.Since(s.started),
		ConnectedClients: s.connected.Load(),
		TotalCommands:    s.totalCommands.Load(),
		Keys:             s.keyCount(),
	}
}

// keyCount returns the number of keys in all databases.
func (s *Server) keyCount() int64 {
	var n int64
	for i := 0; i < s.store.Databases(); i++ {
		n += int64(s.store.DB(i).Len())
	}
	return n
}
