package twinsrun

import (
	"github.com/byzsim/byzsim/failures/twins"
	"github.com/byzsim/byzsim/sim"
)

// Message-type bits of drops.
const (
	bitProposal uint8 = 1 << iota
	bitVote
	bitTimeout
	bitOther
	bitAll = bitProposal | bitVote | bitTimeout | bitOther
)

func msgBit(msg string) uint8 {
	switch msg {
	case twins.MsgProposal:
		return bitProposal
	case twins.MsgVote:
		return bitVote
	case twins.MsgTimeout:
		return bitTimeout
	}
	return bitAll
}

// table is a scenario compiled for fast lookups during a run.
type table struct {
	m, n, t    int
	rounds     int
	gst        int
	leader     []sim.NodeID // per round
	bucket     []int8       // round*m + process
	drops      []uint8      // (round*m + src)*m + dst: message-type bits; nil without drops
	quorumless []bool       // per round before GST: no bucket holds a quorum
	// open is set once a correct replica entered a round ≥ gst: GST has
	// come, and from then on every message is delivered.
	open bool
}

// compile fills t from a validated scenario, reusing t's slices.
func (t *table) compile(s *twins.Scenario, n, tw, quorum int) {
	m := n + tw
	t.m, t.n, t.t = m, n, tw
	t.rounds, t.gst = len(s.Rounds), s.GST
	t.leader = t.leader[:0]
	t.quorumless = t.quorumless[:0]
	t.bucket = grow(t.bucket, t.rounds*m)
	t.open = false
	hasDrops := false
	for r := range s.Rounds {
		rd := &s.Rounds[r]
		t.leader = append(t.leader, sim.NodeID(rd.Leader))
		for b, procs := range rd.Partition {
			for _, p := range procs {
				t.bucket[r*m+p] = int8(b)
			}
		}
		hasDrops = hasDrops || len(rd.Drops) > 0
		ql := r < s.GST && !rd.HasQuorum(n, quorum)
		t.quorumless = append(t.quorumless, ql)
	}
	t.drops = t.drops[:0]
	if hasDrops {
		t.drops = grow(t.drops, t.rounds*m*m)
		clear(t.drops)
		for r := range s.Rounds {
			for _, d := range s.Rounds[r].Drops {
				t.drops[(r*m+d.Src)*m+d.Dst] |= msgBit(d.Msg)
			}
		}
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// leaderOf is the leader of round r: the table's, then correct replicas in
// turn after it.
func (t *table) leaderOf(r int64) sim.NodeID {
	if r >= 0 && r < int64(t.rounds) {
		return t.leader[r]
	}
	if r < 0 {
		return sim.NodeID(t.t)
	}
	k := (r - int64(t.gst)) % int64(t.n-t.t)
	return sim.NodeID(int64(t.t) + k)
}

// correctLeader reports whether round r's leader is a correct replica.
func (t *table) correctLeader(r int64) bool { return int(t.leaderOf(r)) >= t.t }

// allowed reports whether a message of type bit from process p, sent in
// round r, reaches process q.
func (t *table) allowed(r int64, p, q int, bit uint8) bool {
	if p == q || t.open || r < 0 || r >= int64(t.rounds) {
		return true
	}
	i := int(r) * t.m
	if t.bucket[i+p] != t.bucket[i+q] {
		return false
	}
	return t.drops == nil || t.drops[(i+p)*t.m+q]&bit == 0
}
