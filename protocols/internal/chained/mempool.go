package chained

import (
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Mempool holds client requests not yet committed, in arrival order, and
// remembers the result of every committed request.
//
// Invariants: a request (by client and id) has one entry and is queued at
// most once; a committed request is never proposed again by this replica;
// scans drop the committed requests they pass, so each is skipped at most
// once.
//
// A copy (CopyOf) has its own entries and shares the index and the queue
// of the mempool it copies, read-only: the first write to a shared index
// or queue copies it (index.shared, sharedQueue; both mempools share, so
// neither writes the other's), and a shared queue ends at its capacity, so
// a request queued moves it out.
//
// A Mempool fills two cache lines (128 bytes, an allocation aligned to
// that): the first holds what adding a request from a client and
// committing one read (the entries and the index's rows, a replica's own
// at n = 1,000, out of the caches), the second the queue and the rows of
// negative clients.
type Mempool struct {
	entries     []entry // arena, indexed by index
	index       keyIndex
	queue       []int32 // entry indices of queued requests, arrival order
	head        int
	blockSize   int32
	sharedQueue bool
}

// entry is a request's record: 16 bytes, four to a cache line (a commit
// marks a block's requests, a few consecutive entries at each replica).
type entry struct {
	// req is nil while the request is forgotten (dropped by a corruption;
	// re-added on arrival).
	req *protocols.Request
	// result is the result the request was committed with, 0 while it is
	// not committed (a result is a digest, never 0).
	result protocols.Digest
}

// committed reports whether e's request was committed.
func (e *entry) committed() bool { return e.result != 0 }

// commit records that e's request was committed with result (not 0) and
// reports whether this was its first commit (a later one changes
// nothing).
func (e *entry) commit(result protocols.Digest) bool {
	if e.result != 0 {
		return false
	}
	e.result = result
	return true
}

// keyIndex maps request keys to entry indices. Clients number their
// requests 1, 2, 3, ..., so most keys live in a dense table indexed by
// client and id (an array access instead of a hash probe, which dominated
// large runs); keys outside it (a client 2^16 or more above the lowest,
// id >= 2^22, or far beyond the client's ids so far) live in a map keyed by
// the struct.
type keyIndex struct {
	// dense[client−base][id] is the entry index + 1; 0 means absent.
	// Clients are nodes numbered after the n replicas: rows start at the
	// lowest client seen instead of holding n empty rows (24 KB a replica
	// at n = 1,000).
	dense [][]int32
	base  int32 // a sim.NodeID
	// shared is set on a mempool's index that another mempool shares
	// (CopyOf): the first write copies it.
	shared bool
	wide   map[protocols.RequestKey]int32
	// neg[−1−client] is the row of a negative client.
	neg [][]int32
}

const (
	denseClients = 1 << 16
	denseIDs     = 1 << 22
)

// slot returns the dense cell of k, growing the table when grow is set; nil
// when k does not belong in the dense table.
func (m *keyIndex) slot(k protocols.RequestKey, grow bool) *int32 {
	if p := m.cell(k); p != nil || !grow {
		return p
	}
	return m.grow(k)
}

// cell returns the dense cell of k, or nil when the rows so far do not
// hold it (small enough to be inlined: a lookup of a held request, on
// every commit, costs no call).
func (m *keyIndex) cell(k protocols.RequestKey) *int32 {
	rows, c := m.dense, int(k.Client)-int(m.base)
	if k.Client < 0 {
		// Negative clients (a saturated workload's, numbered −2, −3, …)
		// have their own rows.
		rows, c = m.neg, -1-int(k.Client)
	}
	if uint(c) < uint(len(rows)) {
		if row := rows[c]; k.ID < uint64(len(row)) {
			return &row[k.ID]
		}
	}
	return nil
}

// grow is slot's path for a key outside the rows so far: it grows the
// table, or returns nil when k does not belong in it.
func (m *keyIndex) grow(k protocols.RequestKey) *int32 {
	rows, c := &m.dense, int(k.Client)-int(m.base)
	if k.Client < 0 {
		rows, c = &m.neg, -1-int(k.Client)
	}
	if k.Client >= 0 && len(m.dense) == 0 {
		m.base, c = int32(k.Client), 0
	}
	if c >= denseClients || c <= -denseClients || k.ID >= denseIDs {
		return nil
	}
	if c < 0 {
		// A client below the lowest so far: move the rows up.
		if len(m.dense)-c > denseClients {
			return nil
		}
		m.dense = append(make([][]int32, -c, len(m.dense)-c), m.dense...)
		m.base += int32(c)
		c = 0
	}
	id := int(k.ID)
	if c >= len(*rows) {
		*rows = append(*rows, make([][]int32, c+1-len(*rows))...)
	}
	row := (*rows)[c]
	if id >= len(row) {
		// Grow geometrically, but only for ids near the client's last:
		// a far-away id (a Byzantine or corrupted key) goes to the map.
		if id > 2*len(row)+1024 {
			return nil
		}
		row = append(row, make([]int32, max(id+1, 2*len(row))-len(row))...)
		(*rows)[c] = row
	}
	return &row[id]
}

func (m *keyIndex) get(k protocols.RequestKey) (int32, bool) {
	if p := m.slot(k, false); p != nil && *p > 0 {
		return *p - 1, true
	}
	if m.wide == nil {
		return 0, false
	}
	i, ok := m.wide[k]
	return i, ok
}

func (m *keyIndex) set(k protocols.RequestKey, i int32) {
	if p := m.slot(k, true); p != nil {
		*p = i + 1
		return
	}
	if m.wide == nil {
		m.wide = make(map[protocols.RequestKey]int32)
	}
	m.wide[k] = i
}

// lookup returns the entry index of k, or adds the entry e (whose request
// has key k) and returns its index and false: one probe instead of a get
// and a set.
func (m *Mempool) lookup(k protocols.RequestKey, e entry) (int32, bool) {
	if m.index.shared {
		if i, ok := m.index.get(k); ok {
			return i, true
		}
		m.index = m.index.clone() // about to add k; the clone is not shared
	}
	if p := m.index.slot(k, true); p != nil {
		if *p > 0 {
			return *p - 1, true
		}
		// A key filed in the map before its row grew over it stays there.
		if m.index.wide != nil {
			if i, ok := m.index.wide[k]; ok {
				return i, true
			}
		}
		i := int32(len(m.entries))
		m.entries = append(m.entries, e)
		*p = i + 1
		return i, false
	}
	if i, ok := m.index.wide[k]; ok {
		return i, true
	}
	return m.newEntry(e), false
}

// initialRequests is a mempool's first capacity, reserved at its first
// request: the requests a replica receives in its first seconds, without
// growing the arrays one request, two, four, … at a time.
const initialRequests = 64

// NewMempool returns an empty mempool that proposes up to blockSize
// requests a block.
func NewMempool(blockSize int) *Mempool {
	return &Mempool{blockSize: int32(blockSize)}
}

// Reserve makes room for n more requests.
func (m *Mempool) Reserve(n int) {
	m.entries = slices.Grow(m.entries, n)
	m.queue = slices.Grow(m.queue, n)
}

// AddAll adds reqs in order, as Add does.
func (m *Mempool) AddAll(reqs []*protocols.Request) {
	m.Reserve(len(reqs))
	for _, q := range reqs {
		m.Add(q)
	}
}

// CopyOf makes an empty mempool a copy of from (benchmarks put the same
// requests in every replica's mempool: copying one mempool that holds them
// is cheaper than adding them again). The copy has its own entries and
// shares from's index and queue until one of the two writes them (see
// Mempool). It reports false, and does nothing, when m is not empty.
func (m *Mempool) CopyOf(from *Mempool) bool {
	if len(m.entries) > 0 || m.index.wide != nil {
		return false
	}
	m.entries = slices.Clone(from.entries)
	nq := len(from.queue)
	m.queue = from.queue[:nq:nq]
	m.head = from.head
	from.index.shared, from.sharedQueue = true, true
	m.index, m.sharedQueue = from.index, true
	return true
}

// clone returns a deep copy of the index, its rows in one allocation
// (each row's capacity ends at its length, so a row that grows moves
// out).
func (m *keyIndex) clone() keyIndex {
	total := 0
	for _, rows := range [][][]int32{m.dense, m.neg} {
		for _, row := range rows {
			total += len(row)
		}
	}
	cells := make([]int32, 0, total)
	copyRows := func(rows [][]int32) [][]int32 {
		if rows == nil {
			return nil
		}
		out := make([][]int32, len(rows))
		for i, row := range rows {
			if row == nil {
				continue
			}
			start := len(cells)
			cells = append(cells, row...)
			out[i] = cells[start:len(cells):len(cells)]
		}
		return out
	}
	c := keyIndex{dense: copyRows(m.dense), base: m.base, neg: copyRows(m.neg)}
	if m.wide != nil {
		c.wide = maps.Clone(m.wide)
	}
	return c
}

func (m *Mempool) newEntry(e entry) int32 {
	i := int32(len(m.entries))
	m.entries = append(m.entries, e)
	m.index.set(e.req.Key(), i)
	return i
}

// Add offers a client request. It returns the result and true when the
// request was already committed (the replica acknowledges it again at
// once); a duplicate of a pending request is ignored.
func (m *Mempool) Add(q *protocols.Request) (protocols.Digest, bool) {
	if cap(m.entries) == 0 {
		m.Reserve(initialRequests)
	}
	i, ok := m.lookup(q.Key(), entry{req: q})
	if !ok {
		m.queue = append(m.queue, i) // a shared queue ends at its capacity: it moves out
		return 0, false
	}
	e := &m.entries[i]
	if e.req == nil { // forgotten: arrived again
		e.req = q
		// A forgotten entry stays queued until GetTransactions passes it
		// (ForgetSome draws once per queued position): queued again only
		// once it left, or it would be proposed twice.
		if !e.committed() && !slices.Contains(m.queue[m.head:], i) {
			m.queue = append(m.queue, i)
		}
	}
	return e.result, e.committed()
}

// Committed records that a request was committed with result (a digest:
// not 0) and reports whether it was the first commit of that request.
func (m *Mempool) Committed(q *protocols.Request, result protocols.Digest) bool {
	if p := m.index.cell(q.Key()); p != nil && *p > 0 {
		// The common case, a request this replica holds: no entry to build.
		return m.entries[*p-1].commit(result)
	}
	i, ok := m.lookup(q.Key(), entry{req: q, result: result})
	if !ok {
		return true
	}
	return m.entries[i].commit(result)
}

// CommitPayload records that the requests of a committed block's payload
// were committed with result, as Committed does for each in order, and
// calls first(q), in that order, for each request committed for the first
// time whose client is minClient or above (those a replica replies to).
//
// hints[i] (len(hints) == len(payload)) is where payload[i]'s entry may be
// in this mempool: replicas whose mempools were copied from one hold the
// same requests at the same places. A hint is checked (the entry there
// must hold payload[i] itself) and, when wrong, set to where the entry is.
func (m *Mempool) CommitPayload(payload []*protocols.Request, hints []int32, result protocols.Digest, minClient sim.NodeID, first func(*protocols.Request)) {
	hints = hints[:len(payload)]
	for k, q := range payload {
		i := hints[k]
		if uint(i) >= uint(len(m.entries)) || m.entries[i].req != q {
			p := m.index.cell(q.Key())
			if p == nil || *p == 0 {
				if m.Committed(q, result) && q.Client >= minClient {
					first(q)
				}
				continue
			}
			i = *p - 1
			hints[k] = i
		}
		if m.entries[i].commit(result) && q.Client >= minClient {
			first(q)
		}
	}
}

// Result returns the result of a committed request.
func (m *Mempool) Result(k protocols.RequestKey) (protocols.Digest, bool) {
	i, ok := m.index.get(k)
	if !ok {
		return 0, false
	}
	return m.entries[i].result, m.entries[i].committed()
}

// Pending is the number of queued entries (committed ones not yet dropped
// included).
func (m *Mempool) Pending() int { return len(m.queue) - m.head }

// GetTransactions returns up to blockSize uncommitted requests in arrival
// order, skipping those in exclude (the transactions already on the path
// from the commit root).
func (m *Mempool) GetTransactions(exclude map[protocols.RequestKey]struct{}) []*protocols.Request {
	var out []*protocols.Request
	if m.sharedQueue {
		m.queue, m.sharedQueue = slices.Clone(m.queue), false // compacted below
	}
	kept := 0 // entries scanned and kept, compacted to the start of the scanned range
	i := m.head
	for ; i < len(m.queue) && len(out) < int(m.blockSize); i++ {
		e := &m.entries[m.queue[i]]
		if e.req == nil || e.committed() { // forgotten or committed
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

// ForgetSome drops each queued request, in queue order, with probability
// 1/oneIn drawn from rng (a corruption).
func (m *Mempool) ForgetSome(rng *rand.Rand, oneIn int) {
	for pos := m.head; pos < len(m.queue); pos++ {
		if rng.IntN(oneIn) == 0 {
			m.forget(pos)
		}
	}
}

// forget drops a pending request from the queue.
func (m *Mempool) forget(pos int) {
	e := &m.entries[m.queue[pos]]
	if !e.committed() {
		e.req = nil
	}
}
