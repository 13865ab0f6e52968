package sim

import (
	"fmt"
	"strings"
	"testing"
)

// testMsg is a message of the tests: an id, a size and its creation time.
type testMsg struct {
	id      int
	size    int
	created Time
	kind    string
}

func (m *testMsg) Kind() string {
	if m.kind == "" {
		return "test"
	}
	return m.kind
}
func (m *testMsg) Size() int      { return m.size }
func (m *testMsg) String() string { return fmt.Sprintf("msg %d \"quoted\"\t%s", m.id, m.kind) }

// testObs is an observation of the tests.
type testObs struct{ what string }

func (o testObs) Event() string  { return "test" }
func (o testObs) String() string { return o.what }

// funcNode is a node whose handlers are functions; nil handlers do nothing.
type funcNode struct {
	env     Env
	start   func(env Env)
	deliver func(env Env, from NodeID, m Message)
	fire    func(env Env, t Timer)
	recover func(env Env)
}

func (n *funcNode) Start(env Env) {
	n.env = env
	if n.start != nil {
		n.start(env)
	}
}

func (n *funcNode) Deliver(from NodeID, m Message) {
	if n.deliver != nil {
		n.deliver(n.env, from, m)
	}
}

func (n *funcNode) Fire(t Timer) {
	if n.fire != nil {
		n.fire(n.env, t)
	}
}

func (n *funcNode) Recover() {
	if n.recover != nil {
		n.recover(n.env)
	}
}

// arrival is one message delivery seen by a node.
type arrival struct {
	at   Time
	from NodeID
	id   int
}

// recorder returns a node that records its deliveries.
func recorder(got *[]arrival) *funcNode {
	return &funcNode{deliver: func(env Env, from NodeID, m Message) {
		*got = append(*got, arrival{at: env.Now(), from: from, id: m.(*testMsg).id})
	}}
}

// sender returns a node that sends count messages to to, one every gap,
// starting at its start time; size is the message size.
func sender(to NodeID, count int, gap Time, size int) *funcNode {
	next := 0
	send := func(env Env) {
		env.Send(to, &testMsg{id: next, size: size, created: env.Now()})
		next++
		if next < count {
			env.SetTimer(gap, 0, 0)
		}
	}
	return &funcNode{start: send, fire: func(env Env, _ Timer) { send(env) }}
}

// mustPanic runs f and fails unless it panics with a message starting with
// "sim:" and containing want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one containing %q", want)
		}
		s := fmt.Sprint(r)
		if !strings.HasPrefix(s, "sim:") || !strings.Contains(s, want) {
			t.Fatalf("panic %q, want a \"sim:\" message containing %q", s, want)
		}
	}()
	f()
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// sendNow makes node from send msg now, as if from one of its handlers.
func sendNow(w *World, from, to NodeID, msg Message) {
	ns := w.nodes[from]
	ns.cursor = max(w.Now(), ns.busyUntil)
	ns.Send(to, msg)
}

// link returns the state of the link from one node to another, making it
// on the link's first message, as Network.send does.
func (n *Network) link(from, to NodeID) *linkState {
	n.makeLinks()
	ls := &n.links[int(from)*n.nodes+int(to)]
	if !ls.made() {
		n.newLink(ls, from, to)
	}
	return ls
}
