package bftlist

import "math/bits"

// reqQVictim is the index of the req_q pair to drop when req_q holds more
// than limit = σK pairs (fix 28 in docs/bftlist.md). A replica executes
// only inside its window (lastExec, lastExec+σK], which holds σK numbers,
// so a req_q over the bound holds a pair outside the window or two pairs
// under one number. An outside pair goes first: it is never executed
// here (dropOutOfWindow removes it at the next iteration anyway).
// Otherwise, of two pairs under one number, the one with fewer statuses
// goes (PRE_PREP only before PREP before COMMIT), then one not numbered
// by the structure's current primary: the pair it competes with stays and
// can still execute. The lowest number used to go whatever it held — the
// next to execute, and a NO_OP a new primary had just filled a gap with:
// with the pairs of an older view still in req_q, nothing executed again.
// The last rule, the lowest number, is not reached when lastExec and the
// bound hold, and keeps the choice total.
func (s *RepStructure) reqQVictim(limit int) int {
	le := s.lastExec()
	for i, p := range s.ReqQ {
		if p.Req.Seq <= le || p.Req.Seq > le+int64(limit) {
			return i
		}
	}
	victim := -1
	for i, p := range s.ReqQ {
		for j, o := range s.ReqQ {
			if j != i && o.Req.Seq == p.Req.Seq && s.weakerPair(p, o, i > j) &&
				(victim < 0 || s.weakerPair(p, s.ReqQ[victim], i > victim)) {
				victim = i
			}
		}
	}
	if victim >= 0 {
		return victim
	}
	lo := 0
	for i, q := range s.ReqQ {
		if q.Req.Seq < s.ReqQ[lo].Req.Seq {
			lo = i
		}
	}
	return lo
}

// weakerPair: p yields to o under one number — fewer statuses, or as many
// and o numbered by the current primary and p not; later breaks a
// remaining tie (the pair added later yields).
func (s *RepStructure) weakerPair(p, o ReqPair, later bool) bool {
	np, no := bits.OnesCount8(uint8(p.Status)), bits.OnesCount8(uint8(o.Status))
	if np != no {
		return np < no
	}
	pp, op := p.Req.View == s.Prim, o.Req.View == s.Prim
	if pp != op {
		return op
	}
	return later
}
