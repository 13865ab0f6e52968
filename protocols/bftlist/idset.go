package bftlist

import "math/bits"

// setWords is the number of 64-bit words of an idset.
const setWords = 16

// maxReplicas is the largest n a replica supports (sets hold setWords·64
// replicas).
const maxReplicas = setWords * 64

// idset is a set of replica ids 0 … maxReplicas−1: a fixed-size bit array,
// so it is a comparable value that copies without allocating.
type idset [setWords]uint64

// setOf returns the set of the given ids (ids out of range are ignored).
func setOf(ids ...int) idset {
	var s idset
	for _, i := range ids {
		s.put(i)
	}
	return s
}

// setWord returns the set whose ids 0 … 63 are the bits of w.
func setWord(w uint64) idset { return idset{w} }

func (s idset) has(i int) bool {
	return i >= 0 && i < maxReplicas && s[i>>6]&(1<<uint(i&63)) != 0
}

// add returns s ∪ {i}; an i out of range leaves s unchanged.
func (s idset) add(i int) idset {
	if i >= 0 && i < maxReplicas {
		s[i>>6] |= 1 << uint(i&63)
	}
	return s
}

// put adds i to s in place (no copy of the set); an i out of range is
// ignored.
func (s *idset) put(i int) {
	if i >= 0 && i < maxReplicas {
		s[i>>6] |= 1 << uint(i&63)
	}
}

// lenIn is the number of members in the first words words of s: s.len()
// for a set whose members all lie below words·64.
func (s *idset) lenIn(words int) int {
	c := 0
	for _, w := range s[:words] {
		c += bits.OnesCount64(w)
	}
	return c
}

// wordsFor is the number of words that hold the ids 0 … n−1.
func wordsFor(n int) int { return min(max(n, 0)+63, maxReplicas+63) / 64 }

func (s idset) len() int {
	c := 0
	for _, w := range s {
		c += bits.OnesCount64(w)
	}
	return c
}

func (s idset) and(t idset) idset {
	for i := range s {
		s[i] &= t[i]
	}
	return s
}

func (s idset) with(t idset) idset {
	for i := range s {
		s[i] |= t[i]
	}
	return s
}

// empty reports whether s has no member.
func (s idset) empty() bool { return s == idset{} }

// full returns the set {0, …, n−1} (every id for n ≥ maxReplicas).
func full(n int) idset {
	var s idset
	n = min(max(n, 0), maxReplicas)
	for i := 0; i < n>>6; i++ {
		s[i] = ^uint64(0)
	}
	if r := n & 63; r != 0 {
		s[n>>6] = 1<<uint(r) - 1
	}
	return s
}

// ids returns the members in increasing order.
func (s idset) ids() []int {
	out := make([]int, 0, s.len())
	for i, w := range s {
		for x := w; x != 0; x &= x - 1 {
			out = append(out, i<<6|bits.TrailingZeros64(x))
		}
	}
	return out
}

// setBytes is the encoded size of a set of n replicas: one bit each.
func setBytes(n int) int { return (n + 7) / 8 }

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
