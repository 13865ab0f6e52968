package experiments

import (
	"fmt"

	"github.com/byzsim/byzsim/failures"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// convergenceChecker measures the convergence time of a run: the time from
// the last transient fault (or from 0 without one) to the start s of the
// first hold window [s, s + hold] throughout which the protocol's
// legitimacy predicate holds on the correct replicas (never Byzantine, not
// crashed) and in which some client request completes (unless no request
// is outstanding any more).
//
// The predicate is sampled every period from the first fault on, so a
// window's start is known to within one period: s is the first sample of
// an unbroken run of legitimate samples, moved later when the first
// completion after it comes more than hold after it. Each fault occurrence
// restarts the search. A run that ends before a window completes did not
// converge: it is censored, and reports no time.
type convergenceChecker struct {
	in           *instance
	legit        func(n, f int, correct []protocols.Snapshot) bool
	hold, period sim.Time
	stop         bool
	// pending counts the fault occurrences still to come.
	pending int
	// last is the time of the last fault occurrence so far (0 without).
	last sim.Time

	legitFrom sim.Time // start of the current run of legitimate samples
	legitRun  bool     // the last sample was legitimate
	firstDone sim.Time // first completion at or after legitFrom
	haveDone  bool

	converged bool
	start     sim.Time // start of the first window, once converged
	samples   int
	snaps     []protocols.Snapshot
}

// newConvergenceChecker schedules the sampling of in's world; pending is
// the number of transient fault occurrences to come, from the time of the
// first one on.
func newConvergenceChecker(in *instance, pending int, from sim.Time) *convergenceChecker {
	e := in.run.Exp
	c := &convergenceChecker{
		in:      in,
		legit:   in.res.proto.Legitimate,
		hold:    e.Convergence.Hold.T(),
		period:  e.Convergence.Period.T(),
		stop:    e.Convergence.Stop,
		pending: pending,
	}
	if c.legit == nil {
		return c // validated: a protocol without a predicate never converges
	}
	in.world.At(from+c.period, c.sample)
	return c
}

// fault restarts the search after a fault occurrence at time at.
func (c *convergenceChecker) fault(at sim.Time) {
	c.pending--
	c.last = at
	c.legitRun, c.haveDone = false, false
}

// completed records a client request completed at time at.
func (c *convergenceChecker) completed(at sim.Time) {
	if c.legitRun && !c.haveDone && at >= c.legitFrom {
		c.firstDone, c.haveDone = at, true
	}
}

// legitimate evaluates the predicate on the correct replicas now.
func (c *convergenceChecker) legitimate() bool {
	in := c.in
	c.snaps = c.snaps[:0]
	for id, r := range in.replicas {
		if in.byzantine[id] || in.world.Crashed(sim.NodeID(id)) {
			continue
		}
		c.snaps = append(c.snaps, r.Snapshot())
	}
	e := in.run.Exp
	return c.legit(e.Protocol.N, e.Protocol.F, c.snaps)
}

func (c *convergenceChecker) sample() {
	w := c.in.world
	now := w.Now()
	c.samples++
	if !c.legitimate() {
		c.legitRun, c.haveDone = false, false
	} else if !c.legitRun && c.pending <= 0 {
		c.legitRun, c.legitFrom, c.haveDone = true, now, false
	}
	if c.legitRun {
		start := c.legitFrom
		switch {
		case c.haveDone:
			start = max(start, c.firstDone-c.hold)
		case c.outstanding():
			start = -1 // wait for a completion
		}
		if start >= 0 && now-start >= c.hold {
			c.converged, c.start = true, start
			if c.stop {
				w.Stop("converged")
			}
			return
		}
	}
	w.At(now+c.period, c.sample)
}

// outstanding reports whether some workload still has requests to
// complete.
func (c *convergenceChecker) outstanding() bool {
	for _, s := range c.in.tracker.Status() {
		if !s.Done {
			return true
		}
	}
	return false
}

// result returns whether the run converged and its convergence time.
func (c *convergenceChecker) result() (bool, *sim.Time) {
	if !c.converged {
		return false, nil
	}
	d := c.start - c.last
	return true, &d
}

// check is the convergence check of [checks] convergence = true.
func (c *convergenceChecker) check() results.Check {
	ok, d := c.result()
	if !ok {
		detail := fmt.Sprintf("not converged by the end of the run (%d samples; hold %v)", c.samples, c.hold)
		if c.legit == nil {
			detail = c.in.res.proto.Name + " has no legitimacy predicate"
		}
		return results.Check{Name: "convergence", OK: false, Detail: detail}
	}
	return results.Check{Name: "convergence", OK: true,
		Detail: fmt.Sprintf("legitimate from %v, %v after the last transient fault, for a hold of %v", c.start, *d, c.hold)}
}

// installTransients schedules the run's transient faults, marks them on
// the timeline and starts the convergence checker when the run measures
// convergence.
func (in *instance) installTransients() error {
	e := in.run.Exp
	if !measuresConvergence(e) {
		return nil
	}
	end := e.Duration.T()
	pending, from := 0, sim.Time(0)
	if len(in.res.transients) > 0 {
		inj, err := failures.NewTransientInjector(in.world, in.res.proto, in.replicas, in.res.transients, end)
		if err != nil {
			return err
		}
		in.transient = inj
		first := true
		for _, t := range in.res.transients {
			occ := t.Occurrences(end)
			pending += len(occ)
			if len(occ) > 0 && (first || occ[0] < from) {
				from, first = occ[0], false
			}
		}
		for _, m := range failures.TransientMarkers(in.res.transients, in.run.Seed, e.Protocol.N, end) {
			in.timeline.Mark(m.At, m.What)
		}
	}
	in.conv = newConvergenceChecker(in, pending, from)
	if in.transient != nil {
		in.transient.OnHit(func(h failures.TransientHit) {
			in.safety.transientFault()
			in.conv.fault(h.At)
		})
	}
	return nil
}

// transientSummary returns what the transient faults did; nil without any.
func (in *instance) transientSummary() *results.TransientSummary {
	if in.transient == nil {
		return nil
	}
	st := in.transient.Stats()
	return &results.TransientSummary{Occurrences: st.Occurrences, Replicas: st.Replicas, Messages: st.Messages,
		FirstS: results.Seconds(st.First), LastS: results.Seconds(st.Last)}
}

// withConvergence adds the transient-fault and convergence figures and the
// protocol-declared metrics of in to a run's summary input. It must run after the checks
// (which count the final-log safety violations).
func withConvergence(ri results.RunInput, in *instance) results.RunInput {
	if in.conv != nil {
		ok, d := in.conv.result()
		ri.Converged, ri.Convergence = &ok, d
	}
	ri.Transient = in.transientSummary()
	ri.SafetyViolations, ri.TransientSafetyViolations = in.safety.count, in.safety.after
	ri.Metrics = in.metrics()
	return ri
}
