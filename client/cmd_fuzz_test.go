package client

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/connection"
)

// FuzzTypedReplies feeds arbitrary replies to the typed methods of the
// command families (scan, streams, geo, scripts): whatever the server
// sends, they return a value or an error, and never panic.
func FuzzTypedReplies(f *testing.F) {
	for _, seed := range []string{
		"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n",                            // SCAN
		"*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",                    // XRANGE
		"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n$-1\r\n",                  // XREADGROUP, a deleted entry
		"%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*0\r\n",                         // XREAD over RESP3
		"*4\r\n:1\r\n$3\r\n1-1\r\n$3\r\n1-1\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", // XPENDING
		"*1\r\n*4\r\n$3\r\n1-1\r\n$1\r\na\r\n:5\r\n:1\r\n",                         // XPENDING extended
		"*3\r\n$3\r\n0-0\r\n*0\r\n*1\r\n$3\r\n2-1\r\n",                             // XAUTOCLAIM
		"%2\r\n$6\r\nlength\r\n:1\r\n$11\r\nfirst-entry\r\n_\r\n",                  // XINFO STREAM
		"*1\r\n%2\r\n$4\r\nname\r\n$1\r\ng\r\n$3\r\nlag\r\n_\r\n",                  // XINFO GROUPS
		"*2\r\n*2\r\n,13.3\r\n,38.1\r\n*-1\r\n",                                    // GEOPOS
		"*1\r\n*4\r\n$1\r\na\r\n$3\r\n1.5\r\n:3\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n",   // GEOSEARCH WITH*
		"$-1\r\n", "_\r\n", "*-1\r\n", ":1\r\n", "-ERR x\r\n", "*1\r\n*0\r\n", "*2\r\n*1\r\n:1\r\n*1\r\n:1\r\n",
	} {
		f.Add([]byte(seed))
	}
	calls := []func(ctx context.Context, c *Client) error{
		func(ctx context.Context, c *Client) error { _, _, err := c.Scan(ctx, 0, nil); return err },
		func(ctx context.Context, c *Client) error {
			for _, err := range c.HScanAll(ctx, "k", nil) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		func(ctx context.Context, c *Client) error { _, err := c.XRange(ctx, "k", "-", "+"); return err },
		func(ctx context.Context, c *Client) error {
			_, err := c.XRead(ctx, XReadOptions{}, "k", "0")
			return err
		},
		func(ctx context.Context, c *Client) error { _, err := c.XPending(ctx, "k", "g"); return err },
		func(ctx context.Context, c *Client) error {
			_, err := c.XPendingExt(ctx, "k", "g", XPendingOptions{Start: "-", End: "+", Count: 1})
			return err
		},
		func(ctx context.Context, c *Client) error {
			_, _, _, err := c.XAutoClaim(ctx, "k", "g", "c", 0, "0", 0)
			return err
		},
		func(ctx context.Context, c *Client) error {
			_, _, _, err := c.XAutoClaimJustID(ctx, "k", "g", "c", 0, "0", 0)
			return err
		},
		func(ctx context.Context, c *Client) error {
			_, err := c.XClaimArgs(ctx, "k", "g", "c", 0, XClaimOptions{JustID: true}, "1-1")
			return err
		},
		func(ctx context.Context, c *Client) error { _, err := c.XInfoStream(ctx, "k"); return err },
		func(ctx context.Context, c *Client) error { _, err := c.XInfoStreamFull(ctx, "k", 0); return err },
		func(ctx context.Context, c *Client) error { _, err := c.XInfoGroups(ctx, "k"); return err },
		func(ctx context.Context, c *Client) error { _, err := c.XInfoConsumers(ctx, "k", "g"); return err },
		func(ctx context.Context, c *Client) error { _, err := c.GeoPos(ctx, "k", "a"); return err },
		func(ctx context.Context, c *Client) error { _, err := c.GeoDist(ctx, "k", "a", "b", ""); return err },
		func(ctx context.Context, c *Client) error { _, err := c.GeoHash(ctx, "k", "a"); return err },
		func(ctx context.Context, c *Client) error {
			_, err := c.GeoSearchLocations(ctx, "k", GeoSearchQuery{Member: "a", Radius: 1},
				GeoSearchOptions{WithCoord: true, WithDist: true, WithHash: true})
			return err
		},
		func(ctx context.Context, c *Client) error {
			_, err := c.GeoSearchLocations(ctx, "k", GeoSearchQuery{Member: "a", Radius: 1}, GeoSearchOptions{WithCoord: true})
			return err
		},
		func(ctx context.Context, c *Client) error { _, err := c.ScriptExists(ctx, "x"); return err },
		func(ctx context.Context, c *Client) error {
			_, err := NewScript("return 1").Run(ctx, c, nil)
			return err
		},
	}
	f.Fuzz(func(t *testing.T, reply []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, call := range calls {
			c := replying(reply)
			call(ctx, c) // any result will do, short of a panic
			c.Close()
		}
	})
}

// replying returns a Client whose server reads the commands and answers
// with reply, then closes the connection.
func replying(reply []byte) *Client {
	client, server := net.Pipe()
	go func() {
		buf := make([]byte, 4096)
		server.Read(buf) // the command, written in one piece
		server.Write(reply)
		server.Close()
		io.Copy(io.Discard, server)
	}()
	return newClient("", buildOptions(nil), connection.New(client, connection.Options{}))
}

// TestReplyingServesReplies checks the fuzz target's fake server: a
// reply it is given comes back from a typed method.
func TestReplyingServesReplies(t *testing.T) {
	c := replying([]byte("*2\r\n$1\r\n7\r\n*1\r\n$1\r\nk\r\n"))
	defer c.Close()
	next, keys, err := c.Scan(context.Background(), 0, nil)
	eq(t, "Scan", []any{next, keys, err}, []any{uint64(7), []string{"k"}, error(nil)})
}
