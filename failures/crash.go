package failures

import (
	"fmt"
	"slices"

	"github.com/byzsim/byzsim/sim"
)

// Crash crashes a replica at At (sim.World.Crash: it handles nothing and
// loses its messages and timers, keeping its state) and, when RecoverAt is
// not 0, recovers it at RecoverAt (sim.World.Recover).
type Crash struct {
	Replica   sim.NodeID
	At        sim.Time
	RecoverAt sim.Time // 0: never recovers
}

// ValidateCrashes checks that every replica id is < n, times are >= 0,
// RecoverAt is 0 or after At, and the crash intervals of one replica do not
// overlap or touch. Fields are named like "[1].recover_at".
func ValidateCrashes(cs []Crash, n int) error {
	for i, c := range cs {
		field := fmt.Sprintf("[%d]", i)
		if err := validateReplicaID(c.Replica, n); err != nil {
			return within(field, err)
		}
		switch {
		case c.At < 0:
			return fieldErr(field+".at", fmt.Sprintf("%v is negative (allowed: a time >= 0)", c.At))
		case c.RecoverAt < 0 || (c.RecoverAt != 0 && c.RecoverAt <= c.At):
			return fieldErr(field+".recover_at", fmt.Sprintf("%v is not after the crash at %v (allowed: 0 for never, or a time > at)", c.RecoverAt, c.At))
		}
	}
	// Sort indices by (replica, at) to find overlapping intervals without
	// depending on the list order.
	idx := make([]int, len(cs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ca, cb := cs[a], cs[b]
		if ca.Replica != cb.Replica {
			return int(ca.Replica) - int(cb.Replica)
		}
		switch {
		case ca.At < cb.At:
			return -1
		case ca.At > cb.At:
			return 1
		}
		return 0
	})
	for k := 1; k < len(idx); k++ {
		prev, cur := cs[idx[k-1]], cs[idx[k]]
		if prev.Replica != cur.Replica {
			continue
		}
		if prev.RecoverAt == 0 || prev.RecoverAt >= cur.At {
			return fieldErr(fmt.Sprintf("[%d].at", idx[k]), fmt.Sprintf("%s crashes at %v while still crashed by entry %d (crash intervals of one replica must be disjoint: recover before the next crash)",
				ReplicaName(cur.Replica), cur.At, idx[k-1]))
		}
	}
	return nil
}

// validateReplicaID checks 0 <= id < n; the error names field "replica".
func validateReplicaID(id sim.NodeID, n int) error {
	if id < 0 || int(id) >= n {
		return fieldErr("replica", fmt.Sprintf("no replica %d in a system of %d (allowed: %s)", id, n, replicaRange(n)))
	}
	return nil
}
