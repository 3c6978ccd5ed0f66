package server

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of MONITOR: the same commands run on redis-server and
// on this server while a client monitors each, and the monitors' lines
// are compared once the timestamps are checked and removed and the
// clients' ports named by order of appearance.

// monitorScript is what the observed client runs; its replies are
// compared as it goes.
var monitorScript = []step{
	q("SET", "k", "a b\"c\n\r\t\a\b\\\x01\x7f\xc3\xa9"),
	s("SET 12345 67"),
	s("AUTH foo"), s("AUTH foo bar"),
	like("HELLO 3 AUTH default x"), s("HELLO 2 AUTH default"),
	s("CONFIG SET maxmemory 0"), s("CONFIG GET maxmemory"), // admin: not shown
	s("GET"), s("NOSUCH x"), // refused: not shown
	s("SELECT 2"), s("GET k"),
	q("EVAL", "redis.call('set','x',1); return redis.pcall('incr','x')", "0"),
	s("SELECT 0"),
	s("EVALSHA 0123456789012345678901234567890123456789 0"),
	q("EVAL", "return x(", "0"),
	s("FCALL nofunc 0"),
	s("MULTI"), s("SET a 1"), s("GET a"), q("EVAL", "return redis.call('get','a')", "0"), s("EXEC"),
	s("MULTI"), s("GET"), s("EXEC"),
	s("MULTI"), s("MONITOR"), s("EXEC"),
	s("BLPOP nolist 0.01"),
	s("CLIENT SETNAME x"), s("CLIENT SETNAME"), s("SLOWLOG LEN"), s("LATENCY LATEST"),
	s("PING"), s("ECHO end-of-script"),
}

// monitorOwn is what the monitoring client runs itself after MONITOR,
// pipelined: keyspace commands are refused, the others are served and
// shown to it after their replies, a second MONITOR gets no reply.
const monitorOwn = "GET k\r\nSET k v\r\nPUBLISH c m\r\nPING\r\nMONITOR\r\nCLIENT NO-EVICT on\r\nCLIENT NO-EVICT off\r\nECHO own\r\n"

var (
	monitorTime = regexp.MustCompile(`^\+([0-9]+)\.([0-9]{6}) \[`)
	monitorPort = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
)

func TestMonitorAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			refMon, gotMon := dialPair(t, redis.Addr, ours, proto)
			ref, got := dialPair(t, redis.Addr, ours, proto)
			for _, c := range []*rawConn{ref, got} {
				c.do("FLUSHALL")
			}
			compareStep(t, s("MONITOR"), refMon, gotMon)
			want, have := monitorOwnExchange(t, refMon), monitorOwnExchange(t, gotMon)
			if want != have {
				t.Errorf("the monitor's own commands:\n redis: %q\n   ours: %q", want, have)
			}
			for _, c := range []*rawConn{refMon, gotMon} {
				if list := c.do("CLIENT", "LIST"); !strings.Contains(list, " flags=O ") {
					t.Errorf("CLIENT LIST of a monitor: %q", list)
				}
			}
			for _, st := range monitorScript {
				compareStep(t, st, ref, got)
			}
			want, have = monitorLines(t, refMon), monitorLines(t, gotMon)
			if want != have {
				t.Errorf("monitor lines:\n redis:\n  %s\n ours:\n  %s", strings.ReplaceAll(want, "\n", "\n  "), strings.ReplaceAll(have, "\n", "\n  "))
			}
			for _, st := range []step{s("RESET"), s("GET k"), s("CLIENT NO-EVICT off")} {
				compareStep(t, st, refMon, gotMon)
			}
		})
	}
}

// monitorOwnExchange sends monitorOwn on the monitor c and returns what
// comes back, up to the line of its last command, with the monitor lines
// masked as monitorLines masks them.
func monitorOwnExchange(t *testing.T, c *rawConn) string {
	t.Helper()
	c.sendRaw(monitorOwn)
	var out []string
	for {
		raw := c.readReplyWithin(5 * time.Second)
		if raw == "(nothing)" {
			t.Fatalf("monitor: no line for ECHO own after %q", out)
		}
		if strings.HasPrefix(raw, "+") && monitorTime.MatchString(raw) {
			out = append(out, strings.Join(maskMonitorLines(t, []string{raw}), ""))
		} else {
			out = append(out, raw)
		}
		if strings.Contains(raw, `"own"`) {
			return strings.Join(out, "")
		}
	}
}

// monitorLines reads a monitor's lines up to the script's last command,
// and returns them masked (maskMonitorLines), one a line.
func monitorLines(t *testing.T, c *rawConn) string {
	t.Helper()
	var raws []string
	for {
		raw := c.readReplyWithin(5 * time.Second)
		if raw == "(nothing)" {
			t.Fatalf("monitor: no end-of-script line after %q", raws)
		}
		raws = append(raws, raw)
		if strings.Contains(raw, `"end-of-script"`) {
			return strings.Join(maskMonitorLines(t, raws), "\n")
		}
	}
}

// maskMonitorLines checks the timestamps of monitor lines and returns the
// lines without them, the ports replaced by the clients' order of
// appearance.
func maskMonitorLines(t *testing.T, raws []string) []string {
	t.Helper()
	ports := map[string]string{}
	now := time.Now()
	var lines []string
	for _, raw := range raws {
		m := monitorTime.FindStringSubmatch(raw)
		if m == nil || !strings.HasSuffix(raw, "\r\n") {
			t.Fatalf("monitor line %q", raw)
		}
		var sec, usec int64
		fmt.Sscan(m[1], &sec)
		fmt.Sscan(m[2], &usec)
		if at := time.Unix(sec, usec*1000); at.Before(now.Add(-time.Minute)) || at.After(now.Add(time.Minute)) {
			t.Errorf("monitor line %q: time %v, now %v", raw, at, now)
		}
		line := monitorPort.ReplaceAllStringFunc(raw[len(m[0])-1:], func(addr string) string {
			if ports[addr] == "" {
				ports[addr] = fmt.Sprintf("client%d", len(ports)+1)
			}
			return ports[addr]
		})
		lines = append(lines, strings.TrimSuffix(line, "\r\n"))
	}
	return lines
}
