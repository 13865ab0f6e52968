package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestEventOrder(t *testing.T) {
	tests := []struct {
		name  string
		times []Time // scheduled in this order; label = index
		want  []int  // labels in execution order
	}{
		{"by time", []Time{30, 10, 20}, []int{1, 2, 0}},
		{"ties in insertion order", []Time{5, 5, 5, 5}, []int{0, 1, 2, 3}},
		{"mixed", []Time{7, 3, 7, 3, 0, 7}, []int{4, 1, 3, 0, 2, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWorld(Config{Seed: 1})
			var got []int
			for i, at := range tc.times {
				w.At(at, func() {
					if w.Now() != at {
						t.Errorf("event %d ran at %v, want %v", i, w.Now(), at)
					}
					got = append(got, i)
				})
			}
			if why := w.Run(Never); why != "idle" {
				t.Fatalf("Run = %q, want idle", why)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("order %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSameTimeScheduledLater checks that an event scheduled for the current
// time runs after the events already pending at that time.
func TestSameTimeScheduledLater(t *testing.T) {
	w := NewWorld(Config{Seed: 1})
	var got []string
	w.At(10, func() {
		got = append(got, "a")
		w.At(10, func() { got = append(got, "c") })
	})
	w.At(10, func() { got = append(got, "b") })
	w.Run(Never)
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// TestHeapMatchesSort pushes and pops random events, never before the last
// one popped (as the kernel schedules), sometimes before the earliest
// pending one after a peek (a run stopped at its time limit and resumed),
// and checks that the queue yields them in (time, seq) order, the order of
// a naive minimum search.
func TestHeapMatchesSort(t *testing.T) {
	for _, c := range []struct {
		n    int
		span int64 // times are drawn from [last popped, last popped + span)
	}{
		{1, 50}, {2, 50}, {5, 50}, {17, 50}, {100, 50}, {1000, 50}, {5000, 50},
		{1000, 1}, {5000, 1 << 20}, {5000, 1 << 40}, {3000, 3},
	} {
		r := rand.New(rand.NewPCG(uint64(c.n), uint64(c.span)))
		var h eventQueue
		var pending []event // the naive queue
		var last Time
		seq := uint64(0)
		for i := 0; i < c.n || len(pending) > 0; i++ {
			if i < c.n {
				seq++
				e := event{at: last + Time(r.Int64N(c.span)), key: makeKey(seq, evCall, uint32(seq))}
				h.push(e)
				pending = append(pending, e)
			}
			switch r.IntN(4) {
			case 0:
				if h.len() > 0 {
					want := takeMin(&pending)
					if got := h.pop(); got != want {
						t.Fatalf("n=%d span=%d: popped %+v, want %+v", c.n, c.span, got, want)
					}
					last = want.at
				}
			case 1:
				if h.len() > 0 {
					if got, want := h.peek().at, minTime(pending); got != want {
						t.Fatalf("n=%d span=%d: peek time %d, want %d", c.n, c.span, got, want)
					}
				}
			}
			if h.len() != len(pending) {
				t.Fatalf("n=%d span=%d: len %d, want %d", c.n, c.span, h.len(), len(pending))
			}
		}
	}
}

func minTime(es []event) Time {
	m := es[0].at
	for _, e := range es {
		m = min(m, e.at)
	}
	return m
}

func takeMin(es *[]event) event {
	m := 0
	for i := range *es {
		if (*es)[i].before(&(*es)[m]) {
			m = i
		}
	}
	e := (*es)[m]
	*es = slices.Delete(*es, m, m+1)
	return e
}

// TestSeqRenumber forces the sequence number to wrap and checks that ties
// still run in insertion order.
func TestSeqRenumber(t *testing.T) {
	w := NewWorld(Config{Seed: 1})
	w.seq = maxSeq - 3
	var got []int
	for i := range 8 {
		at := Time(10)
		if i%3 == 0 {
			at = 5
		}
		w.At(at, func() { got = append(got, i) })
	}
	if w.seq >= maxSeq {
		t.Fatalf("seq %d not renumbered", w.seq)
	}
	w.Run(Never)
	if want := []int{0, 3, 6, 1, 2, 4, 5, 7}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestSchedulePastPanics(t *testing.T) {
	tests := []struct {
		name string
		want string
		f    func(w *World)
	}{
		{"At in the past", "in the past", func(w *World) { w.At(5, func() {}) }},
		{"After negative", "in the past", func(w *World) { w.After(-1, func() {}) }},
		{"AddNode after start", "AddNode", func(w *World) { w.AddNode(&funcNode{}, 20) }},
		{"unknown node", "unknown node", func(w *World) { w.Crash(7) }},
		{"send to unknown node", "unknown node", func(w *World) {
			w.nodes[0].Send(9, &testMsg{})
		}},
		{"negative charge", "negative charge", func(w *World) { w.nodes[0].Charge(-1) }},
		{"negative timer", "negative timer", func(w *World) { w.nodes[0].SetTimer(-1, 0, 0) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWorld(Config{Seed: 1, Replicas: 1})
			w.AddNode(&funcNode{}, 0)
			w.At(10, func() {})
			w.Run(Never)
			if w.Now() != 10 {
				t.Fatalf("now %v, want 10", w.Now())
			}
			mustPanic(t, tc.want, func() { tc.f(w) })
		})
	}
}

func TestRunUntilAndStop(t *testing.T) {
	w := NewWorld(Config{Seed: 1})
	var ran []Time
	for _, at := range []Time{1, 2, 5, 6, 9} {
		w.At(at, func() {
			ran = append(ran, at)
			if at == 5 {
				w.Stop("enough")
				w.Stop("ignored")
			}
		})
	}
	if why := w.Run(2); why != "until" || w.Now() != 2 {
		t.Fatalf("Run(2) = %q at %v, want until at 2", why, w.Now())
	}
	if why := w.Run(3); why != "until" || w.Now() != 3 {
		t.Fatalf("Run(3) = %q at %v, want until at 3", why, w.Now())
	}
	if why := w.Run(1); why != "until" || w.Now() != 3 {
		t.Fatalf("Run(1) = %q at %v, want until with the clock kept at 3", why, w.Now())
	}
	if why := w.Run(Never); why != "enough" || w.Now() != 5 || !w.Stopped() {
		t.Fatalf("Run = %q at %v, want enough at 5", why, w.Now())
	}
	if want := []Time{1, 2, 5}; !slices.Equal(ran, want) {
		t.Fatalf("ran %v, want %v", ran, want)
	}
	if w.Pending() != 2 {
		t.Fatalf("pending %d, want 2", w.Pending())
	}
}

func TestTimers(t *testing.T) {
	const ms = Millisecond
	tests := []struct {
		name string
		node func(fired *[]int) *funcNode
		want []int // timer kinds in firing order
	}{
		{"fire in time order", func(fired *[]int) *funcNode {
			return &funcNode{
				start: func(env Env) {
					env.SetTimer(3*ms, 3, 0)
					env.SetTimer(1*ms, 1, 0)
					env.SetTimer(2*ms, 2, 0)
				},
				fire: func(env Env, tm Timer) { *fired = append(*fired, tm.Kind) },
			}
		}, []int{1, 2, 3}},
		{"cancel pending", func(fired *[]int) *funcNode {
			return &funcNode{
				start: func(env Env) {
					a := env.SetTimer(1*ms, 1, 0)
					env.SetTimer(2*ms, 2, 0)
					env.CancelTimer(a)
					env.CancelTimer(a) // twice is harmless
					env.CancelTimer(0) // the zero id is never issued
				},
				fire: func(env Env, tm Timer) { *fired = append(*fired, tm.Kind) },
			}
		}, []int{2}},
		{"cancel while queued behind a busy node", func(fired *[]int) *funcNode {
			var victim TimerID
			return &funcNode{
				start: func(env Env) {
					env.SetTimer(4*ms, 1, 0)          // fires first, cancels the victim
					victim = env.SetTimer(5*ms, 2, 0) // queued at 5ms
					env.SetTimer(6*ms, 3, 0)
					env.Charge(10 * ms) // busy until 10ms: all three queue
				},
				fire: func(env Env, tm Timer) {
					if env.Now() != 10*ms {
						panic("queued timer handled at the wrong time")
					}
					*fired = append(*fired, tm.Kind)
					if tm.Kind == 1 {
						env.CancelTimer(victim)
					}
				},
			}
		}, []int{1, 3}},
		{"stale handle does not cancel a reused slot", func(fired *[]int) *funcNode {
			var first TimerID
			return &funcNode{
				start: func(env Env) { first = env.SetTimer(ms, 1, 0) },
				fire: func(env Env, tm Timer) {
					*fired = append(*fired, tm.Kind)
					if tm.Kind == 1 {
						if tm.ID != first {
							panic("timer id differs from SetTimer's")
						}
						second := env.SetTimer(ms, 2, 0)
						if second == first {
							panic("handle reused")
						}
						env.CancelTimer(first)
					}
				},
			}
		}, []int{1, 2}},
		{"data and kind come back", func(fired *[]int) *funcNode {
			return &funcNode{
				start: func(env Env) { env.SetTimer(ms, bigKind, -77) },
				fire: func(env Env, tm Timer) {
					if tm.Kind == bigKind && tm.Data == -77 && env.Now() == ms {
						*fired = append(*fired, 1)
					}
				},
			}
		}, []int{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fired []int
			w := NewWorld(Config{Seed: 1})
			w.AddNode(tc.node(&fired), 0)
			w.Run(Never)
			if !slices.Equal(fired, tc.want) {
				t.Fatalf("fired %v, want %v", fired, tc.want)
			}
			if got := w.Stats().Timers; got != uint64(len(tc.want)) {
				t.Fatalf("Stats.Timers = %d, want %d", got, len(tc.want))
			}
		})
	}
}

// TestCPUModel checks that a busy node queues inputs in FIFO order and that
// sends leave at the node's local clock.
func TestCPUModel(t *testing.T) {
	const ms = Millisecond
	w := NewWorld(Config{Seed: 1, Replicas: 3})
	var handled []arrival
	var echoes []arrival
	// Node 0 charges 3ms per message and echoes it to node 2.
	w.AddNode(&funcNode{deliver: func(env Env, from NodeID, m Message) {
		handled = append(handled, arrival{at: env.Now(), from: from, id: m.(*testMsg).id})
		env.Charge(3 * ms)
		env.Send(2, m)
	}}, 0)
	// Node 1 sends three messages at 0, 1ms, 2ms.
	w.AddNode(sender(0, 3, ms, 10), 0)
	w.AddNode(recorder(&echoes), 0)
	w.Run(Never)
	wantHandled := []arrival{{0, 1, 0}, {3 * ms, 1, 1}, {6 * ms, 1, 2}}
	if !slices.Equal(handled, wantHandled) {
		t.Fatalf("handled %v, want %v", handled, wantHandled)
	}
	wantEchoes := []arrival{{3 * ms, 0, 0}, {6 * ms, 0, 1}, {9 * ms, 0, 2}}
	if !slices.Equal(echoes, wantEchoes) {
		t.Fatalf("echoes %v, want %v", echoes, wantEchoes)
	}
}

func TestCrashRecover(t *testing.T) {
	const ms = Millisecond
	w := NewWorld(Config{Seed: 1, Replicas: 2})
	var got []arrival
	recovered := 0
	var fired []Time
	n1 := recorder(&got)
	n1.recover = func(env Env) {
		recovered++
		if env.Now() != 20*ms+ms/2 {
			panic("Recover at the wrong time")
		}
	}
	n1.start = func(env Env) {
		env.SetTimer(15*ms, 0, 0) // expires while crashed: lost
		env.SetTimer(25*ms, 0, 0) // expires after recovery: fires
	}
	n1.fire = func(env Env, _ Timer) { fired = append(fired, env.Now()) }
	w.AddNode(sender(1, 30, ms, 10), 0) // sends at 0, 1ms, ..., 29ms
	w.AddNode(n1, 0)
	w.At(10*ms+ms/2, func() { w.Crash(1) })
	w.At(11*ms, func() { w.Crash(1) }) // crashing twice is harmless
	w.At(20*ms+ms/2, func() { w.Recover(1) })
	w.At(21*ms, func() { w.Recover(1) }) // recovering a live node does nothing
	w.Run(Never)
	var want []arrival
	for i := 0; i < 30; i++ {
		if i <= 10 || i >= 21 {
			want = append(want, arrival{at: Time(i) * ms, from: 0, id: i})
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
	if recovered != 1 {
		t.Fatalf("Recover called %d times, want 1", recovered)
	}
	if !slices.Equal(fired, []Time{25 * ms}) {
		t.Fatalf("timers fired at %v, want [25ms]", fired)
	}
	if s := w.Stats(); s.Dropped != 10 || s.Delivered != 20 || s.Sent != 30 {
		t.Fatalf("stats %+v, want 30 sent, 20 delivered, 10 dropped", s)
	}
}

// TestCrashDropsQueuedInputs crashes a busy node: the messages waiting in its
// input queue are dropped, not delivered after recovery.
func TestCrashDropsQueuedInputs(t *testing.T) {
	const ms = Millisecond
	w := NewWorld(Config{Seed: 1, Replicas: 2})
	var got []arrival
	n1 := recorder(&got)
	n1.start = func(env Env) { env.Charge(10 * ms) } // busy until 10ms
	w.AddNode(sender(1, 5, ms, 10), 0)               // arrive at 0..4ms: queued
	w.AddNode(n1, 0)
	w.At(5*ms, func() { w.Crash(1) })
	w.At(6*ms, func() { w.Recover(1) })
	w.Run(Never)
	if len(got) != 0 {
		t.Fatalf("delivered %v, want nothing", got)
	}
	if s := w.Stats(); s.Dropped != 5 {
		t.Fatalf("dropped %d, want 5", s.Dropped)
	}
}

// TestStartSemantics checks that messages before a node's start are dropped
// and that a node crashed over its start time starts when it recovers.
func TestStartSemantics(t *testing.T) {
	const ms = Millisecond
	tests := []struct {
		name      string
		crash     Time // 0: never
		recoverAt Time
		wantStart Time
		wantGot   int
	}{
		{"late start drops earlier messages", 0, 0, 5 * ms, 5},            // ids 5..9
		{"crashed over start: starts on recovery", ms, 7 * ms, 7 * ms, 3}, // ids 7..9
		{"recovered before start: starts on time", ms, 2 * ms, 5 * ms, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWorld(Config{Seed: 1, Replicas: 2})
			var got []arrival
			n1 := recorder(&got)
			started := []Time{}
			recovered := 0
			n1.start = func(env Env) { started = append(started, env.Now()) }
			n1.recover = func(Env) { recovered++ }
			w.AddNode(sender(1, 10, ms, 10), 0)
			w.AddNode(n1, 5*ms)
			if tc.crash > 0 {
				w.At(tc.crash, func() { w.Crash(1) })
				w.At(tc.recoverAt, func() { w.Recover(1) })
			}
			w.Run(Never)
			if !slices.Equal(started, []Time{tc.wantStart}) {
				t.Fatalf("started at %v, want [%v]", started, tc.wantStart)
			}
			if recovered != 0 {
				t.Fatalf("Recover called %d times before the node started", recovered)
			}
			if len(got) != tc.wantGot {
				t.Fatalf("delivered %d, want %d", len(got), tc.wantGot)
			}
		})
	}
}

// observesAB is a node that observes "a" when it starts and "b" one
// millisecond of CPU later.
func observesAB() *funcNode {
	return &funcNode{start: func(env Env) {
		env.Observe(testObs{"a"})
		env.Charge(Millisecond)
		env.Observe(testObs{"b"})
	}}
}

func TestObserve(t *testing.T) {
	w := NewWorld(Config{Seed: 1})
	var seen []Time
	w.Subscribe(func(at Time, node NodeID, o Observation) {
		if node == 0 && o.Event() == "test" {
			seen = append(seen, at)
		}
	})
	w.AddNode(observesAB(), 2*Millisecond)
	w.Run(Never)
	if want := []Time{2 * Millisecond, 3 * Millisecond}; !slices.Equal(seen, want) {
		t.Fatalf("observed at %v, want %v", seen, want)
	}
}

func TestUnstop(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 1})
	if w.Unstop("x") {
		t.Error("Unstop without a Stop reported one")
	}
	w.Stop("a")
	if w.Unstop("b") || !w.Stopped() {
		t.Error("Unstop of another reason withdrew the stop")
	}
	if !w.Unstop("a") || w.Stopped() {
		t.Error("Unstop of the reason did not withdraw the stop")
	}
}

// obsTracer records the observations a tracer sees.
type obsTracer struct {
	hookTracer
	seen []string
}

func (o *obsTracer) Observed(at Time, node NodeID, ob Observation) {
	o.seen = append(o.seen, fmt.Sprintf("%v %d %v", at, node, ob))
}

// TestObserveFanOut checks that every observer and the tracer see every
// observation, with its time and node, whatever their numbers (Observe
// calls a lone observer without a tracer by a path of its own).
func TestObserveFanOut(t *testing.T) {
	cases := []struct {
		name      string
		observers int
		tracer    bool
	}{
		{"none", 0, false},
		{"tracer only", 0, true},
		{"one observer", 1, false},
		{"one observer and the tracer", 1, true},
		{"two observers", 2, false},
		{"three observers and the tracer", 3, true},
	}
	want := []string{"2ms 1 a", "3ms 1 b"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := NewWorld(Config{Seed: 1})
			seen := make([][]string, c.observers)
			for i := range c.observers {
				w.Subscribe(func(at Time, node NodeID, o Observation) {
					seen[i] = append(seen[i], fmt.Sprintf("%v %d %v", at, node, o))
				})
			}
			tr := &obsTracer{}
			if c.tracer {
				w.SetTracer(tr)
			}
			w.AddNode(&funcNode{}, 0)
			w.AddNode(observesAB(), 2*Millisecond)
			w.Run(Never)
			for i, s := range seen {
				if !slices.Equal(s, want) {
					t.Errorf("observer %d saw %q, want %q", i, s, want)
				}
			}
			if c.tracer && !slices.Equal(tr.seen, want) {
				t.Errorf("tracer saw %q, want %q", tr.seen, want)
			}
		})
	}
}

// bigKind is a timer kind of more than 32 bits (the largest int where an int
// has 32).
const bigKind = min(1<<40, math.MaxInt)
