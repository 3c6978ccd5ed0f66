package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/mini-redis/mini-redis/admin"
	"go.uber.org/zap"
)

// Start brings the server up as redis-server does: it loads the dump (or
// the append-only file), opens a listener for every bind address on port
// (port 0 picks a free one; see Addr), starts the admin API unless
// admin-port is 0, and serves them all in the background. It returns once
// clients can connect. When it fails, the server has released everything
// it had opened.
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
	if err := s.loadData(); err != nil {
		return s.abortStart(err)
	}
	if err := s.startAOF(); err != nil {
		return s.abortStart(err)
	}
	var lns, tlsLns []net.Listener
	tlsPort := int(s.settings.tlsPort.Load())
	// With a TLS port, port 0 means no plaintext listener, as in Redis;
	// without one it picks a free port.
	if port := int(s.settings.port.Load()); port != 0 || tlsPort == 0 {
		var err error
		if lns, err = ListenAddrs(s.settings.bind.Load(), port); err != nil {
			return s.abortStart(err)
		}
	}
	if tlsPort != 0 {
		cfg, err := buildTLSConfig(s.settings.tlsSettings())
		if err != nil {
			closeAll(lns)
			s.log.Error("Failed to configure TLS", zap.Error(err))
			return s.abortStart(fmt.Errorf("Failed to configure TLS: %w", err))
		}
		s.settings.tlsConfig.Store(cfg)
		if tlsLns, err = ListenAddrs(s.settings.bind.Load(), tlsPort); err != nil {
			closeAll(lns)
			return s.abortStart(err)
		}
	}
	s.mu.Lock()
	s.addrs, s.tlsAddrs = nil, nil
	for _, ln := range lns {
		s.addrs = append(s.addrs, ln.Addr())
	}
	for _, ln := range tlsLns {
		s.tlsAddrs = append(s.tlsAddrs, ln.Addr())
	}
	s.mu.Unlock()
	for _, ln := range lns {
		go s.serveUntilClosed(ln)
	}
	for _, ln := range tlsLns {
		go s.serveUntilClosed(tls.NewListener(ln, s.settings.listenerTLSConfig()))
	}
	lns = append(lns, tlsLns...)
	if s.settings.adminPort.Load() != 0 {
		if err := s.startAdmin(); err != nil {
			return s.abortStart(err)
		}
	}
	for _, ln := range lns {
		s.log.Info("ready to accept connections", zap.Stringer("addr", ln.Addr()))
	}
	s.startReplication()
	return nil
}

// abortStart stops what Start had started and returns err.
func (s *Server) abortStart(err error) error {
	// Nothing has changed since the dump was loaded: no final save, which
	// could fail and leave the listeners open.
	s.shutdownSaved.Store(true)
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
	tlsCfg, err := s.adminTLSConfig()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("admin listen: %w", err)
	}
	srv := admin.NewServer(s.adminBackend(), admin.Options{Token: s.settings.adminToken.Load(), RequireTokenForAll: tokenForAll,
		TLS: tlsCfg})
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

// adminTLSConfig is the admin API's TLS configuration from the admin-tls-*
// parameters: nil without a certificate; with a CA, client certificates
// are optional but verified when given.
func (s *Server) adminTLSConfig() (*tls.Config, error) {
	certFile, keyFile := s.settings.adminTLSCertFile.Load(), s.settings.adminTLSKeyFile.Load()
	caFile := s.settings.adminTLSCACertFile.Load()
	if certFile == "" && keyFile == "" {
		if caFile != "" {
			return nil, errors.New("admin: admin-tls-ca-cert-file needs admin-tls-cert-file and admin-tls-key-file")
		}
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, errors.New("admin: TLS needs both admin-tls-cert-file and admin-tls-key-file")
	}
	cert, err := loadKeyPair(certFile, keyFile, "")
	if err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pool, err := loadCAs(caFile, "")
		if err != nil {
			return nil, fmt.Errorf("admin: %w", err)
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.VerifyClientCertIfGiven
	}
	return cfg, nil
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

// TLSAddr returns the address of the first TLS listener Start opened, or
// nil when tls-port is 0 or before Start.
func (s *Server) TLSAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tlsAddrs) == 0 {
		return nil
	}
	return s.tlsAddrs[0]
}

// closeAll closes listeners Start opened before it failed.
func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// AdminAddr returns the address of the admin API, or nil when it is off or
// before Start.
func (s *Server) AdminAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.adminAddr
}

// ErrShutdownAborted is returned, wrapped with the cause, by Shutdown when
// the final save fails: the server refuses to stop, as redis-server does,
// and goes on serving with nothing lost. Stopping without the save takes
// SHUTDOWN NOSAVE, the admin API's Shutdown with save=false, or removing
// the save rules (CONFIG SET save "").
var ErrShutdownAborted = errors.New("shutdown aborted: the final save failed")

// stopRequests are the requests to shut the server down. A request closes
// the channel ListenAndServe waits on; a shutdown that is aborted re-arms
// it, so that the next request is a new attempt.
type stopRequests struct {
	mu      sync.Mutex
	ch      chan struct{}
	pending bool
}

func (r *stopRequests) request() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.pending {
		r.pending = true
		close(r.ch)
	}
}

func (r *stopRequests) wait() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ch
}

func (r *stopRequests) rearm() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending {
		r.pending = false
		r.ch = make(chan struct{})
	}
}

func (r *stopRequests) isPending() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pending
}

// requestShutdown asks whoever runs the server to shut it down.
func (s *Server) requestShutdown() { s.stops.request() }

// RequestShutdown asks ListenAndServe to shut the server down, as the
// SHUTDOWN command does without arguments: what a signal handler calls.
func (s *Server) RequestShutdown() { s.requestShutdown() }

// ShutdownPending reports whether a shutdown has been requested and has
// neither finished nor been aborted by a failed final save: a signal
// handler treats another signal then as "exit now".
func (s *Server) ShutdownPending() bool { return s.stops.isPending() }

// ShutdownRequested returns a channel that is closed when something asks
// the server to stop: the SHUTDOWN command, the admin API's Shutdown call,
// RequestShutdown, or a listener that fails. Whoever runs the server then
// calls Shutdown; ListenAndServe does. After a shutdown aborted by a failed
// save, a new channel waits for the next request.
func (s *Server) ShutdownRequested() <-chan struct{} { return s.stops.wait() }

// ListenAndServe runs the server until ctx ends or it is asked to stop
// (see ShutdownRequested), then shuts it down gracefully, giving clients
// shutdown-timeout (or the admin API's drain timeout) to finish. If the
// final save fails the shutdown is aborted, logged, and the server goes on
// serving until the next request (ctx ends only once). It returns nil after
// a requested or signalled stop, and the cause when starting or a listener
// failed.
func (s *Server) ListenAndServe(ctx context.Context) error {
	if err := s.Start(); err != nil {
		return err
	}
	signalled := ctx.Done()
	for {
		select {
		case <-signalled:
			signalled = nil
			s.log.Info("received shutdown signal; shutting down")
		case <-s.ShutdownRequested():
			s.log.Info("shutdown requested; shutting down")
		}
		drain := s.cfg.ShutdownTimeout
		if o := s.shutdownOpts.Load(); o != nil && o.Drain > 0 {
			drain = o.Drain
		}
		sctx, cancel := context.WithTimeout(context.Background(), drain)
		err := s.Shutdown(sctx)
		cancel()
		if errors.Is(err, ErrShutdownAborted) {
			continue // Shutdown has logged it; the server is still serving
		}
		if err != nil {
			s.log.Warn("shutdown was not clean", zap.Error(err))
		}
		break
	}
	s.log.Info("server stopped")
	if err := s.failure.Load(); err != nil {
		return *err
	}
	return nil
}

// Shutdown stops the server gracefully. First, if save rules are set (or
// the admin API asked to save) and SHUTDOWN has not saved already, it
// saves the dump with every command paused; if that fails it returns an
// error wrapping ErrShutdownAborted and the server goes on serving, as
// redis-server refuses to exit (the admin API's health check, NOT_SERVING
// from the start, turns SERVING again). Once saved, nothing changes any
// more: a command sent after the save closes its connection unanswered.
// Then the server stops accepting, lets every client finish the commands
// it has sent, writes their replies and closes the connections, and stops
// the admin API. If ctx ends first,
// the remaining connections are closed at once and ctx's error is
// returned. A background save in progress is abandoned, its temporary
// file removed, as Redis kills its saving child, so no goroutine of the
// server is left. Once it has got past the save, calling
// it again does nothing more.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	adminSrv := s.admin
	s.mu.Unlock()
	if adminSrv != nil {
		adminSrv.SetNotServing() // at once, even while the save waits for a busy command
	}
	if err := s.saveOnShutdown(); err != nil {
		s.log.Error("errors trying to shut down the server: the final save failed; still serving "+
			"(SHUTDOWN NOSAVE stops without saving)", zap.Error(err))
		if adminSrv != nil {
			adminSrv.SetServing()
		}
		s.stops.rearm()
		return fmt.Errorf("%w: %w", ErrShutdownAborted, err)
	}
	var errs []error
	if err := s.closeClients(ctx); err != nil {
		errs = append(errs, fmt.Errorf("clients cut off: %w", err))
	}
	// Once no client can write any more, the AOF's rewrite ends and its
	// last writes are fsynced.
	s.closeAOF()
	s.closeReplication()
	if adminSrv != nil {
		adminSrv.Stop(ctx)
	}
	return errors.Join(errs...)
}

// IOThreads returns the io-threads parameter: how many threads the
// server's clients should share. The mini-redis binary sets GOMAXPROCS
// to it; a program that embeds the server decides for itself.
func (s *Server) IOThreads() int { return int(s.settings.ioThreads.Load()) }
