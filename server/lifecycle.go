package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/mini-redis/mini-redis/admin"
	"go.uber.org/zap"
)

// Start brings the server up as redis-server does: it loads the dump,
// opens a listener for every bind address on port (port 0 picks a free
// one; see Addr), starts the admin API unless admin-port is 0, and serves
// them all in the background. It returns once clients can connect. When
// it fails, the server has released everything it had opened.
//
// A server started once is stopped with Shutdown; it cannot start again.
func (s *Server) Start() error {
	s.mu.Lock()
	again := s.startCalled
	s.startCalled = true
	s.mu.Unlock()
	if again {
		return errors.New("server: already started")
	}
	if err := s.loadDump(); err != nil {
		return s.abortStart(err)
	}
	lns, err := ListenAddrs(s.settings.bind.Load(), int(s.settings.port.Load()))
	if err != nil {
		return s.abortStart(err)
	}
	s.mu.Lock()
	s.addrs = nil
	for _, ln := range lns {
		s.addrs = append(s.addrs, ln.Addr())
	}
	s.mu.Unlock()
	for _, ln := range lns {
		go s.serveUntilClosed(ln)
	}
	if s.settings.adminPort.Load() != 0 {
		if err := s.startAdmin(); err != nil {
			return s.abortStart(err)
		}
	}
	for _, ln := range lns {
		s.log.Info("ready to accept connections", zap.Stringer("addr", ln.Addr()))
	}
	return nil
}

// abortStart stops what Start had started and returns err.
func (s *Server) abortStart(err error) error {
	s.Shutdown(context.Background())
	return err
}

// serveUntilClosed serves ln; if it fails other than by Shutdown, the
// server is asked to stop, as a redis-server whose listener breaks.
func (s *Server) serveUntilClosed(ln net.Listener) {
	if err := s.Serve(ln); !errors.Is(err, ErrServerClosed) {
		s.log.Error("listener failed; shutting down", zap.Error(err))
		s.failure.CompareAndSwap(nil, &err)
		s.requestShutdown()
	}
}

// startAdmin listens on admin-bind:admin-port and serves the gRPC admin API
// there. A non-loopback admin-bind needs admin-token.
func (s *Server) startAdmin() error {
	addr := net.JoinHostPort(s.settings.adminBind.Load(), strconv.FormatInt(s.settings.adminPort.Load(), 10))
	tokenForAll, err := admin.CheckBind(addr, s.settings.adminToken.Load())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("admin listen: %w", err)
	}
	srv := admin.NewServer(s.adminBackend(), admin.Options{Token: s.settings.adminToken.Load(), RequireTokenForAll: tokenForAll})
	s.mu.Lock()
	s.admin, s.adminAddr = srv, ln.Addr()
	s.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !s.isClosing() {
			s.log.Error("admin API failed; shutting down", zap.Error(err))
			s.failure.CompareAndSwap(nil, &err)
			s.requestShutdown()
		}
	}()
	s.log.Info("admin API listening", zap.Stringer("addr", ln.Addr()))
	return nil
}

// Addr returns the address of the first Redis listener Start opened (with
// the port it picked for port 0), or nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.addrs) == 0 {
		return nil
	}
	return s.addrs[0]
}

// AdminAddr returns the address of the admin API, or nil when it is off or
// before Start.
func (s *Server) AdminAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.adminAddr
}

// ShutdownRequested returns a channel that is closed when something asks
// the server to stop: the SHUTDOWN command, the admin API's Shutdown call,
// or a listener that fails. Whoever runs the server then calls Shutdown;
// ListenAndServe does.
func (s *Server) ShutdownRequested() <-chan struct{} { return s.shutdownRequested }

// ListenAndServe runs the server until ctx ends or it is asked to stop
// (see ShutdownRequested), then shuts it down gracefully, giving clients
// shutdown-timeout (or the admin API's drain timeout) to finish. It
// returns nil after a requested or signalled stop, and the cause when
// starting or a listener failed.
func (s *Server) ListenAndServe(ctx context.Context) error {
	if err := s.Start(); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		s.log.Info("received shutdown signal; shutting down")
	case <-s.shutdownRequested:
		s.log.Info("shutdown requested; shutting down")
	}
	drain := s.cfg.ShutdownTimeout
	if o := s.shutdownOpts.Load(); o != nil && o.Drain > 0 {
		drain = o.Drain
	}
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		s.log.Warn("shutdown was not clean", zap.Error(err))
	}
	s.log.Info("server stopped")
	if err := s.failure.Load(); err != nil {
		return *err
	}
	return nil
}

// Shutdown stops the server gracefully: the admin API's health check turns
// NOT_SERVING, the server stops accepting, lets every client finish the
// commands it has sent, writes their replies and closes the connections,
// saves the dump if save rules are set (unless SHUTDOWN saved already, or
// the admin API said otherwise), and stops the admin API. If ctx ends
// first, the remaining connections are closed at once and ctx's error is
// returned. A background save in progress always finishes first, so no
// goroutine of the server is left. Calling it again does nothing more.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	adminSrv := s.admin
	s.mu.Unlock()
	if adminSrv != nil {
		adminSrv.SetNotServing()
	}
	var errs []error
	if err := s.closeClients(ctx); err != nil {
		errs = append(errs, fmt.Errorf("clients cut off: %w", err))
	}
	if s.shutdownSaved.CompareAndSwap(false, true) {
		if err := s.saveOnShutdown(); err != nil {
			s.log.Error("saving on shutdown failed", zap.Error(err))
			errs = append(errs, fmt.Errorf("saving on shutdown: %w", err))
		}
	}
	if adminSrv != nil {
		adminSrv.Stop(ctx)
	}
	return errors.Join(errs...)
}

// IOThreads returns the io-threads parameter: how many threads the
// server's clients should share. The mini-redis binary sets GOMAXPROCS
// to it; a program that embeds the server decides for itself.
func (s *Server) IOThreads() int { return int(s.settings.ioThreads.Load()) }
