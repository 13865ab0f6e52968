package diembft

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// behaviours is DiemBFT's behaviour table (protocols.Behaviours). Its own
// silent replaces the generic one: a silent leader also skips building the
// proposals nobody would receive.
func behaviours() *protocols.Behaviours[strategy] {
	type b = protocols.Behaviour[strategy]
	return protocols.NewBehaviours[strategy](Name, honest{},
		b{Name: BehaviourSilent, Doc: "sends nothing at all", Strategy: silent{}},
		b{Name: BehaviourEquivocate, Doc: "as leader, proposes conflicting blocks to the two halves of the replicas and votes for both", Strategy: equivocate{}},
		b{Name: BehaviourEquivocateAll, Doc: "as leader, proposes two conflicting blocks to every replica (the second after the first) and votes for both", Strategy: equivocateAll{}},
		b{Name: BehaviourDoubleVote, Doc: "votes for every valid proposal of its round, also after voting in it", Strategy: doubleVote{}},
	)
}

// strategy is DiemBFT's decision points: the honest code consults the
// replica's current strategy (r.conduct.S) there and nowhere else.
type strategy interface {
	// proposes reports whether the replica proposes as leader at all.
	proposes() bool
	// propose proposes txns as the leader of round.
	propose(r *Replica, round int64, txns []*protocols.Request)
	// certified sees every QC the replica certifies a block with.
	certified(r *Replica, qc *QC)
	// commits reports whether the replica commits blocks.
	commits() bool
	// votesTwice reports whether safe_to_vote lets the replica vote again
	// in a round it voted in.
	votesTwice() bool
}

// strategyCertified tells the replica's strategy of a QC it certifies a
// block with, making no call for an honest replica (nearly every replica
// of a run, at every QC; honest ignores it).
func (r *Replica) strategyCertified(qc *QC) {
	if _, ok := r.conduct.S.(honest); !ok {
		r.conduct.S.certified(r, qc)
	}
}

// commits reports whether the replica's strategy commits blocks, making
// no call for an honest replica (which does).
func (r *Replica) commits() bool {
	if _, ok := r.conduct.S.(honest); ok {
		return true
	}
	return r.conduct.S.commits()
}

// honest is the protocol as specified.
type honest struct{}

func (honest) proposes() bool { return true }
func (honest) propose(r *Replica, round int64, txns []*protocols.Request) {
	r.propose(round, txns)
}
func (honest) certified(*Replica, *QC) {}
func (honest) commits() bool           { return true }
func (honest) votesTwice() bool        { return false }

// silent sends nothing and, as leader, proposes nothing.
type silent struct{ honest }

func (silent) proposes() bool                                  { return false }
func (silent) Withholds(sim.Env, sim.NodeID, sim.Message) bool { return true }

// doubleVote votes for every valid proposal of its round.
type doubleVote struct{ honest }

func (doubleVote) votesTwice() bool { return true }

// equivocate, as leader, proposes conflicting blocks to the two halves of
// the replicas (equivState) and votes for both; it keeps both forks, so it
// commits nothing.
type equivocate struct{ honest }

func (equivocate) votesTwice() bool             { return true }
func (equivocate) commits() bool                { return false }
func (equivocate) certified(r *Replica, qc *QC) { r.eq.certified(qc) }
func (equivocate) propose(r *Replica, round int64, txns []*protocols.Request) {
	if !r.eq.readyToPropose(r, round) {
		return
	}
	r.lastProposed = round
	r.proposeEquivocating(round, txns, false)
}

// equivocateAll is equivocate sending both blocks to every replica.
type equivocateAll struct{ equivocate }

func (equivocateAll) propose(r *Replica, round int64, txns []*protocols.Request) {
	if !r.eq.readyToPropose(r, round) {
		return
	}
	r.lastProposed = round
	r.proposeEquivocating(round, txns, true)
}

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
// all every replica gets both, fork 0's block first.
func (r *Replica) proposeEquivocating(round int64, txns []*protocols.Request, all bool) {
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
		if id == r.id || all {
			r.send(id, props[0])
			r.send(id, props[1])
			continue
		}
		r.send(id, props[r.half(id)])
	}
}
