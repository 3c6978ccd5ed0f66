//go:build !unix

package connection

// sockWriter is Unix only.
type sockWriter struct{}

// writeNow writes all of b, waiting as long as it takes: outside Unix a
// client that does not read holds its own connection up, as the owner
// cannot tell a full socket from a slow one.
func (c *Conn) writeNow(b []byte) (int, error) { return len(b), c.write(b) }
