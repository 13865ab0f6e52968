package bftlist

import (
	"fmt"
	"slices"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// ClientReq is a client request ⟨c, t, o⟩: client node, timestamp (the
// request's ID) and operation. The gap-filling dummy request has Client −1.
type ClientReq struct {
	Client  sim.NodeID
	TS      uint64
	Op      protocols.Op
	Value   int64
	Payload int32
}

// dummyReq is the NO_OP request the new primary fills sequence gaps with.
var dummyReq = ClientReq{Client: -1, Op: protocols.OpNoop}

func (q ClientReq) isDummy() bool { return q.Client == -1 }

func (q ClientReq) size() int { return 32 + int(max(q.Payload, 0)) }

func (q ClientReq) String() string {
	if q.isDummy() {
		return "noop"
	}
	if q.Op == protocols.OpNoop {
		return fmt.Sprintf("c%d/%d:noop", q.Client, q.TS)
	}
	return fmt.Sprintf("c%d/%d:append(%d)", q.Client, q.TS, q.Value)
}

// Req is an assigned request ⟨q, view, sequence number⟩.
type Req struct {
	Q    ClientReq
	View int64
	Seq  int64
}

func (r Req) size() int { return r.Q.size() + 16 }

// digest is the reply digest of an executed request: it names the request
// and its position, so correct replicas that execute it agree.
func (r Req) digest() protocols.Digest {
	h := mix(uint64(r.Seq), uint64(int64(r.Q.Client)))
	h = mix(h, r.Q.TS)
	h = mix(h, uint64(r.Q.Op)<<56^uint64(r.Q.Value))
	return protocols.Digest(h)
}

// Status is a set of request statuses.
type Status uint8

// Request statuses.
const (
	PrePrep Status = 1 << iota
	Prep
	Commit
)

// has reports whether s ⊇ t.
func (s Status) has(t Status) bool { return s&t == t }

// ReqPair is an entry of req_q: a request and its status set.
type ReqPair struct {
	Req    Req
	Status Status
}

// LogEntry is an entry of r_log: an executed request and the set of
// replicas that committed or executed it.
type LogEntry struct {
	Req Req
	X   idset
}

// LastReq is the last executed request of one client and its reply.
type LastReq struct {
	Req   Req
	Reply protocols.Digest
	Set   bool
}

// RepStructure is a replica's replication structure rep[i] = ⟨state, r_log,
// pend_reqs, req_q, last_req, seq_num, con_flag, view_changed, prim⟩. The
// TEE (⊥) structure has a nil LastReq. State and RLog are never written
// in place below their length (appended to, rebuilt, replaced, RLog sliced
// from the front), so snapshots share them, and replication's logMemo
// tells two r_logs apart by their first element and length.
type RepStructure struct {
	State       []int64
	RLog        []LogEntry
	PendReqs    []ClientReq
	ReqQ        []ReqPair
	LastReq     []LastReq
	SeqNum      int64
	ConFlag     bool
	ViewChanged bool
	Prim        int64
}

// defaultStructure is the initial structure for k clients.
func defaultStructure(k int) RepStructure {
	return RepStructure{LastReq: make([]LastReq, k), SeqNum: -1}
}

// teeStructure is the reset (⊥) structure.
func teeStructure() RepStructure { return RepStructure{SeqNum: -1, Prim: -1} }

func (s *RepStructure) isTee() bool {
	return s.isDefPrefix() && s.LastReq == nil && s.SeqNum == -1 && !s.ConFlag && !s.ViewChanged && s.Prim == -1
}

// isDefPrefix: the data prefix consolidation reads is at its default.
func (s *RepStructure) isDefPrefix() bool {
	return len(s.State) == 0 && len(s.RLog) == 0 && len(s.PendReqs) == 0 && len(s.ReqQ) == 0
}

// isDefState: the structure is the initial or the reset one.
func (s *RepStructure) isDefState() bool {
	if !s.isDefPrefix() || s.SeqNum != -1 || s.ConFlag || s.ViewChanged {
		return false
	}
	for _, l := range s.LastReq {
		if l.Set {
			return false
		}
	}
	return true
}

// size is the encoded size of the structure in bytes, a replica set
// taking setB bytes.
func (s *RepStructure) size(setB int) int {
	n := 64 + 8*len(s.State)
	for _, e := range s.RLog {
		n += e.Req.size() + setB
	}
	for _, q := range s.PendReqs {
		n += q.size()
	}
	for _, p := range s.ReqQ {
		n += p.Req.size() + 1
	}
	n += 48 * len(s.LastReq)
	return n
}

// entries counts the elements of the structure (for the loop cost model).
func (s *RepStructure) entries() int {
	return len(s.State) + len(s.RLog) + len(s.PendReqs) + len(s.ReqQ) + len(s.LastReq)
}

// snapshot returns a copy that shares the append-only State and RLog and
// copies what is modified in place.
func (s *RepStructure) snapshot() *RepStructure {
	c := *s
	c.State = clip(s.State)
	c.RLog = clip(s.RLog)
	c.PendReqs = append([]ClientReq(nil), s.PendReqs...)
	c.ReqQ = append([]ReqPair(nil), s.ReqQ...)
	if s.LastReq != nil {
		c.LastReq = append([]LastReq{}, s.LastReq...)
	}
	return &c
}

// sameContent reports whether s, a snapshot, holds what o holds now, so
// that o.snapshot() would equal it: State and RLog compared by first
// element, length and nil-ness (never written below their length), the
// lists modified in place element by element.
func (s *RepStructure) sameContent(o *RepStructure) bool {
	return sameSlice(s.State, o.State) && sameSlice(s.RLog, o.RLog) &&
		s.SeqNum == o.SeqNum && s.ConFlag == o.ConFlag && s.ViewChanged == o.ViewChanged && s.Prim == o.Prim &&
		slices.Equal(s.PendReqs, o.PendReqs) && slices.Equal(s.ReqQ, o.ReqQ) &&
		(s.LastReq == nil) == (o.LastReq == nil) && slices.Equal(s.LastReq, o.LastReq)
}

// sameSlice reports whether a and b are the same nil, empty or non-empty
// slice of the same array from the same element with the same length.
func sameSlice[T any](a, b []T) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	return len(a) == 0 || &a[0] == &b[0]
}

// deepCopy returns a copy sharing nothing mutable with s.
func (s *RepStructure) deepCopy() RepStructure {
	c := *s.snapshot()
	return c
}

// clip limits a slice's capacity to its length, so appending to the result
// never writes into a shared backing array.
func clip[T any](s []T) []T { return s[:len(s):len(s)] }

func (s *RepStructure) hasReq(r Req) bool {
	for i := range s.ReqQ {
		if s.ReqQ[i].Req == r {
			return true
		}
	}
	return false
}

func (s *RepStructure) inRLog(r Req) bool {
	for i := range s.RLog {
		if s.RLog[i].Req == r {
			return true
		}
	}
	return false
}

func (s *RepStructure) hasPend(q ClientReq) bool {
	for _, p := range s.PendReqs {
		if p == q {
			return true
		}
	}
	return false
}

// addReq adds a pair unless its request is present, then trims req_q to
// limit entries (reqQVictim says which go; fix 28 in docs/bftlist.md).
func (s *RepStructure) addReq(p ReqPair, limit int) {
	if !s.hasReq(p.Req) {
		s.ReqQ = append(s.ReqQ, p)
	}
	for len(s.ReqQ) > limit {
		s.removeReq(s.ReqQ[s.reqQVictim(limit)].Req)
	}
}

// removeReq removes every pair holding r.
func (s *RepStructure) removeReq(r Req) {
	kept := s.ReqQ[:0]
	for _, p := range s.ReqQ {
		if p.Req != r {
			kept = append(kept, p)
		}
	}
	s.ReqQ = kept
}

// addPend appends q unless present, then trims pend_reqs to limit: it drops
// the oldest request that numbered does not report, or the oldest when
// numbered reports them all (fix 31 in docs/bftlist.md).
func (s *RepStructure) addPend(q ClientReq, limit int, numbered func(ClientReq) bool) {
	if !s.hasPend(q) {
		s.PendReqs = append(s.PendReqs, q)
	}
	for len(s.PendReqs) > limit {
		i := slices.IndexFunc(s.PendReqs, func(p ClientReq) bool { return !numbered(p) })
		s.PendReqs = slices.Delete(s.PendReqs, max(i, 0), max(i, 0)+1)
	}
}

func (s *RepStructure) removePend(q ClientReq) {
	for i, p := range s.PendReqs {
		if p == q {
			s.PendReqs = append(s.PendReqs[:i], s.PendReqs[i+1:]...)
			return
		}
	}
}

// addLog appends an executed request and trims r_log to limit entries by
// dropping the lowest sequence number.
func (s *RepStructure) addLog(e LogEntry, limit int) {
	if len(s.RLog) == cap(s.RLog) {
		// A new array with room for limit more entries, so that the log
		// moves on in one array for that many executions (logMemo).
		s.RLog = append(make([]LogEntry, 0, len(s.RLog)+max(limit, 1)), s.RLog...)
	}
	s.RLog = append(s.RLog, e)
	for len(s.RLog) > limit {
		lo := 0
		for i := range s.RLog {
			if s.RLog[i].Req.Seq < s.RLog[lo].Req.Seq {
				lo = i
			}
		}
		if lo == 0 {
			// The usual case (requests execute in order): slicing the
			// entry off writes nothing and keeps sharing the array, which
			// later appends extend past every snapshot's end.
			s.RLog = s.RLog[1:]
			continue
		}
		// Never write into the shared array: rebuild without entry lo.
		out := make([]LogEntry, 0, len(s.RLog)-1+8)
		out = append(out, s.RLog[:lo]...)
		s.RLog = append(out, s.RLog[lo+1:]...)
	}
}

// lastExec is the sequence number of the last executed request, −1 if none.
func (s *RepStructure) lastExec() int64 {
	if len(s.RLog) == 0 {
		return -1
	}
	return s.RLog[len(s.RLog)-1].Req.Seq
}

// apply executes an operation on a state list, returning the new list.
func apply(state []int64, q ClientReq) []int64 {
	if q.Op == protocols.OpAppend && !q.isDummy() {
		return append(state, q.Value)
	}
	return state
}

// isPrefix reports whether a is a prefix of b.
func isPrefix(a, b []int64) bool {
	if len(a) > len(b) {
		return false
	}
	if len(a) > 0 && &a[0] == &b[0] {
		return true // one backing array
	}
	for i, x := range a {
		if b[i] != x {
			return false
		}
	}
	return true
}

// prefixes reports whether one of a, b is a prefix of the other.
func prefixes(a, b []int64) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return isPrefix(a, b)
}
