package main

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/frame"
	"go.uber.org/zap"
)

// client is the server side of one connection.
type client struct {
	id      int64
	server  *Server
	conn    *connection.Conn
	created time.Time
	// dbIndex is the database SELECT chose.
	dbIndex int

	// closeAfterReply ends the connection once the current reply is
	// flushed (QUIT, protocol errors).
	closeAfterReply bool
}

// db returns the database the client has selected.
func (c *client) db() *db.DB { return c.server.store.DB(c.dbIndex) }

// serve runs the client's commands until it leaves, breaks the protocol,
// or the server interrupts it.
func (c *client) serve() {
	log := c.server.log.With(zap.Int64("client", c.id), zap.Stringer("addr", c.conn.NetConn().RemoteAddr()))
	log.Debug("client connected")
	defer func() {
		if err := c.conn.Close(); err != nil && !isDisconnect(err) {
			log.Debug("closing client", zap.Error(err))
		}
		log.Debug("client disconnected")
	}()
	for {
		args, err := c.conn.ReadRequest()
		if err != nil {
			var pe *frame.ProtocolError
			switch {
			case errors.As(err, &pe):
				log.Info("protocol error; closing client", zap.Error(err))
				c.conn.WriteError("ERR " + pe.Error())
			case errors.Is(err, connection.ErrQueryBufferLimit):
				log.Warn("closing client that reached max query buffer length")
			case errors.Is(err, connection.ErrInterrupted), isDisconnect(err):
			default:
				log.Debug("read failed", zap.Error(err))
			}
			return
		}
		c.server.dispatch(c, args)
		if c.closeAfterReply {
			return
		}
	}
}

// isDisconnect reports whether err only means the peer went away.
func isDisconnect(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, errConnReset)
}
