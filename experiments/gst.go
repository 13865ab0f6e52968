package experiments

import (
	"fmt"
	"slices"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// gstChecker checks the liveness properties that hold after the global
// stabilization time (GST):
//
//   - progress (property 3 of the chained-BFT liveness properties):
//     when clients still wanted service after GST, every correct replica
//     commits after GST, and all correct replicas reach the same committed
//     height;
//   - bounded commit (property 4): when the leaders of r and of the
//     next rounds the protocol's CommitBound names are correct and propose,
//     every correct replica commits r's block within the bound of the first
//     correct replica entering r.
//
// byzsim's leaders (with propose_on = "demand") do not propose when there
// is nothing to commit, so progress is conditioned on demand where the
// paper, whose leaders always propose, needs no condition. For the same reason a leader may sit
// in its round with nothing to propose until the next request arrives: the
// paper's leader would have proposed an empty block at once, and the
// following leaders' blocks carry r's block to commit. The bound therefore
// does not count the time the leaders of r and of the next rounds waited
// for input (protocols.Proposed.Waited): every block, empty or not, must
// commit within the bound plus those waits. Each wait holds up the chain
// by exactly its length, so the remaining time is the protocol's own —
// unless a correct replica's round timer ran out in one of those rounds
// while a leader waited: the round may then end by timeout, which the
// paper's prompt leaders never cause, and the round is not checked. With
// leaders that did not wait, a timeout in the chain is no excuse.
//
// GST is a virtual time, or the first time every correct replica has
// entered a given round (or a later one). Correct here means never
// Byzantine and never crashed.
type gstChecker struct {
	correct []bool
	// gst is known once gstKnown; gstRound >= 0 fixes it by round, when
	// reached (the number of correct replicas in gstRound or later) is
	// numCorrect.
	gst        sim.Time
	gstKnown   bool
	gstRound   int64
	current    []int64
	reached    int
	numCorrect int
	// firstRound is the first round that began at or after GST.
	firstRound int64
	maxRound   int64 // highest round a correct replica entered so far

	bound    *protocols.CommitBound
	within   sim.Time
	leaderOf func(replica sim.NodeID, round int64) sim.NodeID

	rounds map[int64]*gstRound
	// height is each replica's committed height; atGST its height before
	// GST; after marks commits at or after GST.
	height, atGST []int64
	after         []bool
	maxHeight     int64
	// lagging counts the correct replicas below maxHeight.
	lagging int
	// onCaughtUp runs once when no correct replica lags; onLagging when a
	// correct replica falls behind again after it ran (a replica committing
	// several heights in one event catches up on the first of them).
	onCaughtUp, onLagging func()
	caughtUpRan           bool
}

// gstRound is what the checker knows of one round at or after GST.
type gstRound struct {
	entered   sim.Time // first correct replica entering it
	enteredBy sim.NodeID
	leader    sim.NodeID // as that replica saw it on entering
	proposed  bool
	digest    protocols.Digest
	waited    sim.Time // the leader's wait for input before proposing
	timedOut  bool     // a correct replica's round timer expired in it
	// committed[i] is when replica i committed the round's block (-1: not).
	committed []sim.Time
}

// newGSTChecker returns nil when the experiment sets no GST.
func newGSTChecker(e *Experiment, proto *protocols.Protocol, params protocols.Params, correct []bool, leaderOf func(sim.NodeID, int64) sim.NodeID) *gstChecker {
	c := e.Checks
	if c.GST == nil && c.GSTRound == nil {
		return nil
	}
	n := len(correct)
	g := &gstChecker{correct: correct, gstRound: -1, maxRound: -1, leaderOf: leaderOf, rounds: map[int64]*gstRound{},
		height: make([]int64, n), atGST: make([]int64, n), after: make([]bool, n)}
	if c.GST != nil {
		g.gst, g.gstKnown = c.GST.T(), true
		if g.gst == 0 {
			g.firstRound = 0
		} else {
			g.firstRound = -1 // set at the first entry at or after GST
		}
	} else {
		g.gstRound = *c.GSTRound
		g.firstRound = -1
		g.current = make([]int64, len(correct))
		for i := range g.current {
			g.current[i] = -1
		}
	}
	if proto.CommitBound != nil && boolOr(c.CommitBound, true) {
		g.bound = proto.CommitBound
		g.within = proto.CommitBound.Within(params)
	}
	for _, ok := range correct {
		if ok {
			g.numCorrect++
		}
	}
	return g
}

// roundChange records a replica entering round.
func (g *gstChecker) roundChange(at sim.Time, node sim.NodeID, round int64) {
	if !g.correct[node] {
		return
	}
	if !g.gstKnown {
		if round >= g.gstRound && g.current[node] < g.gstRound {
			g.reached++
		}
		g.current[node] = round
		if g.reached == g.numCorrect {
			g.gst, g.gstKnown = at, true
		}
	}
	if g.gstKnown && g.firstRound < 0 && at >= g.gst {
		g.firstRound = max(round, g.maxRound+1)
	}
	g.maxRound = max(g.maxRound, round)
	if !g.gstKnown || g.firstRound < 0 || round < g.firstRound {
		return
	}
	if _, ok := g.rounds[round]; ok {
		return
	}
	g.rounds[round] = &gstRound{entered: at, enteredBy: node, leader: g.leaderOf(node, round)}
}

// proposed records a leader's proposal.
func (g *gstChecker) proposed(node sim.NodeID, p protocols.Proposed) {
	r := g.rounds[p.Round]
	if r == nil || !g.correct[node] || r.proposed {
		return
	}
	r.proposed, r.digest, r.waited = true, p.Digest, max(p.Waited, 0)
	r.committed = make([]sim.Time, len(g.correct))
	for i := range r.committed {
		r.committed[i] = -1
	}
}

// timeout records a correct replica timing out its round.
func (g *gstChecker) timeout(node sim.NodeID, t protocols.Timeout) {
	if r := g.rounds[t.Round]; r != nil && g.correct[node] {
		r.timedOut = true
	}
}

// commit records a commit.
func (g *gstChecker) commit(at sim.Time, node sim.NodeID, c protocols.Commit) {
	if !g.correct[node] {
		return
	}
	if r := g.rounds[c.Round]; r != nil && r.proposed && r.digest == c.Digest && r.committed[node] < 0 {
		r.committed[node] = at
	}
	prev := g.height[node]
	h := max(prev, c.Height+1)
	g.height[node] = h
	if g.gstKnown && at >= g.gst {
		g.after[node] = true
	} else {
		g.atGST[node] = h
	}
	// Keep lagging without a scan: a new maximum leaves every other correct
	// replica behind it; reaching the maximum ends one replica's lag.
	switch {
	case h > g.maxHeight:
		g.maxHeight = h
		g.lagging = g.numCorrect - 1
		if g.lagging > 0 && g.caughtUpRan && g.onLagging != nil {
			g.caughtUpRan = false
			g.onLagging()
		}
	case h == g.maxHeight && prev < h:
		g.lagging--
	}
	if g.lagging == 0 && g.onCaughtUp != nil {
		g.caughtUpRan = true
		g.onCaughtUp()
		g.onCaughtUp = nil
	}
}

// caughtUp reports whether every correct replica reached the highest
// committed height.
func (g *gstChecker) caughtUp() bool { return g.lagging == 0 }

// checks evaluates both properties at the end of a run. demand says whether
// clients still wanted service after GST (else progress is not required).
func (g *gstChecker) checks(end sim.Time, demand bool) []results.Check {
	progress := results.Check{Name: "progress_after_gst", OK: true}
	switch {
	case !g.gstKnown:
		// Nothing to require: liveness speaks for the requests.
		progress.Detail = fmt.Sprintf("the run ended at %v before GST (%d of %d correct replicas reached round %d)", end, g.reached, g.numCorrect, g.gstRound)
	case !demand:
		progress.Detail = fmt.Sprintf("GST at %v; no client demand after it, nothing to require", g.gst)
	default:
		var stalled []string
		for id, ok := range g.correct {
			switch {
			case !ok:
			case g.height[id] < g.maxHeight:
				stalled = append(stalled, fmt.Sprintf("replica%d stopped at height %d of %d", id, g.height[id], g.maxHeight))
			case !g.after[id] && g.atGST[id] < g.maxHeight:
				stalled = append(stalled, fmt.Sprintf("replica%d committed nothing after GST", id))
			}
		}
		if len(stalled) > 0 {
			progress.OK = false
			progress.Detail = fmt.Sprintf("GST at %v (round %d): %s by %v", g.gst, g.firstRound, strings.Join(stalled, ", "), end)
		} else {
			progress.Detail = fmt.Sprintf("GST at %v (round %d): every correct replica committed up to height %d", g.gst, g.firstRound, g.maxHeight)
		}
	}
	out := []results.Check{progress}
	if g.bound != nil && g.gstKnown {
		out = append(out, g.boundCheck(end))
	}
	return out
}

// boundCheck checks property 4 over the rounds whose deadline fell inside
// the run.
func (g *gstChecker) boundCheck(end sim.Time) results.Check {
	c := results.Check{Name: "commit_bound", OK: true}
	rounds := make([]int64, 0, len(g.rounds))
	for r := range g.rounds {
		rounds = append(rounds, r)
	}
	slices.Sort(rounds)
	checked := 0
	var problems []string
	for _, round := range rounds {
		r := g.rounds[round]
		if !r.proposed || !g.correctLeaders(round) {
			continue
		}
		idle, timedOut := g.idleWaits(round)
		if idle > 0 && timedOut {
			continue // a leader's wait for input ran out the round timers
		}
		deadline := r.entered + g.within + idle
		bound := fmt.Sprint(g.within)
		if idle > 0 {
			bound = fmt.Sprintf("%v + %v the leaders waited for input", g.within, idle)
		}
		var late []string
		pending := false
		for id, ok := range g.correct {
			if !ok {
				continue
			}
			switch at := r.committed[id]; {
			case at < 0 && deadline > end:
				pending = true // the run ended before the deadline
			case at < 0:
				late = append(late, fmt.Sprintf("round %d: replica%d did not commit block %016x by %v (%v after replica%d entered the round at %v)",
					round, id, uint64(r.digest), deadline, bound, r.enteredBy, r.entered))
			case at > deadline:
				late = append(late, fmt.Sprintf("round %d: replica%d committed block %016x at %v, %v after replica%d entered the round (bound %v)",
					round, id, uint64(r.digest), at, at-r.entered, r.enteredBy, bound))
			}
		}
		if pending && len(late) == 0 {
			continue
		}
		checked++
		problems = append(problems, late...)
		if len(problems) >= maxViolations {
			problems = problems[:maxViolations]
			break
		}
	}
	if len(problems) > 0 {
		c.OK = false
		c.Detail = joinLines(problems)
	} else {
		c.Detail = fmt.Sprintf("%d rounds after GST with %d correct leaders: every correct replica committed within %v", checked, g.bound.Leaders, g.within)
	}
	return c
}

// idleWaits is the time the leaders of round and of the bound's following
// rounds waited for input before proposing, and whether a correct replica
// timed out in one of those rounds (correctLeaders holds).
func (g *gstChecker) idleWaits(round int64) (d sim.Time, timedOut bool) {
	for k := int64(0); k < int64(g.bound.Leaders); k++ {
		r := g.rounds[round+k]
		d += r.waited
		timedOut = timedOut || r.timedOut
	}
	return d, timedOut
}

// correctLeaders reports whether round and the bound's following rounds
// had correct leaders (as the first correct replica entering each saw it)
// that proposed.
func (g *gstChecker) correctLeaders(round int64) bool {
	for k := int64(0); k < int64(g.bound.Leaders); k++ {
		r := g.rounds[round+k]
		if r == nil || !g.correct[r.leader] || !r.proposed {
			return false
		}
	}
	return true
}
