package hotstuff

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// equivState is the state of the "equivocate" behaviour: the leader keeps
// two forks, proposing the block of fork h to the replicas of half h (ids
// below n/2 form half 0), each block extending the latest QC of its fork.
type equivState struct {
	forkOf map[protocols.Digest]int
	forkQC [2]*QC
}

func (e *equivState) certified(qc *QC) {
	h, ok := e.forkOf[qc.VoteInfo.ID]
	if ok && (e.forkQC[h] == nil || qc.VoteInfo.Round > e.forkQC[h].VoteInfo.Round) {
		e.forkQC[h] = qc
	}
}

// readyToPropose: both forks have a QC of the previous round, or the round
// starts from a TC or from genesis.
func (e *equivState) readyToPropose(r *Replica, round int64) bool {
	if tc := r.pm.LastRoundTC; tc != nil && tc.Round == round-1 {
		return true
	}
	if r.tree.highQC.VoteInfo.Round == -1 && round == 0 {
		return true
	}
	for _, qc := range e.forkQC {
		if qc == nil || qc.VoteInfo.Round != round-1 {
			return false
		}
	}
	return true
}

func (r *Replica) half(id sim.NodeID) int {
	if int(id) < r.n/2 {
		return 0
	}
	return 1
}

// proposeEquivocating sends conflicting blocks to the two halves, and both
// to itself (it votes for both: equivocation implies double voting); with
// equivocateAll every replica gets both, fork 0's block first.
func (r *Replica) proposeEquivocating(round int64, txns []*protocols.Request) {
	if r.eq.forkOf == nil {
		r.eq.forkOf = make(map[protocols.Digest]int)
	}
	var props [2]*Proposal
	for h := range 2 {
		qc := r.eq.forkQC[h]
		if qc == nil || qc.VoteInfo.Round != round-1 {
			qc = r.tree.highQC
		}
		payload := txns
		if h == 1 {
			payload = make([]*protocols.Request, 0, len(txns))
			for i := len(txns) - 1; i >= 1; i-- {
				payload = append(payload, txns[i])
			}
		}
		p := r.makeProposal(round, payload, qc, qc)
		r.eq.forkOf[p.Block.ID] = h
		props[h] = p
	}
	for to := range r.n {
		id := sim.NodeID(to)
		if id == r.id || r.equivocateAll {
			r.send(id, props[0])
			r.send(id, props[1])
			continue
		}
		r.send(id, props[r.half(id)])
	}
}
