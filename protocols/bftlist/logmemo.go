package bftlist

// logMemo remembers, for one peer, the requests of its r_log that are not
// in this replica's r_log, for the two logs it was computed from. An r_log
// is never written in place below its length (entries are appended, or
// the log is rebuilt, replaced or sliced from the front), so two slices
// with the same first element and length hold the same entries: the memo
// stays valid until either log changes, which happens at an execution, not
// at every message.
//
// When only the peer's log changed and its new log starts inside the array
// of the one remembered (an execution appended an entry and dropped the
// lowest by slicing, addLog), the entries the two share are the same
// memory, so only the new ones are compared with own's log.
type logMemo struct {
	peer, own       *LogEntry
	peerLen, ownLen int
	reqs            []Req
	// log is the peer's log the memo was computed for, and at[i] the
	// index in log of reqs[i].
	log []LogEntry
	at  []int
}

// notInOwnLog returns the requests of log, replica k's r_log, that are not
// in own r_log (indexed by own), in log order.
func (g *replication) notInOwnLog(k int, log []LogEntry, own logIndex) []Req {
	if len(log) == 0 {
		return nil
	}
	var op *LogEntry
	if len(own.log) > 0 {
		op = &own.log[0]
	}
	m := &g.logMemo[k]
	if m.own == op && m.ownLen == len(own.log) && m.log != nil {
		if m.peer == &log[0] && m.peerLen == len(log) {
			return m.reqs
		}
		if d := shiftOf(m.log, log); d >= 0 {
			// log[:len(m.log)-d] is m.log[d:]: keep what was found there.
			kept := 0
			for i, at := range m.at {
				if at >= d {
					m.reqs[kept], m.at[kept] = m.reqs[i], at-d
					kept++
				}
			}
			m.reqs, m.at = m.reqs[:kept], m.at[:kept]
			m.scan(log, len(m.log)-d, own)
			m.peer, m.peerLen, m.log = &log[0], len(log), log
			return m.reqs
		}
	}
	m.reqs, m.at = m.reqs[:0], m.at[:0]
	m.scan(log, 0, own)
	m.peer, m.peerLen, m.own, m.ownLen, m.log = &log[0], len(log), op, len(own.log), log
	return m.reqs
}

// scan adds the requests of log[from:] that own does not hold.
func (m *logMemo) scan(log []LogEntry, from int, own logIndex) {
	for i := from; i < len(log); i++ {
		if e := &log[i]; !own.has(e.Req) {
			m.reqs = append(m.reqs, e.Req)
			m.at = append(m.at, i)
		}
	}
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
