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
