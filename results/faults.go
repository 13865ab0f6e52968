package results

import (
	"fmt"
	"slices"

	"github.com/byzsim/byzsim/sim"
)

// MaxFaultSpans bounds the spans FaultSpans reports per rule: when a rule
// acted in more, the nearest spans are joined.
const MaxFaultSpans = 16

// FaultSpans records when fault rules acted. Per rule, firings no further
// apart than the gap are joined into one span from the first to the last;
// a rule's spans are joined further (its gap doubled) while it has more
// than MaxFaultSpans. The zero value is not usable; call NewFaultSpans.
type FaultSpans struct {
	gap   sim.Time
	rules []ruleSpans
}

type ruleSpans struct {
	label       string
	gap         sim.Time
	fired       uint64
	first, last sim.Time
	spans       []faultSpan
}

type faultSpan struct {
	from, until sim.Time
	fired       uint64
}

// NewFaultSpans returns a recorder for rules with the given labels (index =
// rule index), joining firings at most gap apart; gap 0 means
// DefaultInterval. A negative gap panics.
func NewFaultSpans(labels []string, gap sim.Time) *FaultSpans {
	if gap < 0 {
		panic("results: negative fault span gap")
	}
	if gap == 0 {
		gap = DefaultInterval
	}
	f := &FaultSpans{gap: gap, rules: make([]ruleSpans, len(labels))}
	for i, l := range labels {
		f.rules[i] = ruleSpans{label: l, gap: gap}
	}
	return f
}

// Fired records that rule acted at time at. Firings may come slightly out
// of order (senders' clocks differ while they are busy); an unknown rule
// panics.
func (f *FaultSpans) Fired(rule int, at sim.Time) {
	r := &f.rules[rule]
	if r.fired == 0 || at < r.first {
		r.first = at
	}
	if r.fired == 0 || at > r.last {
		r.last = at
	}
	r.fired++
	i := len(r.spans) // the first span starting after at
	for i > 0 && r.spans[i-1].from > at {
		i--
	}
	if i > 0 && at-r.spans[i-1].until <= r.gap {
		s := &r.spans[i-1]
		s.until = max(s.until, at)
		s.fired++
	} else {
		r.spans = slices.Insert(r.spans, i, faultSpan{from: at, until: at, fired: 1})
	}
	r.spans = joinSpans(r.spans, r.gap)
	for len(r.spans) > MaxFaultSpans {
		r.gap *= 2
		r.spans = joinSpans(r.spans, r.gap)
	}
}

// joinSpans joins consecutive spans (sorted by start) at most gap apart, in
// place.
func joinSpans(spans []faultSpan, gap sim.Time) []faultSpan {
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.from-last.until <= gap {
			last.until = max(last.until, s.until)
			last.fired += s.fired
			continue
		}
		out = append(out, s)
	}
	return out
}

// Markers returns one marker per span, rule by rule: from the span's first
// firing to its last (Until, never equal to At, at least a nanosecond
// later), labelled with the rule's label and the span's firings, e.g.
// "rule 2 loss vote ×12".
func (f *FaultSpans) Markers() []Marker {
	var out []Marker
	for _, r := range f.rules {
		for _, s := range r.spans {
			out = append(out, Marker{At: Seconds(s.from), Until: Seconds(max(s.until, s.from+1)), Label: fmt.Sprintf("%s ×%d", r.label, s.fired)})
		}
	}
	return out
}

// Times returns when rule first and last acted; ok is false if it never
// did.
func (f *FaultSpans) Times(rule int) (first, last sim.Time, ok bool) {
	r := &f.rules[rule]
	return r.first, r.last, r.fired > 0
}
