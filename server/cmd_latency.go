package server

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LATENCY and the latency monitor (Redis's latency.c): events that took at
// least latency-monitor-threshold milliseconds are kept per event name,
// one sample a second at most, the last latencySamples of them.

func latencyCommands() []*command {
	sub := func(name string, run func(*client, [][]byte)) *command { return &command{name: name, run: run} }
	return []*command{
		container("latency", 0,
			sub("latest", cmdLatencyLatest),
			sub("history", cmdLatencyHistory),
			sub("reset", cmdLatencyReset),
			sub("graph", cmdLatencyGraph),
			sub("doctor", cmdLatencyDoctor),
			sub("histogram", cmdLatencyHistogram),
			sub("help", cmdLatencyHelp),
		),
	}
}

// The events this server reports, named as Redis names them.
const (
	latencyCommand       = "command"      // a command that is not fast
	latencyFastCommand   = "fast-command" // a command flagged fast
	latencyExpireCycle   = "expire-cycle"
	latencyEvictionCycle = "eviction-cycle" // one round of evictions
	latencyEvictionDel   = "eviction-del"   // deleting one evicted key
)

// latencySamples is how many samples an event keeps (LATENCY_TS_LEN).
const latencySamples = 160

// latencySample is one second's worst latency of an event.
type latencySample struct {
	unix int64 // seconds; 0 marks an unused slot
	ms   int64
}

// latencySeries is the ring of an event's samples.
type latencySeries struct {
	samples [latencySamples]latencySample
	next    int   // the slot the next new second goes to
	max     int64 // the worst latency ever seen, in ms
}

// latencyMonitor holds every event's samples. Clients and the background
// cycles add samples, so it has a lock of its own; adding one happens only
// past the threshold, off the common path.
type latencyMonitor struct {
	mu     sync.Mutex
	events map[string]*latencySeries
}

// add records that event took ms milliseconds at unix (seconds), keeping
// the worst of the samples of one second (latencyAddSample).
func (m *latencyMonitor) add(event string, ms, unix int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.events[event]
	if ts == nil {
		if m.events == nil {
			m.events = map[string]*latencySeries{}
		}
		ts = &latencySeries{}
		m.events[event] = ts
	}
	ts.max = max(ts.max, ms)
	prev := &ts.samples[(ts.next+latencySamples-1)%latencySamples]
	if prev.unix == unix {
		prev.ms = max(prev.ms, ms)
		return
	}
	ts.samples[ts.next] = latencySample{unix: unix, ms: ms}
	ts.next = (ts.next + 1) % latencySamples
}

// reset forgets event, compared without regard to case, or every event if
// event is nil, and returns how many were forgotten.
func (m *latencyMonitor) reset(event []byte) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for name := range m.events {
		if event == nil || strings.EqualFold(name, string(event)) {
			delete(m.events, name)
			n++
		}
	}
	return n
}

// latencyEvent is a copy of one event's series, oldest sample first.
type latencyEvent struct {
	name    string
	samples []latencySample
	max     int64
}

// snapshot copies the events, by name (Redis's order is its hash
// table's, which nothing can rely on).
func (m *latencyMonitor) snapshot() []latencyEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]latencyEvent, 0, len(m.events))
	for name, ts := range m.events {
		e := latencyEvent{name: name, max: ts.max}
		for j := range latencySamples {
			if s := ts.samples[(ts.next+j)%latencySamples]; s.unix != 0 {
				e.samples = append(e.samples, s)
			}
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b latencyEvent) int { return strings.Compare(a.name, b.name) })
	return out
}

// event returns the copy of the event named exactly name.
func (m *latencyMonitor) event(name string) (latencyEvent, bool) {
	for _, e := range m.snapshot() {
		if e.name == name {
			return e, true
		}
	}
	return latencyEvent{}, false
}

// latencyNow is the wall time of samples, in seconds: the keyspace's
// clock, which tests inject.
func (s *Server) latencyNow() int64 { return s.storeOptions.Clock.Now().Unix() }

// latencySample records that event took d, if latency-monitor-threshold
// is set and d reaches it (latencyAddSampleIfNeeded).
func (s *Server) latencySample(event string, d time.Duration) {
	threshold := s.settings.latencyMonitorThreshold.Load()
	if threshold == 0 {
		return
	}
	if ms := d.Milliseconds(); ms >= threshold {
		s.latency.add(event, ms, s.latencyNow())
	}
}

// latencyCommandSample records a command's run, as "fast-command" for the
// commands Redis declares fast and "command" for the others.
func (s *Server) latencyCommandSample(cmd *command, d time.Duration) {
	if s.settings.latencyMonitorThreshold.Load() == 0 {
		return // the common case: one atomic load
	}
	event := latencyCommand
	if cmd.info.flags&flagFast != 0 {
		event = latencyFastCommand
	}
	s.latencySample(event, d)
}

// LATENCY LATEST
func cmdLatencyLatest(c *client, args [][]byte) {
	events := c.server.latency.snapshot()
	c.conn.WriteArrayLen(len(events))
	for _, e := range events {
		last := e.samples[len(e.samples)-1]
		c.conn.WriteArrayLen(4)
		c.conn.WriteBulkString(e.name)
		c.conn.WriteInt(last.unix)
		c.conn.WriteInt(last.ms)
		c.conn.WriteInt(e.max)
	}
}

// LATENCY HISTORY event
func cmdLatencyHistory(c *client, args [][]byte) {
	e, _ := c.server.latency.event(string(args[2]))
	c.conn.WriteArrayLen(len(e.samples))
	for _, s := range e.samples {
		c.conn.WriteArrayLen(2)
		c.conn.WriteInt(s.unix)
		c.conn.WriteInt(s.ms)
	}
}

// LATENCY RESET [event ...]
func cmdLatencyReset(c *client, args [][]byte) {
	m := &c.server.latency
	if len(args) == 2 {
		c.conn.WriteInt(int64(m.reset(nil)))
		return
	}
	n := 0
	for _, name := range args[2:] {
		n += m.reset(name)
	}
	c.conn.WriteInt(int64(n))
}

// LATENCY GRAPH event
func cmdLatencyGraph(c *client, args [][]byte) {
	e, ok := c.server.latency.event(string(args[2]))
	if !ok {
		c.conn.WriteError("ERR No samples available for event '" + string(args[2]) + "'")
		return
	}
	c.conn.WriteVerbatim("txt", latencyGraph(e, c.server.latencyNow()))
}

// latencyGraphColumns is the width of a graph (LATENCY_GRAPH_COLS).
const latencyGraphColumns = 80

// latencyGraph draws e as Redis's latencyCommandGenSparkeline does: a
// title, a rule, and a sparkline of four rows labelled with how long ago
// each sample was taken, as of now (seconds).
func latencyGraph(e latencyEvent, now int64) string {
	var lo, hi int64
	values := make([]float64, len(e.samples))
	labels := make([]string, len(e.samples))
	for i, s := range e.samples {
		if i == 0 {
			lo, hi = s.ms, s.ms
		}
		lo, hi = min(lo, s.ms), max(hi, s.ms)
		values[i] = float64(s.ms)
		elapsed := now - s.unix
		switch {
		case elapsed < 60:
			labels[i] = strconv.FormatInt(elapsed, 10) + "s"
		case elapsed < 3600:
			labels[i] = strconv.FormatInt(elapsed/60, 10) + "m"
		case elapsed < 3600*24:
			labels[i] = strconv.FormatInt(elapsed/3600, 10) + "h"
		default:
			labels[i] = strconv.FormatInt(elapsed/(3600*24), 10) + "d"
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", e.name, hi, lo, e.max)
	b.WriteString(strings.Repeat("-", latencyGraphColumns) + "\n")
	b.WriteString(sparkline(values, labels, latencyGraphColumns, 4))
	return b.String()
}

// sparkline renders values as filled ASCII columns rows high, columns
// wide at most (longer sequences continue below, after a blank line),
// each column's label written downwards under it: Redis's sparklineRender
// with SPARKLINE_FILL.
func sparkline(values []float64, labels []string, columns, rows int) string {
	if len(values) == 0 {
		return ""
	}
	lo, hi := values[0], values[0]
	hasLabels := false
	for i, v := range values {
		lo, hi = min(lo, v), max(hi, v)
		hasLabels = hasLabels || labels[i] != ""
	}
	const fill = "_o#" // the charset, from the lowest third of a row up
	steps := len(fill) * rows
	span := hi - lo
	if span == 0 {
		span = 1
	}
	var b strings.Builder
	for start := 0; start < len(values); start += columns {
		if start != 0 {
			b.WriteByte('\n')
		}
		end := min(start+columns, len(values))
		line := make([]byte, end-start)
		for row := 0; ; row++ {
			more := false
			for j := range line {
				line[j] = ' '
			}
			for j := range line {
				i := start + j
				if row < rows {
					more = true
					// Truncated as Redis's (int)(relval*steps)/relmax is.
					step := int(float64(int((values[i]-lo)*float64(steps))) / span)
					step = min(max(step, 0), steps-1)
					switch idx := step - (rows-row-1)*len(fill); {
					case idx >= 0 && idx < len(fill):
						line[j] = fill[idx]
					case idx >= len(fill):
						line[j] = '|'
					}
					continue
				}
				if hasLabels && row == rows {
					more = true // the blank line between the graph and its labels
					break
				}
				if k := row - rows - 1; k >= 0 && k < len(labels[i]) {
					more = true
					line[j] = labels[i][k]
				}
			}
			if !more {
				break
			}
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// LATENCY DOCTOR
func cmdLatencyDoctor(c *client, args [][]byte) {
	c.conn.WriteVerbatim("txt", c.server.latencyReport())
}

// latencyStats are what the report says of an event's samples
// (analyzeLatencyForEvent).
type latencyStats struct {
	samples       int
	avg, mad      int64
	periodPerItem float64
}

func analyzeLatency(e latencyEvent, now int64) latencyStats {
	st := latencyStats{samples: len(e.samples)}
	if st.samples == 0 {
		return st
	}
	var sum, oldest int64
	for _, s := range e.samples {
		sum += s.ms
		if oldest == 0 || s.unix < oldest {
			oldest = s.unix
		}
	}
	st.avg = sum / int64(st.samples)
	period := now - oldest
	if period == 0 {
		period = 1
	}
	st.periodPerItem = float64(period) / float64(st.samples)
	var dev int64
	for _, s := range e.samples {
		dev += max(st.avg-s.ms, s.ms-st.avg)
	}
	st.mad = dev / int64(st.samples)
	return st
}

// latencyReport writes Redis's human readable analysis
// (createLatencyReport), with the advice that concerns the events this
// server records.
func (s *Server) latencyReport() string {
	events := s.latency.snapshot()
	threshold := s.settings.latencyMonitorThreshold.Load()
	if len(events) == 0 && threshold == 0 {
		return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	}
	var (
		b                                                               strings.Builder
		slowlogEnabled, slowlogTuning, slowlogInspect, scheduler, advHz bool
		largeObjects, massEviction, disableTHP                          bool
		advices                                                         int
	)
	now := s.latencyNow()
	for i, e := range events {
		if i == 0 {
			b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		}
		st := analyzeLatency(e, now)
		fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f sec). Worst all time event %dms.",
			i+1, e.name, st.samples, st.avg, st.mad, st.periodPerItem, e.max)
		switch e.name {
		case latencyCommand:
			if slow := s.settings.slowlogLogSlowerThan.Load(); slow < 0 {
				slowlogEnabled = true
				advices++
			} else if slow/1000 > threshold {
				slowlogTuning = true
				advices++
			}
			slowlogInspect, largeObjects = true, true
			advices += 2
		case latencyFastCommand:
			scheduler = true
			advices++
		case latencyExpireCycle:
			advHz, largeObjects = true, true
			advices += 2
		case latencyEvictionDel:
			largeObjects = true
			advices++
		case latencyEvictionCycle:
			massEviction = true
			advices++
		}
		b.WriteByte('\n')
	}
	hugePages := anonHugePages
	if f := s.cfg.hugePages; f != nil {
		hugePages = f
	}
	if hugePages() > 0 {
		disableTHP = true
		advices++
	}
	switch {
	case len(events) == 0 && advices == 0:
		b.WriteString("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n")
		return b.String()
	case len(events) > 0 && advices == 0:
		b.WriteString("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n")
		return b.String()
	}
	b.WriteString("\nI have a few advices for you:\n\n")
	if slowlogEnabled {
		fmt.Fprintf(&b, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %d'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", threshold*1000)
	}
	if slowlogTuning {
		fmt.Fprintf(&b, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %d'.\n", threshold*1000)
	}
	if slowlogInspect {
		b.WriteString("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
	}
	if scheduler {
		b.WriteString("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
			"  1) Lower the system load.\n" +
			"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
			"  3) Check if you have a \"noisy neighbour\" problem.\n" +
			"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
			"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n")
	}
	if advHz && s.settings.hz.Load() < 100 {
		b.WriteString("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n")
	}
	if largeObjects {
		b.WriteString("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n")
	}
	if massEviction {
		b.WriteString("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n")
	}
	if disableTHP {
		b.WriteString("- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n")
	}
	return b.String()
}

// anonHugePages returns the bytes of transparent huge pages the process
// uses, from /proc/self/smaps as Redis reads it, or 0 if unknown.
func anonHugePages() int64 { return anonHugePagesOf("/proc/self/smaps_rollup") }

// anonHugePagesOf sums the AnonHugePages lines of a smaps file.
func anonHugePagesOf(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	var total int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if rest, ok := bytes.CutPrefix(line, []byte("AnonHugePages:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte("kB")))), 10, 64)
			if err == nil {
				total += kb * 1024
			}
		}
	}
	return total
}

// LATENCY HISTOGRAM [command ...]: each command's calls and the
// cumulative counts of its durations by power-of-two microseconds.
// Without names, every command that ran; a container's name stands for
// its subcommands that ran; names that are no command are skipped.
func cmdLatencyHistogram(c *client, args [][]byte) {
	var cmds []*command
	if len(args) == 2 {
		for _, cmd := range c.server.allCommands() {
			if cmd.stats.latency.Snapshot().Count() > 0 {
				cmds = append(cmds, cmd)
			}
		}
	} else {
		for _, name := range args[2:] {
			cmd := c.server.commands.lookupFull(name)
			if cmd == nil {
				continue
			}
			if cmd.run != nil && cmd.stats.latency.Snapshot().Count() > 0 {
				cmds = append(cmds, cmd)
			}
			for _, sub := range sortedSubcommands(cmd) {
				if sub.stats.latency.Snapshot().Count() > 0 {
					cmds = append(cmds, sub)
				}
			}
		}
	}
	c.conn.WriteMapLen(len(cmds))
	for _, cmd := range cmds {
		snap := cmd.stats.latency.Snapshot()
		c.conn.WriteBulkString(cmd.name)
		c.conn.WriteMapLen(2)
		c.conn.WriteBulkString("calls")
		c.conn.WriteInt(int64(snap.Count()))
		c.conn.WriteBulkString("histogram_usec")
		buckets := redisLatencyBuckets(snap.Buckets)
		c.conn.WriteMapLen(len(buckets))
		for _, bk := range buckets {
			c.conn.WriteInt(bk.micros)
			c.conn.WriteInt(int64(bk.cumulative))
		}
	}
}

// lookupFull finds a command by its full name, "config|get" for a
// subcommand, in any letter case.
func (t commandTable) lookupFull(name []byte) *command {
	parent, sub, ok := bytes.Cut(name, []byte("|"))
	cmd := t.lookup(parent)
	if !ok || cmd == nil {
		return cmd
	}
	if cmd.subcommands == nil {
		return nil
	}
	return lookupLower(cmd.subcommands, sub)
}

// sortedSubcommands returns cmd's subcommands by name.
func sortedSubcommands(cmd *command) []*command {
	subs := make([]*command, 0, len(cmd.subcommands))
	for _, sub := range cmd.subcommands {
		subs = append(subs, sub)
	}
	slices.SortFunc(subs, func(a, b *command) int { return strings.Compare(a.name, b.name) })
	return subs
}

// latencyBucket is one line of histogram_usec.
type latencyBucket struct {
	micros     int64
	cumulative uint64
}

// redisLatencyBuckets regroups a histogram into the buckets Redis's
// LATENCY HISTOGRAM reports. Redis records each duration, truncated to
// microseconds, as nanoseconds (clamped to 1 ns .. 1 s) in an HdrHistogram
// of two significant digits, and walks it by powers of two from 1024 ns:
// the level 1024*2^k counts the values up to its highest equivalent value,
// 1032*2^k - 1 ns, and is reported as that in microseconds (1, 2, 4, 8,
// 16, 33, 66, ...), when its cumulative count grew. each calls yield with
// the lower bound and count of each of this server's buckets, which are
// finer than Redis's but not aligned with them: a bucket is counted in the
// level of its lower bound.
func redisLatencyBuckets(each func(yield func(lower time.Duration, count uint64))) []latencyBucket {
	const levels = 21 // 1024 ns * 2^20 passes 1 s, the largest value Redis records
	var counts [levels]uint64
	each(func(lower time.Duration, count uint64) {
		ns := lower.Microseconds() * 1000
		ns = min(max(ns, 1), int64(time.Second))
		k := 0
		for k < levels-1 && ns > 1032<<k-1 {
			k++
		}
		counts[k] += count
	})
	var out []latencyBucket
	var cumulative uint64
	for k, n := range counts {
		if n == 0 {
			continue
		}
		cumulative += n
		out = append(out, latencyBucket{micros: (1032<<k - 1) / 1000, cumulative: cumulative})
	}
	return out
}

// LATENCY HELP
func cmdLatencyHelp(c *client, args [][]byte) {
	c.writeHelp("LATENCY",
		"DOCTOR",
		"    Return a human readable latency analysis report.",
		"GRAPH <event>",
		"    Return an ASCII latency graph for the <event> class.",
		"HISTORY <event>",
		"    Return time-latency samples for the <event> class.",
		"LATEST",
		"    Return the latest latency samples for all events.",
		"RESET [<event> ...]",
		"    Reset latency data of one or more <event> classes.",
		"    (default: reset all data for all event classes)",
		"HISTOGRAM [COMMAND ...]",
		"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
		"    If no commands are specified then all histograms are replied.",
	)
}
