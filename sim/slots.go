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
// dictionary, and this is on every message's path.
type msgTable struct {
	slots []inFlight
	free  []uint32
}

func (t *msgTable) put(v inFlight) uint32 {
	if n := len(t.free); n > 0 {
		i := t.free[n-1]
		t.free = t.free[:n-1]
		t.slots[i] = v
		return i
	}
	i := checkRef(len(t.slots), "messages")
	t.slots = append(t.slots, v)
	return i
}

// take frees slot i and returns its message, dropping the table's
// reference for the collector.
func (t *msgTable) take(i uint32) inFlight {
	f := &t.slots[i]
	v := *f
	*f = inFlight{}
	t.free = append(t.free, i)
	return v
}

// inFlight is a message between its send and its delivery event.
type inFlight struct {
	msg      Message
	from, to NodeID
	kind     int32 // the message's number in the network's KindIndex
}
