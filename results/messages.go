package results

import (
	"cmp"
	"slices"

	"github.com/byzsim/byzsim/sim"
)

// Messages is a sim.Tracer that counts messages and bytes sent, delivered
// and dropped, by message kind, and drops by reason. Self-sends are counted
// like any other send, as in sim.Stats, so its totals match the World's.
//
// It is on the send path of every message: a kind seen before costs a
// look-up in a sim.KindIndex, a reason seen before a map lookup, never an
// allocation. A simulated run does not install it as a tracer: the World
// counts its messages itself, and Add takes its counts when the run ends
// (live runs, which have no World, trace). The zero value is ready to use.
type Messages struct {
	kinds   []kindCounter // by number in kindIdx
	kindIdx sim.KindIndex

	reasons   []DropCount
	reasonIdx map[string]int
}

var _ sim.Tracer = (*Messages)(nil)

type kindCounter struct {
	kind                     string
	sent, delivered, dropped uint64
	sentBytes                uint64
}

// KindCount is the traffic of one message kind, one row of messages.csv.
type KindCount struct {
	Kind      string `json:"kind"`
	Sent      uint64 `json:"sent"`
	Delivered uint64 `json:"delivered"`
	Dropped   uint64 `json:"dropped"`
	// Bytes is the bytes sent (sum of Size()).
	Bytes uint64 `json:"bytes"`
	// ShareMessages is Sent over all messages sent (0 when none were).
	ShareMessages Float `json:"share_messages"`
	// ShareBytes is Bytes over all bytes sent (0 when none were).
	ShareBytes Float `json:"share_bytes"`
}

// DropCount counts the messages dropped for one reason ("loss",
// "partition", "crashed", or a fault rule's reason).
type DropCount struct {
	Reason string `json:"reason"`
	Count  uint64 `json:"count"`
	Bytes  uint64 `json:"bytes"`
}

// counter returns the counter of kind, creating it on first sight.
func (m *Messages) counter(kind string) *kindCounter {
	i := m.kindIdx.Index(kind)
	if i == len(m.kinds) {
		m.kinds = append(m.kinds, kindCounter{kind: kind})
	}
	return &m.kinds[i]
}

// Sent implements sim.Tracer.
func (m *Messages) Sent(_ sim.Time, _, _ sim.NodeID, msg sim.Message) {
	c := m.counter(msg.Kind())
	c.sent++
	c.sentBytes += uint64(msg.Size())
}

// Delivered implements sim.Tracer.
func (m *Messages) Delivered(_ sim.Time, _, _ sim.NodeID, msg sim.Message) {
	m.counter(msg.Kind()).delivered++
}

// Dropped implements sim.Tracer.
func (m *Messages) Dropped(_ sim.Time, _, _ sim.NodeID, msg sim.Message, why string) {
	size := uint64(msg.Size())
	m.counter(msg.Kind()).dropped++
	r := m.reason(why)
	r.Count++
	r.Bytes += size
}

// reason returns the drop counter of a reason, creating it on first sight.
func (m *Messages) reason(why string) *DropCount {
	i, ok := m.reasonIdx[why]
	if !ok {
		if m.reasonIdx == nil {
			m.reasonIdx = make(map[string]int)
		}
		i = len(m.reasons)
		m.reasonIdx[why] = i
		m.reasons = append(m.reasons, DropCount{Reason: why})
	}
	return &m.reasons[i]
}

// Fired implements sim.Tracer; timers are not counted.
func (m *Messages) Fired(sim.Time, sim.NodeID, sim.Timer) {}

// Observed implements sim.Tracer; observations are not counted.
func (m *Messages) Observed(sim.Time, sim.NodeID, sim.Observation) {}

// Add adds the counts of a simulated run, as sim.World.MessageCounts
// returns them: the World counts its messages itself, cheaper than through
// a Tracer on the path of every message.
func (m *Messages) Add(kinds []sim.KindCount, drops []sim.DropCount) {
	for _, k := range kinds {
		c := m.counter(k.Kind)
		c.sent += k.Sent
		c.delivered += k.Delivered
		c.dropped += k.Dropped
		c.sentBytes += k.Bytes
	}
	for _, d := range drops {
		r := m.reason(d.Reason)
		r.Count += d.Count
		r.Bytes += d.Bytes
	}
}

// Totals returns the messages sent, delivered and dropped and the bytes
// sent, over all kinds.
func (m *Messages) Totals() (sent, delivered, dropped, bytes uint64) {
	for _, c := range m.kinds {
		sent += c.sent
		delivered += c.delivered
		dropped += c.dropped
		bytes += c.sentBytes
	}
	return sent, delivered, dropped, bytes
}

// Kinds returns the traffic of every kind seen, sorted by kind.
func (m *Messages) Kinds() []KindCount {
	sent, _, _, bytes := m.Totals()
	out := make([]KindCount, 0, len(m.kinds))
	for _, c := range m.kinds {
		out = append(out, KindCount{
			Kind:          c.kind,
			Sent:          c.sent,
			Delivered:     c.delivered,
			Dropped:       c.dropped,
			Bytes:         c.sentBytes,
			ShareMessages: share(c.sent, sent),
			ShareBytes:    share(c.sentBytes, bytes),
		})
	}
	slices.SortFunc(out, func(a, b KindCount) int { return cmp.Compare(a.Kind, b.Kind) })
	return out
}

// Drops returns the drops by reason, sorted by reason.
func (m *Messages) Drops() []DropCount {
	out := slices.Clone(m.reasons)
	slices.SortFunc(out, func(a, b DropCount) int { return cmp.Compare(a.Reason, b.Reason) })
	return out
}

// share is part/whole, 0 when whole is 0.
func share(part, whole uint64) Float {
	if whole == 0 {
		return 0
	}
	return Float(float64(part) / float64(whole))
}
