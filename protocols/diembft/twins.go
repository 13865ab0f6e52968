package diembft

import (
	"fmt"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Planted bugs that Twins scenarios may switch on, by their Twins names.
const (
	BugConflictingVotes    = "conflicting_votes"
	BugOneChainCommit      = "one_chain_commit"
	BugSmallQuorum         = "small_quorum"
	BugVoteToCurrentLeader = "vote_to_current_leader"
)

// twinsBugs lists the planted bugs, sorted by name, with the parameter that
// switches each on.
var twinsBugs = []protocols.PlantedBug{
	{Name: BugConflictingVotes, Param: "bug_vote_lt", Doc: "safe_to_vote compares with < instead of ≤: a replica votes twice in a round"},
	{Name: BugOneChainCommit, Param: "bug_one_chain_commit", Doc: "a QC commits its own block (1-chain) instead of its parent on a 2-chain"},
	{Name: BugSmallQuorum, Param: "bug_small_quorum", Doc: "quorums one smaller than ⌈(n+f+1)/2⌉ (2f instead of 2f+1 at n = 3f+1)"},
	{Name: BugVoteToCurrentLeader, Param: "bug_vote_current_leader", Doc: "votes go to the current leader instead of the next"},
}

// Twins returns what DiemBFT offers Twins: its quorum, the classes of its
// messages, its parameters for a Twins run and its planted bugs. Replicas
// implement protocols.LeaderScheduler and protocols.Preloader.
func Twins() *protocols.TwinsSupport {
	return &protocols.TwinsSupport{
		Quorum:           Quorum,
		Classify:         classify,
		Params:           twinsParams,
		Bugs:             append([]protocols.PlantedBug(nil), twinsBugs...),
		DeltaParam:       "transmission_delay_bound",
		TimerFactorParam: "timer_factor",
	}
}

var (
	_ protocols.LeaderScheduler = (*Replica)(nil)
	_ protocols.Preloader       = (*Replica)(nil)
)

// classify is DiemBFT's message classification: proposals, votes and
// timeouts by their types, everything else (sync requests and responses,
// client replies) other.
func classify(msg sim.Message) protocols.MessageClass {
	switch msg.(type) {
	case *Proposal:
		return protocols.ClassProposal
	case *Vote:
		return protocols.ClassVote
	case *Timeout:
		return protocols.ClassTimeout
	}
	return protocols.ClassOther
}

// twinsParams are the parameters of a Twins run: the defaults, Δ, the
// timer factor, one transaction per block (so that every led round
// proposes a block of its own), and the named bugs switched on.
func twinsParams(delta sim.Time, timerFactor int, bugs []string) (protocols.Params, error) {
	p := protocols.Defaults(ParamSpecs())
	p["transmission_delay_bound"] = delta
	p["timer_factor"] = int64(timerFactor)
	p["block_size"] = int64(1)
	for _, name := range bugs {
		i := sort.Search(len(twinsBugs), func(i int) bool { return twinsBugs[i].Name >= name })
		if i == len(twinsBugs) || twinsBugs[i].Name != name {
			names := make([]string, len(twinsBugs))
			for j, b := range twinsBugs {
				names[j] = b.Name
			}
			return nil, fmt.Errorf("diembft: unknown planted bug %q (allowed: %s)", name, strings.Join(names, ", "))
		}
		p[twinsBugs[i].Param] = true
	}
	return p, nil
}
