package failures

import (
	"fmt"
	"math/rand/v2"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// DropReason is the reason the engine gives for the messages it drops.
const DropReason = "fault"

// RuleStats counts what one rule did.
type RuleStats struct {
	// Matched counts the messages the rule matched.
	Matched uint64
	// Fired counts the times the rule acted: for delay and setattr rules,
	// the matches whose draw succeeded; for loss rules, the dropped messages
	// the rule contributed to (a drop decided by several matching loss
	// rules counts for each of them).
	Fired uint64
}

// Firing is one action of a fault rule on one message: a loss rule that
// contributed to dropping it, a delay rule that delayed it, or a setattr
// rule that changed its sender's attribute.
type Firing struct {
	// Rule is the rule's index, in experiment order.
	Rule int
	// Type is the rule's type (what it did).
	Type RuleType
	// At is the time the message left its sender.
	At sim.Time
	// From and To are the message's sender and receiver.
	From, To sim.NodeID
	// Msg is the message acted on.
	Msg sim.Message
}

// Engine applies fault rules to every message a World sends. It implements
// sim.Interceptor; add it with w.Network().AddInterceptor. An Engine belongs
// to one World and is driven by its goroutine.
type Engine struct {
	rules     []compiled
	stats     []RuleStats
	replicas  []protocols.Replica
	nextKinds []string
	loss      *rand.Rand
	hits      []int32 // scratch: loss rules matching the current message
	err       error
	onFire    func(Firing)
}

var _ sim.Interceptor = (*Engine)(nil)

// compiled is a validated rule with what the hot path needs precomputed.
type compiled struct {
	Rule
	anyKind bool
	// next says whether dest "leader" means the next round's leader; only
	// meaningful when !anyKind.
	next bool
	rng  *rand.Rand
}

// NewEngine validates rules against protocol p and returns an engine for
// world w whose replicas, indexed by id, are replicas (senders with larger
// ids are clients). Rule i draws from w.Stream("fault-rule", i); the
// combined loss decision draws from w.Stream("fault-loss").
func NewEngine(w *sim.World, p *protocols.Protocol, replicas []protocols.Replica, rules []Rule) (*Engine, error) {
	for i, r := range replicas {
		if r == nil {
			panic(fmt.Sprintf("failures: NewEngine: replica %d is nil", i))
		}
	}
	if err := ValidateRules(rules, p, len(replicas)); err != nil {
		return nil, err
	}
	e := &Engine{
		rules:     make([]compiled, len(rules)),
		stats:     make([]RuleStats, len(rules)),
		replicas:  replicas,
		nextKinds: p.NextLeaderKinds,
		loss:      w.Stream("fault-loss"),
		hits:      make([]int32, 0, len(rules)),
	}
	for i, r := range rules {
		r.Rounds = r.Rounds.Normalize()
		e.rules[i] = compiled{
			Rule:    r,
			anyKind: r.Msg == AnyKind,
			next:    p.IsNextLeaderKind(r.Msg),
			rng:     w.Stream("fault-rule", int64(i)),
		}
	}
	return e, nil
}

// OnFire makes the engine call f at every firing (see RuleStats.Fired: a
// drop decided by several loss rules is one firing of each), in send order;
// for one message, delay and setattr firings in rule order come before its
// loss firings. A later call replaces f; nil removes it.
func (e *Engine) OnFire(f func(Firing)) { e.onFire = f }

// fired counts a firing of rule i on p and reports it.
func (e *Engine) fired(i int, p *sim.Packet) {
	e.stats[i].Fired++
	if e.onFire != nil {
		e.onFire(Firing{Rule: i, Type: e.rules[i].Type, At: p.SentAt, From: p.From, To: p.To, Msg: p.Msg})
	}
}

// Stats returns a copy of the per-rule counters, indexed like the rules.
func (e *Engine) Stats() []RuleStats { return append([]RuleStats(nil), e.stats...) }

// Fired returns how many times rule i acted (see RuleStats.Fired).
func (e *Engine) Fired(i int) uint64 { return e.stats[i].Fired }

// Err returns the first error a replica returned from SetAttribute, naming
// the rule; nil if none. A run with such an error should be reported as
// broken: validation accepted a rule the replica rejected.
func (e *Engine) Err() error { return e.err }

// Intercept implements sim.Interceptor: it matches p against every rule in
// order, applies delay and setattr rules, and decides loss with one draw.
func (e *Engine) Intercept(p *sim.Packet) string {
	if len(e.rules) == 0 {
		return ""
	}
	kind := p.Msg.Kind()
	var rep protocols.Replica
	var round int64
	if p.From >= 0 && int(p.From) < len(e.replicas) {
		rep = e.replicas[p.From]
		round = rep.Round()
	}
	next := -1 // whether kind is a next-leader kind; computed on demand
	pass := 1.0
	hits := e.hits[:0]
	for i := range e.rules {
		c := &e.rules[i]
		if p.SentAt < c.From || (c.Until != 0 && p.SentAt >= c.Until) {
			continue
		}
		if !c.anyKind && c.Msg != kind {
			continue
		}
		if rep == nil {
			if !c.matchClient(p.To) {
				continue
			}
		} else if !e.matchReplica(c, rep, round, p.From, p.To, kind, &next) {
			continue
		}
		e.stats[i].Matched++
		switch c.Type {
		case Loss:
			if c.Prob > 0 {
				pass *= 1 - c.Prob
				hits = append(hits, int32(i))
			}
		case Delay:
			if c.draw() {
				p.Extra += c.Delay
				e.fired(i, p)
			}
		case SetAttr:
			if c.draw() {
				e.fired(i, p)
				if err := rep.SetAttribute(c.Attr, c.Value); err != nil && e.err == nil {
					e.err = fmt.Errorf("failures: rule %d (%v): replica %d rejected setattr: %w", i, c.Rule, p.From, err)
				}
				// Later rules see the sender's state after the change.
				round = rep.Round()
			}
		}
	}
	if len(hits) == 0 || (pass > 0 && e.loss.Float64() < pass) {
		return ""
	}
	for _, i := range hits {
		e.fired(int(i), p)
	}
	return DropReason
}

// matchClient reports whether c matches a message from a non-replica
// sender to node to: such a message has no round, so only rules with src
// "*", no rounds and a dest that is not "leader" match, and setattr rules
// (which act on the sender) never do.
func (c *compiled) matchClient(to sim.NodeID) bool {
	if c.Type == SetAttr || c.Src.Kind != AnyEndpoint || !c.Rounds.All() {
		return false
	}
	switch c.Dest.Kind {
	case AnyEndpoint:
		return true
	case ReplicaEndpoint:
		return c.Dest.ID == to
	}
	return false
}

// matchReplica reports whether c matches a message of the given kind from
// replica rep (id from, in round) to node to.
func (e *Engine) matchReplica(c *compiled, rep protocols.Replica, round int64, from, to sim.NodeID, kind string, next *int) bool {
	if !c.Rounds.Contains(round) {
		return false
	}
	switch c.Src.Kind {
	case ReplicaEndpoint:
		if c.Src.ID != from {
			return false
		}
	case LeaderEndpoint:
		if rep.Leader(round) != from {
			return false
		}
	}
	switch c.Dest.Kind {
	case ReplicaEndpoint:
		return c.Dest.ID == to
	case LeaderEndpoint:
		isNext := c.next
		if c.anyKind {
			if *next < 0 {
				*next = 0
				if e.isNextKind(kind) {
					*next = 1
				}
			}
			isNext = *next == 1
		}
		r := round
		if isNext {
			r++
		}
		return rep.Leader(r) == to
	}
	return true
}

func (e *Engine) isNextKind(kind string) bool {
	for _, k := range e.nextKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// draw reports whether the rule acts on this match; it draws from the
// rule's stream only when 0 < Prob < 1.
func (c *compiled) draw() bool {
	switch {
	case c.Prob >= 1:
		return true
	case c.Prob <= 0:
		return false
	}
	return c.rng.Float64() < c.Prob
}
