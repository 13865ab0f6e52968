package bftlist

import "math/bits"

// maxReplicas is the largest n a replica supports (sets are 64-bit masks).
const maxReplicas = 64

// idset is a set of replica ids 0 … 63.
type idset uint64

func (s idset) has(i int) bool     { return i >= 0 && i < maxReplicas && s&(1<<uint(i)) != 0 }
func (s idset) add(i int) idset    { return s | 1<<uint(i) }
func (s idset) len() int           { return bits.OnesCount64(uint64(s)) }
func (s idset) and(t idset) idset  { return s & t }
func (s idset) with(t idset) idset { return s | t }

// full returns the set {0, …, n−1}.
func full(n int) idset {
	if n >= maxReplicas {
		return ^idset(0)
	}
	return idset(1)<<uint(n) - 1
}

// ids returns the members in increasing order.
func (s idset) ids() []int {
	out := make([]int, 0, s.len())
	for x := uint64(s); x != 0; x &= x - 1 {
		out = append(out, bits.TrailingZeros64(x))
	}
	return out
}

// mix hashes two words (SplitMix64 finalizer); digests are built from it.
func mix(a, b uint64) uint64 {
	x := a ^ (b + 0x9e3779b97f4a7c15 + a<<6 + a>>2)
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// mod returns a mod n in [0, n).
func mod(a, n int64) int64 {
	m := a % n
	if m < 0 {
		m += n
	}
	return m
}
