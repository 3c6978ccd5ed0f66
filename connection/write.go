package connection

import (
	"github.com/mini-redis/mini-redis/frame"
)

// The Write methods append one reply to the output buffer, encoded for the
// connection's protocol version. Errors surface from Flush.

// WriteSimple writes a simple string such as "OK".
func (c *Conn) WriteSimple(s string) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendSimple(buf, s))
	}
}

// WriteOK writes the simple string "OK".
func (c *Conn) WriteOK() { c.WriteSimple("OK") }

// WriteError writes an error reply. msg starts with the error code, as in
// "ERR syntax error" or "WRONGTYPE Operation against a key ...".
func (c *Conn) WriteError(msg string) {
	if c.opts.ErrorHook != nil {
		c.opts.ErrorHook(msg)
	}
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendError(buf, msg))
	}
}

// WriteInt writes an integer.
func (c *Conn) WriteInt(n int64) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendInt(buf, n))
	}
}

// WriteBulk writes a bulk string.
func (c *Conn) WriteBulk(b []byte) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendBulk(buf, b))
	}
}

// WriteBulkString writes a bulk string.
func (c *Conn) WriteBulkString(s string) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendBulkString(buf, s))
	}
}

// WriteBulkInt writes n as a bulk string of digits.
func (c *Conn) WriteBulkInt(n int64) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendBulkInt(buf, n))
	}
}

// WriteNull writes a null ("$-1" in RESP2).
func (c *Conn) WriteNull() {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendNull(buf, c.proto))
	}
}

// WriteNullArray writes a null where an array was expected ("*-1" in RESP2).
func (c *Conn) WriteNullArray() {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendNullArray(buf, c.proto))
	}
}

// WriteArrayLen writes the header of an array of n elements; the caller
// writes the elements next.
func (c *Conn) WriteArrayLen(n int) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendArrayLen(buf, n))
	}
}

// WriteMapLen writes the header of a map of n pairs (an array of 2n in RESP2).
func (c *Conn) WriteMapLen(n int) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendMapLen(buf, n, c.proto))
	}
}

// WriteSetLen writes the header of a set of n elements (an array in RESP2).
func (c *Conn) WriteSetLen(n int) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendSetLen(buf, n, c.proto))
	}
}

// WritePushLen writes the header of a push of n elements (an array in RESP2).
func (c *Conn) WritePushLen(n int) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendPushLen(buf, n, c.proto))
	}
}

// WriteBool writes a boolean (the integer 1 or 0 in RESP2).
func (c *Conn) WriteBool(b bool) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendBool(buf, b, c.proto))
	}
}

// WriteDouble writes a double (a bulk string in RESP2).
func (c *Conn) WriteDouble(f float64) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendDouble(buf, f, c.proto))
	}
}

// WriteDoubleText writes a double already formatted as text (a bulk
// string in RESP2).
func (c *Conn) WriteDoubleText(text []byte) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendDoubleText(buf, text, c.proto))
	}
}

// WriteVerbatim writes a verbatim string with a three-letter format such as
// "txt" (a bulk string in RESP2).
func (c *Conn) WriteVerbatim(format, s string) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendVerbatim(buf, format, s, c.proto))
	}
}

// WriteFrame writes any frame.
func (c *Conn) WriteFrame(f frame.Frame) {
	if buf, ok := c.begin(); ok {
		c.end(frame.Append(buf, f, c.proto))
	}
}

// WriteCommand writes a command as a client sends it: an array of bulk
// strings. ReadFrame flushes before it waits; a long pipeline of commands
// is written out as it reaches the flush threshold.
func (c *Conn) WriteCommand(args ...[]byte) {
	if buf, ok := c.begin(); ok {
		c.end(frame.AppendCommand(buf, args...))
	}
	c.flushIfFull()
}
