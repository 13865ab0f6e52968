package failures

import (
	"fmt"

	"github.com/byzsim/byzsim/sim"
)

// PartitionPhase is one step of a partition timeline: from At on, the
// network is split into Groups (sim.Network.SetPartition); an empty Groups
// heals the network (sim.Network.Heal). Replicas not listed in any group,
// and clients, reach and are reached by everyone.
type PartitionPhase struct {
	At     sim.Time
	Groups [][]sim.NodeID
}

// ValidatePartitions checks a partition timeline: times >= 0 and strictly
// increasing, every id a replica < n, no replica in two groups of a phase,
// no empty group. Fields are named like "[1].groups[0][2]".
func ValidatePartitions(phases []PartitionPhase, n int) error {
	for i, ph := range phases {
		field := fmt.Sprintf("[%d]", i)
		if ph.At < 0 {
			return fieldErr(field+".at", fmt.Sprintf("%v is negative (allowed: a time >= 0)", ph.At))
		}
		if i > 0 && ph.At <= phases[i-1].At {
			return fieldErr(field+".at", fmt.Sprintf("%v is not after the previous phase at %v (phases must be in increasing time order)", ph.At, phases[i-1].At))
		}
		seen := make([]int, n) // group index + 1 of each replica in this phase
		for g, grp := range ph.Groups {
			gfield := fmt.Sprintf("%s.groups[%d]", field, g)
			if len(grp) == 0 {
				return fieldErr(gfield, "empty group (allowed: a non-empty list of replicas; an empty groups list heals)")
			}
			for k, id := range grp {
				if id < 0 || int(id) >= n {
					return fieldErr(fmt.Sprintf("%s[%d]", gfield, k), fmt.Sprintf("no replica %d in a system of %d (allowed: %s)", id, n, replicaRange(n)))
				}
				if seen[id] != 0 {
					return fieldErr(fmt.Sprintf("%s[%d]", gfield, k), fmt.Sprintf("%s is already in group %d (a replica belongs to at most one group)", ReplicaName(id), seen[id]-1))
				}
				seen[id] = g + 1
			}
		}
	}
	return nil
}

// clone copies the groups so that later changes to the caller's slices do
// not affect a scheduled phase.
func (ph PartitionPhase) clone() PartitionPhase {
	gs := make([][]sim.NodeID, len(ph.Groups))
	for i, g := range ph.Groups {
		gs[i] = append([]sim.NodeID(nil), g...)
	}
	return PartitionPhase{At: ph.At, Groups: gs}
}
