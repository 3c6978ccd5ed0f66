package geohash

import "math"

// Neighbors are the eight cells around one, of the same step. Moving off
// an edge of the ranges wraps around to the other side.
type Neighbors struct {
	North, South, East, West                   Hash
	NorthEast, NorthWest, SouthEast, SouthWest Hash
}

// Neighbors returns the cells around h.
func (h Hash) Neighbors() Neighbors {
	east, west := h.moveLon(1), h.moveLon(-1)
	return Neighbors{
		North:     h.moveLat(1),
		South:     h.moveLat(-1),
		East:      east,
		West:      west,
		NorthEast: east.moveLat(1),
		NorthWest: west.moveLat(1),
		SouthEast: east.moveLat(-1),
		SouthWest: west.moveLat(-1),
	}
}

const (
	evenBits = 0x5555555555555555 // latitude
	oddBits  = 0xaaaaaaaaaaaaaaaa // longitude
)

// moveLon returns the cell d cells east of h (west for a negative d),
// modulo the 2^Step cells of a row. The longitude bits above 2*Step, if
// any, are dropped and the latitude bits kept whole, as Redis moves.
func (h Hash) moveLon(d int32) Hash {
	lon := (squeeze(h.Bits>>1) + uint32(d)) & (1<<h.Step - 1)
	h.Bits = spread(lon)<<1 | h.Bits&evenBits
	return h
}

// moveLat is moveLon for latitude: north for a positive d.
func (h Hash) moveLat(d int32) Hash {
	lat := (squeeze(h.Bits) + uint32(d)) & (1<<h.Step - 1)
	h.Bits = spread(lat) | h.Bits&oddBits
	return h
}

// EstimateStep returns the step of the cells a search of the given
// radius, in meters, around a point at latitude lat scans: the finest step
// whose cells are at least about as large as the radius, one coarser near
// the poles, where cells are narrower, two coarser nearer still. Commands
// refuse negative sizes; a negative radius counts as 0 here.
func EstimateStep(radius, lat float64) uint8 {
	if radius <= 0 {
		return MaxStep
	}
	step := 1
	for radius < mercatorMax {
		radius *= 2
		step++
	}
	step -= 2 // so that the radius fits in the cells in most cases
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(min(max(step, 1), MaxStep))
}

// A Shape is the area a GEOSEARCH looks in: a circle of Radius or a box of
// Width by Height around (Lon, Lat). Sizes are in a unit of Conversion
// meters, as the client gave them, and converted where Redis converts
// them, so that the arithmetic rounds as Redis's does.
type Shape struct {
	Lon, Lat      float64
	Box           bool    // a box rather than a circle
	Radius        float64 // of a circle
	Width, Height float64 // of a box
	Conversion    float64 // meters per unit
}

// BoundingBox returns the smallest rectangle of coordinates around s.
// Meridians converge towards the poles, so a box or circle spans more
// longitude on its poleward edge: the longitude span is the one at the
// northern edge for a centre north of the equator (or on it), the
// southern edge for one south of it.
func (s *Shape) BoundingBox() (minLon, minLat, maxLon, maxLat float64) {
	halfHeight, halfWidth := s.Conversion*s.Radius, s.Conversion*s.Radius
	if s.Box {
		halfHeight = s.Conversion * (s.Height / 2)
		halfWidth = s.Conversion * (s.Width / 2)
	}
	latDelta := halfHeight / EarthRadius * radToDeg
	edge := s.Lat + latDelta // the northern edge
	if s.Lat < 0 {
		edge = s.Lat - latDelta
	}
	lonDelta := halfWidth / EarthRadius / cos(edge*degToRad) * radToDeg
	return s.Lon - lonDelta, s.Lat - latDelta, s.Lon + lonDelta, s.Lat + latDelta
}

// searchRadius returns the radius in meters the cells of a search of s
// are sized for: a circle's, or the distance from a box's centre to its
// corners.
func (s *Shape) searchRadius() float64 {
	r := s.Radius
	if s.Box {
		w, h := s.Width/2, s.Height/2
		r = math.Sqrt(float64(w*w) + float64(h*h))
	}
	return r * s.Conversion
}

// Cells returns the cells a search of s scans, in the order Redis scans
// them: the one holding the centre, then its neighbours north, south,
// east, west, north-east, north-west, south-east and south-west. A
// neighbour that cannot hold a point of s is the zero Hash.
//
// The step comes from EstimateStep, made one coarser if a side neighbour
// ends short of the bounding box. Then, unless the step is 1, where a
// side of the centre cell lies outside the bounding box, the three
// neighbours beyond that side, which the box does not reach, are dropped.
func (s *Shape) Cells() [9]Hash {
	lonRange, latRange := WGS84()
	minLon, minLat, maxLon, maxLat := s.BoundingBox()
	step := EstimateStep(s.searchRadius(), s.Lat)
	// The centre is a point Redis accepted, so it encodes.
	center, _ := Encode(lonRange, latRange, s.Lon, s.Lat, step)
	n := center.Neighbors()
	if step > 1 &&
		(n.North.Decode(lonRange, latRange).Lat.Max < maxLat ||
			n.South.Decode(lonRange, latRange).Lat.Min > minLat ||
			n.East.Decode(lonRange, latRange).Lon.Max < maxLon ||
			n.West.Decode(lonRange, latRange).Lon.Min > minLon) {
		step--
		center, _ = Encode(lonRange, latRange, s.Lon, s.Lat, step)
		n = center.Neighbors()
	}
	if step >= 2 {
		area := center.Decode(lonRange, latRange)
		if area.Lat.Min < minLat {
			n.South, n.SouthWest, n.SouthEast = Hash{}, Hash{}, Hash{}
		}
		if area.Lat.Max > maxLat {
			n.North, n.NorthEast, n.NorthWest = Hash{}, Hash{}, Hash{}
		}
		if area.Lon.Min < minLon {
			n.West, n.SouthWest, n.NorthWest = Hash{}, Hash{}, Hash{}
		}
		if area.Lon.Max > maxLon {
			n.East, n.SouthEast, n.NorthEast = Hash{}, Hash{}, Hash{}
		}
	}
	return [9]Hash{center, n.North, n.South, n.East, n.West, n.NorthEast, n.NorthWest, n.SouthEast, n.SouthWest}
}

// A ScoreRange is the scores [Min, Max) of the points in one cell.
type ScoreRange struct{ Min, Max float64 }

// AppendRanges appends to dst the score ranges of the cells a search of s
// scans, in order (see Cells), leaving out the zero cells and a cell equal
// to the last one kept but the first: at the coarsest steps neighbours
// coincide, and Redis scans such a cell once. The scores of a zset member
// found in one range never fall in another, so the ranges yield each
// point once.
func (s *Shape) AppendRanges(dst []ScoreRange) []ScoreRange {
	cells := s.Cells()
	last := 0 // index of the last cell kept; Redis never compares with the centre
	for i, c := range cells {
		if c.IsZero() || last != 0 && c == cells[last] {
			continue
		}
		lo, hi := c.ScoreRange()
		dst = append(dst, ScoreRange{float64(lo), float64(hi)})
		last = i
	}
	return dst
}

// Contains reports whether the point (lon, lat) is in s and returns its
// distance from the centre in meters. A point is in a box if its distance
// from the centre's meridian, along its parallel, is at most half the
// width, and its distance from the centre's parallel, along its meridian,
// at most half the height. A search testing many points uses a Matcher.
func (s *Shape) Contains(lon, lat float64) (dist float64, ok bool) {
	m := s.Matcher()
	return m.Contains(lon, lat)
}

// A Matcher tests points against a Shape, as Shape.Contains does, with
// what depends on the centre alone computed once.
type Matcher struct {
	s                    Shape
	lonRad, latRad, cosL float64 // the centre's
}

// Matcher returns a Matcher for s as it is now.
func (s *Shape) Matcher() Matcher {
	latRad := s.Lat * degToRad
	return Matcher{s: *s, lonRad: s.Lon * degToRad, latRad: latRad, cosL: cos(latRad)}
}

// Contains is Shape.Contains. The distances are those Distance returns:
// the same operations on the same values.
func (m *Matcher) Contains(lon, lat float64) (dist float64, ok bool) {
	lonRad, latRad := lon*degToRad, lat*degToRad
	cosLat := cos(latRad)
	if !m.s.Box {
		dist = haversine(m.lonRad, m.latRad, lonRad, latRad, m.cosL, cosLat)
		return dist, dist <= m.s.Radius*m.s.Conversion
	}
	lonDist := haversine(lonRad, latRad, m.lonRad, latRad, cosLat, cosLat)
	latDist := haversine(lonRad, latRad, lonRad, m.latRad, cosLat, m.cosL)
	if lonDist > m.s.Width*m.s.Conversion/2 || latDist > m.s.Height*m.s.Conversion/2 {
		return 0, false
	}
	return haversine(m.lonRad, m.latRad, lonRad, latRad, m.cosL, cosLat), true
}
