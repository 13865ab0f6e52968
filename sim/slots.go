package sim

// timerTable holds the timers of all nodes by slot. A slot belongs to its
// timer from SetTimer until the timer's input is handled or discarded, so the
// heap event refers to it by index alone; the generation in the TimerID lets
// CancelTimer recognize handles of timers that already fired.
type timerTable struct {
	slots []timerSlot
	free  []uint32
}

type timerSlot struct {
	gen   uint32
	node  NodeID
	kind  int
	data  int64
	armed bool
}

// add arms a timer of node and returns its slot and handle.
func (t *timerTable) add(node NodeID, kind int, data int64) (uint32, TimerID) {
	var i uint32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		i = checkRef(len(t.slots), "timers")
		t.slots = append(t.slots, timerSlot{gen: 1})
	}
	s := &t.slots[i]
	s.node, s.armed, s.kind, s.data = node, true, kind, data
	return i, timerID(i, s.gen)
}

func timerID(slot, gen uint32) TimerID { return TimerID(uint64(slot)<<32 | uint64(gen)) }

// cancel disarms the timer with handle id if it is still pending; its slot
// is freed when its event or queued input is discarded.
func (t *timerTable) cancel(id TimerID) {
	i := uint64(id) >> 32
	if id == 0 || i >= uint64(len(t.slots)) {
		return
	}
	if s := &t.slots[i]; s.gen == uint32(id) {
		s.armed = false
	}
}

// fire frees slot i and returns its timer and whether it was still armed.
func (t *timerTable) fire(i uint32) (Timer, bool) {
	s := &t.slots[i]
	tm, ok := Timer{ID: timerID(i, s.gen), Kind: s.kind, Data: s.data}, s.armed
	t.release(i)
	return tm, ok
}

// release frees slot i and invalidates its handle.
func (t *timerTable) release(i uint32) {
	s := &t.slots[i]
	s.armed = false
	s.gen++
	if s.gen == 0 { // keep TimerID 0 unissued
		s.gen = 1
	}
	t.free = append(t.free, i)
}

// slotTable holds values by slot, reusing freed slots, so heap events refer
// to a message in flight or a callback by a small index.
type slotTable[T any] struct {
	slots []T
	free  []uint32
	what  string // for the overflow panic
}

func (t *slotTable[T]) put(v T) uint32 {
	if n := len(t.free); n > 0 {
		i := t.free[n-1]
		t.free = t.free[:n-1]
		t.slots[i] = v
		return i
	}
	i := checkRef(len(t.slots), t.what)
	t.slots = append(t.slots, v)
	return i
}

// take frees slot i and returns its value, dropping the table's reference
// for the collector.
func (t *slotTable[T]) take(i uint32) T {
	v := t.slots[i]
	var zero T
	t.slots[i] = zero
	t.free = append(t.free, i)
	return v
}

// msgTable is a slotTable of the messages in flight, written out for
// the one type: the generic table reaches its element type through a
// dictionary, and this is on every message's path. Its free slots form a
// stack threaded through the slots themselves, the slot freed last on
// top (as a slice of free slot numbers would give them out): a free slot
// holds no message and keeps, in kind, 1 + the number of the slot freed
// before it (0: none). Freeing a slot writes the slot it reads anyway,
// and taking one reads the slot it writes, instead of a separate array's
// end (a delivery's message is taken, then its handler sends: the slot
// freed last is in the caches).
type msgTable struct {
	slots []inFlight
	// free is 1 + the number of the slot freed last, 0 when none is free.
	free uint32
}

// put stores v in the slot freed last, or a new one, and returns its
// number. It inlines; making a new slot is grow's.
func (t *msgTable) put(v inFlight) uint32 {
	i := t.free
	if i == 0 {
		i = t.grow()
	}
	f := &t.slots[i-1]
	t.free = uint32(f.kind)
	*f = v
	return i - 1
}

// grow adds a free slot, when none is free, and returns 1 + its number:
// the new top of the free slots, with none below it. It panics as
// checkRef would, without its call, so that put inlines.
func (t *msgTable) grow() uint32 {
	if len(t.slots) > refMask {
		panic(tooManyMessages)
	}
	t.slots = append(t.slots, inFlight{})
	return uint32(len(t.slots))
}

// tooManyMessages is checkRef's panic for the message table.
const tooManyMessages = "sim: more than 536870911 pending messages"

// take frees slot i and returns its message, dropping the table's
// reference for the collector.
func (t *msgTable) take(i uint32) inFlight {
	f := &t.slots[i]
	v := *f
	*f = inFlight{kind: int32(t.free)}
	t.free = i + 1
	return v
}

// inFlight is a message between its send and its delivery event.
type inFlight struct {
	msg      Message
	from, to NodeID
	kind     int32 // the message's number in the network's KindIndex
}
