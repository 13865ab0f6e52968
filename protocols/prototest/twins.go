package prototest

import (
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Twins returns what relay offers Twins: quorums of 2f+1, its three
// message types as proposal, vote and timeout, its round timer set to
// timerFactor × Δ, and no planted bugs. Relay is not Byzantine fault
// tolerant: a twinned leader's two proposals are both executed, so Twins
// finds conflicting commits (P2). It declares no commit bound, so Twins
// does not check P4 on it.
func Twins() *protocols.TwinsSupport {
	return &protocols.TwinsSupport{
		Quorum: func(n, f int) int { return 2*f + 1 },
		Classify: func(msg sim.Message) protocols.MessageClass {
			switch msg.(type) {
			case *Proposal:
				return protocols.ClassProposal
			case *Vote:
				return protocols.ClassVote
			case *Timeout:
				return protocols.ClassTimeout
			}
			return protocols.ClassOther
		},
		Params: func(delta sim.Time, timerFactor int, bugs []string) (protocols.Params, error) {
			if len(bugs) > 0 {
				return nil, fmt.Errorf("relay: unknown planted bug %q (relay plants none)", bugs[0])
			}
			return protocols.Params{"round_timeout": sim.Time(timerFactor) * delta, "block_size": int64(1)}, nil
		},
	}
}

var (
	_ protocols.LeaderScheduler = (*Replica)(nil)
	_ protocols.Preloader       = (*Replica)(nil)
)

// SetLeaderTable implements protocols.LeaderScheduler: table(r) leads
// round r instead of r mod n.
func (r *Replica) SetLeaderTable(table func(round int64) sim.NodeID) { r.table = table }

// Preload implements protocols.Preloader: the requests are pending before
// the run starts, as if clients had sent them at time 0.
func (r *Replica) Preload(reqs ...*protocols.Request) {
	for _, q := range reqs {
		if k := q.Key(); !r.known[k] {
			r.known[k] = true
			r.pending = append(r.pending, q)
		}
	}
}
