package protocols

import (
	"fmt"

	"github.com/byzsim/byzsim/sim"
)

// Commit is observed when a replica commits (executes) the entry at Height.
type Commit struct {
	Height int64
	Round  int64
	Digest Digest
	// Requests are the client requests the entry carries.
	Requests int
}

// Event implements sim.Observation.
func (Commit) Event() string { return "commit" }

func (c Commit) String() string {
	return fmt.Sprintf("height:%d round:%d digest:%x requests:%d", c.Height, c.Round, uint64(c.Digest), c.Requests)
}

// RoundChange is observed when a replica enters a new round or view.
type RoundChange struct {
	Round int64
	// Cause says why: "qc", "tc", "view_change", "reset", ...
	Cause string
}

// Event implements sim.Observation.
func (RoundChange) Event() string { return "round" }

func (r RoundChange) String() string { return fmt.Sprintf("round:%d cause:%s", r.Round, r.Cause) }

// Timeout is observed when a replica's round timer expires.
type Timeout struct{ Round int64 }

// Event implements sim.Observation.
func (Timeout) Event() string { return "timeout" }

func (t Timeout) String() string { return fmt.Sprintf("round:%d", t.Round) }

// Certified is observed when a replica learns a quorum certificate for the
// block with Digest in Round (DiemBFT property 1: one per round).
type Certified struct {
	Round  int64
	Digest Digest
}

// Event implements sim.Observation.
func (Certified) Event() string { return "certified" }

func (c Certified) String() string {
	return fmt.Sprintf("round:%d digest:%x", c.Round, uint64(c.Digest))
}

// Proposed is observed when a replica, as the leader of Round, proposes
// the block with Digest (a correct leader proposes at most once a round).
type Proposed struct {
	Round  int64
	Digest Digest
}

// Event implements sim.Observation.
func (Proposed) Event() string { return "proposed" }

func (p Proposed) String() string {
	return fmt.Sprintf("round:%d digest:%x", p.Round, uint64(p.Digest))
}

// Completed is observed by a client when a request is done: f+1 distinct
// replicas replied with the same result. Latency is from the first send.
type Completed struct {
	Workload string
	ID       uint64
	SentAt   sim.Time
	Latency  sim.Time
}

// Event implements sim.Observation.
func (Completed) Event() string { return "completed" }

func (c Completed) String() string {
	return fmt.Sprintf("workload:%s id:%d latency:%v", c.Workload, c.ID, c.Latency)
}

// WorkloadTimeout is observed by a client when a workload times out before all its
// requests completed.
type WorkloadTimeout struct {
	Workload  string
	Completed int
	Total     int
}

// Event implements sim.Observation.
func (WorkloadTimeout) Event() string { return "workload_timeout" }

func (w WorkloadTimeout) String() string {
	return fmt.Sprintf("workload:%s completed:%d/%d", w.Workload, w.Completed, w.Total)
}
