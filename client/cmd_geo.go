package client

import (
	"context"

	"github.com/mini-redis/mini-redis/frame"
)

// A GeoLocation is a member of a geospatial index and its position.
type GeoLocation struct {
	Name                string
	Longitude, Latitude float64
}

// GeoAdd adds members, with their positions, to the geospatial index (a
// sorted set) at key, or moves them, and returns how many are new.
func (c Commands) GeoAdd(ctx context.Context, key string, locations ...GeoLocation) *Result[int64] {
	return c.GeoAddArgs(ctx, key, GeoAddOptions{}, locations...)
}

// GeoAddOptions are GEOADD's options.
type GeoAddOptions struct {
	// NX only adds new members; XX only moves existing ones.
	NX, XX bool
	// CH counts the members moved as well as those added.
	CH bool
}

// GeoAddArgs is GeoAdd with options.
func (c Commands) GeoAddArgs(ctx context.Context, key string, opts GeoAddOptions, locations ...GeoLocation) *Result[int64] {
	args := make([]any, 0, 5+3*len(locations))
	args = append(args, "GEOADD", key)
	if opts.NX {
		args = append(args, "NX")
	}
	if opts.XX {
		args = append(args, "XX")
	}
	if opts.CH {
		args = append(args, "CH")
	}
	for _, l := range locations {
		args = append(args, l.Longitude, l.Latitude, l.Name)
	}
	return run(ctx, c, newResult("GEOADD", intReply, false), args...)
}

// A GeoPos is a position: longitude and latitude, in degrees.
type GeoPos struct {
	Longitude, Latitude float64
}

// GeoPos returns the positions of members in the index at key, nil for
// each that is not in it. The positions are those the index stores, as
// 52-bit geohashes: a little off those added.
func (c Commands) GeoPos(ctx context.Context, key string, members ...string) *Result[[]*GeoPos] {
	return run(ctx, c, newResult("GEOPOS", geoPosReply, true), withKeys("GEOPOS", append([]string{key}, members...))...)
}

// geoPosReply converts GEOPOS's reply: a position, or a nil, for each
// member.
func geoPosReply(cmd string, f frame.Frame, err error) ([]*GeoPos, error) {
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array {
		return nil, unexpected(cmd, f)
	}
	out := make([]*GeoPos, len(f.Elems))
	for i, e := range f.Elems {
		if e.IsNull() {
			continue
		}
		p, err := geoPos(e)
		if err != nil {
			return nil, err
		}
		out[i] = &p
	}
	return out, nil
}

// geoPos converts a [longitude, latitude] pair: bulk strings over RESP2,
// doubles over RESP3.
func geoPos(f frame.Frame) (GeoPos, error) {
	if f.Type != frame.Array || len(f.Elems) != 2 {
		return GeoPos{}, unexpected("GEO", f)
	}
	lon, err := floatReply("GEO", f.Elems[0], nil)
	if err != nil {
		return GeoPos{}, err
	}
	lat, err := floatReply("GEO", f.Elems[1], nil)
	if err != nil {
		return GeoPos{}, err
	}
	return GeoPos{Longitude: lon, Latitude: lat}, nil
}

// GeoDist returns the distance between two members of the index at key,
// in unit ("m", "km", "mi" or "ft"; empty for metres), or Nil if either is
// not in it.
func (c Commands) GeoDist(ctx context.Context, key, member1, member2, unit string) *Result[float64] {
	args := []any{"GEODIST", key, member1, member2}
	if unit != "" {
		args = append(args, unit)
	}
	return run(ctx, c, newResult("GEODIST", floatReply, false), args...)
}

// GeoHash returns the 11-character geohashes of members in the index at
// key, an empty string for each that is not in it.
func (c Commands) GeoHash(ctx context.Context, key string, members ...string) *StringsResult {
	return run(ctx, c, stringsResult("GEOHASH"), withKeys("GEOHASH", append([]string{key}, members...))...)
}

// A GeoSearchQuery says where GEOSEARCH looks and what it returns.
type GeoSearchQuery struct {
	// The centre: the position of Member (FROMMEMBER) or, if FromLonLat,
	// Longitude and Latitude (FROMLONLAT).
	Member              string
	FromLonLat          bool
	Longitude, Latitude float64

	// The area: a box of Width by Height if either is positive (BYBOX),
	// otherwise a circle of Radius (BYRADIUS), in Unit ("m", "km", "mi"
	// or "ft"; empty for metres).
	Radius        float64
	Width, Height float64
	Unit          string

	// Count, if positive, caps the results (COUNT); with Any, the search
	// stops at the first Count found, not the nearest.
	Count int64
	Any   bool
	// Sort is "ASC" (nearest first), "DESC" or empty (the index's order).
	Sort string
}

func (q *GeoSearchQuery) args(args []any) []any {
	if q.FromLonLat {
		args = append(args, "FROMLONLAT", q.Longitude, q.Latitude)
	} else {
		args = append(args, "FROMMEMBER", q.Member)
	}
	unit := q.Unit
	if unit == "" {
		unit = "m"
	}
	if q.Width > 0 || q.Height > 0 {
		args = append(args, "BYBOX", q.Width, q.Height, unit)
	} else {
		args = append(args, "BYRADIUS", q.Radius, unit)
	}
	if q.Sort != "" {
		args = append(args, q.Sort)
	}
	if q.Count > 0 {
		args = append(args, "COUNT", q.Count)
		if q.Any {
			args = append(args, "ANY")
		}
	}
	return args
}

// GeoSearch returns the members of the index at key that q finds.
func (c Commands) GeoSearch(ctx context.Context, key string, q GeoSearchQuery) *StringsResult {
	return run(ctx, c, stringsResult("GEOSEARCH"), q.args([]any{"GEOSEARCH", key})...)
}

// GeoSearchOptions are what GeoSearchLocations returns beside the names.
type GeoSearchOptions struct {
	WithCoord bool // positions (WITHCOORD)
	WithDist  bool // distances from the centre, in the query's unit (WITHDIST)
	WithHash  bool // raw 52-bit geohashes (WITHHASH)
}

// A GeoResult is a member GeoSearchLocations found; the fields not asked
// for are zero.
type GeoResult struct {
	Name                string
	Dist                float64
	Hash                int64
	Longitude, Latitude float64
}

// GeoSearchLocations is GeoSearch returning what opts ask of each member.
func (c Commands) GeoSearchLocations(ctx context.Context, key string, q GeoSearchQuery, opts GeoSearchOptions) *Result[[]GeoResult] {
	args := q.args([]any{"GEOSEARCH", key})
	if opts.WithCoord {
		args = append(args, "WITHCOORD")
	}
	if opts.WithDist {
		args = append(args, "WITHDIST")
	}
	if opts.WithHash {
		args = append(args, "WITHHASH")
	}
	decode := func(cmd string, f frame.Frame, err error) ([]GeoResult, error) {
		return geoResultsReply(cmd, f, err, opts)
	}
	return run(ctx, c, newResult("GEOSEARCH", decode, true), args...)
}

// geoResultsReply converts GEOSEARCH's reply with what opts ask of each
// member.
func geoResultsReply(cmd string, f frame.Frame, err error, opts GeoSearchOptions) ([]GeoResult, error) {
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array {
		return nil, unexpected(cmd, f)
	}
	out := make([]GeoResult, len(f.Elems))
	for i, e := range f.Elems {
		if !opts.WithCoord && !opts.WithDist && !opts.WithHash {
			out[i].Name = e.Text() // a plain name, not an array
			continue
		}
		// [name, dist?, hash?, [lon, lat]?], in that order.
		if e.Type != frame.Array || len(e.Elems) == 0 {
			return nil, unexpected(cmd, f)
		}
		r := GeoResult{Name: e.Elems[0].Text()}
		rest := e.Elems[1:]
		next := func() (frame.Frame, error) {
			if len(rest) == 0 {
				return frame.Frame{}, unexpected(cmd, f)
			}
			v := rest[0]
			rest = rest[1:]
			return v, nil
		}
		if opts.WithDist {
			v, err := next()
			if err == nil {
				r.Dist, err = floatReply(cmd, v, nil)
			}
			if err != nil {
				return nil, err
			}
		}
		if opts.WithHash {
			v, err := next()
			if err == nil {
				r.Hash, err = intReply(cmd, v, nil)
			}
			if err != nil {
				return nil, err
			}
		}
		if opts.WithCoord {
			v, err := next()
			var p GeoPos
			if err == nil {
				p, err = geoPos(v)
			}
			if err != nil {
				return nil, err
			}
			r.Longitude, r.Latitude = p.Longitude, p.Latitude
		}
		out[i] = r
	}
	return out, nil
}

// GeoSearchStore stores the members of the index at src that q finds in
// the index dest, replacing it, and returns how many. With storeDist,
// dest is a sorted set of the distances from the centre instead
// (STOREDIST).
func (c Commands) GeoSearchStore(ctx context.Context, dest, src string, q GeoSearchQuery, storeDist bool) *Result[int64] {
	args := q.args([]any{"GEOSEARCHSTORE", dest, src})
	if storeDist {
		args = append(args, "STOREDIST")
	}
	return run(ctx, c, newResult("GEOSEARCHSTORE", intReply, false), args...)
}
