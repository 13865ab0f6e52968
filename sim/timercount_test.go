package sim

import "testing"

// TestCancelledTimerCountsAtItsTime checks when a cancelled timer counts
// as an event (Stats.Events, runs.csv's events, event limits): when the
// run passes its time, whether Run ends at its time limit, idle or at an
// event limit set later, and it moves the clock as it passes.
func TestCancelledTimerCountsAtItsTime(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 1})
	var long TimerID
	w.AddNode(&funcNode{
		start: func(env Env) {
			long = env.SetTimer(10*Millisecond, 0, 0)
			env.SetTimer(Millisecond, 1, 0)
		},
		fire: func(env Env, tm Timer) {
			if tm.Kind == 1 {
				env.CancelTimer(long)
			}
		},
	}, 0)
	if why := w.Run(3 * Millisecond); why != "until" || w.Stats().Events != 2 || w.Pending() != 1 || w.Now() != 3*Millisecond {
		t.Fatalf("Run(3s) = %s at %v, %d events, %d pending; want until at 3ms, 2 events, 1 pending", why, w.Now(), w.Stats().Events, w.Pending())
	}
	if why := w.Run(4 * Millisecond); why != "until" || w.Stats().Events != 2 || w.Now() != 4*Millisecond {
		t.Fatalf("Run(4s) = %s at %v, %d events; want until at 4ms, 2 events", why, w.Now(), w.Stats().Events)
	}
	if why := w.Run(Never); why != "idle" || w.Stats().Events != 3 || w.Pending() != 0 || w.Now() != 10*Millisecond {
		t.Fatalf("Run(Never) = %s at %v, %d events, %d pending; want idle at 10ms, 3 events, 0 pending", why, w.Now(), w.Stats().Events, w.Pending())
	}

	// An event limit set while a cancelled timer is pending counts it.
	w = NewWorld(Config{Seed: 1, Replicas: 1})
	w.AddNode(&funcNode{
		start: func(env Env) {
			long = env.SetTimer(10*Millisecond, 0, 0)
			env.SetTimer(Millisecond, 1, 0)
			env.SetTimer(12*Millisecond, 2, 0)
		},
		fire: func(env Env, tm Timer) {
			if tm.Kind == 1 {
				env.CancelTimer(long)
			}
		},
	}, 0)
	w.Run(2 * Millisecond)
	w.SetEventLimit(3)
	if why := w.Run(Never); why != EventLimitReached || w.Stats().Events != 3 || w.Now() != 10*Millisecond || w.Pending() != 1 {
		t.Fatalf("with a limit of 3: %s at %v, %d events, %d pending; want %s at 10ms, 3 events, 1 pending", why, w.Now(), w.Stats().Events, w.Pending(), EventLimitReached)
	}
}

// TestCancelledTimersStopAtSameTime checks that a run stopped by an
// event counts the cancelled timers that precede it at its own time, and
// not those after it.
func TestCancelledTimersStopAtSameTime(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 1})
	var a, c TimerID
	w.AddNode(&funcNode{
		start: func(env Env) {
			env.SetTimer(Millisecond, 9, 0)
			a = env.SetTimer(5*Millisecond, 0, 0)
			env.SetTimer(5*Millisecond, 1, 0)
			c = env.SetTimer(5*Millisecond, 2, 0)
		},
		fire: func(env Env, tm Timer) {
			switch tm.Kind {
			case 9:
				env.CancelTimer(a)
				env.CancelTimer(c)
			case 1:
				w.Stop("stopped")
			}
		},
	}, 0)
	if why := w.Run(Never); why != "stopped" || w.Stats().Events != 4 || w.Pending() != 1 {
		t.Fatalf("Run = %s, %d events, %d pending; want stopped, 4 events (start, two timers, one cancelled), 1 pending", why, w.Stats().Events, w.Pending())
	}
}
