package rdb

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"
	"time"
)

// respConn is the least of a Redis client the tests need: one command at
// a time, replies as strings.
type respConn struct {
	tb testing.TB
	nc net.Conn
	br *bufio.Reader
}

func dialRedis(tb testing.TB, addr string) *respConn {
	tb.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { nc.Close() })
	return &respConn{tb: tb, nc: nc, br: bufio.NewReader(nc)}
}

// nilReply is what do returns for a null bulk string.
const nilReply = "(nil)"

// do sends a command and returns its reply: the text of a simple string,
// the digits of an integer, the bytes of a bulk string, or nilReply. An
// error reply fails the test.
func (c *respConn) do(args ...string) string {
	c.tb.Helper()
	c.nc.SetDeadline(time.Now().Add(30 * time.Second))
	req := fmt.Appendf(nil, "*%d\r\n", len(args))
	for _, a := range args {
		req = fmt.Appendf(req, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.nc.Write(req); err != nil {
		c.tb.Fatalf("%q: %v", args, err)
	}
	line, err := c.br.ReadString('\n')
	if err != nil || len(line) < 3 {
		c.tb.Fatalf("%q: reply %q: %v", args, line, err)
	}
	line = line[:len(line)-2]
	switch line[0] {
	case '+', ':':
		return line[1:]
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			c.tb.Fatalf("%q: bad bulk length %q", args, line)
		}
		if n < 0 {
			return nilReply
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.br, buf); err != nil {
			c.tb.Fatalf("%q: %v", args, err)
		}
		return string(buf[:n])
	}
	c.tb.Fatalf("%q: unexpected reply %q", args, line)
	return ""
}
