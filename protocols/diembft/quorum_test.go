package diembft

import (
	"fmt"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// thresholdSystems are the (n, f) pairs the threshold tests run at, the
// minimum n = 3f+1 and n above it with f = 0 … 5, each with its quorum
// ⌈(n+f+1)/2⌉ written out (so that a changed formula fails the tests).
var thresholdSystems = []struct{ n, f, q int }{
	{2, 0, 2}, {3, 0, 2}, {4, 0, 3}, {4, 1, 3}, {5, 1, 4}, {6, 1, 4}, {7, 1, 5}, {7, 2, 5},
	{8, 2, 6}, {9, 2, 6}, {10, 3, 7}, {11, 3, 8}, {13, 4, 9}, {16, 3, 10}, {16, 5, 11},
}

// TestQuorumIsSmallestIntersecting checks Quorum against a brute-force
// search for every n ≤ 64 and f ≤ (n−1)/3: the smallest q such that two
// sets of q of the n replicas always share at least f+1 replicas (the
// worst case overlap is 2q − n), and that q ≤ n − f (the correct replicas
// alone form a quorum). At n = 3f+1 it is the paper's 2f+1.
func TestQuorumIsSmallestIntersecting(t *testing.T) {
	for n := 1; n <= 64; n++ {
		for f := 0; 3*f+1 <= n; f++ {
			want := 0
			for q := 1; q <= n; q++ {
				if 2*q-n >= f+1 {
					want = q
					break
				}
			}
			q := Quorum(n, f)
			if q != want {
				t.Errorf("Quorum(%d, %d) = %d, want %d (smallest q with 2q − n ≥ f+1)", n, f, q, want)
			}
			if q > n-f {
				t.Errorf("Quorum(%d, %d) = %d > n − f = %d: the correct replicas cannot form a quorum", n, f, q, n-f)
			}
			if n == 3*f+1 && q != 2*f+1 {
				t.Errorf("Quorum(%d, %d) = %d, want 2f+1 = %d at n = 3f+1", n, f, q, 2*f+1)
			}
			if sq := smallQuorum(n, f); n > 1 && (sq != q-1 || 2*sq-n >= f+1) {
				t.Errorf("smallQuorum(%d, %d) = %d: want %d, whose quorums may share ≤ f replicas", n, f, sq, q-1)
			}
		}
	}
	if got := TimeoutAmplification(2); got != 3 {
		t.Errorf("TimeoutAmplification(2) = %d, want f+1 = 3", got)
	}
}

// TestNewRejectsTooFewReplicas checks that a replica refuses n < 3f+1.
func TestNewRejectsTooFewReplicas(t *testing.T) {
	if _, err := New(protocols.Config{ID: 0, N: 6, F: 2}); err == nil {
		t.Error("n = 6, f = 2 accepted")
	}
	if _, err := New(protocols.Config{ID: 0, N: 7, F: 2}); err != nil {
		t.Errorf("n = 7, f = 2 rejected: %v", err)
	}
}

// roundZeroVote returns replica r's vote for the round-0 block of leader 0
// (rounds_per_leader = 1, so leader(1) = 1 collects round 0's votes).
func roundZeroVote(t *testing.T, n, f int, r *Replica, env *fakeEnv) *Vote {
	t.Helper()
	l, lenv := newTestReplicaSeeded(t, 0, n, f, r.cfg.Params, func(l *Replica) { l.Preload(req(sim.NodeID(n+1), 1)) })
	var prop *Proposal
	for _, s := range lenv.take() {
		if p, ok := s.msg.(*Proposal); ok && s.to == sim.None {
			prop = p
		}
	}
	if prop == nil || prop.Block.Round != 0 {
		t.Fatalf("leader 0 did not propose in round 0 (round %d)", l.Round())
	}
	r.Deliver(0, prop)
	for _, s := range env.take() {
		if v, ok := s.msg.(*Vote); ok {
			return v
		}
	}
	t.Fatal("replica 1 did not vote for the round-0 proposal")
	return nil
}

// newTestReplicaSeeded is newTestReplica with a hook run before Start.
func newTestReplicaSeeded(t *testing.T, id sim.NodeID, n, f int, params protocols.Params, before func(*Replica)) (*Replica, *fakeEnv) {
	t.Helper()
	r, err := New(protocols.Config{ID: id, N: n, F: f, Params: params, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	before(r)
	env := newFakeEnv(id, n)
	r.Start(env)
	return r, env
}

// voteAs re-signs v as sender's vote.
func voteAs(r *Replica, v *Vote, sender sim.NodeID) *Vote {
	k := newKeyring(7, sender, r.n, r.quorum, false)
	return &Vote{VoteInfo: v.VoteInfo, LedgerCommitInfo: v.LedgerCommitInfo, HighCommitQC: v.HighCommitQC, Sender: sender, Signature: k.sign(v.LedgerCommitInfo.Hash())}
}

// TestQCThreshold feeds the leader of round 1 exactly Quorum(n, f) − 1
// distinct votes for round 0's block (no QC: it stays in round 0), then
// one more (a QC of Quorum(n, f) signatures moves it to round 1), at n
// = 3f+1 and above. With bug_small_quorum the QC forms one vote earlier.
func TestQCThreshold(t *testing.T) {
	for _, sys := range thresholdSystems {
		for _, bug := range []bool{false, true} {
			n, f := sys.n, sys.f
			t.Run(fmt.Sprintf("n=%d,f=%d,bug=%v", n, f, bug), func(t *testing.T) {
				params := protocols.Params{"rounds_per_leader": int64(1), "bug_small_quorum": bug}
				r, env := newTestReplica(t, 1, n, f, params)
				v := roundZeroVote(t, n, f, r, env)
				q := sys.q
				if bug {
					q = sys.q - 1
				}
				if r.quorum != q {
					t.Fatalf("replica quorum %d, want %d", r.quorum, q)
				}
				senders := make([]sim.NodeID, 0, n)
				for j := n - 1; j >= 0; j-- { // the test replica's own vote last
					senders = append(senders, sim.NodeID(j))
				}
				for i, j := range senders[:q-1] {
					r.Deliver(j, voteAs(r, v, j))
					if i == 0 {
						r.Deliver(j, voteAs(r, v, j)) // a duplicate counts once
					}
				}
				if r.Round() != 0 || r.HighQC().VoteInfo.Round != -1 {
					t.Fatalf("%d votes: round %d, high QC round %d; want no QC below a quorum of %d", q-1, r.Round(), r.HighQC().VoteInfo.Round, q)
				}
				r.Deliver(senders[q-1], voteAs(r, v, senders[q-1]))
				if r.Round() != 1 || r.HighQC().VoteInfo.Round != 0 || len(r.HighQC().Signatures) != q {
					t.Fatalf("%d votes: round %d, high QC round %d with %d signatures; want a QC of %d", q, r.Round(), r.HighQC().VoteInfo.Round, len(r.HighQC().Signatures), q)
				}
			})
		}
	}
}

// TestCertificateVerificationThreshold checks that a fresh replica accepts
// a QC and a TC of Quorum(n, f) distinct signers and rejects them with one
// signer fewer.
func TestCertificateVerificationThreshold(t *testing.T) {
	for _, sys := range thresholdSystems {
		n, f := sys.n, sys.f
		t.Run(fmt.Sprintf("n=%d,f=%d", n, f), func(t *testing.T) {
			params := protocols.Params{"rounds_per_leader": int64(1)}
			r, env := newTestReplica(t, 1, n, f, params)
			v := roundZeroVote(t, n, f, r, env)
			q := sys.q
			d := v.LedgerCommitInfo.Hash()
			qcOf := func(k int) *QC {
				sigs := make([]Signature, k)
				for j := range sigs {
					sigs[j] = newKeyring(7, sim.NodeID(j), n, q, false).sign(d)
				}
				author := newKeyring(7, 0, n, q, false)
				return &QC{VoteInfo: v.VoteInfo, LedgerCommitInfo: v.LedgerCommitInfo, Signatures: sigs, Author: 0, AuthorSignature: author.sign(qcSignaturesDigest(d, sigs))}
			}
			tcOf := func(k int) *TC {
				tc := &TC{Round: 3, HighQCRounds: make([]int64, k), Signatures: make([]Signature, k)}
				for j := range k {
					tc.HighQCRounds[j] = -1
					tc.Signatures[j] = newKeyring(7, sim.NodeID(j), n, q, false).sign(timeoutDigest(3, -1))
				}
				return tc
			}
			fresh, _ := newTestReplica(t, 2%sim.NodeID(n), n, f, params)
			if q > 1 {
				if fresh.validQC(qcOf(q - 1)) {
					t.Errorf("a QC of %d signers verifies; the quorum is %d", q-1, q)
				}
				if fresh.validTC(tcOf(q - 1)) {
					t.Errorf("a TC of %d signers verifies; the quorum is %d", q-1, q)
				}
			}
			if !fresh.validQC(qcOf(q)) {
				t.Errorf("a QC of %d signers does not verify", q)
			}
			if !fresh.validTC(tcOf(q)) {
				t.Errorf("a TC of %d signers does not verify", q)
			}
		})
	}
}

// TestTimeoutThresholds feeds a replica timeouts for round 0 from distinct
// senders: f of them leave it silent, the (f+1)th makes it time out too
// (Bracha); Quorum(n, f) − 1 leave it in round 0 and the next forms a TC
// of Quorum(n, f) signatures that moves it to round 1.
func TestTimeoutThresholds(t *testing.T) {
	for _, sys := range thresholdSystems {
		n, f := sys.n, sys.f
		t.Run(fmt.Sprintf("n=%d,f=%d", n, f), func(t *testing.T) {
			id := sim.NodeID(n - 1)
			r, env := newTestReplica(t, id, n, f, nil)
			env.take()
			q := sys.q
			for j := 0; j < q; j++ {
				if j == f {
					if got := env.broadcasts(KindTimeout); got != 0 {
						t.Fatalf("timed out after %d timeouts; Bracha needs f+1 = %d", f, f+1)
					}
				}
				if j == f+1 {
					if got := env.broadcasts(KindTimeout); got != 1 {
						t.Fatalf("%d own timeouts after f+1 = %d timeouts, want 1", got, f+1)
					}
				}
				if j == q-1 && (r.Round() != 0 || r.pm.LastRoundTC != nil) {
					t.Fatalf("round %d after %d timeouts; a TC needs %d", r.Round(), q-1, q)
				}
				r.Deliver(sim.NodeID(j), timeoutFrom(r, sim.NodeID(j), 0))
				r.Deliver(sim.NodeID(j), timeoutFrom(r, sim.NodeID(j), 0)) // duplicates count once
			}
			if r.Round() != 1 || r.pm.LastRoundTC == nil || len(r.pm.LastRoundTC.Signatures) != q {
				t.Fatalf("after %d timeouts: round %d, TC %v; want a TC of %d", q, r.Round(), r.pm.LastRoundTC, q)
			}
			// The round's sets are dropped with the round, and the table
			// with them (nil while empty); the next round counts afresh.
			if r.pm.timeouts != nil {
				t.Fatalf("round 1 still holds timeout sets %v", r.pm.timeouts)
			}
			for j := 0; j < q; j++ {
				if r.Round() != 1 {
					t.Fatalf("round %d after %d timeouts of round 1; a TC needs %d", r.Round(), j, q)
				}
				r.Deliver(sim.NodeID(j), timeoutFrom(r, sim.NodeID(j), 1))
			}
			if r.Round() != 2 || r.pm.LastRoundTC.Round != 1 || len(r.pm.LastRoundTC.Signatures) != q {
				t.Fatalf("after %d timeouts of round 1: round %d, TC %v; want a TC of round 1 of %d", q, r.Round(), r.pm.LastRoundTC, q)
			}
		})
	}
}
