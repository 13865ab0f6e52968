package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// gossipWorld builds a small world with random delays, loss, CPU charges,
// timers and observations: nodes forward messages to random peers.
func gossipWorld(seed uint64, trace *bytes.Buffer) *World {
	return gossipWorldReserving(seed, trace, 0)
}

// gossipWorldReserving is gossipWorld with room reserved for that many
// pending events.
func gossipWorldReserving(seed uint64, trace *bytes.Buffer, reserve int) *World {
	const n = 5
	w := NewWorld(Config{Seed: seed, Replicas: n})
	w.Reserve(reserve)
	w.Network().SetDefault(Link{Delay: LogNormal{Median: 2 * Millisecond, Sigma: 0.5}, Loss: 0.05, RTO: 10 * Millisecond})
	w.Network().SetModel(func(from, to NodeID) Link {
		l := Link{Delay: Uniform{Min: Millisecond, Max: 5 * Millisecond}, Loss: 0.05, Channel: Lossy}
		if (from+to)%2 == 0 {
			l.Channel, l.RTO = Reliable, 10*Millisecond
		}
		return l
	})
	tr := NewJSONLTracer(trace)
	w.SetTracer(tr)
	for i := range n {
		w.AddNode(&funcNode{
			start: func(env Env) {
				env.Broadcast(&testMsg{id: i, size: 100})
				env.SetTimer(Time(env.Rand().IntN(int(10*Millisecond))), 1, int64(i))
			},
			deliver: func(env Env, from NodeID, m Message) {
				env.Charge(Time(env.Rand().IntN(200)) * Microsecond)
				tm := m.(*testMsg)
				if tm.id < 200 {
					env.Send(NodeID(env.Rand().IntN(n)), &testMsg{id: tm.id + n, size: 100 + tm.id})
				}
			},
			fire: func(env Env, t Timer) {
				env.Observe(testObs{what: "tick"})
				if env.Now() < 200*Millisecond {
					env.SetTimer(Time(env.Rand().IntN(int(10*Millisecond))), 1, t.Data)
				}
			},
		}, Time(i)*Millisecond)
	}
	w.Run(Never)
	if err := tr.Flush(); err != nil {
		panic(err)
	}
	return w
}

func TestDeterminism(t *testing.T) {
	var a, b, c bytes.Buffer
	wa := gossipWorld(7, &a)
	gossipWorld(7, &b)
	gossipWorld(8, &c)
	if s := wa.Stats(); s.Delivered < 100 || s.Dropped == 0 || s.Timers < 50 {
		t.Fatalf("the run did too little to test anything: %+v", s)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("the same seed gave different traces (%d and %d bytes)", a.Len(), b.Len())
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatalf("different seeds gave the same trace")
	}
}

// TestReserveChangesNothing: reserving room for pending events, more or
// fewer than the run needs, gives the same trace as not reserving.
func TestReserveChangesNothing(t *testing.T) {
	var want bytes.Buffer
	gossipWorld(7, &want)
	for _, reserve := range []int{1, 3, 64, 10_000} {
		var got bytes.Buffer
		gossipWorldReserving(7, &got, reserve)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("Reserve(%d) changed the trace", reserve)
		}
	}
}

func TestJSONLTracer(t *testing.T) {
	var buf bytes.Buffer
	gossipWorld(3, &buf)
	events := map[string]int{}
	sc := bufio.NewScanner(&buf)
	lines := 0
	for sc.Scan() {
		lines++
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", lines, err, sc.Text())
		}
		ev, _ := rec["ev"].(string)
		if _, ok := rec["t"].(float64); !ok || ev == "" {
			t.Fatalf("line %d lacks t or ev: %s", lines, sc.Text())
		}
		events[ev]++
		switch ev {
		case "send", "deliver", "drop":
			if rec["kind"] != "test" || rec["msg"] == nil {
				t.Fatalf("line %d: message fields missing: %s", lines, sc.Text())
			}
		case "observe":
			if rec["event"] != "test" || rec["detail"] != "tick" {
				t.Fatalf("line %d: observation fields wrong: %s", lines, sc.Text())
			}
		}
	}
	for _, ev := range []string{"send", "deliver", "drop", "timer", "observe"} {
		if events[ev] == 0 {
			t.Errorf("no %q line in %d lines", ev, lines)
		}
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

var errWrite = errors.New("write failed")

func TestJSONLTracerReportsWriteError(t *testing.T) {
	tr := NewJSONLTracer(failWriter{})
	tr.Fired(0, 0, Timer{})
	if err := tr.Flush(); err == nil {
		t.Fatal("Flush returned no error after a failed write")
	}
}

// countTracer counts calls, to check that Tracers fans out.
type countTracer struct{ n int }

func (c *countTracer) Sent(Time, NodeID, NodeID, Message)            { c.n++ }
func (c *countTracer) Dropped(Time, NodeID, NodeID, Message, string) { c.n++ }
func (c *countTracer) Delivered(Time, NodeID, NodeID, Message)       { c.n++ }
func (c *countTracer) Fired(Time, NodeID, Timer)                     { c.n++ }
func (c *countTracer) Observed(Time, NodeID, Observation)            { c.n++ }

func TestTracersFanOut(t *testing.T) {
	a, b := &countTracer{}, &countTracer{}
	ts := Tracers{a, b}
	m := &testMsg{}
	ts.Sent(0, 0, 1, m)
	ts.Dropped(0, 0, 1, m, "x")
	ts.Delivered(0, 0, 1, m)
	ts.Fired(0, 0, Timer{})
	ts.Observed(0, 0, testObs{})
	if a.n != 5 || b.n != 5 {
		t.Fatalf("calls %d and %d, want 5 each", a.n, b.n)
	}
}

func TestJSONLTracerFault(t *testing.T) {
	var buf bytes.Buffer
	tr := NewJSONLTracer(&buf)
	tr.Fault(1500*Microsecond, 2, "loss", 0, 3, &testMsg{id: 7, kind: "vote", size: 120})
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `{"t":1500000,"ev":"fault","rule":2,"type":"loss","from":0,"to":3,"kind":"vote","size":120,"msg":"msg 7 \"quoted\"\tvote"}` + "\n"
	if got := buf.String(); got != want {
		t.Fatalf("fault line\n got %s\nwant %s", got, want)
	}
}
