package server

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// INFO: the server's state in Redis's sections and field names, which
// monitoring tools parse.

// defaultInfoSections are what INFO and INFO default show; "all" adds
// commandstats and latencystats, "everything" adds modules.
var defaultInfoSections = []string{
	"server", "clients", "memory", "persistence", "stats", "replication",
	"cpu", "module_list", "errorstats", "cluster", "keyspace",
}

// infoSections resolves INFO's arguments to the sections to show, in
// Redis's order.
func infoSections(args [][]byte) []string {
	want := map[string]bool{}
	if len(args) == 0 {
		args = [][]byte{[]byte("default")}
	}
	for _, a := range args {
		switch name := strings.ToLower(string(a)); name {
		case "default":
			for _, s := range defaultInfoSections {
				want[s] = true
			}
		case "all", "everything":
			for _, s := range defaultInfoSections {
				want[s] = true
			}
			want["commandstats"] = true
			want["latencystats"] = true
		case "modules":
			want["module_list"] = true
		default:
			want[name] = true
		}
	}
	order := []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu",
		"module_list", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"}
	var out []string
	for _, s := range order {
		if want[s] {
			out = append(out, s)
		}
	}
	return out
}

// info renders the given sections.
func (s *Server) info(sections []string) string {
	var b strings.Builder
	for i, sec := range sections {
		if i > 0 {
			b.WriteString("\r\n")
		}
		w := infoWriter{b: &b}
		switch sec {
		case "server":
			s.infoServer(&w)
		case "clients":
			s.infoClients(&w)
		case "memory":
			s.infoMemory(&w)
		case "persistence":
			s.infoPersistence(&w)
		case "stats":
			s.infoStats(&w)
		case "replication":
			s.infoReplication(&w)
		case "cpu":
			s.infoCPU(&w)
		case "module_list":
			w.title("Modules")
		case "commandstats":
			s.infoCommandStats(&w)
		case "errorstats":
			s.infoErrorStats(&w)
		case "latencystats":
			s.infoLatencyStats(&w)
		case "cluster":
			w.title("Cluster")
			w.int("cluster_enabled", 0)
		case "keyspace":
			s.infoKeyspace(&w)
		}
	}
	return b.String()
}

type infoWriter struct{ b *strings.Builder }

func (w infoWriter) title(t string)        { fmt.Fprintf(w.b, "# %s\r\n", t) }
func (w infoWriter) str(k, v string)       { fmt.Fprintf(w.b, "%s:%s\r\n", k, v) }
func (w infoWriter) int(k string, v int64) { fmt.Fprintf(w.b, "%s:%d\r\n", k, v) }

func (s *Server) infoServer(w *infoWriter) {
	now := time.Now()
	uptime := now.Sub(s.started)
	exe, _ := os.Executable()
	w.title("Server")
	w.str("redis_version", RedisVersion)
	w.str("redis_git_sha1", "00000000")
	w.str("redis_git_dirty", "0")
	w.str("redis_build_id", "0")
	w.str("redis_mode", "standalone")
	w.str("os", runtime.GOOS+" "+runtime.GOARCH)
	w.int("arch_bits", 64)
	w.str("monotonic_clock", "POSIX clock_gettime")
	w.str("multiplexing_api", "go netpoll")
	w.str("atomicvar_api", "go sync/atomic")
	w.str("go_version", runtime.Version())
	w.str("mini_redis_version", Version)
	w.int("process_id", int64(os.Getpid()))
	w.str("process_supervised", "no")
	w.str("run_id", s.runID)
	w.int("tcp_port", s.settings.port.Load())
	w.int("server_time_usec", now.UnixMicro())
	w.int("uptime_in_seconds", int64(uptime/time.Second))
	w.int("uptime_in_days", int64(uptime/(24*time.Hour)))
	w.int("hz", s.effectiveHz())
	w.int("configured_hz", s.settings.hz.Load())
	w.int("lru_clock", now.Unix()&(1<<24-1))
	w.str("executable", exe)
	w.str("config_file", s.settings.conf.File())
	w.int("io_threads_active", 0)
}

func (s *Server) infoClients(w *infoWriter) {
	w.title("Clients")
	w.int("connected_clients", s.connected.Load())
	w.int("cluster_connections", 0)
	w.int("maxclients", s.settings.maxClients.Load())
	w.int("client_recent_max_input_buffer", 0)
	w.int("client_recent_max_output_buffer", 0)
	w.int("blocked_clients", s.blockedClients())
	w.int("tracking_clients", int64(s.tracking.clients.Load()))
	w.int("clients_in_timeout_table", s.blocking.timeouts.Load())
}

// humanBytes formats a byte count as Redis's bytesToHuman does.
func humanBytes(n uint64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return fmt.Sprintf("%dB", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.2fK", f/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.2fM", f/(1024*1024))
	case n < 1024*1024*1024*1024:
		return fmt.Sprintf("%.2fG", f/(1024*1024*1024))
	}
	return fmt.Sprintf("%.2fT", f/(1024*1024*1024*1024))
}

// dataset returns the approximate bytes of the keys and values, and the
// key and expiring-key counts, of every database.
func (s *Server) dataset() (bytes int64, perDB []dbStat) {
	for i := 0; i < s.store.Databases(); i++ {
		st := s.store.DB(i).Stats()
		bytes += st.Bytes
		perDB = append(perDB, dbStat{index: i, keys: st.Keys, expires: st.Expiring})
	}
	return bytes, perDB
}

type dbStat struct{ index, keys, expires int }

// memStats reads the Go runtime's memory statistics, and the peak of
// HeapAlloc over the readings; ReadMemStats stops the world briefly, so
// INFO and the admin API share one reading per 100 ms.
func (s *Server) memStats() (ms runtime.MemStats, peak uint64) {
	return s.memCache.get()
}

type memCache struct {
	mu    sync.Mutex
	at    time.Time
	stats runtime.MemStats
	peak  uint64
}

func (m *memCache) get() (runtime.MemStats, uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if time.Since(m.at) > 100*time.Millisecond {
		runtime.ReadMemStats(&m.stats)
		m.at = time.Now()
		m.peak = max(m.peak, m.stats.HeapAlloc)
	}
	return m.stats, m.peak
}

func (s *Server) infoMemory(w *infoWriter) {
	ms, peak := s.memStats()
	dataset, _ := s.dataset()
	w.title("Memory")
	// used_memory is what maxmemory is compared with (see evict.go).
	used := uint64(s.usedMemory())
	w.int("used_memory", int64(used))
	w.str("used_memory_human", humanBytes(used))
	w.int("used_memory_rss", int64(ms.Sys))
	w.str("used_memory_rss_human", humanBytes(ms.Sys))
	peak = max(peak, used)
	w.int("used_memory_peak", int64(peak))
	w.str("used_memory_peak_human", humanBytes(peak))
	w.str("used_memory_peak_perc", fmt.Sprintf("%.2f%%", 100*float64(used)/float64(max(peak, 1))))
	w.int("used_memory_startup", s.evict.startup)
	w.int("used_memory_dataset", dataset)
	w.str("used_memory_dataset_perc", fmt.Sprintf("%.2f%%", 100*float64(dataset)/float64(max(used, 1))))
	w.int("total_system_memory", int64(totalSystemMemory()))
	w.str("total_system_memory_human", humanBytes(totalSystemMemory()))
	// The scripting fields, as Redis 7.0 lists them: estimates from the
	// engine (see scripting.Engine.Stats). EVAL and functions share one
	// Lua state, counted under eval.
	scripts, scriptsMem, luaMem := s.scripts.engine.Stats()
	libs, funcs, funcsMem := s.scripts.engine.FunctionStats()
	w.int("used_memory_lua", int64(luaMem))
	w.int("used_memory_vm_eval", int64(luaMem))
	w.str("used_memory_lua_human", humanBytes(uint64(luaMem)))
	w.int("used_memory_scripts_eval", int64(scriptsMem))
	w.int("number_of_cached_scripts", int64(scripts))
	w.int("number_of_functions", int64(funcs))
	w.int("number_of_libraries", int64(libs))
	w.int("used_memory_vm_functions", 0)
	w.int("used_memory_vm_total", int64(luaMem))
	w.str("used_memory_vm_total_human", humanBytes(uint64(luaMem)))
	w.int("used_memory_functions", int64(funcsMem))
	w.int("used_memory_scripts", int64(scriptsMem+funcsMem))
	w.str("used_memory_scripts_human", humanBytes(uint64(scriptsMem+funcsMem)))
	maxMemory := s.settings.maxMemory.Load()
	w.int("maxmemory", int64(maxMemory))
	w.str("maxmemory_human", humanBytes(maxMemory))
	w.str("maxmemory_policy", s.settings.maxMemoryPolicy.Load())
	w.str("mem_fragmentation_ratio", fmt.Sprintf("%.2f", float64(ms.Sys)/float64(max(ms.HeapAlloc, 1))))
	w.str("mem_allocator", "go")
	w.int("lazyfree_pending_objects", 0)
}

func totalSystemMemory() uint64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}

func (s *Server) infoPersistence(w *infoWriter) {
	p := s.persistenceInfo()
	w.title("Persistence")
	w.int("loading", 0)
	w.int("async_loading", 0)
	w.int("current_cow_peak", 0)
	w.int("current_cow_size", 0)
	w.int("current_cow_size_age", 0)
	w.str("current_fork_perc", "0.00")
	w.int("current_save_keys_processed", p.keysProcessed)
	w.int("current_save_keys_total", p.keysTotal)
	w.int("rdb_changes_since_last_save", s.dirty.Load())
	w.int("rdb_bgsave_in_progress", boolInt(p.inProgress))
	w.int("rdb_last_save_time", p.lastSave.Unix())
	w.str("rdb_last_bgsave_status", p.lastStatus)
	w.int("rdb_last_bgsave_time_sec", p.lastDurationSec)
	w.int("rdb_current_bgsave_time_sec", p.currentSec)
	w.int("rdb_saves", p.saves)
	w.int("rdb_last_cow_size", 0)
	w.int("rdb_last_load_keys_expired", p.loadExpired)
	w.int("rdb_last_load_keys_loaded", p.loadLoaded)
	s.infoAOFFields(w, false)
	w.int("module_fork_in_progress", 0)
	w.int("module_fork_last_cow_size", 0)
	s.infoAOFFields(w, true)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (s *Server) infoStats(w *infoWriter) {
	ps := s.pubsub.Stats()
	w.title("Stats")
	w.int("total_connections_received", s.received.Load())
	w.int("total_commands_processed", s.totalCommands.load())
	w.int("instantaneous_ops_per_sec", s.opsPerSec())
	w.int("total_net_input_bytes", s.traffic.Input())
	w.int("total_net_output_bytes", s.traffic.Output())
	inKbps, outKbps := s.netKbps()
	w.str("instantaneous_input_kbps", strconv.FormatFloat(inKbps, 'f', 2, 64))
	w.str("instantaneous_output_kbps", strconv.FormatFloat(outKbps, 'f', 2, 64))
	w.int("rejected_connections", s.rejected.Load())
	w.int("sync_full", s.repl.syncFull.Load())
	w.int("sync_partial_ok", s.repl.syncPartialOK.Load())
	w.int("sync_partial_err", s.repl.syncPartialErr.Load())
	w.int("expired_keys", s.store.ExpiredKeys())
	w.str("expired_stale_perc", "0.00")
	w.int("expired_time_cap_reached_count", 0)
	w.int("evicted_keys", s.evict.evicted.load())
	w.int("evicted_clients", 0)
	total, current := s.evictionExceeded()
	w.int("total_eviction_exceeded_time", total.Milliseconds())
	w.int("current_eviction_exceeded_time", current.Milliseconds())
	w.int("keyspace_hits", s.hits.load())
	w.int("keyspace_misses", s.misses.load())
	w.int("pubsub_channels", int64(ps.Channels))
	w.int("pubsub_patterns", int64(ps.Patterns))
	w.int("pubsubshard_channels", int64(ps.ShardChannels))
	w.int("latest_fork_usec", s.persist.pauseMicros.Load())
	w.int("total_forks", 0)
	keys, items, prefixes := s.trackingStats()
	w.int("tracking_total_keys", int64(keys))
	w.int("tracking_total_items", int64(items))
	w.int("tracking_total_prefixes", int64(prefixes))
	w.int("total_error_replies", s.errorStats.total())
	w.int("unexpected_error_replies", 0)
}

func (s *Server) infoReplication(w *infoWriter) {
	w.title("Replication")
	if !s.isReplica() {
		s.infoReplicationMaster(w)
		return
	}
	w.str("role", "slave")
	s.infoReplicaFields(w)
	// A replica serves no replicas of its own (no chained replication).
	w.int("connected_slaves", 0)
	w.str("master_failover_state", "no-failover")
	id, id2, offset, second := s.replIDs()
	w.str("master_replid", id)
	w.str("master_replid2", id2)
	w.int("master_repl_offset", offset)
	w.int("second_repl_offset", second)
	w.int("repl_backlog_active", 0)
	w.int("repl_backlog_size", int64(s.settings.replBacklogSize.Load()))
	w.int("repl_backlog_first_byte_offset", 0)
	w.int("repl_backlog_histlen", 0)
}

func (s *Server) infoCPU(w *infoWriter) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	secs := func(tv syscall.Timeval) string {
		return fmt.Sprintf("%.6f", float64(tv.Sec)+float64(tv.Usec)/1e6)
	}
	w.title("CPU")
	w.str("used_cpu_sys", secs(ru.Stime))
	w.str("used_cpu_user", secs(ru.Utime))
	w.str("used_cpu_sys_children", "0.000000")
	w.str("used_cpu_user_children", "0.000000")
	w.str("used_cpu_sys_main_thread", secs(ru.Stime))
	w.str("used_cpu_user_main_thread", secs(ru.Utime))
}

// allCommands returns every command and subcommand with its stats.
func (s *Server) allCommands() []*command {
	var list []*command
	for _, cmd := range s.commands {
		if cmd.subcommands == nil || cmd.run != nil {
			list = append(list, cmd)
		}
		for _, sub := range cmd.subcommands {
			list = append(list, sub)
		}
	}
	slices.SortFunc(list, func(a, b *command) int { return strings.Compare(a.name, b.name) })
	return list
}

func (s *Server) infoCommandStats(w *infoWriter) {
	w.title("Commandstats")
	for _, cmd := range s.allCommands() {
		calls, rejected, failed := cmd.stats.calls.load(), cmd.stats.rejected.load(), cmd.stats.failed.load()
		if calls == 0 && rejected == 0 && failed == 0 {
			continue
		}
		usec := cmd.stats.latency.Snapshot().Sum().Microseconds()
		perCall := 0.0
		if calls > 0 {
			perCall = float64(usec) / float64(calls)
		}
		w.str("cmdstat_"+cmd.name, fmt.Sprintf("calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d",
			calls, usec, perCall, rejected, failed))
	}
}

func (s *Server) infoLatencyStats(w *infoWriter) {
	w.title("Latencystats")
	for _, cmd := range s.allCommands() {
		snap := cmd.stats.latency.Snapshot()
		if snap.Count() == 0 {
			continue
		}
		us := func(q float64) string {
			return fmt.Sprintf("%.3f", float64(snap.Quantile(q).Nanoseconds())/1000)
		}
		w.str("latency_percentiles_usec_"+cmd.name, fmt.Sprintf("p50=%s,p99=%s,p99.9=%s", us(0.5), us(0.99), us(0.999)))
	}
}

func (s *Server) infoErrorStats(w *infoWriter) {
	w.title("Errorstats")
	for _, e := range s.errorStats.snapshot() {
		w.str("errorstat_"+e.code, fmt.Sprintf("count=%d", e.count))
	}
}

func (s *Server) infoKeyspace(w *infoWriter) {
	w.title("Keyspace")
	_, perDB := s.dataset()
	for _, d := range perDB {
		if d.keys == 0 {
			continue
		}
		w.str(fmt.Sprintf("db%d", d.index), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=0", d.keys, d.expires))
	}
}

// errorStats counts error replies by their code (the first word), for
// INFO errorstats.
type errorStats struct {
	mu     sync.Mutex
	counts map[string]int64
	all    int64
}

func (e *errorStats) record(msg string) {
	code, _, _ := strings.Cut(msg, " ")
	e.mu.Lock()
	if e.counts == nil {
		e.counts = map[string]int64{}
	}
	// Redis tracks at most 128 distinct codes, so a client cannot grow the
	// table without limit.
	if _, ok := e.counts[code]; ok || len(e.counts) < 128 {
		e.counts[code]++
	}
	e.all++
	e.mu.Unlock()
}

type errorCount struct {
	code  string
	count int64
}

func (e *errorStats) snapshot() []errorCount {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []errorCount
	for code, n := range e.counts {
		out = append(out, errorCount{code, n})
	}
	slices.SortFunc(out, func(a, b errorCount) int { return strings.Compare(a.code, b.code) })
	return out
}

func (e *errorStats) total() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.all
}

func (e *errorStats) reset() {
	e.mu.Lock()
	e.counts, e.all = nil, 0
	e.mu.Unlock()
}
