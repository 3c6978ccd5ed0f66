package histogram

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestBucketsCoverEveryValueOnce(t *testing.T) {
	for i := 0; i < buckets-1; i++ {
		lo, hi := lowerBound(i), upperBound(i)
		if lo > hi || index(lo) != i || index(hi) != i || index(hi+1) != i+1 {
			t.Fatalf("bucket %d: [%d, %d], index(lo)=%d index(hi)=%d index(hi+1)=%d",
				i, lo, hi, index(lo), index(hi), index(hi+1))
		}
		// The width of a bucket is at most 1/8 of its lower bound.
		if lo >= SubBuckets && (hi-lo+1)*SubBuckets > lo {
			t.Fatalf("bucket %d [%d, %d] is wider than 1/%d of its start", i, lo, hi, SubBuckets)
		}
	}
	if index(1<<62) != buckets-1 {
		t.Error("huge durations do not land in the last bucket")
	}
}

func TestQuantilesAgainstSorting(t *testing.T) {
	var h Histogram
	r := rand.New(rand.NewPCG(1, 2))
	var all []time.Duration
	for i := 0; i < 100_000; i++ {
		// Latencies spread over five orders of magnitude.
		d := time.Duration(r.ExpFloat64() * float64(time.Microsecond) * float64(1+r.IntN(1000)))
		h.Record(d)
		all = append(all, d)
	}
	slices.Sort(all)
	s := h.Snapshot()
	if s.Count() != 100_000 {
		t.Fatalf("Count = %d", s.Count())
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		exact := all[int(q*float64(len(all)-1))]
		got := s.Quantile(q)
		// The bucket's upper bound: never below the truth, at most 12.5% above.
		if got < exact || float64(got) > float64(exact)*1.126+1 {
			t.Errorf("p%v = %v, exact %v", q*100, got, exact)
		}
	}
	var sum time.Duration
	for _, d := range all {
		sum += d
	}
	if s.Sum() != sum {
		t.Errorf("Sum = %v, want %v", s.Sum(), sum)
	}
}

func TestEmptyAndReset(t *testing.T) {
	var h Histogram
	if q := h.Snapshot().Quantile(0.5); q != 0 {
		t.Errorf("empty p50 = %v", q)
	}
	h.Record(time.Millisecond)
	h.Record(-time.Second)
	if s := h.Snapshot(); s.Count() != 2 || s.Quantile(0) != 0 {
		t.Errorf("negative duration not counted as 0: count %d p0 %v", s.Count(), s.Quantile(0))
	}
	h.Reset()
	if s := h.Snapshot(); s.Count() != 0 || s.Sum() != 0 {
		t.Error("Reset left counts")
	}
}

func TestConcurrentRecords(t *testing.T) {
	var h Histogram
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10_000; i++ {
				h.Record(time.Duration(i))
			}
		}()
	}
	wg.Wait()
	if n := h.Snapshot().Count(); n != 80_000 {
		t.Errorf("Count = %d, want 80000", n)
	}
}

func BenchmarkRecord(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	d := 1500 * time.Nanosecond
	for b.Loop() {
		h.Record(d)
	}
}

func BenchmarkRecordParallel(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		d := 1500 * time.Nanosecond
		for pb.Next() {
			h.Record(d)
		}
	})
}

func TestSnapshotBuckets(t *testing.T) {
	var h Histogram
	for _, d := range []time.Duration{3, 3, 1000, 1001, time.Second} {
		h.Record(d)
	}
	type bucket struct {
		lower time.Duration
		count uint64
	}
	var got []bucket
	h.Snapshot().Buckets(func(lower time.Duration, count uint64) { got = append(got, bucket{lower, count}) })
	want := []bucket{{3, 2}, {time.Duration(lowerBound(index(1000))), 2}, {time.Duration(lowerBound(index(uint64(time.Second)))), 1}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("bucket %d: got %v, want %v", i, got[i], want[i])
		}
	}
}
