package protocols

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// sendEnv records sends; a broadcast is recorded as a send to sim.None.
type sendEnv struct {
	n    int
	sent []sim.NodeID
}

func (e *sendEnv) Now() sim.Time                             { return 0 }
func (e *sendEnv) ID() sim.NodeID                            { return 0 }
func (e *sendEnv) Replicas() int                             { return e.n }
func (e *sendEnv) Send(to sim.NodeID, _ sim.Message)         { e.sent = append(e.sent, to) }
func (e *sendEnv) Broadcast(sim.Message)                     { e.sent = append(e.sent, sim.None) }
func (e *sendEnv) SetTimer(sim.Time, int, int64) sim.TimerID { return 0 }
func (e *sendEnv) CancelTimer(sim.TimerID)                   {}
func (e *sendEnv) Rand() *rand.Rand                          { return nil }
func (e *sendEnv) Charge(sim.Time)                           {}
func (e *sendEnv) Observe(sim.Observation)                   {}

type testMsg struct{}

func (testMsg) Kind() string { return "test" }
func (testMsg) Size() int    { return 1 }

// loud is a test strategy; its decision point says how loud a replica is.
type loud interface{ volume() int }

type normal struct{}

func (normal) volume() int { return 1 }

type shouting struct{}

func (shouting) volume() int { return 10 }

// oddMute withholds messages to odd-numbered nodes.
type oddMute struct{ normal }

func (oddMute) Withholds(_ sim.Env, to sim.NodeID, _ sim.Message) bool { return to%2 == 1 }

func loudBehaviours() *Behaviours[loud] {
	return NewBehaviours[loud]("test", normal{},
		Behaviour[loud]{Name: "shout", Doc: "shouts", Strategy: shouting{}},
		Behaviour[loud]{Name: "odd_mute", Doc: "mutes odd", Strategy: oddMute{}},
	)
}

func TestBehavioursTable(t *testing.T) {
	got := loudBehaviours().Named()
	want := []Named{{"shout", "shouts"}, {"odd_mute", "mutes odd"}, {Silent, SilentDoc}}
	if !slices.Equal(got, want) {
		t.Errorf("Named() = %v, want %v (silent appended)", got, want)
	}
	own := NewBehaviours[loud]("test", normal{}, Behaviour[loud]{Name: Silent, Doc: "own silent", Strategy: shouting{}, Sends: WithholdAll{}})
	if got := own.Named(); len(got) != 1 || got[0].Doc != "own silent" {
		t.Errorf("a protocol's own silent: Named() = %v", got)
	}
	for _, dup := range [][]Behaviour[loud]{{{Name: "a"}, {Name: "a"}}, {{Name: ""}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewBehaviours(%v) did not panic", dup)
				}
			}()
			NewBehaviours[loud]("test", normal{}, dup...)
		}()
	}
}

func TestConductSends(t *testing.T) {
	table := loudBehaviours()
	for _, tc := range []struct {
		name        string
		volume      int
		send, bcast []sim.NodeID // after Send to 0…3, after one Broadcast
	}{
		{"", 1, []sim.NodeID{0, 1, 2, 3}, []sim.NodeID{sim.None}},
		{"shout", 10, []sim.NodeID{0, 1, 2, 3}, []sim.NodeID{sim.None}},
		{"odd_mute", 1, []sim.NodeID{0, 2}, []sim.NodeID{0, 2}},
		{Silent, 1, nil, nil},
	} {
		var c Conduct[loud]
		if err := table.Set(&c, tc.name); err != nil {
			t.Fatal(err)
		}
		if c.Name() != tc.name || c.Honest() != (tc.name == "") || c.S.volume() != tc.volume {
			t.Errorf("%q: name %q honest %v volume %d", tc.name, c.Name(), c.Honest(), c.S.volume())
		}
		env := &sendEnv{n: 4}
		for to := range 4 {
			c.Send(env, sim.NodeID(to), testMsg{})
		}
		if !slices.Equal(env.sent, tc.send) {
			t.Errorf("%q: sends reached %v, want %v", tc.name, env.sent, tc.send)
		}
		env.sent = nil
		out := c.Out(env)
		for to := range 4 {
			out.Send(sim.NodeID(to), testMsg{})
		}
		if !slices.Equal(env.sent, tc.send) {
			t.Errorf("%q: sends through Out reached %v, want %v", tc.name, env.sent, tc.send)
		}
		env.sent = nil
		c.Broadcast(env, testMsg{})
		if !slices.Equal(env.sent, tc.bcast) {
			t.Errorf("%q: broadcast reached %v, want %v", tc.name, env.sent, tc.bcast)
		}
		env.sent = nil
		c.Out(env).Broadcast(testMsg{})
		if !slices.Equal(env.sent, tc.bcast) {
			t.Errorf("%q: broadcast through Out reached %v, want %v", tc.name, env.sent, tc.bcast)
		}
	}
}

func TestConductSetErrors(t *testing.T) {
	table := loudBehaviours()
	var c Conduct[loud]
	if err := table.Set(&c, "shout"); err != nil {
		t.Fatal(err)
	}
	err := table.Set(&c, "whisper")
	if err == nil || !strings.Contains(err.Error(), `test: unknown behaviour "whisper" (allowed: shout, odd_mute, silent)`) {
		t.Errorf("error %v", err)
	}
	if c.Name() != "shout" {
		t.Errorf("a rejected switch changed the behaviour to %q", c.Name())
	}
	if err := table.Set(&c, ""); err != nil || !c.Honest() || c.S.volume() != 1 {
		t.Errorf("back to honest: %v, honest %v", err, c.Honest())
	}
	env := &sendEnv{n: 2}
	c.Broadcast(env, testMsg{})
	if !slices.Equal(env.sent, []sim.NodeID{sim.None}) {
		t.Errorf("honest broadcast became %v", env.sent)
	}
}

// seenEnv records the environments a filter is asked with.
type seenEnv struct{ envs []sim.Env }

func (s *seenEnv) Withholds(env sim.Env, _ sim.NodeID, _ sim.Message) bool {
	s.envs = append(s.envs, env)
	return false
}

// TestFilteredEnv checks that under a filter the filter is asked with the
// replica's own environment (not the one wrapping it), that each Conduct
// wraps its own, and that the wrapper's other methods are the replica's.
func TestFilteredEnv(t *testing.T) {
	seen := &seenEnv{}
	table := NewBehaviours[loud]("test", normal{}, Behaviour[loud]{Name: "watch", Doc: "watches", Strategy: normal{}, Sends: seen})
	var a, b Conduct[loud]
	for _, c := range []*Conduct[loud]{&a, &b} {
		if err := table.Set(c, "watch"); err != nil {
			t.Fatal(err)
		}
	}
	ea, eb := &sendEnv{n: 3}, &sendEnv{n: 2}
	a.Send(ea, 1, testMsg{})
	b.Broadcast(eb, testMsg{})
	a.Broadcast(ea, testMsg{})
	if want := []sim.Env{ea, eb, eb, ea, ea, ea}; !slices.Equal(seen.envs, want) {
		t.Errorf("filter asked with %v, want the replicas' own %v", seen.envs, want)
	}
	if !slices.Equal(ea.sent, []sim.NodeID{1, 0, 1, 2}) || !slices.Equal(eb.sent, []sim.NodeID{0, 1}) {
		t.Errorf("sends reached %v and %v", ea.sent, eb.sent)
	}
	if a.out == nil || b.out == nil || a.out == b.out || a.out.env != sim.Env(ea) || b.out.env != sim.Env(eb) {
		t.Error("two conducts share their filtered environment")
	}
	w := a.out
	if w.Replicas() != 3 || w.ID() != 0 || w.Now() != 0 || w.Rand() != nil || w.SetTimer(1, 0, 0) != 0 {
		t.Error("the filtered environment does not answer as the replica's")
	}
	w.CancelTimer(1)
	w.Charge(1)
	w.Observe(nil)
}
