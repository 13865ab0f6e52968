package sim

import "testing"

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
