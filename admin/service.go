package admin

import (
	"context"
	"errors"
	"time"

	adminv1 "github.com/mini-redis/mini-redis/admin/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// service implements adminv1.AdminServer over a Backend.
type service struct {
	adminv1.UnimplementedAdminServer
	b        Backend
	stopping <-chan struct{} // closed when the server stops
}

func unimplemented(what string) error {
	return status.Error(codes.Unimplemented, what+" is not available on this server")
}

// statusOf maps a backend error to a gRPC status.
func statusOf(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrInvalidConfig), errors.Is(err, ErrInvalidArgument):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, ErrSaveInProgress):
		return status.Error(codes.FailedPrecondition, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}

func (s *service) GetStats(ctx context.Context, _ *adminv1.GetStatsRequest) (*adminv1.GetStatsResponse, error) {
	if s.b.Stats == nil {
		return nil, unimplemented("stats")
	}
	return statsResponse(s.b.Stats.Stats()), nil
}

func statsResponse(st Stats) *adminv1.GetStatsResponse {
	r := &adminv1.GetStatsResponse{
		UptimeSeconds:            int64(st.Uptime / time.Second),
		ConnectedClients:         st.ConnectedClients,
		TotalCommandsProcessed:   st.TotalCommands,
		Keys:                     st.Keys,
		Version:                  st.Version,
		RedisVersion:             st.RedisVersion,
		BlockedClients:           st.BlockedClients,
		TotalConnectionsReceived: st.TotalConnectionsReceived,
		RejectedConnections:      st.RejectedConnections,
		InstantaneousOpsPerSec:   st.OpsPerSec,
		ExpiringKeys:             st.ExpiringKeys,
		UsedMemoryBytes:          st.UsedMemory,
		RuntimeSysBytes:          st.RuntimeSys,
		DatasetBytes:             st.DatasetBytes,
		ExpiredKeys:              st.ExpiredKeys,
		EvictedKeys:              st.EvictedKeys,
		KeyspaceHits:             st.KeyspaceHits,
		KeyspaceMisses:           st.KeyspaceMisses,
		PubsubChannels:           st.PubsubChannels,
		PubsubPatterns:           st.PubsubPatterns,
		LastSaveUnix:             st.LastSave.Unix(),
		LastSaveStatus:           "ok",
		LastSaveError:            st.LastSaveError,
		SaveInProgress:           st.SaveInProgress,
		ChangesSinceLastSave:     st.ChangesSinceLastSave,
	}
	if !st.LastSaveOK {
		r.LastSaveStatus = "err"
	}
	for _, d := range st.Databases {
		r.Databases = append(r.Databases, &adminv1.DatabaseStats{Db: int32(d.DB), Keys: d.Keys, ExpiringKeys: d.Expiring})
	}
	return r
}

// Bounds of WatchStats's interval.
const (
	minWatchInterval     = 10 * time.Millisecond
	maxWatchInterval     = time.Hour
	defaultWatchInterval = time.Second
)

func (s *service) WatchStats(req *adminv1.WatchStatsRequest, stream grpc.ServerStreamingServer[adminv1.GetStatsResponse]) error {
	if s.b.Stats == nil {
		return unimplemented("stats")
	}
	interval := time.Duration(req.IntervalMs) * time.Millisecond
	if req.IntervalMs == 0 {
		interval = defaultWatchInterval
	}
	if interval < minWatchInterval || interval > maxWatchInterval {
		return status.Errorf(codes.InvalidArgument, "interval_ms must be between %d and %d",
			minWatchInterval.Milliseconds(), maxWatchInterval.Milliseconds())
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	ctx := stream.Context()
	for {
		if err := stream.Send(statsResponse(s.b.Stats.Stats())); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-s.stopping:
			return status.Error(codes.Unavailable, "the admin server is stopping")
		case <-tick.C:
		}
	}
}

func (s *service) GetCommandStats(ctx context.Context, req *adminv1.GetCommandStatsRequest) (*adminv1.GetCommandStatsResponse, error) {
	if s.b.CommandStats == nil {
		return nil, unimplemented("command statistics")
	}
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
	resp := &adminv1.GetCommandStatsResponse{}
	for _, c := range s.b.CommandStats.CommandStats(req.Commands) {
		resp.Commands = append(resp.Commands, &adminv1.CommandStats{
			Name: c.Name, Calls: c.Calls, FailedCalls: c.Failed, RejectedCalls: c.Rejected,
			Usec: c.Total.Microseconds(), P50Usec: us(c.P50), P99Usec: us(c.P99), P999Usec: us(c.P999),
		})
	}
	return resp, nil
}

func (s *service) ListClients(ctx context.Context, _ *adminv1.ListClientsRequest) (*adminv1.ListClientsResponse, error) {
	if s.b.Clients == nil {
		return nil, unimplemented("client listing")
	}
	resp := &adminv1.ListClientsResponse{}
	for _, c := range s.b.Clients.Clients() {
		resp.Clients = append(resp.Clients, &adminv1.ClientInfo{
			Id: c.ID, Addr: c.Addr, Laddr: c.LocalAddr, Name: c.Name,
			AgeSeconds: int64(c.Age / time.Second), IdleSeconds: int64(c.Idle / time.Second),
			Db: int32(c.DB), Flags: c.Flags, Subscriptions: int32(c.Subscriptions),
			PatternSubscriptions: int32(c.Patterns), LastCommand: c.LastCommand, Resp: int32(c.Protocol),
			LibName: c.LibName, LibVersion: c.LibVersion,
		})
	}
	return resp, nil
}

func (s *service) ListUsers(ctx context.Context, _ *adminv1.ListUsersRequest) (*adminv1.ListUsersResponse, error) {
	if s.b.Users == nil {
		return nil, unimplemented("user listing")
	}
	resp := &adminv1.ListUsersResponse{}
	for _, u := range s.b.Users.Users() {
		resp.Users = append(resp.Users, &adminv1.UserInfo{
			Name: u.Name, Enabled: u.Enabled, Nopass: u.NoPass, PasswordCount: int32(u.Passwords),
			Rules: u.Rules, ConnectedClients: int32(u.ConnectedClients),
		})
	}
	return resp, nil
}

func (s *service) KillClient(ctx context.Context, req *adminv1.KillClientRequest) (*adminv1.KillClientResponse, error) {
	if s.b.Clients == nil {
		return nil, unimplemented("client killing")
	}
	var n int
	switch t := req.Target.(type) {
	case *adminv1.KillClientRequest_Id:
		if t.Id <= 0 {
			return nil, status.Error(codes.InvalidArgument, "id must be positive")
		}
		n = s.b.Clients.KillClient(t.Id, "")
	case *adminv1.KillClientRequest_Addr:
		if t.Addr == "" {
			return nil, status.Error(codes.InvalidArgument, "addr must not be empty")
		}
		n = s.b.Clients.KillClient(0, t.Addr)
	default:
		return nil, status.Error(codes.InvalidArgument, "give the client's id or addr")
	}
	if n == 0 {
		return nil, status.Error(codes.NotFound, "no such client")
	}
	return &adminv1.KillClientResponse{Killed: int64(n)}, nil
}

func (s *service) GetConfig(ctx context.Context, req *adminv1.GetConfigRequest) (*adminv1.GetConfigResponse, error) {
	if s.b.Config == nil {
		return nil, unimplemented("configuration")
	}
	patterns := req.Patterns
	if len(patterns) == 0 {
		patterns = []string{"*"}
	}
	resp := &adminv1.GetConfigResponse{}
	for _, p := range s.b.Config.GetConfig(patterns) {
		resp.Parameters = append(resp.Parameters, &adminv1.ConfigParameter{Name: p.Name, Value: p.Value})
	}
	return resp, nil
}

func (s *service) SetConfig(ctx context.Context, req *adminv1.SetConfigRequest) (*adminv1.SetConfigResponse, error) {
	if s.b.Config == nil {
		return nil, unimplemented("configuration")
	}
	if len(req.Parameters) == 0 {
		return nil, status.Error(codes.InvalidArgument, "no parameters given")
	}
	params := make([]ConfigParameter, len(req.Parameters))
	for i, p := range req.Parameters {
		params[i] = ConfigParameter{Name: p.Name, Value: p.Value}
	}
	if err := s.b.Config.SetConfig(params); err != nil {
		return nil, statusOf(err)
	}
	return &adminv1.SetConfigResponse{}, nil
}

func (s *service) FlushDB(ctx context.Context, req *adminv1.FlushDBRequest) (*adminv1.FlushDBResponse, error) {
	if s.b.Flusher == nil {
		return nil, unimplemented("flushing")
	}
	if req.All {
		s.b.Flusher.FlushAll()
		return &adminv1.FlushDBResponse{}, nil
	}
	if err := s.b.Flusher.FlushDB(int(req.Db)); err != nil {
		return nil, statusOf(err)
	}
	return &adminv1.FlushDBResponse{}, nil
}

func (s *service) Save(ctx context.Context, _ *adminv1.SaveRequest) (*adminv1.SaveResponse, error) {
	if s.b.Saver == nil {
		return nil, unimplemented("persistence")
	}
	if err := s.b.Saver.Save(); err != nil {
		return nil, statusOf(err)
	}
	return &adminv1.SaveResponse{LastSaveUnix: s.b.Saver.LastSave().Unix()}, nil
}

func (s *service) BackgroundSave(ctx context.Context, _ *adminv1.BackgroundSaveRequest) (*adminv1.BackgroundSaveResponse, error) {
	if s.b.Saver == nil {
		return nil, unimplemented("persistence")
	}
	if err := s.b.Saver.BackgroundSave(); err != nil {
		return nil, statusOf(err)
	}
	return &adminv1.BackgroundSaveResponse{}, nil
}

func (s *service) Shutdown(ctx context.Context, req *adminv1.ShutdownRequest) (*adminv1.ShutdownResponse, error) {
	if s.b.Shutdowner == nil {
		return nil, unimplemented("shutdown")
	}
	if req.DrainTimeoutMs < 0 {
		return nil, status.Error(codes.InvalidArgument, "drain_timeout_ms must not be negative")
	}
	opts := ShutdownOptions{Drain: time.Duration(req.DrainTimeoutMs) * time.Millisecond}
	switch req.Save {
	case adminv1.ShutdownRequest_SAVE_ALWAYS:
		yes := true
		opts.Save = &yes
	case adminv1.ShutdownRequest_SAVE_NEVER:
		no := false
		opts.Save = &no
	case adminv1.ShutdownRequest_SAVE_DEFAULT:
	default:
		return nil, status.Errorf(codes.InvalidArgument, "unknown save option %d", req.Save)
	}
	s.b.Shutdowner.RequestShutdown(opts)
	return &adminv1.ShutdownResponse{}, nil
}
