package diembft

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/chained"
	"github.com/byzsim/byzsim/sim"
)

// TestNewGroupMatchesNew: replicas built by NewGroup, which share the
// parsed parameters and copy one preloaded mempool, run exactly as
// replicas built one by one by New, at several (n, f); no vote is written
// after it is sent. The replicas keep slabs of their own: in a live run
// they run on goroutines of their own.
func TestNewGroupMatchesNew(t *testing.T) {
	params := protocols.Params{"transmission_delay_bound": 50 * sim.Millisecond, "block_size": int64(3)}
	reqs := make([]*protocols.Request, 40)
	for i := range reqs {
		reqs[i] = &protocols.Request{Client: -2, ID: uint64(i + 1), Op: protocols.OpAppend, Value: int64(i)}
	}
	for _, c := range []struct{ n, f int }{{4, 1}, {5, 1}, {7, 2}, {10, 3}} {
		n, f := c.n, c.f
		run := func(group bool) ([][]protocols.Digest, sim.Stats) {
			w := sim.NewWorld(sim.Config{Seed: 3, Replicas: n})
			w.Network().SetDefault(sim.Link{Delay: sim.Uniform{Min: sim.Millisecond, Max: 9 * sim.Millisecond}})
			shared := protocols.Config{N: n, F: f, Params: params, Costs: protocols.DefaultCosts(), Seed: 3}
			build := newAny
			if group {
				build = NewGroup(shared)
			}
			var reps []*Replica
			for i := range n {
				cfg := shared
				cfg.ID = sim.NodeID(i)
				r, err := build(cfg)
				if err != nil {
					t.Fatal(err)
				}
				r.(*Replica).Preload(reqs...)
				reps = append(reps, r.(*Replica))
				w.AddNode(r, 0)
			}
			// Every vote sent, as sent, to check it is never written again.
			type sent struct {
				v    *Vote
				copy Vote
			}
			var votes []sent
			w.SetTracer(voteTracer(func(v *Vote) { votes = append(votes, sent{v, *v}) }))
			w.Run(2 * sim.Second)
			for i, s := range votes {
				if *s.v != s.copy {
					t.Fatalf("n=%d: vote %d changed after it was sent", n, i)
				}
			}
			logs := make([][]protocols.Digest, n)
			for i, r := range reps {
				logs[i] = slices.Clone(r.ledger.Log())
			}
			return logs, w.Stats()
		}
		logs, stats := run(false)
		glogs, gstats := run(true)
		if len(logs[0]) < 10 {
			t.Fatalf("n=%d: replica 0 committed %d blocks, want at least 10", n, len(logs[0]))
		}
		for i := range logs {
			if !slices.Equal(logs[i], glogs[i]) {
				t.Errorf("n=%d: replica %d: %d blocks committed built alone, %d in a group, or other blocks", n, i, len(logs[i]), len(glogs[i]))
			}
		}
		if stats != gstats {
			t.Errorf("n=%d: stats alone %+v, in a group %+v", n, stats, gstats)
		}
	}
}

// TestNewGroupErrors: a group reports the errors New reports, for each
// replica.
func TestNewGroupErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  protocols.Config
	}{
		{"bad parameter", protocols.Config{N: 4, F: 1, Params: protocols.Params{"block_size": int64(0)}}},
		{"wrong type", protocols.Config{N: 4, F: 1, Params: protocols.Params{"block_size": "big"}}},
		{"n too small", protocols.Config{N: 3, F: 1}},
		{"bad id", protocols.Config{ID: 9, N: 4, F: 1}},
		{"bad behaviour", protocols.Config{N: 4, F: 1, Behaviour: "nonsense"}},
	} {
		_, want := New(tc.cfg)
		_, got := NewGroup(tc.cfg)(tc.cfg)
		if want == nil || got == nil || got.Error() != want.Error() {
			t.Errorf("%s: NewGroup's error %v, New's %v", tc.name, got, want)
		}
	}
}

// TestQCIndex: the index answers as a map does through random additions
// of blocks' first QCs, prunes and drops, over the move from the slice to
// a map and back.
func TestQCIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x qcIndex
	model := map[protocols.Digest]*QC{}
	qcOf := func(round int64) *QC { return &QC{VoteInfo: VoteInfo{Round: round}} }
	root := int64(0)
	sawBig := false
	for step := range 4000 {
		switch op := rng.IntN(20); {
		case op < 12:
			round := root + int64(rng.IntN(120))
			id := protocols.Digest(rng.IntN(200))
			if _, ok := x.get(id); ok {
				continue // a block keeps its first QC
			}
			qc := qcOf(round)
			x.add(id, qc)
			model[id] = qc
		case op < 18:
			root += int64(rng.IntN(3))
			x.prune(root)
			for id, qc := range model {
				if qc.VoteInfo.Round < root {
					delete(model, id)
				}
			}
		default:
			seed := rng.Uint64()
			x.dropSome(rand.New(rand.NewPCG(seed, 0)), 3)
			chained.DropSome(rand.New(rand.NewPCG(seed, 0)), model, 3)
		}
		sawBig = sawBig || x.big != nil
		for id := range protocols.Digest(200) {
			got, ok := x.get(id)
			want, wok := model[id]
			if ok != wok || got != want {
				t.Fatalf("step %d: id %d: got %v %v, want %v %v", step, id, got, ok, want, wok)
			}
		}
	}
	if !sawBig {
		t.Error("the index never moved to a map")
	}
	x.prune(root + 1000)
	if x.big != nil || len(x.small) != 0 {
		t.Error("the index is not back in an empty slice after pruning everything")
	}
}

// voteTracer calls sent for every vote a replica sends.
type voteTracer func(v *Vote)

func (f voteTracer) Sent(_ sim.Time, _, _ sim.NodeID, m sim.Message) {
	if v, ok := m.(*Vote); ok {
		f(v)
	}
}
func (voteTracer) Dropped(sim.Time, sim.NodeID, sim.NodeID, sim.Message, string) {}
func (voteTracer) Delivered(sim.Time, sim.NodeID, sim.NodeID, sim.Message)       {}
func (voteTracer) Fired(sim.Time, sim.NodeID, sim.Timer)                         {}
func (voteTracer) Observed(sim.Time, sim.NodeID, sim.Observation)                {}
