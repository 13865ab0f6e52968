package chained

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/byzsim/byzsim/sim"
)

// Bitset is a set of replica ids (signers of a certificate, senders of
// votes or timeouts).
type Bitset []uint64

// NewBitset returns an empty set of the ids 0 … n−1.
func NewBitset(n int) Bitset { return make(Bitset, (n+63)/64) }

// Add inserts id and reports whether it was absent; ids out of range are
// never added.
func (b Bitset) Add(id sim.NodeID) bool {
	i := int(id)
	if i < 0 || i/64 >= len(b) {
		return false
	}
	w, m := i/64, uint64(1)<<(i%64)
	if b[w]&m != 0 {
		return false
	}
	b[w] |= m
	return true
}

// DropSome deletes each entry of m with probability 1/oneIn, visiting the
// keys in sorted order so the draws do not depend on map order (transient
// faults).
func DropSome[K cmp.Ordered, V any](rng *rand.Rand, m map[K]V, oneIn int) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if rng.IntN(oneIn) == 0 {
			delete(m, k)
		}
	}
}

// Slab allocates values of T a chunk at a time instead of one by one (a
// replica's votes and replies: one allocation per slabChunk messages). A
// value stays valid as long as it is referenced; a chunk is freed once
// none of its values is. The zero Slab is ready to use.
type Slab[T any] struct{ free []T }

// slabChunk is how many values a Slab allocates at once.
const slabChunk = 32

// New returns a pointer to a fresh copy of v.
func (s *Slab[T]) New(v T) *T {
	if len(s.free) == 0 {
		s.free = make([]T, slabChunk)
	}
	p := &s.free[0]
	s.free = s.free[1:]
	*p = v
	return p
}
