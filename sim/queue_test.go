package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// queueModel is a reference for an eventHeap holding timer events: every
// event in a sorted slice, cancelled ones marked by key without reference.
type queueModel struct {
	events    []event
	cancelled map[uint64]bool
}

// checkQueue pushes timer events at the given offsets from the last popped
// time, cancels those listed (by index), and pops the queue dry, checking
// that live events come out in (time, seq) order, that no cancelled event
// is popped as live, and that every cancelled event either is popped (and
// seen cancelled) or becomes a ghost. It returns the number of ghosts.
func checkQueue(t *testing.T, name string, offsets []Time, cancel []int) int {
	t.Helper()
	var tt timerTable
	h := eventHeap{timers: &tt, discard: true}
	m := queueModel{cancelled: map[uint64]bool{}}
	ids := make([]TimerID, len(offsets))
	for i, d := range offsets {
		slot, id := tt.add(0, 0, int64(i))
		e := event{at: d, key: makeKey(uint64(i+1), evTimer, slot)}
		h.push(e)
		m.events = append(m.events, e)
		ids[i] = id
	}
	slices.SortFunc(m.events, func(a, b event) int {
		if a.before(&b) {
			return -1
		}
		return 1
	})
	for _, i := range cancel {
		tt.cancel(ids[i])
		m.cancelled[makeKey(uint64(i+1), evTimer, 0)&^refMask] = true
	}
	popped, cancelledPopped := 0, 0
	for h.len() > 0 {
		e := h.pop()
		popped++
		if tt.isCancelled(e.ref()) {
			cancelledPopped++
			if !m.cancelled[e.key&^refMask] {
				t.Fatalf("%s: popped %+v marked cancelled, but it was not cancelled", name, e)
			}
			tt.release(e.ref())
			continue
		}
		want, ok := m.popLiveKeyless()
		if !ok || want.at != e.at || want.key&^refMask != e.key&^refMask {
			t.Fatalf("%s: popped %+v, want %+v (ok %v)", name, e, want, ok)
		}
		tt.release(e.ref())
	}
	if e, ok := m.popLiveKeyless(); ok {
		t.Fatalf("%s: live event %+v never popped", name, e)
	}
	if got := cancelledPopped + len(h.ghosts); got != len(cancel) {
		t.Fatalf("%s: %d cancelled events popped + %d ghosts, want %d cancelled", name, cancelledPopped, len(h.ghosts), len(cancel))
	}
	for _, g := range h.ghosts {
		if !m.cancelled[g.key&^refMask] {
			t.Fatalf("%s: ghost %+v was not cancelled", name, g)
		}
	}
	if popped+len(h.ghosts) != len(offsets) {
		t.Fatalf("%s: %d popped + %d ghosts, want %d events", name, popped, len(h.ghosts), len(offsets))
	}
	return len(h.ghosts)
}

// popLiveKeyless removes and returns the earliest live event, dropping
// the cancelled ones before it; ok is false when none is left.
func (m *queueModel) popLiveKeyless() (event, bool) {
	for len(m.events) > 0 {
		e := m.events[0]
		m.events = m.events[1:]
		if !m.cancelled[e.key&^refMask] {
			return e, true
		}
	}
	return event{}, false
}

func TestQueueCancel(t *testing.T) {
	// One pair of events in every bucket of every level: the earlier one
	// (the bucket's least, which goes to the front when the bucket is
	// split) and one a unit later at the bucket's level, so that it is
	// moved down, and discarded when cancelled.
	var everyBucket []Time
	for level := 1; level < 15; level++ {
		for d := Time(1); d < 16; d++ {
			at := d << (4 * level)
			everyBucket = append(everyBucket, at, at+1)
		}
	}
	odd := func(n int) []int {
		var c []int
		for i := 1; i < n; i += 2 {
			c = append(c, i)
		}
		return c
	}
	for _, c := range []struct {
		name       string
		offsets    []Time
		cancel     []int
		wantGhosts int // -1: do not check
	}{
		{"nothing cancelled", []Time{5, 1, 3}, nil, 0},
		{"cancel the head", []Time{10, 20, 30}, []int{0}, 0},
		{"cancel the head among equals", []Time{10, 10, 10}, []int{0}, 0},
		{"cancel the middle of equal times", []Time{10, 10, 10}, []int{1}, 0},
		{"cancel behind an earlier event", []Time{16 << 24, 16<<24 + 1, 17 << 24}, []int{1, 2}, 2},
		{"cancel behind an earlier event below the ghost level", []Time{16, 17, 18}, []int{1, 2}, 0},
		{"cancel all", []Time{16, 17, 18, 1 << 40}, []int{0, 1, 2, 3}, -1},
		{"cancel the later of each bucket", everyBucket, odd(len(everyBucket)), (15 - ghostLevel) * 15},
		{"cancel in every bucket and level 0", append([]Time{1, 2, 3, 15}, everyBucket...), []int{0, 2, 5, 7, 9}, -1},
	} {
		got := checkQueue(t, c.name, c.offsets, c.cancel)
		if c.wantGhosts >= 0 && got != c.wantGhosts {
			t.Errorf("%s: %d ghosts, want %d", c.name, got, c.wantGhosts)
		}
	}
}

// TestQueueCancelRandom checks random pushes, cancellations and pops
// against a sorted reference, with times close together and far apart.
func TestQueueCancelRandom(t *testing.T) {
	for _, span := range []int64{1, 3, 50, 1 << 20, 1 << 40} {
		r := rand.New(rand.NewPCG(uint64(span), 7))
		var tt timerTable
		h := eventHeap{timers: &tt, discard: true}
		var ref []event // every pending event, live or cancelled
		ids := map[uint64]TimerID{}
		dead := map[uint64]bool{}
		var last Time
		seq := uint64(0)
		ghosts := 0
		for step := 0; step < 20000; step++ {
			switch op := r.IntN(10); {
			case op < 5:
				seq++
				slot, id := tt.add(0, 0, 0)
				e := event{at: last + Time(r.Int64N(span)), key: makeKey(seq, evTimer, slot)}
				h.push(e)
				ref = append(ref, e)
				ids[seq] = id
			case op < 7 && len(ref) > 0:
				e := ref[r.IntN(len(ref))]
				tt.cancel(ids[e.seq()])
				dead[e.seq()] = true
			case h.len() > 0:
				e := h.pop()
				last = e.at
				want := takeMin(&ref)
				// Every reference event before it must be a ghost.
				for want.seq() != e.seq() {
					if !dead[want.seq()] {
						t.Fatalf("span %d: popped %+v, want live %+v", span, e, want)
					}
					ghosts++
					want = takeMin(&ref)
				}
				if want.at != e.at {
					t.Fatalf("span %d: popped %+v at the wrong time, want %+v", span, e, want)
				}
				if tt.isCancelled(e.ref()) != dead[e.seq()] {
					t.Fatalf("span %d: popped %+v: cancelled %v, want %v", span, e, tt.isCancelled(e.ref()), dead[e.seq()])
				}
				tt.release(e.ref())
			}
		}
		if len(h.ghosts) < ghosts {
			t.Fatalf("span %d: %d ghosts, but %d cancelled events were passed", span, len(h.ghosts), ghosts)
		}
		if span >= 1<<40 && len(h.ghosts) == 0 {
			t.Errorf("span %d: no cancelled timer left the queue early", span)
		}
	}
}

// TestCancelledTimersCounted checks that a run counts cancelled timers as
// events at their deadline and ends an idle run at the last deadline, as
// if they stayed in the queue, however the run is split and stopped.
func TestCancelledTimersCounted(t *testing.T) {
	type fired struct {
		at   Time
		data int64
	}
	for _, c := range []struct {
		name       string
		timers     []Time // set at start, in this order
		cancel     []int  // cancelled at start
		runs       []Time // Run until each
		stopOn     int64  // the timer that stops the run, or −1
		wantFired  []int64
		wantEvents uint64 // starts included
		wantNow    Time
	}{
		{"cancel the head", []Time{10, 20}, []int{0}, []Time{Never}, -1, []int64{1}, 3, 20},
		{"cancel the last: idle at its deadline", []Time{10, 300}, []int{1}, []Time{Never}, -1, []int64{0}, 3, 300},
		{"equal times fire in order", []Time{50, 50, 50, 50}, []int{2}, []Time{Never}, -1, []int64{0, 1, 3}, 5, 50},
		{"split by until", []Time{16, 40, 17, 60}, []int{1, 3}, []Time{50, 55, Never}, -1, []int64{0, 2}, 5, 60},
		{"until before a ghost", []Time{16, 40, 17, 60}, []int{1, 3}, []Time{50}, -1, []int64{0, 2}, 4, 50},
		// 48 and 50 share a bucket: the timers at 50 are moved down and
		// the cancelled ones discarded; the one set after the stopping
		// timer is not reached.
		{"stop between ghosts of equal time", []Time{48, 50, 50, 50}, []int{1, 3}, []Time{Never}, 2, []int64{0, 2}, 4, 50},
	} {
		// Times in units of 2^24 ns: deadlines far enough apart for
		// cancelled timers to leave the queue early.
		const unit = 1 << 24
		w := NewWorld(Config{Seed: 1})
		var got []fired
		n := &funcNode{
			start: func(env Env) {
				ids := make([]TimerID, len(c.timers))
				for i, d := range c.timers {
					ids[i] = env.SetTimer(d*unit, 0, int64(i))
				}
				for _, i := range c.cancel {
					env.CancelTimer(ids[i])
				}
			},
			fire: func(env Env, tm Timer) {
				got = append(got, fired{env.Now(), tm.Data})
				if tm.Data == c.stopOn {
					w.Stop("stop")
				}
			},
		}
		w.AddNode(n, 0)
		for _, u := range c.runs {
			w.Run(min(u, Never/unit) * unit)
		}
		var data []int64
		for _, f := range got {
			data = append(data, f.data)
			if f.at != c.timers[f.data]*unit {
				t.Errorf("%s: timer %d fired at %v, want %v", c.name, f.data, f.at, c.timers[f.data]*unit)
			}
		}
		if !slices.Equal(data, c.wantFired) {
			t.Errorf("%s: fired %v, want %v", c.name, data, c.wantFired)
		}
		if w.Stats().Events != c.wantEvents || w.Now() != c.wantNow*unit {
			t.Errorf("%s: %d events, now %v; want %d, %v", c.name, w.Stats().Events, w.Now(), c.wantEvents, c.wantNow*unit)
		}
	}
}

// TestCancelledTimersModel runs random workloads of timers re-armed,
// cancelled and fired, with messages, twice: with cancelled timers leaving
// the queue early, and keeping them until their deadline (as an event
// limit does). Everything observable must agree.
func TestCancelledTimersModel(t *testing.T) {
	type record struct {
		at       Time
		node     NodeID
		kind     int
		data     int64
		received int
	}
	ghosts := 0 // ghosts pending after a first Run, over all seeds
	run := func(seed uint64, keep bool, stopAt int) ([]record, Stats, Time, string) {
		w := NewWorld(Config{Seed: seed, Replicas: 4})
		w.Network().SetDefault(Link{Delay: Uniform{Min: Millisecond, Max: 5 * Millisecond}})
		if keep {
			w.SetEventLimit(math.MaxUint64)
		}
		var recs []record
		for i := 0; i < 4; i++ {
			var pending []TimerID
			received := 0
			n := &funcNode{}
			act := func(env Env) {
				r := env.Rand()
				for k := r.IntN(4); k > 0; k-- {
					switch r.IntN(5) {
					case 0, 1: // re-arm: cancel one, set one
						if len(pending) > 0 {
							j := r.IntN(len(pending))
							env.CancelTimer(pending[j])
							pending = slices.Delete(pending, j, j+1)
						}
						pending = append(pending, env.SetTimer(Time(r.Int64N(int64(5*Second))), 1, r.Int64()))
					case 2:
						pending = append(pending, env.SetTimer(Time(r.Int64N(4))*Millisecond, 2, 0))
					case 3:
						env.Send(NodeID(r.IntN(4)), &testMsg{id: r.IntN(100)})
					case 4:
						env.Charge(Time(r.Int64N(int64(Millisecond))))
					}
				}
			}
			n.start = func(env Env) {
				for k := 0; k < 8; k++ {
					pending = append(pending, env.SetTimer(Time(k)*Millisecond, 0, int64(k)))
				}
				act(env)
			}
			n.deliver = func(env Env, _ NodeID, _ Message) { received++; act(env) }
			n.fire = func(env Env, tm Timer) {
				pending = slices.DeleteFunc(pending, func(id TimerID) bool { return id == tm.ID })
				recs = append(recs, record{env.Now(), env.ID(), tm.Kind, tm.Data, received})
				if len(recs) == stopAt {
					w.Stop("enough")
				}
				act(env)
			}
			w.AddNode(n, Time(i))
		}
		why := ""
		for _, u := range []Time{300 * Millisecond, 2 * Second, 7 * Second, 30 * Second} {
			why = w.Run(u)
			ghosts += len(w.queue.ghosts)
			if why != "until" {
				break
			}
		}
		return recs, w.Stats(), w.Now(), why
	}
	for seed := uint64(1); seed <= 30; seed++ {
		stopAt := 0
		if seed%3 == 0 {
			stopAt = int(seed) * 7
		}
		a, sa, na, wa := run(seed, false, stopAt)
		b, sb, nb, wb := run(seed, true, stopAt)
		if !slices.Equal(a, b) || sa != sb || na != nb || wa != wb {
			t.Fatalf("seed %d: early removal: %d timers fired, %+v, now %v, %q; kept: %d, %+v, now %v, %q",
				seed, len(a), sa, na, wa, len(b), sb, nb, wb)
		}
	}
	if ghosts == 0 {
		t.Fatal("no cancelled timer left the queue early")
	}
}
