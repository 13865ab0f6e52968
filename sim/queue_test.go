package sim

import (
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
