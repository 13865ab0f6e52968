package protocols

// Observations are typed facts a replica or client reports through
// sim.Env.Observe. They are Go types: recorders, checkers and a protocol's
// Meter dispatch on the type (a type switch), never on Event(), which only
// labels traces. The shared types below mean the same for every protocol;
// an observation only one protocol makes (BFTList's view_change() call)
// is a type of that protocol's package, measured by its own Meter.

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

// RoundCause says why a replica entered a round or view (RoundChange.Cause).
type RoundCause uint8

// Causes of a RoundChange.
const (
	// CauseQC is normal progress: a quorum certificate of the current round
	// or later (DiemBFT), or a leader's proposal (a protocol without
	// certificates).
	CauseQC RoundCause = iota + 1
	// CauseTC is a round that ended by timeout: a timeout certificate
	// (DiemBFT), or enough timeouts (a protocol without certificates).
	CauseTC
	// CauseEstablish is the establishment of a view (BFTList's view
	// establishment; the first view included).
	CauseEstablish
	// CauseReset is a reset of the view state to no view (BFTList), whose
	// Round is the "no view" value.
	CauseReset
)

var roundCauseNames = [...]string{CauseQC: "qc", CauseTC: "tc", CauseEstablish: "establish", CauseReset: "reset"}

// String returns the cause's name as traces show it: qc, tc, establish or
// reset.
func (c RoundCause) String() string {
	if int(c) < len(roundCauseNames) && roundCauseNames[c] != "" {
		return roundCauseNames[c]
	}
	return fmt.Sprintf("cause(%d)", uint8(c))
}

// Advance reports whether the cause moves a replica into a round or an
// established view (QC, TC or establishment; not a reset).
func (c RoundCause) Advance() bool { return c == CauseQC || c == CauseTC || c == CauseEstablish }

// RoundChange is observed when a replica enters a new round (DiemBFT), or
// establishes a view or resets its view state (BFTList).
type RoundChange struct {
	Round int64
	Cause RoundCause
}

// Event implements sim.Observation.
func (RoundChange) Event() string { return "round" }

func (r RoundChange) String() string { return fmt.Sprintf("round:%d cause:%s", r.Round, r.Cause) }

// Timeout is observed when a replica times out its current round: its round
// timer expired, or (DiemBFT) f+1 timeouts of other replicas made it time
// out (Bracha). It does not change the round by itself.
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
	// Waited is how long the leader stayed in Round with nothing to
	// propose before proposing (a leader that proposes on input); 0 when
	// it proposed as soon as it could. The commit bound does not count it:
	// the bound's leaders propose on entering a round, an empty block if
	// need be.
	Waited sim.Time
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
