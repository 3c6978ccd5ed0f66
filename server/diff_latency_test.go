package server

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of LATENCY: the replies that do not depend on timing
// are compared exactly; those that do (the samples of a DEBUG SLEEP, the
// histograms' buckets) with their numbers masked, after checking them.

// latencyScript runs with latency monitoring off, then on with nothing
// slow yet.
var latencyScript = []step{
	s("CONFIG SET latency-monitor-threshold 0"),
	s("LATENCY DOCTOR"), s("LATENCY LATEST"), s("LATENCY HISTORY command"), s("LATENCY HISTORY nosuch"),
	s("LATENCY GRAPH command"), s("LATENCY GRAPH fast-command"), s("LATENCY RESET"), s("LATENCY RESET command Command x"),
	s("LATENCY HELP"), s("LATENCY"), s("LATENCY nosuch"), s("LATENCY LATEST x"), s("LATENCY HISTORY"),
	s("LATENCY HISTORY a b"), s("LATENCY GRAPH"), s("LATENCY DOCTOR x"), s("LATENCY HELP x"),
	s("LATENCY HISTOGRAM nosuch"), s("LATENCY HISTOGRAM nosuch|x client|nosuch"),
	s("CONFIG SET latency-monitor-threshold -1"), s("CONFIG SET latency-monitor-threshold x"),
	// High enough that nothing crosses it on a busy machine.
	s("CONFIG SET latency-monitor-threshold 10000"), s("CONFIG GET latency-monitor-threshold"),
	s("LATENCY DOCTOR"), s("LATENCY LATEST"),
}

// digits masks every number of a reply: the samples' times and
// latencies, and the lengths of the texts holding them.
var digits = regexp.MustCompile(`[0-9]+`)

// masked is a LATENCY reply with its numbers masked (see digits).
func masked(reply string) string { return digits.ReplaceAllString(reply, "N") }

func TestLatencyAgainstRedis(t *testing.T) {
	redis := redistest.Start(t, "enable-debug-command", "yes")
	// LATENCY DOCTOR advises against transparent huge pages when its
	// process uses some: ours looks at redis-server's, so that both give
	// the same advice whatever the Go heap and jemalloc got from the kernel.
	pid := infoField(t, dialRaw(t, redis.Addr), "server", "process_id")
	cfg, _ := testConfig(t, "--enable-debug-command", "yes")
	cfg.Clock = nil // the wall clock, as redis-server's
	cfg.hugePages = func() int64 { return anonHugePagesOf("/proc/" + pid + "/smaps_rollup") }
	ours := startServerConfig(t, cfg, nil).addr
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			ref, got := dialPair(t, redis.Addr, ours, proto)
			for _, c := range []*rawConn{ref, got} {
				c.do("CONFIG", "SET", "latency-monitor-threshold", "0")
				c.do("CONFIG", "SET", "slowlog-log-slower-than", "10000")
				c.do("LATENCY", "RESET")
			}
			for _, st := range latencyScript {
				compareStep(t, st, ref, got)
			}

			// A slow command: one sample of "command", whose latency is
			// at least the sleep's. The threshold is well under it, and
			// well over what other commands take, even on a loaded
			// machine.
			for _, c := range []*rawConn{ref, got} {
				c.do("CONFIG", "SET", "latency-monitor-threshold", "100")
				c.do("DEBUG", "SLEEP", "0.2")
				latest := c.do("LATENCY", "LATEST")
				f, _, err := frame.Parse([]byte(latest))
				if err != nil || len(f.Elems) != 1 || len(f.Elems[0].Elems) != 4 {
					t.Fatalf("LATENCY LATEST: %q (%v)", latest, err)
				}
				e := f.Elems[0].Elems
				if e[0].Text() != "command" || e[2].Int < 200 || e[3].Int != e[2].Int {
					t.Errorf("LATENCY LATEST after DEBUG SLEEP 0.2: %q", latest)
				}
			}
			for _, st := range []step{
				s("LATENCY LATEST"), s("LATENCY HISTORY command"), s("LATENCY GRAPH command"),
				s("LATENCY GRAPH Command"), s("LATENCY DOCTOR"),
			} {
				want, have := masked(ref.do(st.args...)), masked(got.do(st.args...))
				if want != have {
					t.Errorf("%q (numbers masked):\n redis: %q\n   ours: %q", st.args, want, have)
				}
			}
			for _, st := range []step{
				// The advice follows slowlog-log-slower-than.
				s("CONFIG SET slowlog-log-slower-than -1"), s("CONFIG SET slowlog-log-slower-than 1000"),
				s("CONFIG SET slowlog-log-slower-than 30000"), s("CONFIG SET slowlog-log-slower-than 10000"),
			} {
				compareStep(t, st, ref, got)
				want, have := masked(ref.do("LATENCY", "DOCTOR")), masked(got.do("LATENCY", "DOCTOR"))
				if want != have {
					t.Errorf("LATENCY DOCTOR after %q (numbers masked):\n redis: %q\n   ours: %q", st.args, want, have)
				}
			}
			for _, st := range []step{
				s("LATENCY RESET fast-command"), s("LATENCY RESET command"), s("LATENCY LATEST"),
				s("LATENCY GRAPH command"), s("CONFIG SET latency-monitor-threshold 0"), s("LATENCY DOCTOR"),
			} {
				compareStep(t, st, ref, got)
			}

			// Histograms: the calls are compared, the buckets checked.
			for _, c := range []*rawConn{ref, got} {
				c.do("CONFIG", "RESETSTAT")
			}
			for _, st := range []step{s("LATENCY HISTOGRAM set"), s("SET k v"), s("SET k v"), s("GET k"), like("CLIENT ID")} {
				compareStep(t, st, ref, got)
			}
			for _, args := range [][]string{
				{"LATENCY", "HISTOGRAM"}, // config|resetstat, latency|histogram, set, get, client|id
				{"LATENCY", "HISTOGRAM", "set"}, {"LATENCY", "HISTOGRAM", "SET", "nosuch", "get", "hset"},
				{"LATENCY", "HISTOGRAM", "client"}, {"LATENCY", "HISTOGRAM", "client|id"}, {"LATENCY", "HISTOGRAM", "get", "get"},
			} {
				// Without names, the order is that of Redis's command table.
				all := len(args) == 2
				want, have := histogramShape(t, ref.do(args...), all), histogramShape(t, got.do(args...), all)
				if want != have {
					t.Errorf("%q:\n redis: %s\n   ours: %s", args, want, have)
				}
			}
		})
	}
}

// histogramShape checks a LATENCY HISTOGRAM reply's buckets (ascending,
// cumulative, ending at the calls) and returns the reply with each
// histogram_usec map replaced by "ok", its entries sorted if sorted.
func histogramShape(t *testing.T, raw string, sorted bool) string {
	t.Helper()
	f, _, err := frame.Parse([]byte(raw))
	if err != nil || len(f.Elems)%2 != 0 {
		t.Fatalf("LATENCY HISTOGRAM: %q (%v)", raw, err)
	}
	var entries []string
	for i := 0; i < len(f.Elems); i += 2 {
		name, h := f.Elems[i], f.Elems[i+1]
		if len(h.Elems) != 4 || h.Elems[0].Text() != "calls" || h.Elems[2].Text() != "histogram_usec" {
			t.Fatalf("LATENCY HISTOGRAM: %q", raw)
		}
		calls, buckets := h.Elems[1].Int, h.Elems[3].Elems
		var lastMicros, lastCount int64
		for j := 0; j+1 < len(buckets); j += 2 {
			micros, count := buckets[j].Int, buckets[j+1].Int
			if micros <= lastMicros && j > 0 || count <= lastCount {
				t.Errorf("LATENCY HISTOGRAM %s: buckets not ascending: %q", name.Text(), raw)
			}
			lastMicros, lastCount = micros, count
		}
		if lastCount != calls {
			t.Errorf("LATENCY HISTOGRAM %s: buckets end at %d of %d calls: %q", name.Text(), lastCount, calls, raw)
		}
		entries = append(entries, name.Text()+" "+string(rune(h.Type))+" calls="+strconv.FormatInt(calls, 10)+" ok")
	}
	if sorted {
		slices.Sort(entries)
	}
	return string(rune(f.Type)) + " " + strings.Join(entries, ", ")
}
