package hotstuff

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

func TestScenarioNormal(t *testing.T) {
	c := newCluster(t, clusterOpts{costs: protocols.DefaultCosts()})
	c.client.batch(0, 40)
	c.runUntilDone(30 * sim.Second)
	if got := len(c.client.done); got != 40 {
		t.Fatalf("completed %d/40 requests by %v", got, c.w.Now())
	}
	if c.client.conflict {
		t.Fatal("client saw conflicting results")
	}
	if err := consistent(c.reps); err != nil {
		t.Fatal(err)
	}
	if err := c.oneCertPerRound(); err != nil {
		t.Fatal(err)
	}
	for _, r := range c.reps {
		if r.ledger.Height() < 10 {
			t.Errorf("replica %d committed only %d blocks", r.id, r.ledger.Height())
		}
	}
	if c.timeouts != 0 {
		t.Errorf("%d timeouts in a fault-free run", c.timeouts)
	}
}

func TestScenarioCrashedLeader(t *testing.T) {
	c := newCluster(t, clusterOpts{costs: protocols.DefaultCosts()})
	c.client.batch(0, 40)
	c.w.Crash(0) // leader of rounds 0 and 1
	c.runUntilDone(60 * sim.Second)
	if got := len(c.client.done); got != 40 {
		t.Fatalf("completed %d/40 requests by %v", got, c.w.Now())
	}
	if c.timeouts == 0 {
		t.Error("no timeouts with a crashed leader")
	}
	if err := consistent(c.correct(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	if err := c.oneCertPerRound(); err != nil {
		t.Fatal(err)
	}
	if h := c.reps[0].ledger.Height(); h != 0 {
		t.Errorf("crashed replica committed %d blocks", h)
	}
}

func TestScenarioCrashRecover(t *testing.T) {
	c := newCluster(t, clusterOpts{costs: protocols.DefaultCosts()})
	c.client.batch(0, 20)
	c.client.batch(3*sim.Second, 20)
	c.w.At(500*sim.Millisecond, func() { c.w.Crash(2) })
	c.w.At(2*sim.Second, func() { c.w.Recover(2) })
	c.runUntilDone(60 * sim.Second)
	if got := len(c.client.done); got != 40 {
		t.Fatalf("completed %d/40 requests by %v", got, c.w.Now())
	}
	c.w.Run(c.w.Now() + 2*sim.Second)
	if err := consistent(c.reps); err != nil {
		t.Fatal(err)
	}
}

func TestScenarioLaggingReplicaSyncs(t *testing.T) {
	c := newCluster(t, clusterOpts{costs: protocols.DefaultCosts()})
	c.client.batch(0, 40)
	c.client.batch(4*sim.Second, 8)
	sent := kindCounter{}
	c.w.SetTracer(sent)
	net := c.w.Network()
	net.SetPartition([][]sim.NodeID{{0, 1, 2}, {3}})
	c.w.At(3*sim.Second, net.Heal)
	c.runUntilDone(60 * sim.Second)
	if got := len(c.client.done); got != 48 {
		t.Fatalf("completed %d/48 requests by %v", got, c.w.Now())
	}
	c.w.Run(c.w.Now() + sim.Second)
	if err := consistent(c.reps); err != nil {
		t.Fatal(err)
	}
	lag, lead := c.reps[3].ledger.Height(), c.reps[0].ledger.Height()
	if lag < 12 || lead-lag > 2 {
		t.Fatalf("lagging replica at height %d, others at %d", lag, lead)
	}
	if sent[KindSyncRequest] == 0 || sent[KindSyncResponse] == 0 {
		t.Fatalf("no sync: %v", sent)
	}
}

// TestWrongRuleSmallQuorum shows the planted bug at work: with quorums one
// smaller than Quorum(n, f) (2f at n = 4), an equivocating leader splits
// the correct replicas into two forks that both commit; with the correct
// quorum the same attack is harmless.
func TestWrongRuleSmallQuorum(t *testing.T) {
	for _, bug := range []bool{false, true} {
		params := protocols.Params{"rounds_per_leader": int64(1000), "bug_small_quorum": bug}
		c := newCluster(t, clusterOpts{params: params, behaviours: map[sim.NodeID]string{0: BehaviourEquivocate}})
		c.client.batch(0, 40)
		c.w.Run(10 * sim.Second)
		err := consistent(c.correct(1, 2, 3))
		if bug {
			if err == nil {
				t.Fatalf("small quorum: no safety violation (heights %d %d %d)", c.reps[1].ledger.Height(), c.reps[2].ledger.Height(), c.reps[3].ledger.Height())
			}
			if c.oneCertPerRound() == nil {
				t.Error("small quorum: no round with two certified blocks")
			}
			if !c.client.conflict {
				t.Log("client did not see conflicting replies")
			}
		} else {
			if err != nil {
				t.Fatalf("correct quorum: %v", err)
			}
			if err := c.oneCertPerRound(); err != nil {
				t.Fatalf("correct quorum: %v", err)
			}
		}
	}
}

// TestScenarioReputation: with the reputation election a crashed replica,
// which signs nothing, stops being elected, so a run with it needs fewer
// timeouts than round-robin.
func TestScenarioReputation(t *testing.T) {
	timeouts := map[string]int{}
	for _, el := range []string{ElectionRoundRobin, ElectionReputation} {
		c := newCluster(t, clusterOpts{params: protocols.Params{"election": el}, costs: protocols.DefaultCosts()})
		c.client.batch(0, 200)
		c.w.Crash(3)
		c.runUntilDone(120 * sim.Second)
		if got := len(c.client.done); got != 200 {
			t.Fatalf("%s: completed %d/200 requests by %v", el, got, c.w.Now())
		}
		if err := consistent(c.correct(0, 1, 2)); err != nil {
			t.Fatalf("%s: %v", el, err)
		}
		timeouts[el] = c.timeouts
	}
	if timeouts[ElectionReputation] >= timeouts[ElectionRoundRobin] {
		t.Fatalf("timeouts: %v; reputation should avoid the crashed leader", timeouts)
	}
}

func TestScenarioRealCrypto(t *testing.T) {
	costs := protocols.DefaultCosts()
	costs.RealCrypto = true
	c := newCluster(t, clusterOpts{costs: costs, seed: 3})
	c.client.batch(0, 12)
	c.runUntilDone(30 * sim.Second)
	if got := len(c.client.done); got != 12 {
		t.Fatalf("completed %d/12 requests with Ed25519", got)
	}
	if err := consistent(c.reps); err != nil {
		t.Fatal(err)
	}
}

// TestScenarioDeterministic: the same seed gives the same committed logs
// and virtual end time.
func TestScenarioDeterministic(t *testing.T) {
	run := func() ([]protocols.Digest, sim.Time) {
		c := newCluster(t, clusterOpts{costs: protocols.DefaultCosts(), delay: sim.Normal{Mu: 20 * sim.Millisecond, Sigma: 10 * sim.Millisecond}, seed: 9, params: protocols.Params{"election": ElectionReputation}})
		c.client.batch(0, 30)
		c.w.Crash(1)
		c.runUntilDone(60 * sim.Second)
		return c.reps[0].ledger.Log(), c.w.Now()
	}
	l1, t1 := run()
	l2, t2 := run()
	if t1 != t2 || len(l1) != len(l2) || len(l1) == 0 {
		t.Fatalf("runs differ: %v/%d vs %v/%d", t1, len(l1), t2, len(l2))
	}
	for i := range l1 {
		if l1[i] != l2[i] {
			t.Fatalf("logs differ at %d", i)
		}
	}
}

// TestWrongRuleVoteCurrentLeader: with votes sent to the current leader
// instead of the next, QCs form at the wrong replica whenever the leader
// changes, so the run needs timeouts (the bug is visible to a liveness
// checker; it does not break safety).
func TestWrongRuleVoteCurrentLeader(t *testing.T) {
	c := newCluster(t, clusterOpts{params: protocols.Params{"bug_vote_current_leader": true}})
	c.client.batch(0, 20)
	c.w.Run(5 * sim.Second)
	if len(c.client.done) == 20 && c.timeouts == 0 {
		t.Fatal("votes to the current leader did not disturb the protocol")
	}
	if err := consistent(c.reps); err != nil {
		t.Fatal(err)
	}
}

// TestWrongRuleOneChain: with the 1-chain bug a QC commits its own block, so
// the block certified by the high QC is already committed; with the
// 2-chain rule it is not.
func TestWrongRuleOneChain(t *testing.T) {
	for _, bug := range []bool{false, true} {
		c := newCluster(t, clusterOpts{params: protocols.Params{"bug_one_chain_commit": bug}})
		c.client.batch(0, 20)
		c.runUntilDone(10 * sim.Second)
		r := c.reps[0]
		_, committed := r.ledger.HeightOf(r.HighQC().VoteInfo.ID)
		if committed != bug {
			t.Errorf("bug=%v: high QC's block committed = %v", bug, committed)
		}
	}
}

// TestReputationLeadersAgree: with reputation election and new-round
// proposals (the reference's setting) the leaders come from the QCs every
// replica processes, so in a fault-free run all replicas see the same
// leader for every round they enter, and reputation overrides round-robin
// from the first direct 2-chain on (round 4: round 0 times out, blocks of
// rounds 1 and 2 form the first 2-chain).
func TestReputationLeadersAgree(t *testing.T) {
	c := newCluster(t, clusterOpts{seed: 5, params: protocols.Params{"election": ElectionReputation, "propose_on": ProposeOnNewRound}})
	c.client.batch(0, 60)
	seen := map[int64]map[sim.NodeID]sim.NodeID{} // round → replica → leader
	c.w.Subscribe(func(_ sim.Time, node sim.NodeID, o sim.Observation) {
		if rc, ok := o.(protocols.RoundChange); ok && int(node) < c.n {
			if seen[rc.Round] == nil {
				seen[rc.Round] = map[sim.NodeID]sim.NodeID{}
			}
			seen[rc.Round][node] = c.reps[node].Leader(rc.Round)
		}
	})
	c.runUntilDone(30 * sim.Second)
	if got := len(c.client.done); got != 60 {
		t.Fatalf("completed %d/60 requests", got)
	}
	rr := newElection(c.n, 2, false, 5, 1, 0)
	overridden := 0
	for round, views := range seen {
		var first sim.NodeID = sim.None
		for _, l := range views {
			if first == sim.None {
				first = l
			} else if l != first {
				t.Fatalf("round %d: replicas disagree on the leader: %v", round, views)
			}
		}
		if round < 4 && first != rr.RoundRobin(round) {
			t.Errorf("round %d: leader %d before any reputation election, round-robin says %d", round, first, rr.RoundRobin(round))
		}
		if round >= 4 && first != rr.RoundRobin(round) {
			overridden++
		}
	}
	if overridden == 0 {
		t.Errorf("reputation never chose another leader than round-robin over %d rounds", len(seen))
	}
}
