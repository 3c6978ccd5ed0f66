// Package admin serves the gRPC admin API of mini-redis
// (miniredis.admin.v1.Admin, see admin/v1/admin.proto), with gRPC health
// checking and server reflection, so grpcurl works without the .proto file.
//
// It knows nothing of the Redis server itself: it asks a StatsSource for
// numbers and a Shutdowner to stop, and the binary wires in the server.
package admin

import (
	"context"
	"errors"
	"net"
	"time"

	adminv1 "github.com/mini-redis/mini-redis/admin/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// Stats are the counters GetStats reports.
type Stats struct {
	Uptime           time.Duration
	ConnectedClients int64
	TotalCommands    int64
	Keys             int64
}

// A StatsSource reports the server's current counters.
type StatsSource interface {
	Stats() Stats
}

// A Shutdowner stops the server gracefully. RequestShutdown must not wait
// for the shutdown to finish: the RPC that asked for it has to be answered
// first.
type Shutdowner interface {
	RequestShutdown()
}

// ServiceName is the full name of the admin service, as grpcurl shows it.
const ServiceName = "miniredis.admin.v1.Admin"

// A Server is the admin gRPC server.
type Server struct {
	grpc   *grpc.Server
	health *health.Server
}

// NewServer returns an admin server backed by stats and shutdowner. It
// reports SERVING on grpc.health.v1 until SetNotServing is called.
func NewServer(stats StatsSource, shutdowner Shutdowner) *Server {
	s := &Server{grpc: grpc.NewServer(), health: health.NewServer()}
	adminv1.RegisterAdminServer(s.grpc, &service{stats: stats, shutdowner: shutdowner})
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
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	s.health.SetServingStatus(ServiceName, healthpb.HealthCheckResponse_NOT_SERVING)
}

// Stop lets running RPCs finish and closes the listeners. If ctx ends first
// it cuts the remaining RPCs off.
func (s *Server) Stop(ctx context.Context) {
	s.SetNotServing()
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

// service implements adminv1.AdminServer.
type service struct {
	adminv1.UnimplementedAdminServer
	stats      StatsSource
	shutdowner Shutdowner
}

func (s *service) GetStats(ctx context.Context, _ *adminv1.GetStatsRequest) (*adminv1.GetStatsResponse, error) {
	st := s.stats.Stats()
	return &adminv1.GetStatsResponse{
		UptimeSeconds:          int64(st.Uptime / time.Second),
		ConnectedClients:       st.ConnectedClients,
		TotalCommandsProcessed: st.TotalCommands,
		Keys:                   st.Keys,
	}, nil
}

func (s *service) Shutdown(ctx context.Context, _ *adminv1.ShutdownRequest) (*adminv1.ShutdownResponse, error) {
	s.shutdowner.RequestShutdown()
	return &adminv1.ShutdownResponse{}, nil
}
