package protocols

import (
	"fmt"
	"strings"

	"github.com/byzsim/byzsim/sim"
)

// Silent is the name of the generic behaviour that sends nothing.
const Silent = "silent"

// SilentDoc is the generic Silent's one-line description.
const SilentDoc = "sends nothing"

// SendFilter is implemented by what withholds some of a replica's sends
// (UNRESPONSIVE-like behaviours): the honest code sends, the filter decides
// which messages leave.
type SendFilter interface {
	// Withholds reports whether the replica, whose environment is env,
	// withholds m from node to.
	Withholds(env sim.Env, to sim.NodeID, m sim.Message) bool
}

// WithholdAll is the SendFilter of Silent: it withholds every message.
type WithholdAll struct{}

// Withholds implements SendFilter.
func (WithholdAll) Withholds(sim.Env, sim.NodeID, sim.Message) bool { return true }

// Behaviour is one named Byzantine behaviour of a protocol whose decision
// points are the interface S.
type Behaviour[S any] struct {
	// Name is what experiments write in [[byzantine]] behaviour.
	Name string
	// Doc is a one-line description for byzsim list.
	Doc string
	// Strategy is consulted at the decision points. It must be a value
	// without state of its own (it is shared by every replica); state a
	// behaviour needs lives on the replica, which decision points receive.
	Strategy S
	// Sends filters the replica's sends; nil means that the Strategy
	// filters them when it implements SendFilter, and that nothing is
	// withheld otherwise.
	Sends SendFilter
}

func (b Behaviour[S]) filter() SendFilter {
	if b.Sends != nil {
		return b.Sends
	}
	if f, ok := any(b.Strategy).(SendFilter); ok {
		return f
	}
	return nil
}

// Behaviours is a protocol's table of Byzantine behaviours: the honest
// strategy, the named behaviours in the order byzsim lists them, and
// Silent.
//
// Byzantine behaviours are strategies. A protocol's honest code never asks
// which behaviour it runs; it consults a strategy at a few explicit, named
// decision points, and sends through a Conduct that may withhold messages.
// A protocol adopts the contract in four steps:
//
//  1. Name its decision points in one unexported interface S (in
//     byzantine.go), e.g. "which block do I propose to replica j", and write
//     the honest strategy: the value whose methods do what the protocol
//     specifies. A protocol without decision points uses struct{}.
//  2. Write each named behaviour as one type (embedding the honest strategy
//     and overriding the decision points it changes), and list them in one
//     function (below); Protocol.Behaviours is behaviours().Named(), which
//     lists the generic Silent too.
//  3. Give the replica a Conduct[strategy] field; New validates
//     Config.Behaviour and SetBehaviour switches with
//     behaviours().Set(&r.conduct, name) ("" is honest again).
//  4. Send only through r.conduct.Send(env, to, m) and
//     r.conduct.Broadcast(env, m), and call r.conduct.S.decide(…) at each
//     decision point.
//
// The table of step 2:
//
//	func behaviours() *protocols.Behaviours[strategy] {
//		return protocols.NewBehaviours[strategy]("myproto", honest{},
//			protocols.Behaviour[strategy]{Name: "equivocate", Doc: "…", Strategy: equivocate{}})
//	}
//
// Silent — sends nothing, keeps receiving and running honest code — comes
// with the table: NewBehaviours adds it unless the protocol defines its own
// behaviour of that name (a protocol may, when its silent replica should
// also skip work whose cost or observations would otherwise show, as
// DiemBFT's leader skips building proposals nobody receives).
type Behaviours[S any] struct {
	protocol string
	honest   S
	list     []Behaviour[S]
}

// NewBehaviours returns the table of protocol's behaviours over the
// decision points S: honest is the honest strategy, list the named
// behaviours. Silent (honest strategy, every send withheld) is appended
// unless list defines a behaviour of that name. An empty or duplicate name
// panics: the table is written by the protocol, not read from input.
func NewBehaviours[S any](protocol string, honest S, list ...Behaviour[S]) *Behaviours[S] {
	t := &Behaviours[S]{protocol: protocol, honest: honest, list: list}
	seen := make(map[string]bool, len(list)+1)
	for _, b := range list {
		if b.Name == "" || seen[b.Name] {
			panic(fmt.Sprintf("protocols: %s: empty or duplicate behaviour %q", protocol, b.Name))
		}
		seen[b.Name] = true
	}
	if !seen[Silent] {
		t.list = append(t.list, Behaviour[S]{Name: Silent, Doc: SilentDoc, Strategy: honest, Sends: WithholdAll{}})
	}
	return t
}

// Named lists the behaviours for Protocol.Behaviours.
func (t *Behaviours[S]) Named() []Named {
	out := make([]Named, len(t.list))
	for i, b := range t.list {
		out[i] = Named{Name: b.Name, Doc: b.Doc}
	}
	return out
}

// Set switches c to the named behaviour, or back to honest with "". An
// unknown name is an error naming the allowed ones, and leaves c as it was.
func (t *Behaviours[S]) Set(c *Conduct[S], name string) error {
	if name == "" {
		*c = Conduct[S]{S: t.honest}
		return nil
	}
	for _, b := range t.list {
		if b.Name == name {
			*c = Conduct[S]{name: name, S: b.Strategy, filter: b.filter()}
			return nil
		}
	}
	names := make([]string, len(t.list))
	for i, b := range t.list {
		names[i] = b.Name
	}
	return fmt.Errorf("%s: unknown behaviour %q (allowed: %s)", t.protocol, name, strings.Join(names, ", "))
}

// Conduct is a replica's current behaviour: the strategy S its code
// consults at decision points, and the filter its sends pass. The zero
// Conduct is not usable; Behaviours.Set initialises it.
type Conduct[S any] struct {
	name   string
	filter SendFilter
	// S is the current strategy (the honest one when Name is "").
	S S
}

// Name is the current behaviour's name; "" is honest.
func (c *Conduct[S]) Name() string { return c.name }

// Honest reports whether the replica runs no Byzantine behaviour.
func (c *Conduct[S]) Honest() bool { return c.name == "" }

// Send sends m to node to through env unless the behaviour withholds it.
func (c *Conduct[S]) Send(env sim.Env, to sim.NodeID, m sim.Message) {
	if c.filter == nil || !c.filter.Withholds(env, to, m) {
		env.Send(to, m)
	}
}

// Broadcast broadcasts m through env. Under a SendFilter it becomes one
// Send to each replica not withheld (the sender included), in id order.
func (c *Conduct[S]) Broadcast(env sim.Env, m sim.Message) {
	if c.filter == nil {
		env.Broadcast(m)
		return
	}
	for to := range env.Replicas() {
		id := sim.NodeID(to)
		if !c.filter.Withholds(env, id, m) {
			env.Send(id, m)
		}
	}
}
