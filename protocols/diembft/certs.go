package diembft

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/byzsim/byzsim/protocols"
)

// qcIndex maps block ids to the first QC learned for each block. It holds
// the certificates of the blocks above the committed root, a handful in a
// run that commits, so they are kept in a slice searched linearly (a map's
// lookups, and the iteration that pruned it at every commit, cost more);
// past maxSmallCerts they move to a map, and back once pruned below it.
type qcIndex struct {
	small []certEntry
	big   map[protocols.Digest]*QC // nil while small holds the entries
}

type certEntry struct {
	id protocols.Digest
	qc *QC
}

// maxSmallCerts is the most certificates the slice holds, initialCerts
// its first capacity: a replica holds the QCs of the committed root's
// block and of the two or three blocks above it (the slice does not grow
// 1, 2, 4 at every replica).
const (
	maxSmallCerts = 32
	initialCerts  = 4
)

// get returns the QC of block id. The slice is searched from its end: an
// id has one entry, so the order of the search does not change the
// answer, and the certificate asked for is most often the newest (a
// proposal's and its votes' are the last one added).
func (x *qcIndex) get(id protocols.Digest) (*QC, bool) {
	if x.big != nil {
		qc, ok := x.big[id]
		return qc, ok
	}
	for i := len(x.small) - 1; i >= 0; i-- {
		if x.small[i].id == id {
			return x.small[i].qc, true
		}
	}
	return nil, false
}

// add sets the QC of block id, which has none (the index keeps the first
// QC learned for a block: callers add after get missed, so add does not
// search).
func (x *qcIndex) add(id protocols.Digest, qc *QC) {
	if x.big != nil {
		x.big[id] = qc
		return
	}
	if len(x.small) < maxSmallCerts {
		x.small = append(x.small, certEntry{id, qc})
		return
	}
	x.big = make(map[protocols.Digest]*QC, 2*maxSmallCerts)
	for _, e := range x.small {
		x.big[e.id] = e.qc
	}
	x.big[id] = qc
	x.small = x.small[:0]
}

// prune drops the certificates of blocks below round.
func (x *qcIndex) prune(round int64) {
	if x.big == nil {
		kept := x.small[:0]
		for _, e := range x.small {
			if e.qc.VoteInfo.Round >= round {
				kept = append(kept, e)
			}
		}
		for i := len(kept); i < len(x.small); i++ {
			x.small[i] = certEntry{} // fewer than clear's call costs
		}
		x.small = kept
		return
	}
	for id, qc := range x.big {
		if qc.VoteInfo.Round < round {
			delete(x.big, id)
		}
	}
	if len(x.big) <= maxSmallCerts/2 {
		x.moveToSlice()
	}
}

// moveToSlice moves the map's entries to the slice, in id order.
func (x *qcIndex) moveToSlice() {
	x.small = x.small[:0]
	for _, id := range slices.Sorted(maps.Keys(x.big)) {
		x.small = append(x.small, certEntry{id, x.big[id]})
	}
	x.big = nil
}

// dropSome forgets each certificate, in block id order, with probability
// 1/oneIn drawn from rng (a corruption).
func (x *qcIndex) dropSome(rng *rand.Rand, oneIn int) {
	if x.big != nil {
		x.moveToSlice()
	}
	slices.SortFunc(x.small, func(a, b certEntry) int { return cmp.Compare(a.id, b.id) })
	kept := x.small[:0]
	for _, e := range x.small {
		if rng.IntN(oneIn) != 0 {
			kept = append(kept, e)
		}
	}
	clear(x.small[len(kept):])
	x.small = kept
}
