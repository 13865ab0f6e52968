package failures

import (
	"fmt"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Honest is the behaviour name that switches a replica back to honest
// operation; the empty name means the same.
const Honest = "honest"

// BehaviourSwitch switches a replica to the named Byzantine behaviour at At
// (protocols.Replica.SetBehaviour); Honest or "" switches it back.
type BehaviourSwitch struct {
	Replica sim.NodeID
	At      sim.Time
	Name    string
}

// ValidateBehaviours checks that every replica id is < n, times are >= 0,
// names are behaviours of p (or Honest), and no replica switches twice at
// the same time. Fields are named like "[1].name".
func ValidateBehaviours(bs []BehaviourSwitch, p *protocols.Protocol, n int) error {
	for i, b := range bs {
		field := fmt.Sprintf("[%d]", i)
		if err := validateReplicaID(b.Replica, n); err != nil {
			return within(field, err)
		}
		if b.At < 0 {
			return fieldErr(field+".at", fmt.Sprintf("%v is negative (allowed: a time >= 0)", b.At))
		}
		if b.Name != "" && b.Name != Honest && !p.HasBehaviour(b.Name) {
			return fieldErr(field+".name", fmt.Sprintf("unknown behaviour %q of %s (allowed: %s)", b.Name, p.Name, behaviourNames(p)))
		}
		for j := 0; j < i; j++ {
			if bs[j].Replica == b.Replica && bs[j].At == b.At {
				return fieldErr(field+".at", fmt.Sprintf("%s already switches behaviour at %v in entry %d", ReplicaName(b.Replica), b.At, j))
			}
		}
	}
	return nil
}

func behaviourNames(p *protocols.Protocol) string {
	names := make([]string, 0, len(p.Behaviours)+1)
	for _, b := range p.Behaviours {
		names = append(names, b.Name)
	}
	return strings.Join(append(names, Honest), ", ")
}

// setName is the name passed to SetBehaviour: "" for Honest.
func (b BehaviourSwitch) setName() string {
	if b.Name == Honest {
		return ""
	}
	return b.Name
}
