package server

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mini-redis/mini-redis/admin"
	"github.com/mini-redis/mini-redis/server/config"
)

// adminBackend presents the server to the admin API (package admin), which
// knows nothing of it but these methods.
type adminBackend struct{ s *Server }

// adminBackend returns the server as the admin API's Backend.
func (s *Server) adminBackend() admin.Backend {
	b := adminBackend{s}
	return admin.Backend{Stats: b, CommandStats: b, Clients: b, Users: b, Config: b, Flusher: b, Saver: b, Shutdowner: b}
}

func (b adminBackend) Stats() admin.Stats {
	s := b.s
	ms, _ := s.memStats()
	ps := s.pubsub.Stats()
	p := s.persistenceInfo()
	st := admin.Stats{
		Uptime:                   time.Since(s.started),
		Version:                  Version,
		RedisVersion:             RedisVersion,
		ConnectedClients:         s.connected.Load(),
		TotalConnectionsReceived: s.received.Load(),
		RejectedConnections:      s.rejected.Load(),
		TotalCommands:            s.totalCommands.load(),
		OpsPerSec:                s.opsPerSec(),
		UsedMemory:               int64(ms.HeapAlloc),
		RuntimeSys:               int64(ms.Sys),
		ExpiredKeys:              s.store.ExpiredKeys(),
		KeyspaceHits:             s.hits.load(),
		KeyspaceMisses:           s.misses.load(),
		PubsubChannels:           int64(ps.Channels),
		PubsubPatterns:           int64(ps.Patterns),
		LastSave:                 p.lastSave,
		LastSaveOK:               p.lastStatus == "ok",
		LastSaveError:            p.lastError,
		SaveInProgress:           p.inProgress,
		ChangesSinceLastSave:     s.dirty.Load(),
	}
	bytes, perDB := s.dataset()
	st.DatasetBytes = bytes
	for _, d := range perDB {
		st.Keys += int64(d.keys)
		st.ExpiringKeys += int64(d.expires)
		if d.keys > 0 {
			st.Databases = append(st.Databases, admin.DatabaseStats{DB: int64(d.index), Keys: int64(d.keys), Expiring: int64(d.expires)})
		}
	}
	return st
}

func (b adminBackend) CommandStats(names []string) []admin.CommandStats {
	var out []admin.CommandStats
	for _, cmd := range b.s.allCommands() {
		calls, failed, rejected := cmd.stats.calls.load(), cmd.stats.failed.load(), cmd.stats.rejected.load()
		if len(names) > 0 {
			if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, cmd.name) }) {
				continue
			}
		} else if calls == 0 && rejected == 0 {
			continue
		}
		snap := cmd.stats.latency.Snapshot()
		out = append(out, admin.CommandStats{
			Name: cmd.name, Calls: calls, Failed: failed, Rejected: rejected, Total: snap.Sum(),
			P50: snap.Quantile(0.5), P99: snap.Quantile(0.99), P999: snap.Quantile(0.999),
		})
	}
	return out
}

func (b adminBackend) Clients() []admin.ClientInfo {
	now := time.Now()
	var out []admin.ClientInfo
	for _, c := range b.s.clientsByID() {
		counts := c.subscriptions()
		info := admin.ClientInfo{
			ID: c.id, Addr: c.addr, LocalAddr: c.laddr, Name: c.Name(),
			Age:  now.Sub(c.created),
			Idle: b.s.monotonic() - time.Duration(c.lastActive.Load()),
			DB:   int(c.dbShown.Load()), Subscriptions: counts.Channels + counts.ShardChannels, Patterns: counts.Patterns,
			Protocol: int(c.respShown.Load()),
		}
		c.mu.Lock()
		info.LibName, info.LibVersion = c.libName, c.libVer
		c.mu.Unlock()
		if cmd := c.lastCmd.Load(); cmd != nil {
			info.LastCommand = cmd.name
		}
		// The flags field of CLIENT LIST, from the same line.
		for _, f := range strings.Fields(c.info()) {
			if v, ok := strings.CutPrefix(f, "flags="); ok {
				info.Flags = v
			}
		}
		out = append(out, info)
	}
	return out
}

func (b adminBackend) KillClient(id int64, addr string) int {
	return b.s.kill(nil, killFilter{id: id, addr: addr})
}

func (b adminBackend) GetConfig(patterns []string) []admin.ConfigParameter {
	var out []admin.ConfigParameter
	for _, p := range b.s.settings.conf.Get(patterns...) {
		out = append(out, admin.ConfigParameter{Name: p.Name, Value: p.Value})
	}
	return out
}

func (b adminBackend) SetConfig(params []admin.ConfigParameter) error {
	pairs := make([]string, 0, 2*len(params))
	for _, p := range params {
		pairs = append(pairs, p.Name, p.Value)
	}
	// The admin API is trusted like a local client: it may change the
	// protected parameters (dir, dbfilename) too.
	if err := b.s.settings.conf.SetProtected(pairs...); err != nil {
		var ce *config.CommandError
		if errors.As(err, &ce) {
			return fmt.Errorf("%w: %s", admin.ErrInvalidConfig, strings.TrimPrefix(ce.Reply, "ERR "))
		}
		return fmt.Errorf("%w: %v", admin.ErrInvalidConfig, err)
	}
	return nil
}

func (b adminBackend) FlushDB(i int) error {
	s := b.s
	d := s.store.DB(i)
	if d == nil {
		return fmt.Errorf("%w: DB index is out of range", admin.ErrInvalidArgument)
	}
	s.world.Lock()
	defer s.world.Unlock()
	s.dirty.Add(int64(d.Len()))
	d.Flush()
	return nil
}

func (b adminBackend) FlushAll() {
	b.s.world.Lock()
	defer b.s.world.Unlock()
	b.s.flushAll()
}

// saveError maps the server's save errors to the admin API's.
func saveError(err error) error {
	if errors.Is(err, errSaveInProgress) {
		return fmt.Errorf("%w: %v", admin.ErrSaveInProgress, err)
	}
	return err
}

func (b adminBackend) Save() error           { return saveError(b.s.Save()) }
func (b adminBackend) BackgroundSave() error { return saveError(b.s.BackgroundSave()) }
func (b adminBackend) LastSave() time.Time   { return time.Unix(b.s.persist.lastSave.Load(), 0) }

func (b adminBackend) RequestShutdown(o admin.ShutdownOptions) {
	b.s.shutdownOpts.Store(&o)
	b.s.requestShutdown()
}

// Users lists the ACL users for the admin API, with the clients
// authenticated as each.
func (b adminBackend) Users() []admin.UserInfo {
	counts := map[*aclUser]int{}
	for _, c := range b.s.clientsByID() {
		counts[c.aclUserOf()]++
	}
	var out []admin.UserInfo
	for _, name := range b.s.acl.names() {
		u := b.s.acl.lookup(name)
		if u == nil {
			continue // deleted meanwhile
		}
		rules := u.get()
		out = append(out, admin.UserInfo{
			Name: name, Enabled: rules.On, NoPass: rules.NoPass, Passwords: len(rules.Passwords),
			Rules: describeUser(rules), ConnectedClients: counts[u],
		})
	}
	return out
}
