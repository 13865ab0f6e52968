package chained

import (
	"math/bits"
	"slices"

	"github.com/byzsim/byzsim/protocols"
)

// specTable maps block ids to speculative states: the ledger's pending
// blocks, a handful at a time, looked up several times per message. It is
// a hash table with linear probing (at most half full, deletions shift the
// following entries back), whose lookups cost a fraction of a Go map's.
// A nil state marks an empty slot: the table never holds nil.
type specTable[B any] struct {
	slots []specSlot[B] // a power of two of them
	n     int32
	shift uint32 // 64 − log2(len(slots))
}

type specSlot[B any] struct {
	id protocols.Digest
	s  *SpecState[B]
}

// minSpecSlots is the size of a table's first slot array.
const minSpecSlots = 16

// home is the slot where id's probe starts (Fibonacci hashing: ids are
// digests, but tests use small ones).
func (t *specTable[B]) home(id protocols.Digest) int {
	return int((uint64(id) * 0x9E3779B97F4A7C15) >> t.shift)
}

// get returns the state of id.
func (t *specTable[B]) get(id protocols.Digest) (*SpecState[B], bool) {
	if t.n == 0 {
		return nil, false
	}
	mask := len(t.slots) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.s == nil {
			return nil, false
		}
		if sl.id == id {
			return sl.s, true
		}
	}
}

// put sets the state of id (s is not nil).
func (t *specTable[B]) put(id protocols.Digest, s *SpecState[B]) {
	if 2*(int(t.n)+1) > len(t.slots) {
		t.grow()
	}
	mask := len(t.slots) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.s == nil {
			sl.id, sl.s = id, s
			t.n++
			return
		}
		if sl.id == id {
			sl.s = s
			return
		}
	}
}

// del removes id, when its state is s or s is nil, and reports whether it
// removed it.
func (t *specTable[B]) del(id protocols.Digest, s *SpecState[B]) bool {
	if t.n == 0 {
		return false
	}
	mask := len(t.slots) - 1
	i := t.home(id)
	for ; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.s == nil {
			return false
		}
		if sl.id == id {
			if s != nil && sl.s != s {
				return false
			}
			break
		}
	}
	// Shift back each following entry of the run whose home is not
	// cyclically in (i, j]: its probe would otherwise stop at the hole.
	for j := (i + 1) & mask; t.slots[j].s != nil; j = (j + 1) & mask {
		k := t.home(t.slots[j].id)
		stays := (i < k && k <= j) || (j < i && (i < k || k <= j))
		if !stays {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = specSlot[B]{}
	t.n--
	return true
}

// grow doubles the slot array and re-files the entries.
func (t *specTable[B]) grow() {
	old := t.slots
	size := max(minSpecSlots, 2*len(old))
	t.slots = make([]specSlot[B], size)
	t.shift = uint32(64 - bits.TrailingZeros(uint(size)))
	t.n = 0
	for _, sl := range old {
		if sl.s != nil {
			t.put(sl.id, sl.s)
		}
	}
}

// ids returns the ids in the table, in increasing order.
func (t *specTable[B]) ids() []protocols.Digest {
	out := make([]protocols.Digest, 0, t.n)
	for _, sl := range t.slots {
		if sl.s != nil {
			out = append(out, sl.id)
		}
	}
	slices.Sort(out)
	return out
}
