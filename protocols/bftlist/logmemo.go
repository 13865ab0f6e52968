package bftlist

import "slices"

// logMemo remembers, for one peer, the requests of its r_log that are not
// in this replica's r_log, for the two logs it was computed from. An r_log
// is never written in place below its length (entries are appended, or
// the log is rebuilt, replaced or sliced from the front), so two slices
// with the same first element and length hold the same entries: the memo
// stays valid until either log changes, which happens at an execution, not
// at every message.
//
// A log that changed mostly moved on in the same array: an execution
// appended an entry and sliced the lowest off (addLog). The entries the
// old and new slices share are then the same memory, so the memo is
// brought up to date from the entries that came and went alone: for the
// peer's log, its new entries are compared with own's; for own's log, the
// remembered requests that own's new entries now hold are dropped, and the
// peer's entries under the numbers own's log dropped are compared again
// (found by their number when the peer's numbers are consecutive).
type logMemo struct {
	peer, own       *LogEntry
	peerLen, ownLen int
	reqs            []Req
	// log indexes the peer's log the memo was computed for, ownLog is
	// own's, at[i] the index in log of reqs[i].
	log    logIndex
	ownLog []LogEntry
	at     []int
}

// notInOwnLog returns the requests of log, replica k's r_log, that are not
// in own r_log (indexed by own), in log order.
func (g *replication) notInOwnLog(k int, log []LogEntry, own logIndex) []Req {
	if len(log) == 0 {
		return nil
	}
	m := &g.logMemo[k]
	if m.peer == &log[0] && m.peerLen == len(log) && m.own == firstEntry(own.log) && m.ownLen == len(own.log) {
		return m.reqs // neither log changed
	}
	if m.log.log == nil || !m.ownMoved(own) || !m.peerMoved(log, own) {
		m.rescan(log, own)
	}
	return m.reqs
}

// rescan computes the memo afresh.
func (m *logMemo) rescan(log []LogEntry, own logIndex) {
	m.reqs, m.at = m.reqs[:0], m.at[:0]
	m.log.start(log)
	m.extend(log, own)
	m.ownLog, m.own, m.ownLen = own.log, firstEntry(own.log), len(own.log)
}

// extend takes log, which begins with the remembered log (the same
// memory), as the peer's log: it compares its new entries with own's.
func (m *logMemo) extend(log []LogEntry, own logIndex) {
	for i := len(m.log.log); i < len(log); i++ {
		if e := &log[i]; !own.has(&e.Req) {
			m.reqs = append(m.reqs, e.Req)
			m.at = append(m.at, i)
		}
	}
	m.log.extend(log)
	m.peer, m.peerLen = &log[0], len(log)
}

// peerMoved brings the memo to the peer's log log (own's log being the
// one it was computed for) and reports whether it could.
func (m *logMemo) peerMoved(log []LogEntry, own logIndex) bool {
	if m.peer == &log[0] && m.peerLen == len(log) {
		return true
	}
	d := shiftOf(m.log.log, log)
	if d < 0 {
		return false
	}
	// log[:len(m.log.log)-d] is m.log.log[d:]: keep what was found there.
	kept := 0
	for i, at := range m.at {
		if at >= d {
			m.reqs[kept], m.at[kept] = m.reqs[i], at-d
			kept++
		}
	}
	m.reqs, m.at = m.reqs[:kept], m.at[:kept]
	m.log.dropFront(d)
	m.extend(log, own)
	return true
}

// ownMoved brings the memo to own's log (the peer's log being the one it
// was computed for) and reports whether it could.
func (m *logMemo) ownMoved(own logIndex) bool {
	if m.own == firstEntry(own.log) && m.ownLen == len(own.log) {
		return true
	}
	d := shiftOf(m.ownLog, own.log)
	if d < 0 || !m.log.consecutive {
		return false
	}
	// Own's entries m.ownLog[d:] are still own's: only a peer entry equal
	// to one of own's new entries leaves the memo, and only one equal to
	// one of the d entries own dropped joins it.
	kept := 0
	for i := range m.reqs {
		if !own.has(&m.reqs[i]) {
			m.reqs[kept], m.at[kept] = m.reqs[i], m.at[i]
			kept++
		}
	}
	m.reqs, m.at = m.reqs[:kept], m.at[:kept]
	for i := range d {
		if p := m.log.index(&m.ownLog[i].Req); p >= 0 && !own.has(&m.log.log[p].Req) {
			j, _ := slices.BinarySearch(m.at, p)
			m.reqs = slices.Insert(m.reqs, j, m.log.log[p].Req)
			m.at = slices.Insert(m.at, j, p)
		}
	}
	m.ownLog, m.own, m.ownLen = own.log, firstEntry(own.log), len(own.log)
	return true
}

// shiftOf returns d such that cur starts at old[d] and covers the rest of
// old (cur[:len(old)-d] is old[d:], the same memory), or −1. It compares
// addresses only.
func shiftOf(old, cur []LogEntry) int {
	if len(cur) == 0 {
		return -1
	}
	for d := range old {
		if &old[d] == &cur[0] {
			if len(cur) >= len(old)-d {
				return d
			}
			return -1
		}
	}
	return -1
}

// execMemo remembers what lastCommonExec reads: each replica's last
// executed number with the r_log it was read from (first entry and length:
// an r_log never changes below its length), so that only logs that changed
// are read again, and the numbers in order, sorted again only when one of
// them changed (at an execution, not at every iteration).
type execMemo struct {
	first  []*LogEntry
	size   []int // −1: not read yet
	exec   []int64
	sorted []int64
	valid  bool // sorted holds exec in order
}

// nth returns the q-th highest of the replicas' last executed numbers
// (rep[k].lastExec()), or −1 when q is not in 1 … len(rep).
func (m *execMemo) nth(rep []*RepStructure, q int) int64 {
	if len(m.exec) != len(rep) {
		m.first, m.size, m.exec = make([]*LogEntry, len(rep)), make([]int, len(rep)), make([]int64, len(rep))
		for k := range m.size {
			m.size[k] = -1
		}
		m.valid = false
	}
	for k, s := range rep {
		if f := firstEntry(s.RLog); m.first[k] != f || m.size[k] != len(s.RLog) {
			m.first[k], m.size[k], m.exec[k] = f, len(s.RLog), s.lastExec()
			m.valid = false
		}
	}
	if q < 1 || q > len(rep) {
		return -1
	}
	if !m.valid {
		m.sorted = append(m.sorted[:0], m.exec...)
		slices.Sort(m.sorted)
		m.valid = true
	}
	return m.sorted[len(m.sorted)-q]
}
