package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCancelledTimersCounted checks that a run counts cancelled timers as
// events at their deadline and ends an idle run at the last deadline,
// however the run is split and stopped, and that timers of equal deadline
// fire in the order they were set.
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
		// 48 and 50 share a bucket: the timers at 50 are moved down; the
		// cancelled one set after the stopping timer is not reached.
		{"stop between ghosts of equal time", []Time{48, 50, 50, 50}, []int{1, 3}, []Time{Never}, 2, []int64{0, 2}, 4, 50},
	} {
		// Times in units of 2^24 ns: deadlines in buckets of high levels.
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

// queueOp is one step of a queue schedule: push an event delta after the
// last event popped, pop, peek, or renumber the pending events.
type queueOp struct {
	op    byte // 'u' push, 'o' pop, 'e' peek, 'r' renumber
	delta Time
}

// runQueue applies ops to an eventQueue and checks it against the
// reference: the events in the order of a stable sort by time of the
// order they were pushed in (a pushed event is never before the last one
// popped and its key is larger than every earlier one, so the pops of any
// schedule are that order). A peek must return what the next pop returns
// unless a push came between. It returns the queue, for the callers to
// check which paths the schedule took.
func runQueue(t testing.TB, name string, ops []queueOp) *eventQueue {
	t.Helper()
	var q eventQueue
	var pushed []event // by push index, the reference's input
	var popped []uint32
	var last Time
	seq := uint64(0)
	var peeked *event
	for k, o := range ops {
		if k%97 == 0 {
			checkChunks(t, name, &q)
		}
		switch o.op {
		case 'u':
			seq++
			id := uint32(len(pushed))
			e := event{at: last + o.delta, key: makeKey(seq, evCall, id)}
			q.push(e)
			pushed = append(pushed, e)
			peeked = nil
		case 'o', 'e':
			if q.len() == 0 {
				continue
			}
			if o.op == 'e' {
				e := q.peek()
				peeked = &e
				continue
			}
			e := q.pop()
			if peeked != nil && *peeked != e {
				t.Fatalf("%s: popped %+v after peeking %+v", name, e, *peeked)
			}
			peeked = nil
			if e.at < last {
				t.Fatalf("%s: popped time %v after %v", name, e.at, last)
			}
			last = e.at
			popped = append(popped, e.ref())
		case 'r':
			seq = q.renumber() - 1
			peeked = nil
		}
		if q.len() != len(pushed)-len(popped) {
			t.Fatalf("%s: len %d, want %d", name, q.len(), len(pushed)-len(popped))
		}
	}
	checkChunks(t, name, &q)
	for q.len() > 0 {
		e := q.pop()
		if e.at < last {
			t.Fatalf("%s: popped time %v after %v", name, e.at, last)
		}
		last = e.at
		popped = append(popped, e.ref())
	}
	want := make([]uint32, len(pushed))
	for i := range want {
		want[i] = uint32(i)
	}
	slices.SortStableFunc(want, func(a, b uint32) int { return cmpEvent(event{at: pushed[a].at}, event{at: pushed[b].at}) })
	if !slices.Equal(popped, want) {
		for i := range popped {
			if popped[i] != want[i] {
				t.Fatalf("%s: pop %d is event %d (at %v), want event %d (at %v)", name, i, popped[i], pushed[popped[i]].at, want[i], pushed[want[i]].at)
			}
		}
		t.Fatalf("%s: popped %d events, want %d", name, len(popped), len(want))
	}
	return &q
}

// checkChunks fails if a slot of the wheel or the outer wheel has events
// without its occupancy bit or the bit without events, if a slot's chain
// of chunks is not as long as its events need, if the outer wheel's count
// or an outer event's slot is wrong, or if a chunk is not in exactly one
// place, a slot's chain or the free list: a chunk handed to one slot while
// another still used it would mix their events, and one lost would never
// be reused.
func checkChunks(t testing.TB, name string, q *eventQueue) {
	t.Helper()
	owner := make([]int, len(q.next)) // 0: none, -1: free, i+1: slot i, -(i+2): outer slot i
	own := func(c uint32, by int) {
		if int(c) >= len(owner) {
			t.Fatalf("%s: chunk %d of %d", name, c, len(owner))
		}
		if owner[c] != 0 {
			t.Fatalf("%s: chunk %d in two places (%d and %d)", name, c, owner[c], by)
		}
		owner[c] = by
	}
	walk := func(h slotHead, by int) {
		c := h.chunk
		for k := (h.n + slotCap - 1) / slotCap; ; {
			own(c, by)
			if k--; k == 0 {
				break
			}
			c = q.next[c]
		}
	}
	for i, h := range q.slots {
		occupied := q.occ[i>>6]>>(i&63)&1 == 1
		if (h.n > 0) != occupied {
			t.Fatalf("%s: slot %d holds %d events, occupancy bit %v", name, i, h.n, occupied)
		}
		if h.n > 0 {
			walk(h, i+1)
		}
	}
	outer := 0
	for i, h := range q.outer {
		occupied := q.oocc[i>>6]>>(i&63)&1 == 1
		if (h.n > 0) != occupied {
			t.Fatalf("%s: outer slot %d holds %d events, occupancy bit %v", name, i, h.n, occupied)
		}
		if h.n == 0 {
			continue
		}
		walk(h, -(i + 2))
		outer += int(h.n)
		// Its events belong to it, after the outer slot of cur (an outer
		// slot moves into the wheel before cur reaches it) and within the
		// outer wheel's horizon.
		for _, e := range q.appendSlot(nil, h, false) {
			s := int64(e.at) >> q.shift
			o := s >> q.obits
			if d := o - q.cur>>q.obits; o&(outerSlots-1) != int64(i) || d <= 0 || d >= outerSlots {
				t.Fatalf("%s: event at slot %d (outer %d) in outer slot %d, the wheel at slot %d", name, s, o, i, q.cur)
			}
		}
	}
	if outer != q.outerN {
		t.Fatalf("%s: %d events in the outer wheel, counted %d", name, outer, q.outerN)
	}
	// Far's events are beyond the outer wheel's horizon: later than all
	// of the wheel's and the outer wheel's.
	for _, e := range q.far.appendEvents(nil) {
		if o := int64(e.at) >> q.shift >> q.obits; o-q.cur>>q.obits < outerSlots {
			t.Fatalf("%s: far holds an event of outer slot %d, the wheel at outer slot %d", name, o, q.cur>>q.obits)
		}
	}
	// Held events wait for the advance after a burst was found (due 0),
	// beyond the horizon.
	if len(q.held) > 0 && q.due != 0 {
		t.Fatalf("%s: %d events held, no burst pending", name, len(q.held))
	}
	for _, e := range q.held {
		if d := int64(e.at)>>q.shift - q.cur; d <= q.mask {
			t.Fatalf("%s: held event at slot %d, within the horizon of slot %d", name, int64(e.at)>>q.shift, q.cur)
		}
	}
	for _, c := range q.free {
		own(c, -1)
	}
	for c, o := range owner {
		if o == 0 {
			t.Fatalf("%s: chunk %d neither free nor in a slot", name, c)
		}
	}
	if len(q.chunks) != len(q.next)*slotCap {
		t.Fatalf("%s: %d events in chunks for %d chunks", name, len(q.chunks), len(q.next))
	}
}

// TestSlotKeepsFilingOrder checks that a slot's events come out of its
// chain of chunks in the order they were filed, whatever the chain's
// length: a burst filed in order then needs no sort.
func TestSlotKeepsFilingOrder(t *testing.T) {
	for _, n := range []int{1, slotCap - 1, slotCap, slotCap + 1, 3*slotCap + 2, 4 * slotCap} {
		var q eventQueue
		q.init()
		at := Time(5) << q.shift // slot 5, ahead of the front
		var filed []event
		for i := range n {
			e := event{at: at + Time(n-i), key: makeKey(uint64(i+1), evCall, uint32(i))}
			q.push(e)
			filed = append(filed, e)
		}
		got := q.appendSlot(nil, q.slots[5], false)
		if !slices.Equal(got, filed) {
			t.Errorf("%d events: slot gives %v, want %v", n, got, filed)
		}
	}
}

// queueSchedule draws a random schedule of n pushes with deltas from
// draw, interleaved with pops (more than pushes once drained is set, so
// the queue empties), peeks and, when renumber is set, a few renumberings.
func queueSchedule(r *rand.Rand, n int, draw func(*rand.Rand) Time, renumber bool) []queueOp {
	var ops []queueOp
	for range n {
		ops = append(ops, queueOp{op: 'u', delta: draw(r)})
		switch k := r.IntN(16); {
		case k < 7:
			ops = append(ops, queueOp{op: 'o'})
		case k < 10:
			ops = append(ops, queueOp{op: 'e'})
		case k == 10 && renumber && r.IntN(64) == 0:
			ops = append(ops, queueOp{op: 'r'})
		}
	}
	return ops
}

// TestQueueMatchesSort runs random schedules through the queue and compares
// its pops with a sort of the events pushed: equal times, times on slot
// and horizon boundaries, events beyond the wheel that move into it, bursts
// at one time, a density that changes during the run (rebuilding the
// wheel), peeks followed by earlier pushes, and renumbering.
func TestQueueMatchesSort(t *testing.T) {
	const slot = 1 << initialShift
	uniform := func(lo, hi Time) func(*rand.Rand) Time {
		return func(r *rand.Rand) Time { return lo + Time(r.Int64N(int64(hi-lo))) }
	}
	// boundary draws times at multiples of the initial slot width and of
	// the initial horizon, and one nanosecond either side.
	boundary := func(r *rand.Rand) Time {
		unit := Time(slot)
		if r.IntN(2) == 0 {
			unit *= minWheelSlots
		}
		return max(0, unit*Time(r.IntN(4))+Time(r.IntN(3))-1)
	}
	mixed := func(r *rand.Rand) Time {
		switch r.IntN(8) {
		case 0:
			return 0 // at the time of the last pop
		case 1:
			return 5*Second + Time(r.IntN(1000)) // a timeout, beyond the wheel
		case 2:
			return 50 * Millisecond // a periodic timer, equal times
		case 3:
			return boundary(r)
		}
		return uniform(Millisecond, 5*Millisecond)(r)
	}
	for _, c := range []struct {
		name     string
		n        int
		draw     func(*rand.Rand) Time
		renumber bool
	}{
		{"one time", 2000, func(*rand.Rand) Time { return 0 }, false},
		{"few times", 3000, uniform(0, 3), false},
		{"within a slot", 3000, uniform(0, slot), false},
		{"boundaries", 5000, boundary, false},
		{"near", 20000, uniform(Millisecond, 5*Millisecond), false},
		{"mixed", 30000, mixed, true},
		{"far", 5000, uniform(Second, 100*Second), false},
		{"huge", 3000, func(r *rand.Rand) Time { return Time(r.Int64N(1 << 60)) }, false},
		{"normal", 20000, func(r *rand.Rand) Time { return max(0, Time(r.NormFloat64()*50e6+250e6)) }, true},
	} {
		r := rand.New(rand.NewPCG(uint64(c.n), 7))
		runQueue(t, c.name, queueSchedule(r, c.n, c.draw, c.renumber))
	}
}

// TestQueueAdapts checks that a run whose density changes rebuilds the
// wheel both ways (narrower and more slots when events are dense, wider
// when sparse), that far events move into the wheel, and that the order
// stays exact throughout.
func TestQueueAdapts(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ops []queueOp
	// Dense: 50,000 events 1 µs to 4 ms ahead, a queue of about 5,000 (0.8
	// µs apart), and long timeouts; then sparse: the queue drained, 150,000
	// events 50–150 ms apart, a few pending at once.
	for i := range 50000 {
		ops = append(ops, queueOp{op: 'u', delta: Microsecond * Time(1+r.IntN(4000))})
		if i%100 == 0 {
			ops = append(ops, queueOp{op: 'u', delta: 5 * Second})
		}
		if i > 5000 {
			ops = append(ops, queueOp{op: 'o'})
		}
	}
	dense := len(ops)
	for range 6000 {
		ops = append(ops, queueOp{op: 'o'})
	}
	for range 150000 {
		ops = append(ops, queueOp{op: 'o'}, queueOp{op: 'u', delta: 50*Millisecond + Time(r.IntN(int(100*Millisecond)))})
	}
	q := runQueue(t, "dense", ops[:dense])
	if q.shift >= initialShift || len(q.slots) <= minWheelSlots {
		t.Errorf("dense: %d slots of 2^%d ns, want more than %d narrower than 2^%d", len(q.slots), q.shift, minWheelSlots, initialShift)
	}
	denseSlots := len(q.slots)
	q = runQueue(t, "dense then sparse", ops)
	if q.shift <= initialShift || len(q.slots) >= denseSlots {
		t.Errorf("sparse: %d slots of 2^%d ns, want fewer than %d wider than 2^%d", len(q.slots), q.shift, denseSlots, initialShift)
	}
}

// TestQueueFitsBurst checks that a burst beyond the first geometry's
// horizon (a flood's requests, 250 ms ahead where the wheel reaches 16.8
// ms) is filed in a geometry that holds it at the next advance, not left
// in far until the first measure 1,024 pops later, and that the order
// stays exact.
func TestQueueFitsBurst(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var q eventQueue
	var want []event
	push := func(at Time) {
		e := event{at: at, key: makeKey(uint64(len(want)+1), evCall, 0)}
		q.push(e)
		want = append(want, e)
	}
	push(0)
	for range 20_000 {
		push(max(1, Time(r.NormFloat64()*50e6+250e6)))
	}
	if q.beyond() < 19_000 {
		t.Fatalf("%d of the burst beyond the wheel before the first pop, want nearly all", q.beyond())
	}
	slices.SortFunc(want, cmpEvent)
	got := []event{q.pop(), q.pop()}
	if q.beyond() != 0 || len(q.slots) <= minWheelSlots {
		t.Errorf("after the first advance: %d events beyond the wheel, %d slots of 2^%d ns; want the burst in a larger wheel", q.beyond(), len(q.slots), q.shift)
	}
	for q.len() > 0 {
		got = append(got, q.pop())
	}
	if !slices.Equal(got, want) {
		t.Error("events popped out of (time, key) order")
	}
}

// TestQueueHoldsBurst checks the events held while a burst is pending:
// pushed beyond the horizon after the burst was found, they are filed at
// the next advance, with the others in the burst's geometry, or, beyond
// that geometry's horizon (timeouts 5 s ahead), where they belong; a
// renumbering while they are held numbers them too. The burst's times are
// whole milliseconds, so that ties test the keys.
func TestQueueHoldsBurst(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	ms := func() Time { return max(1, Time(r.NormFloat64()*50+250)) * Millisecond }
	ops := []queueOp{{op: 'u'}}
	for i := range 12_000 {
		ops = append(ops, queueOp{op: 'u', delta: ms()})
		if i%100 == 0 {
			ops = append(ops, queueOp{op: 'u', delta: 5*Second + Time(i)*Millisecond})
		}
		if i == 10_000 {
			ops = append(ops, queueOp{op: 'r'})
		}
	}
	for range 3000 {
		ops = append(ops, queueOp{op: 'o'}, queueOp{op: 'u', delta: ms()})
	}
	runQueue(t, "burst held", ops)

	// The same burst, step by step: held until the first advance, then
	// filed, the timeouts beyond the new horizon too.
	burst := func() (*eventQueue, int) {
		var q eventQueue
		grown := 0 // times the held array was made or grown
		seq := uint64(0)
		for _, o := range ops[:len(ops)-6000] {
			if o.op == 'u' {
				c := cap(q.held)
				seq++
				q.push(event{at: o.delta, key: makeKey(seq, evCall, 0)})
				if cap(q.held) != c {
					grown++
				}
			}
		}
		return &q, grown
	}
	q, grown := burst()
	if len(q.held) < 7000 {
		t.Fatalf("%d events held before the first advance, want all of the burst after the first 4,097 beyond the horizon", len(q.held))
	}
	if grown > 5 {
		t.Errorf("the held array was made or grown %d times for %d events, want it to double (at most 5 times from 512)", grown, len(q.held))
	}
	q.pop() // the event at 0, in the front
	q.pop() // the first of the burst: an advance
	if len(q.held) != 0 || q.beyond() == 0 {
		t.Errorf("after the first advance: %d events held, %d beyond the horizon; want none held and the timeouts beyond", len(q.held), q.beyond())
	}
	checkChunks(t, "burst held, step by step", q)

	// A rebuild while the burst is pending files the events beyond its
	// horizon where they belong: it holds none.
	q, _ = burst()
	q.rebuild(q.shift, len(q.slots))
	if len(q.held) != 0 || q.due != 0 {
		t.Errorf("a rebuild in the same geometry left %d events held (due %d), want none held and the burst still pending", len(q.held), q.due)
	}
	checkChunks(t, "burst held, rebuilt in the same geometry", q)
}

// TestQueueOuterWheel checks that events beyond the wheel's horizon wait
// in the outer wheel when it reaches them and in far when it does not,
// that they move into the wheel, and far's into the outer wheel, as the
// wheel turns, and that the order stays exact: a failure detector's
// timeouts 5 s ahead, cancelled or not, among deliveries 1–5 ms ahead, and
// rare timers a minute ahead.
func TestQueueOuterWheel(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var q eventQueue
	var want []event
	var got []event
	seq := uint64(0)
	push := func(at Time) {
		seq++
		e := event{at: at, key: makeKey(seq, evCall, 0)}
		q.push(e)
		want = append(want, e)
	}
	pop := func() {
		e := q.pop()
		if len(got) > 0 && e.at < got[len(got)-1].at {
			t.Fatalf("popped time %v after %v", e.at, got[len(got)-1].at)
		}
		got = append(got, e)
	}
	last := Time(0)
	sawOuter, sawFar := 0, 0
	for i := range 400_000 {
		if q.len() > 0 && i%2 == 1 {
			pop()
			last = got[len(got)-1].at
		}
		switch {
		case i%1000 == 0:
			push(last + 60*Second + Time(r.IntN(1000)))
		case i%10 == 0:
			push(last + 5*Second + Time(r.IntN(1000)))
		default:
			push(last + Millisecond + Time(r.Int64N(int64(4*Millisecond))))
		}
		if i%4096 == 0 {
			checkChunks(t, "outer", &q)
			sawOuter = max(sawOuter, q.outerN)
			sawFar = max(sawFar, q.far.len())
		}
	}
	if sawOuter < 1000 || sawFar < 10 {
		t.Errorf("at most %d events in the outer wheel and %d in far, want the 5 s timeouts in the outer wheel and the minute ones in far", sawOuter, sawFar)
	}
	for q.len() > 0 {
		pop()
	}
	slices.SortFunc(want, cmpEvent)
	if !slices.Equal(got, want) {
		t.Error("events popped out of (time, key) order")
	}
}

// TestQueueOuterBoundaries runs schedules whose events fall on the outer
// wheel's boundaries, in the first geometry (256 slots of 2^16 ns, outer
// slots of 128 slots): an outer slot that starts at the wheel's next
// non-empty slot, with an event earlier than that slot's (it must move
// into the wheel first), and events at the last outer slot the outer wheel
// reaches and at the first it does not.
func TestQueueOuterBoundaries(t *testing.T) {
	const slot = 1 << initialShift
	const outer = slot * minWheelSlots / 2
	u := func(d Time) queueOp { return queueOp{op: 'u', delta: d} }
	o := queueOp{op: 'o'}
	for _, c := range []struct {
		name string
		ops  []queueOp
	}{
		// A at slot 1280 + 5 ns goes to outer slot 10; B at slot 1100
		// to outer slot 8, which moves into the wheel when B is popped;
		// C at slot 1280 + 10 ns then goes to the wheel's slot 1280,
		// where outer slot 10 starts: A must be popped before C.
		{"outer slot starts at the next slot", []queueOp{u(1280*slot + 5), u(1100 * slot), o, u(180*slot + 10), o, o}},
		{"outer slot starts at the next slot, later", []queueOp{u(1280*slot + 20), u(1100 * slot), o, u(180*slot + 10), o, o}},
		{"last outer slot reached and the first not", []queueOp{
			u(255*outer + 7), u(256*outer + 3), u(257 * outer), u(255*outer + 1), u(3 * outer),
			o, u(254 * outer), u(255 * outer), o, o, o, o, o, o, o,
		}},
	} {
		runQueue(t, c.name, c.ops)
	}
}

// FuzzQueue runs schedules read from the fuzzer's bytes: each byte is an
// operation, pushes taking their delta from the next bytes at one of a few
// scales (the same time, within a slot, across slots, beyond the wheel).
func FuzzQueue(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte{1, 1, 1, 1, 0xff, 0x40, 3, 3, 9, 9, 9})
	f.Add([]byte{2, 200, 2, 100, 2, 150, 4, 2, 120, 4, 4, 6, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		var ops []queueOp
		scales := [...]Time{0, 1, 1 << 10, 1 << 16, 1 << 20, 1 << 26, 1 << 34}
		for i := 0; i < len(data); i++ {
			b := data[i]
			switch {
			case b%8 == 4:
				ops = append(ops, queueOp{op: 'o'})
			case b%8 == 5:
				ops = append(ops, queueOp{op: 'e'})
			case b == 6:
				ops = append(ops, queueOp{op: 'r'})
			default:
				d := Time(0)
				if i+1 < len(data) {
					i++
					d = Time(data[i]) * scales[int(b>>3)%len(scales)]
				}
				ops = append(ops, queueOp{op: 'u', delta: d})
			}
		}
		runQueue(t, "fuzz", ops)
	})
}

// TestPendingShift checks the slot width a rebuild takes from the pending
// events: a burst gets slots narrow enough for its density but wide enough
// for the wheel to hold it, long timers do not widen the slots the measure
// asks for, and too few events leave the measure as it is.
func TestPendingShift(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		name   string
		times  func() []Time
		asked  uint
		slots  int
		want   uint
		reason string
	}{
		{"burst", func() []Time {
			var ts []Time
			for range 120_000 {
				ts = append(ts, max(0, Time(r.NormFloat64()*50e6+250e6)))
			}
			return ts
		}, 20, maxWheelSlots, 14, "nine in ten of the burst are within 2^29 ns: the horizon of 2^16 slots must reach 2^30 ns; slots for its density (2^12 ns) would not"},
		{"timers", func() []Time {
			var ts []Time
			for range 1_000 {
				ts = append(ts, Millisecond+Time(r.Int64N(int64(4*Millisecond))))
			}
			for range 9_000 {
				ts = append(ts, 5*Second+Time(r.Int64N(1000)))
			}
			return ts
		}, 10, maxWheelSlots, 10, "the timers are no burst: the measure's width stays"},
		{"dense ahead", func() []Time {
			var ts []Time
			for range 4_000 {
				ts = append(ts, Time(r.Int64N(int64(Millisecond))))
			}
			return ts
		}, 20, 8192, 9, "4,000 events within 1 ms, about five to a 2^10 ns bin counting their clumping: 2^9 ns"},
		{"one event", func() []Time { return []Time{Second} }, 17, minWheelSlots, 17, "too few events to measure"},
		{"saturated far", func() []Time {
			var ts []Time
			for range 200 {
				ts = append(ts, Time(r.Int64N(int64(Millisecond))))
			}
			for range 1_848 {
				ts = append(ts, Never)
			}
			return ts
		}, 20, minWheelSlots, 20, "2,048 events, nine in ten at Never (2^63 ns ahead, bins of 2^54 ns): the density's width is about 2^43 ns, wider than asked; sum << 54 must not wrap to 0"},
	} {
		var q eventQueue
		for i, at := range c.times() {
			q.push(event{at: at, key: makeKey(uint64(i+1), evCall, 0)})
		}
		if got := q.pendingShift(q.pending(), c.asked, c.slots); got != c.want {
			t.Errorf("%s: shift %d, want %d (%s)", c.name, got, c.want, c.reason)
		}
	}
}

// TestFileHeldWithinHorizon: an event held beyond the horizon whose slot
// the wheel's cursor has since come within the horizon of (or passed) is
// still popped in (time, key) order once file files it.
func TestFileHeldWithinHorizon(t *testing.T) {
	for _, ahead := range []Time{0, 1, Millisecond, 40 * Millisecond, 2 * Second} {
		var q eventQueue
		var want []event
		seq := uint64(0)
		add := func(at Time) {
			seq++
			e := event{at: at, key: makeKey(seq, evCall, 0)}
			q.push(e)
			want = append(want, e)
		}
		for i := range 5000 {
			add(Time(i%500) * Millisecond)
		}
		var got []event
		for range 2500 {
			got = append(got, q.pop())
		}
		// Held as placeSlow holds an event while a burst is pending.
		seq++
		e := event{at: got[len(got)-1].at + ahead, key: makeKey(seq, evCall, 0)}
		q.n++
		q.held = append(q.held, e)
		want = append(want, e)
		q.file()
		for q.len() > 0 {
			got = append(got, q.pop())
		}
		slices.SortFunc(want, cmpEvent)
		if !slices.Equal(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Fatalf("ahead %v: pop %d is %+v, want %+v", ahead, i, got[i], want[i])
				}
			}
			t.Fatalf("ahead %v: %d events popped, want %d", ahead, len(got), len(want))
		}
	}
}
