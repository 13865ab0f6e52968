package diembft

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// proposalSizes is a tracer recording the size of every proposal handed to
// each replica.
type proposalSizes map[sim.NodeID][]int

func (p proposalSizes) Delivered(_ sim.Time, _, to sim.NodeID, m sim.Message) {
	if pr, ok := m.(*Proposal); ok {
		p[to] = append(p[to], pr.Block.Size())
	}
}
func (proposalSizes) Sent(sim.Time, sim.NodeID, sim.NodeID, sim.Message)            {}
func (proposalSizes) Dropped(sim.Time, sim.NodeID, sim.NodeID, sim.Message, string) {}
func (proposalSizes) Fired(sim.Time, sim.NodeID, sim.Timer)                         {}
func (proposalSizes) Observed(sim.Time, sim.NodeID, sim.Observation)                {}

// oneRequestCharges runs n = 4, f = 1 with constant 10 ms links and one
// request sent at time 0 until the chain settled (before any round timer),
// with the given cost model, and returns each replica's charged CPU time
// and the sizes of the blocks each one received.
func oneRequestCharges(t *testing.T, costs protocols.Costs) ([]sim.Time, proposalSizes) {
	t.Helper()
	c := newCluster(t, clusterOpts{costs: costs})
	c.client.batch(0, 1)
	sizes := proposalSizes{}
	c.w.SetTracer(sizes)
	c.w.Run(300 * sim.Millisecond) // the round timer is 400 ms
	if len(c.client.done) != 1 || c.timeouts != 0 {
		t.Fatalf("done %d requests with %d timeouts, want 1 and 0", len(c.client.done), c.timeouts)
	}
	out := make([]sim.Time, c.n)
	for i := range out {
		out[i] = c.w.Charged(sim.NodeID(i))
	}
	return out, sizes
}

// TestChargesOfOneRequest checks every charge of the exchange that
// docs/diembft.md derives ("CPU cost of one request"): one request on an
// idle n = 4 system, leaders replica0 (rounds 0, 1) and replica1 (rounds
// 2, 3). Each cost is set alone to 1 ns, so the charged time counts that
// operation; a charge removed or doubled changes a count.
func TestChargesOfOneRequest(t *testing.T) {
	const ns = sim.Nanosecond
	for _, tc := range []struct {
		name  string
		costs protocols.Costs
		want  [4]sim.Time
	}{
		// Sign: 3 votes and 1 reply each; replica0 also proposes B0 and B1
		// and forms QC0, replica1 proposes B2 and forms QC1 and QC2.
		{"sign", protocols.Costs{Sign: ns}, [4]sim.Time{7, 7, 4, 4}},
		// Verify: the request, 3 proposal signatures, each QC a replica did
		// not form (3 votes + author = 4; QC0 in B1, QC1 in B2, each once:
		// the high commit QC is the block's QC), and one per vote received
		// (replica0 the 4 votes on B0, replica1 the 4 on B1 and 4 on B2).
		{"verify", protocols.Costs{Verify: ns}, [4]sim.Time{1 + 3 + 4 + 4, 1 + 3 + 4 + 8, 1 + 3 + 4 + 4, 1 + 3 + 4 + 4}},
		// Execute: the one transaction, at every replica.
		{"execute", protocols.Costs{Execute: ns}, [4]sim.Time{1, 1, 1, 1}},
		// PerMessage: request + 3 proposals (a leader's own included) +
		// votes received (4 at replica0, 8 at replica1).
		{"per_message", protocols.Costs{PerMessage: ns}, [4]sim.Time{1 + 3 + 4, 1 + 3 + 8, 1 + 3, 1 + 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := oneRequestCharges(t, tc.costs)
			for i, w := range tc.want {
				if got[i] != w {
					t.Errorf("replica%d charged %d, want %d", i, got[i], w)
				}
			}
		})
	}

	// PerByte: every received message's bytes, charged whether or not the
	// model charges per message (receipts are charged when either is set),
	// and adding to PerMessage's charges.
	perByte, _ := oneRequestCharges(t, protocols.Costs{PerByte: ns})
	perMessage, _ := oneRequestCharges(t, protocols.Costs{PerMessage: ns})
	both, _ := oneRequestCharges(t, protocols.Costs{PerMessage: ns, PerByte: ns})
	for i := range perByte {
		if perByte[i] <= perMessage[i] || both[i] != perByte[i]+perMessage[i] {
			t.Errorf("replica%d charged %d per byte, %d per message, %d with both", i, perByte[i], perMessage[i], both[i])
		}
	}

	// Hash64 (per 64 bytes, rounded up): each replica hashes every block
	// it receives (its id), 2 units per vote it makes (vote info and
	// ledger commit info) and per vote it checks, 3 per QC it verifies; a
	// leader hashes payload + 128 bytes per proposal it makes.
	got, sizes := oneRequestCharges(t, protocols.Costs{Hash64: ns})
	blocks := func(id int) sim.Time {
		var s sim.Time
		for _, b := range sizes[sim.NodeID(id)] {
			s += sim.Time((b + 63) / 64)
		}
		return s
	}
	units := func(bytes int) sim.Time { return sim.Time((bytes + 63) / 64) }
	req := (&protocols.Request{Payload: 16}).Size()
	want := [4]sim.Time{
		blocks(0) + 2*3 + 2*4 + 3*1 + units(req+128) + units(128), // proposes B0 (the request) and B1
		blocks(1) + 2*3 + 2*8 + 3*1 + units(128),                  // proposes B2
		blocks(2) + 2*3 + 3*2,
		blocks(3) + 2*3 + 3*2,
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("hash64: replica%d charged %d units, want %d", i, got[i], w)
		}
	}
}

// TestTimeoutVerifiesItsQCOnce checks that a timeout whose high QC is also
// its high commit QC (the same certificate, or an equal copy) costs one
// verification of it, while a different high commit QC costs its own.
func TestTimeoutVerifiesItsQCOnce(t *testing.T) {
	const ns = sim.Nanosecond
	// A run that certified rounds 0–2: replica1 formed QC1 and QC2.
	src := newCluster(t, clusterOpts{})
	src.client.batch(0, 1)
	src.w.Run(300 * sim.Millisecond)
	sender := src.reps[1]
	qc2 := sender.tree.highQC
	qc1, _ := sender.tree.certs.get(qc2.VoteInfo.ParentID)
	if qc2.Round() != 2 || qc1 == nil || qc1.Round() != 1 {
		t.Fatalf("replica1's high QC is of round %d, its parent's QC %v; want rounds 2 and 1", qc2.Round(), qc1)
	}
	timeout := func(high, commit *QC) *Timeout {
		return &Timeout{Info: TimeoutInfo{Round: 5, HighQC: high, Sender: 1,
			Signature: sender.keys.sign(timeoutDigest(5, high.Round()))}, HighCommitQC: commit}
	}
	copyOf := func(qc *QC) *QC {
		c := *qc
		c.Signatures = append([]Signature(nil), qc.Signatures...)
		c.memo = 0
		return &c
	}
	for _, tc := range []struct {
		name string
		m    *Timeout
		want sim.Time
	}{
		{"same certificate", timeout(qc2, qc2), 1 + 4},
		{"equal copy", timeout(qc2, copyOf(qc2)), 1 + 4},
		{"different certificates", timeout(qc2, qc1), 1 + 4 + 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A fresh replica of the same run (same keys) that holds neither QC.
			c := newCluster(t, clusterOpts{costs: protocols.Costs{Verify: ns}})
			c.w.Run(0)
			r := c.reps[0]
			before := c.w.Charged(0)
			if !r.checkTimeout(tc.m) {
				t.Fatal("a valid timeout was rejected")
			}
			if got := c.w.Charged(0) - before; got != tc.want {
				t.Errorf("charged %d verifications, want %d", got, tc.want)
			}
		})
	}
}
