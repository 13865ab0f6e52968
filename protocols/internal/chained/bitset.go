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
