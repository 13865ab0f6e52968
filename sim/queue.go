package sim

import (
	"fmt"
	"slices"
)

// eventKind says what an event does when it is popped.
type eventKind uint8

const (
	evDeliver eventKind = iota + 1 // a message arrives (ref: message slot)
	evTimer                        // a node timer expires (ref: timer slot)
	evReady                        // a busy node finished its charged work (ref: node)
	evStart                        // a node starts (ref: node)
	evCall                         // a kernel callback (World.At; ref: callback slot)
)

// Layout of an event key: the sequence number in the high 32 bits, then the
// kind in 3 bits and the reference (a slot or a node id) in the low 29 bits.
// Ordering by key is ordering by sequence number, which is unique among
// pending events.
const (
	refBits  = 29
	refMask  = 1<<refBits - 1
	kindMask = 7
	seqShift = 32
	// maxSeq is the last sequence number issued before renumbering.
	maxSeq = 1<<32 - 1
)

// event is one entry of the heap, 16 bytes, so that the four children of a
// heap node fill exactly one cache line. Payloads (messages, timers,
// callbacks) live in slot tables indexed by the event's reference.
type event struct {
	at  Time
	key uint64
}

func makeKey(seq uint64, k eventKind, ref uint32) uint64 {
	return seq<<seqShift | uint64(k)<<refBits | uint64(ref)
}

func (e event) kind() eventKind { return eventKind(e.key >> refBits & kindMask) }
func (e event) ref() uint32     { return uint32(e.key & refMask) }
func (e event) seq() uint64     { return e.key >> seqShift }

func (e *event) before(o *event) bool {
	return e.at < o.at || (e.at == o.at && e.key < o.key)
}

// eventHeap is a 4-ary min-heap of events ordered by (at, seq). The root is
// stored at index heapRoot and the children of the node at position p at
// 4p−8 … 4p−5, so each group of siblings starts at a multiple of four
// entries (64 bytes): one cache line for large, page-aligned heaps.
type eventHeap struct {
	items []event // items[:heapRoot] are unused
}

const heapRoot = 3

func (h *eventHeap) len() int { return max(len(h.items)-heapRoot, 0) }

func (h *eventHeap) push(e event) {
	if h.items == nil {
		h.items = make([]event, heapRoot, 64)
	}
	h.items = append(h.items, e)
	items := h.items
	i := len(items) - 1
	for i > heapRoot {
		p := i>>2 + 2
		if !e.before(&items[p]) {
			break
		}
		items[i] = items[p]
		i = p
	}
	items[i] = e
}

// pop removes and returns the earliest event. The heap must not be empty.
// It moves the hole left by the root down along the smaller children to a
// leaf, then sifts the last event up from there (Floyd's bottom-up method):
// the last event usually belongs near the bottom, so this saves a comparison
// per level.
func (h *eventHeap) pop() event {
	items := h.items
	top := items[heapRoot]
	n := len(items) - 1
	last := items[n]
	items = items[:n]
	h.items = items
	if n == heapRoot {
		return top
	}
	i := heapRoot
	for {
		c := 4*i - 8
		if c >= n {
			break
		}
		m := c
		if c+3 < n {
			kids := items[c : c+4 : c+4]
			if kids[1].before(&kids[0]) {
				m = c + 1
			}
			if kids[2].before(&items[m]) {
				m = c + 2
			}
			if kids[3].before(&items[m]) {
				m = c + 3
			}
		} else {
			for j := c + 1; j < n; j++ {
				if items[j].before(&items[m]) {
					m = j
				}
			}
		}
		items[i] = items[m]
		i = m
	}
	for i > heapRoot {
		p := i>>2 + 2
		if !last.before(&items[p]) {
			break
		}
		items[i] = items[p]
		i = p
	}
	items[i] = last
	return top
}

// peekTime returns the time of the earliest event; the heap must not be empty.
func (h *eventHeap) peekTime() Time { return h.items[heapRoot].at }

// renumber gives the pending events the sequence numbers 1 … len in their
// current order and returns the next free number. Order is kept, so the heap
// stays a heap and ties still break in insertion order.
func (h *eventHeap) renumber() uint64 {
	if h.len() == 0 {
		return 1
	}
	pending := h.items[heapRoot:]
	idx := make([]int, len(pending))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmpUint64(pending[a].seq(), pending[b].seq())
	})
	for rank, i := range idx {
		e := &pending[i]
		e.key = makeKey(uint64(rank+1), e.kind(), e.ref())
	}
	return uint64(len(pending)) + 1
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkRef panics when a slot table outgrows what an event can reference.
func checkRef(i int, what string) uint32 {
	if i > refMask {
		panic(fmt.Sprintf("sim: more than %d pending %s", refMask, what))
	}
	return uint32(i)
}
