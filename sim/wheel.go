package sim

import (
	"iter"
	"math"
	"math/bits"
	"slices"
)

// eventQueue is the queue of pending events, ordered by (at, key). Most
// events are near-future ones (message deliveries a few milliseconds or a
// few hundred milliseconds ahead, periodic timers), so it is a timing
// wheel: slots of 2^shift nanoseconds, one for each of the len(slots)
// slot-widths after the current one, each holding its events unsorted. An
// event is filed once, into its slot; when the queue reaches a slot, the
// slot's few events are sorted into the front. Events beyond the wheel's
// horizon (long timeouts) wait in an outer wheel of outerSlots slots, each
// as wide as half the wheel, and move into the wheel, a slot at a time,
// once it comes within reach; events beyond the outer wheel's horizon too
// wait in a radix heap (far). Slot width and wheel size follow the
// run's density of events (see adapt), which changes how the events are
// stored, never the order in which they are popped: that is (at, key)
// whatever the layout.
type eventQueue struct {
	// front holds, from head on, the events of slots up to cur, sorted by
	// (at, key); every other pending event is in a later slot.
	front []event
	head  int
	// cur is the absolute slot number (time >> shift) of the front.
	cur   int64
	shift uint
	// slots[s & mask] holds the events of absolute slot s for cur < s <
	// cur + len(slots); occ has bit i set when slots[i] is not empty, and
	// sum bit w when occ[w] is not zero.
	slots []slotHead
	mask  int64
	occ   []uint64
	sum   [maxWheelSlots / 64 / 64]uint64
	// chunks holds the slots' events, slotCap to a chunk: chunk c is
	// chunks[c*slotCap:][:slotCap], and next[c] is the chunk filled before
	// c in its slot's chain. free lists the chunks of no slot, last freed
	// on top: an empty slot takes the top one at its first event, whose
	// memory a recent slot of the front used, so it is likely still in the
	// caches.
	chunks []event
	next   []uint32
	free   []uint32
	// outer holds the events of slots cur + len(slots) and beyond whose
	// outer slot (time >> (shift + obits), half the wheel wide) o is at
	// most ocur + outerSlots - 1, where ocur is the outer slot of cur,
	// at outer[o & (outerSlots-1)] (their chunks from the same pool);
	// oocc has bit i set when outer[i] is not empty, and outerN counts
	// their events. Every event of an outer slot is later than cur (see
	// advance, which moves a slot into the wheel before cur reaches it).
	outer  [outerSlots]slotHead
	oocc   [outerSlots / 64]uint64
	outerN int
	obits  uint
	// ostart is the first slot of the wheel (absolute) that the first
	// non-empty outer slot covers, math.MaxInt64 when the outer wheel is
	// empty; pullAt is the first slot of the wheel at which the outer
	// wheel reaches far's earliest event, math.MaxInt64 when far is empty.
	ostart, pullAt int64
	// far holds the events beyond the outer wheel (outer slots after ocur
	// + outerSlots - 1), every one of them later than all the events of
	// the wheel and the outer wheel; farMin is the earliest time in far
	// when it is not empty. Only the events that join the outer wheel are
	// popped from far, so its last popped time stays before every event
	// pushed to it later (no rebase).
	far    radixHeap
	farMin Time
	n      int
	// last is the time of the last event popped; mark the time, and pops
	// the number of events popped since, when the density was last
	// measured; peak is the largest n since; window is how many pops the
	// next measure waits for; advance calls reshape once due events were
	// popped (window, or none when a burst is pending).
	last, mark Time
	pops, peak int
	window     int
	due        int
	// hold is how many more events are to be popped before a measure
	// that differs from the geometry is checked against the pending
	// events again (see adapt).
	hold int
	// held holds, unfiled and in the order pushed, the events beyond the
	// horizon pushed while a burst is pending (due == 0): the next
	// advance files every pending event again in the geometry the burst
	// asks for (fitBurst), or files them where they belong when it keeps
	// the geometry (reshape). At the flood's start 120,000 requests
	// would otherwise be filed into the outer wheel and then again into
	// the wheel.
	held []event
	tmp  []event // scratch for rebuild
}

// slotHead is a slot of the wheel, 8 bytes: at BFTList n = 100 the wheel
// has 65,536 slots of 4 µs, and a delivery 1 to 5 ms ahead writes a slot
// about a thousand slots ahead of the front, whose header line has left
// the first-level cache since the wheel's last turn (a slice header of 24
// bytes a slot made the headers 1.5 MB, beyond the last-level cache too).
// Its events are a chain of chunks: chunk, the one filled last, holds the
// last (n-1)%slotCap + 1 events, and every chunk before it in the chain
// (next) is full.
type slotHead struct {
	chunk uint32 // the chain's last chunk, when n > 0
	n     uint32 // the number of events
}

// Wheel geometry. The wheel starts with minWheelSlots slots of
// 2^initialShift ns and is measured by adapt after firstWindow pops, then
// after twice as many each time up to lastWindow (long enough to span the
// bursts of periodic broadcasts), for slots of about slotEvents events on
// average and about twice as many slots as the most events pending at once
// (so that the horizon covers most of them). It is rebuilt only when off
// by a factor of 4 or more.
const (
	minWheelSlots = 1 << 8
	maxWheelSlots = 1 << 16
	initialShift  = 16 // 65.5 µs
	minShift      = 6
	maxShift      = 40
	firstWindow   = 1 << 10
	lastWindow    = 1 << 16
	slotEvents    = 4
	lookAhead     = 1 << 10
	farBurst      = 16             // far events a slot above which the pending events set the geometry at once (fitBurst)
	denseBinBits  = 10             // pendingShift's density bins: 2^denseBinBits
	slotCap       = 2 * slotEvents // events in a chunk
	chunkBatch    = 64             // fewest chunks made at once
	// frontLimit is the number of pending events in the front above which
	// an insertion before its end narrows the slots (see narrow).
	frontLimit = 64
	// insertionSortMax is the size up to which a slot is sorted by
	// insertion: the common case of a few events, and linear when the
	// events already are in order (a burst at one time).
	insertionSortMax = 24
	// outerSlots is the outer wheel's number of slots: with slots of half
	// the wheel's horizon, it reaches 128 horizons ahead (34 s for the
	// 65,536 slots of 4 µs of BFTList at n = 100, whose failure detector
	// keeps some 190,000 timeouts 5 s ahead pending).
	outerSlots = 256
)

func (q *eventQueue) len() int { return q.n }

// init gives the queue its first geometry.
func (q *eventQueue) init() {
	q.ostart, q.pullAt = math.MaxInt64, math.MaxInt64
	q.resize(initialShift, minWheelSlots)
	q.window, q.due = firstWindow, firstWindow
}

// resize sets the geometry of an empty wheel (its slots zero, their
// chunks free).
func (q *eventQueue) resize(shift uint, slots int) {
	q.shift = shift
	if len(q.slots) != slots {
		q.slots = make([]slotHead, slots)
		q.occ = make([]uint64, slots/64)
	}
	q.mask = int64(slots - 1)
	q.obits = uint(bits.Len(uint(slots)) - 2)
	q.cur = int64(q.last) >> shift
}

// push adds an event. Its time must not be before the last event popped; it
// may be before the earliest pending one, even one peeked at.
func (q *eventQueue) push(e event) {
	if q.n++; q.n > q.peak {
		q.peak = q.n
	}
	q.place(e)
}

// place files a counted event in the front, its slot or far.
func (q *eventQueue) place(e event) {
	s := int64(e.at) >> (q.shift & 63) // below 64: no guard
	if d := s - q.cur; d > 0 && d <= q.mask {
		// file, inlined for the common cases: a slot whose last chunk
		// has room (its header is read and its count written), and an
		// empty slot, which takes the chunk freed last.
		i := s & q.mask
		h := &q.slots[i]
		if j := h.n % slotCap; j != 0 {
			q.chunks[int(h.chunk)*slotCap+int(j)] = e
			h.n++
			return
		}
		if k := len(q.free) - 1; h.n == 0 && k >= 0 {
			c := q.free[k]
			q.free = q.free[:k]
			q.chunks[int(c)*slotCap] = e
			*h = slotHead{chunk: c, n: 1}
			q.occupy(i)
			return
		}
	}
	q.placeSlow(e, s)
}

// placeSlow is place for an event of absolute slot s that goes to the
// front, the outer wheel, far, a slot whose last chunk is full, an empty
// slot when no chunk is free, or into the zero queue.
func (q *eventQueue) placeSlow(e event, s int64) {
	switch {
	case s <= q.cur:
		q.insertFront(e)
	case s-q.cur <= q.mask:
		if q.append(&q.slots[s&q.mask], e) {
			q.occupy(s & q.mask)
		}
	case q.slots == nil:
		// The zero queue: its front is slot 0 of width 1 ns, which the
		// first geometry keeps in its own slot 0.
		q.init()
		q.place(e)
	case q.due == 0:
		// The next advance files it. The array doubles as it grows (append
		// grows a large one by a quarter, five times the garbage).
		if len(q.held) == cap(q.held) {
			q.held = slices.Grow(q.held, max(len(q.held), chunkBatch*slotCap))
		}
		q.held = append(q.held, e)
	default:
		q.fileBeyond(e, s)
	}
}

// fileBeyond files an event of absolute slot s, beyond the horizon, in
// the outer wheel or far, and notes a burst when it makes one.
func (q *eventQueue) fileBeyond(e event, s int64) {
	if o := s >> (q.obits & 63); o-q.cur>>(q.obits&63) < outerSlots {
		q.fileOuter(e, o)
	} else {
		if q.far.len() == 0 || e.at < q.farMin {
			q.setFarMin(e.at)
		}
		q.far.push(e)
	}
	if q.burst() {
		q.due = 0 // fitBurst at the next advance
	}
}

// append appends an event to the slot (of the wheel or the outer wheel)
// with header h, starting a chunk when its last one is full or it has
// none, and reports whether the slot was empty.
func (q *eventQueue) append(h *slotHead, e event) bool {
	j := h.n % slotCap
	first := h.n == 0
	if j == 0 {
		c := q.newChunk()
		if !first {
			q.next[c] = h.chunk
		}
		h.chunk = c
	}
	q.chunks[int(h.chunk)*slotCap+int(j)] = e
	h.n++
	return first
}

// occupy marks slot index i as holding events, in occ and sum.
func (q *eventQueue) occupy(i int64) {
	q.occ[i>>6] |= 1 << (i & 63)
	q.sum[i>>12] |= 1 << (i >> 6 & 63)
}

// newChunk returns the chunk freed last, making more (as many as there
// are, at least chunkBatch) when none is free.
func (q *eventQueue) newChunk() uint32 {
	k := len(q.free)
	if k == 0 {
		have := len(q.next)
		more := max(have, chunkBatch)
		checkRef(have+more, "event chunks")
		q.chunks = slices.Grow(q.chunks, more*slotCap)[:(have+more)*slotCap]
		q.next = slices.Grow(q.next, more)[:have+more]
		q.freeChunks(have)
		k = len(q.free)
	}
	c := q.free[k-1]
	q.free = q.free[:k-1]
	return c
}

// freeChunks frees the chunks from number from on, the lowest on top.
func (q *eventQueue) freeChunks(from int) {
	for c := len(q.next) - 1; c >= from; c-- {
		q.free = append(q.free, uint32(c))
	}
}

// chain yields the chunks of a slot with header h and the number of
// events in each, from its last chunk back to its first.
func (q *eventQueue) chain(h slotHead) iter.Seq2[uint32, int] {
	return func(yield func(uint32, int) bool) {
		if h.n == 0 {
			return
		}
		c, k := h.chunk, int(h.n-1)%slotCap+1
		for left := int(h.n); ; c, k = q.next[c], slotCap {
			if !yield(c, k) {
				return
			}
			if left -= k; left == 0 {
				return
			}
		}
	}
}

// appendSlot appends the events of a slot with header h to all, in the
// order they were filed (a burst filed in order stays sorted, which
// sortEvents checks first): its chain, from its last chunk back, fills
// the new part of all from the end. With free set, it also frees the
// slot's chunks, its last chunk on top.
func (q *eventQueue) appendSlot(all []event, h slotHead, free bool) []event {
	end := len(all) + int(h.n)
	all = slices.Grow(all, int(h.n))[:end]
	for c, k := range q.chain(h) {
		copy(all[end-k:end], q.chunks[int(c)*slotCap:][:k])
		end -= k
		if free && c != h.chunk {
			q.free = append(q.free, c)
		}
	}
	if free && h.n > 0 {
		q.free = append(q.free, h.chunk)
	}
	return all
}

// insertFront adds an event of a slot up to cur to the sorted front. Its
// key is larger than every pending key, so it goes after the events of its
// time: at the end, unless later events of the slot are pending.
func (q *eventQueue) insertFront(e event) {
	f := q.front
	lo, hi := q.head, len(f)
	if hi == lo || !e.before(&f[hi-1]) {
		q.front = append(f, e)
		return
	}
	if hi-lo > frontLimit && q.narrow() {
		q.place(e)
		return
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e.before(&f[m]) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	f = append(f, event{})
	copy(f[lo+1:], f[lo:])
	f[lo] = e
	q.front = f
}

// peek returns the earliest event; the queue must not be empty.
func (q *eventQueue) peek() event {
	if q.head == len(q.front) {
		q.advance()
	}
	return q.front[q.head]
}

// pop removes and returns the earliest event; the queue must not be empty.
func (q *eventQueue) pop() event {
	e := q.peek()
	q.skip(e.at)
	return e
}

// skip removes the event peek returned, whose time is at; no push may
// come between.
func (q *eventQueue) skip(at Time) {
	q.last = at
	q.head++
	q.n--
	q.pops++
}

// advance moves the next non-empty slot into the empty front; the queue
// must not be empty.
func (q *eventQueue) advance() {
	q.front, q.head = q.front[:0], 0
	if q.pops >= q.due && q.reshape() {
		if len(q.front) > 0 {
			return
		}
	}
	i, ok := q.nextOccupied((q.cur + 1) & q.mask)
	s := q.cur + 1 + (i-q.cur-1)&q.mask
	if !ok || q.ostart <= s {
		s = q.turn()
	}
	q.cur = s
	if s >= q.pullAt {
		q.pull()
	}
	i = s & q.mask
	h := q.slots[i]
	q.slots[i] = slotHead{}
	q.occ[i>>6] &^= 1 << (i & 63)
	if q.occ[i>>6] == 0 {
		q.sum[i>>12] &^= 1 << (i >> 6 & 63)
	}
	if h.n <= slotCap && cap(q.front) >= slotCap {
		// The common case, one chunk of a few events: sorted by
		// insertion (as sortEvents would) as they are copied.
		q.front = q.front[:h.n]
		insertionSort(q.front, q.chunks[int(h.chunk)*slotCap:][:h.n])
		q.free = append(q.free, h.chunk)
		return
	}
	q.front = q.appendSlot(q.front, h, true)
	sortEvents(q.front)
}

// turn is advance's rare part: it moves the outer slots that start at or
// before the next non-empty slot of the wheel into the wheel (their events
// may be before that slot's), and far's events into the outer wheel when
// the wheel and the outer wheel are empty, and returns the wheel's next
// non-empty slot.
func (q *eventQueue) turn() int64 {
	for {
		i, ok := q.nextOccupied((q.cur + 1) & q.mask)
		s := q.cur + 1 + (i-q.cur-1)&q.mask
		if q.outerN > 0 && (!ok || q.ostart <= s) {
			q.cascade()
			continue
		}
		if ok {
			return s
		}
		// Only far holds events: the wheel moves on to just before the
		// earliest, which then joins the outer wheel or the wheel.
		q.cur = max(q.cur, int64(q.farMin)>>q.shift-1)
		q.pull()
	}
}

// fileOuter appends an event of outer slot o, within the outer wheel's
// horizon, to it.
func (q *eventQueue) fileOuter(e event, o int64) {
	i := o & (outerSlots - 1)
	if q.append(&q.outer[i], e) {
		q.oocc[i>>6] |= 1 << (i & 63)
	}
	q.outerN++
	q.ostart = min(q.ostart, o<<(q.obits&63))
}

// nextOuter returns the absolute number of the first non-empty outer
// slot after outer slot o; the outer wheel must not be empty.
func (q *eventQueue) nextOuter(o int64) int64 {
	base := o + 1
	from := base & (outerSlots - 1)
	w := from >> 6
	var i int64
	if b := q.oocc[w] >> (from & 63); b != 0 {
		i = from + int64(bits.TrailingZeros64(b))
	} else {
		for k := int64(1); ; k++ {
			j := (w + k) % int64(len(q.oocc))
			if b := q.oocc[j]; b != 0 {
				i = j<<6 + int64(bits.TrailingZeros64(b))
				break
			}
		}
	}
	return base + (i-from)&(outerSlots-1)
}

// cascade moves the events of the first non-empty outer slot into the
// wheel, before the front reaches the wheel slots they belong to (none of
// which is before the next non-empty wheel slot's): the wheel moves on to
// the slot just before the outer slot's first, so that the whole outer
// slot, half the wheel wide, is within its horizon.
func (q *eventQueue) cascade() {
	o := q.ostart >> q.obits
	q.cur = max(q.cur, q.ostart-1)
	i := o & (outerSlots - 1)
	h := q.outer[i]
	q.outer[i] = slotHead{}
	q.oocc[i>>6] &^= 1 << (i & 63)
	if q.outerN -= int(h.n); q.outerN > 0 {
		q.ostart = q.nextOuter(o) << q.obits
	} else {
		q.ostart = math.MaxInt64
	}
	for c, k := range q.chain(h) {
		for _, e := range q.chunks[int(c)*slotCap:][:k] {
			q.place(e)
		}
		q.free = append(q.free, c)
	}
	if q.cur >= q.pullAt {
		q.pull()
	}
}

// pull moves the events of far that the outer wheel now reaches (their
// outer slot at most ocur + outerSlots - 1, where ocur is cur's) into the
// outer wheel or the wheel.
func (q *eventQueue) pull() {
	for q.far.len() > 0 && int64(q.farMin)>>q.shift>>q.obits-q.cur>>q.obits < outerSlots {
		e := q.far.pop()
		if q.far.len() > 0 {
			q.setFarMin(q.far.minTime())
		} else {
			q.pullAt = math.MaxInt64
		}
		q.place(e)
	}
}

// setFarMin sets far's earliest time, and pullAt, the first slot of the
// wheel at which the outer wheel reaches it.
func (q *eventQueue) setFarMin(t Time) {
	q.farMin = t
	q.pullAt = (int64(t)>>q.shift>>q.obits - outerSlots + 1) << q.obits
}

// nextOccupied returns the first non-empty slot at or after index from,
// wrapping around the wheel.
func (q *eventQueue) nextOccupied(from int64) (int64, bool) {
	w := from >> 6
	if b := q.occ[w] >> (from & 63); b != 0 {
		return from + int64(bits.TrailingZeros64(b)), true
	}
	if j, ok := q.nextWord(w + 1); ok {
		return j<<6 + int64(bits.TrailingZeros64(q.occ[j])), true
	}
	// Wrap around: the first non-empty word is at or before w.
	if j, ok := q.nextWord(0); ok {
		return j<<6 + int64(bits.TrailingZeros64(q.occ[j])), true
	}
	return 0, false
}

// nextWord returns the first non-zero word of occ at or after w.
func (q *eventQueue) nextWord(w int64) (int64, bool) {
	words := int64(len(q.occ))
	for w < words {
		sw := w >> 6
		if b := q.sum[sw] >> (w & 63); b != 0 {
			return w + int64(bits.TrailingZeros64(b)), true
		}
		w = (sw + 1) << 6
	}
	return 0, false
}

// adapt measures the density of the events popped since the last
// measure and, when the slot width or the wheel size is off, files every
// pending event again in a wheel of the right geometry. It reports whether
// it rebuilt.
func (q *eventQueue) adapt() bool {
	span, pops, peak := q.last-q.mark, q.pops, q.peak
	q.mark, q.pops, q.peak = q.last, 0, q.n
	q.window = min(2*q.window, lastWindow)
	q.hold -= pops
	if span <= 0 {
		return false // no time passed: nothing to measure
	}
	width := uint64(span) / uint64(pops) * slotEvents
	shift := uint(min(max(bits.Len64(width)-1, minShift), maxShift))
	slots := slotsFor(peak)
	if !q.off(shift, slots) || q.hold > 0 {
		// The geometry fits the measure, or was set by pending events
		// that are not all popped yet (a burst that outlasts a window).
		return false
	}
	// The measure is an average over a window that may have started
	// before a burst or within one: the pending events say what the next
	// window will see, until as many events as are pending now were
	// popped.
	all := q.pending()
	shift = q.pendingShift(all, shift, slots)
	q.hold = len(all)
	if !q.off(shift, slots) {
		return false
	}
	q.refile(all, shift, slots)
	return true
}

// reshape runs adapt once window events were popped since the last
// measure, or fitBurst when a burst waits beyond the horizon, and reports
// whether either rebuilt the wheel.
func (q *eventQueue) reshape() bool {
	rebuilt := false
	if q.burst() {
		rebuilt = q.fitBurst()
	} else if q.pops >= q.window {
		rebuilt = q.adapt()
	}
	q.due = q.window
	if len(q.held) > 0 {
		q.file()
	}
	return rebuilt
}

// file files the held events beyond the horizon (the outer wheel or far),
// in the order they were pushed. Should cur have come within the horizon
// of one since it was held, fileOuter's ostart still leads the next
// advance to cascade it in time (TestFileHeldWithinHorizon).
func (q *eventQueue) file() {
	for _, e := range q.held {
		q.fileBeyond(e, int64(e.at)>>(q.shift&63))
	}
	q.held = q.held[:0]
}

// burst reports whether more than farBurst events a slot wait beyond the
// horizon, and the geometry was not set by pending events not all popped
// yet.
func (q *eventQueue) burst() bool {
	return q.beyond() > farBurst*len(q.slots) && q.hold <= q.pops
}

// beyond returns the number of events beyond the wheel's horizon, in the
// outer wheel and far.
func (q *eventQueue) beyond() int { return q.outerN + q.far.len() + len(q.held) }

// fitBurst files the pending events in a wheel of the geometry they ask
// for, when more than farBurst a slot wait beyond the horizon (a burst,
// such as every client's requests sent at once, that the wheel's first
// geometry cannot hold): it does not wait for the next measure, for which
// every event of the burst that comes within reach would be filed in far's
// buckets and moved down them as the horizon moves. It reports whether it
// rebuilt.
func (q *eventQueue) fitBurst() bool {
	all := q.pending()
	slots := slotsFor(len(all))
	shift := q.pendingShift(all, q.shift, slots)
	// The next measure checks the geometry against the pending events
	// once as many events as are pending now were popped (see adapt).
	q.hold = q.pops + len(all)
	if !q.off(shift, slots) {
		return false
	}
	q.refile(all, shift, slots)
	return true
}

// off reports whether a wheel of the given geometry differs enough from
// the current one to rebuild: slots 4 or more times wider or narrower, or
// 4 or more times more or fewer slots.
func (q *eventQueue) off(shift uint, slots int) bool {
	return shift >= q.shift+2 || shift+2 <= q.shift || slots >= 4*len(q.slots) || 4*slots <= len(q.slots)
}

// narrow rebuilds the wheel with narrower slots (and, up to maxWheelSlots,
// as many more, for the same horizon) when the front holds many events of
// different times: the slots are too wide for the run's density, and every
// insertion would move the front's events. The new width is four times
// what the front's density asks for (the front may be a burst, denser than
// the run), and at least four times narrower than the old. It reports
// whether it rebuilt; a front of events at one time is left as it is.
func (q *eventQueue) narrow() bool {
	f := q.front[q.head:]
	if f[0].at == f[len(f)-1].at || q.shift < minShift+2 {
		return false
	}
	width := uint64(f[len(f)-1].at-f[0].at) / uint64(len(f)) * slotEvents
	shift := min(max(uint(bits.Len64(width)+1), minShift), q.shift-2)
	slots := len(q.slots)
	for s := shift; s < q.shift && slots < maxWheelSlots; s++ {
		slots <<= 1
	}
	q.rebuild(shift, slots)
	q.mark, q.pops, q.hold = q.last, 0, 0
	return true
}

// rebuild files every pending event again in a wheel of the given
// geometry.
func (q *eventQueue) rebuild(shift uint, slots int) {
	q.refile(q.pending(), shift, slots)
}

// pending returns every pending event, in q.tmp (kept for the next
// time), the held ones first: when there are held events, their array
// becomes q.tmp (a burst's are most of the pending events) and held
// stays its beginning.
func (q *eventQueue) pending() []event {
	all := q.tmp[:0]
	if len(q.held) > 0 {
		all = q.held
	}
	all = q.appendEvents(all)
	q.tmp, q.held = all[:0], all[:len(q.held)]
	return all
}

// slotsFor is the number of slots for a wheel that is to hold n events:
// the smallest power of two from minWheelSlots that is at least 2n, up to
// maxWheelSlots.
func slotsFor(n int) int {
	slots := minWheelSlots
	for slots < 2*n && slots < maxWheelSlots {
		slots <<= 1
	}
	return slots
}

// refile empties the wheel and files all, every pending event, in a wheel
// of the given geometry; all must not share the wheel's arrays (q.tmp
// may hold it).
func (q *eventQueue) refile(all []event, shift uint, slots int) {
	q.front, q.head = q.front[:0], 0
	q.held = nil // they are in all (and q.held's array may be all's)
	clear(q.slots)
	q.free = q.free[:0]
	q.freeChunks(0)
	clear(q.occ)
	q.sum = [len(q.sum)]uint64{}
	q.outer, q.oocc, q.outerN = [outerSlots]slotHead{}, [outerSlots / 64]uint64{}, 0
	q.ostart, q.pullAt = math.MaxInt64, math.MaxInt64
	q.far.reset()
	q.resize(shift, slots)
	for _, e := range all {
		switch s := int64(e.at) >> q.shift; {
		case s <= q.cur:
			q.front = append(q.front, e)
		case s-q.cur > q.mask:
			q.fileBeyond(e, s) // not held: the geometry is set
		default:
			q.place(e)
		}
	}
	sortEvents(q.front)
	q.tmp = all[:0]
}

// pendingShift returns the slot width, as a shift, for a wheel of the
// given number of slots that is to hold the pending events, given the
// width asked by the measure of the events popped (which may predate a
// burst, such as all the clients' requests arriving at once, or lag
// behind one). The width is no wider than what gives about slotEvents
// events a slot to the lookAhead events nearest to q.last, nor to a
// typical pending event's neighbourhood (the density weighted by itself);
// but it is wide enough for the wheel's horizon to reach twice as far as
// nine in ten of the pending events (narrower slots would leave a burst
// beyond the horizon, to be filed twice, and the wheel rebuilt again as the
// burst thins out), unless that is wider than both the width asked and
// the current one: the pending events are then mostly far timers, not a
// burst. all holds the pending events.
func (q *eventQueue) pendingShift(all []event, asked uint, slots int) uint {
	n := len(all)
	if n < 2 {
		return asked
	}
	var hist [65]int
	for _, e := range all {
		hist[bits.Len64(uint64(e.at-q.last))]++
	}
	shift := asked
	k, near := min(n, lookAhead), 0
	for b, c := range hist {
		if near += c; near >= k {
			width := uint64(1) << b / uint64(k) * slotEvents
			shift = min(shift, uint(max(bits.Len64(width)-1, minShift)))
			break
		}
	}
	// Nine in ten pending events are less than 2^b ns ahead.
	b, seen := 0, hist[0]
	for seen < n-n/10 {
		b++
		seen += hist[b]
	}
	// The density that a typical pending event sees (weighted by itself),
	// counted in 2^denseBinBits bins up to 2^(b+1) ahead.
	binShift := uint(max(b+1-denseBinBits, 0))
	var bins [1 << denseBinBits]int32
	for _, e := range all {
		if i := uint64(e.at-q.last) >> binShift; i < uint64(len(bins)) {
			bins[i]++
		}
	}
	var sum, sq uint64
	for _, c := range bins {
		sum += uint64(c)
		sq += uint64(c) * uint64(c)
	}
	if sq > 0 {
		// sum << binShift / sq, in 128 bits: binShift reaches 54 when the
		// pending events include saturated times (Never).
		width := uint64(math.MaxUint64)
		if hi, lo := bits.Mul64(sum, 1<<binShift); hi < sq {
			width, _ = bits.Div64(hi, lo, sq)
			width = min(width, math.MaxUint64/slotEvents) * slotEvents
		}
		shift = min(shift, uint(max(bits.Len64(width)-1, minShift)))
	}
	// Slots wide enough for the wheel's horizon to reach 2^(b+1) (twice
	// as far, for the tail of a burst), unless that is wider than both the
	// measure and the current slots (the pending events are then mostly
	// timers far ahead, not a burst).
	if cover := uint(max(b+2-bits.Len(uint(slots)), minShift)); cover <= max(asked, q.shift) {
		shift = max(shift, cover)
	}
	return min(max(shift, minShift), maxShift)
}

// appendEvents appends every pending event but the held ones to all.
func (q *eventQueue) appendEvents(all []event) []event {
	all = append(all, q.front[q.head:]...)
	for _, h := range q.slots {
		if h.n > 0 {
			all = q.appendSlot(all, h, false)
		}
	}
	for _, h := range q.outer {
		if h.n > 0 {
			all = q.appendSlot(all, h, false)
		}
	}
	return q.far.appendEvents(all)
}

// renumber gives the pending events the sequence numbers 1 … len in their
// current order and returns the next free number. Order is kept, so the
// front stays sorted and ties still break in insertion order.
func (q *eventQueue) renumber() uint64 {
	all := make([]*event, 0, q.n)
	for i := q.head; i < len(q.front); i++ {
		all = append(all, &q.front[i])
	}
	for _, slots := range [][]slotHead{q.slots, q.outer[:]} {
		for _, h := range slots {
			for c, k := range q.chain(h) {
				for j := range k {
					all = append(all, &q.chunks[int(c)*slotCap+j])
				}
			}
		}
	}
	for i := range q.held {
		all = append(all, &q.held[i])
	}
	all = q.far.appendPending(all)
	return renumberEvents(all)
}

// sortEvents sorts events by (at, key).
func sortEvents(es []event) {
	if len(es) <= insertionSortMax {
		insertionSort(es, es)
		return
	}
	if !slices.IsSortedFunc(es, cmpEvent) {
		slices.SortFunc(es, cmpEvent)
	}
}

// insertionSort sorts the events of src into dst (len(dst) == len(src);
// dst may be src) by insertion: the common case of a few events, and
// linear when they already are in order.
func insertionSort(dst, src []event) {
	dst = dst[:len(src)]
	for k, e := range src {
		j := k
		for ; j > 0 && e.before(&dst[j-1]); j-- {
			dst[j] = dst[j-1]
		}
		dst[j] = e
	}
}

func cmpEvent(a, b event) int {
	if a.at != b.at {
		if a.at < b.at {
			return -1
		}
		return 1
	}
	return cmpUint64(a.key, b.key)
}
