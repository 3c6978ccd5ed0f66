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
	db       *db.DB
	commands commandTable
	started  time.Time

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	clients   map[*client]struct{}
	closing   bool
	clientsWG sync.WaitGroup

	nextClientID  atomic.Int64
	totalCommands atomic.Int64
	connected     atomic.Int64
}

// NewServer returns a server for cfg. It serves nothing until Serve.
func NewServer(cfg Config, log *zap.Logger) *Server {
	return &Server{
		cfg:       cfg,
		log:       log,
		db:        db.New(db.Options{Clock: cfg.Clock}),
		commands:  newCommandTable(),
		started:   time.Now(),
		listeners: make(map[net.Listener]struct{}),
		clients:   make(map[*client]struct{}),
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
		Keys:             int64(s.db.Len()),
	}
}
