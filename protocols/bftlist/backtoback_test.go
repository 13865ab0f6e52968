package bftlist

import (
	"fmt"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// commitLog is a tracer recording, per height, the first digest any
// correct replica executed there, and every later execution of another
// digest at that height (by any correct replica, itself included), as the
// run's safety checker does. It also counts view-establishment resets.
type commitLog struct {
	correct  func(sim.NodeID) bool
	first    map[int64]protocols.Digest
	conflict []string
	resets   int
}

func newCommitLog(correct func(sim.NodeID) bool) *commitLog {
	return &commitLog{correct: correct, first: map[int64]protocols.Digest{}}
}

func (c *commitLog) Observed(at sim.Time, node sim.NodeID, o sim.Observation) {
	if !c.correct(node) {
		return
	}
	switch o := o.(type) {
	case protocols.Commit:
		d, seen := c.first[o.Height]
		switch {
		case !seen:
			c.first[o.Height] = o.Digest
		case d != o.Digest:
			c.conflict = append(c.conflict, fmt.Sprintf("replica%d executed %x at height %d at %v, another request was executed there before", node, uint64(o.Digest), o.Height, at))
		}
	case protocols.RoundChange:
		if o.Cause == protocols.CauseReset {
			c.resets++
		}
	}
}

func (*commitLog) Sent(sim.Time, sim.NodeID, sim.NodeID, sim.Message)            {}
func (*commitLog) Delivered(sim.Time, sim.NodeID, sim.NodeID, sim.Message)       {}
func (*commitLog) Dropped(sim.Time, sim.NodeID, sim.NodeID, sim.Message, string) {}
func (*commitLog) Fired(sim.Time, sim.NodeID, sim.Timer)                         {}

// TestBackToBackViewChangeSafe replaces an unresponsive primary at n = 6,
// f = 1 with back-to-back loops (the reference's pacing), over several
// seeds. Iterations are then far shorter than a link delay and a throttled
// replica sleeps 50 ms, so the first replicas to establish the new view
// run their automaton again long before the others have followed. No
// correct replica may reset (nothing but the primary is faulty), no height
// may be executed with two requests, and the clients' requests must
// complete under the new primary.
func TestBackToBackViewChangeSafe(t *testing.T) {
	const n, f, clients, each = 6, 1, 2, 6
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			w := sim.NewWorld(sim.Config{Seed: seed, Replicas: n})
			w.Network().SetDefault(sim.Link{Delay: sim.Uniform{Min: sim.Millisecond, Max: 5 * sim.Millisecond}})
			var reps []*Replica
			for i := range n {
				r, err := New(protocols.Config{ID: sim.NodeID(i), N: n, F: f, Clients: clients,
					Params: protocols.Params{"loop_mode": LoopBackToBack}, Costs: protocols.DefaultCosts(), Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				reps = append(reps, r)
				w.AddNode(r, 0)
			}
			var cls []*testClient
			for range clients {
				cl := &testClient{n: n, f: f, total: each}
				cls = append(cls, cl)
				w.AddNode(cl, 0)
			}
			done := func() int {
				s := 0
				for _, cl := range cls {
					s += cl.done
				}
				return s
			}
			silent := false
			log := newCommitLog(func(id sim.NodeID) bool { return int(id) < n && !(silent && id == 0) })
			w.SetTracer(log)
			for w.Now() < 10*sim.Second && done() < 2 {
				w.Run(w.Now() + 100*sim.Millisecond)
			}
			if done() < 2 {
				t.Fatalf("%d requests completed before the primary went silent, want 2", done())
			}
			before := log.resets
			silent = true
			if err := reps[0].SetBehaviour(BehaviourUnresponsive); err != nil {
				t.Fatal(err)
			}
			for w.Now() < 30*sim.Second && done() < clients*each {
				w.Run(w.Now() + 100*sim.Millisecond)
			}
			for _, c := range log.conflict {
				t.Error(c)
			}
			if log.resets != before {
				t.Errorf("%d view-establishment resets of correct replicas after the primary went silent, want none", log.resets-before)
			}
			if done() < clients*each {
				t.Errorf("%d of %d requests completed by %v", done(), clients*each, w.Now())
			}
			for i := 1; i < n; i++ {
				if v := reps[i].Round(); v < 1 {
					t.Errorf("replica%d in view %d, want the next primary's", i, v)
				}
			}
		})
	}
}
