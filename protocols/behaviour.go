package protocols

import (
	"fmt"
	"math/rand/v2"
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
			*c = Conduct[S]{name: name, S: b.Strategy}
			if f := b.filter(); f != nil {
				c.out = &filtered{filter: f}
			}
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
	name string
	// out holds the filter its sends pass (nil for none): under a filter,
	// the replica sends through out, an environment wrapping the
	// replica's own whose Send and Broadcast ask the filter. It is made by
	// Set for this Conduct, never shared between replicas; a pointer, so
	// that the test of every send reads 8 bytes of the replica.
	out *filtered
	// S is the current strategy (the honest one when Name is "").
	S S
}

// Name is the current behaviour's name; "" is honest.
func (c *Conduct[S]) Name() string { return c.name }

// Honest reports whether the replica runs no Byzantine behaviour.
func (c *Conduct[S]) Honest() bool { return c.name == "" }

// Send sends m to node to through env unless the behaviour withholds it.
// It inlines at the protocol's call sites: with no filter (an honest
// replica, or a behaviour that withholds nothing) it is one env.Send.
func (c *Conduct[S]) Send(env sim.Env, to sim.NodeID, m sim.Message) {
	if c.out != nil { // Out, written out: Send stays small enough to inline
		c.out.env = env
		env = c.out
	}
	env.Send(to, m)
}

// Broadcast broadcasts m through env. Under a SendFilter it becomes one
// Send to each replica not withheld (the sender included), in id order.
// Like Send it inlines, and the unfiltered case is one env.Broadcast.
func (c *Conduct[S]) Broadcast(env sim.Env, m sim.Message) {
	if c.out != nil {
		c.out.env = env
		env = c.out
	}
	env.Broadcast(m)
}

// Out returns the environment the replica's sends go through, env being
// its own: env itself when nothing is filtered, else env wrapped so that
// its Send and Broadcast ask the filter. A gossip to many replicas takes
// it once and sends through it, as Send would to each. It is valid until
// the conduct changes or its next Out, Send or Broadcast.
func (c *Conduct[S]) Out(env sim.Env) sim.Env {
	if c.out == nil {
		return env
	}
	c.out.env = env
	return c.out
}

// filtered is an environment whose sends pass a SendFilter: Send and
// Broadcast ask the filter, the other methods are env's. It lists every
// method of sim.Env rather than embedding it, so that a sending method
// added to sim.Env cannot pass the filter unasked.
type filtered struct {
	env    sim.Env
	filter SendFilter
}

var _ sim.Env = (*filtered)(nil)

// Send sends m to node to unless the filter withholds it.
func (e *filtered) Send(to sim.NodeID, m sim.Message) {
	if !e.filter.Withholds(e.env, to, m) {
		e.env.Send(to, m)
	}
}

// Broadcast sends m to each replica the filter does not withhold it from
// (the sender included), in id order.
func (e *filtered) Broadcast(m sim.Message) {
	for to := range e.env.Replicas() {
		id := sim.NodeID(to)
		if !e.filter.Withholds(e.env, id, m) {
			e.env.Send(id, m)
		}
	}
}

// The other methods of sim.Env are env's.

func (e *filtered) Now() sim.Time  { return e.env.Now() }
func (e *filtered) ID() sim.NodeID { return e.env.ID() }
func (e *filtered) Replicas() int  { return e.env.Replicas() }
func (e *filtered) SetTimer(d sim.Time, kind int, data int64) sim.TimerID {
	return e.env.SetTimer(d, kind, data)
}
func (e *filtered) CancelTimer(id sim.TimerID) { e.env.CancelTimer(id) }
func (e *filtered) Rand() *rand.Rand           { return e.env.Rand() }
func (e *filtered) Charge(d sim.Time)          { e.env.Charge(d) }
func (e *filtered) Observe(o sim.Observation)  { e.env.Observe(o) }
