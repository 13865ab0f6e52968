package diembft

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/chained"
	"github.com/byzsim/byzsim/sim"
)

func TestSafetyRules(t *testing.T) {
	tc := func(round int64, hqc ...int64) *TC { return &TC{Round: round, HighQCRounds: hqc} }
	tests := []struct {
		name            string
		hvr, hqcr       int64
		voteLT          bool
		block, qc       int64
		tc              *TC
		vote            bool
		tmoRound, tmoQC int64
		tmoTC           *TC
		timeout         bool
	}{
		{name: "consecutive", hvr: 4, hqcr: 3, block: 5, qc: 4, vote: true, tmoRound: 5, tmoQC: 4, timeout: true},
		{name: "already voted this round", hvr: 5, hqcr: 3, block: 5, qc: 4, vote: false, tmoRound: 5, tmoQC: 4, timeout: true},
		{name: "bug < votes twice", hvr: 5, hqcr: 3, voteLT: true, block: 5, qc: 4, vote: true, tmoRound: 5, tmoQC: 4, timeout: true},
		{name: "older round", hvr: 6, hqcr: 3, block: 5, qc: 4, vote: false, tmoRound: 5, tmoQC: 4, timeout: false},
		{name: "gap without tc", hvr: 2, hqcr: 2, block: 5, qc: 3, vote: false, tmoRound: 5, tmoQC: 3, timeout: false},
		{name: "gap with tc, qc high enough", hvr: 2, hqcr: 2, block: 5, qc: 3, tc: tc(4, 3, 2, 1), vote: true, tmoRound: 5, tmoQC: 3, tmoTC: tc(4, 3), timeout: true},
		{name: "gap with tc, qc too low", hvr: 2, hqcr: 2, block: 5, qc: 3, tc: tc(4, 3, 4, 1), vote: false, tmoRound: 5, tmoQC: 3, tmoTC: tc(3, 2), timeout: false},
		{name: "tc of wrong round", hvr: 2, hqcr: 2, block: 6, qc: 3, tc: tc(4, 1), vote: false, tmoRound: 6, tmoQC: 3, tmoTC: tc(4, 1), timeout: false},
		{name: "qc below highest qc round", hvr: 2, hqcr: 4, block: 5, qc: 4, vote: true, tmoRound: 4, tmoQC: 3, timeout: false},
		{name: "timeout at qc round", hvr: 2, hqcr: 2, block: 3, qc: 2, vote: true, tmoRound: 3, tmoQC: 3, timeout: false},
		{name: "genesis", hvr: -1, hqcr: -2, block: 0, qc: -1, vote: true, tmoRound: 0, tmoQC: -1, timeout: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Safety{HighestVoteRound: tt.hvr, HighestQCRound: tt.hqcr, voteLT: tt.voteLT}
			if got := s.safeToVote(tt.block, tt.qc, tt.tc); got != tt.vote {
				t.Errorf("safeToVote(%d, %d, %v) = %v, want %v", tt.block, tt.qc, tt.tc, got, tt.vote)
			}
			if got := s.safeToTimeout(tt.tmoRound, tt.tmoQC, tt.tmoTC); got != tt.timeout {
				t.Errorf("safeToTimeout(%d, %d, %v) = %v, want %v", tt.tmoRound, tt.tmoQC, tt.tmoTC, got, tt.timeout)
			}
			if s.HighestVoteRound != tt.hvr || s.HighestQCRound != tt.hqcr {
				t.Error("a rule modified the safety rounds")
			}
		})
	}
	// safe_to_extend with a nil TC must not dereference it (reference defect).
	s := Safety{HighestVoteRound: -1}
	if s.safeToExtend(3, 1, nil) {
		t.Error("safeToExtend with nil TC")
	}
}

func req(client sim.NodeID, id uint64) *protocols.Request {
	return &protocols.Request{Client: client, ID: id, Value: int64(id)}
}

func TestLedgerCommitsAllAncestors(t *testing.T) {
	gb, gqc, gs := genesis()
	l := newLedger(gb, gs)
	parent := gqc.VoteInfo.ID
	var ids []protocols.Digest
	for round := int64(0); round < 5; round++ {
		b := newBlock(0, round, []*protocols.Request{req(9, uint64(round))}, &QC{VoteInfo: VoteInfo{ID: parent, Round: round - 1}})
		if _, ok := l.Speculate(parent, b); !ok {
			t.Fatalf("speculate round %d failed", round)
		}
		ids = append(ids, b.ID)
		parent = b.ID
	}
	// A fork off round 1 that must be pruned when round 3 commits.
	fork := newBlock(1, 2, nil, &QC{VoteInfo: VoteInfo{ID: ids[1], Round: 1}})
	l.Speculate(ids[1], fork)
	chain := l.Commit(ids[3])
	if len(chain) != 4 {
		t.Fatalf("committed %d blocks, want 4 (the block and its 3 uncommitted ancestors)", len(chain))
	}
	if !slices.Equal(l.Log(), ids[:4]) {
		t.Fatalf("log %x, want %x", l.Log(), ids[:4])
	}
	if l.Known(fork.ID) {
		t.Error("fork not pruned")
	}
	if _, ok := l.PendingState(ids[4]); !ok {
		t.Error("descendant of the new root pruned")
	}
	if again := l.Commit(ids[2]); again != nil {
		t.Error("committing an ancestor again committed something")
	}
	if l.CommittedBlock(ids[2]) == nil || l.Height() != 4 || l.RootRound() != 3 {
		t.Error("committed chain not indexed")
	}
	// The state ids chain: the same payloads on the same parent give the same state.
	l2 := newLedger(gb, gs)
	b0 := newBlock(0, 0, []*protocols.Request{req(9, 0)}, gqc)
	s1, _ := l2.Speculate(gqc.VoteInfo.ID, b0)
	s0, _ := l.PendingState(ids[4])
	if s1 == 0 || s1 == s0 {
		t.Error("state ids do not depend on history")
	}
}

func TestElectionRoundRobin(t *testing.T) {
	e := newElection(4, 2, false, 5, 1, 1)
	want := []sim.NodeID{0, 0, 1, 1, 2, 2, 3, 3, 0, 0}
	for r, w := range want {
		if got := e.Leader(int64(r)); got != w {
			t.Errorf("leader(%d) = %d, want %d", r, got, w)
		}
	}
	if got := e.Leader(-1); got != 3 {
		t.Errorf("leader(-1) = %d, want 3", got)
	}
	e.Override(5, 0)
	if e.Leader(5) != 0 || e.Leader(4) != 2 {
		t.Error("override not honoured for its round only")
	}
}

// chainLedger commits a chain of blocks with the given authors, each
// certified by a QC signed by signers, and returns the last QC.
func chainLedger(authors []sim.NodeID, signers []sim.NodeID) (*Ledger, *QC) {
	gb, gqc, gs := genesis()
	l := newLedger(gb, gs)
	qc := gqc
	var sigs []Signature
	for _, s := range signers {
		sigs = append(sigs, Signature{Signer: s})
	}
	for i, a := range authors {
		b := newBlock(a, int64(i), nil, qc)
		l.Speculate(qc.VoteInfo.ID, b)
		qc = &QC{VoteInfo: VoteInfo{ID: b.ID, Round: int64(i), ParentID: qc.VoteInfo.ID, ParentRound: qc.VoteInfo.Round}, Signatures: sigs}
		l.Commit(b.ID)
	}
	// A QC for a child of the last block: its parent is committed.
	child := &QC{VoteInfo: VoteInfo{ID: 1, Round: qc.VoteInfo.Round + 1, ParentID: qc.VoteInfo.ID, ParentRound: qc.VoteInfo.Round}, Signatures: sigs}
	return l, child
}

func TestElectionReputation(t *testing.T) {
	l, qc := chainLedger([]sim.NodeID{0, 1, 2, 3, 1, 2}, []sim.NodeID{1, 2, 3})
	e1 := newElection(4, 2, true, 5, 1, 42)
	e2 := newElection(4, 2, true, 5, 1, 42)
	id1, ok1 := e1.electReputationLeader(qc, l)
	id2, ok2 := e2.electReputationLeader(qc, l)
	if !ok1 || !ok2 || id1 != id2 {
		t.Fatalf("not deterministic: %d/%v vs %d/%v", id1, ok1, id2, ok2)
	}
	// Active = {1,2,3} (signers), excluded = the last author, 2.
	if id1 != 1 && id1 != 3 {
		t.Fatalf("elected %d, want 1 or 3 (0 never signed, 2 authored the last block)", id1)
	}
	// exclude_size 2: the paper's walk follows current_block.qc, whose
	// parent_id is the block's grandparent, so it visits every other
	// committed block: authors 2 (last block) and 3 are excluded.
	e3 := newElection(4, 2, true, 5, 2, 42)
	if id, _ := e3.electReputationLeader(qc, l); id != 1 {
		t.Fatalf("exclude 2 elected %d, want 1", id)
	}
	// Different seeds and rounds spread the choice over the candidates.
	seen := map[sim.NodeID]bool{}
	for seed := range uint64(32) {
		id, _ := newElection(4, 2, true, 5, 1, seed).electReputationLeader(qc, l)
		seen[id] = true
	}
	if !seen[1] || !seen[3] || len(seen) != 2 {
		t.Fatalf("reputation choices over seeds: %v", seen)
	}
	// update_leaders only acts on a QC of the previous round that extends its parent directly.
	e := newElection(4, 2, true, 5, 1, 42)
	e.updateLeaders(qc, qc.VoteInfo.Round, l)
	if _, ok := e.Elected(qc.VoteInfo.Round + 1); ok {
		t.Error("updated leaders in the QC's own round")
	}
	e.updateLeaders(qc, qc.VoteInfo.Round+1, l)
	if got := e.Leader(qc.VoteInfo.Round + 2); got != id1 {
		t.Errorf("leader(qc+2) = %d, want the elected %d", got, id1)
	}
}

// fakeEnv is a sim.Env recording sends and timers, for driving one replica.
type fakeEnv struct {
	id     sim.NodeID
	n      int
	now    sim.Time
	sent   []sentMsg
	timers map[sim.TimerID]sim.Timer
	next   sim.TimerID
	obs    []sim.Observation
}

type sentMsg struct {
	to  sim.NodeID // sim.None for a broadcast
	msg sim.Message
}

func newFakeEnv(id sim.NodeID, n int) *fakeEnv {
	return &fakeEnv{id: id, n: n, timers: make(map[sim.TimerID]sim.Timer)}
}

func (e *fakeEnv) Now() sim.Time                     { return e.now }
func (e *fakeEnv) ID() sim.NodeID                    { return e.id }
func (e *fakeEnv) Replicas() int                     { return e.n }
func (e *fakeEnv) Send(to sim.NodeID, m sim.Message) { e.sent = append(e.sent, sentMsg{to, m}) }
func (e *fakeEnv) Broadcast(m sim.Message)           { e.sent = append(e.sent, sentMsg{sim.None, m}) }
func (e *fakeEnv) SetTimer(d sim.Time, kind int, data int64) sim.TimerID {
	e.next++
	e.timers[e.next] = sim.Timer{ID: e.next, Kind: kind, Data: data}
	return e.next
}
func (e *fakeEnv) CancelTimer(id sim.TimerID) { delete(e.timers, id) }
func (e *fakeEnv) Rand() *rand.Rand           { return rand.New(rand.NewPCG(1, 2)) }
func (e *fakeEnv) Charge(d sim.Time)          { e.now += d }
func (e *fakeEnv) Observe(o sim.Observation)  { e.obs = append(e.obs, o) }
func (e *fakeEnv) take() []sentMsg            { s := e.sent; e.sent = nil; return s }
func (e *fakeEnv) broadcasts(kind string) int {
	k := 0
	for _, s := range e.sent {
		if s.to == sim.None && s.msg.Kind() == kind {
			k++
		}
	}
	return k
}

func newTestReplica(t *testing.T, id sim.NodeID, n, f int, params protocols.Params) (*Replica, *fakeEnv) {
	if params == nil {
		params = protocols.Params{}
	}
	r, err := New(protocols.Config{ID: id, N: n, F: f, Params: params, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	env := newFakeEnv(id, n)
	r.Start(env)
	return r, env
}

// timeoutFrom builds a correctly signed timeout of sender for round.
func timeoutFrom(r *Replica, sender sim.NodeID, round int64) *Timeout {
	k := newKeyring(7, sender, r.n, r.quorum, false)
	hqc := r.genesisQC
	return &Timeout{Info: TimeoutInfo{Round: round, HighQC: hqc, Sender: sender, Signature: k.sign(timeoutDigest(round, hqc.VoteInfo.Round))}, HighCommitQC: hqc}
}

func TestPacemakerBrachaAndTC(t *testing.T) {
	r, env := newTestReplica(t, 3, 7, 2, nil) // f = 2, quorum 5
	env.take()
	r.Deliver(0, timeoutFrom(r, 0, 0))
	r.Deliver(0, timeoutFrom(r, 0, 0)) // duplicate
	r.Deliver(1, timeoutFrom(r, 1, 0))
	if env.broadcasts(KindTimeout) != 0 {
		t.Fatal("timed out with f timeouts")
	}
	r.Deliver(2, timeoutFrom(r, 2, 0))
	if env.broadcasts(KindTimeout) != 1 {
		t.Fatal("no Bracha timeout after f+1 timeouts")
	}
	if r.safety.HighestVoteRound != 0 {
		t.Fatal("timing out did not stop voting in the round")
	}
	r.Deliver(4, timeoutFrom(r, 4, 0))
	if r.Round() != 0 {
		t.Fatal("advanced without a TC")
	}
	r.Deliver(5, timeoutFrom(r, 5, 0))
	if r.Round() != 1 || r.pm.LastRoundTC == nil || r.pm.LastRoundTC.Round != 0 || len(r.pm.LastRoundTC.Signatures) != 5 {
		t.Fatalf("no TC after 2f+1 timeouts: round %d tc %v", r.Round(), r.pm.LastRoundTC)
	}
	if !r.validTC(r.pm.LastRoundTC) {
		t.Fatal("formed TC does not verify")
	}
	// Bad signatures are rejected.
	bad := timeoutFrom(r, 6, 1)
	bad.Info.Sender = 0
	r.Deliver(6, bad)
	if s := r.pm.timeouts[1]; s != nil && len(s.infos) > 0 {
		t.Fatal("accepted a timeout signed by another replica")
	}
	// The round timer re-sends the timeout at every expiry.
	env.take()
	for range 2 {
		r.Fire(env.timers[r.pm.timer])
	}
	if got := env.broadcasts(KindTimeout); got != 2 {
		t.Fatalf("%d timeouts re-sent over 2 expiries, want 2", got)
	}
	// A QC advance clears the last round's TC.
	r.advanceRoundQC(&QC{VoteInfo: VoteInfo{Round: r.Round()}})
	if r.pm.LastRoundTC != nil {
		t.Fatal("last_round_tc not cleared by a QC")
	}
}

func TestSignatures(t *testing.T) {
	for _, real := range []bool{false, true} {
		k0 := newKeyring(1, 0, 4, 3, real)
		k1 := newKeyring(1, 1, 4, 3, real)
		s := k0.sign(42)
		if !k1.verify(s, 42) {
			t.Fatalf("real=%v: valid signature rejected", real)
		}
		forged := s
		forged.Signer = 2
		for name, bad := range map[string]Signature{"forged signer": forged, "out of range": {Signer: 9, Digest: 42}} {
			if k1.verify(bad, 42) {
				t.Errorf("real=%v: %s accepted", real, name)
			}
		}
		if k1.verify(s, 43) {
			t.Errorf("real=%v: wrong digest accepted", real)
		}
		if other := newKeyring(2, 1, 4, 3, real); other.verify(s, 42) {
			t.Errorf("real=%v: signature valid under another run's keys", real)
		}
	}
}

func TestSetAttributeAndCorrupt(t *testing.T) {
	r, env := newTestReplica(t, 1, 4, 1, nil)
	if err := r.SetAttribute("nope", 1); err == nil {
		t.Error("unknown attribute accepted")
	}
	if err := r.SetAttribute(AttrLeader, 9); err == nil {
		t.Error("leader out of range accepted")
	}
	if err := r.SetAttribute(AttrLeader, 3); err != nil || r.Leader(1) != 3 {
		t.Error("leader override not honoured for the next round")
	}
	if err := r.SetAttribute(AttrCurrentRound, 4); err != nil || r.Round() != 4 {
		t.Error("current_round not set")
	}
	if err := r.SetBehaviour("bogus"); err == nil {
		t.Error("unknown behaviour accepted")
	}
	if err := r.Corrupt(rand.New(rand.NewPCG(1, 1)), []string{"nope"}); err == nil {
		t.Error("unknown scope accepted")
	}
	for seed := range uint64(20) {
		if err := r.Corrupt(rand.New(rand.NewPCG(seed, 1)), nil); err != nil {
			t.Fatal(err)
		}
		r.Fire(env.timers[r.pm.timer])
		r.Deliver(0, timeoutFrom(r, 0, r.Round()))
	}
}

// TestProposeOnNewRound: with propose_on = "new_round" (the paper and the
// reference) a leader proposes only at a new-round event, so requests that
// arrive after the start wait for round 0 to end in a TC; by default the
// leader proposes as soon as they arrive.
func TestProposeOnNewRound(t *testing.T) {
	req := &protocols.Request{Client: 4, ID: 1, Op: protocols.OpAppend, Value: 1, Payload: 16}
	for _, tt := range []struct {
		trigger string
		want    int // proposals after the request arrives in round 0
	}{{ProposeOnInput, 1}, {ProposeOnNewRound, 0}} {
		r, env := newTestReplica(t, 0, 4, 1, protocols.Params{"propose_on": tt.trigger})
		r.Deliver(4, req)
		if got := env.broadcasts(KindProposal); got != tt.want {
			t.Fatalf("%s: %d proposals in round 0 after the request, want %d", tt.trigger, got, tt.want)
		}
		if tt.trigger != ProposeOnNewRound {
			continue
		}
		// Another request is no new-round event either.
		r.Deliver(4, &protocols.Request{Client: 4, ID: 2, Op: protocols.OpAppend, Value: 2, Payload: 16})
		if got := env.broadcasts(KindProposal); got != 0 {
			t.Fatalf("%d proposals without a new-round event", got)
		}
		// A TC for round 0 formed here is one: replica0 leads round 1.
		for id := sim.NodeID(1); id <= 3; id++ {
			r.Deliver(id, timeoutFrom(r, id, 0))
		}
		if r.Round() != 1 || env.broadcasts(KindProposal) != 1 {
			t.Fatalf("after the round-0 TC: round %d, %d proposals; want round 1 and one proposal", r.Round(), env.broadcasts(KindProposal))
		}
	}
	if _, err := parseParams(protocols.Params{"propose_on": "later"}, 1); err == nil {
		t.Error("propose_on = later accepted")
	}
}

// TestLeaderAwaitsTCQC: a leader that entered its round through a TC
// reporting a higher QC than its own, and is syncing that QC's block, does
// not propose on its stale QC (no replica could vote for it); it proposes
// when the sync has ended.
func TestLeaderAwaitsTCQC(t *testing.T) {
	r, env := newTestReplica(t, 0, 4, 1, nil)
	r.Deliver(4, &protocols.Request{Client: 4, ID: 1, Op: protocols.OpAppend, Value: 1, Payload: 16})
	env.take()
	r.lastProposed = 0 // round 0's proposal is done; the test is about round 1
	r.pm.Round = 1
	r.pm.LastRoundTC = &TC{Round: 0, HighQCRounds: []int64{-1, 5, -1}}
	r.syncing = true
	r.processNewRoundEvent()
	if got := env.broadcasts(KindProposal); got != 0 {
		t.Fatalf("proposed %d times on a QC the TC makes unsafe, while syncing", got)
	}
	r.syncing = false
	r.processNewRoundEvent()
	if got := env.broadcasts(KindProposal); got != 1 {
		t.Fatalf("%d proposals once the sync ended, want 1", got)
	}
}

// TestBlockPayloadDigest checks the payload digest a block keeps from its
// id computation: equal to the digest of its payload, and not used by a
// copy of the block that carries another payload.
func TestBlockPayloadDigest(t *testing.T) {
	reqs := []*protocols.Request{{Client: 4, ID: 1}, {Client: 4, ID: 2}, {Client: 5, ID: 1}}
	b := newBlock(1, 3, reqs[:2], nil)
	for _, tt := range []struct {
		name    string
		payload []*protocols.Request
	}{
		{"own payload", reqs[:2]},
		{"shorter", reqs[:1]},
		{"other array", []*protocols.Request{reqs[0], reqs[1]}},
		{"other requests", reqs[1:3]},
		{"empty", nil},
	} {
		c := *b
		c.Payload = tt.payload
		if got, want := c.payloadDigest(), chained.PayloadDigest(tt.payload); got != want {
			t.Errorf("%s: payload digest %x, want %x", tt.name, got, want)
		}
	}
}

// TestDeliverNilAndForeign: a nil message, typed or not, is not charged
// and is no input (afterInput does not run: a pending rearm stays
// pending); a message of a type the replica does not handle is charged
// its receipt and is an input.
func TestDeliverNilAndForeign(t *testing.T) {
	for _, c := range []struct {
		name   string
		m      sim.Message
		charge sim.Time
	}{
		{"nil", nil, 0},
		{"nil request", (*protocols.Request)(nil), 0},
		{"nil proposal", (*Proposal)(nil), 0},
		{"nil vote", (*Vote)(nil), 0},
		{"nil timeout", (*Timeout)(nil), 0},
		{"nil sync request", (*SyncRequest)(nil), 0},
		{"nil sync response", (*SyncResponse)(nil), 0},
		{"reply", &protocols.Reply{Client: 9, ID: 1, Replica: 2, Result: 5}, 3},
	} {
		r, err := New(protocols.Config{ID: 1, N: 4, F: 1, Seed: 7, Costs: protocols.Costs{PerMessage: 3}})
		if err != nil {
			t.Fatal(err)
		}
		env := newFakeEnv(1, 4)
		r.Start(env)
		env.take()
		before := env.now
		r.pm.rearm = 11
		r.Deliver(2, c.m)
		if got := env.now - before; got != c.charge {
			t.Errorf("%s: charged %v, want %v", c.name, got, c.charge)
		}
		if pending := r.pm.rearm != 0; pending != (c.charge == 0) {
			t.Errorf("%s: rearm still pending %v, want %v (afterInput runs for an input only)", c.name, pending, c.charge == 0)
		}
		if len(env.sent) != 0 {
			t.Errorf("%s: sent %v", c.name, env.sent)
		}
	}
}
