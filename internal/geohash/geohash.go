// Package geohash is the geometry behind Redis's GEO commands, computed
// exactly as Redis 7.0 computes it so that scores, coordinates, distances
// and search results agree with it digit for digit.
//
// Redis keeps a point as a sorted-set member whose score is a 52-bit
// geohash: 26 bits of longitude in [-180, 180] and 26 bits of latitude in
// [LatMin, LatMax] (the latitudes of the Web Mercator square), interleaved
// with the longitude bits in the odd positions. A point read back is the
// centre of its cell, not the coordinates given.
//
// Floating-point expressions here keep Redis's order of operations, and
// products are converted explicitly to float64 where they meet a sum, so
// that the compiler cannot fuse them into a multiply-add that rounds once
// where Redis rounds twice.
package geohash

import "math"

// The limits of the coordinates Redis accepts and the constants of its
// geometry.
const (
	LonMin = -180.0
	LonMax = 180.0
	LatMin = -85.05112878
	LatMax = 85.05112878

	// MaxStep is the precision of a stored point: bits per coordinate.
	MaxStep = 26

	// EarthRadius is the radius, in meters, of the sphere distances are
	// measured on.
	EarthRadius = 6372797.560856

	// mercatorMax is half the Earth's circumference in Web Mercator
	// meters, the size of a step-1 cell, which sizes search cells.
	mercatorMax = 20037726.37
)

// Degrees to radians and back, as C computes M_PI/180.0 and 180.0/M_PI:
// M_PI rounded to a double first, then one rounded division.
const (
	degToRad = float64(math.Pi) / 180
	radToDeg = 180 / float64(math.Pi)
)

// Meters per unit of the units GEO commands accept.
const (
	Meter     = 1.0
	Kilometer = 1000.0
	Mile      = 1609.34
	Foot      = 0.3048
)

// UnitMeters returns the meters in one unit named unit ("m", "km", "mi"
// or "ft", in any letter case), and false for any other name.
func UnitMeters(unit []byte) (float64, bool) {
	switch len(unit) {
	case 1:
		if unit[0]|0x20 == 'm' {
			return Meter, true
		}
	case 2:
		switch lower2(unit) {
		case "km":
			return Kilometer, true
		case "mi":
			return Mile, true
		case "ft":
			return Foot, true
		}
	}
	return 0, false
}

// lower2 returns the two bytes of b in lower case, without allocating
// (the compiler keeps the comparison of a converted array on the stack).
func lower2(b []byte) string {
	var a [2]byte
	for i, c := range b[:2] {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		a[i] = c
	}
	return string(a[:])
}

// A Range is the closed interval [Min, Max] of one coordinate.
type Range struct{ Min, Max float64 }

// WGS84 returns the ranges of longitude and latitude that stored points
// are encoded in.
func WGS84() (lon, lat Range) {
	return Range{LonMin, LonMax}, Range{LatMin, LatMax}
}

// A Hash is a cell: Step bits of each coordinate, interleaved, longitude
// bits in the odd positions. The zero Hash stands for no cell.
type Hash struct {
	Bits uint64
	Step uint8
}

// IsZero reports whether h is the zero Hash, no cell.
func (h Hash) IsZero() bool { return h.Bits == 0 && h.Step == 0 }

// Encode returns the cell of Step bits per coordinate that holds (lon,
// lat) in the given ranges. It reports false for a step outside [1, 32],
// an empty range, or a point outside the ranges or the limits Redis
// accepts.
//
// A coordinate at the top of its range lands one past the last cell, as
// in Redis: the offset 2^step is kept, its bit carried above the hash.
func Encode(lonRange, latRange Range, lon, lat float64, step uint8) (Hash, bool) {
	if step == 0 || step > 32 || lonRange.Min == lonRange.Max || latRange.Min == latRange.Max {
		return Hash{}, false
	}
	if !(lon >= LonMin && lon <= LonMax && lat >= LatMin && lat <= LatMax) {
		return Hash{}, false
	}
	if !(lon >= lonRange.Min && lon <= lonRange.Max && lat >= latRange.Min && lat <= latRange.Max) {
		return Hash{}, false
	}
	cells := float64(uint64(1) << step)
	latOffset := (lat - latRange.Min) / (latRange.Max - latRange.Min) * cells
	lonOffset := (lon - lonRange.Min) / (lonRange.Max - lonRange.Min) * cells
	return Hash{Bits: interleave(uint32(latOffset), uint32(lonOffset)), Step: step}, true
}

// interleave spreads the bits of lat over the even positions and those of
// lon over the odd ones.
func interleave(lat, lon uint32) uint64 {
	return spread(lat) | spread(lon)<<1
}

// spread moves bit i of v to bit 2i.
func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// squeeze is the inverse of spread: bit 2i of x goes to bit i, odd bits
// are dropped.
func squeeze(x uint64) uint32 {
	x &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	return uint32(x)
}

// An Area is the rectangle of coordinates a cell covers.
type Area struct{ Lon, Lat Range }

// Decode returns the area that h covers in the given ranges. For a Hash
// whose bits reach above 2*Step (a point at the top of a range, or a
// score that is no geohash), the cell indexes are the 32 bits each
// coordinate has in the 64, as in Redis, and the area may lie outside the
// ranges.
func (h Hash) Decode(lonRange, latRange Range) Area {
	latCell := squeeze(h.Bits)
	lonCell := squeeze(h.Bits >> 1)
	cells := float64(uint64(1) << h.Step)
	latScale := latRange.Max - latRange.Min
	lonScale := lonRange.Max - lonRange.Min
	// The upper edge is computed from the next cell index in 32 bits,
	// which wraps to 0 after the last index, as Redis's does.
	return Area{
		Lat: Range{
			Min: latRange.Min + float64(float64(latCell)/cells*latScale),
			Max: latRange.Min + float64(float64(latCell+1)/cells*latScale),
		},
		Lon: Range{
			Min: lonRange.Min + float64(float64(lonCell)/cells*lonScale),
			Max: lonRange.Min + float64(float64(lonCell+1)/cells*lonScale),
		},
	}
}

// Center returns the middle of a, moved within the limits Redis accepts.
func (a Area) Center() (lon, lat float64) {
	lon = clamp((a.Lon.Min+a.Lon.Max)/2, LonMin, LonMax)
	lat = clamp((a.Lat.Min+a.Lat.Max)/2, LatMin, LatMax)
	return lon, lat
}

func clamp(v, lo, hi float64) float64 {
	if v > hi {
		return hi
	}
	if v < lo {
		return lo
	}
	return v
}

// Align52 returns h's bits shifted up to 52 bits of precision: the
// sorted-set score range of a coarser cell starts there.
func (h Hash) Align52() uint64 {
	return h.Bits << (52 - 2*uint(h.Step))
}

// ScoreRange returns the scores of the points in cell h: those in
// [min, max).
func (h Hash) ScoreRange() (min, max uint64) {
	next := h
	next.Bits++
	return h.Align52(), next.Align52()
}

// Score returns the sorted-set score of the point (lon, lat), a 52-bit
// geohash (more for a coordinate at the very top of its range), and false
// if the point is outside the limits.
func Score(lon, lat float64) (uint64, bool) {
	lonRange, latRange := WGS84()
	h, ok := Encode(lonRange, latRange, lon, lat, MaxStep)
	if !ok {
		return 0, false
	}
	return h.Align52(), true
}

// Decode returns the point a sorted-set score stands for: the centre of
// its cell, within the limits. Any score decodes, as in Redis, which reads
// the score as an unsigned 64-bit integer (see scoreBits) whatever it is.
func Decode(score float64) (lon, lat float64) {
	lonRange, latRange := WGS84()
	return Hash{Bits: scoreBits(score), Step: MaxStep}.Decode(lonRange, latRange).Center()
}

// scoreBits converts score to an unsigned 64-bit integer as C's
// (uint64_t) cast does on x86-64 (gcc's sequence): truncation for scores
// in range, two's complement for negative ones, and the results of the
// conversion instruction's "integer indefinite" for the others.
func scoreBits(score float64) uint64 {
	const two63 = 1 << 63
	switch {
	case score < two63:
		if !(score > -two63) { // at or below -2^63, or NaN
			return 1 << 63
		}
		return uint64(int64(score))
	case score < 2*two63:
		return uint64(score)
	default: // 2^64 or more: indefinite, with the top bit flipped back
		return 0
	}
}

// The alphabet of geohash strings.
const base32 = "0123456789bcdefghjkmnpqrstuvwxyz"

// StringLen is the length of the geohash strings AppendString writes.
const StringLen = 11

// AppendString appends to dst the geohash string of the point a score
// stands for, as GEOHASH prints it: the point is re-encoded with the
// standard latitude range [-90, 90], and its 52 bits written as 10
// characters of 5 bits, then a '0' for the 11th character, for which
// there are no bits left.
func AppendString(dst []byte, score float64) []byte {
	lon, lat := Decode(score)
	h, _ := Encode(Range{-180, 180}, Range{-90, 90}, lon, lat, MaxStep) // in range: Decode clamps
	for i := 1; i <= 10; i++ {
		dst = append(dst, base32[(h.Bits>>(52-5*i))&0x1f])
	}
	return append(dst, '0')
}

// Distance returns the great-circle distance in meters between two points
// given in degrees, by the haversine formula, with sines and cosines
// rounded as glibc's (see libm.go).
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	lat1r, lat2r := lat1*degToRad, lat2*degToRad
	return haversine(lon1*degToRad, lat1r, lon2*degToRad, lat2r, cos(lat1r), cos(lat2r))
}

// haversine is Distance from coordinates in radians, given the cosines of
// the latitudes, which a search computes once for the many points it
// measures from one centre.
func haversine(lon1r, lat1r, lon2r, lat2r, cosLat1, cosLat2 float64) float64 {
	u := sin((lat2r - lat1r) / 2)
	v := sin((lon2r - lon1r) / 2)
	a := float64(u*u) + float64(cosLat1*cosLat2*v*v)
	return 2.0 * EarthRadius * asin(math.Sqrt(a))
}
