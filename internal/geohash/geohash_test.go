package geohash

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// The expected values of most tests here come from a real redis-server:
// the tests store points with GEOADD (or scores with ZADD), read them back
// with ZSCORE, GEOPOS, GEOHASH, GEODIST and GEOSEARCH, and compare with
// what this package computes for the same input.

// dialRedis starts a redis-server for the test and connects to it.
func dialRedis(t *testing.T) *redisconn.Conn {
	t.Helper()
	return redisconn.Dial(t, redistest.Start(t).Addr)
}

// num formats a float64 so that strtod reads back the same value.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// human formats v as Redis prints coordinates (ld2string's human mode):
// "%.17Lf" without trailing zeros.
func human(v float64) string {
	s := strconv.FormatFloat(v, 'f', 17, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// point is a stored point of a test, named for the member it is.
type point struct {
	name     string
	lon, lat float64
}

// edgePoints are points on the limits and other values worth a look.
var edgePoints = []point{
	{"palermo", 13.361389, 38.115556},
	{"catania", 15.087269, 37.502669},
	{"origin", 0, 0},
	{"top-right", LonMax, LatMax},
	{"bottom-left", LonMin, LatMin},
	{"top-left", LonMin, LatMax},
	{"bottom-right", LonMax, LatMin},
	{"east-edge", 180, 10},
	{"north-edge", 10, LatMax},
	{"tiny", 1e-300, -1e-300},
	{"neg-zero", math.Copysign(0, -1), math.Copysign(0, -1)},
	{"just-inside", math.Nextafter(LonMax, 0), math.Nextafter(LatMax, 0)},
	{"cell-edge", -180 + 360.0/(1<<26)*12345, LatMin + (LatMax-LatMin)/(1<<26)*54321},
}

// randomPoints returns n points spread over the whole range, some of them
// rounded to few decimals as people type them.
func randomPoints(r *rand.Rand, n int) []point {
	ps := make([]point, n)
	for i := range ps {
		lon := LonMin + r.Float64()*(LonMax-LonMin)
		lat := LatMin + r.Float64()*(LatMax-LatMin)
		if i%3 == 0 {
			lon, lat = math.Round(lon*1e4)/1e4, math.Round(lat*1e4)/1e4
		}
		ps[i] = point{"p" + strconv.Itoa(i), lon, lat}
	}
	return ps
}

// geoadd stores ps under key with one GEOADD.
func geoadd(rc *redisconn.Conn, key string, ps []point) {
	args := []string{"GEOADD", key}
	for _, p := range ps {
		args = append(args, num(p.lon), num(p.lat), p.name)
	}
	rc.Do(args...)
}

// TestPointsMatchRedis checks Score against ZSCORE, Decode against GEOPOS
// and AppendString against GEOHASH.
func TestPointsMatchRedis(t *testing.T) {
	rc := dialRedis(t)
	ps := append(slices.Clone(edgePoints), randomPoints(rand.New(rand.NewPCG(1, 2)), 500)...)
	geoadd(rc, "k", ps)
	var cmds [][]string
	for _, p := range ps {
		cmds = append(cmds, []string{"ZSCORE", "k", p.name}, []string{"GEOPOS", "k", p.name}, []string{"GEOHASH", "k", p.name})
	}
	replies := rc.Pipeline(cmds)
	for i, p := range ps {
		zscore, geopos, geohash := replies[3*i], replies[3*i+1], replies[3*i+2]
		score, ok := Score(p.lon, p.lat)
		if !ok {
			t.Errorf("%s (%v, %v): Score refused a point Redis took", p.name, p.lon, p.lat)
			continue
		}
		// Scores above 2^53 (a point on the 180th meridian) are rounded
		// to doubles.
		if want, err := strconv.ParseFloat(string(zscore.Str), 64); err != nil || float64(score) != want {
			t.Errorf("%s (%v, %v): Score = %d, Redis's ZSCORE %s", p.name, p.lon, p.lat, score, zscore.Str)
		}
		lon, lat := Decode(float64(score))
		if want, got := redisconn.Strings(geopos.Elems[0]), []string{human(lon), human(lat)}; !slices.Equal(got, want) {
			t.Errorf("%s (%v, %v): Decode = %q, Redis's GEOPOS %q", p.name, p.lon, p.lat, got, want)
		}
		if want, got := string(geohash.Elems[0].Str), string(AppendString(nil, float64(score))); got != want {
			t.Errorf("%s (%v, %v): AppendString = %q, Redis's GEOHASH %q", p.name, p.lon, p.lat, got, want)
		}
	}
}

// TestScoresThatAreNoGeohashMatchRedis decodes scores that GEOADD never
// writes (negative, fractional, huge, infinite), which GEOPOS and GEOHASH
// decode all the same.
func TestScoresThatAreNoGeohashMatchRedis(t *testing.T) {
	rc := dialRedis(t)
	scores := []string{"-1", "1e30", "inf", "-inf", "9223372036854775808", "18446744073709551616",
		"18446744073709549568", "-9223372036854775808", "-9223372036854777856", "4503599627370496.5", "1.5",
		"9007199254740993", "-1e30", "0.9999", "4503599627370495", "4503599627370496", "-4503599627370496",
		"123456789012345678", "-2", "3"}
	var cmds [][]string
	for i, sc := range scores {
		m := "m" + strconv.Itoa(i)
		cmds = append(cmds, []string{"ZADD", "z", sc, m}, []string{"GEOPOS", "z", m}, []string{"GEOHASH", "z", m})
	}
	replies := rc.Pipeline(cmds)
	for i, sc := range scores {
		f, err := strconv.ParseFloat(sc, 64)
		if err != nil {
			t.Fatal(err)
		}
		lon, lat := Decode(f)
		if want, got := redisconn.Strings(replies[3*i+1].Elems[0]), []string{human(lon), human(lat)}; !slices.Equal(got, want) {
			t.Errorf("score %s: Decode = %q, Redis's GEOPOS %q", sc, got, want)
		}
		if want, got := string(replies[3*i+2].Elems[0].Str), string(AppendString(nil, f)); got != want {
			t.Errorf("score %s: AppendString = %q, Redis's GEOHASH %q", sc, got, want)
		}
	}
}

// TestDistanceMatchesRedis checks Distance between decoded points, in
// every unit, against GEODIST, which prints it with 4 decimals.
func TestDistanceMatchesRedis(t *testing.T) {
	rc := dialRedis(t)
	r := rand.New(rand.NewPCG(3, 4))
	ps := append(slices.Clone(edgePoints), randomPoints(r, 300)...)
	// Points close together, where the digits that show are the small ones.
	for i := range 100 {
		lon, lat := -170+r.Float64()*340, -80+r.Float64()*160
		ps = append(ps, point{"a" + strconv.Itoa(i), lon, lat},
			point{"b" + strconv.Itoa(i), lon + r.NormFloat64()*1e-3, lat + r.NormFloat64()*1e-3},
			point{"c" + strconv.Itoa(i), lon, lat + r.NormFloat64()}) // same meridian
	}
	geoadd(rc, "k", ps)
	units := []struct {
		name   string
		meters float64
	}{{"m", Meter}, {"km", Kilometer}, {"mi", Mile}, {"ft", Foot}}
	var cmds [][]string
	for i := range ps {
		j := (i*7 + 1) % len(ps)
		if i%3 == 1 {
			j = i - 1
		}
		cmds = append(cmds, []string{"GEODIST", "k", ps[i].name, ps[j].name, units[i%4].name})
	}
	replies := rc.Pipeline(cmds)
	for i, cmd := range cmds {
		a, b := ps[i], ps[slices.IndexFunc(ps, func(p point) bool { return p.name == cmd[3] })]
		sa, _ := Score(a.lon, a.lat)
		sb, _ := Score(b.lon, b.lat)
		lon1, lat1 := Decode(float64(sa))
		lon2, lat2 := Decode(float64(sb))
		d := Distance(lon1, lat1, lon2, lat2) / units[i%4].meters
		if got, want := strconv.FormatFloat(d, 'f', 4, 64), string(replies[i].Str); got != want {
			t.Errorf("%q: Distance gives %s, Redis %s", cmd, got, want)
		}
	}
}

// storedPoint is a point as a sorted set holds it.
type storedPoint struct {
	score float64
	name  string
}

// TestSearchMatchesRedis checks the whole search (Cells, AppendRanges,
// Contains) against GEOSEARCH without sorting, whose reply lists the
// points in the order Redis scans its cells: cell by cell, each in score
// order. The expected replies scan a sorted copy of the points.
func TestSearchMatchesRedis(t *testing.T) {
	rc := dialRedis(t)
	r := rand.New(rand.NewPCG(5, 6))
	ps := randomPoints(r, 3000)
	// Clusters, so that small searches find something; one near a pole
	// and one on the antimeridian, where the cells wrap.
	for i, c := range [][2]float64{{2.35, 48.85}, {-122.4, 37.8}, {10, 82}, {179.9, -20}, {-60, -84}} {
		for j := range 500 {
			ps = append(ps, point{"c" + strconv.Itoa(i) + "-" + strconv.Itoa(j),
				clamp(c[0]+r.NormFloat64()*2, LonMin, LonMax), clamp(c[1]+r.NormFloat64(), LatMin, LatMax)})
		}
	}
	for i := 0; i < len(ps); i += 500 {
		geoadd(rc, "k", ps[i:min(i+500, len(ps))])
	}
	stored := make([]storedPoint, len(ps))
	for i, p := range ps {
		s, _ := Score(p.lon, p.lat)
		stored[i] = storedPoint{float64(s), p.name}
	}
	slices.SortFunc(stored, func(a, b storedPoint) int {
		if a.score != b.score {
			return cmpFloat(a.score, b.score)
		}
		return strings.Compare(a.name, b.name)
	})

	units := []string{"m", "km", "mi", "ft"}
	var shapes []Shape
	var cmds [][]string
	for i := range 400 {
		c := ps[r.IntN(len(ps))] // near points, mostly
		lon := clamp(c.lon+r.NormFloat64()*0.5, LonMin, LonMax)
		lat := clamp(c.lat+r.NormFloat64()*0.5, LatMin, LatMax)
		unit := units[i%4]
		conv, _ := UnitMeters([]byte(unit))
		size := math.Exp(r.Float64()*12) / conv // about 1 m to 160 km
		if i%10 == 0 {
			size *= 50 // and some far larger
		}
		s := Shape{Lon: lon, Lat: lat, Conversion: conv}
		cmd := []string{"GEOSEARCH", "k", "FROMLONLAT", num(lon), num(lat)}
		if i%2 == 0 {
			s.Radius = size
			cmd = append(cmd, "BYRADIUS", num(size), unit)
		} else {
			s.Box, s.Width, s.Height = true, size, size*math.Exp(r.NormFloat64())
			cmd = append(cmd, "BYBOX", num(s.Width), num(s.Height), unit)
		}
		shapes = append(shapes, s)
		cmds = append(cmds, append(cmd, "WITHDIST"))
	}
	replies := rc.Pipeline(cmds)
	found := 0
	for i, s := range shapes {
		var want []string
		for _, e := range replies[i].Elems {
			want = append(want, string(e.Elems[0].Str)+" "+string(e.Elems[1].Str))
		}
		got := search(&s, stored)
		found += len(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q:\n got %d points %.200q\nwant %d points %.200q", cmds[i], len(got), got, len(want), want)
		}
	}
	if found < len(shapes) {
		t.Errorf("the searches found only %d points in all: the test is too weak", found)
	}
}

// search returns the points of stored (sorted as a sorted set is) in s,
// in scan order, each as its name and distance as GEOSEARCH WITHDIST
// prints them.
func search(s *Shape, stored []storedPoint) []string {
	var out []string
	for _, rg := range s.AppendRanges(nil) {
		i, _ := slices.BinarySearchFunc(stored, rg.Min, func(p storedPoint, t float64) int { return cmpFloat(p.score, t) })
		for ; i < len(stored) && stored[i].score < rg.Max; i++ {
			lon, lat := Decode(stored[i].score)
			if d, ok := s.Contains(lon, lat); ok {
				out = append(out, stored[i].name+" "+strconv.FormatFloat(d/s.Conversion, 'f', 4, 64))
			}
		}
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestUnitMeters(t *testing.T) {
	tests := []struct {
		unit   string
		meters float64
		ok     bool
	}{
		{"m", 1, true}, {"M", 1, true}, {"km", 1000, true}, {"KM", 1000, true}, {"kM", 1000, true},
		{"mi", 1609.34, true}, {"MI", 1609.34, true}, {"ft", 0.3048, true}, {"Ft", 0.3048, true},
		{"", 0, false}, {"k", 0, false}, {"mm", 0, false}, {"kms", 0, false}, {"meters", 0, false},
		{"m ", 0, false}, {" m", 0, false}, {"\x4d", 1, true}, {"\x6d\x00", 0, false}, {"@", 0, false},
		{"KN", 0, false}, {"fT", 0.3048, true}, {"mI", 1609.34, true},
	}
	for _, tt := range tests {
		meters, ok := UnitMeters([]byte(tt.unit))
		if meters != tt.meters || ok != tt.ok {
			t.Errorf("UnitMeters(%q) = %v, %v; want %v, %v", tt.unit, meters, ok, tt.meters, tt.ok)
		}
	}
}

func TestEstimateStep(t *testing.T) {
	tests := []struct {
		radius, lat float64
		want        uint8
	}{
		{0, 0, 26},
		{0, 89, 26},
		{1, 0, 24},       // 1 m doubled 25 times reaches the 20037 km of a step-1 cell
		{1, 66, 24},      // 66 is not "beyond 66"
		{1, 66.0001, 23}, // nearer the poles: one coarser
		{1, -70, 23},
		{1, 80, 23},
		{1, 80.5, 22}, // nearer still: two coarser
		{1, -85, 22},
		{0.01, 0, 26}, // finer than a stored point: capped
		{5e6, 0, 2},
		{mercatorMax, 0, 1}, // -1, raised to 1
		{mercatorMax - 1, 0, 1},
		{mercatorMax / 2, 0, 1},
		{mercatorMax/4 - 1, 0, 2},
		{1e9, 0, 1},
		{math.Inf(1), 0, 1},
		{math.NaN(), 0, 1},
		{-1, 0, 26},
		{math.Inf(-1), 0, 26},
		{5e-324, 0, 26},
	}
	for _, tt := range tests {
		if got := EstimateStep(tt.radius, tt.lat); got != tt.want {
			t.Errorf("EstimateStep(%v, %v) = %d, want %d", tt.radius, tt.lat, got, tt.want)
		}
	}
}

// cell returns the Hash of the cell with the given indexes.
func cell(lon, lat uint32, step uint8) Hash { return Hash{interleave(lat, lon), step} }

func TestNeighbors(t *testing.T) {
	tests := []struct {
		name string
		h    Hash
		want Neighbors
	}{
		{"inner", cell(5, 9, 4), Neighbors{
			North: cell(5, 10, 4), South: cell(5, 8, 4), East: cell(6, 9, 4), West: cell(4, 9, 4),
			NorthEast: cell(6, 10, 4), NorthWest: cell(4, 10, 4), SouthEast: cell(6, 8, 4), SouthWest: cell(4, 8, 4),
		}},
		{"corner wraps", cell(0, 3, 2), Neighbors{
			North: cell(0, 0, 2), South: cell(0, 2, 2), East: cell(1, 3, 2), West: cell(3, 3, 2),
			NorthEast: cell(1, 0, 2), NorthWest: cell(3, 0, 2), SouthEast: cell(1, 2, 2), SouthWest: cell(3, 2, 2),
		}},
		{"step 1: neighbours coincide", cell(1, 0, 1), Neighbors{
			North: cell(1, 1, 1), South: cell(1, 1, 1), East: cell(0, 0, 1), West: cell(0, 0, 1),
			NorthEast: cell(0, 1, 1), NorthWest: cell(0, 1, 1), SouthEast: cell(0, 1, 1), SouthWest: cell(0, 1, 1),
		}},
		// A point at the top of the latitude range has its cell index
		// one past the last: moving in longitude keeps that bit,
		// moving in latitude drops it.
		{"past the top", cell(2, 8, 3), Neighbors{
			North: cell(2, 1, 3), South: cell(2, 7, 3), East: cell(3, 8, 3), West: cell(1, 8, 3),
			NorthEast: cell(3, 1, 3), NorthWest: cell(1, 1, 3), SouthEast: cell(3, 7, 3), SouthWest: cell(1, 7, 3),
		}},
		{"max step", cell(1<<26-1, 0, 26), Neighbors{
			North: cell(1<<26-1, 1, 26), South: cell(1<<26-1, 1<<26-1, 26), East: cell(0, 0, 26), West: cell(1<<26-2, 0, 26),
			NorthEast: cell(0, 1, 26), NorthWest: cell(1<<26-2, 1, 26), SouthEast: cell(0, 1<<26-1, 26), SouthWest: cell(1<<26-2, 1<<26-1, 26),
		}},
	}
	for _, tt := range tests {
		if got := tt.h.Neighbors(); got != tt.want {
			t.Errorf("%s: Neighbors() = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	lonR, latR := WGS84()
	tests := []struct {
		name       string
		lonR, latR Range
		lon, lat   float64
		step       uint8
	}{
		{"east of 180", lonR, latR, math.Nextafter(180, 200), 0, 26},
		{"west of -180", lonR, latR, math.Nextafter(-180, -200), 0, 26},
		{"north of the limit", lonR, latR, 0, math.Nextafter(LatMax, 90), 26},
		{"south of the limit", lonR, latR, 0, math.Nextafter(LatMin, -90), 26},
		{"NaN", lonR, latR, math.NaN(), 0, 26},
		{"infinite", lonR, latR, 0, math.Inf(-1), 26},
		{"step 0", lonR, latR, 0, 0, 0},
		{"step 33", lonR, latR, 0, 0, 33},
		{"empty range", Range{1, 1}, latR, 1, 0, 26},
		{"outside the range", Range{0, 10}, latR, -1, 0, 26},
	}
	for _, tt := range tests {
		if h, ok := Encode(tt.lonR, tt.latR, tt.lon, tt.lat, tt.step); ok {
			t.Errorf("%s: Encode = %+v, true; want false", tt.name, h)
		}
	}
}

// TestCellsOrder checks that Cells lists the centre and its neighbours in
// Redis's order, and drops the rows and columns beyond the sides of the
// centre cell that the bounding box does not reach.
func TestCellsOrder(t *testing.T) {
	lonR, latR := WGS84()
	// Just inside the south-west corner of a step-20 cell near the
	// equator, a 10 m circle, for which EstimateStep picks step 20 (cells
	// of about 38 by 19 m): it reaches the cells south and west, not
	// those north and east.
	center := cell(300000, 524300, 20)
	a := center.Decode(lonR, latR)
	s := Shape{Lon: a.Lon.Min + 1e-7, Lat: a.Lat.Min + 1e-7, Radius: 10, Conversion: Meter}
	if step := EstimateStep(10, s.Lat); step != 20 {
		t.Fatalf("EstimateStep = %d, want 20", step)
	}
	n := center.Neighbors()
	if got, want := s.Cells(), [9]Hash{center, {}, n.South, {}, n.West, {}, {}, {}, n.SouthWest}; got != want {
		t.Errorf("Cells() = %+v, want %+v", got, want)
	}
	if got := len(s.AppendRanges(nil)); got != 4 {
		t.Errorf("AppendRanges gives %d ranges, want 4", got)
	}

	// At the centre of a cell at latitude 60, where cells are about 19
	// m square, a 15 m circle reaches past every side: nothing dropped.
	center, _ = Encode(lonR, latR, 10, 60, 20)
	lon, lat := center.Decode(lonR, latR).Center()
	s = Shape{Lon: lon, Lat: lat, Radius: 15, Conversion: Meter}
	n = center.Neighbors()
	want := [9]Hash{center, n.North, n.South, n.East, n.West, n.NorthEast, n.NorthWest, n.SouthEast, n.SouthWest}
	if got := s.Cells(); got != want {
		t.Errorf("Cells() = %+v, want %+v", got, want)
	}
	if got := len(s.AppendRanges(nil)); got != 9 {
		t.Errorf("AppendRanges gives %d ranges, want 9", got)
	}

	// A whole-world search: step 1, four distinct cells of the nine.
	s = Shape{Lon: 0, Lat: 0, Radius: 30000, Conversion: Kilometer}
	if got := s.AppendRanges(nil); len(got) != 4 {
		t.Errorf("AppendRanges for the whole world = %v, want 4 ranges", got)
	}
}

// TestScoreRangeHoldsCellPoints checks, for random points, that the score
// of a point lies in the score range of the cell that holds it at every
// step, and that the point lies in the area of its cell.
func TestScoreRangeHoldsCellPoints(t *testing.T) {
	lonR, latR := WGS84()
	r := rand.New(rand.NewPCG(7, 8))
	for _, p := range randomPoints(r, 2000) {
		score, _ := Score(p.lon, p.lat)
		for step := uint8(1); step <= MaxStep; step++ {
			h, ok := Encode(lonR, latR, p.lon, p.lat, step)
			if !ok {
				t.Fatalf("Encode(%v, %v, %d) refused", p.lon, p.lat, step)
			}
			if lo, hi := h.ScoreRange(); score < lo || score >= hi {
				t.Errorf("(%v, %v) step %d: score %d outside its cell's [%d, %d)", p.lon, p.lat, step, score, lo, hi)
			}
			a := h.Decode(lonR, latR)
			if p.lon < a.Lon.Min || p.lon > a.Lon.Max || p.lat < a.Lat.Min || p.lat > a.Lat.Max {
				t.Errorf("(%v, %v) step %d: outside its cell's area %+v", p.lon, p.lat, step, a)
			}
		}
	}
}

// TestSearchFindsInnerPoints checks that the cells of a search hold every
// point of its shape, for shapes that stay clear of the poles: near them
// Redis's bounding box is wrong (the cosine of a latitude past 90°
// changes sign) and it misses points, which TestSearchMatchesRedis shows
// this package misses too.
func TestSearchFindsInnerPoints(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	checked := 0
	for range 3000 {
		s := Shape{Lon: LonMin + r.Float64()*360, Lat: -70 + r.Float64()*140, Conversion: Kilometer}
		if r.IntN(2) == 0 {
			s.Box, s.Width, s.Height = true, r.ExpFloat64()*300, r.ExpFloat64()*300
		} else {
			s.Radius = r.ExpFloat64() * 200
		}
		if _, minLat, _, maxLat := s.BoundingBox(); minLat < -80 || maxLat > 80 {
			continue
		}
		ranges := s.AppendRanges(nil)
		for range 100 {
			lon := s.Lon + r.NormFloat64()*5
			lat := s.Lat + r.NormFloat64()*3
			score, ok := Score(lon, lat)
			if !ok {
				continue
			}
			if _, in := s.Contains(Decode(float64(score))); !in {
				continue
			}
			checked++
			if !slices.ContainsFunc(ranges, func(rg ScoreRange) bool { return float64(score) >= rg.Min && float64(score) < rg.Max }) {
				t.Errorf("%+v: (%v, %v) is in the shape but in none of its cells", s, lon, lat)
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d points checked", checked)
	}
}

func TestContains(t *testing.T) {
	// 1° of latitude on the meridian is EarthRadius·π/180 meters.
	deg := EarthRadius * math.Pi / 180
	tests := []struct {
		name     string
		s        Shape
		lon, lat float64
		in       bool
		dist     float64
	}{
		{"centre", Shape{Lon: 10, Lat: 20, Radius: 0, Conversion: 1}, 10, 20, true, 0},
		{"inside", Shape{Radius: 1.01 * deg, Conversion: 1}, 0, 1, true, deg},
		{"outside", Shape{Radius: 0.99 * deg, Conversion: 1}, 0, 1, false, deg},
		{"kilometers", Shape{Radius: 1.01 * deg / 1000, Conversion: 1000}, 0, 1, true, deg},
		{"box inside", Shape{Box: true, Width: 2.01 * deg, Height: 2.01 * deg, Conversion: 1}, 1, 1, true, Distance(0, 0, 1, 1)},
		{"box too narrow", Shape{Box: true, Width: 1.99 * deg, Height: 3 * deg, Conversion: 1}, 1, 0, false, 0},
		{"box too low", Shape{Box: true, Width: 3 * deg, Height: 1.99 * deg, Conversion: 1}, 0, -1, false, 0},
	}
	for _, tt := range tests {
		dist, in := tt.s.Contains(tt.lon, tt.lat)
		if in != tt.in || in && math.Abs(dist-tt.dist) > 1e-6 {
			t.Errorf("%s: Contains(%v, %v) = %v, %v; want %v, %v", tt.name, tt.lon, tt.lat, dist, in, tt.dist, tt.in)
		}
	}
}

// FuzzDecode decodes any score: the point must lie within the limits and
// its string be 11 characters of the alphabet; a score that is a 52-bit
// geohash must come back from the centre of its cell.
func FuzzDecode(f *testing.F) {
	for _, s := range []float64{0, 1, -1, 3479099956230698, 1 << 52, 1<<52 - 1, math.Inf(1), math.NaN(), 1e300, -0.5} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, score float64) {
		lon, lat := Decode(score)
		if !(lon >= LonMin && lon <= LonMax && lat >= LatMin && lat <= LatMax) {
			t.Fatalf("Decode(%v) = %v, %v: outside the limits", score, lon, lat)
		}
		str := AppendString(nil, score)
		if len(str) != StringLen || strings.Trim(string(str), base32) != "" {
			t.Fatalf("AppendString(%v) = %q", score, str)
		}
		if score >= 0 && score < 1<<52 && score == math.Trunc(score) {
			back, ok := Score(lon, lat)
			if !ok || float64(back) != score {
				t.Fatalf("Score(Decode(%v)) = %v, %v", score, back, ok)
			}
		}
	})
}

// FuzzSearch runs searches of any shape: no panic, and for a centre within
// the limits the centre's own cell is scanned first and holds the centre.
func FuzzSearch(f *testing.F) {
	f.Add(13.361389, 38.115556, 200.0, 100.0, false, 1000.0)
	f.Add(0.0, 85.05112878, 1.0, 1.0, true, 1.0)
	f.Add(-180.0, -85.0, 0.0, 0.0, false, 0.3048)
	f.Add(179.99, 0.0, 1e7, 1e-7, true, 1609.34)
	f.Fuzz(func(t *testing.T, lon, lat, a, b float64, box bool, conv float64) {
		s := Shape{Lon: lon, Lat: lat, Box: box, Radius: a, Width: a, Height: b, Conversion: conv}
		ranges := s.AppendRanges(nil)
		if len(ranges) > 9 {
			t.Fatalf("%d ranges", len(ranges))
		}
		for _, rg := range ranges {
			if !(rg.Min < rg.Max) {
				t.Fatalf("empty range %+v", rg)
			}
		}
		s.Contains(lon+a, lat-b)
		score, ok := Score(lon, lat)
		if !ok || lat == LatMax || lon == LonMax || !(a >= 0 && b >= 0 && conv > 0) {
			return
		}
		if len(ranges) == 0 || float64(score) < ranges[0].Min || float64(score) >= ranges[0].Max {
			t.Fatalf("%+v: the centre's score %d is not in the first range of %v", s, score, ranges)
		}
	})
}

var sink struct {
	u uint64
	f float64
	b []byte
	r []ScoreRange
}

func BenchmarkScore(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink.u, _ = Score(13.361389+float64(i&1023)*1e-4, 38.115556)
	}
}

func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink.f, _ = Decode(3479099956230698 + float64(i&1023))
	}
}

func BenchmarkAppendString(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, StringLen)
	for b.Loop() {
		sink.b = AppendString(buf[:0], 3479099956230698)
	}
}

func BenchmarkDistance(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink.f = Distance(13.361389, 38.115556, 15.087269, 37.502669)
	}
}

func BenchmarkAppendRanges(b *testing.B) {
	b.ReportAllocs()
	var buf [9]ScoreRange
	s := Shape{Lon: 13.361389, Lat: 38.115556, Box: true, Width: 200, Height: 100, Conversion: Kilometer}
	for b.Loop() {
		sink.r = s.AppendRanges(buf[:0])
	}
}

func BenchmarkContains(b *testing.B) {
	b.ReportAllocs()
	s := Shape{Lon: 13.361389, Lat: 38.115556, Box: true, Width: 200, Height: 100, Conversion: Kilometer}
	for b.Loop() {
		sink.f, _ = s.Contains(15.087269, 37.502669)
	}
}

// TestMatcherMatchesDistance checks that a Matcher's distances are
// Distance's to the last bit, and its verdicts those of the definition.
func TestMatcherMatchesDistance(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for range 2000 {
		s := Shape{Lon: LonMin + r.Float64()*360, Lat: LatMin + r.Float64()*(LatMax-LatMin), Conversion: Mile,
			Box: r.IntN(2) == 0, Radius: r.ExpFloat64() * 100, Width: r.ExpFloat64() * 100, Height: r.ExpFloat64() * 100}
		m := s.Matcher()
		for range 20 {
			lon := clamp(s.Lon+r.NormFloat64(), LonMin, LonMax)
			lat := clamp(s.Lat+r.NormFloat64(), LatMin, LatMax)
			dist, in := m.Contains(lon, lat)
			want := Distance(s.Lon, s.Lat, lon, lat)
			wantIn := want <= s.Radius*s.Conversion
			if s.Box {
				wantIn = Distance(lon, lat, s.Lon, lat) <= s.Width*s.Conversion/2 &&
					Distance(lon, lat, lon, s.Lat) <= s.Height*s.Conversion/2
			}
			if in != wantIn || in && dist != want {
				t.Fatalf("%+v: Contains(%v, %v) = %v, %v; want %v, %v", s, lon, lat, dist, in, want, wantIn)
			}
		}
	}
}
