package client

import (
	"context"

	"github.com/mini-redis/mini-redis/frame"
)

// A Pipeline collects commands to send in one write; Exec sends them and
// returns their replies in order. It is not safe for concurrent use; the
// Client it runs on is.
type Pipeline struct {
	c    *Client
	cmds [][]any
}

// Pipeline returns an empty pipeline of commands for c.
func (c *Client) Pipeline() *Pipeline { return &Pipeline{c: c} }

// Do adds a command to the pipeline. Its arguments are those of
// Client.Do; they are not copied, and must not change before Exec.
func (p *Pipeline) Do(args ...any) { p.cmds = append(p.cmds, args) }

// Len returns the number of commands in the pipeline.
func (p *Pipeline) Len() int { return len(p.cmds) }

// Exec sends the commands in one write and returns their replies, one for
// each command; an error reply is a frame, as with Client.Do. The pipeline
// is empty afterwards, ready for more commands. An error means that no
// reply was read, or that the connection failed partway (and is closed).
func (p *Pipeline) Exec(ctx context.Context) ([]frame.Frame, error) {
	cmds := p.cmds
	p.cmds = nil
	if len(cmds) == 0 {
		return nil, nil
	}
	return p.c.roundTrip(ctx, cmds, 0)
}
