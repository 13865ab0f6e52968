package diembft

import (
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Name is the protocol's name in experiments.
const Name = "diembft"

// Behaviour names.
const (
	BehaviourSilent     = "silent"
	BehaviourEquivocate = "equivocate"
	// BehaviourEquivocateAll sends both conflicting blocks to everyone.
	BehaviourEquivocateAll = "equivocate_all"
	BehaviourDoubleVote    = "double_vote"
)

// Attribute names for SetAttribute.
const (
	AttrCurrentRound     = "current_round"
	AttrLeader           = "leader"
	AttrHighestVoteRound = "highest_vote_round"
	AttrHighestQCRound   = "highest_qc_round"
	AttrLastVoteRound    = "last_vote_round" // the reference's name for highest_vote_round
)

// Corruption scopes.
const (
	ScopeCurrentRound     = "current_round"
	ScopeHighestVoteRound = "highest_vote_round"
	ScopeHighestQCRound   = "highest_qc_round"
	ScopeHighQC           = "high_qc"
	ScopeHighCommitQC     = "high_commit_qc"
	ScopeLastRoundTC      = "last_round_tc"
	ScopePendingVotes     = "pending_votes"
	ScopePendingTimeouts  = "pending_timeouts"
	ScopeBlockTree        = "block_tree"
	ScopeMempool          = "mempool"
	ScopeLeaders          = "leaders"
	ScopeTimers           = protocols.ScopeTimers
)

// Election schemes.
const (
	ElectionRoundRobin = "round_robin"
	ElectionReputation = "reputation"
)

// Proposal triggers: when the leader of a round may propose.
const (
	// ProposeOnInput lets the leader propose at the end of any input
	// handling in which it leads its round, has not proposed in it and has
	// something to propose (byzsim's default).
	ProposeOnInput = "input"
	// ProposeOnNewRound lets the leader propose only at the new-round event
	// of the paper and the reference: at the start of the run, and right
	// after this replica formed a QC from votes or a TC from timeouts. A
	// leader with nothing to propose then lets its round time out.
	ProposeOnNewRound = "new_round"
)

// Protocol returns the descriptor of DiemBFT v4.
func Protocol() *protocols.Protocol {
	return &protocols.Protocol{
		Name:            Name,
		Doc:             "DiemBFT v4: chained BFT SMR with 2-chain commit and quadratic view change",
		MessageKinds:    []string{KindProposal, KindVote, KindTimeout, KindSyncRequest, KindSyncResponse},
		NextLeaderKinds: []string{KindVote},
		Params:          ParamSpecs(),
		Attributes: []protocols.AttrSpec{
			{Name: AttrCurrentRound, Type: protocols.AttrInt, Doc: "the pacemaker's current round (the round timer restarts)", Benign: true},
			{Name: AttrLeader, Type: protocols.AttrReplica, Doc: "the leader of the next round as the replica believes it", Benign: true},
			{Name: AttrHighestVoteRound, Type: protocols.AttrInt, Doc: "Safety.highest_vote_round"},
			{Name: AttrHighestQCRound, Type: protocols.AttrInt, Doc: "Safety.highest_qc_round"},
			{Name: AttrLastVoteRound, Type: protocols.AttrInt, Doc: "alias of highest_vote_round (the reference's name)"},
		},
		Behaviours:    behaviours().Named(),
		CorruptScopes: corruptScopes(),
		Preloads:      true,
		MaxFaulty:     MaxFaulty,
		Codec:         Codec{},
		New:           newAny,
		NewGroup:      NewGroup,
		Legitimate:    Legitimate,
		CommitBound: &protocols.CommitBound{
			Leaders: 3,
			Within:  func(p protocols.Params) sim.Time { return 7 * p.Duration("transmission_delay_bound") },
		},
		Twins: Twins(),
	}
}

// MaxFaulty is ⌊(n−1)/3⌋.
func MaxFaulty(n int) int { return (n - 1) / 3 }

// ParamSpecs lists the protocol's parameters with the reference's defaults.
func ParamSpecs() []protocols.ParamSpec {
	return []protocols.ParamSpec{
		{Name: "transmission_delay_bound", Type: protocols.ParamDuration, Default: sim.Second, Doc: "Δ, the assumed bound on message delay after GST"},
		{Name: "timer_factor", Type: protocols.ParamInt, Default: int64(4), Min: 1, Max: 1000, Doc: "the round timer is timer_factor × Δ"},
		{Name: "rounds_per_leader", Type: protocols.ParamInt, Default: int64(2), Min: 1, Max: 1 << 30, Doc: "consecutive rounds per round-robin leader"},
		{Name: "election", Type: protocols.ParamString, Default: ElectionRoundRobin, Enum: []string{ElectionRoundRobin, ElectionReputation}, Doc: "leader election scheme"},
		{Name: "propose_on", Type: protocols.ParamString, Default: ProposeOnInput, Enum: []string{ProposeOnInput, ProposeOnNewRound}, Doc: "when a leader proposes: after any input, or only at the new-round event (the paper and the reference)"},
		{Name: "window_size", Type: protocols.ParamInt, Default: int64(5), Min: 1, Max: 1 << 20, Doc: "reputation: committed blocks whose signers are active"},
		{Name: "exclude_size", Type: protocols.ParamInt, Default: int64(-1), Min: -1, Max: 1 << 20, Doc: "reputation: authors of the last committed blocks excluded; −1 means f"},
		{Name: "block_size", Type: protocols.ParamInt, Default: int64(4), Min: 1, Max: 1 << 20, Doc: "maximum transactions per block"},
		{Name: "sync_batch", Type: protocols.ParamInt, Default: int64(256), Min: 1, Max: 1 << 20, Doc: "maximum blocks per sync response"},
		{Name: "future_rounds", Type: protocols.ParamInt, Default: int64(100), Min: 1, Max: 1 << 30, Doc: "votes and timeouts for rounds further ahead than this are dropped (bounded memory)"},
		{Name: "bug_one_chain_commit", Type: protocols.ParamBool, Default: false, Doc: "test only, deliberately wrong: a QC commits its own block (1-chain)"},
		{Name: "bug_small_quorum", Type: protocols.ParamBool, Default: false, Doc: "test only, deliberately wrong: quorums one smaller than ⌈(n+f+1)/2⌉ (2f instead of 2f+1 at n = 3f+1)"},
		{Name: "bug_vote_lt", Type: protocols.ParamBool, Default: false, Doc: "test only, deliberately wrong: safe_to_vote with < instead of ≤"},
		{Name: "bug_vote_current_leader", Type: protocols.ParamBool, Default: false, Doc: "test only, deliberately wrong: votes go to the current leader instead of the next"},
	}
}

// Bugs are deliberately wrong rules that checker tests plant to show that a
// checker catches them. They are for testing only; every field false is the
// correct protocol.
type Bugs struct {
	OneChainCommit    bool // a QC commits its own block instead of its parent on a 2-chain
	SmallQuorum       bool // quorums of Quorum(n, f) − 1
	VoteLT            bool // safe_to_vote compares with < instead of ≤
	VoteCurrentLeader bool // votes go to leader(round) instead of leader(round+1)
}

// settings are the validated parameters of a replica.
type settings struct {
	// The settings read while handling messages come first.
	bugs Bugs
	// newRoundOnly: the leader proposes only at the new-round event.
	newRoundOnly    bool
	reputation      bool
	roundTimer      sim.Time
	blockSize       int
	futureRounds    int64
	delta           sim.Time
	roundsPerLeader int64
	windowSize      int
	excludeSize     int
	syncBatch       int
	// group is what the replicas of a run share (NewGroup); nil for a
	// replica built alone.
	group *group
}

// parseParams validates p (missing parameters take their defaults).
func parseParams(p protocols.Params, f int) (settings, error) {
	full := protocols.Defaults(ParamSpecs())
	for k, v := range p {
		full[k] = v
	}
	var s settings
	var err error
	get := func(name string, ok bool) {
		if !ok && err == nil {
			err = fmt.Errorf("diembft: parameter %s: wrong type %T", name, full[name])
		}
	}
	var ok bool
	s.delta, ok = full["transmission_delay_bound"].(sim.Time)
	get("transmission_delay_bound", ok)
	tf, ok := full["timer_factor"].(int64)
	get("timer_factor", ok)
	s.roundsPerLeader, ok = full["rounds_per_leader"].(int64)
	get("rounds_per_leader", ok)
	el, ok := full["election"].(string)
	get("election", ok)
	po, ok := full["propose_on"].(string)
	get("propose_on", ok)
	ws, ok := full["window_size"].(int64)
	get("window_size", ok)
	ex, ok := full["exclude_size"].(int64)
	get("exclude_size", ok)
	bs, ok := full["block_size"].(int64)
	get("block_size", ok)
	sb, ok := full["sync_batch"].(int64)
	get("sync_batch", ok)
	s.futureRounds, ok = full["future_rounds"].(int64)
	get("future_rounds", ok)
	s.bugs.OneChainCommit, ok = full["bug_one_chain_commit"].(bool)
	get("bug_one_chain_commit", ok)
	s.bugs.SmallQuorum, ok = full["bug_small_quorum"].(bool)
	get("bug_small_quorum", ok)
	s.bugs.VoteLT, ok = full["bug_vote_lt"].(bool)
	get("bug_vote_lt", ok)
	s.bugs.VoteCurrentLeader, ok = full["bug_vote_current_leader"].(bool)
	get("bug_vote_current_leader", ok)
	if err != nil {
		return s, err
	}
	switch {
	case s.delta <= 0:
		return s, fmt.Errorf("diembft: transmission_delay_bound must be > 0")
	case tf < 1:
		return s, fmt.Errorf("diembft: timer_factor must be ≥ 1")
	case s.roundsPerLeader < 1:
		return s, fmt.Errorf("diembft: rounds_per_leader must be ≥ 1")
	case el != ElectionRoundRobin && el != ElectionReputation:
		return s, fmt.Errorf("diembft: election must be %q or %q, not %q", ElectionRoundRobin, ElectionReputation, el)
	case po != ProposeOnInput && po != ProposeOnNewRound:
		return s, fmt.Errorf("diembft: propose_on must be %q or %q, not %q", ProposeOnInput, ProposeOnNewRound, po)
	case ws < 1:
		return s, fmt.Errorf("diembft: window_size must be ≥ 1")
	case ex < -1:
		return s, fmt.Errorf("diembft: exclude_size must be ≥ 0, or −1 for f")
	case bs < 1:
		return s, fmt.Errorf("diembft: block_size must be ≥ 1")
	case sb < 1:
		return s, fmt.Errorf("diembft: sync_batch must be ≥ 1")
	case s.futureRounds < 1:
		return s, fmt.Errorf("diembft: future_rounds must be ≥ 1")
	}
	s.roundTimer = sim.Time(tf) * s.delta
	s.reputation = el == ElectionReputation
	s.newRoundOnly = po == ProposeOnNewRound
	s.windowSize = int(ws)
	s.excludeSize = int(ex)
	if ex < 0 {
		s.excludeSize = f
	}
	s.blockSize = int(bs)
	s.syncBatch = int(sb)
	return s, nil
}
