package protocols

import (
	"fmt"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/sim"
)

// Protocol describes a protocol to byzsim: how to build its replicas and
// what can be configured, attacked and corrupted.
type Protocol struct {
	// Name is what experiments write in protocol.name.
	Name string
	// Doc is a one-line description.
	Doc string
	// MessageKinds lists the Kind() of every message a replica sends.
	MessageKinds []string
	// NextLeaderKinds are the message kinds sent to the next round's leader
	// (DiemBFT's votes): a fault rule's dest = "leader" means
	// leader(round + 1) for them.
	NextLeaderKinds []string
	// Params lists the protocol's parameters.
	Params []ParamSpec
	// Attributes lists what SetAttribute faults may set.
	Attributes []AttrSpec
	// Behaviours lists the named Byzantine behaviours.
	Behaviours []Named
	// CorruptScopes lists the modules or variables Corrupt accepts.
	CorruptScopes []Named
	// SelfStabilizing says the protocol recovers from arbitrary transient
	// faults: after corruptions of its state it is checked against
	// convergence (Legitimate) rather than safety.
	SelfStabilizing bool
	// Preloads says its replicas implement Preloader, so experiments may
	// use the saturated workload.
	Preloads bool
	// MaxFaulty is the largest f the protocol tolerates with n replicas.
	MaxFaulty func(n int) int
	// New builds one replica.
	New func(cfg Config) (Replica, error)
	// NewGroup, when set, is how a run builds its replicas: it prepares
	// what they share (from N, F, Params, Costs and Seed of shared) once
	// and returns the function that builds each replica from its own
	// Config, whose shared fields must equal shared's; the replicas may
	// share read-only state it built (parsed parameters, a preloaded
	// queue). Errors are the returned function's, as New's. nil means New
	// for each replica. See Builder.
	NewGroup func(shared Config) func(Config) (Replica, error)
	// Legitimate reports whether the snapshots of the correct replicas form
	// a legitimate system state (convergence checker); nil means the
	// protocol has no legitimacy predicate.
	Legitimate func(n, f int, correct []Snapshot) bool
	// CommitBound is the protocol's bound on commit latency after GST
	// (DiemBFT property 4); nil means the protocol promises none.
	CommitBound *CommitBound
	// StartState decodes an experiment's [[start_state]] table; nil means
	// the protocol takes no start states. Its replicas implement
	// StartStater.
	StartState StartStateDecoder
	// Expect decodes an experiment's [[expect.state]] table of assertions
	// on the final state; nil means the protocol has none.
	Expect ExpectDecoder
	// Codec encodes the protocol's messages for live mode's sockets (the
	// client messages are WireCodec's); nil means the protocol cannot run
	// live.
	Codec Codec
	// Metrics declares the metrics the protocol measures on its runs
	// beyond the headline metrics; NewMeter computes them. Both are nil for
	// a protocol without extra metrics.
	Metrics  []MetricSpec
	NewMeter func(MeterConfig) Meter
	// Twins is what the protocol offers Twins scenario testing; nil means
	// it cannot run under Twins.
	Twins *TwinsSupport
	// Replacement is the least time, after GST, the protocol needs to
	// replace f faulty leaders in a row with the given parameters and size
	// (a detector that must count that long before it suspects one): a run
	// that leaves less time after GST cannot tell a protocol that recovers
	// from one that does not. nil means a leader is replaced within the
	// protocol's own round timeouts.
	Replacement func(p Params, n, f int) sim.Time
}

// CommitBound states a protocol's post-GST latency promise: when the
// leaders of Leaders consecutive rounds starting at r are correct, every
// correct replica commits the block proposed in r within Within(params) of
// the first correct replica entering r.
type CommitBound struct {
	// Leaders is the number of consecutive correct leaders the bound needs.
	Leaders int
	// Within returns the bound for the given protocol parameters.
	Within func(Params) sim.Time
}

// Named is a name with a one-line description.
type Named struct {
	Name string
	Doc  string
}

// AttrType is the type of an attribute's value.
type AttrType uint8

const (
	// AttrInt is an integer (a round, a height).
	AttrInt AttrType = iota
	// AttrReplica is a replica id, written "replicaN" in experiments.
	AttrReplica
)

func (t AttrType) String() string {
	switch t {
	case AttrInt:
		return "int"
	case AttrReplica:
		return "replica"
	}
	return fmt.Sprintf("attrtype(%d)", uint8(t))
}

// AttrSpec describes one attribute a SetAttribute fault may set.
type AttrSpec struct {
	Name string
	Type AttrType
	Doc  string
	// Benign says that setting the attribute on a correct replica, to any
	// value, is a fault the protocol tolerates with its safety intact
	// (e.g. a replica's belief about the current round or leader), so a
	// search for bugs may set it on correct replicas.
	Benign bool
}

// Builder returns the function that builds the replicas of a run whose
// replicas share shared's N, F, Params, Costs and Seed: NewGroup's when the
// protocol has one, else New.
func (p *Protocol) Builder(shared Config) func(Config) (Replica, error) {
	if p.NewGroup == nil {
		return p.New
	}
	return p.NewGroup(shared)
}

// HasKind reports whether kind is one of p's message kinds.
func (p *Protocol) HasKind(kind string) bool { return contains(p.MessageKinds, kind) }

// IsNextLeaderKind reports whether messages of kind go to the next leader.
func (p *Protocol) IsNextLeaderKind(kind string) bool { return contains(p.NextLeaderKinds, kind) }

// Attribute returns the spec of a named attribute.
func (p *Protocol) Attribute(name string) (AttrSpec, bool) {
	for _, a := range p.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return AttrSpec{}, false
}

// HasBehaviour reports whether name is one of p's Byzantine behaviours.
func (p *Protocol) HasBehaviour(name string) bool {
	for _, b := range p.Behaviours {
		if b.Name == name {
			return true
		}
	}
	return false
}

// HasScope reports whether name is one of p's corruption scopes.
func (p *Protocol) HasScope(name string) bool {
	for _, c := range p.CorruptScopes {
		if c.Name == name {
			return true
		}
	}
	return false
}

// ScopeList lists the corruption scopes for messages: "a, b, c", or "none".
func (p *Protocol) ScopeList() string {
	names := make([]string, len(p.CorruptScopes))
	for i, c := range p.CorruptScopes {
		names[i] = c.Name
	}
	return listOrNone(names)
}

// AttributeList lists the attributes for messages: "a, b, c", or "none".
func (p *Protocol) AttributeList() string {
	names := make([]string, len(p.Attributes))
	for i, a := range p.Attributes {
		names[i] = a.Name
	}
	return listOrNone(names)
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Param returns the spec of a named parameter.
func (p *Protocol) Param(name string) (ParamSpec, bool) {
	for _, s := range p.Params {
		if s.Name == name {
			return s, true
		}
	}
	return ParamSpec{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Registry maps protocol names to descriptors.
type Registry struct {
	byName map[string]*Protocol
}

// NewRegistry returns a registry holding the given protocols. A duplicate
// name panics.
func NewRegistry(ps ...*Protocol) *Registry {
	r := &Registry{byName: make(map[string]*Protocol)}
	for _, p := range ps {
		r.Register(p)
	}
	return r
}

// Register adds a protocol; a duplicate or empty name panics.
func (r *Registry) Register(p *Protocol) {
	if p.Name == "" || p.New == nil || p.MaxFaulty == nil {
		panic("protocols: Register of an incomplete protocol")
	}
	if _, dup := r.byName[p.Name]; dup {
		panic("protocols: duplicate protocol " + p.Name)
	}
	r.checkMetrics(p)
	r.byName[p.Name] = p
}

// Lookup returns the protocol with the given name.
func (r *Registry) Lookup(name string) (*Protocol, bool) {
	p, ok := r.byName[name]
	return p, ok
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
