package failures

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/sim"
)

// RuleType is what a fault rule does to a matching message.
type RuleType uint8

const (
	// Loss drops the message with probability Prob (combined
	// multiplicatively with the other matching loss rules).
	Loss RuleType = iota + 1
	// Delay adds Rule.Delay to the message's delay with probability Prob.
	Delay
	// SetAttr sets the sender's attribute Rule.Attr to Rule.Value with
	// probability Prob; the message is still sent.
	SetAttr
)

// String returns the type's name as written in experiments.
func (t RuleType) String() string {
	switch t {
	case Loss:
		return "loss"
	case Delay:
		return "delay"
	case SetAttr:
		return "setattr"
	}
	return "ruletype(" + strconv.Itoa(int(t)) + ")"
}

// ParseRuleType parses "loss", "delay" or "setattr".
func ParseRuleType(s string) (RuleType, error) {
	for t := Loss; t <= SetAttr; t++ {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, &FieldError{Msg: fmt.Sprintf("unknown rule type %q (allowed: loss, delay, setattr)", s)}
}

// AnyKind is the Msg of a rule that matches every message kind.
const AnyKind = "*"

// Rule is one fault rule (see the package documentation for the matching
// semantics). The zero Rule is invalid: Type and Msg must be set.
type Rule struct {
	// Src and Dest select the sender and the receiver.
	Src, Dest Endpoint
	// Msg is a message kind of the protocol, a client kind
	// (protocols.KindRequest, protocols.KindReply) or AnyKind.
	Msg string
	// Rounds is the set of the sender's current rounds (at send time) the
	// rule applies in; empty means every round.
	Rounds RoundSet
	// From and Until bound, in virtual time, the sends the rule applies to:
	// From <= sent < Until. Until 0 means no end.
	From, Until sim.Time
	// Prob is the probability in [0, 1] that the rule acts on a matching
	// message.
	Prob float64
	// Type is what the rule does.
	Type RuleType
	// Delay is the delay added by a Delay rule; it must be > 0 for Delay
	// rules and 0 otherwise.
	Delay sim.Time
	// Attr and Value are the sender's attribute set by a SetAttr rule and
	// its value (a replica id for attributes of type protocols.AttrReplica).
	// Attr must be empty for other rule types.
	Attr  string
	Value int64
}

// String describes the rule in one line, e.g.
// "loss src=replica0 dest=* msg=* rounds=[\"2-6\"] prob=1".
func (r Rule) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v src=%v dest=%v msg=%s", r.Type, r.Src, r.Dest, r.Msg)
	if !r.Rounds.All() {
		fmt.Fprintf(&b, " rounds=%v", r.Rounds)
	}
	if r.From != 0 {
		fmt.Fprintf(&b, " from=%v", r.From)
	}
	if r.Until != 0 {
		fmt.Fprintf(&b, " until=%v", r.Until)
	}
	fmt.Fprintf(&b, " prob=%g", r.Prob)
	switch r.Type {
	case Delay:
		fmt.Fprintf(&b, " delay=%v", r.Delay)
	case SetAttr:
		fmt.Fprintf(&b, " attr=%s value=%d", r.Attr, r.Value)
	}
	return b.String()
}
