package failures

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Transient is one transient fault: at a virtual time, or recurring, it sets
// the chosen state of chosen replicas to arbitrary type-correct values (or
// to given values), corrupts messages in transit and shifts local clocks.
// Unlike a Byzantine behaviour it changes state only: the replicas run
// correct code afterwards.
type Transient struct {
	// At is the first occurrence.
	At sim.Time
	// Every, when > 0, repeats the fault every Every after At.
	Every sim.Time
	// Until, with Every, is the time of the last possible occurrence;
	// 0 means until the end of the run.
	Until sim.Time

	// Replicas whose state is corrupted: All, the listed ones, or Random
	// distinct replicas drawn anew at each occurrence from the run's seed.
	// None of them: the fault corrupts only messages in transit.
	All      bool
	Replicas []sim.NodeID
	Random   int

	// Scope names what Corrupt sets to arbitrary values (see
	// protocols.Protocol.CorruptScopes); empty, with no Values and no
	// Clock, means the replica's whole state.
	Scope []string
	// Values sets attributes (protocols.Protocol.Attributes) to given
	// values instead, in name order.
	Values []AttrValue
	// Clock, when > 0, shifts each chosen replica's local clock by an
	// offset drawn uniformly from [−Clock, Clock].
	Clock sim.Time

	// Messages, when set, corrupts the messages in transit at each
	// occurrence.
	Messages *TransitFault
}

// AttrValue is one given value of a transient fault.
type AttrValue struct {
	Attr  string
	Value int64
}

// TransitAction is what a TransitFault does to a matching message.
type TransitAction uint8

// Actions on messages in transit.
const (
	// TransitCorrupt replaces the message by one of the same kind with
	// arbitrary type-correct fields.
	TransitCorrupt TransitAction = iota + 1
	// TransitDrop drops it.
	TransitDrop
	// TransitDuplicate delivers a copy now, on top of the original.
	TransitDuplicate
	// TransitReplace replaces it by an arbitrary message of any of the
	// protocol's kinds.
	TransitReplace
)

var transitActions = []string{"corrupt", "drop", "duplicate", "replace"}

// TransitActions lists the actions of a transient fault on messages in
// transit ([[transient]] messages.action), in the order of TransitAction.
func TransitActions() []protocols.Named {
	return []protocols.Named{
		{Name: transitActions[TransitCorrupt-1], Doc: "replace the message by one of the same kind with arbitrary type-correct fields"},
		{Name: transitActions[TransitDrop-1], Doc: "drop it"},
		{Name: transitActions[TransitDuplicate-1], Doc: "deliver a copy now, on top of the original"},
		{Name: transitActions[TransitReplace-1], Doc: "replace it by an arbitrary message of any of the protocol's kinds"},
	}
}

// String returns the action's name as written in experiments.
func (a TransitAction) String() string {
	if a >= TransitCorrupt && int(a) <= len(transitActions) {
		return transitActions[a-1]
	}
	return fmt.Sprintf("transitaction(%d)", uint8(a))
}

// ParseTransitAction parses corrupt, drop, duplicate or replace.
func ParseTransitAction(s string) (TransitAction, error) {
	for i, name := range transitActions {
		if s == name {
			return TransitAction(i + 1), nil
		}
	}
	return 0, &FieldError{Msg: fmt.Sprintf("unknown action %q (allowed: %s)", s, strings.Join(transitActions, ", "))}
}

// TransitFault selects messages in transit between replicas and what
// happens to them. Messages to or from clients are never touched.
type TransitFault struct {
	// From and To select the link: a replica or "*" (AnyEndpoint).
	From, To Endpoint
	// Msg is a message kind of the protocol or AnyKind.
	Msg string
	// Action is what happens to a selected message.
	Action TransitAction
	// Prob is the probability that a selected message is affected.
	Prob float64
}

// maxOccurrences bounds the occurrences of one recurring transient fault.
const maxOccurrences = 100000

// Occurrences returns the times of t's occurrences up to end, in order.
func (t Transient) Occurrences(end sim.Time) []sim.Time {
	if t.At > end {
		return nil
	}
	if t.Every <= 0 {
		return []sim.Time{t.At}
	}
	last := end
	if t.Until > 0 {
		last = min(last, t.Until)
	}
	var out []sim.Time
	for at := t.At; at <= last && len(out) < maxOccurrences; at += t.Every {
		out = append(out, at)
	}
	return out
}

// corruptsState reports whether t corrupts replica state (not only
// messages in transit).
func (t Transient) corruptsState() bool { return t.All || len(t.Replicas) > 0 || t.Random > 0 }

// Validate checks t against protocol p with n replicas. The error is a
// *FieldError naming the offending field (at, every, until, replicas,
// random, scope, values.<attr>, clock, messages.from, messages.to,
// messages.msg, messages.prob, messages.action).
func (t Transient) Validate(p *protocols.Protocol, n int) error {
	switch {
	case t.At < 0:
		return fieldErr("at", fmt.Sprintf("%v is negative (allowed: a time >= 0)", t.At))
	case t.Every < 0:
		return fieldErr("every", fmt.Sprintf("%v is negative (allowed: 0 for once, or a period > 0)", t.Every))
	case t.Until < 0 || t.Until > 0 && t.Until < t.At:
		return fieldErr("until", fmt.Sprintf("%v is before at %v (allowed: 0 for the end of the run, or a time >= at)", t.Until, t.At))
	case t.Until > 0 && t.Every == 0:
		return fieldErr("until", "only a recurring fault (every > 0) takes an until")
	case t.Every > 0 && t.Until > 0 && (t.Until-t.At)/t.Every >= maxOccurrences:
		return fieldErr("every", fmt.Sprintf("%v between %v and %v is more than %d occurrences", t.Every, t.At, t.Until, maxOccurrences))
	}
	targets := 0
	if t.All {
		targets++
	}
	if len(t.Replicas) > 0 {
		targets++
	}
	if t.Random != 0 {
		targets++
	}
	switch {
	case targets > 1:
		return fieldErr("random", "give either replicas (a list or \"all\") or random = k, not both")
	case t.Random < 0 || t.Random > n:
		return fieldErr("random", fmt.Sprintf("%d is out of range (allowed: 1 to %d replicas)", t.Random, n))
	}
	for i, id := range t.Replicas {
		if id < 0 || int(id) >= n {
			return fieldErr(fmt.Sprintf("replicas[%d]", i), fmt.Sprintf("no replica %d in a system of %d (allowed: %s, or \"all\")", id, n, replicaRange(n)))
		}
		if slices.Contains(t.Replicas[:i], id) {
			return fieldErr(fmt.Sprintf("replicas[%d]", i), fmt.Sprintf("%s is listed twice", ReplicaName(id)))
		}
	}
	for i, s := range t.Scope {
		if !p.HasScope(s) {
			return fieldErr(fmt.Sprintf("scope[%d]", i), fmt.Sprintf("unknown corruption scope %q of %s (allowed: %s)", s, p.Name, p.ScopeList()))
		}
	}
	for _, v := range t.Values {
		if err := validateAttr(v.Attr, v.Value, p, n); err != nil {
			fe := err.(*FieldError)
			return fieldErr("values."+v.Attr, fe.Msg)
		}
	}
	if t.Clock < 0 {
		return fieldErr("clock", fmt.Sprintf("%v is negative (allowed: a maximal offset > 0)", t.Clock))
	}
	if !t.corruptsState() && (len(t.Scope) > 0 || len(t.Values) > 0 || t.Clock > 0) {
		return fieldErr("replicas", "missing: scope, values and clock need replicas (a list, \"all\") or random = k")
	}
	if !t.corruptsState() && t.Messages == nil {
		return fieldErr("replicas", "missing: a transient fault needs replicas (a list, \"all\"), random = k, or messages")
	}
	if m := t.Messages; m != nil {
		if err := m.validate(p, n); err != nil {
			return within("messages", err)
		}
	}
	return nil
}

func (m *TransitFault) validate(p *protocols.Protocol, n int) error {
	for _, e := range []struct {
		field string
		ep    Endpoint
	}{{"from", m.From}, {"to", m.To}} {
		if e.ep.Kind == LeaderEndpoint {
			return fieldErr(e.field, "leader is not allowed here (allowed: replicaN, *)")
		}
	}
	if err := validateEndpoint("from", m.From, n); err != nil {
		return err
	}
	if err := validateEndpoint("to", m.To, n); err != nil {
		return err
	}
	if m.Msg != AnyKind && !p.HasKind(m.Msg) {
		return fieldErr("msg", fmt.Sprintf("unknown message kind %q of %s (allowed: %s, *)", m.Msg, p.Name, strings.Join(p.MessageKinds, ", ")))
	}
	if m.Prob < 0 || m.Prob > 1 || m.Prob != m.Prob {
		return fieldErr("prob", fmt.Sprintf("%v is out of range (allowed: 0 <= prob <= 1)", m.Prob))
	}
	if m.Action < TransitCorrupt || m.Action > TransitReplace {
		return fieldErr("action", fmt.Sprintf("missing (allowed: %s)", strings.Join(transitActions, ", ")))
	}
	return nil
}

// ValidateTransients validates every fault; the error's field starts with
// the fault's index, e.g. "[1].scope[0]".
func ValidateTransients(ts []Transient, p *protocols.Protocol, n int) error {
	for i, t := range ts {
		if err := t.Validate(p, n); err != nil {
			return within(fmt.Sprintf("[%d]", i), err)
		}
	}
	return nil
}

// TransientHit is one occurrence of a transient fault, as applied.
type TransientHit struct {
	At sim.Time
	// Fault is the index of the fault in its list, Occurrence the index of
	// the occurrence.
	Fault, Occurrence int
	// Replicas are the replicas whose state was corrupted, sorted.
	Replicas []sim.NodeID
	// Messages counts the messages in transit it changed.
	Messages int
}

// TransientStats counts what transient faults did in a run.
type TransientStats struct {
	// Occurrences is the number of occurrences applied.
	Occurrences int
	// Replicas counts replica corruptions (one per replica per occurrence).
	Replicas int
	// Messages counts the messages in transit changed.
	Messages int
	// First and Last are the times of the first and the last occurrence.
	First, Last sim.Time
}

// TransientInjector applies a list of transient faults to a world.
type TransientInjector struct {
	w        *sim.World
	p        *protocols.Protocol
	replicas []protocols.Replica
	faults   []Transient
	stats    TransientStats
	onHit    []func(TransientHit)
}

// NewTransientInjector validates faults and schedules every occurrence up
// to end on w (with World.At, in fault order then time order). replicas are
// the world's replicas indexed by id. Draws come from streams derived from
// the world's seed, named by fault index, occurrence and replica
// ("transient-targets", "transient-state", "transient-clock",
// "transient-messages"), so they do not depend on the protocol's own draws
// nor on the other faults.
func NewTransientInjector(w *sim.World, p *protocols.Protocol, replicas []protocols.Replica, faults []Transient, end sim.Time) (*TransientInjector, error) {
	if err := ValidateTransients(faults, p, len(replicas)); err != nil {
		return nil, err
	}
	ti := &TransientInjector{w: w, p: p, replicas: replicas, faults: slices.Clone(faults)}
	for i, t := range ti.faults {
		for o, at := range t.Occurrences(end) {
			if at < w.Now() {
				return nil, within(fmt.Sprintf("[%d]", i), fieldErr("at", fmt.Sprintf("%v is before the current time %v", at, w.Now())))
			}
			w.At(at, func() { ti.apply(i, o) })
		}
	}
	return ti, nil
}

// OnHit registers fn, called after each occurrence is applied.
func (ti *TransientInjector) OnHit(fn func(TransientHit)) { ti.onHit = append(ti.onHit, fn) }

// Stats returns what the faults did so far.
func (ti *TransientInjector) Stats() TransientStats { return ti.stats }

// Targets returns the replicas that occurrence o of fault t corrupts in a
// system of n replicas: a pure function of the seed, the fault and the
// occurrence.
func (t Transient) Targets(seed uint64, fault, occurrence, n int) []sim.NodeID {
	switch {
	case t.All:
		ids := make([]sim.NodeID, n)
		for i := range ids {
			ids[i] = sim.NodeID(i)
		}
		return ids
	case t.Random > 0:
		rng := sim.Stream(seed, "transient-targets", int64(fault), int64(occurrence))
		perm := make([]sim.NodeID, n)
		for i := range perm {
			perm[i] = sim.NodeID(i)
		}
		for i := 0; i < t.Random; i++ {
			j := i + rng.IntN(n-i)
			perm[i], perm[j] = perm[j], perm[i]
		}
		ids := perm[:t.Random]
		slices.Sort(ids)
		return ids
	}
	ids := slices.Clone(t.Replicas)
	slices.Sort(ids)
	return ids
}

func (ti *TransientInjector) apply(fault, occ int) {
	t := ti.faults[fault]
	w := ti.w
	seed := w.Seed()
	hit := TransientHit{At: w.Now(), Fault: fault, Occurrence: occ}
	for _, id := range t.Targets(seed, fault, occ, len(ti.replicas)) {
		rep := ti.replicas[id]
		if len(t.Scope) > 0 || len(t.Values) == 0 && t.Clock == 0 {
			rng := sim.Stream(seed, "transient-state", int64(fault), int64(occ), int64(id))
			if err := rep.Corrupt(rng, t.Scope); err != nil {
				panic(fmt.Sprintf("failures: replica %d rejected validated corruption scope %q: %v", id, t.Scope, err))
			}
		}
		for _, v := range t.Values {
			if err := rep.SetAttribute(v.Attr, v.Value); err != nil {
				panic(fmt.Sprintf("failures: replica %d rejected validated value %s = %d: %v", id, v.Attr, v.Value, err))
			}
		}
		if t.Clock > 0 {
			rng := sim.Stream(seed, "transient-clock", int64(fault), int64(occ), int64(id))
			w.SetClockOffset(id, sim.Time(rng.Int64N(int64(2*t.Clock)+1))-t.Clock)
		}
		hit.Replicas = append(hit.Replicas, id)
	}
	if m := t.Messages; m != nil {
		rng := sim.Stream(seed, "transient-messages", int64(fault), int64(occ))
		hit.Messages = w.CorruptTransit(func(tr sim.Transit) (sim.TransitAction, sim.Message) {
			return ti.transit(m, rng, tr)
		})
	}
	if ti.stats.Occurrences == 0 {
		ti.stats.First = hit.At
	}
	ti.stats.Occurrences++
	ti.stats.Last = hit.At
	ti.stats.Replicas += len(hit.Replicas)
	ti.stats.Messages += hit.Messages
	for _, fn := range ti.onHit {
		fn(hit)
	}
}

// transit decides what happens to one message in transit.
func (ti *TransientInjector) transit(m *TransitFault, rng *rand.Rand, tr sim.Transit) (sim.TransitAction, sim.Message) {
	n := len(ti.replicas)
	if int(tr.From) >= n || int(tr.To) >= n {
		return sim.TransitKeep, nil // client traffic is not protocol state
	}
	if m.From.Kind == ReplicaEndpoint && m.From.ID != tr.From || m.To.Kind == ReplicaEndpoint && m.To.ID != tr.To {
		return sim.TransitKeep, nil
	}
	if m.Msg != AnyKind && tr.Msg.Kind() != m.Msg {
		return sim.TransitKeep, nil
	}
	if m.Prob < 1 && rng.Float64() >= m.Prob {
		return sim.TransitKeep, nil
	}
	switch m.Action {
	case TransitDrop:
		return sim.TransitDrop, nil
	case TransitDuplicate:
		return sim.TransitDuplicate, nil
	}
	forger, ok := ti.replicas[tr.From].(protocols.MessageForger)
	if !ok {
		return sim.TransitDrop, nil // no forger: the arbitrary message is lost
	}
	kind := tr.Msg.Kind()
	if m.Action == TransitReplace {
		kind = ""
	}
	if msg := forger.ArbitraryMessage(rng, kind); msg != nil {
		return sim.TransitReplace, msg
	}
	return sim.TransitDrop, nil
}

// TransientMarkers lists the occurrences of faults up to end, sorted by
// time (ties in fault order), for fault markers on plots. Replicas drawn
// at random are named as drawn from seed.
func TransientMarkers(faults []Transient, seed uint64, n int, end sim.Time) []Marker {
	var ms []Marker
	for i, t := range faults {
		for o, at := range t.Occurrences(end) {
			ms = append(ms, Marker{At: at, What: t.describe(t.Targets(seed, i, o, n))})
		}
	}
	slices.SortStableFunc(ms, func(a, b Marker) int { return cmp.Compare(a.At, b.At) })
	return ms
}

// describe names one occurrence: "transient replica0,replica2 [ve rep]".
func (t Transient) describe(ids []sim.NodeID) string {
	var b strings.Builder
	b.WriteString("transient")
	if t.All {
		b.WriteString(" all")
	} else if len(ids) > 0 {
		b.WriteByte(' ')
		for i, id := range ids {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(ReplicaName(id))
		}
	}
	var what []string
	what = append(what, t.Scope...)
	for _, v := range t.Values {
		what = append(what, fmt.Sprintf("%s=%d", v.Attr, v.Value))
	}
	if t.Clock > 0 {
		what = append(what, "clock")
	}
	if t.Messages != nil {
		what = append(what, "messages:"+t.Messages.Action.String())
	}
	if len(what) > 0 {
		b.WriteString(" [" + strings.Join(what, " ") + "]")
	}
	return b.String()
}

// LastOccurrence returns the time of the last occurrence of any fault up to
// end, and false when none occurs.
func LastOccurrence(faults []Transient, end sim.Time) (sim.Time, bool) {
	var last sim.Time
	found := false
	for _, t := range faults {
		if occ := t.Occurrences(end); len(occ) > 0 {
			last, found = max(last, occ[len(occ)-1]), true
		}
	}
	return last, found
}
