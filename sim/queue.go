package sim

// eventKind says what an event does when it is popped.
type eventKind uint8

const (
	evDeliver eventKind = iota + 1 // a message arrives at node
	evTimer                        // a node timer expires
	evReady                        // a busy node finished its charged work
	evStart                        // a node starts
	evCall                         // a kernel callback (World.At)
)

// event is stored by value in the heap. key packs the sequence number (high
// 56 bits) with the kind (low 8 bits): ordering by key is ordering by
// sequence number, and the event stays 48 bytes.
type event struct {
	at   Time
	key  uint64
	node NodeID
	from NodeID
	arg  uint64 // timer handle, or callback slot
	msg  Message
}

func (e *event) kind() eventKind { return eventKind(e.key & 0xff) }

func (e *event) before(o *event) bool {
	return e.at < o.at || (e.at == o.at && e.key < o.key)
}

// eventHeap is a 4-ary min-heap of events ordered by (at, seq). A 4-ary heap
// halves the depth of a binary heap and keeps a node's children in one or two
// cache lines.
type eventHeap struct {
	items []event
}

func (h *eventHeap) len() int { return len(h.items) }

func (h *eventHeap) push(e event) {
	h.items = append(h.items, e)
	items := h.items
	i := len(items) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !e.before(&items[p]) {
			break
		}
		items[i] = items[p]
		i = p
	}
	items[i] = e
}

// pop removes and returns the earliest event. The heap must not be empty.
func (h *eventHeap) pop() event {
	items := h.items
	top := items[0]
	n := len(items) - 1
	last := items[n]
	items[n] = event{} // drop the message reference for the collector
	items = items[:n]
	h.items = items
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if items[j].before(&items[m]) {
				m = j
			}
		}
		if !items[m].before(&last) {
			break
		}
		items[i] = items[m]
		i = m
	}
	items[i] = last
	return top
}

// peekTime returns the time of the earliest event; the heap must not be empty.
func (h *eventHeap) peekTime() Time { return h.items[0].at }
