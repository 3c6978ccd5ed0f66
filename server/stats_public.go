package server

import (
	"net"
	"strconv"
	"time"
)

// Stats are the server's counters at one moment, as INFO reports them,
// for exporters such as package server/metrics.
type Stats struct {
	Uptime           time.Duration
	ConnectedClients int64
	BlockedClients   int64
	TotalCommands    int64
	Keys             int64 // in all databases
	KeyspaceHits     int64
	KeyspaceMisses   int64
	ExpiredKeys      int64
	EvictedKeys      int64
	UsedMemory       int64 // INFO's used_memory
	MaxMemory        int64 // the maxmemory parameter; 0 for no limit
	NetInputBytes    int64
	NetOutputBytes   int64
	LastSave         time.Time
	// Databases are the non-empty databases, by index.
	Databases []DatabaseStats
	// Commands are the commands called at least once, by name.
	Commands []CommandStats
}

// DatabaseStats are one database's key counts.
type DatabaseStats struct {
	DB             int
	Keys, Expiring int64
}

// CommandStats are one command's counters, as INFO commandstats.
type CommandStats struct {
	Name          string // lower-case, "client|list" for a subcommand
	Calls, Failed int64
	Rejected      int64
	Total         time.Duration // time spent in the command
}

// Stats returns the server's current counters.
func (s *Server) Stats() Stats {
	st := Stats{
		Uptime:           time.Since(s.started),
		ConnectedClients: s.connected.Load(),
		BlockedClients:   s.blockedClients(),
		TotalCommands:    s.totalCommands.load(),
		Keys:             s.keyCount(),
		KeyspaceHits:     s.hits.load(),
		KeyspaceMisses:   s.misses.load(),
		ExpiredKeys:      s.store.ExpiredKeys(),
		EvictedKeys:      s.evict.evicted.load(),
		UsedMemory:       s.usedMemory(),
		MaxMemory:        int64(s.settings.maxMemory.Load()),
		NetInputBytes:    s.traffic.Input(),
		NetOutputBytes:   s.traffic.Output(),
		LastSave:         time.Unix(s.persist.lastSave.Load(), 0),
	}
	_, perDB := s.dataset()
	for _, d := range perDB {
		if d.keys > 0 {
			st.Databases = append(st.Databases, DatabaseStats{DB: d.index, Keys: int64(d.keys), Expiring: int64(d.expires)})
		}
	}
	for _, cmd := range s.allCommands() {
		calls, rejected := cmd.stats.calls.load(), cmd.stats.rejected.load()
		if calls == 0 && rejected == 0 {
			continue
		}
		st.Commands = append(st.Commands, CommandStats{
			Name: cmd.name, Calls: calls, Failed: cmd.stats.failed.load(), Rejected: rejected,
			Total: cmd.stats.latency.Snapshot().Sum(),
		})
	}
	return st
}

// MetricsAddr returns metrics-bind:metrics-port, where the program running
// the server should serve Prometheus metrics, or "" when metrics-port is 0.
func (s *Server) MetricsAddr() string {
	port := s.settings.metricsPort.Load()
	if port == 0 {
		return ""
	}
	return net.JoinHostPort(s.settings.metricsBind.Load(), strconv.FormatInt(port, 10))
}
