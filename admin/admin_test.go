package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path"
	"sync"
	"testing"
	"time"

	adminv1 "github.com/mini-redis/mini-redis/admin/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// fake is a Backend that records what it is asked.
type fake struct {
	mu        sync.Mutex
	stats     Stats
	statsCall int
	cmds      []CommandStats
	clients   []ClientInfo
	killed    []string
	config    map[string]string
	flushed   []string
	saveErr   error
	saves     int
	bgsaves   int
	shutdowns []ShutdownOptions
}

func newFake() *fake {
	return &fake{
		stats: Stats{Uptime: 90 * time.Second, Version: "0.1.0", RedisVersion: "7.0.15", ConnectedClients: 3,
			TotalCommands: 42, Keys: 7, LastSaveOK: true, LastSave: time.Unix(1_700_000_000, 0),
			Databases: []DatabaseStats{{DB: 0, Keys: 5, Expiring: 1}, {DB: 3, Keys: 2}}},
		cmds: []CommandStats{{Name: "get", Calls: 10, Failed: 1, Rejected: 2, Total: 50 * time.Microsecond,
			P50: 3 * time.Microsecond, P99: 9 * time.Microsecond, P999: 12 * time.Microsecond}},
		clients: []ClientInfo{{ID: 7, Addr: "127.0.0.1:5000", Name: "worker", DB: 2, Flags: "N", LastCommand: "get", Protocol: 3}},
		config:  map[string]string{"maxclients": "10000", "timeout": "0"},
	}
}

func (f *fake) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statsCall++
	st := f.stats
	st.TotalCommands += int64(f.statsCall)
	return st
}

func (f *fake) CommandStats(names []string) []CommandStats { return f.cmds }
func (f *fake) Clients() []ClientInfo                      { return f.clients }

func (f *fake) KillClient(id int64, addr string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.clients {
		if id != 0 && c.ID == id || addr != "" && c.Addr == addr {
			f.killed = append(f.killed, fmt.Sprint(c.ID))
			return 1
		}
	}
	return 0
}

func (f *fake) GetConfig(patterns []string) []ConfigParameter {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ConfigParameter
	for _, p := range patterns {
		for k, v := range f.config {
			if ok, _ := path.Match(p, k); ok {
				out = append(out, ConfigParameter{k, v})
			}
		}
	}
	return out
}

func (f *fake) SetConfig(params []ConfigParameter) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range params {
		if _, ok := f.config[p.Name]; !ok {
			return fmt.Errorf("%w: unknown parameter %q", ErrInvalidConfig, p.Name)
		}
	}
	for _, p := range params {
		f.config[p.Name] = p.Value
	}
	return nil
}

func (f *fake) FlushDB(db int) error {
	if db < 0 || db > 15 {
		return fmt.Errorf("%w: DB index is out of range", ErrInvalidArgument)
	}
	f.mu.Lock()
	f.flushed = append(f.flushed, fmt.Sprint(db))
	f.mu.Unlock()
	return nil
}

func (f *fake) FlushAll() {
	f.mu.Lock()
	f.flushed = append(f.flushed, "all")
	f.mu.Unlock()
}

func (f *fake) Save() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saves++
	return f.saveErr
}

func (f *fake) BackgroundSave() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bgsaves++
	if f.bgsaves > 1 {
		return fmt.Errorf("%w: Background save already in progress", ErrSaveInProgress)
	}
	return nil
}

func (f *fake) LastSave() time.Time { return time.Unix(1_700_000_123, 0) }

func (f *fake) RequestShutdown(o ShutdownOptions) {
	f.mu.Lock()
	f.shutdowns = append(f.shutdowns, o)
	f.mu.Unlock()
}

func (f *fake) backend() Backend {
	return Backend{Stats: f, CommandStats: f, Clients: f, Config: f, Flusher: f, Saver: f, Shutdowner: f}
}

// start serves an admin Server over an in-memory listener and returns a
// client connection to it.
func start(t *testing.T, b Backend, opts Options) (*Server, *grpc.ClientConn) {
	t.Helper()
	ln := bufconn.Listen(1 << 20)
	srv := NewServer(b, opts)
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
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Stop(ctx)
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, conn
}

func codeOf(err error) codes.Code { return status.Code(err) }

func TestGetStats(t *testing.T) {
	_, conn := start(t, newFake().backend(), Options{})
	got, err := adminv1.NewAdminClient(conn).GetStats(context.Background(), &adminv1.GetStatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got.UptimeSeconds != 90 || got.ConnectedClients != 3 || got.Keys != 7 || got.RedisVersion != "7.0.15" ||
		got.LastSaveStatus != "ok" || got.LastSaveUnix != 1_700_000_000 || len(got.Databases) != 2 || got.Databases[1].Db != 3 {
		t.Errorf("GetStats = %v", got)
	}
}

func TestWatchStatsStreamsUntilCanceled(t *testing.T) {
	f := newFake()
	_, conn := start(t, f.backend(), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := adminv1.NewAdminClient(conn).WatchStats(ctx, &adminv1.WatchStatsRequest{IntervalMs: 10})
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	for i := 0; i < 3; i++ {
		snap, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if snap.TotalCommandsProcessed <= last {
			t.Errorf("snapshot %d is not fresh: %d after %d", i, snap.TotalCommandsProcessed, last)
		}
		last = snap.TotalCommandsProcessed
	}
	cancel()
	for {
		_, err := stream.Recv()
		if err == nil {
			continue
		}
		if codeOf(err) != codes.Canceled {
			t.Errorf("after cancel: %v, want Canceled", err)
		}
		break
	}
	// The server stops calling Stats once the stream is gone.
	time.Sleep(50 * time.Millisecond)
	f.mu.Lock()
	n := f.statsCall
	f.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.statsCall != n {
		t.Errorf("stats still polled after the stream was canceled (%d -> %d)", n, f.statsCall)
	}
}

// A WatchStats stream never ends by itself: Stop must end it rather than
// wait for it (which held a server's shutdown for its whole drain timeout).
func TestStopEndsWatchStats(t *testing.T) {
	srv, conn := start(t, newFake().backend(), Options{})
	stream, err := adminv1.NewAdminClient(conn).WatchStats(context.Background(), &adminv1.WatchStatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() {
		srv.Stop(context.Background()) // no deadline to cut the stream off
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second): // a hang guard, not a speed bound
		t.Fatal("Stop did not return while a WatchStats stream was open")
	}
	for {
		if _, err = stream.Recv(); err != nil {
			break
		}
	}
	if codeOf(err) != codes.Unavailable {
		t.Errorf("WatchStats after Stop: %v, want Unavailable", err)
	}
}

func TestWatchStatsRejectsBadIntervals(t *testing.T) {
	_, conn := start(t, newFake().backend(), Options{})
	for _, ms := range []int64{1, -5, 3_600_001} {
		stream, err := adminv1.NewAdminClient(conn).WatchStats(context.Background(), &adminv1.WatchStatsRequest{IntervalMs: ms})
		if err == nil {
			_, err = stream.Recv()
		}
		if codeOf(err) != codes.InvalidArgument {
			t.Errorf("interval %d ms: %v, want InvalidArgument", ms, err)
		}
	}
}

func TestCommandStatsAndClients(t *testing.T) {
	_, conn := start(t, newFake().backend(), Options{})
	c := adminv1.NewAdminClient(conn)
	cs, err := c.GetCommandStats(context.Background(), &adminv1.GetCommandStatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Commands) != 1 || cs.Commands[0].P99Usec != 9 || cs.Commands[0].Usec != 50 || cs.Commands[0].RejectedCalls != 2 {
		t.Errorf("GetCommandStats = %v", cs)
	}
	cl, err := c.ListClients(context.Background(), &adminv1.ListClientsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Clients) != 1 || cl.Clients[0].Name != "worker" || cl.Clients[0].Resp != 3 {
		t.Errorf("ListClients = %v", cl)
	}
}

func TestKillClient(t *testing.T) {
	f := newFake()
	_, conn := start(t, f.backend(), Options{})
	c := adminv1.NewAdminClient(conn)
	if r, err := c.KillClient(context.Background(), &adminv1.KillClientRequest{Target: &adminv1.KillClientRequest_Id{Id: 7}}); err != nil || r.Killed != 1 {
		t.Errorf("kill by id: %v, %v", r, err)
	}
	if _, err := c.KillClient(context.Background(), &adminv1.KillClientRequest{Target: &adminv1.KillClientRequest_Addr{Addr: "127.0.0.1:5000"}}); err != nil {
		t.Errorf("kill by addr: %v", err)
	}
	for _, tc := range []struct {
		req  *adminv1.KillClientRequest
		code codes.Code
	}{
		{&adminv1.KillClientRequest{Target: &adminv1.KillClientRequest_Id{Id: 99}}, codes.NotFound},
		{&adminv1.KillClientRequest{Target: &adminv1.KillClientRequest_Addr{Addr: "1.2.3.4:5"}}, codes.NotFound},
		{&adminv1.KillClientRequest{Target: &adminv1.KillClientRequest_Id{Id: -1}}, codes.InvalidArgument},
		{&adminv1.KillClientRequest{}, codes.InvalidArgument},
	} {
		if _, err := c.KillClient(context.Background(), tc.req); codeOf(err) != tc.code {
			t.Errorf("KillClient(%v): %v, want %v", tc.req, err, tc.code)
		}
	}
}

func TestConfig(t *testing.T) {
	f := newFake()
	_, conn := start(t, f.backend(), Options{})
	c := adminv1.NewAdminClient(conn)
	got, err := c.GetConfig(context.Background(), &adminv1.GetConfigRequest{Patterns: []string{"max*"}})
	if err != nil || len(got.Parameters) != 1 || got.Parameters[0].Value != "10000" {
		t.Fatalf("GetConfig = %v, %v", got, err)
	}
	if _, err := c.SetConfig(context.Background(), &adminv1.SetConfigRequest{Parameters: []*adminv1.ConfigParameter{{Name: "timeout", Value: "5"}}}); err != nil {
		t.Fatal(err)
	}
	if f.config["timeout"] != "5" {
		t.Error("SetConfig did not reach the backend")
	}
	_, err = c.SetConfig(context.Background(), &adminv1.SetConfigRequest{Parameters: []*adminv1.ConfigParameter{{Name: "bogus", Value: "1"}}})
	if codeOf(err) != codes.InvalidArgument {
		t.Errorf("bad parameter: %v, want InvalidArgument", err)
	}
	if _, err := c.SetConfig(context.Background(), &adminv1.SetConfigRequest{}); codeOf(err) != codes.InvalidArgument {
		t.Errorf("empty SetConfig: %v", err)
	}
}

func TestFlushAndSave(t *testing.T) {
	f := newFake()
	_, conn := start(t, f.backend(), Options{})
	c := adminv1.NewAdminClient(conn)
	ctx := context.Background()
	if _, err := c.FlushDB(ctx, &adminv1.FlushDBRequest{Db: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FlushDB(ctx, &adminv1.FlushDBRequest{All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FlushDB(ctx, &adminv1.FlushDBRequest{Db: 99}); codeOf(err) != codes.InvalidArgument {
		t.Errorf("FlushDB 99: %v", err)
	}
	if fmt.Sprint(f.flushed) != "[3 all]" {
		t.Errorf("flushed %v", f.flushed)
	}
	if r, err := c.Save(ctx, &adminv1.SaveRequest{}); err != nil || r.LastSaveUnix != 1_700_000_123 {
		t.Errorf("Save = %v, %v", r, err)
	}
	f.saveErr = errors.New("disk full")
	if _, err := c.Save(ctx, &adminv1.SaveRequest{}); codeOf(err) != codes.Internal {
		t.Errorf("failing Save: %v, want Internal", err)
	}
	if _, err := c.BackgroundSave(ctx, &adminv1.BackgroundSaveRequest{}); err != nil {
		t.Error(err)
	}
	if _, err := c.BackgroundSave(ctx, &adminv1.BackgroundSaveRequest{}); codeOf(err) != codes.FailedPrecondition {
		t.Errorf("second BackgroundSave: %v, want FailedPrecondition", err)
	}
}

func TestShutdownOptionsAndHealth(t *testing.T) {
	f := newFake()
	srv, conn := start(t, f.backend(), Options{})
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
	c := adminv1.NewAdminClient(conn)
	if _, err := c.Shutdown(context.Background(), &adminv1.ShutdownRequest{Save: adminv1.ShutdownRequest_SAVE_NEVER, DrainTimeoutMs: 2500}); err != nil {
		t.Fatal(err)
	}
	if len(f.shutdowns) != 1 || f.shutdowns[0].Save == nil || *f.shutdowns[0].Save || f.shutdowns[0].Drain != 2500*time.Millisecond {
		t.Fatalf("shutdown options = %+v", f.shutdowns)
	}
	if _, err := c.Shutdown(context.Background(), &adminv1.ShutdownRequest{DrainTimeoutMs: -1}); codeOf(err) != codes.InvalidArgument {
		t.Errorf("negative drain: %v", err)
	}
	srv.SetNotServing() // what the binary does once the shutdown starts
	if got := check(); got != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health after shutdown = %v", got)
	}
	srv.SetServing() // the shutdown was called off: its final save failed
	if got := check(); got != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health after an aborted shutdown = %v", got)
	}
}

func TestMissingBackendsAreUnimplemented(t *testing.T) {
	_, conn := start(t, Backend{}, Options{})
	c := adminv1.NewAdminClient(conn)
	_, err := c.Save(context.Background(), &adminv1.SaveRequest{})
	if codeOf(err) != codes.Unimplemented {
		t.Errorf("Save without a Saver: %v", err)
	}
}

func withToken(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

func TestTokenOnLoopback(t *testing.T) {
	_, conn := start(t, newFake().backend(), Options{Token: "s3cret"})
	c := adminv1.NewAdminClient(conn)
	// Reading needs no token on loopback...
	if _, err := c.GetStats(context.Background(), &adminv1.GetStatsRequest{}); err != nil {
		t.Errorf("GetStats without token on loopback: %v", err)
	}
	// ...changing does.
	for name, call := range map[string]func(context.Context) error{
		"Shutdown": func(ctx context.Context) error { _, err := c.Shutdown(ctx, &adminv1.ShutdownRequest{}); return err },
		"KillClient": func(ctx context.Context) error {
			_, err := c.KillClient(ctx, &adminv1.KillClientRequest{Target: &adminv1.KillClientRequest_Id{Id: 7}})
			return err
		},
		"SetConfig": func(ctx context.Context) error {
			_, err := c.SetConfig(ctx, &adminv1.SetConfigRequest{Parameters: []*adminv1.ConfigParameter{{Name: "timeout", Value: "1"}}})
			return err
		},
		"FlushDB": func(ctx context.Context) error { _, err := c.FlushDB(ctx, &adminv1.FlushDBRequest{}); return err },
		"Save":    func(ctx context.Context) error { _, err := c.Save(ctx, &adminv1.SaveRequest{}); return err },
		"BackgroundSave": func(ctx context.Context) error {
			_, err := c.BackgroundSave(ctx, &adminv1.BackgroundSaveRequest{})
			return err
		},
	} {
		if err := call(context.Background()); codeOf(err) != codes.Unauthenticated {
			t.Errorf("%s without token: %v, want Unauthenticated", name, err)
		}
		if err := call(withToken("wrong")); codeOf(err) != codes.Unauthenticated {
			t.Errorf("%s with a wrong token: %v", name, err)
		}
		if err := call(withToken("s3cret")); err != nil {
			t.Errorf("%s with the token: %v", name, err)
		}
	}
}

// Every Admin RPC but the listed reads needs the token on loopback too, an
// RPC added later included.
func TestTokenGuardsEveryRPCButReads(t *testing.T) {
	reads := map[string]bool{"GetStats": true, "WatchStats": true, "GetCommandStats": true, "ListClients": true, "GetConfig": true}
	var names []string
	for _, m := range adminv1.Admin_ServiceDesc.Methods {
		names = append(names, m.MethodName)
	}
	for _, s := range adminv1.Admin_ServiceDesc.Streams {
		names = append(names, s.StreamName)
	}
	a := authenticator{token: "s3cret"}
	for _, name := range names {
		if got := a.needsToken("/" + ServiceName + "/" + name); got == reads[name] {
			t.Errorf("%s needs the token on loopback: %v, want %v", name, got, !reads[name])
		}
	}
	for _, method := range []string{
		"/grpc.health.v1.Health/Check",
		"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
		"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
	} {
		if a.needsToken(method) {
			t.Errorf("%s needs the token on loopback", method)
		}
	}
}

func TestTokenRequiredForAll(t *testing.T) {
	_, conn := start(t, newFake().backend(), Options{Token: "s3cret", RequireTokenForAll: true})
	c := adminv1.NewAdminClient(conn)
	if _, err := c.GetStats(context.Background(), &adminv1.GetStatsRequest{}); codeOf(err) != codes.Unauthenticated {
		t.Errorf("GetStats without token: %v", err)
	}
	stream, err := c.WatchStats(context.Background(), &adminv1.WatchStatsRequest{})
	if err == nil {
		_, err = stream.Recv()
	}
	if codeOf(err) != codes.Unauthenticated {
		t.Errorf("WatchStats without token: %v", err)
	}
	if _, err := c.GetStats(withToken("s3cret"), &adminv1.GetStatsRequest{}); err != nil {
		t.Errorf("GetStats with token: %v", err)
	}
	// Probes cannot send metadata: health checks stay open.
	if _, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health check without token: %v", err)
	}
}

func TestCheckBind(t *testing.T) {
	for _, tc := range []struct {
		addr, token string
		all, fails  bool
	}{
		{"127.0.0.1:7379", "", false, false},
		{"[::1]:7379", "", false, false},
		{"localhost:7379", "", false, false},
		{"127.0.0.1:7379", "t", false, false},
		{"0.0.0.0:7379", "", false, true},
		{"10.1.2.3:7379", "t", true, false},
		{":7379", "t", true, false},
	} {
		all, err := CheckBind(tc.addr, tc.token)
		if all != tc.all || (err != nil) != tc.fails {
			t.Errorf("CheckBind(%q, %q) = %v, %v", tc.addr, tc.token, all, err)
		}
	}
}

// grpcurl lists services through reflection; the admin service must be there.
func TestReflectionListsTheService(t *testing.T) {
	_, conn := start(t, newFake().backend(), Options{})
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
	stream.CloseSend()
	if _, err := stream.Recv(); err != io.EOF && err != nil && codeOf(err) != codes.Canceled {
		t.Logf("closing reflection stream: %v", err)
	}
}
