package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Dist is a distribution of non-negative durations.
type Dist interface {
	// Sample draws one duration from r.
	Sample(r *rand.Rand) Time
	// CDF returns P(X ≤ x) for x in seconds.
	CDF(x float64) float64
	// Mean returns the expected value.
	Mean() Time
	// String describes the distribution ("uniform(1ms, 3ms)").
	String() string
}

// Constant is a fixed duration.
type Constant struct{ D Time }

// Uniform is uniform on [Min, Max].
type Uniform struct{ Min, Max Time }

// Normal is a normal distribution with the given mean and standard deviation,
// truncated to non-negative values (negative draws are redrawn), so its CDF
// is the normal CDF conditioned on X ≥ 0.
type Normal struct{ Mu, Sigma Time }

// Exponential is exponential with the given mean.
type Exponential struct{ M Time }

// LogNormal is log-normal: ln(X/1s) is normal with mean ln(Median/1s) and
// standard deviation Sigma.
type LogNormal struct {
	Median Time
	Sigma  float64
}

// Shifted adds a fixed base to another distribution (e.g. a region's
// propagation delay plus jitter). A nil Jitter means no jitter.
type Shifted struct {
	Base   Time
	Jitter Dist
}

// Sample implements Dist.
func (d Constant) Sample(*rand.Rand) Time { return d.D }

// CDF implements Dist.
func (d Constant) CDF(x float64) float64 {
	if x < d.D.Seconds() {
		return 0
	}
	return 1
}

// Mean implements Dist.
func (d Constant) Mean() Time { return d.D }

// String implements Dist.
func (d Constant) String() string { return fmt.Sprintf("constant(%v)", d.D) }

// Sample implements Dist.
func (d Uniform) Sample(r *rand.Rand) Time {
	if d.Max <= d.Min {
		return d.Min
	}
	return d.Min + Time(r.Int64N(int64(d.Max-d.Min)+1))
}

// CDF implements Dist.
func (d Uniform) CDF(x float64) float64 {
	lo, hi := d.Min.Seconds(), d.Max.Seconds()
	switch {
	case x < lo:
		return 0
	case x >= hi:
		return 1
	}
	return (x - lo) / (hi - lo)
}

// Mean implements Dist.
func (d Uniform) Mean() Time { return (d.Min + d.Max) / 2 }

// String implements Dist.
func (d Uniform) String() string { return fmt.Sprintf("uniform(%v, %v)", d.Min, d.Max) }

// Sample implements Dist.
func (d Normal) Sample(r *rand.Rand) Time {
	if d.Sigma <= 0 {
		return max(d.Mu, 0)
	}
	mu, s := float64(d.Mu), float64(d.Sigma)
	if a := -mu / s; a > normalTailFrom {
		// Redrawing would rarely succeed: sample the standard normal's tail
		// beyond a with Robert's exponential rejection sampler.
		lambda := (a + math.Sqrt(a*a+4)) / 2
		for {
			z := a + r.ExpFloat64()/lambda
			if r.Float64() <= math.Exp(-(z-lambda)*(z-lambda)/2) {
				return sampleTime(math.Round(mu + s*z))
			}
		}
	}
	for {
		x := mu + r.NormFloat64()*s
		if x >= 0 {
			return sampleTime(math.Round(x))
		}
	}
}

// normalTailFrom is the truncation point, in standard deviations above the
// mean, beyond which Normal samples its tail directly instead of redrawing
// (redrawing would then succeed less than once in 700 draws).
const normalTailFrom = 3

// CDF implements Dist.
func (d Normal) CDF(x float64) float64 {
	if x < 0 {
		return 0
	}
	mu, s := d.Mu.Seconds(), d.Sigma.Seconds()
	if s <= 0 {
		return Constant{max(d.Mu, 0)}.CDF(x)
	}
	phi := func(v float64) float64 { return 0.5 * math.Erfc(-(v-mu)/(s*math.Sqrt2)) }
	z := phi(0)
	return (phi(x) - z) / (1 - z)
}

// Mean implements Dist.
func (d Normal) Mean() Time {
	if d.Sigma <= 0 {
		return max(d.Mu, 0)
	}
	// Mean of a normal truncated below at 0: μ + σ·φ(α)/(1−Φ(α)), α = −μ/σ.
	mu, s := float64(d.Mu), float64(d.Sigma)
	a := -mu / s
	var hazard float64
	if a > 30 {
		// φ(α)/(1−Φ(α)) underflows to 0/0; its asymptotic expansion is
		// exact to double precision here.
		hazard = a + 1/a - 2/(a*a*a)
	} else {
		hazard = math.Exp(-a*a/2) / math.Sqrt(2*math.Pi) / (0.5 * math.Erfc(a/math.Sqrt2))
	}
	return sampleTime(math.Round(mu + s*hazard))
}

// String implements Dist.
func (d Normal) String() string { return fmt.Sprintf("normal(%v, %v)", d.Mu, d.Sigma) }

// Sample implements Dist.
func (d Exponential) Sample(r *rand.Rand) Time {
	return sampleTime(math.Round(r.ExpFloat64() * float64(d.M)))
}

// CDF implements Dist.
func (d Exponential) CDF(x float64) float64 {
	if x < 0 {
		return 0
	}
	if d.M == 0 {
		return 1
	}
	return 1 - math.Exp(-x/d.M.Seconds())
}

// Mean implements Dist.
func (d Exponential) Mean() Time { return d.M }

// String implements Dist.
func (d Exponential) String() string { return fmt.Sprintf("exponential(%v)", d.M) }

// Sample implements Dist.
func (d LogNormal) Sample(r *rand.Rand) Time {
	return sampleTime(math.Round(float64(d.Median) * math.Exp(d.Sigma*r.NormFloat64())))
}

// CDF implements Dist.
func (d LogNormal) CDF(x float64) float64 {
	if x <= 0 {
		return 0
	}
	if d.Sigma == 0 {
		return Constant{d.Median}.CDF(x)
	}
	return 0.5 * math.Erfc(-(math.Log(x)-math.Log(d.Median.Seconds()))/(d.Sigma*math.Sqrt2))
}

// Mean implements Dist.
func (d LogNormal) Mean() Time {
	return Time(math.Round(float64(d.Median) * math.Exp(d.Sigma*d.Sigma/2)))
}

// String implements Dist.
func (d LogNormal) String() string { return fmt.Sprintf("lognormal(%v, %g)", d.Median, d.Sigma) }

// Sample implements Dist.
func (d Shifted) Sample(r *rand.Rand) Time {
	if d.Jitter == nil {
		return d.Base
	}
	return d.Base + d.Jitter.Sample(r)
}

// CDF implements Dist.
func (d Shifted) CDF(x float64) float64 {
	if d.Jitter == nil {
		return Constant{d.Base}.CDF(x)
	}
	return d.Jitter.CDF(x - d.Base.Seconds())
}

// Mean implements Dist.
func (d Shifted) Mean() Time {
	if d.Jitter == nil {
		return d.Base
	}
	return d.Base + d.Jitter.Mean()
}

// String implements Dist.
func (d Shifted) String() string {
	if d.Jitter == nil {
		return Constant{d.Base}.String()
	}
	return fmt.Sprintf("%v+%v", d.Base, d.Jitter)
}

// MaxSample bounds every delay a distribution draws (2^60 ns, about 36
// years), so that a far tail cannot overflow virtual time when added to the
// clock.
const MaxSample Time = 1 << 60

// sampleTime converts a drawn delay to a Time, saturating at MaxSample.
func sampleTime(x float64) Time {
	if !(x < float64(MaxSample)) { // also NaN
		return MaxSample
	}
	return Time(x)
}
