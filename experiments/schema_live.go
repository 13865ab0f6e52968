package experiments

import (
	"net"
	"strconv"

	"github.com/byzsim/byzsim/live"
)

// LiveConfig is the [live] table: where the nodes of a live run listen.
// Node i listens on port base + i of each kind (the scheme of a
// reference implementation: metrics on 300i, REST on 400i, TCP on 500i, UDP on 700i for
// i < 10); the clients' ids follow the replicas'. A base of 0 picks free
// ports.
type LiveConfig struct {
	// Host is the address listened on. Default 127.0.0.1.
	Host string `toml:"host,omitempty"`
	// MetricsPort is the base port of the replicas' Prometheus metrics
	// (GET /metrics). Default 3000.
	MetricsPort *int `toml:"metrics_port,omitempty"`
	// RESTPort is the base port of the replicas' REST API. Default 4000.
	RESTPort *int `toml:"rest_port,omitempty"`
	// TCPPort is the base port of the nodes' reliable channels. Default 5000.
	TCPPort *int `toml:"tcp_port,omitempty"`
	// UDPPort is the base port of the nodes' lossy channels. Default 7000.
	UDPPort *int `toml:"udp_port,omitempty"`
}

// Default base ports of live runs.
const (
	DefaultMetricsPort = 3000
	DefaultRESTPort    = 4000
	DefaultTCPPort     = 5000
	DefaultUDPPort     = 7000
)

// maxLiveNodes bounds the nodes the port scheme is checked for (replicas,
// clients and the request gateway).
func liveNodes(e *Experiment) int {
	nodes := e.Protocol.N + 1
	for _, w := range e.Workloads {
		nodes += max(w.Clients, 1)
	}
	return nodes
}

func validateLive(p *problems, e *Experiment) {
	c := e.Live
	if c == nil {
		return
	}
	if c.Host != "" && net.ParseIP(c.Host) == nil {
		p.add("live.host", "%q is not an IP address", c.Host)
	}
	nodes := liveNodes(e)
	for _, port := range []struct {
		key string
		v   *int
	}{{"live.metrics_port", c.MetricsPort}, {"live.rest_port", c.RESTPort}, {"live.tcp_port", c.TCPPort}, {"live.udp_port", c.UDPPort}} {
		if port.v != nil && (*port.v < 0 || *port.v+nodes-1 > 65535) {
			p.add(port.key, "%d is out of range (allowed: 0 for free ports, or 1 to %d so that all %d nodes' ports fit)", *port.v, 65535-nodes+1, nodes)
		}
	}
}

// LiveAddrs returns the addresses of a live run's nodes (nodes of them,
// replicas first) and of its n replicas' endpoints, from the [live] table
// or its defaults; free, when set, replaces every base port by 0.
func LiveAddrs(e *Experiment, nodes int, free bool) ([]live.Addr, []live.EndpointAddrs) {
	c := e.Live
	if c == nil {
		c = &LiveConfig{}
	}
	host := c.Host
	if host == "" {
		host = "127.0.0.1"
	}
	base := func(v *int, def int) int {
		if free {
			return 0
		}
		if v == nil {
			return def
		}
		return *v
	}
	addr := func(b, i int) string {
		if b == 0 {
			return net.JoinHostPort(host, "0")
		}
		return net.JoinHostPort(host, strconv.Itoa(b+i))
	}
	tcp, udp := base(c.TCPPort, DefaultTCPPort), base(c.UDPPort, DefaultUDPPort)
	metrics, rest := base(c.MetricsPort, DefaultMetricsPort), base(c.RESTPort, DefaultRESTPort)
	addrs := make([]live.Addr, nodes)
	for i := range addrs {
		addrs[i] = live.Addr{TCP: addr(tcp, i), UDP: addr(udp, i)}
	}
	eps := make([]live.EndpointAddrs, e.Protocol.N)
	for i := range eps {
		eps[i] = live.EndpointAddrs{Metrics: addr(metrics, i), REST: addr(rest, i)}
	}
	return addrs, eps
}
