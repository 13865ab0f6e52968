package diembft

import (
	"github.com/byzsim/byzsim/protocols"
)

// Mempool holds client requests not yet committed, in arrival order, and
// remembers the result of every committed request.
//
// Invariants: a request (by client and id) has one entry and is queued at
// most once; a committed request is never proposed again by this replica;
// scans drop the committed requests they pass, so each is skipped at most
// once.
type Mempool struct {
	entries   []entry // arena, indexed by index
	index     keyIndex
	queue     []int32 // entry indices of queued requests, arrival order
	head      int
	blockSize int
}

type entry struct {
	req       *protocols.Request
	committed bool
	forgotten bool // dropped by a corruption; re-added on arrival
	result    protocols.Digest
}

// keyIndex maps request keys to entry indices. Keys whose client and id
// fit in 64 bits (client < 2^24, id < 2^40: every realistic key) live in a
// map with a packed integer key, which is several times faster to hash;
// the others in a map keyed by the struct.
type keyIndex struct {
	packed map[uint64]int32
	wide   map[protocols.RequestKey]int32
}

func packKey(k protocols.RequestKey) (uint64, bool) {
	if k.Client < 0 || k.Client >= 1<<24 || k.ID >= 1<<40 {
		return 0, false
	}
	return uint64(k.Client)<<40 | k.ID, true
}

func (m *keyIndex) get(k protocols.RequestKey) (int32, bool) {
	if p, ok := packKey(k); ok {
		i, ok := m.packed[p]
		return i, ok
	}
	i, ok := m.wide[k]
	return i, ok
}

func (m *keyIndex) set(k protocols.RequestKey, i int32) {
	if p, ok := packKey(k); ok {
		m.packed[p] = i
		return
	}
	if m.wide == nil {
		m.wide = make(map[protocols.RequestKey]int32)
	}
	m.wide[k] = i
}

func newMempool(blockSize int) *Mempool {
	return &Mempool{index: keyIndex{packed: make(map[uint64]int32)}, blockSize: blockSize}
}

func (m *Mempool) newEntry(e entry) int32 {
	i := int32(len(m.entries))
	m.entries = append(m.entries, e)
	m.index.set(e.req.Key(), i)
	return i
}

// add offers a client request. It returns the result and true when the
// request was already committed (the replica acknowledges it again at
// once); a duplicate of a pending request is ignored.
func (m *Mempool) add(q *protocols.Request) (protocols.Digest, bool) {
	i, ok := m.index.get(q.Key())
	if !ok {
		m.queue = append(m.queue, m.newEntry(entry{req: q}))
		return 0, false
	}
	e := &m.entries[i]
	if e.forgotten && !e.committed {
		e.forgotten = false
		m.queue = append(m.queue, i)
	}
	return e.result, e.committed
}

// committed records that a request was committed with result and reports
// whether it was the first commit of that request.
func (m *Mempool) committed(q *protocols.Request, result protocols.Digest) bool {
	i, ok := m.index.get(q.Key())
	if !ok {
		m.newEntry(entry{req: q, committed: true, result: result})
		return true
	}
	e := &m.entries[i]
	if e.committed {
		return false
	}
	e.committed, e.result = true, result
	return true
}

// result returns the result of a committed request.
func (m *Mempool) result(k protocols.RequestKey) (protocols.Digest, bool) {
	i, ok := m.index.get(k)
	if !ok {
		return 0, false
	}
	return m.entries[i].result, m.entries[i].committed
}

// pending is the number of queued entries (committed ones not yet dropped
// included).
func (m *Mempool) pending() int { return len(m.queue) - m.head }

// getTransactions returns up to blockSize uncommitted requests in arrival
// order, skipping those in exclude (the transactions already on the path
// from the commit root).
func (m *Mempool) getTransactions(exclude map[protocols.RequestKey]struct{}) []*protocols.Request {
	var out []*protocols.Request
	kept := 0 // entries scanned and kept, compacted to the start of the scanned range
	i := m.head
	for ; i < len(m.queue) && len(out) < m.blockSize; i++ {
		e := &m.entries[m.queue[i]]
		if e.committed || e.forgotten {
			continue
		}
		m.queue[m.head+kept] = m.queue[i]
		kept++
		if _, skip := exclude[e.req.Key()]; !skip {
			out = append(out, e.req)
		}
	}
	// Move the kept entries next to the unscanned rest, preserving order.
	newHead := i - kept
	copy(m.queue[newHead:i], m.queue[m.head:m.head+kept])
	m.head = newHead
	if m.head > 1024 && m.head > len(m.queue)/2 {
		n := copy(m.queue, m.queue[m.head:])
		m.queue = m.queue[:n]
		m.head = 0
	}
	return out
}

// forget drops a pending request from the queue (a corruption).
func (m *Mempool) forget(pos int) {
	e := &m.entries[m.queue[pos]]
	if !e.committed {
		e.forgotten = true
	}
}
