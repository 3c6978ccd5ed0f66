package connection

import (
	"github.com/mini-redis/mini-redis/frame"
)

// The Write methods append one reply to the output buffer, encoded for the
// connection's protocol version. Errors surface from Flush.

// WriteSimple writes a simple string such as "OK".
func (c *Conn) WriteSimple(s string) {
	c.out = frame.AppendSimple(c.out, s)
	c.wrote()
}

// WriteOK writes the simple string "OK".
func (c *Conn) WriteOK() { c.WriteSimple("OK") }

// WriteError writes an error reply. msg starts with the error code, as in
// "ERR syntax error" or "WRONGTYPE Operation against a key ...".
func (c *Conn) WriteError(msg string) {
	c.out = frame.AppendError(c.out, msg)
	c.wrote()
}

// WriteInt writes an integer.
func (c *Conn) WriteInt(n int64) {
	c.out = frame.AppendInt(c.out, n)
	c.wrote()
}

// WriteBulk writes a bulk string.
func (c *Conn) WriteBulk(b []byte) {
	c.out = frame.AppendBulk(c.out, b)
	c.wrote()
}

// WriteBulkString writes a bulk string.
func (c *Conn) WriteBulkString(s string) {
	c.out = frame.AppendBulkString(c.out, s)
	c.wrote()
}

// WriteBulkInt writes n as a bulk string of digits.
func (c *Conn) WriteBulkInt(n int64) {
	c.out = frame.AppendBulkInt(c.out, n)
	c.wrote()
}

// WriteNull writes a null ("$-1" in RESP2).
func (c *Conn) WriteNull() {
	c.out = frame.AppendNull(c.out, c.proto)
	c.wrote()
}

// WriteNullArray writes a null where an array was expected ("*-1" in RESP2).
func (c *Conn) WriteNullArray() {
	c.out = frame.AppendNullArray(c.out, c.proto)
	c.wrote()
}

// WriteArrayLen writes the header of an array of n elements; the caller
// writes the elements next.
func (c *Conn) WriteArrayLen(n int) {
	c.out = frame.AppendArrayLen(c.out, n)
}

// WriteMapLen writes the header of a map of n pairs (an array of 2n in RESP2).
func (c *Conn) WriteMapLen(n int) {
	c.out = frame.AppendMapLen(c.out, n, c.proto)
}

// WriteSetLen writes the header of a set of n elements (an array in RESP2).
func (c *Conn) WriteSetLen(n int) {
	c.out = frame.AppendSetLen(c.out, n, c.proto)
}

// WritePushLen writes the header of a push of n elements (an array in RESP2).
func (c *Conn) WritePushLen(n int) {
	c.out = frame.AppendPushLen(c.out, n, c.proto)
}

// WriteBool writes a boolean (the integer 1 or 0 in RESP2).
func (c *Conn) WriteBool(b bool) {
	c.out = frame.AppendBool(c.out, b, c.proto)
	c.wrote()
}

// WriteDouble writes a double (a bulk string in RESP2).
func (c *Conn) WriteDouble(f float64) {
	c.out = frame.AppendDouble(c.out, f, c.proto)
	c.wrote()
}

// WriteVerbatim writes a verbatim string with a three-letter format such as
// "txt" (a bulk string in RESP2).
func (c *Conn) WriteVerbatim(format, s string) {
	c.out = frame.AppendVerbatim(c.out, format, s, c.proto)
	c.wrote()
}

// WriteFrame writes any frame.
func (c *Conn) WriteFrame(f frame.Frame) {
	c.out = frame.Append(c.out, f, c.proto)
	c.wrote()
}

// WriteCommand writes a command as a client sends it: an array of bulk
// strings. It does not flush; ReadFrame does before it waits.
func (c *Conn) WriteCommand(args ...[]byte) {
	c.out = frame.AppendCommand(c.out, args...)
	c.wrote()
}
