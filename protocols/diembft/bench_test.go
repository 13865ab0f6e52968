package diembft

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// sink is a client that only receives replies.
type sink struct{ replies int }

func (*sink) Start(sim.Env)                     {}
func (*sink) Fire(sim.Timer)                    {}
func (s *sink) Deliver(sim.NodeID, sim.Message) { s.replies++ }

type benchShape struct {
	n          int
	delay      sim.Dist
	delta      sim.Time
	costs      protocols.Costs
	blockSize  int64
	preload    int // requests pre-loaded in every mempool
	stopBlocks int64
	stopRound  int64
}

// runShape runs one world of the shape until n−f replicas committed
// stopBlocks blocks (or replica 0 reached stopRound) and returns the events
// processed and the virtual time.
func runShape(tb testing.TB, s benchShape, seed uint64) (sim.Stats, sim.Time) {
	f := MaxFaulty(s.n)
	w := sim.NewWorld(sim.Config{Seed: seed, Replicas: s.n})
	w.Network().SetDefault(sim.Link{Delay: s.delay})
	params := protocols.Params{"transmission_delay_bound": s.delta, "block_size": s.blockSize}
	reqs := make([]*protocols.Request, s.preload)
	for i := range reqs {
		reqs[i] = &protocols.Request{Client: sim.NodeID(s.n), ID: uint64(i + 1), Op: protocols.OpAppend, Value: int64(i), Payload: 16}
	}
	reps := make([]*Replica, s.n)
	for i := range s.n {
		r, err := New(protocols.Config{ID: sim.NodeID(i), N: s.n, F: f, Clients: 1, Params: params, Costs: s.costs, Seed: seed})
		if err != nil {
			tb.Fatal(err)
		}
		r.Preload(reqs...)
		reps[i] = r
		w.AddNode(r, 0)
	}
	w.AddNode(&sink{}, 0)
	reached := 0
	w.Subscribe(func(_ sim.Time, node sim.NodeID, o sim.Observation) {
		if c, ok := o.(protocols.Commit); ok && s.stopBlocks > 0 && c.Height == s.stopBlocks {
			if reached++; reached >= s.n-f {
				w.Stop("committed")
			}
		}
		if rc, ok := o.(protocols.RoundChange); ok && node == 0 && s.stopRound > 0 && rc.Round >= s.stopRound {
			w.Stop("rounds")
		}
	})
	why := w.Run(600 * sim.Second)
	if why != "committed" && why != "rounds" {
		tb.Fatalf("run ended with %q at %v", why, w.Now())
	}
	if err := consistent(reps); err != nil {
		tb.Fatal(err)
	}
	return w.Stats(), w.Now()
}

func benchShapeRun(b *testing.B, s benchShape) {
	b.ReportAllocs()
	var events uint64
	var virt sim.Time
	start := time.Now()
	for i := 0; i < b.N; i++ {
		st, v := runShape(b, s, uint64(i+1))
		events += st.Events
		virt += v
	}
	wall := time.Since(start).Seconds()
	b.ReportMetric(float64(events)/wall, "events/s")
	b.ReportMetric(wall/float64(b.N), "wall-s/run")
	b.ReportMetric(virt.Seconds()/float64(b.N), "virtual-s/run")
}

// BenchmarkSaturatedN4: n=4 with the default cost model, every mempool
// full, 1000 blocks.
func BenchmarkSaturatedN4(b *testing.B) {
	benchShapeRun(b, benchShape{n: 4, delay: sim.Constant{D: 5 * sim.Millisecond}, delta: 100 * sim.Millisecond,
		costs: protocols.DefaultCosts(), blockSize: 100, preload: 110_000, stopBlocks: 1000})
}

// BenchmarkFaultFreeN100: n=100, 1000 rounds, fault-free (≤ 10 s wall).
func BenchmarkFaultFreeN100(b *testing.B) {
	benchShapeRun(b, benchShape{n: 100, delay: sim.Constant{D: 10 * sim.Millisecond}, delta: 100 * sim.Millisecond,
		costs: protocols.DefaultCosts(), blockSize: 4, preload: 4100, stopRound: 1000})
}

// peerShape: every message delayed Normal(250ms, 50ms), round timer 3 s,
// zero CPU cost, full blocks, until n−f replicas committed 100 blocks.
func peerShape(n int) benchShape {
	return benchShape{n: n, delay: sim.Normal{Mu: 250 * sim.Millisecond, Sigma: 50 * sim.Millisecond}, delta: 750 * sim.Millisecond,
		blockSize: 4, preload: 440, stopBlocks: 100}
}

// BenchmarkPeerN256: target ≤ 0.1 s wall per run.
func BenchmarkPeerN256(b *testing.B) { benchShapeRun(b, peerShape(256)) }

// BenchmarkPeerN512: target ≤ 0.4 s wall per run.
func BenchmarkPeerN512(b *testing.B) { benchShapeRun(b, peerShape(512)) }

// TestPeerShape checks the peer shape completes (a smaller n keeps it fast).
func TestPeerShape(t *testing.T) {
	st, v := runShape(t, peerShape(64), 1)
	if st.Events == 0 || v <= 0 {
		t.Fatal("nothing ran")
	}
}

// pumpEnv is a replica's environment in BenchmarkRoundN256: what it sends
// goes to one queue shared by the replicas, time does not move, timers
// never fire and observations are dropped.
type pumpEnv struct {
	id    sim.NodeID
	n     int
	queue *[]pumped
	timer sim.TimerID
}

type pumped struct {
	from, to sim.NodeID // to is sim.None for a broadcast
	msg      sim.Message
}

func (e *pumpEnv) Now() sim.Time  { return 0 }
func (e *pumpEnv) ID() sim.NodeID { return e.id }
func (e *pumpEnv) Replicas() int  { return e.n }
func (e *pumpEnv) Send(to sim.NodeID, m sim.Message) {
	*e.queue = append(*e.queue, pumped{e.id, to, m})
}
func (e *pumpEnv) Broadcast(m sim.Message) { *e.queue = append(*e.queue, pumped{e.id, sim.None, m}) }
func (e *pumpEnv) SetTimer(sim.Time, int, int64) sim.TimerID {
	e.timer++
	return e.timer
}
func (e *pumpEnv) CancelTimer(sim.TimerID) {}
func (e *pumpEnv) Rand() *rand.Rand        { return rand.New(rand.NewPCG(uint64(e.id), 1)) }
func (e *pumpEnv) Charge(sim.Time)         {}
func (e *pumpEnv) Observe(sim.Observation) {}

// BenchmarkRoundN256 measures DiemBFT's own work per round at n = 256,
// without the simulator: the replicas (built as a run builds them, every
// mempool full) exchange their messages through one queue, delivered in
// order, so an op is one fault-free round: the proposal delivered to every
// replica (verified, executed speculatively, voted on, its QC's block
// committed) and the n votes delivered to the next leader, which forms the
// QC and proposes the next block.
func BenchmarkRoundN256(b *testing.B) {
	const n = 256
	f := MaxFaulty(n)
	params := protocols.Params{"transmission_delay_bound": 750 * sim.Millisecond, "block_size": int64(4)}
	build := NewGroup(protocols.Config{N: n, F: f, Params: params, Seed: 1})
	reqs := make([]*protocols.Request, 4*(b.N+8))
	for i := range reqs {
		reqs[i] = &protocols.Request{Client: -2, ID: uint64(i + 1), Op: protocols.OpAppend, Value: int64(i), Payload: 16}
	}
	var queue, wave []pumped
	reps := make([]*Replica, n)
	for i := range reps {
		rep, err := build(protocols.Config{ID: sim.NodeID(i), N: n, F: f, Params: params, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		reps[i] = rep.(*Replica)
		reps[i].Preload(reqs...)
	}
	for i, r := range reps {
		r.Start(&pumpEnv{id: sim.NodeID(i), n: n, queue: &queue})
	}
	deliveries := 0
	pump := func() { // delivers what was queued before it started
		wave, queue = queue, wave[:0]
		for _, m := range wave {
			if m.to != sim.None {
				reps[m.to].Deliver(m.from, m.msg)
				deliveries++
				continue
			}
			for _, r := range reps {
				r.Deliver(m.from, m.msg)
			}
			deliveries += n
		}
		clear(wave)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		pump() // the proposal
		pump() // the votes
	}
	b.StopTimer()
	b.ReportMetric(float64(deliveries)/float64(b.N), "deliveries/op")
	if h := reps[0].ledger.Height(); b.N > 4 && h < int64(b.N)-4 {
		b.Fatalf("%d rounds committed %d blocks", b.N, h)
	}
	longest := reps[0].ledger.Log() // every log must be a prefix of the longest
	for _, r := range reps {
		if len(r.ledger.Log()) > len(longest) {
			longest = r.ledger.Log()
		}
	}
	for _, r := range reps {
		if !slices.Equal(r.ledger.Log(), longest[:len(r.ledger.Log())]) {
			b.Fatalf("replica %d's committed log is not a prefix of the longest", r.id)
		}
	}
}
