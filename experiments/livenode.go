package experiments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/BurntSushi/toml"
	"github.com/byzsim/byzsim/live"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// ClusterFile describes a cluster of live processes (byzsim node
// --cluster FILE): the experiment every process runs and every node's
// addresses. Node ids are the replicas 0 … n−1, then the experiment's
// workload clients, then one request gateway per replica (replica i's is
// n + clients + i).
type ClusterFile struct {
	// Experiment is the experiment file, relative to the cluster file.
	Experiment string `toml:"experiment"`
	// Seed, when set, replaces the experiment's seed.
	Seed *uint64 `toml:"seed,omitempty"`
	// Sets are overrides as with --set.
	Sets []string `toml:"set,omitempty"`
	// Nodes are the nodes' addresses, by id.
	Nodes []ClusterNode `toml:"node"`
}

// ClusterNode is one node's addresses; Metrics and REST are a replica's.
type ClusterNode struct {
	TCP     string `toml:"tcp"`
	UDP     string `toml:"udp"`
	Metrics string `toml:"metrics,omitempty"`
	REST    string `toml:"rest,omitempty"`
}

// ReadClusterFile reads a cluster file.
func ReadClusterFile(path string) (*ClusterFile, error) {
	var cf ClusterFile
	md, err := toml.DecodeFile(path, &cf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, &Error{File: path, Key: und[0].String(), Msg: "unknown key (allowed: experiment, seed, set, node.tcp, node.udp, node.metrics, node.rest)"}
	}
	if cf.Experiment == "" {
		return nil, &Error{File: path, Key: "experiment", Msg: "missing: the experiment file the nodes run"}
	}
	if !filepath.IsAbs(cf.Experiment) {
		cf.Experiment = filepath.Join(filepath.Dir(path), cf.Experiment)
	}
	return &cf, nil
}

// WriteClusterFile writes a cluster file.
func WriteClusterFile(path string, cf *ClusterFile) error {
	var b bytes.Buffer
	b.WriteString("# A byzsim live cluster: run `byzsim node --id I --cluster FILE` for each replica I.\n")
	if err := toml.NewEncoder(&b).Encode(cf); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// loadCluster loads the cluster's experiment (one run, real signatures)
// and builds it with one gateway per replica.
func loadCluster(cf *ClusterFile, reg *protocols.Registry) (*instance, error) {
	plan, err := Load(cf.Experiment, reg, Options{Seed: cf.Seed, Sets: append(append([]string{}, cf.Sets...), "costs.real_crypto=true")})
	if err != nil {
		return nil, err
	}
	if len(plan.Runs) != 1 {
		return nil, &UsageError{Msg: fmt.Sprintf("%s: a cluster runs one run; the experiment has %d (a sweep or repetitions)", cf.Experiment, len(plan.Runs))}
	}
	run := &plan.Runs[0]
	proto, _ := reg.Lookup(run.Exp.Protocol.Name)
	if probs := LiveProblems(run.Exp, proto); len(probs) > 0 {
		return nil, &UsageError{Msg: fmt.Sprintf("%s cannot run live: %v", cf.Experiment, probs)}
	}
	in, err := buildWith(run, reg, nil, run.Exp.Protocol.N)
	if err != nil {
		return nil, err
	}
	if got, want := len(cf.Nodes), in.world.NumNodes(); got != want {
		return nil, &UsageError{Msg: fmt.Sprintf("the cluster file lists %d nodes; the experiment needs %d (%d replicas, %d clients, %d gateways)",
			got, want, run.Exp.Protocol.N, in.tracker.NumClients(), run.Exp.Protocol.N)}
	}
	return in, nil
}

// LiveNode is one replica of a cluster of processes, running.
type LiveNode struct {
	cluster *live.Cluster
	ep      *live.Endpoints
}

// StartLiveNode starts replica id of the cluster: its sockets, its request
// gateway and its metrics and REST endpoints. The experiment's network
// model and fault rules apply at its sends; the fault schedule acts on the
// process's own clock (from its start): crashes, recoveries and behaviour
// switches of its replica, and partitions on its sends.
func StartLiveNode(cf *ClusterFile, reg *protocols.Registry, id int) (*LiveNode, error) {
	in, err := loadCluster(cf, reg)
	if err != nil {
		return nil, err
	}
	e := in.run.Exp
	n := e.Protocol.N
	if id < 0 || id >= n {
		return nil, &UsageError{Msg: fmt.Sprintf("--id %d: the cluster's replicas are 0 to %d", id, n-1)}
	}
	w := in.world
	total := w.NumNodes()
	gwID := total - n + id
	nodes := make([]sim.Node, total)
	local := make([]bool, total)
	addrs := make([]live.Addr, total)
	for i := range nodes {
		nodes[i] = w.Node(sim.NodeID(i))
		addrs[i] = live.Addr{TCP: cf.Nodes[i].TCP, UDP: cf.Nodes[i].UDP}
	}
	local[id], local[gwID] = true, true
	model, err := linkModel(&e.Network, n, total)
	if err != nil {
		return nil, err
	}
	var interceptors []sim.Interceptor
	if in.engine != nil {
		interceptors = append(interceptors, in.engine)
	}
	var cl *live.Cluster
	metrics := live.NewMetrics(n, func(i sim.NodeID) int { return cl.QueueLength(i) })
	cl, err = live.New(live.Config{
		Replicas: n, Nodes: nodes, Local: local, Addrs: addrs,
		Codec: protocols.WireCodec{Proto: in.res.proto.Codec}, Seed: in.run.Seed,
		Model: model, KindChannel: kindChannels(e), Interceptors: interceptors,
		Tracer: metrics, OnInput: metrics.Input,
	})
	if err != nil {
		return nil, err
	}
	gw := in.gateways[id]
	gw.Bind(cl, sim.NodeID(gwID))
	ep, err := live.Serve(cl, sim.NodeID(id), cf.Nodes[id].Metrics, cf.Nodes[id].REST, metrics, gw)
	if err != nil {
		cl.Close()
		return nil, err
	}
	// The fault schedule, on this process's clock: its own replica's
	// crashes and behaviour switches, and partitions at its sends.
	if err := laterBehaviours(in.res.schedule).ApplyTo(cl, in.res.proto, in.replicas); err != nil {
		ep.Close()
		cl.Close()
		return nil, fmt.Errorf("fault schedule: %w", err)
	}
	cl.Start()
	return &LiveNode{cluster: cl, ep: ep}, nil
}

// Endpoints returns the node's endpoints.
func (n *LiveNode) Endpoints() *live.Endpoints { return n.ep }

// Close stops the node.
func (n *LiveNode) Close() {
	n.ep.Close()
	n.cluster.Close()
}

func kindChannels(e *Experiment) map[string]sim.Channel {
	kinds := map[string]sim.Channel{}
	for kind, ch := range e.Network.Channels {
		var ignored problems // validated before
		kinds[kind] = parseChannel(&ignored, "", ch)
	}
	return kinds
}

// FreeLoopbackPorts returns k TCP ports free on 127.0.0.1 a moment ago
// (for clusters of processes, which must know each other's ports).
func FreeLoopbackPorts(k int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	var ports []int
	for range k {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// fetchLog reads a replica's whole committed log over its REST API.
func fetchLog(client *http.Client, rest string) ([]string, error) {
	var entries []string
	for {
		resp, err := client.Get("http://" + rest + "/log?from=" + strconv.Itoa(len(entries)))
		if err != nil {
			return entries, err
		}
		var lg live.Log
		err = json.NewDecoder(resp.Body).Decode(&lg)
		resp.Body.Close()
		if err != nil {
			return entries, err
		}
		entries = append(entries, lg.Entries...)
		if len(lg.Entries) == 0 || len(entries) >= lg.Length {
			return entries, nil
		}
	}
}
