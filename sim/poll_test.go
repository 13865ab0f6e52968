package sim

import (
	"slices"
	"testing"
)

// ticker is a node that keeps a timer running forever.
type ticker struct{ env Env }

func (n *ticker) Start(env Env)           { n.env = env; env.SetTimer(Millisecond, 0, 0) }
func (n *ticker) Deliver(NodeID, Message) {}
func (n *ticker) Fire(Timer)              { n.env.SetTimer(Millisecond, 0, 0) }

func TestPollAndEventLimit(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 1})
	w.AddNode(&ticker{}, 0)
	polls := 0
	w.SetPoll(func(now Time, events uint64) bool {
		polls++
		return events < 3*pollEvery
	})
	if why := w.Run(1000 * Second); why != Interrupted {
		t.Fatalf("Run ended %q, want %q", why, Interrupted)
	}
	if got := w.Stats().Events; got != 3*pollEvery || polls != 3 {
		t.Errorf("%d events and %d polls, want %d and 3", got, polls, 3*pollEvery)
	}

	w = NewWorld(Config{Seed: 1, Replicas: 1})
	w.AddNode(&ticker{}, 0)
	w.SetEventLimit(1234)
	if why := w.Run(1000 * Second); why != EventLimitReached || w.Stats().Events != 1234 {
		t.Errorf("Run ended %q after %d events, want %q after 1234", why, w.Stats().Events, EventLimitReached)
	}
}

// TestPollAndLimitTogether checks the poll and the limit together and
// changed between runs: the poll is called at every multiple of pollEvery
// events, again when Run resumes at one, not once removed; a limit set
// below the events already handled ends the next Run at once.
func TestPollAndLimitTogether(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 1})
	w.AddNode(&ticker{}, 0)
	var at []uint64
	w.SetPoll(func(_ Time, events uint64) bool { at = append(at, events); return true })
	w.SetEventLimit(2*pollEvery + 10)
	steps := []struct {
		limit uint64
		poll  bool
		want  string
		ev    uint64
		polls []uint64
	}{
		{2*pollEvery + 10, true, EventLimitReached, 2*pollEvery + 10, []uint64{pollEvery, 2 * pollEvery}},
		{3 * pollEvery, true, EventLimitReached, 3 * pollEvery, nil},                                               // the limit is checked first
		{0, true, "until", 0, []uint64{3 * pollEvery, 4 * pollEvery, 5 * pollEvery, 6 * pollEvery, 7 * pollEvery}}, // the limit pre-empted the poll at 3·pollEvery
		{100, false, EventLimitReached, 0, nil},                                                                    // below the events handled
		{0, false, "until", 0, nil},
	}
	for i, st := range steps {
		w.SetEventLimit(st.limit)
		if !st.poll {
			w.SetPoll(nil)
		}
		at = nil
		until := w.Now()
		if st.want == "until" {
			until += 1200 * Millisecond
		} else {
			until = 1000 * Second
		}
		before := w.Stats().Events
		why := w.Run(until)
		if why != st.want {
			t.Fatalf("step %d: Run ended %q, want %q", i, why, st.want)
		}
		if st.ev != 0 && w.Stats().Events != st.ev {
			t.Errorf("step %d: %d events, want %d", i, w.Stats().Events, st.ev)
		}
		if st.want == EventLimitReached && st.ev == 0 && w.Stats().Events != before {
			t.Errorf("step %d: handled %d events past the limit", i, w.Stats().Events-before)
		}
		if st.polls != nil && !slices.Equal(at, st.polls) {
			t.Errorf("step %d: polled at %v, want %v", i, at, st.polls)
		}
		if !st.poll && len(at) > 0 {
			t.Errorf("step %d: polled at %v after the poll was removed", i, at)
		}
	}
}

// TestFarTailsSaturate checks that distributions with huge parameters draw
// delays within [0, MaxSample] and that link times saturate instead of
// overflowing.
func TestFarTailsSaturate(t *testing.T) {
	const long = 200_000 * 3600 * Second
	r := Stream(1, "tails")
	for _, d := range []Dist{LogNormal{Median: long, Sigma: 10}, Exponential{M: long}, Normal{Mu: long, Sigma: long}} {
		for i := 0; i < 1000; i++ {
			if x := d.Sample(r); x < 0 || x > MaxSample {
				t.Fatalf("%T drew %d, outside [0, %d]", d, x, MaxSample)
			}
		}
	}
	if got := addSat(Never-5, 10); got != Never {
		t.Errorf("addSat(Never-5, 10) = %d, want Never", got)
	}
	if got := addSat(3, 4); got != 7 {
		t.Errorf("addSat(3, 4) = %d", got)
	}
	if got := SerializationDelay(1<<30, 1e-30); got != MaxSample {
		t.Errorf("SerializationDelay at a tiny bandwidth = %d, want MaxSample", got)
	}
}
