package sim

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// The network draws a message's delay and loss from its link's PCG
// stream. Going through rand.Rand costs three indirect calls per draw
// (the Dist interface, rand.Rand's Source interface and the wrapper that
// points it at the link's PCG), more than the draw itself; for the plain
// distributions most experiments use, the functions below draw straight
// from the link's PCG. Each gives exactly the values, and consumes exactly
// the stream, that the rand.Rand method it replaces would: the tests in
// linkrand_test.go compare them draw by draw. Whatever the fast path does
// not cover (a rejection, the normal's slow strips) restores the PCG and
// is left to rand.Rand itself.

// is32bit reports a 32-bit platform, where rand.Rand draws bounded
// integers through its 32-bit path: the fast paths are not used there.
const is32bit = ^uint(0)>>32 == 0

// delayKind says how a link model's delay is drawn.
type delayKind uint8

const (
	delayOther   delayKind = iota // through Dist.Sample and rand.Rand
	delayConst                    // Constant: no draw
	delayUniform                  // Uniform with a positive range, from the PCG
	delayNormal                   // Normal in its redraw regime, from the PCG
)

// classifyDelay returns how the delay d of a link model is drawn.
func classifyDelay(d Dist) delayKind {
	switch d := d.(type) {
	case Constant:
		return delayConst
	case Uniform:
		if !is32bit && d.Max > d.Min && int64(d.Max-d.Min)+1 > 0 {
			return delayUniform
		}
	case Normal:
		if !is32bit && d.Sigma > 0 && -float64(d.Mu)/float64(d.Sigma) <= normalTailFrom {
			return delayNormal
		}
	}
	return delayOther
}

// pcgFloat64 is rand.Rand.Float64 drawing from p.
func pcgFloat64(p *rand.PCG) float64 {
	return float64(p.Uint64()<<11>>11) / (1 << 53)
}

// pcgUint64N is rand.Rand's uint64n on a 64-bit platform drawing from p: a
// uniform integer in [0, n), n > 0, by Lemire's multiply-and-reject.
func pcgUint64N(p *rand.PCG, n uint64) uint64 {
	if n&(n-1) == 0 {
		return p.Uint64() & (n - 1)
	}
	hi, lo := bits.Mul64(p.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(p.Uint64(), n)
		}
	}
	return hi
}

// sampleUniform is d.Sample drawing from p, for a Uniform whose delay kind
// is delayUniform. (Network.send writes out the same draw, for a link
// model's precomputed span: see uniformSpan and uniformTail.)
func sampleUniform(d Uniform, p *rand.PCG) Time {
	return d.Min + Time(pcgUint64N(p, uint64(int64(d.Max-d.Min)+1)))
}

// uniformSpan returns the number n of values of a Uniform d of delay kind
// delayUniform, and cut: a draw x from the PCG gives the delay d.Min + hi,
// where hi, lo = x·n (128 bits), unless lo < cut, when uniformTail gives
// it. cut is n (a rejection is possible only then), or the largest uint64
// when n is a power of two (drawn by masking instead).
func uniformSpan(d Uniform) (n, cut uint64) {
	n = uint64(int64(d.Max-d.Min)) + 1
	if n&(n-1) == 0 {
		return n, math.MaxUint64
	}
	return n, n
}

// uniformTail is the rest of pcgUint64N(p, n) after its first draw x, for
// a first draw whose 128-bit product with n has a low half lo below cut
// (see uniformSpan): x masked when n is a power of two, else Lemire's
// rejection.
func uniformTail(p *rand.PCG, n, x, lo uint64) uint64 {
	if n&(n-1) == 0 {
		return x & (n - 1)
	}
	hi := uint64(0)
	hi, lo = bits.Mul64(x, n)
	thresh := -n % n
	for lo < thresh {
		hi, lo = bits.Mul64(p.Uint64(), n)
	}
	return hi
}

// sampleNormal is d.Sample drawing from p, for a Normal whose delay kind is
// delayNormal; r is a rand.Rand whose source is p, for the draws the fast
// path leaves to it.
func sampleNormal(d Normal, p *rand.PCG, r *rand.Rand) Time {
	mu, s := float64(d.Mu), float64(d.Sigma)
	for {
		x := mu + pcgNormFloat64(p, r)*s
		if x >= 0 {
			// roundTime(x), written out:
			if x < 1<<52 {
				return roundSmall(x)
			}
			return sampleTime(math.Round(x))
		}
	}
}

// roundTime is sampleTime(math.Round(x)) for x >= 0 (not NaN), without
// math.Round's bit manipulation below 2^52 (roundSmall), where the
// delays a link draws are. sampleNormal writes it out, so that
// roundSmall inlines there.
func roundTime(x float64) Time {
	if x < 1<<52 {
		return roundSmall(x)
	}
	return sampleTime(math.Round(x))
}

// roundSmall is math.Round(x) for 0 <= x < 2^52: the conversion
// truncates x to its floor f, x - f is exact, and math.Round rounds up
// from a fraction of one half.
func roundSmall(x float64) Time {
	t := Time(x)
	if x-float64(t) >= 0.5 {
		t++
	}
	return t
}

// pcgNormFloat64 is rand.Rand.NormFloat64 (a ziggurat) drawing from p; r
// is a rand.Rand whose source is p. The common case (more than 99 % of the
// draws: the point falls inside its strip's rectangle) is computed here
// from the first draw; otherwise p is wound back and r draws the whole
// value, starting again from the same first draw.
func pcgNormFloat64(p *rand.PCG, r *rand.Rand) float64 {
	saved := *p
	u := p.Uint64()
	j := int32(u)
	i := u >> 32 & 0x7f
	abs := uint32(j)
	if j < 0 {
		abs = uint32(-j) // 1<<31 for math.MinInt32, as in rand
	}
	if abs < zigguratKN[i] {
		return float64(j) * float64(zigguratWN[i])
	}
	*p = saved
	return r.NormFloat64()
}
