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

// msgTable holds messages in flight by slot, so events stay small.
type msgTable struct {
	slots []inFlight
	free  []uint32
}

type inFlight struct {
	msg      Message
	from, to NodeID
}

func (m *msgTable) put(f inFlight) uint32 {
	if n := len(m.free); n > 0 {
		i := m.free[n-1]
		m.free = m.free[:n-1]
		m.slots[i] = f
		return i
	}
	i := checkRef(len(m.slots), "messages")
	m.slots = append(m.slots, f)
	return i
}

func (m *msgTable) take(i uint32) inFlight {
	f := m.slots[i]
	m.slots[i] = inFlight{} // drop the reference for the collector
	m.free = append(m.free, i)
	return f
}

// callTable holds callbacks of World.At by slot.
type callTable struct {
	fns  []func()
	free []uint32
}

func (c *callTable) put(fn func()) uint32 {
	if n := len(c.free); n > 0 {
		i := c.free[n-1]
		c.free = c.free[:n-1]
		c.fns[i] = fn
		return i
	}
	i := checkRef(len(c.fns), "callbacks")
	c.fns = append(c.fns, fn)
	return i
}

func (c *callTable) take(i uint32) func() {
	fn := c.fns[i]
	c.fns[i] = nil
	c.free = append(c.free, i)
	return fn
}
