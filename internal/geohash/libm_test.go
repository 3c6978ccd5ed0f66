package geohash

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// refPrec is the precision of the reference values: far beyond the 53
// bits the functions round to.
const refPrec = 256

// bigSinCos returns sin(x) and cos(x) by their Taylor series in refPrec
// bits, for |x| <= 4.
func bigSinCos(x *big.Float) (s, c *big.Float) {
	s, c = new(big.Float).SetPrec(refPrec).Set(x), new(big.Float).SetPrec(refPrec).SetInt64(1)
	x2 := new(big.Float).SetPrec(refPrec).Mul(x, x)
	st, ct := new(big.Float).SetPrec(refPrec).Set(x), new(big.Float).SetPrec(refPrec).SetInt64(1)
	for n := int64(1); n < 60; n++ {
		st.Mul(st, x2).Quo(st, new(big.Float).SetInt64(-(2*n)*(2*n+1)))
		ct.Mul(ct, x2).Quo(ct, new(big.Float).SetInt64(-(2*n-1)*(2*n)))
		s.Add(s, st)
		c.Add(c, ct)
	}
	return s, c
}

// TestLibmRoundsCorrectly checks sin, cos and asin against values
// computed in 256 bits and rounded once, where package math's are often
// a unit in the last place away.
func TestLibmRoundsCorrectly(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	wrong, wrongMath := 0, 0
	for i := range 1000 {
		x := (r.Float64() - 0.5) * 2 * math.Pi // the half-differences of angles
		if i%3 == 0 {
			x *= 1e-4 // nearby points
		}
		bx := new(big.Float).SetPrec(refPrec).SetFloat64(x)
		bs, bc := bigSinCos(bx)
		wantSin, _ := bs.Float64()
		wantCos, _ := bc.Float64()
		if got := sin(x); got != wantSin {
			wrong++
			t.Errorf("sin(%v) = %v, want %v", x, got, wantSin)
		}
		if got := cos(x); got != wantCos {
			wrong++
			t.Errorf("cos(%v) = %v, want %v", x, got, wantCos)
		}
		// asin: Newton's method on sin from package math's value.
		a := math.Abs(math.Sin(x))
		y := new(big.Float).SetPrec(refPrec).SetFloat64(math.Asin(a))
		ba := new(big.Float).SetPrec(refPrec).SetFloat64(a)
		for range 4 {
			s, c := bigSinCos(y)
			s.Sub(s, ba).Quo(s, c)
			y.Sub(y, s)
		}
		wantAsin, _ := y.Float64()
		if got := asin(a); got != wantAsin {
			wrong++
			t.Errorf("asin(%v) = %v, want %v", a, got, wantAsin)
		}
		if math.Sin(x) != wantSin || math.Cos(x) != wantCos || math.Asin(a) != wantAsin {
			wrongMath++
		}
		if wrong > 10 {
			t.Fatal("too many")
		}
	}
	if wrongMath == 0 {
		t.Errorf("package math rounded every value correctly: the test checks nothing package math lacks")
	}
}

func TestLibmSpecialValues(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e300, -1e10} {
		if got, want := sin(x), math.Sin(x); !(got == want || got != got && want != want) || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("sin(%v) = %v, want %v", x, got, want)
		}
		if got, want := cos(x), math.Cos(x); !(got == want || got != got && want != want) {
			t.Errorf("cos(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, 1.5, math.NaN()} {
		if got, want := asin(x), math.Asin(x); !(got == want || got != got && want != want) || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("asin(%v) = %v, want %v", x, got, want)
		}
	}
}

func BenchmarkSin(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink.f = sin(0.3 + float64(i&255)*1e-3)
	}
}

func BenchmarkAsin(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink.f = asin(0.3 + float64(i&255)*1e-3)
	}
}
