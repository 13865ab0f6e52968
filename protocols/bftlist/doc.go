// Package bftlist is byzsim's BFTList replica: a self-stabilizing Byzantine
// fault-tolerant replicated list built on failure detectors (Dolev, Georgiou,
// Marcoullis, Schiller, CSCML 2018), modelled on the Python reference
// implementation and its thesis (Niklasson & Petersson, Chalmers 2019).
//
// A replica runs five modules, each its own file:
//
//   - view establishment (view_establishment.go): phases, view pairs,
//     witnesses and echoes, the four cases per phase and the reset; it
//     offers getView, allowService and viewChange;
//   - replication (replication.go, structure.go, consolidate.go): the list
//     state machine with PRE_PREP → PREP → COMMIT on n−2f support, bounded
//     queues (σK, 3σK), view-change consolidation and prefix consolidation;
//   - primary monitoring (primary_monitoring.go): OK / NO_SERVICE / V_CHANGE;
//   - the beat/cnt failure detector (failure_detector.go) over the
//     self-stabilizing token-passing data link (datalink.go), or optionally
//     the event-driven failure detector (event_fd.go).
//
// Each module is a periodic loop on a sim timer; one iteration charges its
// modelled CPU cost and gossips the module's whole state to every other
// replica. View establishment, replication and monitoring gossip travels on
// the message kinds "ve", "rep" and "pm" (reliable links in experiments);
// failure-detector tokens travel as "fd_token"/"fd_ack" and "efd_token"
// (lossy links).
//
// Invariants:
//   - A replica is a deterministic state machine driven only through its
//     sim.Env: no wall clock, no global random source, no goroutines. Every
//     decision iterates over slices indexed by replica id; maps are used for
//     lookups only, never iterated to produce output.
//   - Sets of replicas are fixed-size bit arrays (idset: comparable values
//     that copy without allocating), so n ≤ 1024.
//   - Messages are immutable once sent. A replica keeps the replication
//     structures it received by pointer and never writes to them; its own
//     state list and executed-request log are only appended to, or replaced
//     by a fresh or capacity-clipped slice, so a gossiped snapshot that shares
//     their backing arrays never changes.
//   - Whatever a Byzantine peer sends is validated or clipped before it is
//     stored, so no input makes a replica panic.
//
// Deviations from the reference, and the fixes of its known defects, are
// listed in docs/bftlist.md.
package bftlist
