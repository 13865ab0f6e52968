package sim

import (
	"fmt"
	"testing"
)

// holdNode is the hold model: every timer that fires arms one successor at a
// random future time, so the number of pending events stays constant.
type holdNode struct {
	env     Env
	prefill int
	mean    Time
	fired   int
	stopAt  int
	world   *World
}

func (h *holdNode) Start(env Env) {
	h.env = env
	for i := 0; i < h.prefill; i++ {
		h.env.SetTimer(1+Time(env.Rand().ExpFloat64()*float64(h.mean)), 0, 0)
	}
}

func (h *holdNode) Deliver(NodeID, Message) {}

func (h *holdNode) Fire(Timer) {
	h.fired++
	if h.fired == h.stopAt {
		h.world.Stop("done")
	}
	h.env.SetTimer(1+Time(h.env.Rand().ExpFloat64()*float64(h.mean)), 0, 0)
}

// BenchmarkHold measures the kernel's cost per event in a steady-state hold
// model: a node timer fires and re-arms itself at an exponential delay.
func BenchmarkHold(b *testing.B) {
	for _, pending := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("pending=%s", kilo(pending)), func(b *testing.B) {
			w := NewWorld(Config{Seed: 1})
			h := &holdNode{prefill: pending, mean: Millisecond, stopAt: b.N, world: w}
			w.AddNode(h, 0)
			w.Run(0) // Start: prefill the queue.
			b.ReportAllocs()
			b.ResetTimer()
			w.Run(Never)
			b.StopTimer()
			if h.fired != b.N {
				b.Fatalf("fired %d timers, want %d", h.fired, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func kilo(n int) string {
	if n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// roundMsg is one broadcast of the all-to-all benchmark.
type roundMsg struct{ round int64 }

func (*roundMsg) Kind() string { return "round" }
func (*roundMsg) Size() int    { return 64 }

// bcastShared is what the nodes of the broadcast benchmark share.
type bcastShared struct {
	world     *World
	delivered int
	stopAt    int
}

// bcastNode broadcasts round r+1 once it received all n messages of round r.
type bcastNode struct {
	env    Env
	shared *bcastShared
	round  int64
	got    [2]int // messages received for the current and the next round
}

func (n *bcastNode) Start(env Env) {
	n.env = env
	env.Broadcast(&roundMsg{round: 0})
}

func (n *bcastNode) Deliver(_ NodeID, m Message) {
	s := n.shared
	s.delivered++
	if s.delivered == s.stopAt {
		s.world.Stop("done")
	}
	r := m.(*roundMsg).round
	n.got[r-n.round]++
	if n.got[0] == n.env.Replicas() {
		n.round++
		n.got = [2]int{n.got[1], 0}
		n.env.Broadcast(&roundMsg{round: n.round})
	}
}

func (n *bcastNode) Fire(Timer) {}

// BenchmarkBroadcast measures delivered messages per second in a round-based
// all-to-all among 100 nodes over constant-delay links.
func BenchmarkBroadcast(b *testing.B) {
	const nodes = 100
	w := NewWorld(Config{Seed: 1, Replicas: nodes})
	w.Network().SetDefault(Link{Delay: Constant{D: Millisecond}})
	s := &bcastShared{world: w, stopAt: b.N}
	for i := 0; i < nodes; i++ {
		w.AddNode(&bcastNode{shared: s}, 0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	w.Run(Never)
	b.StopTimer()
	if s.delivered != b.N {
		b.Fatalf("delivered %d messages, want %d", s.delivered, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// timeoutNode models a failure detector's data link: every tick (a timer
// 250 µs to 1.25 ms ahead, firing) it cancels the timeout it armed last,
// 5 s ahead and beyond the wheel's horizon, and arms a new one, so that
// thousands of cancelled timeouts wait beyond the horizon and pass
// through the queue at their time.
type timeoutNode struct {
	env     Env
	timeout TimerID
	fired   *int
	stopAt  int
	world   *World
}

func (n *timeoutNode) Start(env Env) {
	n.env = env
	n.tick()
}

func (n *timeoutNode) tick() {
	n.env.CancelTimer(n.timeout)
	n.timeout = n.env.SetTimer(5*Second, 1, 0)
	n.env.SetTimer(250*Microsecond+Time(n.env.Rand().Int64N(int64(Millisecond))), 0, 0)
}

func (n *timeoutNode) Deliver(NodeID, Message) {}

func (n *timeoutNode) Fire(t Timer) {
	if *n.fired++; *n.fired == n.stopAt {
		n.world.Stop("done")
	}
	if t.Kind == 0 {
		n.tick()
	}
}

// BenchmarkTimeouts measures the kernel's cost per event when most timers
// are timeouts far beyond the wheel's horizon that are cancelled before
// they expire (as BFTList's failure detector's), with 100 nodes ticking.
// Events counts every event, the cancelled timeouts included.
func BenchmarkTimeouts(b *testing.B) {
	const nodes = 100
	w := NewWorld(Config{Seed: 1, Replicas: nodes})
	fired := 0
	for range nodes {
		w.AddNode(&timeoutNode{fired: &fired, stopAt: -1, world: w}, 0)
	}
	// Warm up past the first timeouts' expiry, so that cancelled
	// timeouts pass through the queue in the measured part.
	w.Run(6 * Second)
	events := w.Stats().Events
	for _, ns := range w.nodes {
		ns.node.(*timeoutNode).stopAt = fired + b.N
	}
	b.ReportAllocs()
	b.ResetTimer()
	w.Run(Never)
	b.StopTimer()
	n := w.Stats().Events - events
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(n)/float64(b.N), "events/op")
}
