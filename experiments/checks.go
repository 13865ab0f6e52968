package experiments

import (
	"fmt"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
	"github.com/byzsim/byzsim/workloads"
)

// safetyChecker watches commits and certificates of correct replicas as they
// happen: two correct replicas must never commit different entries at one
// height (prefix consistency), and no two different blocks may be certified
// for one round (the certificate uniqueness a protocol's Certified
// observations promise).
type safetyChecker struct {
	byzantine []bool
	// heights holds, per height, the first correct commit seen; certs,
	// per round, the first certificate seen.
	heights, certs seenTable
	violations     []string
	// count counts every violation; after those found once a transient
	// fault happened (faulted), listed in afterViolations.
	count, after    int
	faulted         bool
	afterViolations []string
}

type commitSeen struct {
	at      sim.Time
	replica sim.NodeID
	round   int64
	digest  protocols.Digest
	set     bool
}

// seenTable holds the first commitSeen of each height or round: in a
// slice for those from 0 up to maxSeenGap beyond the ones it covers, in a
// map for the others (negative, or further away: a corrupted number), so
// that no number makes the slice grow without bound.
type seenTable struct {
	near []commitSeen
	far  map[int64]commitSeen
}

// maxSeenGap bounds how far beyond the numbers it covers a seenTable's
// slice grows at once (48 bytes a number).
const maxSeenGap = 4096

// first returns the first entry seen for i, if any.
func (t *seenTable) first(i int64) (commitSeen, bool) {
	if uint64(i) < uint64(len(t.near)) && t.near[i].set {
		return t.near[i], true
	}
	if len(t.far) == 0 {
		return commitSeen{}, false
	}
	// Also when the slice covers i now: i was seen before it did.
	seen, ok := t.far[i]
	return seen, ok
}

// agrees reports whether the first entry seen for i is in the slice and
// has digest d: most commits and certificates, which first would copy
// whole to answer.
func (t *seenTable) agrees(i int64, d protocols.Digest) bool {
	if uint64(i) < uint64(len(t.near)) {
		e := &t.near[i]
		return e.set && e.digest == d
	}
	return false
}

// record records seen as the first entry for i, which has none.
func (t *seenTable) record(i int64, seen commitSeen) {
	if i >= 0 && i < int64(len(t.near))+maxSeenGap {
		if i >= int64(len(t.near)) {
			t.near = append(t.near, make([]commitSeen, i+1-int64(len(t.near)))...)
		}
		t.near[i] = seen
		return
	}
	if t.far == nil {
		t.far = map[int64]commitSeen{}
	}
	t.far[i] = seen
}

// maxViolations bounds what one run reports.
const maxViolations = 10

func newSafetyChecker(n int, byzantine []bool) *safetyChecker {
	return &safetyChecker{byzantine: byzantine}
}

func (s *safetyChecker) correct(id sim.NodeID) bool {
	return int(id) < len(s.byzantine) && !s.byzantine[id]
}

func (s *safetyChecker) violate(format string, args ...any) {
	s.count++
	list := &s.violations
	if s.faulted {
		s.after++
		list = &s.afterViolations
	}
	if len(*list) < maxViolations {
		*list = append(*list, fmt.Sprintf(format, args...))
	}
}

// transientFault records that a transient fault happened: later violations
// are caused by the corruption and counted apart.
func (s *safetyChecker) transientFault() { s.faulted = true }

// commitAgrees reports that commit has nothing to do for c: it is not a
// correct replica's, or it agrees with the first commit seen for its
// height (most commits). Small enough to be inlined where the run
// observes, so that most commits make no call.
func (s *safetyChecker) commitAgrees(node sim.NodeID, c protocols.Commit) bool {
	return !s.correct(node) || c.Height < 0 || s.heights.agrees(c.Height, c.Digest)
}

func (s *safetyChecker) commit(at sim.Time, node sim.NodeID, c protocols.Commit) {
	if s.commitAgrees(node, c) {
		return
	}
	first, ok := s.heights.first(c.Height)
	if !ok {
		s.heights.record(c.Height, commitSeen{at: at, replica: node, round: c.Round, digest: c.Digest, set: true})
		return
	}
	if first.digest != c.Digest {
		s.violate("height %d: replica%d committed %016x (round %d) at %v, but replica%d committed %016x (round %d) at %v",
			c.Height, node, uint64(c.Digest), c.Round, at, first.replica, uint64(first.digest), first.round, first.at)
	}
}

// certifiedAgrees is commitAgrees for certified: a certificate that is
// not a correct replica's, or agrees with the first seen for its round.
func (s *safetyChecker) certifiedAgrees(node sim.NodeID, c protocols.Certified) bool {
	return !s.correct(node) || s.certs.agrees(c.Round, c.Digest)
}

func (s *safetyChecker) certified(at sim.Time, node sim.NodeID, c protocols.Certified) {
	if s.certifiedAgrees(node, c) {
		return
	}
	first, ok := s.certs.first(c.Round)
	if !ok {
		s.certs.record(c.Round, commitSeen{at: at, replica: node, digest: c.Digest, set: true})
		return
	}
	if first.digest != c.Digest {
		s.violate("round %d: replica%d saw block %016x certified at %v, but replica%d saw block %016x certified at %v",
			c.Round, node, uint64(c.Digest), at, first.replica, uint64(first.digest), first.at)
	}
}

// finalLogs checks that the committed logs of the correct replicas at the
// end of the run are prefix-consistent.
func (s *safetyChecker) finalLogs(replicas []protocols.Replica) {
	var ref []protocols.Digest
	refID := -1
	for id, r := range replicas {
		if !s.correct(sim.NodeID(id)) {
			continue
		}
		log := r.Snapshot().Log
		if refID < 0 {
			ref, refID = log, id
			continue
		}
		short, long := log, ref
		if len(short) > len(long) {
			short, long = long, short
		}
		for h := range short {
			if short[h] != long[h] {
				s.violate("final logs: replica%d and replica%d differ at height %d (%016x vs %016x)",
					id, refID, h, uint64(log[h]), uint64(ref[h]))
				break
			}
		}
		if len(log) > len(ref) {
			ref, refID = log, id
		}
	}
}

// checks evaluates the run's checks at its end.
func (in *instance) checks() []results.Check {
	e := in.run.Exp
	var out []results.Check
	in.safety.finalLogs(in.replicas) // counted in the summary either way
	if boolOr(e.Checks.Safety, true) {
		c := results.Check{Name: "safety", OK: len(in.safety.violations) == 0}
		if c.OK {
			c.Detail = fmt.Sprintf("%d heights committed consistently by correct replicas", len(in.safety.heights.near))
		} else {
			c.Detail = joinLines(in.safety.violations)
		}
		out = append(out, c)
	}
	if in.safety.faulted && boolOr(e.Checks.TransientSafety, false) {
		c := results.Check{Name: "transient_safety", OK: in.safety.after == 0}
		if c.OK {
			c.Detail = "no safety violation after the transient faults"
		} else {
			c.Detail = fmt.Sprintf("%d violations after the first transient fault: %s", in.safety.after, joinLines(in.safety.afterViolations))
		}
		out = append(out, c)
	}
	if boolOr(e.Checks.Liveness, true) {
		out = append(out, livenessCheck(in.tracker.Status()))
	}
	if in.gst != nil {
		out = append(out, in.gst.checks(in.now(), demandAfter(in.tracker.Status(), in.gst.gst))...)
	}
	if in.conv != nil && boolOr(e.Checks.Convergence, false) {
		out = append(out, in.conv.check())
	}
	if x := e.Expect; !x.empty() {
		out = append(out, in.expectCheck(&x))
	}
	return out
}

// expectCheck evaluates the [expect] assertions on the final snapshots of
// the correct replicas.
func (in *instance) expectCheck(x *ExpectConfig) results.Check {
	var problems []string
	var snaps []protocols.Snapshot
	for id, r := range in.replicas {
		if in.byzantine[id] || in.crashed(sim.NodeID(id)) {
			continue
		}
		s := r.Snapshot()
		snaps = append(snaps, s)
		switch {
		case x.Round != nil && s.Round != *x.Round:
			problems = append(problems, fmt.Sprintf("replica%d ends in round %d, want %d", id, s.Round, *x.Round))
		case x.MinRound != nil && s.Round < *x.MinRound:
			problems = append(problems, fmt.Sprintf("replica%d ends in round %d, want at least %d", id, s.Round, *x.MinRound))
		}
		if x.MinCommitted != nil && len(s.Log) < *x.MinCommitted {
			problems = append(problems, fmt.Sprintf("replica%d committed %d entries, want at least %d", id, len(s.Log), *x.MinCommitted))
		}
	}
	if x.SameLog {
		for i := 1; i < len(snaps); i++ {
			if !equalLogs(snaps[0].Log, snaps[i].Log) {
				problems = append(problems, fmt.Sprintf("correct replicas end with different logs (lengths %d and %d)", len(snaps[0].Log), len(snaps[i].Log)))
				break
			}
		}
	}
	for _, se := range in.res.expects {
		for id, r := range in.replicas {
			if in.byzantine[id] || in.crashed(sim.NodeID(id)) || (se.replicas != nil && !se.replicas[id]) {
				continue
			}
			problems = append(problems, se.check(r)...)
		}
	}
	if x.Legitimate {
		p := in.res.proto
		switch {
		case p.Legitimate == nil:
			problems = append(problems, p.Name+" has no legitimacy predicate")
		case !p.Legitimate(in.run.Exp.Protocol.N, in.run.Exp.Protocol.F, snaps):
			problems = append(problems, "the final state is not legitimate")
		}
	}
	c := results.Check{Name: "expect", OK: len(problems) == 0, Detail: joinLines(problems)}
	if c.OK {
		c.Detail = fmt.Sprintf("%d correct replicas meet every expectation", len(snaps))
	}
	return c
}

// empty reports whether x asserts nothing.
func (x *ExpectConfig) empty() bool {
	return x.Round == nil && x.MinRound == nil && x.MinCommitted == nil && !x.SameLog && !x.Legitimate && len(x.State) == 0
}

func equalLogs(a, b []protocols.Digest) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// livenessCheck passes when every workload completed before its timeout.
// A workload that did not is reported as stalled when its clients had
// nothing left to send by themselves (see workloads.Status.Stalled).
func livenessCheck(status []workloads.Status) results.Check {
	c := results.Check{Name: "liveness", OK: true}
	var lines []string
	for _, s := range status {
		switch {
		case s.Done:
			lines = append(lines, fmt.Sprintf("%s: %d/%d done at %v", s.Name, s.Completed, s.Total, s.DoneAt))
		case s.TimedOut:
			c.OK = false
			lines = append(lines, fmt.Sprintf("%s: %stimed out at %v with %d/%d done", s.Name, stallNote(s), s.TimedOutAt, s.Completed, s.Total))
		default:
			c.OK = false
			lines = append(lines, fmt.Sprintf("%s: %sunfinished at the end of the run with %d/%d done", s.Name, stallNote(s), s.Completed, s.Total))
		}
	}
	if len(status) == 0 {
		lines = append(lines, "no workloads")
	}
	c.Detail = joinLines(lines)
	return c
}

// stallNote describes a stalled workload, or is empty.
func stallNote(s workloads.Status) string {
	if !s.Stalled {
		return ""
	}
	return fmt.Sprintf("stalled since %v with %d requests outstanding that its clients never resend (retransmit_after = \"0s\", or a type that does not resend); ",
		s.StalledSince, s.Outstanding)
}

// finishedReason is why a run that stops when its workloads finished
// stopped: "workloads finished" when every request completed, else
// "workloads stalled" when a workload that timed out had stalled, else
// "workloads timed out".
func finishedReason(status []workloads.Status) string {
	why := "workloads finished"
	for _, s := range status {
		switch {
		case s.Done:
		case s.Stalled:
			return "workloads stalled"
		default:
			why = "workloads timed out"
		}
	}
	return why
}

// joinLines joins the lines of a check's detail.
func joinLines(lines []string) string { return strings.Join(lines, "; ") }

// demandAfter reports whether some workload still wanted service at or
// after t.
func demandAfter(status []workloads.Status, t sim.Time) bool {
	for _, s := range status {
		if !s.Done || s.DoneAt >= t {
			return true
		}
	}
	return false
}
