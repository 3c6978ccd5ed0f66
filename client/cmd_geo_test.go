package client

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// TestGeo checks the geospatial methods on every target.
func TestGeo(t *testing.T) {
	ts := targets(t)
	sicily := []GeoLocation{
		{"Palermo", 13.361389, 38.115556},
		{"Catania", 15.087269, 37.502669},
	}
	// round formats floats to 4 decimals: positions come back off by the
	// geohash's precision.
	round := func(v any) string { return fmt.Sprintf("%.4f", v) }
	var e Error
	tests := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, c *Client)
	}{
		{"GeoAdd, GeoPos, GeoDist, GeoHash", func(t *testing.T, ctx context.Context, c *Client) {
			eq(t, "GeoAdd", must(c.GeoAdd(ctx, "g", sicily...))(t), int64(2))
			eq(t, "GeoAdd again", must(c.GeoAdd(ctx, "g", sicily[0]))(t), int64(0))
			moved := GeoLocation{"Palermo", 13.5, 38}
			eq(t, "GeoAddArgs NX", must(c.GeoAddArgs(ctx, "g", GeoAddOptions{NX: true, CH: true}, moved, GeoLocation{"Enna", 14.3, 37.6}))(t), int64(1))
			eq(t, "GeoAddArgs XX CH", must(c.GeoAddArgs(ctx, "g", GeoAddOptions{XX: true, CH: true}, moved, GeoLocation{"Ragusa", 14.7, 36.9}))(t), int64(1))
			eq(t, "XX added nothing", must(c.ZCard(ctx, "g"))(t), int64(3))
			_, err := c.GeoAddArgs(ctx, "g", GeoAddOptions{NX: true, XX: true}, moved)
			eq(t, "NX and XX", errors.As(err, &e) && e == "ERR syntax error", true)
			must(c.GeoAdd(ctx, "g", sicily[0]))(t)
			must(c.ZRem(ctx, "g", "Enna"))(t)
			pos := must(c.GeoPos(ctx, "g", "Palermo", "nope", "Catania"))(t)
			eq(t, "GeoPos missing is nil", len(pos) == 3 && pos[1] == nil && pos[0] != nil && pos[2] != nil, true)
			eq(t, "GeoPos", []string{round(pos[0].Longitude), round(pos[0].Latitude), round(pos[2].Longitude), round(pos[2].Latitude)},
				[]string{"13.3614", "38.1156", "15.0873", "37.5027"})
			eq(t, "GeoPos missing key", must(c.GeoPos(ctx, "nope", "a"))(t), []*GeoPos{nil})
			eq(t, "GeoDist km", round(must(c.GeoDist(ctx, "g", "Palermo", "Catania", "km"))(t)), "166.2742")
			eq(t, "GeoDist m", round(must(c.GeoDist(ctx, "g", "Palermo", "Catania", ""))(t)), "166274.1516")
			_, err = c.GeoDist(ctx, "g", "Palermo", "nope", "km")
			eq(t, "GeoDist missing is Nil", errors.Is(err, Nil), true)
			_, err = c.GeoDist(ctx, "g", "Palermo", "Catania", "parsecs")
			eq(t, "bad unit", errors.As(err, &e) && e == "ERR unsupported unit provided. please use M, KM, FT, MI", true)
			eq(t, "GeoHash", must(c.GeoHash(ctx, "g", "Palermo", "nope"))(t), []string{"sqc8b49rny0", ""})
		}},
		{"GeoSearch", func(t *testing.T, ctx context.Context, c *Client) {
			must(c.GeoAdd(ctx, "g", append(sicily, GeoLocation{"Agrigento", 13.583333, 37.316667})...))(t)
			from := GeoSearchQuery{FromLonLat: true, Longitude: 15, Latitude: 37, Radius: 200, Unit: "km", Sort: "ASC"}
			eq(t, "BYRADIUS ASC", must(c.GeoSearch(ctx, "g", from))(t), []string{"Catania", "Agrigento", "Palermo"})
			desc := from
			desc.Sort, desc.Count = "DESC", 2
			eq(t, "DESC COUNT", must(c.GeoSearch(ctx, "g", desc))(t), []string{"Palermo", "Agrigento"})
			anyq := from
			anyq.Count, anyq.Any = 1, true
			eq(t, "COUNT ANY", len(must(c.GeoSearch(ctx, "g", anyq))(t)), 1)
			box := GeoSearchQuery{Member: "Palermo", Width: 400, Height: 250, Unit: "km", Sort: "ASC"}
			eq(t, "FROMMEMBER BYBOX", must(c.GeoSearch(ctx, "g", box))(t), []string{"Palermo", "Agrigento", "Catania"})
			box.Height = 10
			eq(t, "a flat box", must(c.GeoSearch(ctx, "g", box))(t), []string{"Palermo"})
			eq(t, "BYRADIUS in metres", must(c.GeoSearch(ctx, "g", GeoSearchQuery{Member: "Catania", Radius: 1000}))(t), []string{"Catania"})
			eq(t, "missing key", must(c.GeoSearch(ctx, "nope", from))(t), []string{})
			_, err := c.GeoSearch(ctx, "g", GeoSearchQuery{Member: "nope", Radius: 1})
			eq(t, "missing member", errors.As(err, &e) && e == "ERR could not decode requested zset member", true)

			all := must(c.GeoSearchLocations(ctx, "g", from, GeoSearchOptions{WithCoord: true, WithDist: true, WithHash: true}))(t)
			eq(t, "results", len(all), 3)
			got := fmt.Sprintf("%s %s %d %s %s", all[0].Name, round(all[0].Dist), all[0].Hash, round(all[0].Longitude), round(all[0].Latitude))
			eq(t, "WITHCOORD WITHDIST WITHHASH", got, "Catania 56.4413 3479447370796909 15.0873 37.5027")
			dist := must(c.GeoSearchLocations(ctx, "g", desc, GeoSearchOptions{WithDist: true}))(t)
			eq(t, "WITHDIST", []string{dist[0].Name, round(dist[0].Dist), round(dist[0].Longitude)}, []string{"Palermo", "190.4424", "0.0000"})
			coord := must(c.GeoSearchLocations(ctx, "g", desc, GeoSearchOptions{WithCoord: true}))(t)
			eq(t, "WITHCOORD", []string{coord[1].Name, round(coord[1].Longitude), round(coord[1].Latitude), round(coord[1].Dist)},
				[]string{"Agrigento", "13.5833", "37.3167", "0.0000"})
			hash := must(c.GeoSearchLocations(ctx, "g", desc, GeoSearchOptions{WithHash: true}))(t)
			eq(t, "WITHHASH", []any{hash[0].Name, hash[0].Hash}, []any{"Palermo", int64(3479099956230698)})
			plain := must(c.GeoSearchLocations(ctx, "g", desc, GeoSearchOptions{}))(t)
			eq(t, "no WITH", plain, []GeoResult{{Name: "Palermo"}, {Name: "Agrigento"}})

			// RESP3 sends the coordinates as doubles, RESP2 as strings; the
			// distance is a string in both.
			f := must(c.Do(ctx, "GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", 1, "km", "WITHCOORD", "WITHDIST"))(t)
			want := []frame.Type{frame.BulkString, frame.BulkString}
			if c.Protocol() == 3 {
				want[1] = frame.Double
			}
			r := f.Elems[0]
			eq(t, "reply types", []frame.Type{r.Elems[1].Type, r.Elems[2].Elems[0].Type}, want)
		}},
		{"GeoSearchStore", func(t *testing.T, ctx context.Context, c *Client) {
			must(c.GeoAdd(ctx, "g", sicily...))(t)
			q := GeoSearchQuery{FromLonLat: true, Longitude: 15, Latitude: 37, Radius: 100, Unit: "km"}
			eq(t, "GeoSearchStore", must(c.GeoSearchStore(ctx, "dst", "g", q, false))(t), int64(1))
			eq(t, "stored a geo index", must(c.GeoHash(ctx, "dst", "Catania"))(t), []string{"sqdtr74hyu0"})
			eq(t, "STOREDIST", must(c.GeoSearchStore(ctx, "dist", "g", q, true))(t), int64(1))
			eq(t, "distance as score", round(must(c.ZScore(ctx, "dist", "Catania"))(t)), "56.4413")
			q.Radius = 1
			eq(t, "nothing found", must(c.GeoSearchStore(ctx, "dst", "g", q, false))(t), int64(0))
			eq(t, "empty result deletes dest", must(c.Exists(ctx, "dst"))(t), int64(0))
		}},
		{"errors", func(t *testing.T, ctx context.Context, c *Client) {
			noErr(t, c.Set(ctx, "str", "v", 0))
			for name, call := range map[string]func() error{
				"GeoAdd":  func() error { _, err := c.GeoAdd(ctx, "str", sicily...); return err },
				"GeoPos":  func() error { _, err := c.GeoPos(ctx, "str", "a"); return err },
				"GeoDist": func() error { _, err := c.GeoDist(ctx, "str", "a", "b", ""); return err },
				"GeoHash": func() error { _, err := c.GeoHash(ctx, "str", "a"); return err },
				"GeoSearch": func() error {
					_, err := c.GeoSearch(ctx, "str", GeoSearchQuery{FromLonLat: true, Radius: 1})
					return err
				},
			} {
				err := call()
				eq(t, name+" WRONGTYPE", errors.As(err, &e) && e.Prefix() == "WRONGTYPE", true)
			}
			_, err := c.GeoAdd(ctx, "g", GeoLocation{"pole", 0, 89})
			eq(t, "out of range", errors.As(err, &e) && e == "ERR invalid longitude,latitude pair 0.000000,89.000000", true)
		}},
	}
	eachTarget(t, ts, func(t *testing.T, tg target, c *Client) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				noErr(t, c.FlushDB(ctx))
				tt.run(t, ctx, c)
			})
		}
	})
}
