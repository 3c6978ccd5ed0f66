package server

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// Benchmarks of the GEO commands through dispatch (the command table, the
// KeyLock, the reply into a connection that discards it), on a sorted set
// of 100,000 points around Sicily: a search's cost grows with the points
// in its cells, not with the set.
//
//	go test ./server -run '^$' -bench 'Geo' -benchmem

// fillGeo adds n random points within a degree or so of (14, 37.5) to key.
func fillGeo(b *testing.B, c *client, key string, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i += 1000 {
		args := benchArgs("GEOADD", key)
		for j := i; j < min(i+1000, n); j++ {
			args = append(args, []byte(strconv.FormatFloat(13+2*r.Float64(), 'f', 6, 64)),
				[]byte(strconv.FormatFloat(36.5+2*r.Float64(), 'f', 6, 64)), []byte("p"+strconv.Itoa(j)))
		}
		c.benchDo(b, args)
	}
}

func benchGeo(b *testing.B, args ...string) {
	c, _ := benchClient(b)
	fillGeo(b, c, "g", 100000)
	cmd := benchArgs(args...)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c.benchDo(b, cmd)
	}
	if c.errors > 0 {
		b.Fatalf("%d error replies", c.errors)
	}
}

// About 30 points in a 5 km circle.
func BenchmarkGeoSearchRadius(b *testing.B) {
	benchGeo(b, "GEOSEARCH", "g", "FROMLONLAT", "14", "37.5", "BYRADIUS", "5", "km", "WITHDIST", "ASC")
}

// About 100 points in a 10 km box.
func BenchmarkGeoSearchBox(b *testing.B) {
	benchGeo(b, "GEOSEARCH", "g", "FROMLONLAT", "14", "37.5", "BYBOX", "10", "10", "km", "WITHCOORD")
}

func BenchmarkGeoSearchAny(b *testing.B) {
	benchGeo(b, "GEOSEARCH", "g", "FROMLONLAT", "14", "37.5", "BYRADIUS", "50", "km", "COUNT", "10", "ANY")
}

func BenchmarkGeoPos(b *testing.B) {
	benchGeo(b, "GEOPOS", "g", "p1", "p2", "p3", "nope")
}

func BenchmarkGeoDist(b *testing.B) {
	benchGeo(b, "GEODIST", "g", "p1", "p2", "km")
}

func BenchmarkGeoAdd(b *testing.B) {
	benchGeo(b, "GEOADD", "g", "14.1", "37.2", "p1")
}
