package experiments

import (
	"fmt"
	"io"

	"github.com/byzsim/byzsim/failures"
	"github.com/byzsim/byzsim/live"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
	"github.com/byzsim/byzsim/workloads"
)

// instance is one assembled run: the world and everything that watches it.
type instance struct {
	run      *Run
	res      *resolved
	world    *sim.World
	replicas []protocols.Replica
	// byzantine marks replicas that are Byzantine at some time; checkers
	// only speak for the others.
	byzantine []bool
	tracker   *workloads.Tracker
	engine    *failures.Engine
	latency   *results.Latency
	timeline  *results.Timeline
	messages  *results.Messages
	trace     *sim.JSONLTracer
	safety    *safetyChecker
	// gst checks progress and the commit bound after GST; nil without GST.
	gst     *gstChecker
	commits int
	// commitTarget stops the run at [stop] commits; nil without one.
	commitTarget *commitTarget
	// rounds counts round and view changes and timeouts.
	rounds roundCounter
	// transient applies the [[transient]] faults; nil without any.
	transient *failures.TransientInjector
	// conv measures convergence; nil when not measured.
	conv *convergenceChecker
	// meter computes the protocol-declared metrics; nil when the protocol
	// declares none. metricSpecs are the metrics of every registered
	// protocol, which every run's summary carries.
	meter       protocols.Meter
	metricSpecs []protocols.MetricSpec

	// faultSpans records when each fault rule acted; nil without rules.
	faultSpans *results.FaultSpans
	// lean skips the recorders that only feed output files (latency,
	// timeline, fault spans, replica log): Simulate writes none.
	lean bool

	// replicaLog records each replica's rounds, timeouts and commits.
	replicaLog *results.ReplicaLog
	// live is set when the run runs live rather than in the world.
	live *liveRun
	// gateways are the live REST API's request clients.
	gateways []*live.Gateway
}

// stop ends the run (the world's, or the live cluster's).
func (in *instance) stop(why string) {
	if in.live != nil {
		in.live.cluster.Stop(why)
		return
	}
	in.world.Stop(why)
}

// now is the run's current time: the world's, or the live run's end.
func (in *instance) now() sim.Time {
	if in.live != nil {
		return in.live.end
	}
	return in.world.Now()
}

// stats counts what the run did.
func (in *instance) stats() sim.Stats {
	if in.live != nil {
		return in.live.stats
	}
	return in.world.Stats()
}

// crashed reports whether replica id is down at the run's current time.
func (in *instance) crashed(id sim.NodeID) bool {
	if in.live == nil {
		return in.world.Crashed(id)
	}
	down := false
	for _, c := range in.res.schedule.Crashes {
		if c.Replica == id && c.At <= in.live.end {
			down = c.RecoverAt == 0 || c.RecoverAt > in.live.end
		}
	}
	return down
}

// build assembles the world of a run. trace, when not nil, receives the
// run's JSONL trace.
func build(run *Run, reg *protocols.Registry, trace io.Writer) (*instance, error) {
	return buildWith(run, reg, trace, 0)
}

// buildWith is build with gateways request gateway clients (for live runs'
// REST API) after the workloads' clients; gateways < 0 means one per
// replica.
func buildWith(run *Run, reg *protocols.Registry, trace io.Writer, gateways int) (*instance, error) {
	in, err := assemble(run, reg, trace, gateways)
	if err != nil {
		return nil, err
	}
	in.fill()
	return in, nil
}

// assemble is buildWith without what cannot fail (the replicas' preloaded
// requests, the room reserved for events), which fill adds: checking an
// experiment assembles its first run to find what would stop it at
// start-up, and that run is then filled instead of built again. The world
// must not run before it is filled.
func assemble(run *Run, reg *protocols.Registry, trace io.Writer, gateways int) (*instance, error) {
	e := run.Exp
	if gateways < 0 {
		gateways = e.Protocol.N
	}
	res, errs := validate(e, reg)
	if len(errs) > 0 {
		return nil, errs
	}
	n, f := e.Protocol.N, e.Protocol.F
	w := sim.NewWorld(sim.Config{Seed: run.Seed, Replicas: n})
	if e.Stop.Events > 0 {
		w.SetEventLimit(uint64(e.Stop.Events))
	}
	in := &instance{
		run:       run,
		res:       res,
		world:     w,
		byzantine: make([]bool, n),
		latency:   results.NewLatency(),
		timeline:  results.NewTimeline(e.Output.TimelineInterval.T()),
		messages:  &results.Messages{},
	}
	in.replicaLog = results.NewReplicaLog(n, in.timeline.Interval())
	for _, id := range byzantineReplicas(e) {
		in.byzantine[id] = true
	}
	tracker, err := workloads.NewTracker(workloads.Config{N: n, F: f, Seed: run.Seed}, res.workloads)
	if err != nil {
		return nil, fmt.Errorf("workloads: %w", err)
	}
	in.tracker = tracker
	initial := initialBehaviours(e)
	shared := protocols.Config{
		N:       n,
		F:       f,
		Clients: tracker.NumClients() + gateways,
		Params:  res.params,
		Costs:   res.costs,
		Seed:    run.Seed,
	}
	newReplica := res.proto.Builder(shared)
	for id := 0; id < n; id++ {
		cfg := shared
		cfg.ID, cfg.Behaviour = sim.NodeID(id), initial[id]
		rep, err := newReplica(cfg)
		if err != nil {
			return nil, fmt.Errorf("replica %d: %w", id, err)
		}
		if err := addStartStates(rep, res.starts, id); err != nil {
			return nil, fmt.Errorf("replica %d: %w", id, err)
		}
		in.replicas = append(in.replicas, rep)
		w.AddNode(rep, 0)
	}
	if tracker.Saturated() {
		for id, rep := range in.replicas {
			if _, ok := rep.(protocols.Preloader); !ok {
				return nil, fmt.Errorf("replica %d: protocol %s takes no preloaded requests (saturated workload)", id, res.proto.Name)
			}
		}
	}
	tracker.Install(w)
	for range gateways {
		gw := live.NewGateway(f)
		in.gateways = append(in.gateways, gw)
		w.AddNode(gw, 0)
	}
	model, err := linkModel(&e.Network, n, w.NumNodes())
	if err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	w.Network().SetModel(model)
	for kind, ch := range e.Network.Channels {
		var ignored problems // validated before
		w.Network().SetKindChannel(kind, parseChannel(&ignored, "", ch))
	}
	if len(res.rules) > 0 {
		eng, err := failures.NewEngine(w, res.proto, in.replicas, res.rules)
		if err != nil {
			return nil, fmt.Errorf("fault rules: %w", err)
		}
		in.engine = eng
		labels := make([]string, len(res.rules))
		for i, r := range res.rules {
			msg := r.Msg
			if msg == failures.AnyKind {
				msg = "any"
			}
			labels[i] = fmt.Sprintf("rule %d %v %s", i, r.Type, msg) // e.g. "rule 0 loss any"
		}
		in.faultSpans = results.NewFaultSpans(labels, e.Output.TimelineInterval.T())
		eng.OnFire(in.faultFired)
		w.Network().AddInterceptor(eng)
	}
	if err := laterBehaviours(res.schedule).Apply(w, res.proto, in.replicas); err != nil {
		return nil, fmt.Errorf("fault schedule: %w", err)
	}
	for _, m := range res.schedule.Markers() {
		in.timeline.Mark(m.At, m.What)
	}
	in.safety = newSafetyChecker(n, in.byzantine)
	in.startMeter(reg)
	if err := in.installTransients(); err != nil {
		return nil, fmt.Errorf("transient faults: %w", err)
	}
	w.Subscribe(in.observer())
	// The World counts the messages itself (added to in.messages when the
	// run ends); a tracer is only installed to write a trace.
	if trace != nil {
		in.trace = sim.NewJSONLTracer(trace)
		w.SetTracer(in.trace)
	}
	in.gst = newGSTChecker(e, res.proto, res.params, correctReplicas(e, in.byzantine), func(node sim.NodeID, round int64) sim.NodeID {
		return in.replicas[node].Leader(round)
	})
	if boolOr(e.Stop.WhenDone, true) {
		tracker.OnFinished(func(sim.Time) {
			why := finishedReason(tracker.Status())
			if in.gst == nil || in.gst.caughtUp() {
				in.stop(why)
				return
			}
			// Give lagging correct replicas the time to catch up.
			stop := why + " and every correct replica caught up"
			in.gst.onCaughtUp = func() { in.stop(stop) }
			// A replica that caught up may commit a further height in the
			// same event: the stop is withdrawn and awaited again (in the
			// world; a live run stops at once).
			in.gst.onLagging = func() {
				if in.live == nil && w.Unstop(stop) {
					in.gst.onCaughtUp = func() { in.stop(stop) }
				}
			}
		})
	}
	if e.Stop.Commits > 0 {
		in.commitTarget = newCommitTarget(n, f, e.Stop.Commits, in.byzantine, func() {
			in.stop(fmt.Sprintf("%d replicas committed %d entries", n-f, e.Stop.Commits))
		})
	}
	return in, nil
}

// fill completes an assembled run: the saturated workloads' requests
// preloaded into every replica (which assemble checked take them), and
// room for the events pending at the start reserved.
func (in *instance) fill() {
	if in.tracker.Saturated() {
		reqs := in.tracker.Preload()
		for _, rep := range in.replicas {
			rep.(protocols.Preloader).Preload(reqs...)
		}
	}
	in.world.Reserve(startBurst(len(in.replicas), in.tracker.Specs()))
}

// maxReserve bounds the events a run reserves room for up front (40 bytes
// each).
const maxReserve = 1 << 21

// startBurst estimates the events pending at once at the start of a run:
// every request of a flood workload goes to every replica when its clients
// start.
func startBurst(n int, specs []workloads.Spec) int {
	burst := 0
	for _, s := range specs {
		if s.Type() == workloads.Flood {
			burst += n * s.Total()
		}
	}
	return min(burst, maxReserve)
}

// faultFired records one action of a fault rule: in the rule's spans of
// activity and, when tracing, as a "fault" line of the trace.
func (in *instance) faultFired(f failures.Firing) {
	if in.lean {
		return
	}
	in.faultSpans.Fired(f.Rule, f.At)
	if in.trace != nil {
		in.trace.Fault(f.At, f.Rule, f.Type.String(), f.From, f.To, f.Msg)
	}
}

// correctReplicas marks the replicas that are never Byzantine and never
// crash.
func correctReplicas(e *Experiment, byzantine []bool) []bool {
	correct := make([]bool, len(byzantine))
	for id := range correct {
		correct[id] = !byzantine[id]
	}
	for _, c := range e.Crashes {
		if c.Replica >= 0 && c.Replica < len(correct) {
			correct[c.Replica] = false
		}
	}
	return correct
}

// initialBehaviours returns each replica's behaviour at time 0.
func initialBehaviours(e *Experiment) []string {
	b := make([]string, e.Protocol.N)
	for _, bc := range e.Byzantine {
		if bc.At == 0 {
			b[bc.Replica] = bc.Behaviour
		}
	}
	return b
}

// laterBehaviours drops the behaviour switches at time 0, which replicas
// get at construction.
func laterBehaviours(s failures.Schedule) failures.Schedule {
	var later []failures.BehaviourSwitch
	for _, b := range s.Behaviours {
		if b.At > 0 {
			later = append(later, b)
		}
	}
	s.Behaviours = later
	return s
}

// observer returns the function that routes observations to recorders and
// checkers. It is a closure, not the method value of a method: the World
// calls a method value through a wrapper, one call more per observation.
// It is not inlined where the run is assembled: a closure made in a large
// function is compiled with that function's smaller budget for inlining
// the calls it makes.
//
//go:noinline
func (in *instance) observer() sim.Observer {
	return func(at sim.Time, node sim.NodeID, o sim.Observation) {
		if in.meter != nil {
			in.meter.Observe(at, node, o)
		}
		switch o := o.(type) {
		case protocols.Completed:
			if !in.lean {
				in.latency.Add(o.Workload, o.SentAt, o.Latency)
				in.timeline.Complete(at)
			}
			if in.conv != nil {
				in.conv.completed(at)
			}
		case protocols.Commit:
			in.commits++
			in.replicaLog.Commit(at, int(node))
			if in.tracker.Saturated() && int(node) < len(in.byzantine) && !in.byzantine[node] {
				for _, d := range in.tracker.Committed(at, o.Height, o.Requests) {
					if in.lean {
						continue
					}
					for range d.Requests {
						in.latency.Add(d.Workload, 0, at)
						in.timeline.Complete(at)
					}
				}
			}
			if ct := in.commitTarget; ct != nil && ct.count1(node) {
				ct.reachedBy()
			}
			if !in.lean {
				in.timeline.Commit(at)
			}
			if !in.safety.commitAgrees(node, o) {
				in.safety.commit(at, node, o)
			}
			if in.gst != nil {
				in.gst.commit(at, node, o)
			}
		case protocols.Proposed:
			if in.gst != nil {
				in.gst.proposed(node, o)
			}
		case protocols.Certified:
			if !in.safety.certifiedAgrees(node, o) {
				in.safety.certified(at, node, o)
			}
		case protocols.RoundChange:
			in.rounds.roundChange(node, o)
			switch {
			case o.Cause.Advance():
				in.replicaLog.Round(at, int(node), o.Round, o.Cause == protocols.CauseTC)
			case o.Cause == protocols.CauseReset:
				in.replicaLog.Reset(at, int(node))
			}
			if in.gst != nil {
				in.gst.roundChange(at, node, o.Round)
			}
		case protocols.Timeout:
			in.rounds.timeouts++
			in.replicaLog.Timeout(at, int(node))
			if in.gst != nil {
				in.gst.timeout(node, o)
			}
		}
	}
}

// roundCounter counts, over every replica (correct or not), the round and
// view changes and the timeouts observed; see the metrics of the same names
// in results.Summary.
type roundCounter struct {
	// roundChanges counts entries into a round or an established view
	// (causes QC, TC and establishment); timeoutRoundChanges those caused
	// by a TC.
	roundChanges, timeoutRoundChanges int
	// viewChanges counts establishments of a view other than the last one
	// the replica established (the first establishment is not a change).
	viewChanges int
	timeouts    int
	// lastView is each replica's last established view; set says whether
	// it has established one.
	lastView []int64
	set      []bool
}

func (c *roundCounter) roundChange(node sim.NodeID, rc protocols.RoundChange) {
	if !rc.Cause.Advance() {
		return
	}
	c.roundChanges++
	switch rc.Cause {
	case protocols.CauseTC:
		c.timeoutRoundChanges++
	case protocols.CauseEstablish:
		i := int(node)
		for len(c.lastView) <= i {
			c.lastView, c.set = append(c.lastView, 0), append(c.set, false)
		}
		if c.set[i] && c.lastView[i] != rc.Round {
			c.viewChanges++
		}
		c.lastView[i], c.set[i] = rc.Round, true
	}
}

// linkModel builds the network's per-link model from the configuration,
// for a world of n replicas and nodes nodes in all (clients follow the
// replicas).
func linkModel(nc *NetworkConfig, n, nodes int) (func(from, to sim.NodeID) sim.Link, error) {
	var ignored problems // validated before
	base := sim.Link{
		Delay:     buildDist(&ignored, "", &nc.Delay),
		Loss:      nc.Loss,
		Bandwidth: nc.Bandwidth,
		Channel:   parseChannel(&ignored, "", nc.Channel),
		RTO:       nc.RTO.T(),
	}
	model := func(sim.NodeID, sim.NodeID) sim.Link { return base }
	if rc := nc.Regions; rc != nil {
		clients := rc.Clients
		if clients == "" {
			clients = rc.Names[0]
		}
		nodeRegion := make([]string, nodes)
		for id := range nodeRegion {
			if id < n {
				nodeRegion[id] = rc.Replicas[id]
			} else {
				nodeRegion[id] = clients
			}
		}
		matrix := make([][]sim.Time, len(rc.Latency))
		for i, row := range rc.Latency {
			for _, d := range row {
				matrix[i] = append(matrix[i], d.T())
			}
		}
		var jitter sim.Dist
		if rc.Jitter != nil {
			jitter = buildDist(&ignored, "", rc.Jitter)
		}
		var err error
		if model, err = sim.RegionModel(rc.Names, matrix, nodeRegion, jitter, base); err != nil {
			return nil, err
		}
	}
	if len(nc.Links) == 0 {
		return model, nil
	}
	type override struct {
		from, to linkEnd
		cfg      *LinkConfig
		delay    sim.Dist
	}
	overrides := make([]override, len(nc.Links))
	for i := range nc.Links {
		l := &nc.Links[i]
		from, _ := parseLinkEnd(l.From, n)
		to, _ := parseLinkEnd(l.To, n)
		overrides[i] = override{from: from, to: to, cfg: l}
		if l.Delay != nil {
			overrides[i].delay = buildDist(&ignored, "", l.Delay)
		}
	}
	return func(from, to sim.NodeID) sim.Link {
		l := model(from, to)
		for _, o := range overrides {
			if !o.from.matches(from, n) || !o.to.matches(to, n) {
				continue
			}
			if o.delay != nil {
				l.Delay = o.delay
			}
			if o.cfg.Loss != nil {
				l.Loss = *o.cfg.Loss
			}
			if o.cfg.Bandwidth != nil {
				l.Bandwidth = *o.cfg.Bandwidth
			}
			if o.cfg.Channel != "" {
				l.Channel = parseChannel(&ignored, "", o.cfg.Channel)
			}
		}
		return l
	}, nil
}

// commitTarget stops a run once quorum correct replicas have each committed
// target entries.
type commitTarget struct {
	target, quorum int
	byzantine      []bool
	count          []int
	reached        int
	stop           func()
}

func newCommitTarget(n, f, target int, byzantine []bool, stop func()) *commitTarget {
	return &commitTarget{target: target, quorum: n - f, byzantine: byzantine, count: make([]int, n), stop: stop}
}

// count1 counts an entry committed by node and reports whether node (a
// correct replica) reached the target with it. Small enough to be inlined
// where the run observes each commit.
func (c *commitTarget) count1(node sim.NodeID) bool {
	if int(node) >= len(c.count) || c.byzantine[node] {
		return false
	}
	c.count[node]++
	return c.count[node] == c.target
}

// reachedBy counts a replica that reached the target, and stops the run
// once quorum correct replicas have.
func (c *commitTarget) reachedBy() {
	c.reached++
	if c.reached == c.quorum {
		c.stop()
	}
}
