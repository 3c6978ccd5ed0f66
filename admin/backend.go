package admin

import (
	"errors"
	"time"
)

// The admin service talks to the server only through these small
// interfaces; the server binary implements them and hands them to
// NewServer. A nil one makes its RPCs answer UNIMPLEMENTED.

// Stats are the counters GetStats reports.
type Stats struct {
	Uptime                   time.Duration
	Version, RedisVersion    string
	ConnectedClients         int64
	BlockedClients           int64
	TotalConnectionsReceived int64
	RejectedConnections      int64
	TotalCommands            int64
	OpsPerSec                int64
	Keys                     int64
	ExpiringKeys             int64
	Databases                []DatabaseStats
	UsedMemory               int64 // Go heap in use
	RuntimeSys               int64 // memory obtained from the OS
	DatasetBytes             int64 // keys and values, approximately
	ExpiredKeys              int64
	EvictedKeys              int64
	KeyspaceHits             int64
	KeyspaceMisses           int64
	PubsubChannels           int64
	PubsubPatterns           int64
	LastSave                 time.Time
	LastSaveOK               bool
	LastSaveError            string
	SaveInProgress           bool
	ChangesSinceLastSave     int64
}

// DatabaseStats are one database's counts.
type DatabaseStats struct {
	DB, Keys, Expiring int64
}

// A StatsSource reports the server's current counters.
type StatsSource interface {
	Stats() Stats
}

// CommandStats are one command's counters and latency percentiles.
type CommandStats struct {
	Name                    string
	Calls, Failed, Rejected int64
	Total                   time.Duration
	P50, P99, P999          time.Duration
}

// A CommandStatsSource reports per-command statistics; names selects the
// commands, or every called command when empty.
type CommandStatsSource interface {
	CommandStats(names []string) []CommandStats
}

// ClientInfo describes one connected client.
type ClientInfo struct {
	ID                      int64
	Addr, LocalAddr, Name   string
	Age, Idle               time.Duration
	DB                      int
	Flags                   string
	Subscriptions, Patterns int
	LastCommand             string
	Protocol                int
	LibName, LibVersion     string
}

// A ClientManager lists and closes client connections.
type ClientManager interface {
	Clients() []ClientInfo
	// KillClient closes the client with the id (if not 0) or the address,
	// and returns how many it closed.
	KillClient(id int64, addr string) int
}

// UserInfo describes one ACL user.
type UserInfo struct {
	Name             string
	Enabled, NoPass  bool
	Passwords        int
	Rules            string // the ACL LIST line
	ConnectedClients int
}

// A UserLister lists the ACL users, sorted by name.
type UserLister interface {
	Users() []UserInfo
}

// ConfigParameter is one configuration parameter and its value.
type ConfigParameter struct{ Name, Value string }

// A ConfigStore reads and changes the configuration as CONFIG GET and
// CONFIG SET do. SetConfig returns an error wrapping ErrInvalidConfig for
// an unknown parameter or a bad value.
type ConfigStore interface {
	GetConfig(patterns []string) []ConfigParameter
	SetConfig(params []ConfigParameter) error
}

// A Flusher empties databases. It returns an error wrapping
// ErrInvalidArgument for a database that does not exist.
type Flusher interface {
	FlushDB(db int) error
	FlushAll()
}

// A Saver writes the dump. Save returns when the dump is on disk; both
// return an error wrapping ErrSaveInProgress if a save is already running.
type Saver interface {
	Save() error
	BackgroundSave() error
	LastSave() time.Time
}

// ShutdownOptions are what Shutdown asks for.
type ShutdownOptions struct {
	// Save is nil for the default (save if save rules are configured), or
	// says whether to save.
	Save *bool
	// Drain bounds how long clients may take to finish; 0 means the
	// server's default.
	Drain time.Duration
}

// A Shutdowner stops the server gracefully. RequestShutdown must not wait
// for the shutdown to finish: the RPC that asked for it has to be answered
// first.
type Shutdowner interface {
	RequestShutdown(ShutdownOptions)
}

// Backend is everything the admin service can ask of the server.
type Backend struct {
	Stats        StatsSource
	CommandStats CommandStatsSource
	Clients      ClientManager
	Users        UserLister
	Config       ConfigStore
	Flusher      Flusher
	Saver        Saver
	Shutdowner   Shutdowner
}

// Errors a backend wraps to choose the gRPC status of a failure.
var (
	ErrInvalidConfig   = errors.New("invalid configuration")    // INVALID_ARGUMENT
	ErrInvalidArgument = errors.New("invalid argument")         // INVALID_ARGUMENT
	ErrSaveInProgress  = errors.New("save already in progress") // FAILED_PRECONDITION
)
