// Package prototest provides "relay", a small rotating-sequencer protocol for
// testing byzsim's kernel, fault engine, workloads and runner without a real
// BFT protocol. It is not Byzantine fault tolerant; the byzsim command lists
// it so that the simulator itself can be exercised without a real protocol.
//
// Round r's leader is replica r mod n. The leader proposes a batch of pending
// requests; every replica that receives the proposal of its current round
// executes it, replies to the clients, votes to the next leader and moves to
// the next round. The next leader proposes once it holds 2f+1 votes and has
// pending requests. A replica whose round timer expires broadcasts a timeout;
// 2f+1 timeouts for a round move everyone past it.
package prototest

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Message kinds.
const (
	KindProposal = "proposal"
	KindVote     = "vote"
	KindTimeout  = "timeout"
)

// Proposal carries a batch from the round's leader.
type Proposal struct {
	Round    int64
	Author   sim.NodeID
	Requests []*protocols.Request
}

// Vote acknowledges a round's proposal to the next leader.
type Vote struct {
	Round int64
	Voter sim.NodeID
}

// Timeout says the sender gave up on a round.
type Timeout struct {
	Round  int64
	Sender sim.NodeID
}

func (*Proposal) Kind() string { return KindProposal }
func (*Vote) Kind() string     { return KindVote }
func (*Timeout) Kind() string  { return KindTimeout }
func (p *Proposal) Size() int {
	s := 48 + protocols.SignatureSize
	for _, r := range p.Requests {
		s += r.Size()
	}
	return s
}
func (*Vote) Size() int    { return 16 + protocols.SignatureSize }
func (*Timeout) Size() int { return 16 + protocols.SignatureSize }
func (p *Proposal) String() string {
	return fmt.Sprintf("proposal{round:%d author:%d requests:%d}", p.Round, p.Author, len(p.Requests))
}
func (v *Vote) String() string { return fmt.Sprintf("vote{round:%d voter:%d}", v.Round, v.Voter) }
func (t *Timeout) String() string {
	return fmt.Sprintf("timeout{round:%d sender:%d}", t.Round, t.Sender)
}

const timerRound = 1

// Protocol returns the descriptor of the relay protocol.
func Protocol() *protocols.Protocol {
	return &protocols.Protocol{
		Name:            "relay",
		Doc:             "test-only rotating sequencer (not fault tolerant)",
		MessageKinds:    []string{KindProposal, KindVote, KindTimeout},
		NextLeaderKinds: []string{KindVote},
		Params: []protocols.ParamSpec{
			{Name: "round_timeout", Type: protocols.ParamDuration, Default: sim.Second, Doc: "round timer"},
			{Name: "block_size", Type: protocols.ParamInt, Default: int64(10), Min: 1, Max: 1 << 20, Doc: "requests per proposal"},
		},
		Attributes: []protocols.AttrSpec{
			{Name: "current_round", Type: protocols.AttrInt, Doc: "the replica's round"},
			{Name: "leader", Type: protocols.AttrReplica, Doc: "the next round's leader as the replica believes it"},
		},
		Behaviours:    behaviours().Named(),
		CorruptScopes: []protocols.Named{{Name: "round", Doc: "the current round"}},
		MaxFaulty:     func(n int) int { return (n - 1) / 3 },
		New: func(cfg protocols.Config) (protocols.Replica, error) {
			r := New(cfg)
			if err := r.SetBehaviour(cfg.Behaviour); err != nil {
				return nil, err
			}
			return r, nil
		},
		Twins: Twins(),
		Legitimate: func(n, f int, snaps []protocols.Snapshot) bool {
			if len(snaps) == 0 {
				return true
			}
			lo, hi := snaps[0].Round, snaps[0].Round
			for _, s := range snaps {
				lo, hi = min(lo, s.Round), max(hi, s.Round)
			}
			return hi-lo <= 1
		},
	}
}

// Replica is a relay replica.
type Replica struct {
	cfg       protocols.Config
	env       sim.Env
	round     int64
	leaderOvr sim.NodeID // SetAttribute("leader"); sim.None when unset
	conduct   protocols.Conduct[struct{}]
	timer     sim.TimerID
	log       []protocols.Digest
	pending   []*protocols.Request
	known     map[protocols.RequestKey]bool
	executed  map[protocols.RequestKey]protocols.Digest
	votes     map[int64]map[sim.NodeID]bool
	timeouts  map[int64]map[sim.NodeID]bool
	canSend   bool // leader of the current round holds its quorum of votes
	future    map[int64]*Proposal
	// table, when set (SetLeaderTable), gives the leader of every round
	// instead of round mod n.
	table func(round int64) sim.NodeID
}

var _ protocols.Replica = (*Replica)(nil)

// New returns a relay replica; an unknown cfg.Behaviour leaves it honest
// (Protocol's New rejects it).
func New(cfg protocols.Config) *Replica {
	r := &Replica{
		cfg:       cfg,
		leaderOvr: sim.None,
		known:     make(map[protocols.RequestKey]bool),
		executed:  make(map[protocols.RequestKey]protocols.Digest),
		votes:     make(map[int64]map[sim.NodeID]bool),
		timeouts:  make(map[int64]map[sim.NodeID]bool),
		future:    make(map[int64]*Proposal),
	}
	if r.SetBehaviour(cfg.Behaviour) != nil {
		_ = r.SetBehaviour("")
	}
	return r
}

func (r *Replica) quorum() int { return 2*r.cfg.F + 1 }

// Round implements protocols.Replica.
func (r *Replica) Round() int64 { return r.round }

// Leader implements protocols.Replica.
func (r *Replica) Leader(round int64) sim.NodeID {
	if r.leaderOvr != sim.None && round == r.round+1 {
		return r.leaderOvr
	}
	return r.scheduled(round)
}

// scheduled is round's leader by the schedule: the imposed table, else
// round mod n.
func (r *Replica) scheduled(round int64) sim.NodeID {
	if r.table != nil {
		return r.table(round)
	}
	return sim.NodeID(round % int64(r.cfg.N))
}

// SetAttribute implements protocols.Replica.
func (r *Replica) SetAttribute(name string, v int64) error {
	switch name {
	case "current_round":
		r.round = v
	case "leader":
		r.leaderOvr = sim.NodeID(v)
	default:
		return fmt.Errorf("relay: unknown attribute %q", name)
	}
	return nil
}

// behaviours is relay's behaviour table: it has no decision points, so
// only the generic protocols.Silent.
func behaviours() *protocols.Behaviours[struct{}] {
	return protocols.NewBehaviours[struct{}]("relay", struct{}{})
}

// SetBehaviour implements protocols.Replica.
func (r *Replica) SetBehaviour(name string) error {
	return behaviours().Set(&r.conduct, name)
}

// Corrupt implements protocols.Replica.
func (r *Replica) Corrupt(rng *rand.Rand, scope []string) error {
	for _, s := range scope {
		if s != "round" {
			return errors.New("relay: unknown corruption scope " + s)
		}
	}
	r.round = rng.Int64N(1000)
	return nil
}

// Snapshot implements protocols.Replica.
func (r *Replica) Snapshot() protocols.Snapshot {
	return protocols.Snapshot{Round: r.round, Log: r.log}
}

// Start implements sim.Node.
func (r *Replica) Start(env sim.Env) {
	r.env = env
	r.canSend = r.Leader(0) == env.ID()
	r.armTimer()
	r.maybePropose() // preloaded requests
}

func (r *Replica) armTimer() {
	r.env.CancelTimer(r.timer)
	r.timer = r.env.SetTimer(r.cfg.Params.Duration("round_timeout"), timerRound, r.round)
}

func (r *Replica) send(to sim.NodeID, m sim.Message) { r.conduct.Send(r.env, to, m) }

func (r *Replica) broadcast(m sim.Message) { r.conduct.Broadcast(r.env, m) }

// Deliver implements sim.Node.
func (r *Replica) Deliver(from sim.NodeID, m sim.Message) {
	r.env.Charge(r.cfg.Costs.ReceiveOf(m))
	switch m := m.(type) {
	case *protocols.Request:
		r.onRequest(m)
	case *Proposal:
		r.env.Charge(r.cfg.Costs.Verify)
		r.onProposal(m)
	case *Vote:
		r.env.Charge(r.cfg.Costs.Verify)
		r.onVote(m)
	case *Timeout:
		r.env.Charge(r.cfg.Costs.Verify)
		r.onTimeout(m)
	}
}

// Fire implements sim.Node.
func (r *Replica) Fire(t sim.Timer) {
	if t.Kind != timerRound || t.Data != r.round {
		return
	}
	r.env.Observe(protocols.Timeout{Round: r.round})
	r.env.Charge(r.cfg.Costs.Sign)
	r.broadcast(&Timeout{Round: r.round, Sender: r.env.ID()})
	r.timer = r.env.SetTimer(r.cfg.Params.Duration("round_timeout"), timerRound, r.round)
}

func (r *Replica) onRequest(q *protocols.Request) {
	k := q.Key()
	if d, ok := r.executed[k]; ok {
		r.send(q.Client, &protocols.Reply{Client: q.Client, ID: q.ID, Replica: r.env.ID(), Result: d})
		return
	}
	if r.known[k] {
		return
	}
	r.known[k] = true
	r.pending = append(r.pending, q)
	r.maybePropose()
}

func (r *Replica) maybePropose() {
	if !r.canSend || r.Leader(r.round) != r.env.ID() || len(r.pending) == 0 {
		return
	}
	n := min(len(r.pending), int(r.cfg.Params.Int("block_size")))
	batch := append([]*protocols.Request(nil), r.pending[:n]...)
	r.canSend = false
	r.env.Charge(r.cfg.Costs.Sign)
	r.broadcast(&Proposal{Round: r.round, Author: r.env.ID(), Requests: batch})
}

// onProposal executes the proposal of the current round; a later round's
// proposal waits until the replica gets there.
func (r *Replica) onProposal(p *Proposal) {
	if p.Round < r.round || p.Author != r.scheduled(p.Round) {
		return
	}
	if p.Round > r.round {
		r.future[p.Round] = p
		return
	}
	prev := protocols.Digest(0)
	if len(r.log) > 0 {
		prev = r.log[len(r.log)-1]
	}
	labels := make([]int64, 0, 2+2*len(p.Requests))
	labels = append(labels, p.Round, int64(len(p.Requests)))
	for _, q := range p.Requests {
		labels = append(labels, int64(q.Client), int64(q.ID))
	}
	d := protocols.Digest(sim.DeriveSeed(uint64(prev), "relay", labels...))
	r.log = append(r.log, d)
	for _, q := range p.Requests {
		r.env.Charge(r.cfg.Costs.Execute)
		k := q.Key()
		r.executed[k] = d
		r.send(q.Client, &protocols.Reply{Client: q.Client, ID: q.ID, Replica: r.env.ID(), Result: d})
	}
	r.dropExecuted()
	r.env.Observe(protocols.Commit{Height: int64(len(r.log)), Round: p.Round, Digest: d, Requests: len(p.Requests)})
	r.env.Charge(r.cfg.Costs.Sign)
	r.send(r.Leader(p.Round+1), &Vote{Round: p.Round, Voter: r.env.ID()})
	r.enter(p.Round+1, protocols.CauseQC)
}

func (r *Replica) dropExecuted() {
	kept := r.pending[:0]
	for _, q := range r.pending {
		if _, done := r.executed[q.Key()]; !done {
			kept = append(kept, q)
		}
	}
	clear(r.pending[len(kept):])
	r.pending = kept
}

func (r *Replica) enter(round int64, cause protocols.RoundCause) {
	if round <= r.round {
		return
	}
	r.round = round
	r.leaderOvr = sim.None
	r.env.Observe(protocols.RoundChange{Round: round, Cause: cause})
	r.armTimer()
	for old := range r.future {
		if old < round {
			delete(r.future, old)
		}
	}
	if p, ok := r.future[round]; ok {
		delete(r.future, round)
		r.onProposal(p)
		return
	}
	if len(r.votes[round-1]) >= r.quorum() || cause == protocols.CauseTC {
		r.canSend = true
		r.maybePropose()
	}
}

// count adds id to the set of senders for round and returns its size.
func count(sets map[int64]map[sim.NodeID]bool, round int64, id sim.NodeID) int {
	s := sets[round]
	if s == nil {
		s = make(map[sim.NodeID]bool)
		sets[round] = s
	}
	s[id] = true
	return len(s)
}

func (r *Replica) onVote(v *Vote) {
	if count(r.votes, v.Round, v.Voter) == r.quorum() && v.Round+1 == r.round && r.Leader(r.round) == r.env.ID() {
		r.canSend = true
		r.maybePropose()
	}
}

func (r *Replica) onTimeout(t *Timeout) {
	if count(r.timeouts, t.Round, t.Sender) >= r.quorum() {
		r.enter(t.Round+1, protocols.CauseTC)
	}
}
