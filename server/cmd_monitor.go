package server

import (
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/server/config"
)

// MONITOR and the monitor feed (Redis's replicationFeedMonitors): every
// command run is shown to the monitoring clients, after it ran, as
//
//	+1701600000.123456 [0 127.0.0.1:51234] "SET" "k" "v"
//
// except the administrative commands and those Redis flags skip_monitor;
// the scripting commands, flagged so, are shown before their script runs
// so that they come before the script's own commands ("[0 lua]"). The
// lines are pushed on the monitors' connections (connection.Push), so a
// slow monitor never holds up the commands; its backlog is limited by
// client-output-buffer-limit normal, the class Redis gives monitors.

func monitorCommands() []*command {
	return []*command{
		{name: "monitor", run: cmdMonitor},
	}
}

// monitorSet is the clients in monitor mode.
type monitorSet struct {
	// n is len(clients), read on every command without the lock: with
	// no monitor the feed costs one atomic load.
	n       atomic.Int32
	mu      sync.Mutex
	clients []*client
}

func (m *monitorSet) add(c *client) {
	m.mu.Lock()
	m.clients = append(m.clients, c)
	m.n.Store(int32(len(m.clients)))
	m.mu.Unlock()
}

func (m *monitorSet) remove(c *client) {
	m.mu.Lock()
	if i := slices.Index(m.clients, c); i >= 0 {
		m.clients = slices.Delete(m.clients, i, i+1)
	}
	m.n.Store(int32(len(m.clients)))
	m.mu.Unlock()
}

// MONITOR
func cmdMonitor(c *client, args [][]byte) {
	if c.exclusiveHeld {
		// Inside EXEC (or a script): Redis's CLIENT_DENY_BLOCKING.
		c.conn.WriteError("ERR MONITOR isn't allowed for DENY BLOCKING client")
		return
	}
	if c.monitoring.Load() {
		return // a second MONITOR is ignored, without a reply
	}
	c.conn.EnablePush(c.server.settings.outputLimits(config.ClassNormal))
	c.monitoring.Store(true)
	c.server.monitors.add(c)
	c.conn.WriteOK()
}

// stopMonitoring takes the client out of monitor mode (RESET, or the
// client leaving).
func (c *client) stopMonitoring() {
	if c.monitoring.Load() {
		c.monitoring.Store(false)
		c.server.monitors.remove(c)
	}
}

// monitorShown reports whether a run of cmd is fed to the monitors after
// it ran.
func monitorShown(cmd *command) bool {
	return cmd.info.flags&(flagAdmin|flagSkipMonitor) == 0
}

// feedMonitors shows a run of cmd with args by c, in database db, to the
// monitors, if there are any.
func (s *Server) feedMonitors(c *client, db int, args [][]byte, redacted []bool) {
	if s.monitors.n.Load() == 0 {
		return
	}
	line := monitorLine(nil, s.clock.Now().UnixMicro(), db, c.monitorAddr(), args, redacted)
	m := &s.monitors
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, mc := range m.clients {
		// Push never waits: a monitor over its output limit is closed
		// by it, and leaves the set when its goroutine ends.
		mc.conn.Push(func(dst []byte, _ frame.Protocol) []byte { return append(dst, line...) })
	}
}

// feedMonitorsAfter is the feed of a command that has run: not for the
// commands Redis keeps out of it.
func (s *Server) feedMonitorsAfter(c *client, cmd *command, args [][]byte) {
	if s.monitors.n.Load() == 0 || !monitorShown(cmd) {
		return
	}
	s.feedMonitors(c, c.dbIndex, args, redactedArgs(cmd, args))
}

// monitorAddr is how a monitor line names the client: "lua" for the
// scripts' commands, else its address.
func (c *client) monitorAddr() string {
	if c == c.server.scripts.fake {
		return "lua"
	}
	return c.addr
}

// monitorLine appends the line for a command run at unixMicro: a RESP
// simple string, whatever the monitor's protocol, as Redis writes it; the
// arguments quoted as Redis's sdscatrepr quotes them, the redacted ones
// replaced.
func monitorLine(dst []byte, unixMicro int64, db int, addr string, args [][]byte, redacted []bool) []byte {
	dst = append(dst, '+')
	dst = strconv.AppendInt(dst, unixMicro/1e6, 10)
	dst = append(dst, '.')
	frac := strconv.AppendInt(nil, unixMicro%1e6, 10)
	for range 6 - len(frac) {
		dst = append(dst, '0')
	}
	dst = append(dst, frac...)
	dst = append(dst, " ["...)
	dst = strconv.AppendInt(dst, int64(db), 10)
	dst = append(dst, ' ')
	dst = append(dst, addr...)
	dst = append(dst, "] "...)
	for i, a := range args {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if redacted != nil && redacted[i] {
			a = []byte("(redacted)")
		}
		dst = frame.AppendQuote(dst, a) // sdscatrepr's quoting
	}
	return append(dst, "\r\n"...)
}

// feedMonitorsBefore is the feed of a scripting command (EVAL, FCALL, ...),
// which Redis shows as it begins, before the script's commands, failing
// or not.
func (s *Server) feedMonitorsBefore(c *client, cmd *command, args [][]byte) {
	if s.monitors.n.Load() == 0 || cmd.info.flags&flagSkipMonitor == 0 || cmd.info.flags&flagAdmin != 0 {
		return
	}
	s.feedMonitors(c, c.dbIndex, args, nil)
}
