package diembft

import (
	"github.com/byzsim/byzsim/protocols"
)

// Mempool holds client requests not yet committed, in arrival order, and
// remembers the result of every committed request.
//
// Invariants: a request (by client and id) is queued at most once; a
// committed request is never proposed again by this replica; scans drop
// committed requests they pass, so each is skipped at most once.
type Mempool struct {
	queue     []*protocols.Request
	head      int
	status    map[protocols.RequestKey]reqStatus
	blockSize int
}

type reqStatus struct {
	committed bool
	result    protocols.Digest
}

func newMempool(blockSize int) *Mempool {
	return &Mempool{status: make(map[protocols.RequestKey]reqStatus), blockSize: blockSize}
}

// add offers a client request. It returns the result and true when the
// request was already committed (the replica acknowledges it again at
// once); a duplicate of a pending request is ignored.
func (m *Mempool) add(q *protocols.Request) (protocols.Digest, bool) {
	k := q.Key()
	if st, ok := m.status[k]; ok {
		return st.result, st.committed
	}
	m.status[k] = reqStatus{}
	m.queue = append(m.queue, q)
	return 0, false
}

// committed records that a request was committed with result and reports
// whether it was the first commit of that request.
func (m *Mempool) committed(q *protocols.Request, result protocols.Digest) bool {
	k := q.Key()
	if st, ok := m.status[k]; ok && st.committed {
		return false
	}
	m.status[k] = reqStatus{committed: true, result: result}
	return true
}

// result returns the result of a committed request.
func (m *Mempool) result(k protocols.RequestKey) (protocols.Digest, bool) {
	st, ok := m.status[k]
	return st.result, ok && st.committed
}

// pending is the number of queued entries (committed ones not yet dropped
// included).
func (m *Mempool) pending() int { return len(m.queue) - m.head }

// getTransactions returns up to blockSize uncommitted requests in arrival
// order, skipping those in exclude (the transactions already on the path
// from the commit root).
func (m *Mempool) getTransactions(exclude map[protocols.RequestKey]struct{}) []*protocols.Request {
	var out []*protocols.Request
	kept := 0 // entries scanned and kept, compacted to the end of the scanned range
	i := m.head
	for ; i < len(m.queue) && len(out) < m.blockSize; i++ {
		q := m.queue[i]
		if m.status[q.Key()].committed {
			continue
		}
		m.queue[m.head+kept] = q
		kept++
		if _, skip := exclude[q.Key()]; !skip {
			out = append(out, q)
		}
	}
	// Move the kept entries next to the unscanned rest, preserving order.
	newHead := i - kept
	copy(m.queue[newHead:i], m.queue[m.head:m.head+kept])
	clear(m.queue[m.head:newHead])
	m.head = newHead
	if m.head > 1024 && m.head > len(m.queue)/2 {
		n := copy(m.queue, m.queue[m.head:])
		clear(m.queue[n:])
		m.queue = m.queue[:n]
		m.head = 0
	}
	return out
}
