package server

import (
	"strings"
	"testing"
	"time"
)

func TestLatencyMonitorSamples(t *testing.T) {
	var m latencyMonitor
	const t0 = 1_700_000_000
	m.add("command", 5, t0)
	m.add("command", 9, t0)   // same second: the worst is kept
	m.add("command", 7, t0)   // ...and a better one does not replace it
	m.add("command", 3, t0+1) // a new second, a new sample
	m.add("fast-command", 2, t0+1)
	e, ok := m.event("command")
	if !ok || e.max != 9 || len(e.samples) != 2 || e.samples[0] != (latencySample{t0, 9}) || e.samples[1] != (latencySample{t0 + 1, 3}) {
		t.Fatalf("command: %+v, %v", e, ok)
	}
	if _, ok := m.event("Command"); ok {
		t.Error("event names are case-sensitive in HISTORY and GRAPH")
	}
	// The ring keeps the last latencySamples seconds, oldest first.
	for i := range int64(latencySamples + 10) {
		m.add("command", i, t0+2+i)
	}
	e, _ = m.event("command")
	if len(e.samples) != latencySamples || e.samples[0].ms != 10 || e.samples[latencySamples-1].ms != latencySamples+9 {
		t.Errorf("after %d more seconds: %d samples, first %+v, last %+v", latencySamples+10, len(e.samples), e.samples[0], e.samples[len(e.samples)-1])
	}
	if e.max != latencySamples+9 {
		t.Errorf("max %d", e.max)
	}
	if n := m.reset([]byte("COMMAND")); n != 1 {
		t.Errorf("RESET COMMAND reset %d events, want 1 (case-insensitive)", n)
	}
	if n := m.reset(nil); n != 1 {
		t.Errorf("RESET reset %d events, want the 1 left", n)
	}
	if len(m.snapshot()) != 0 {
		t.Error("events left after RESET")
	}
}

// TestLatencyWithInjectedClock checks that samples are taken at the
// keyspace clock's time, one per second of it, only past the threshold.
func TestLatencyWithInjectedClock(t *testing.T) {
	ts := startServer(t)
	now := func() int64 { return ts.clock.Now().Unix() }
	ts.latencySample(latencyExpireCycle, 50*time.Millisecond) // threshold 0: off
	if len(ts.latency.snapshot()) != 0 {
		t.Fatal("a sample with latency-monitor-threshold 0")
	}
	c0 := ts.dial(t)
	if r := c0.do("CONFIG", "SET", "latency-monitor-threshold", "10"); r != "+OK\r\n" {
		t.Fatal(r)
	}
	ts.latencySample(latencyExpireCycle, 9*time.Millisecond) // under the threshold
	ts.latencySample(latencyExpireCycle, 10*time.Millisecond)
	ts.latencySample(latencyExpireCycle, 12*time.Millisecond)
	t1 := now()
	ts.clock.Advance(time.Second)
	ts.latencySample(latencyExpireCycle, 11*time.Millisecond)
	e, _ := ts.latency.event(latencyExpireCycle)
	want := []latencySample{{t1, 12}, {t1 + 1, 11}}
	if len(e.samples) != 2 || e.samples[0] != want[0] || e.samples[1] != want[1] {
		t.Errorf("samples %+v, want %+v", e.samples, want)
	}
	ts.clock.Advance(2 * time.Minute)
	c := ts.dial(t)
	got := c.do("LATENCY", "GRAPH", "expire-cycle")
	wantGraph := "expire-cycle - high 12 ms, low 11 ms (all time high 12 ms)\n" + strings.Repeat("-", 80) + "\n" +
		"# \n| \n| \n|_\n  \n22\nmm\n"
	if !strings.HasSuffix(got, wantGraph+"\r\n") {
		t.Errorf("LATENCY GRAPH:\n%s\nwant\n%s", got, wantGraph)
	}
}

func TestSparkline(t *testing.T) {
	tests := []struct {
		values []float64
		labels []string
		want   string
	}{
		// As Redis draws 129 and 50 ms, 1 and 0 seconds ago.
		{[]float64{129, 50}, []string{"1s", "0s"}, "# \n| \n| \n|_\n  \n10\nss\n"},
		{[]float64{5}, []string{"3s"}, " \n \n \n_\n \n3\ns\n"},
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, make([]string, 12),
			"         _o#\n      _o#|||\n   _o#||||||\n_o#|||||||||\n"},
	}
	for _, tt := range tests {
		if got := sparkline(tt.values, tt.labels, 80, 4); got != tt.want {
			t.Errorf("sparkline(%v):\n%q\nwant\n%q", tt.values, got, tt.want)
		}
	}
	// Past the width, the sequence goes on below after a blank line.
	long := make([]float64, 5)
	if got := sparkline(long, make([]string, 5), 3, 1); got != "___\n\n__\n" {
		t.Errorf("wrapped: %q", got)
	}
}

func TestRedisLatencyBuckets(t *testing.T) {
	tests := []struct {
		durations []time.Duration
		want      []latencyBucket
	}{
		{nil, nil},
		{[]time.Duration{0, 999 * time.Nanosecond, time.Microsecond + 999}, []latencyBucket{{1, 3}}},
		{[]time.Duration{2 * time.Microsecond, 3 * time.Microsecond, 4 * time.Microsecond}, []latencyBucket{{2, 1}, {4, 3}}},
		{[]time.Duration{33 * time.Microsecond, 34 * time.Microsecond}, []latencyBucket{{33, 1}, {66, 2}}},
		{[]time.Duration{time.Hour}, []latencyBucket{{1082130, 1}}}, // clamped to 1 s, Redis's largest value
	}
	for _, tt := range tests {
		got := redisLatencyBuckets(func(yield func(time.Duration, uint64)) {
			for _, d := range tt.durations {
				yield(d, 1)
			}
		})
		if len(got) != len(tt.want) {
			t.Errorf("%v: %v, want %v", tt.durations, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%v: %v, want %v", tt.durations, got, tt.want)
				break
			}
		}
	}
}

func TestAnalyzeLatency(t *testing.T) {
	e := latencyEvent{name: "command", samples: []latencySample{{100, 129}, {101, 50}}, max: 129}
	st := analyzeLatency(e, 101)
	if st.samples != 2 || st.avg != 89 || st.mad != 39 || st.periodPerItem != 0.5 {
		t.Errorf("%+v", st)
	}
}
