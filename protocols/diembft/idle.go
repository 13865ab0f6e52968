package diembft

import "github.com/byzsim/byzsim/sim"

// idleWait records when a leader first found nothing to propose in a round
// (proposals wait for input: no transaction and no uncommitted non-empty
// block to carry to commit). The paper's leader proposes on entering the
// round, an empty block if need be; byzsim's waits, and reports the wait
// with its proposal (protocols.Proposed.Waited) so that the commit bound
// (property 4) does not count it.
type idleWait struct {
	round int64
	since sim.Time
	set   bool
}

// noteIdle records that the leader of round has nothing to propose now,
// unless it already found so earlier in the round.
func (r *Replica) noteIdle(round int64) {
	if !r.idle.set || r.idle.round != round {
		r.idle = idleWait{round: round, since: r.env.Now(), set: true}
	}
}

// idleFor is how long the leader of round has waited with nothing to
// propose (0 if it never found itself idle in round).
func (r *Replica) idleFor(round int64) sim.Time {
	if !r.idle.set || r.idle.round != round {
		return 0
	}
	return r.env.Now() - r.idle.since
}
