package admin

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	adminv1 "github.com/mini-redis/mini-redis/admin/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/test/bufconn"
)

type fakeServer struct {
	stats     Stats
	shutdowns atomic.Int32
}

func (f *fakeServer) Stats() Stats      { return f.stats }
func (f *fakeServer) RequestShutdown() { f.shutdowns.Add(1) }

// start serves an admin Server over an in-memory listener and returns a
// client connection to it.
func start(t *testing.T, fake *fakeServer) (*Server, *grpc.ClientConn) {
	t.Helper()
	ln := bufconn.Listen(1 << 20)
	srv := NewServer(fake, fake)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		srv.Stop(context.Background())
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, conn
}

func TestGetStats(t *testing.T) {
	fake := &fakeServer{stats: Stats{Uptime: 90 * time.Second, ConnectedClients: 3, TotalCommands: 42, Keys: 7}}
	_, conn := start(t, fake)
	got, err := adminv1.NewAdminClient(conn).GetStats(context.Background(), &adminv1.GetStatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got.UptimeSeconds != 90 || got.ConnectedClients != 3 || got.TotalCommandsProcessed != 42 || got.Keys != 7 {
		t.Errorf("GetStats = %v", got)
	}
}

func TestShutdownAsksTheServerAndHealthFollows(t *testing.T) {
	fake := &fakeServer{}
	srv, conn := start(t, fake)
	health := healthpb.NewHealthClient(conn)
	check := func() healthpb.HealthCheckResponse_ServingStatus {
		t.Helper()
		resp, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{Service: ServiceName})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Status
	}
	if got := check(); got != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health before shutdown = %v", got)
	}
	if _, err := adminv1.NewAdminClient(conn).Shutdown(context.Background(), &adminv1.ShutdownRequest{}); err != nil {
		t.Fatal(err)
	}
	if n := fake.shutdowns.Load(); n != 1 {
		t.Fatalf("RequestShutdown called %d times, want 1", n)
	}
	srv.SetNotServing() // what the binary does once the shutdown starts
	if got := check(); got != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health after shutdown = %v", got)
	}
}

// grpcurl lists services through reflection; the admin service must be there.
func TestReflectionListsTheService(t *testing.T) {
	_, conn := start(t, &fakeServer{})
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{},
	}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range resp.GetListServicesResponse().GetService() {
		names[s.Name] = true
	}
	for _, want := range []string{ServiceName, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"} {
		if !names[want] {
			t.Errorf("reflection does not list %s (got %v)", want, names)
		}
	}
}
