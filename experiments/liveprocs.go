package experiments

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/byzsim/byzsim/live"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Processes runs each replica of a live run as its own process (byzsim
// node), on loopback; the run's own process hosts the workload clients
// and writes the results. Safety is checked on the replicas' committed
// logs, read over their REST APIs at the end of the run.
type Processes struct {
	// Dir is where the cluster file is written.
	Dir string
	// Experiment, Seed and Sets are what the plan was loaded from; the
	// node processes load the same.
	Experiment string
	Seed       *uint64
	Sets       []string
	// Spawn starts replica id's process with the cluster file; the
	// function it returns kills the process and waits for it.
	Spawn func(id int, clusterFile string) (kill func(), err error)
}

// readyTimeout bounds the wait for the node processes' endpoints.
const readyTimeout = 60 * time.Second

// runProcesses is runLive with one process per replica.
func (in *instance) runProcesses(opt *LiveOptions, poll func(sim.Time, uint64) bool) (string, error) {
	pr := opt.Processes
	e := in.run.Exp
	n := e.Protocol.N
	w := in.world
	total := w.NumNodes()
	clients := in.tracker.NumClients()
	cf := &ClusterFile{Experiment: pr.Experiment, Seed: pr.Seed, Sets: pr.Sets}
	if abs, err := filepath.Abs(pr.Experiment); err == nil {
		cf.Experiment = abs
	}
	addrs, eps := LiveAddrs(e, total, false)
	if opt.FreePorts {
		ports, err := FreeLoopbackPorts(2*total + 2*n)
		if err != nil {
			return "", err
		}
		at := func(i int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[i])) }
		for i := range addrs {
			addrs[i] = live.Addr{TCP: at(i), UDP: at(total + i)}
		}
		for i := range eps {
			eps[i] = live.EndpointAddrs{Metrics: at(2*total + i), REST: at(2*total + n + i)}
		}
	}
	for i, a := range addrs {
		node := ClusterNode{TCP: a.TCP, UDP: a.UDP}
		if i < n {
			node.Metrics, node.REST = eps[i].Metrics, eps[i].REST
		}
		cf.Nodes = append(cf.Nodes, node)
	}
	file := filepath.Join(pr.Dir, "cluster.toml")
	if err := WriteClusterFile(file, cf); err != nil {
		return "", err
	}
	kills := make([]func(), n)
	defer func() {
		for _, k := range kills {
			if k != nil {
				k()
			}
		}
	}()
	spawn := func(id int) error {
		kill, err := pr.Spawn(id, file)
		if err != nil {
			return fmt.Errorf("replica %d: %w", id, err)
		}
		kills[id] = kill
		return nil
	}
	for id := range n {
		if err := spawn(id); err != nil {
			return "", err
		}
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for id := range n {
		if err := waitHealthy(client, eps[id].REST, readyTimeout); err != nil {
			return "", fmt.Errorf("replica %d: %w", id, err)
		}
	}
	nodes := make([]sim.Node, total)
	local := make([]bool, total)
	for i := range nodes {
		nodes[i] = w.Node(sim.NodeID(i))
		local[i] = i >= n && i < n+clients
	}
	start := make([]sim.Time, total)
	for _, c := range in.tracker.Clients() {
		start[c.ID()] = c.StartTime()
	}
	model, err := linkModel(&e.Network, n, total)
	if err != nil {
		return "", err
	}
	cl, err := live.New(live.Config{
		Replicas: n, Nodes: nodes, Local: local, Start: start, Addrs: addrs,
		Codec: protocols.WireCodec{Proto: in.res.proto.Codec}, Seed: in.run.Seed,
		Model: model, KindChannel: kindChannels(e),
		Observer: in.observer(), Tracer: in.messages,
	})
	if err != nil {
		return "", err
	}
	in.live = &liveRun{cluster: cl}
	cl.Start()
	run := LiveRun{Cluster: cl, Replicas: in.replicas, Protocol: in.res.proto, N: n, F: e.Protocol.F}
	for id := range n {
		run.RESTAddrs = append(run.RESTAddrs, eps[id].REST)
	}
	run.Kill = func(id int) {
		if kills[id] != nil {
			kills[id]()
			kills[id] = nil
		}
	}
	run.Restart = func(id int) error {
		if err := spawn(id); err != nil {
			return err
		}
		return waitHealthy(client, eps[id].REST, readyTimeout)
	}
	var stopHook func()
	if opt.OnStart != nil {
		stopHook = opt.OnStart(run)
	}
	ended := in.waitLive(cl, poll)
	if stopHook != nil {
		stopHook()
	}
	in.live.end = cl.Now()
	cl.Close()
	in.live.stats = cl.Stats()
	// Safety on the replicas' logs: every entry of a running replica.
	for id := range n {
		if kills[id] == nil {
			continue
		}
		entries, err := fetchLog(client, eps[id].REST)
		if err != nil {
			return "", fmt.Errorf("replica %d: reading its log: %w", id, err)
		}
		for h, d := range entries {
			v, err := strconv.ParseUint(d, 16, 64)
			if err != nil {
				return "", fmt.Errorf("replica %d: log entry %d: %w", id, h, err)
			}
			in.commits++
			in.safety.commit(in.live.end, sim.NodeID(id), protocols.Commit{Height: int64(h), Digest: protocols.Digest(v)})
		}
	}
	return ended, nil
}

// waitLive waits until the cluster stops, the run's duration passes or
// poll says to stop, and returns why as the World would.
func (in *instance) waitLive(cl *live.Cluster, poll func(sim.Time, uint64) bool) string {
	limit := time.NewTimer(time.Duration(in.run.Exp.Duration.T()))
	defer limit.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-cl.Done():
			return cl.Why()
		case <-limit.C:
			return "until"
		case <-tick.C:
			if poll != nil && !poll(cl.Now(), cl.Stats().Events) {
				return sim.Interrupted
			}
		}
	}
}

// waitHealthy polls a REST API's GET /health until it answers.
func waitHealthy(client *http.Client, rest string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get("http://" + rest + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer from http://%s/health in %v: %v", rest, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
