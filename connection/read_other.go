//go:build !unix

package connection

// read reads into b.
func (c *Conn) read(b []byte) (int, error) { return c.nc.Read(b) }

// stopReader does nothing: outside Unix reads are plain net.Conn reads.
func (c *Conn) stopReader() {}

// sockReader is Unix only.
type sockReader struct{}

// Abort closes the connection from any goroutine.
func (c *Conn) Abort() { c.nc.Close() }
