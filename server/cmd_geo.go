package server

import (
	"slices"
	"strconv"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/internal/geohash"
)

// The GEO commands, as Redis 7.0.15's geo.c runs them. A point is a
// sorted-set member whose score is its 52-bit geohash (package
// internal/geohash holds the geometry): GEOADD is ZADD with the scores
// computed, and the other commands read any sorted set, decoding whatever
// its scores are. Replies print coordinates as addReplyHumanLongDouble
// does and distances with 4 decimals, as Redis does.
//
// A search scans the cells geohash.Shape.AppendRanges gives, in order,
// each in score order, as Redis does; an unsorted reply lists the points
// in that order. Sorting is by distance, stable, as glibc's qsort (a
// merge sort) sorts Redis's whole results. When COUNT cuts the results
// short Redis sorts them with its pqsort, which is not stable: points at
// the same distance from the centre may then come in another order here.

func geoCommands() []*command {
	return []*command{
		{name: "geoadd", flags: flagWrite, run: cmdGeoAdd},
		{name: "geopos", run: cmdGeoPos},
		{name: "geodist", run: cmdGeoDist},
		{name: "geohash", run: cmdGeoHash},
		{name: "geosearch", run: cmdGeoSearch},
		{name: "geosearchstore", flags: flagWrite, run: cmdGeoSearchStore},
		// Declared write commands, as in Redis, for their STORE options.
		{name: "georadius", flags: flagWrite, run: cmdGeoRadius},
		{name: "georadiusbymember", flags: flagWrite, run: cmdGeoRadiusByMember},
		{name: "georadius_ro", run: cmdGeoRadiusRO},
		{name: "georadiusbymember_ro", run: cmdGeoRadiusByMemberRO},
	}
}

// Error replies of the GEO commands.
const (
	errGeoUnit           = "ERR unsupported unit provided. please use M, KM, FT, MI"
	errGeoMember         = "ERR could not decode requested zset member"
	errGeoRadiusNumeric  = "ERR need numeric radius"
	errGeoRadiusNegative = "ERR radius cannot be negative"
	errGeoWidthNumeric   = "ERR need numeric width"
	errGeoHeightNumeric  = "ERR need numeric height"
	errGeoBoxNegative    = "ERR height or width cannot be negative"
	errGeoCount          = "ERR COUNT must be > 0"
	errGeoAnyCount       = "ERR the ANY argument requires COUNT argument"
)

// parseLonLat parses a longitude and a latitude (extractLongLatOrReply),
// replying with an error if either is no number or the point is outside
// the limits.
func (c *client) parseLonLat(lonArg, latArg []byte) (lon, lat float64, ok bool) {
	if lon, ok = c.parseScore(lonArg); !ok {
		return 0, 0, false
	}
	if lat, ok = c.parseScore(latArg); !ok {
		return 0, 0, false
	}
	if lon < geohash.LonMin || lon > geohash.LonMax || lat < geohash.LatMin || lat > geohash.LatMax {
		c.conn.WriteError("ERR invalid longitude,latitude pair " + formatCFloat(lon) + "," + formatCFloat(lat))
		return 0, 0, false
	}
	return lon, lat, true
}

// formatCFloat formats f as C's printf("%f").
func formatCFloat(f float64) string {
	switch {
	case f > 0 && f-f != 0: // +inf
		return "inf"
	case f < 0 && f-f != 0:
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// parseUnit parses a unit (extractUnitOrReply) into meters per unit,
// replying with an error for an unknown one. As strcasecmp, it compares
// up to a NUL byte.
func (c *client) parseUnit(arg []byte) (float64, bool) {
	m, ok := geohash.UnitMeters(cString(arg, len(arg)))
	if !ok {
		c.conn.WriteError(errGeoUnit)
	}
	return m, ok
}

// parseRadius parses a radius and its unit (extractDistanceOrReply).
func (c *client) parseRadius(args [][]byte) (radius, conv float64, ok bool) {
	radius, ok = parseDouble(args[0])
	switch {
	case !ok:
		c.conn.WriteError(errGeoRadiusNumeric)
		return 0, 0, false
	case radius < 0:
		c.conn.WriteError(errGeoRadiusNegative)
		return 0, 0, false
	}
	conv, ok = c.parseUnit(args[1])
	return radius, conv, ok
}

// parseBox parses a width, a height and their unit (extractBoxOrReply).
func (c *client) parseBox(args [][]byte) (width, height, conv float64, ok bool) {
	if width, ok = parseDouble(args[0]); !ok {
		c.conn.WriteError(errGeoWidthNumeric)
		return 0, 0, 0, false
	}
	if height, ok = parseDouble(args[1]); !ok {
		c.conn.WriteError(errGeoHeightNumeric)
		return 0, 0, 0, false
	}
	if height < 0 || width < 0 {
		c.conn.WriteError(errGeoBoxNegative)
		return 0, 0, 0, false
	}
	conv, ok = c.parseUnit(args[2])
	return width, height, conv, ok
}

// memberPoint returns the point member of z stands for
// (longLatFromMember), or false if it is not a member.
func memberPoint(z *db.ZSet, member []byte) (lon, lat float64, ok bool) {
	score, ok := z.Score(member)
	if !ok {
		return 0, 0, false
	}
	lon, lat = geohash.Decode(score)
	return lon, lat, true
}

// appendHumanDouble appends f as Redis's ld2string prints a long double in
// its human mode: "%.17Lf" without trailing zeros, "-0" as "0". A double
// widened to a long double has the same value, whose decimal expansion
// strconv rounds exactly as printf does.
func appendHumanDouble(dst []byte, f float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', 17, 64)
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	if dst[len(dst)-1] == '.' {
		dst = dst[:len(dst)-1]
	}
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// writeCoords writes a point as a two-element array of longitude and
// latitude, each as addReplyHumanLongDouble writes it: a bulk string in
// RESP2, a double in RESP3.
func (c *client) writeCoords(lon, lat float64) {
	var buf [32]byte
	c.conn.WriteArrayLen(2)
	c.conn.WriteDoubleText(appendHumanDouble(buf[:0], lon))
	c.conn.WriteDoubleText(appendHumanDouble(buf[:0], lat))
}

// writeDistance writes a distance as Redis's addReplyDoubleDistance does:
// a bulk string of "%.4f".
func (c *client) writeDistance(d float64) {
	var buf [32]byte
	c.conn.WriteBulk(strconv.AppendFloat(buf[:0], d, 'f', 4, 64))
}

// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
//
// As in Redis, it checks its options and points, then runs ZADD with the
// options it was given and the points' scores, which does the rest: the
// replies, the "zadd" event and the dirty count.
func cmdGeoAdd(c *client, args [][]byte) {
	i := 2
	var nx, xx bool
options:
	for ; i < len(args); i++ {
		switch {
		case is(args[i], "nx"):
			nx = true
		case is(args[i], "xx"):
			xx = true
		case is(args[i], "ch"):
		default:
			break options
		}
	}
	points := args[i:]
	if len(points)%3 != 0 || nx && xx {
		c.conn.WriteError(errSyntax)
		return
	}
	zargs := make([][]byte, 0, i+2*len(points)/3)
	zargs = append(zargs, []byte("zadd"))
	zargs = append(zargs, args[1:i]...)
	for j := 0; j < len(points); j += 3 {
		lon, lat, ok := c.parseLonLat(points[j], points[j+1])
		if !ok {
			return
		}
		score, _ := geohash.Score(lon, lat) // within the limits
		zargs = append(zargs, strconv.AppendUint(nil, score, 10), points[j+2])
	}
	c.zadd(zargs, 0)
}

// GEOPOS key [member [member ...]]
func cmdGeoPos(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	z, ok := c.readZSet(&tx, args[1])
	if !ok {
		return
	}
	c.conn.WriteArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		if z == nil {
			c.conn.WriteNullArray()
			continue
		}
		if lon, lat, found := memberPoint(z, m); found {
			c.writeCoords(lon, lat)
		} else {
			c.conn.WriteNullArray()
		}
	}
}

// GEODIST key member1 member2 [M|KM|FT|MI]
func cmdGeoDist(c *client, args [][]byte) {
	conv := geohash.Meter
	switch {
	case len(args) == 5:
		var ok bool
		if conv, ok = c.parseUnit(args[4]); !ok {
			return
		}
	case len(args) > 5:
		c.conn.WriteError(errSyntax)
		return
	}
	tx := c.db().Read(args[1])
	defer tx.Close()
	z, ok := c.readZSet(&tx, args[1])
	if !ok {
		return
	}
	if z == nil {
		c.conn.WriteNull()
		return
	}
	lon1, lat1, ok1 := memberPoint(z, args[2])
	lon2, lat2, ok2 := memberPoint(z, args[3])
	if !ok1 || !ok2 {
		c.conn.WriteNull()
		return
	}
	c.writeDistance(geohash.Distance(lon1, lat1, lon2, lat2) / conv)
}

// GEOHASH key [member [member ...]]
func cmdGeoHash(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	z, ok := c.readZSet(&tx, args[1])
	if !ok {
		return
	}
	c.conn.WriteArrayLen(len(args) - 2)
	var buf [geohash.StringLen]byte
	for _, m := range args[2:] {
		var score float64
		found := false
		if z != nil {
			score, found = z.Score(m)
		}
		if !found {
			c.conn.WriteNull()
			continue
		}
		c.conn.WriteBulk(geohash.AppendString(buf[:0], score))
	}
}

// geoKind is which of the search commands runs georadiusGeneric.
type geoKind uint8

const (
	geoByCoords    geoKind = iota // GEORADIUS, GEORADIUS_RO: the centre from longitude latitude
	geoByMember                   // GEORADIUSBYMEMBER, GEORADIUSBYMEMBER_RO: from a member
	geoSearch                     // GEOSEARCH
	geoSearchStore                // GEOSEARCHSTORE
)

// GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]
func cmdGeoRadius(c *client, args [][]byte) { c.geoSearch(args, 1, geoByCoords, false) }

// GEORADIUSBYMEMBER key member radius M|KM|FT|MI [options as GEORADIUS]
func cmdGeoRadiusByMember(c *client, args [][]byte) { c.geoSearch(args, 1, geoByMember, false) }

// GEORADIUS_RO key longitude latitude radius M|KM|FT|MI [options but STORE]
func cmdGeoRadiusRO(c *client, args [][]byte) { c.geoSearch(args, 1, geoByCoords, true) }

// GEORADIUSBYMEMBER_RO key member radius M|KM|FT|MI [options but STORE]
func cmdGeoRadiusByMemberRO(c *client, args [][]byte) { c.geoSearch(args, 1, geoByMember, true) }

// GEOSEARCH key FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius unit|BYBOX width height unit [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
func cmdGeoSearch(c *client, args [][]byte) { c.geoSearch(args, 1, geoSearch, false) }

// GEOSEARCHSTORE destination source FROMMEMBER ...|FROMLONLAT ... BYRADIUS ...|BYBOX ... [ASC|DESC] [COUNT count [ANY]] [STOREDIST]
func cmdGeoSearchStore(c *client, args [][]byte) { c.geoSearch(args, 2, geoSearchStore, false) }

// geoStoreKey returns the key a search command stores its results at, or
// nil: GEOSEARCHSTORE's destination, or the last STORE or STOREDIST key
// of a GEORADIUS, found by reading the options as geoSearch reads them.
// A command that fails before its STORE option is read stores nothing;
// the key is only locked.
func geoStoreKey(args [][]byte, kind geoKind, noStore bool) []byte {
	switch {
	case kind == geoSearchStore:
		return args[1]
	case kind == geoSearch || noStore:
		return nil
	}
	base := 6
	if kind == geoByMember {
		base = 5
	}
	var key []byte
	for i := base; i < len(args); i++ {
		switch {
		case is(args[i], "withdist"), is(args[i], "withhash"), is(args[i], "withcoord"),
			is(args[i], "any"), is(args[i], "asc"), is(args[i], "desc"):
		case (is(args[i], "count") || is(args[i], "store") || is(args[i], "storedist")) && i+1 < len(args):
			if !is(args[i], "count") {
				key = args[i+1]
			}
			i++
		default:
			return key // a syntax error
		}
	}
	return key
}

// geoSort is the order of a search's results.
type geoSort uint8

const (
	geoUnsorted geoSort = iota
	geoAsc
	geoDesc
)

// geoPoint is a point a search found.
type geoPoint struct {
	member   string
	score    float64
	lon, lat float64
	dist     float64 // from the centre, in meters
}

// geoSearch is Redis's georadiusGeneric: every search command, src being
// the index of the key searched. The checks come in Redis's order: the
// key's type, the centre and size of GEORADIUS*, the options one by one
// (FROMMEMBER and FROMLONLAT, BYRADIUS and BYBOX each checked where it
// stands), then the combinations.
func (c *client) geoSearch(args [][]byte, src int, kind geoKind, noStore bool) {
	srcKey := args[src]
	var tx db.KeyLock
	if dst := geoStoreKey(args, kind, noStore); dst != nil {
		tx = c.db().Write(dst, srcKey)
	} else {
		tx = c.db().Read(srcKey)
	}
	defer tx.Close()
	z, ok := c.readZSet(&tx, srcKey)
	if !ok {
		return
	}

	var shape geohash.Shape
	var storeKey []byte
	base := 2
	switch kind {
	case geoByCoords:
		base = 6
		if shape.Lon, shape.Lat, ok = c.parseLonLat(args[2], args[3]); !ok {
			return
		}
		if shape.Radius, shape.Conversion, ok = c.parseRadius(args[4:6]); !ok {
			return
		}
	case geoByMember:
		base = 5
		if z == nil {
			break // Redis reads the options only, to choose its reply
		}
		if shape.Lon, shape.Lat, ok = memberPoint(z, args[2]); !ok {
			c.conn.WriteError(errGeoMember)
			return
		}
		if shape.Radius, shape.Conversion, ok = c.parseRadius(args[3:5]); !ok {
			return
		}
	case geoSearchStore:
		base = 3
		storeKey = args[1]
	}

	search := kind == geoSearch || kind == geoSearchStore
	var withDist, withHash, withCoord, any, storeDist bool
	var fromMember, fromLonLat, byRadius, byBox bool
	sort := geoUnsorted
	var count int64
	opts := args[base:]
	for i := 0; i < len(opts); i++ {
		arg, left := opts[i], len(opts)-i-1 // arguments after this one
		switch {
		case is(arg, "withdist"):
			withDist = true
		case is(arg, "withhash"):
			withHash = true
		case is(arg, "withcoord"):
			withCoord = true
		case is(arg, "any"):
			any = true
		case is(arg, "asc"):
			sort = geoAsc
		case is(arg, "desc"):
			sort = geoDesc
		case is(arg, "count") && left >= 1:
			n, ok := parseInt(opts[i+1])
			if !ok {
				c.conn.WriteError(errNotInteger)
				return
			}
			if n <= 0 {
				c.conn.WriteError(errGeoCount)
				return
			}
			count = n
			i++
		case (is(arg, "store") || is(arg, "storedist")) && left >= 1 && !noStore && !search:
			storeKey, storeDist = opts[i+1], is(arg, "storedist")
			i++
		case is(arg, "storedist") && kind == geoSearchStore:
			storeDist = true
		case is(arg, "frommember") && left >= 1 && search && !fromLonLat:
			// With no key there is no member to find: Redis reads on,
			// for the errors of the other options, and replies empty.
			if z != nil {
				if shape.Lon, shape.Lat, ok = memberPoint(z, opts[i+1]); !ok {
					c.conn.WriteError(errGeoMember)
					return
				}
			}
			fromMember = true
			i++
		case is(arg, "fromlonlat") && left >= 2 && search && !fromMember:
			if shape.Lon, shape.Lat, ok = c.parseLonLat(opts[i+1], opts[i+2]); !ok {
				return
			}
			fromLonLat = true
			i += 2
		case is(arg, "byradius") && left >= 2 && search && !byBox:
			if shape.Radius, shape.Conversion, ok = c.parseRadius(opts[i+1 : i+3]); !ok {
				return
			}
			shape.Box = false
			byRadius = true
			i += 2
		case is(arg, "bybox") && left >= 3 && search && !byRadius:
			if shape.Width, shape.Height, shape.Conversion, ok = c.parseBox(opts[i+1 : i+4]); !ok {
				return
			}
			shape.Box = true
			byBox = true
			i += 3
		default:
			c.conn.WriteError(errSyntax)
			return
		}
	}

	switch {
	case (storeKey != nil || storeDist) && (withDist || withHash || withCoord):
		what := "STORE option in GEORADIUS"
		if kind == geoSearchStore {
			what = "GEOSEARCHSTORE"
		}
		c.conn.WriteError("ERR " + what + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
		return
	case search && !fromMember && !fromLonLat:
		c.conn.WriteError("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + string(args[0]))
		return
	case search && !byRadius && !byBox:
		c.conn.WriteError("ERR exactly one of BYRADIUS and BYBOX can be specified for " + string(args[0]))
		return
	case any && count == 0:
		c.conn.WriteError(errGeoAnyCount)
		return
	}

	if z == nil {
		if storeKey != nil {
			c.storeGeoResult(&tx, storeKey, nil, false, 1, kind)
		} else {
			c.conn.WriteArrayLen(0)
		}
		return
	}

	// COUNT without ANY returns the nearest points: sorted.
	if count != 0 && sort == geoUnsorted && !any {
		sort = geoAsc
	}
	limit := 0
	if any {
		limit = int(min(count, int64(z.Len())))
	}
	points := scanShape(z, &shape, limit)
	if len(points) == 0 && storeKey == nil {
		c.conn.WriteArrayLen(0)
		return
	}
	switch sort {
	case geoAsc:
		slices.SortStableFunc(points, func(a, b geoPoint) int { return cmpDist(a.dist, b.dist) })
	case geoDesc:
		slices.SortStableFunc(points, func(a, b geoPoint) int { return cmpDist(b.dist, a.dist) })
	}
	if count > 0 && int64(len(points)) > count {
		points = points[:count]
	}

	if storeKey != nil {
		c.storeGeoResult(&tx, storeKey, points, storeDist, shape.Conversion, kind)
		return
	}
	fields := 0
	for _, with := range []bool{withDist, withHash, withCoord} {
		if with {
			fields++
		}
	}
	c.conn.WriteArrayLen(len(points))
	for _, p := range points {
		if fields > 0 {
			c.conn.WriteArrayLen(fields + 1)
		}
		c.conn.WriteBulkString(p.member)
		if withDist {
			c.writeDistance(p.dist / shape.Conversion)
		}
		if withHash {
			c.conn.WriteInt(int64(p.score))
		}
		if withCoord {
			c.writeCoords(p.lon, p.lat)
		}
	}
}

// cmpDist compares distances as Redis's sort_gp_asc does.
func cmpDist(a, b float64) int {
	switch {
	case a > b:
		return 1
	case a == b:
		return 0
	}
	return -1
}

// scanShape returns the members of z in shape, in the order Redis finds
// them: cell by cell as shape.AppendRanges lists them, each cell's in
// score order. With a limit above 0 (ANY) it stops once it has found
// that many.
func scanShape(z *db.ZSet, shape *geohash.Shape, limit int) []geoPoint {
	var buf [9]geohash.ScoreRange
	var points []geoPoint
	m := shape.Matcher()
	for _, rg := range shape.AppendRanges(buf[:0]) {
		if limit > 0 && len(points) >= limit {
			break
		}
		first, end := z.ScoreRanks(db.ScoreRange{Min: rg.Min, Max: rg.Max, MaxEx: true})
		z.RangeByRank(first, end-1, false, func(member string, score float64) bool {
			lon, lat := geohash.Decode(score)
			if dist, in := m.Contains(lon, lat); in {
				points = append(points, geoPoint{member, score, lon, lat, dist})
			}
			return limit == 0 || len(points) < limit
		})
	}
	return points
}

// storeGeoResult stores a search's points at dst as a sorted set, scored
// by their geohashes or, with byDist, by their distances in the unit of
// conv meters, over whatever dst held and without its deadline, and
// replies with their number; no points delete dst instead.
func (c *client) storeGeoResult(tx *db.KeyLock, dst []byte, points []geoPoint, byDist bool, conv float64, kind geoKind) {
	if len(points) == 0 {
		if tx.Delete(dst) {
			c.notify(evGeneric, "del", dst)
			c.server.dirty.Add(1)
		}
		c.conn.WriteInt(0)
		return
	}
	z := db.NewZSet()
	lim := tx.Limits()
	for _, p := range points {
		score := p.score
		if byDist {
			score = p.dist / conv
		}
		z.Add([]byte(p.member), score, 0, lim)
	}
	tx.Set(dst, z, 0)
	event := "georadiusstore"
	if kind == geoSearchStore {
		event = "geosearchstore"
	}
	c.notify(evZSet, event, dst)
	c.server.dirty.Add(int64(len(points)))
	c.conn.WriteInt(int64(len(points)))
}
