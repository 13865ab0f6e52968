package chained

import "github.com/byzsim/byzsim/sim"

// ObservationMemo keeps one boxed observation for the replicas that make
// the same observation from one shared record: the n replicas that certify
// a block with one QC object, enter a round through it, or commit one
// block object. Converting an observation to the sim.Observation interface
// allocates; sharing the boxed value (observations are immutable values)
// makes that one allocation per record instead of one per replica. The
// memo keeps the observation's value beside the box, so an equal one is
// recognised by comparing values, without unboxing. A zero memo is empty;
// the memo of a record that is copied (a forgery) starts from whatever the
// copy held and is replaced when it differs.
type ObservationMemo[T interface {
	comparable
	sim.Observation
}] struct {
	v T
	o sim.Observation // v boxed; nil while the memo is empty
}

// Box returns v as a sim.Observation, the memo's boxed value when it is
// equal to v. A nil memo boxes v afresh.
func Box[T interface {
	comparable
	sim.Observation
}](m *ObservationMemo[T], v T) sim.Observation {
	if m == nil {
		return v
	}
	if m.o != nil && m.v == v {
		return m.o
	}
	m.v, m.o = v, v
	return m.o
}
