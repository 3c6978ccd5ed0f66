package server

import (
	"time"
)

// A CommandEvent describes one executed command, for an Observer.
type CommandEvent struct {
	// Name is the command's name, lower-case as Redis reports it
	// ("get", "client|list" for a subcommand).
	Name string
	// DB is the index of the client's database when the command ended.
	DB int
	// Addr is the client's address, host:port.
	Addr string
	// Failed is set when the command replied with an error.
	Failed bool
	// Start is when the command was taken up, and Duration how long it
	// ran (leaving out the time a blocking command waited).
	Start    time.Time
	Duration time.Duration
}

// A SaveEvent describes one write of the dump file (SAVE, BGSAVE, the
// save rules, a shutdown's save).
type SaveEvent struct {
	// Path is the dump file.
	Path string
	// Start is when the write began, Duration how long it took.
	Start    time.Time
	Duration time.Duration
	// Err is why the save failed, or nil.
	Err error
}

// An Observer is told of every executed command and every save, after
// the fact. Its methods run on the command's goroutine, holding the
// server's locks, so they must be quick and must not call back into the
// server: tracing and metrics record and return. Commands rejected before
// they run (unknown, wrong arity, NOAUTH) are not observed.
type Observer interface {
	CommandDone(CommandEvent)
	SaveDone(SaveEvent)
}

// Observers is an Observer that tells each of its Observers in turn.
type Observers []Observer

// CommandDone tells each observer.
func (os Observers) CommandDone(e CommandEvent) {
	for _, o := range os {
		o.CommandDone(e)
	}
}

// SaveDone tells each observer.
func (os Observers) SaveDone(e SaveEvent) {
	for _, o := range os {
		o.SaveDone(e)
	}
}

// observeCommand tells the observer, if any, of a call of cmd that began
// at started and ended at end (see Server.monotonic).
func (s *Server) observeCommand(c *client, cmd *command, started, end time.Duration, failed bool) {
	o := s.cfg.Observer
	if o == nil {
		return
	}
	d := end - started
	o.CommandDone(CommandEvent{
		Name: cmd.name, DB: c.dbIndex, Addr: c.addr, Failed: failed,
		Start: s.started.Add(started), Duration: d,
	})
}
