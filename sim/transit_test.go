package sim

import "testing"

// TestCorruptTransit sends four messages over a 10 ms link and, at 5 ms,
// keeps, drops, duplicates and replaces them in slot order.
func TestCorruptTransit(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 2})
	var got []arrival
	a := w.AddNode(&funcNode{}, 0)
	b := w.AddNode(recorder(&got), 0)
	w.Network().SetDefault(Link{Delay: Constant{D: 10 * Millisecond}, Channel: Lossy})
	w.At(0, func() {
		for id := range 4 {
			sendNow(w, a, b, &testMsg{id: id})
		}
	})
	actions := []TransitAction{TransitKeep, TransitDrop, TransitDuplicate, TransitReplace}
	changed := -1
	w.At(5*Millisecond, func() {
		i := 0
		changed = w.CorruptTransit(func(tr Transit) (TransitAction, Message) {
			if tr.From != a || tr.To != b {
				t.Errorf("transit %d: %d→%d, want %d→%d", i, tr.From, tr.To, a, b)
			}
			act := actions[i]
			i++
			if act == TransitReplace {
				return act, &testMsg{id: 99}
			}
			return act, nil
		})
	})
	w.Run(Second)
	if changed != 3 {
		t.Errorf("CorruptTransit changed %d messages, want 3", changed)
	}
	want := []arrival{{5 * Millisecond, a, 2}, {10 * Millisecond, a, 0}, {10 * Millisecond, a, 2}, {10 * Millisecond, a, 99}}
	if len(got) != len(want) {
		t.Fatalf("deliveries %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("delivery %d: %v, want %v", i, got[i], want[i])
		}
	}
	if w.Stats().Dropped != 1 {
		t.Errorf("dropped %d, want 1", w.Stats().Dropped)
	}
}

// TestClockOffset: a node's Now is shifted by its offset; its timers keep
// their durations.
func TestClockOffset(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 1})
	var seen []Time
	n := &funcNode{
		start: func(env Env) { env.SetTimer(10*Millisecond, 0, 0) },
		fire:  func(env Env, _ Timer) { seen = append(seen, env.Now()) },
	}
	id := w.AddNode(n, 0)
	w.At(Millisecond, func() { w.SetClockOffset(id, -3*Second) })
	w.Run(Second)
	if len(seen) != 1 || seen[0] != 10*Millisecond-3*Second {
		t.Fatalf("local times %v, want [%v]", seen, 10*Millisecond-3*Second)
	}
	if w.ClockOffset(id) != -3*Second {
		t.Errorf("ClockOffset = %v", w.ClockOffset(id))
	}
}
