package diembft

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/chained"
	"github.com/byzsim/byzsim/sim"
)

// Timer kinds.
const (
	timerRound = iota + 1
	timerSync
)

// timeoutSet collects the timeouts of one round.
type timeoutSet struct {
	seen  bitset
	infos []*TimeoutInfo
}

// Pacemaker is the paper's Pacemaker: the current round, the TC that ended
// the previous round, the timeouts collected per round and the round timer.
//
// Invariants: the round only moves forward through certificates (QC or TC
// of the current round or later); LastRoundTC is cleared when a QC moves
// the round; timeouts are kept only for rounds in [round, round +
// future_rounds]; the round timer re-arms on every expiry, so a replica
// re-sends its timeout until the round ends.
type Pacemaker struct {
	Round       int64
	LastRoundTC *TC
	timeouts    map[int64]*timeoutSet // nil while empty
	timer       sim.TimerID
	// rearm, when positive, is a corrupted remaining time of the round
	// timer, applied at the next input (faults cannot schedule).
	rearm sim.Time
}

// startTimer enters round (the paper's start_timer) and restarts the timer.
// memo, when not nil, is the memo of the certificate that moves it.
func (r *Replica) startTimer(round int64, cause protocols.RoundCause, memo *chained.ObservationMemo[protocols.RoundChange]) {
	if round != r.pm.Round {
		r.pm.Round = round
		r.env.Observe(chained.Box(memo, protocols.RoundChange{Round: round, Cause: cause}))
	}
	r.armTimer(r.s.roundTimer)
	r.tree.pruneVotes(round - 1)
	if len(r.pm.timeouts) > 0 { // (no iteration in rounds without timeouts)
		for k := range r.pm.timeouts {
			if k < round {
				delete(r.pm.timeouts, k)
			}
		}
		if len(r.pm.timeouts) == 0 {
			r.pm.timeouts = nil // no map header to read in the next rounds
		}
	}
	r.elect.Prune(round - 2)
}

func (r *Replica) armTimer(d sim.Time) {
	r.env.CancelTimer(r.pm.timer)
	r.pm.timer = r.env.SetTimer(d, timerRound, r.pm.Round)
}

// advanceRoundTC moves to tc.Round+1 when tc is for the current round or
// later.
func (r *Replica) advanceRoundTC(tc *TC) bool {
	if tc == nil || tc.Round < r.pm.Round {
		return false
	}
	r.pm.LastRoundTC = tc
	r.startTimer(tc.Round+1, protocols.CauseTC, &tc.entered)
	return true
}

// advanceRoundQC moves to qcRound+1 when qcRound is the current round or
// later, clearing the last round's TC.
func (r *Replica) advanceRoundQC(qc *QC) bool {
	if qc.VoteInfo.Round < r.pm.Round {
		return false
	}
	r.pm.LastRoundTC = nil
	r.startTimer(qc.VoteInfo.Round+1, protocols.CauseQC, &qc.entered)
	return true
}

// localTimeoutRound times out the current round: it broadcasts a timeout
// when Safety allows and re-arms the round timer, so the timeout is sent
// again at every expiry until the round ends.
func (r *Replica) localTimeoutRound() {
	round := r.pm.Round
	r.env.Observe(protocols.Timeout{Round: round})
	if ti := r.makeTimeout(round); ti != nil {
		r.broadcast(&Timeout{Info: *ti, LastRoundTC: r.pm.LastRoundTC, HighCommitQC: r.tree.highCommitQC})
	}
	r.armTimer(r.s.roundTimer)
}

// makeTimeout is Safety.make_timeout.
func (r *Replica) makeTimeout(round int64) *TimeoutInfo {
	hqc := r.tree.highQC
	if !r.safety.safeToTimeout(round, hqc.VoteInfo.Round, r.pm.LastRoundTC) {
		return nil
	}
	r.safety.timedOut(round)
	r.charge(r.costs.Sign)
	return &TimeoutInfo{Round: round, HighQC: hqc, Sender: r.id, Signature: r.keys.sign(timeoutDigest(round, hqc.VoteInfo.Round))}
}

// newTimeoutSet files an empty timeout set for round, making the table on
// first use (it is nil while empty).
func (pm *Pacemaker) newTimeoutSet(round int64, n int) *timeoutSet {
	if pm.timeouts == nil {
		pm.timeouts = make(map[int64]*timeoutSet)
	}
	set := &timeoutSet{seen: newBitset(n)}
	pm.timeouts[round] = set
	return set
}

// processRemoteTimeout records a verified timeout; f+1 timeouts make this
// replica time out too (Bracha), a quorum forms a TC, which it returns.
func (r *Replica) processRemoteTimeout(ti *TimeoutInfo) *TC {
	if ti.Round < r.pm.Round || ti.Round > r.pm.Round+r.s.futureRounds {
		return nil
	}
	set := r.pm.timeouts[ti.Round]
	if set == nil {
		set = r.pm.newTimeoutSet(ti.Round, r.n)
	}
	if !set.seen.Add(ti.Sender) {
		return nil
	}
	set.infos = append(set.infos, ti)
	// Bracha: f+1 timeouts hold a correct replica's, so f Byzantine
	// replicas cannot end a round, and f+1 correct ones drive all n−f
	// correct replicas (≥ a quorum) to time out.
	if len(set.infos) == TimeoutAmplification(r.f) {
		r.localTimeoutRound()
	}
	// A TC needs a quorum: it intersects the quorum of every QC in ≥ f+1
	// replicas, one of them correct and reporting its high QC round.
	if len(set.infos) != r.quorum {
		return nil
	}
	tc := &TC{Round: ti.Round, HighQCRounds: make([]int64, len(set.infos)), Signatures: make([]Signature, len(set.infos)), memo: r.keys.fingerprint}
	for i, t := range set.infos {
		tc.HighQCRounds[i] = t.HighQC.VoteInfo.Round
		tc.Signatures[i] = t.Signature
	}
	return tc
}
