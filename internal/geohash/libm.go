package geohash

import "math"

// Redis computes distances with glibc's sin, cos and asin, which return
// the correctly rounded result in all but very rare cases. Go's math
// package is faithful but often a unit in the last place away from it,
// which shows in the distances STOREDIST stores with 17 digits. So the
// functions here evaluate in double-double arithmetic (about 106 bits)
// and round once, which agrees with glibc wherever glibc rounds
// correctly.

// A dd is the unevaluated sum hi + lo of two doubles, |lo| <= ulp(hi)/2:
// hi is the value rounded to a double.
type dd struct{ hi, lo float64 }

// twoSum returns a + b exactly (Knuth).
func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

// fastTwoSum returns a + b exactly, for |a| >= |b|.
func fastTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

// twoProd returns a * b exactly.
func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func (a dd) add(b dd) dd {
	s := twoSum(a.hi, b.hi)
	t := twoSum(a.lo, b.lo)
	s = fastTwoSum(s.hi, s.lo+t.hi)
	return fastTwoSum(s.hi, s.lo+t.lo)
}

func (a dd) mul(b dd) dd {
	p := twoProd(a.hi, b.hi)
	return fastTwoSum(p.hi, p.lo+(a.hi*b.lo+a.lo*b.hi))
}

// Constants in double-double, as hi and lo parts: 1/n for the Taylor
// coefficients; below, π/2 in three parts for the argument reduction.
const (
	inv6Hi, inv6Lo     = 0.16666666666666666, 9.25185853854297e-18
	inv120Hi, inv120Lo = 0.008333333333333333, 1.1564823173178714e-19
	inv24Hi, inv24Lo   = 0.041666666666666664, 2.3129646346357427e-18
	inv720Hi, inv720Lo = 0.001388888888888889, -5.300543954373577e-20
)

const (
	pio2a = 1.5707963267948966
	pio2b = 6.123233995736766e-17
	pio2c = -1.4973849048591698e-33
	twoPi = 0.6366197723675814 // 2/π

	// accurateMax bounds the arguments reduced here; larger ones (which
	// only absurd search sizes produce) go to package math.
	accurateMax = 1 << 20
)

// reduce returns r and k with x = k·π/2 + r, |r| <= about π/4.
func reduce(x float64) (r dd, k int) {
	if math.Abs(x) <= math.Pi/4 {
		return dd{x, 0}, 0
	}
	kf := math.Round(x * twoPi)
	r = twoSum(x, 0).add(negate(twoProd(kf, pio2a)))
	r = r.add(negate(twoProd(kf, pio2b)))
	r = r.add(dd{-kf * pio2c, 0})
	return r, int(kf)
}

func negate(a dd) dd { return dd{-a.hi, -a.lo} }

// sinTaylor returns sin(r) for |r| <= π/4: the first terms in
// double-double, the rest, below r^7/5040, in double.
func sinTaylor(r dd) dd {
	r2 := r.mul(r)
	z := r2.hi
	// -1/5040 + z/362880 - z²/39916800 + ... to z^6.
	tail := -1.0/5040 + z*(1.0/362880+z*(-1.0/39916800+z*(1.0/6227020800+z*(-1.0/1307674368000+
		z*(1.0/355687428096000+z*(-1.0/121645100408832000))))))
	p := dd{inv120Hi, inv120Lo}.add(dd{z * tail, 0})
	p = dd{-inv6Hi, -inv6Lo}.add(r2.mul(p))
	return r.add(r.mul(r2).mul(p))
}

// cosTaylor returns cos(r) for |r| <= π/4, as sinTaylor does.
func cosTaylor(r dd) dd {
	r2 := r.mul(r)
	z := r2.hi
	// 1/40320 - z/3628800 + ... to z^6.
	tail := 1.0/40320 + z*(-1.0/3628800+z*(1.0/479001600+z*(-1.0/87178291200+z*(1.0/20922789888000+
		z*(-1.0/6402373705728000+z*(1.0/2432902008176640000))))))
	p := dd{-inv720Hi, -inv720Lo}.add(dd{z * tail, 0})
	p = dd{inv24Hi, inv24Lo}.add(r2.mul(p))
	p = dd{-0.5, 0}.add(r2.mul(p))
	return dd{1, 0}.add(r2.mul(p))
}

// sin returns the sine of x, correctly rounded but in rare cases.
func sin(x float64) float64 {
	if x == 0 || !(math.Abs(x) <= accurateMax) {
		return math.Sin(x) // ±0, NaN, infinities, huge arguments
	}
	r, k := reduce(x)
	var s dd
	switch k & 3 {
	case 0:
		s = sinTaylor(r)
	case 1:
		s = cosTaylor(r)
	case 2:
		s = negate(sinTaylor(r))
	default:
		s = negate(cosTaylor(r))
	}
	return s.hi + s.lo
}

// cos returns the cosine of x, correctly rounded but in rare cases.
func cos(x float64) float64 {
	if !(math.Abs(x) <= accurateMax) {
		return math.Cos(x)
	}
	r, k := reduce(x)
	var c dd
	switch k & 3 {
	case 0:
		c = cosTaylor(r)
	case 1:
		c = negate(sinTaylor(r))
	case 2:
		c = negate(cosTaylor(r))
	default:
		c = sinTaylor(r)
	}
	return c.hi + c.lo
}

// asin returns the arc sine of x, correctly rounded but in rare cases:
// package math's, then one Newton step computed in double-double.
func asin(x float64) float64 {
	y := math.Asin(x)
	if x == 0 || !(math.Abs(x) < 1) {
		return y // ±0, ±1, NaN, out of range
	}
	r, k := reduce(y)
	var s dd
	switch k & 3 { // y is within [-π/2, π/2]: k is -1, 0 or 1
	case 0:
		s = sinTaylor(r)
	case 1:
		s = cosTaylor(r)
	default:
		s = negate(cosTaylor(r))
	}
	// x - sin(y), then divided by the derivative cos(y); x and s.hi are
	// within a few units in the last place, so x - s.hi is exact.
	residual := (x - s.hi) - s.lo
	return y + residual/math.Cos(y)
}
