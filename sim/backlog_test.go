package sim

import "testing"

// TestBacklogAndCharged checks the per-pair backlog (sent, not yet handled
// nor dropped) through a busy receiver, a partition and a crash, and the
// charged CPU time.
func TestBacklogAndCharged(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 3})
	w.Network().SetDefault(Link{Delay: Constant{D: 10 * Millisecond}})
	a := &funcNode{start: func(env Env) {
		env.Charge(3 * Millisecond)
		for i := range 4 {
			env.Send(1, &testMsg{id: i})
		}
		env.Send(2, &testMsg{id: 9})
	}}
	b := &funcNode{deliver: func(env Env, _ NodeID, _ Message) { env.Charge(5 * Millisecond) }}
	c := &funcNode{}
	w.AddNode(a, 0)
	w.AddNode(b, 0)
	w.AddNode(c, 0)
	backlog := func(at Time, to NodeID, want int) {
		t.Helper()
		w.Run(at)
		if got := w.Backlog(0, to); got != want {
			t.Errorf("at %v: backlog 0→%d = %d, want %d", at, to, got, want)
		}
		if got := w.nodes[0].Backlog(to); got != want {
			t.Errorf("at %v: Env backlog 0→%d = %d, want %d", at, to, got, want)
		}
	}
	backlog(12*Millisecond, 1, 4) // sent at 3 ms, arriving at 13 ms
	backlog(12*Millisecond, 2, 1)
	w.Crash(2)
	// Node 1 handles one message every 5 ms from 13 ms on.
	backlog(13*Millisecond, 1, 3)
	backlog(18*Millisecond, 1, 2)
	backlog(23*Millisecond, 1, 1)
	backlog(28*Millisecond, 1, 0)
	backlog(30*Millisecond, 2, 0) // dropped at the crashed node
	if got := w.Charged(0); got != 3*Millisecond {
		t.Errorf("node 0 charged %v, want 3ms", got)
	}
	if got := w.Charged(1); got != 20*Millisecond {
		t.Errorf("node 1 charged %v, want 20ms", got)
	}
}

// TestBacklogDroppedFromCrashedInbox checks that messages waiting in a
// node's input queue leave the backlog when the node crashes.
func TestBacklogDroppedFromCrashedInbox(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 2})
	w.Network().SetDefault(Link{Delay: Constant{D: Millisecond}})
	w.AddNode(&funcNode{start: func(env Env) {
		for i := range 3 {
			env.Send(1, &testMsg{id: i})
		}
	}}, 0)
	w.AddNode(&funcNode{deliver: func(env Env, _ NodeID, _ Message) { env.Charge(10 * Millisecond) }}, 0)
	w.Run(2 * Millisecond) // one handled, two waiting
	if got := w.Backlog(0, 1); got != 2 {
		t.Fatalf("backlog %d, want 2", got)
	}
	w.Crash(1)
	if got := w.Backlog(0, 1); got != 0 {
		t.Errorf("backlog after the crash %d, want 0", got)
	}
}

// TestSendFindsItsLink checks that a send counts on the link of its
// sender and receiver, whichever node sends (each node finds its links in
// its own row of the link table), for every pair of a few worlds.
func TestSendFindsItsLink(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes int
		sends [][2]NodeID // from, to
	}{
		{"two nodes", 2, [][2]NodeID{{0, 1}, {1, 0}, {1, 0}}},
		{"one sender", 4, [][2]NodeID{{2, 0}, {2, 1}, {2, 3}, {2, 3}}},
		{"every pair", 3, [][2]NodeID{{0, 1}, {0, 2}, {1, 0}, {1, 2}, {2, 0}, {2, 1}, {2, 1}, {2, 1}}},
		{"last row", 5, [][2]NodeID{{4, 0}, {4, 3}, {3, 4}, {0, 4}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWorld(Config{Seed: 1, Replicas: tc.nodes})
			w.Network().SetDefault(Link{Delay: Constant{D: Second}})
			for range tc.nodes {
				w.AddNode(&funcNode{}, 0)
			}
			w.Run(0)
			want := make(map[[2]NodeID]int)
			for i, s := range tc.sends {
				sendNow(w, s[0], s[1], &testMsg{id: i})
				want[s]++
			}
			for a := range NodeID(tc.nodes) {
				for b := range NodeID(tc.nodes) {
					if a == b {
						continue
					}
					if got := w.Backlog(a, b); got != want[[2]NodeID{a, b}] {
						t.Errorf("backlog %d→%d = %d, want %d", a, b, got, want[[2]NodeID{a, b}])
					}
				}
			}
		})
	}
}
