package experiments

import (
	"fmt"
	"strings"

	"github.com/byzsim/byzsim/live"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// LiveOptions configure live runs: the run's replicas and clients run for
// real, as goroutines on loopback sockets (package live), instead of in the
// simulator. The experiment's duration becomes a wall-clock limit.
type LiveOptions struct {
	// FreePorts ignores the ports of the [live] table: every socket gets
	// a free port on its host.
	FreePorts bool
	// Serve starts each replica's Prometheus metrics and REST API (with a
	// request gateway client for POST /request).
	Serve bool
	// OnStart, when set, is called once the cluster runs (to serve the
	// per-node endpoints); the function it returns is called when the run
	// ends, before the cluster closes.
	OnStart func(LiveRun) (stop func())
	// OnInput, when set, is called after each input a replica handled, on
	// the replica's goroutine.
	OnInput func(id sim.NodeID, n sim.Node)
	// Processes, when set, runs each replica as its own process.
	Processes *Processes
}

// gateways is the number of request gateway clients a live run needs.
func (o *LiveOptions) gateways() int {
	switch {
	case o == nil:
		return 0
	case o.Processes != nil:
		return -1 // one per replica: see buildWith
	case o.Serve:
		return 1
	}
	return 0
}

// LiveRun is a live run in progress, as OnStart sees it.
type LiveRun struct {
	Cluster  *live.Cluster
	Replicas []protocols.Replica
	Protocol *protocols.Protocol
	N, F     int
	// Endpoints are the replicas' endpoints when served (Serve).
	Endpoints []*live.Endpoints
	// With Processes: the replicas' REST addresses, and functions that
	// kill replica id's process (a crash) and start it again (a
	// recovery with a fresh state).
	RESTAddrs []string
	Kill      func(id int)
	Restart   func(id int) error
}

// liveRun is the live state of an instance.
type liveRun struct {
	cluster *live.Cluster
	end     sim.Time
	stats   sim.Stats
}

// LiveProblems lists what of e live mode does not support, one line each
// naming the key; empty when e can run live.
func LiveProblems(e *Experiment, p *protocols.Protocol) []string {
	var out []string
	if p != nil && p.Codec == nil {
		out = append(out, fmt.Sprintf("protocol.name: %s has no wire encoding", p.Name))
	}
	if measuresConvergence(e) {
		out = append(out, "transient / convergence: state corruption and convergence sampling are simulation-only")
	}
	if e.Stop.Events > 0 {
		out = append(out, "stop.events: an event budget is a simulation limit; live runs stop at their duration")
	}
	return out
}

// runLive runs the instance's nodes live until the run stops (the
// workloads finished, a commit target), its duration passes on the wall
// clock, or poll returns false; it returns the reason as the World would.
func (in *instance) runLive(opt *LiveOptions, poll func(sim.Time, uint64) bool) (string, error) {
	e := in.run.Exp
	if probs := LiveProblems(e, in.res.proto); len(probs) > 0 {
		return "", &UsageError{Msg: "cannot run live: " + strings.Join(probs, "; ")}
	}
	if opt.Processes != nil {
		return in.runProcesses(opt, poll)
	}
	w := in.world
	n := e.Protocol.N
	nodes := make([]sim.Node, w.NumNodes())
	start := make([]sim.Time, len(nodes))
	for id := range nodes {
		nodes[id] = w.Node(sim.NodeID(id))
	}
	for _, c := range in.tracker.Clients() {
		start[c.ID()] = c.StartTime()
	}
	model, err := linkModel(&e.Network, n, len(nodes))
	if err != nil {
		return "", fmt.Errorf("network: %w", err)
	}
	kinds := map[string]sim.Channel{}
	for kind, ch := range e.Network.Channels {
		var ignored problems // validated before
		kinds[kind] = parseChannel(&ignored, "", ch)
	}
	var interceptors []sim.Interceptor
	if in.engine != nil {
		interceptors = append(interceptors, in.engine)
	}
	addrs, eps := LiveAddrs(e, len(nodes), opt.FreePorts)
	var metrics *live.Metrics
	var tracer sim.Tracer = in.messages
	if in.trace != nil {
		tracer = sim.Tracers{in.messages, in.trace}
	}
	onInput := opt.OnInput
	var queue func(sim.NodeID) int
	if opt.Serve {
		metrics = live.NewMetrics(n, func(id sim.NodeID) int { return queue(id) })
		tracer = sim.Tracers{tracer, metrics}
		onInput = func(id sim.NodeID, nd sim.Node) {
			metrics.Input(id, nd)
			if opt.OnInput != nil {
				opt.OnInput(id, nd)
			}
		}
	}
	cl, err := live.New(live.Config{
		Replicas:     n,
		Nodes:        nodes,
		Start:        start,
		Addrs:        addrs,
		Codec:        protocols.WireCodec{Proto: in.res.proto.Codec},
		Seed:         in.run.Seed,
		Model:        model,
		KindChannel:  kinds,
		Interceptors: interceptors,
		Observer:     in.observer(),
		Tracer:       tracer,
		OnInput:      onInput,
	})
	if err != nil {
		return "", err
	}
	queue = cl.QueueLength
	in.live = &liveRun{cluster: cl}
	run := LiveRun{Cluster: cl, Replicas: in.replicas, Protocol: in.res.proto, N: n, F: e.Protocol.F}
	if opt.Serve {
		gw := in.gateways[0]
		gw.Bind(cl, sim.NodeID(len(nodes)-1))
		for id := 0; id < n; id++ {
			ep, err := live.Serve(cl, sim.NodeID(id), eps[id].Metrics, eps[id].REST, metrics, gw)
			if err != nil {
				for _, ep := range run.Endpoints {
					ep.Close()
				}
				cl.Close()
				return "", err
			}
			run.Endpoints = append(run.Endpoints, ep)
		}
	}
	// The same failures code as in simulation, on the cluster's clock.
	if err := laterBehaviours(in.res.schedule).ApplyTo(cl, in.res.proto, in.replicas); err != nil {
		cl.Close()
		return "", fmt.Errorf("fault schedule: %w", err)
	}
	cl.Start()
	var stopHook func()
	if opt.OnStart != nil {
		stopHook = opt.OnStart(run)
	}
	ended := in.waitLive(cl, poll)
	if stopHook != nil {
		stopHook()
	}
	for _, ep := range run.Endpoints {
		ep.Close()
	}
	in.live.end = cl.Now()
	cl.Close()
	in.live.stats = cl.Stats()
	if in.engine != nil {
		if err := in.engine.Err(); err != nil {
			return "", err
		}
	}
	return ended, nil
}
