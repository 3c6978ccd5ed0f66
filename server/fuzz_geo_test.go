package server

import (
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// fuzzGeoCommands are the GEO commands whose arguments FuzzGeoOptions
// fuzzes, on a keyspace that holds g (points in Sicily), z (a sorted set
// whose scores are no geohashes) and k (a string); e is missing.
var fuzzGeoCommands = []string{
	"GEOSEARCH g", "GEOSEARCH g FROMLONLAT 15 37", "GEOSEARCH g FROMMEMBER Palermo", "GEOSEARCH g FROMLONLAT 15 37 BYRADIUS",
	"GEOSEARCH g FROMMEMBER Catania BYBOX", "GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km", "GEOSEARCH e",
	"GEOSEARCH k", "GEOSEARCH z FROMLONLAT -180 -85", "GEOSEARCHSTORE d g", "GEOSEARCHSTORE d g FROMLONLAT 15 37",
	"GEOSEARCHSTORE d e", "GEORADIUS g", "GEORADIUS g 15 37", "GEORADIUS g 15 37 200 km", "GEORADIUS_RO g 15 37 200 km",
	"GEORADIUSBYMEMBER g Palermo", "GEORADIUSBYMEMBER g Palermo 200 km", "GEORADIUSBYMEMBER_RO g Agrigento 100 km",
	"GEORADIUSBYMEMBER e x", "GEORADIUS e 0 0", "GEOADD g", "GEOADD e", "GEOADD g NX", "GEOADD k",
	"GEODIST g Palermo Catania", "GEODIST g", "GEODIST z", "GEOPOS g", "GEOPOS z", "GEOHASH g", "GEOHASH z",
}

// fuzzGeoSetup fills the keyspace fuzzGeoCommands run on.
var fuzzGeoSetup = [][]string{
	{"FLUSHALL"}, {"SELECT", "0"}, strings.Fields(sicily),
	{"ZADD", "z", "-1", "neg", "1.5", "frac", "0", "zero", "1e30", "huge", "4503599627370495", "top"},
	{"SET", "k", "hello world"},
}

// FuzzGeoOptionsAgainstRedis is FuzzCollectionOptionsAgainstRedis for the
// GEO commands: a command of fuzzGeoCommands with fuzzed arguments goes to
// a real redis-server and to this server, and the replies, then the
// keys' values, must be the same (the distances STOREDIST stores within
// a few units in the last place, as sameStoredDistances allows).
func FuzzGeoOptionsAgainstRedis(f *testing.F) {
	for _, seed := range []struct {
		cmd  byte
		args string
	}{
		{0, "FROMLONLAT 15 37 BYBOX 400 400 km WITHDIST ASC COUNT 3"}, {1, "BYRADIUS 100 mi WITHCOORD COUNT 2 ANY"},
		{2, "BYRADIUS 0 m"}, {3, "-1 km"}, {4, "1 x ft"}, {5, "STORE d"}, {6, "FROMMEMBER x BYRADIUS 1 km"},
		{9, "FROMMEMBER Palermo BYRADIUS 200 km STOREDIST"}, {10, "BYBOX 300 300 km DESC COUNT 2"},
		{14, "STOREDIST d COUNT 3 DESC"}, {15, "WITHHASH STORE d"}, {17, "STORE d ANY COUNT 1"},
		{21, "13 38 a 200 0 b"}, {23, "XX 1 1 Palermo"}, {25, "FT"}, {27, "neg frac"}, {30, "zero top nope"},
	} {
		f.Add(seed.cmd, seed.args)
	}
	redis := redistest.Start(f, "proto-max-bulk-len", fuzzMaxBulkLen).Addr
	ours := startFuzzServer(f, "--proto-max-bulk-len", fuzzMaxBulkLen)
	f.Fuzz(func(t *testing.T, cmd byte, argText string) {
		args, ok := fuzzCommand(fuzzGeoCommands, cmd, argText)
		if !ok {
			return
		}
		ref, got := dialFuzzPair(t, redis, ours, fuzzGeoSetup)
		compare := func(args []string, near bool) bool {
			_, want, _, have, wantOK := exchangeBoth(t, ref, got, args)
			if wantOK && want != have && !(near && sameStoredDistances(t, want, have)) {
				t.Fatalf("%q:\n redis: %q\n  ours: %q", args, want, have)
			}
			return wantOK
		}
		if !compare(args, false) {
			return
		}
		storeDist := false
		for _, a := range args {
			storeDist = storeDist || strings.EqualFold(a, "storedist")
		}
		for _, a := range [][]string{{"SELECT", "0"}, {"DBSIZE"}, {"GET", "k"}, {"ZRANGE", "g", "0", "-1", "WITHSCORES"},
			{"TYPE", "d"}, {"OBJECT", "ENCODING", "d"}, {"ZRANGE", "d", "0", "-1", "WITHSCORES"}} {
			if !compare(a, storeDist && a[0] == "ZRANGE") {
				return
			}
		}
	})
}
