package server

import (
	"strconv"
)

// MEMORY: sizes are estimates (db.Value's Size, the Go runtime's
// statistics), not Redis's allocator's numbers; the replies have Redis's
// form.

func memoryCommands() []*command {
	return []*command{
		container("memory", 0,
			&command{name: "usage", run: cmdMemoryUsage},
			&command{name: "stats", run: cmdMemoryStats},
			&command{name: "doctor", run: cmdMemoryDoctor},
			&command{name: "malloc-stats", run: cmdMemoryMallocStats},
			&command{name: "purge", run: cmdMemoryPurge},
			&command{name: "help", run: cmdMemoryHelp},
		),
	}
}

// keyEntryOverhead is what MEMORY USAGE adds to a value's size for its
// key: the bytes of the dict entry and of the key's sds header, as Redis
// counts them.
const keyEntryOverhead = 24 + 3

// MEMORY USAGE key [SAMPLES count]. Redis samples at most count elements of
// a collection to estimate it; the size here is exact, so SAMPLES is only
// checked. Redis finds the key without a lookup: nothing is counted.
func cmdMemoryUsage(c *client, args [][]byte) {
	for i := 3; i < len(args); i++ {
		if !is(args[i], "samples") || i+1 >= len(args) {
			c.conn.WriteError(errSyntax)
			return
		}
		n, ok := parseInt(args[i+1])
		if !ok {
			c.conn.WriteError(errNotInteger)
			return
		}
		if n < 0 {
			c.conn.WriteError(errSyntax)
			return
		}
		i++
	}
	key := args[2]
	tx := c.db().Read(key)
	v := tx.Peek(key)
	tx.Close()
	if v == nil {
		c.conn.WriteNull()
		return
	}
	c.conn.WriteInt(int64(v.Size() + len(key) + keyEntryOverhead))
}

// MEMORY STATS: Redis's fields, in its order, with this server's numbers.
func cmdMemoryStats(c *client, args [][]byte) {
	s := c.server
	ms, peak := s.memStats()
	dataset, perDB := s.dataset()
	used := s.usedMemory() // INFO's used_memory
	var nonEmpty []dbStat
	keys := 0
	for _, d := range perDB {
		if d.keys > 0 {
			nonEmpty = append(nonEmpty, d)
			keys += d.keys
		}
	}
	overhead := max(0, used-dataset)
	perKey := int64(0)
	if keys > 0 {
		perKey = (used - overhead) / int64(keys)
	}
	ratio := func(a, b int64) float64 { return float64(a) / float64(max(b, 1)) }
	c.conn.WriteMapLen(27 + len(nonEmpty))
	ints := func(pairs ...any) {
		for i := 0; i < len(pairs); i += 2 {
			c.conn.WriteBulkString(pairs[i].(string))
			switch v := pairs[i+1].(type) {
			case int64:
				c.conn.WriteInt(v)
			case float64:
				c.conn.WriteDouble(v)
			}
		}
	}
	ints("peak.allocated", int64(peak), "total.allocated", used, "startup.allocated", int64(0),
		"replication.backlog", int64(0), "clients.slaves", int64(0), "clients.normal", int64(0),
		"cluster.links", int64(0), "aof.buffer", int64(0), "lua.caches", int64(0), "functions.caches", int64(0))
	for _, d := range nonEmpty {
		c.conn.WriteBulkString("db." + strconv.Itoa(d.index))
		c.conn.WriteMapLen(3)
		ints("overhead.hashtable.main", int64(d.keys)*24, "overhead.hashtable.expires", int64(d.expires)*24,
			"overhead.hashtable.slot-to-keys", int64(0))
	}
	rss := int64(ms.Sys)
	ints("overhead.total", overhead, "keys.count", int64(keys), "keys.bytes-per-key", perKey,
		"dataset.bytes", dataset, "dataset.percentage", 100*ratio(dataset, used),
		"peak.percentage", 100*ratio(used, int64(peak)),
		"allocator.allocated", used, "allocator.active", int64(ms.HeapInuse), "allocator.resident", rss,
		"allocator-fragmentation.ratio", ratio(int64(ms.HeapInuse), used),
		"allocator-fragmentation.bytes", int64(ms.HeapInuse)-used,
		"allocator-rss.ratio", ratio(rss, int64(ms.HeapInuse)), "allocator-rss.bytes", rss-int64(ms.HeapInuse),
		"rss-overhead.ratio", 1.0, "rss-overhead.bytes", int64(0),
		"fragmentation", ratio(rss, used), "fragmentation.bytes", rss-used)
}

// memoryDoctorEmpty is MEMORY DOCTOR's report on an instance of less than
// 5 MB, where Redis's detector gives up.
const memoryDoctorEmpty = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used " +
	"in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I " +
	"will be back to our programming as soon as I finished rebooting.\n"

// MEMORY DOCTOR
func cmdMemoryDoctor(c *client, args [][]byte) {
	if ms, _ := c.server.memStats(); ms.HeapAlloc < 5<<20 {
		c.writeText(memoryDoctorEmpty)
		return
	}
	c.writeText("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n")
}

// MEMORY MALLOC-STATS: Redis built without jemalloc says this.
func cmdMemoryMallocStats(c *client, args [][]byte) {
	c.conn.WriteBulkString("Stats not supported for the current allocator")
}

// MEMORY PURGE: Redis asks jemalloc to give back dirty pages; Go's
// runtime does so on its own.
func cmdMemoryPurge(c *client, args [][]byte) { c.conn.WriteOK() }

// MEMORY HELP
func cmdMemoryHelp(c *client, args [][]byte) {
	c.writeHelp("MEMORY",
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	)
}
