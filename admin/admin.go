// Package admin serves the gRPC admin API of mini-redis
// (miniredis.admin.v1.Admin, see admin/v1/admin.proto), with gRPC health
// checking and server reflection, so grpcurl works without the .proto file.
//
// It knows nothing of the Redis server itself: it asks small interfaces
// (see Backend) for numbers and actions, and the binary wires in the
// server.
package admin

import (
	"context"
	"crypto/tls"
	"errors"
	"net"

	adminv1 "github.com/mini-redis/mini-redis/admin/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// ServiceName is the full name of the admin service, as grpcurl shows it.
const ServiceName = "miniredis.admin.v1.Admin"

// Options configure the admin server.
type Options struct {
	// Token, if set, is the bearer token calls must carry in the metadata
	// "authorization: Bearer <token>": mutating calls always, every call
	// (but health checks) when RequireTokenForAll is set.
	Token string
	// RequireTokenForAll is set when the admin API listens beyond the
	// loopback interface (see CheckBind).
	RequireTokenForAll bool
	// TLS, if not nil, makes the server speak gRPC over TLS with it
	// (grpcurl -cacert ..., not -plaintext).
	TLS *tls.Config
}

// CheckBind decides the token policy for a listener on addr: a loopback
// address may run without a token; any other needs one, and then every
// call must carry it. It reports an error for a non-loopback address
// without a token.
func CheckBind(addr, token string) (requireForAll bool, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	loopback := host == "localhost" || ip != nil && ip.IsLoopback()
	if loopback {
		return false, nil
	}
	if token == "" {
		return false, errors.New("admin: listening on " + host + ", which is not a loopback address, needs admin-token")
	}
	return true, nil
}

// A Server is the admin gRPC server.
type Server struct {
	grpc       *grpc.Server
	health     *health.Server
	endStreams context.CancelFunc // ends the WatchStats streams
}

// NewServer returns an admin server over backend. It reports SERVING on
// grpc.health.v1 until SetNotServing is called.
func NewServer(backend Backend, opts Options) *Server {
	auth := authenticator{token: opts.Token, all: opts.RequireTokenForAll}
	streams, endStreams := context.WithCancel(context.Background())
	gopts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(auth.unary),
		grpc.ChainStreamInterceptor(auth.stream),
	}
	if opts.TLS != nil {
		gopts = append(gopts, grpc.Creds(credentials.NewTLS(opts.TLS)))
	}
	s := &Server{
		grpc:       grpc.NewServer(gopts...),
		health:     health.NewServer(),
		endStreams: endStreams,
	}
	adminv1.RegisterAdminServer(s.grpc, &service{b: backend, stopping: streams.Done()})
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(ServiceName, healthpb.HealthCheckResponse_SERVING)
	return s
}

// Serve accepts admin connections on ln until Stop. It returns nil after a
// Stop.
func (s *Server) Serve(ln net.Listener) error {
	err := s.grpc.Serve(ln)
	if errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
}

// SetNotServing makes health checks report NOT_SERVING; call it as soon as
// the server starts to shut down.
func (s *Server) SetNotServing() {
	s.health.Shutdown() // every service NewServer set SERVING
}

// SetServing makes health checks report SERVING again, after a shutdown
// that was called off (the server's final save failed).
func (s *Server) SetServing() {
	s.health.Resume()
}

// Stop ends the WatchStats streams (UNAVAILABLE), which would otherwise
// never finish, lets the other running calls finish and closes the
// listeners. If ctx ends first it cuts the remaining calls off.
func (s *Server) Stop(ctx context.Context) {
	s.SetNotServing()
	s.endStreams()
	done := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.grpc.Stop()
		<-done
	}
}
