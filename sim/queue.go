package sim

import (
	"fmt"
	"math/bits"
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

// event is one entry of the queue, 16 bytes. Payloads (messages, timers,
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

// radixHeap is a queue of events ordered by (at, seq), the far part of an
// eventQueue (events beyond the timing wheel's horizon). It is a
// radix heap with 16-way digits: the kernel never schedules an event before
// the last one popped, and every new event has a larger sequence number
// than those pending, so the keys only grow. The front holds the events at
// time last (the time of the last event moved to the front), sorted by key.
// Every other pending event is filed by the highest hexadecimal digit L in
// which its time differs from last and by its own digit d there (d is
// larger than last's): bucket L·16+d. Every event of a bucket is earlier
// than every event of a higher bucket, so the first non-empty bucket holds
// the earliest events. Popping from the front is O(1); when it is empty,
// the first non-empty bucket is split by the time of its earliest event,
// each event moving to a lower bucket (its time now agrees with last in
// digit L), so an event moves at most 16 times and in practice once or
// twice: much cheaper than the sifts of a comparison heap, and sequential
// in memory.
type radixHeap struct {
	last    Time
	front   []event // events at time last from index head on, sorted by key
	head    int
	buckets [radixBuckets]bucket
	// full has bit b set when buckets[b] is not empty.
	full [radixBuckets / 64]uint64
	n    int
}

// bucket is one bucket of a radixHeap.
type bucket struct {
	events []event
	least  Time // the earliest time in events when it is not empty
}

const (
	digitBits    = 4
	digitMask    = 1<<digitBits - 1
	radixBuckets = 64 / digitBits << digitBits
)

// file adds an event later than h.last to its bucket.
func (h *radixHeap) file(e event) {
	level := uint(bits.Len64(uint64(e.at^h.last))-1) / digitBits
	i := (level<<digitBits | uint(uint64(e.at)>>(level*digitBits))&digitMask) % radixBuckets
	b := &h.buckets[i]
	if len(b.events) == 0 || e.at < b.least {
		b.least = e.at
	}
	b.events = append(b.events, e)
	h.full[i/64] |= 1 << (i % 64)
}

func (h *radixHeap) len() int { return h.n }

// push adds an event. Its time must not be before the last event popped;
// it may be before one only peeked at (a run that stopped at its time
// limit), which costs a rebuild.
func (h *radixHeap) push(e event) {
	if e.at < h.last {
		h.rebase(e.at)
	}
	h.n++
	if e.at == h.last {
		// Its key is larger than every pending key: front stays sorted.
		h.front = append(h.front, e)
		return
	}
	h.file(e)
}

// rebase moves last back to t, before every pending event, and files the
// pending events again.
func (h *radixHeap) rebase(t Time) {
	pending := h.appendEvents(nil)
	h.reset()
	h.last = t
	for _, e := range pending {
		h.push(e)
	}
}

// firstBucket returns the first non-empty bucket; one must be.
func (h *radixHeap) firstBucket() uint {
	for w, bits64 := range h.full {
		if bits64 != 0 {
			return uint(w*64+bits.TrailingZeros64(bits64)) % radixBuckets
		}
	}
	panic("sim: settle on an empty queue")
}

// settle makes the front non-empty, the queue must not be empty.
func (h *radixHeap) settle() {
	if h.head < len(h.front) {
		return
	}
	h.front, h.head = h.front[:0], 0
	i := h.firstBucket()
	b, m := h.buckets[i].events, h.buckets[i].least
	h.last = m
	h.full[i/64] &^= 1 << (i % 64)
	for _, e := range b {
		if e.at == m {
			h.front = append(h.front, e)
			continue
		}
		h.file(e) // to a bucket below i
	}
	// Every event left the bucket for a lower one; the bucket keeps its
	// array for the events to come (dropping large arrays made the
	// collector's work grow with the run: buckets refill at every step of
	// virtual time).
	h.buckets[i].events = b[:0]
	// Events reached the bucket both pushed directly and moved down from
	// higher buckets, so those at one time may be out of key order.
	if f := h.front; len(f) > 1 && !slices.IsSortedFunc(f, cmpKey) {
		slices.SortFunc(f, cmpKey)
	}
}

func cmpKey(a, b event) int { return cmpUint64(a.key, b.key) }

// peek returns the earliest event; the queue must not be empty.
func (h *radixHeap) peek() event {
	h.settle()
	return h.front[h.head]
}

// pop removes and returns the earliest event; the queue must not be empty.
func (h *radixHeap) pop() event {
	h.settle()
	e := h.front[h.head]
	h.head++
	h.n--
	return e
}

// minTime returns the time of the earliest event, like peek, but
// without moving it to the front (last stays); the queue must not be empty.
func (h *radixHeap) minTime() Time {
	if h.head < len(h.front) {
		return h.front[h.head].at
	}
	return h.buckets[h.firstBucket()].least
}

// appendPending appends a pointer to every pending event to all.
func (h *radixHeap) appendPending(all []*event) []*event {
	for i := h.head; i < len(h.front); i++ {
		all = append(all, &h.front[i])
	}
	for i := range h.buckets {
		for j := range h.buckets[i].events {
			all = append(all, &h.buckets[i].events[j])
		}
	}
	return all
}

// appendEvents appends every pending event to all.
func (h *radixHeap) appendEvents(all []event) []event {
	all = append(all, h.front[h.head:]...)
	for i := range h.buckets {
		all = append(all, h.buckets[i].events...)
	}
	return all
}

// reset empties the heap, keeping its arrays.
func (h *radixHeap) reset() {
	for i := range h.buckets {
		h.buckets[i].events = h.buckets[i].events[:0]
	}
	h.front, h.head, h.n, h.last, h.full = h.front[:0], 0, 0, 0, [radixBuckets / 64]uint64{}
}

// renumberEvents gives the events the sequence numbers 1 … len(all) in
// their current order and returns the next free number.
func renumberEvents(all []*event) uint64 {
	slices.SortFunc(all, func(a, b *event) int { return cmpUint64(a.seq(), b.seq()) })
	for rank, e := range all {
		e.key = makeKey(uint64(rank+1), e.kind(), e.ref())
	}
	return uint64(len(all)) + 1
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
