package protocols

import (
	"fmt"

	"github.com/byzsim/byzsim/sim"
)

// MessageClass is the role a message plays in a round of a leader-based
// protocol, as Twins' per-class drop rules see it.
type MessageClass uint8

// Message classes.
const (
	// ClassOther is any message Twins does not filter by class (client
	// replies, sync requests and responses).
	ClassOther MessageClass = iota
	// ClassProposal is a leader's proposal of a round.
	ClassProposal
	// ClassVote is a vote on a proposal.
	ClassVote
	// ClassTimeout is a replica's timeout of a round.
	ClassTimeout
)

var messageClassNames = [...]string{ClassOther: "other", ClassProposal: "proposal", ClassVote: "vote", ClassTimeout: "timeout"}

// String returns the class's name: other, proposal, vote or timeout.
func (c MessageClass) String() string {
	if int(c) < len(messageClassNames) {
		return messageClassNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// PlantedBug is a deliberately wrong variant of a protocol, switched on by a
// boolean parameter. Planted bugs document what Twins and explore find; they
// are off unless an experiment or a Twins search asks for them.
type PlantedBug struct {
	// Name is what Twins files and --bug flags write ("small_quorum").
	Name string
	// Param is the boolean protocol parameter that switches it on.
	Param string
	// Doc is a one-line description.
	Doc string
}

// TwinsSupport is what a leader-based, round-based protocol offers Twins
// (Bano et al., "Twins: BFT Systems Made Robust"): replicas built through
// Protocol.New whose leader schedule can be imposed (LeaderScheduler) and
// that accept preloaded requests (Preloader), a classification of its
// messages, and its planted bugs. A protocol without it (nil) cannot run
// under Twins.
type TwinsSupport struct {
	// Quorum is the number of votes (or timeouts) a certificate needs with
	// n replicas of which f may be faulty.
	Quorum func(n, f int) int
	// Classify returns the class of one of the protocol's messages.
	Classify func(msg sim.Message) MessageClass
	// Params returns the protocol's parameters for a Twins run, defaults
	// filled: delta bounds the message delay after GST, the round timer is
	// timerFactor × delta, a block carries one request, and each named
	// planted bug is switched on. An unknown bug is an error.
	Params func(delta sim.Time, timerFactor int, bugs []string) (Params, error)
	// Bugs lists the planted bugs, sorted by name.
	Bugs []PlantedBug
	// DeltaParam and TimerFactorParam name the protocol parameters that
	// Params sets from delta and timerFactor, so that an ordinary
	// experiment's protocol.params give a Twins search its Δ and timer
	// factor (byzsim explore with generator "twins"). Empty when no single
	// parameter holds the value; explore then keeps the Twins default.
	DeltaParam, TimerFactorParam string
}

// Bug returns the planted bug with the given name.
func (t *TwinsSupport) Bug(name string) (PlantedBug, bool) {
	for _, b := range t.Bugs {
		if b.Name == name {
			return b, true
		}
	}
	return PlantedBug{}, false
}

// BugNames lists the names of the planted bugs, in order.
func (t *TwinsSupport) BugNames() []string {
	names := make([]string, len(t.Bugs))
	for i, b := range t.Bugs {
		names[i] = b.Name
	}
	return names
}

// BugByParam returns the planted bug switched on by the given parameter.
func (t *TwinsSupport) BugByParam(param string) (PlantedBug, bool) {
	for _, b := range t.Bugs {
		if b.Param == param {
			return b, true
		}
	}
	return PlantedBug{}, false
}

// LeaderScheduler is implemented by replicas whose leader schedule can be
// imposed: after SetLeaderTable, leader(round) is table(round) instead of
// the protocol's own election. It is called before Start.
type LeaderScheduler interface {
	SetLeaderTable(table func(round int64) sim.NodeID)
}
