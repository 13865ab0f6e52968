package failures

import "github.com/byzsim/byzsim/protocols"

// Topic is a titled list of names with one-line descriptions.
type Topic struct {
	Title string
	Items []protocols.Named
}

// Describe lists what fault rules and schedules can say, for `byzsim list`:
// rule types, endpoints, rule fields and schedule entries.
func Describe() []Topic {
	return []Topic{
		{Title: "fault rule types", Items: []protocols.Named{
			{Name: "loss", Doc: "drop the message; matching loss rules multiply the delivery probability by (1 - prob), one draw decides"},
			{Name: "delay", Doc: "with probability prob, add delay to this message's delay (the sender is not held back)"},
			{Name: "setattr", Doc: "with probability prob, set the sender's attribute attr to value at send time; the message is still sent"},
		}},
		{Title: "fault rule endpoints (src, dest)", Items: []protocols.Named{
			{Name: "replicaN", Doc: "replica N (0 <= N < replicas)"},
			{Name: "leader", Doc: "src: the sender leads its current round; dest: the receiver leads the sender's current round (the next round for votes)"},
			{Name: "*", Doc: "any node, clients included"},
		}},
		{Title: "fault rule fields", Items: []protocols.Named{
			{Name: "msg", Doc: "a message kind of the protocol, request, reply, or * for every kind (sync and client messages included)"},
			{Name: "rounds", Doc: "the sender's current rounds at send time, e.g. [1, 3, \"5-9\"]; empty: every round; client senders have no round"},
			{Name: "prob", Doc: "probability in [0, 1] that the rule acts on a matching message"},
			{Name: "from, until", Doc: "virtual-time window of the send, from <= t < until; until 0: no end"},
			{Name: "delay", Doc: "delay added by a delay rule, e.g. \"2s\""},
			{Name: "attr, value", Doc: "attribute set by a setattr rule and its value (replicaN for replica attributes)"},
		}},
		{Title: "fault schedules", Items: []protocols.Named{
			{Name: "crash", Doc: "replica crashes at a time (loses messages and timers, keeps state) and optionally recovers later"},
			{Name: "partition", Doc: "timeline of phases: from a time on, replicas split into groups; an empty list of groups heals"},
			{Name: "behaviour", Doc: "replica switches to a named Byzantine behaviour (or honest) at a time"},
		}},
		{Title: "transient fault actions on messages in transit", Items: TransitActions()},
	}
}
