package live

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the replicas' Prometheus metrics, one registry per replica
// (each served on its replica's metrics port), every series labelled with
// its node. It is a sim.Tracer: add it to the cluster's tracer to count
// messages and commits, and call Input after each input a replica handled.
type Metrics struct {
	nodes   []*nodeMetrics
	latency prometheus.Histogram
}

type nodeMetrics struct {
	reg           *prometheus.Registry
	round         prometheus.Gauge
	commits       prometheus.Counter
	sent          *prometheus.CounterVec
	sentBytes     *prometheus.CounterVec
	received      *prometheus.CounterVec
	receivedBytes *prometheus.CounterVec
	dropped       *prometheus.CounterVec
}

// Metric names.
const (
	MetricRound         = "byzsim_round"
	MetricCommits       = "byzsim_commits_total"
	MetricSent          = "byzsim_messages_sent_total"
	MetricSentBytes     = "byzsim_message_bytes_sent_total"
	MetricReceived      = "byzsim_messages_received_total"
	MetricReceivedBytes = "byzsim_message_bytes_received_total"
	MetricDropped       = "byzsim_messages_dropped_total"
	MetricQueue         = "byzsim_input_queue_length"
	MetricLatency       = "byzsim_request_latency_seconds"
)

// NewMetrics makes the metrics of n replicas; queue gives a replica's
// input queue length. The request latency histogram is shared: every
// replica's registry serves it.
func NewMetrics(n int, queue func(id sim.NodeID) int) *Metrics {
	m := &Metrics{latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: MetricLatency,
		Help:    "Latency of the system's client requests, from first send to f+1 matching replies.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 16)})}
	kind := []string{"kind"}
	for id := 0; id < n; id++ {
		l := prometheus.Labels{"node": itoa(id)}
		nm := &nodeMetrics{
			reg:           prometheus.NewRegistry(),
			round:         prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricRound, Help: "The replica's current round or view.", ConstLabels: l}),
			commits:       prometheus.NewCounter(prometheus.CounterOpts{Name: MetricCommits, Help: "Entries the replica committed (blocks or requests, as the protocol commits them).", ConstLabels: l}),
			sent:          prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricSent, Help: "Messages the replica sent, by kind (self-sends included).", ConstLabels: l}, kind),
			sentBytes:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricSentBytes, Help: "Bytes of the messages the replica sent, by kind (modelled sizes).", ConstLabels: l}, kind),
			received:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricReceived, Help: "Messages the replica handled, by kind.", ConstLabels: l}, kind),
			receivedBytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricReceivedBytes, Help: "Bytes of the messages the replica handled, by kind (modelled sizes).", ConstLabels: l}, kind),
			dropped:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricDropped, Help: "Messages of the replica dropped before delivery (loss, partition, fault rules), by kind.", ConstLabels: l}, kind),
		}
		id := sim.NodeID(id)
		nm.reg.MustRegister(nm.round, nm.commits, nm.sent, nm.sentBytes, nm.received, nm.receivedBytes, nm.dropped, m.latency,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: MetricQueue, Help: "Inputs waiting in the replica's mailbox.", ConstLabels: l},
				func() float64 { return float64(queue(id)) }))
		m.nodes = append(m.nodes, nm)
	}
	return m
}

// Registry returns replica id's registry.
func (m *Metrics) Registry(id sim.NodeID) *prometheus.Registry { return m.nodes[id].reg }

func (m *Metrics) node(id sim.NodeID) *nodeMetrics {
	if id < 0 || int(id) >= len(m.nodes) {
		return nil
	}
	return m.nodes[id]
}

// Input records a replica's state after an input.
func (m *Metrics) Input(id sim.NodeID, n sim.Node) {
	if r, ok := n.(protocols.Replica); ok && m.node(id) != nil {
		m.nodes[id].round.Set(float64(r.Round()))
	}
}

// Sent implements sim.Tracer.
func (m *Metrics) Sent(_ sim.Time, from, _ sim.NodeID, msg sim.Message) {
	if nm := m.node(from); nm != nil {
		nm.sent.WithLabelValues(msg.Kind()).Inc()
		nm.sentBytes.WithLabelValues(msg.Kind()).Add(float64(msg.Size()))
	}
}

// Delivered implements sim.Tracer.
func (m *Metrics) Delivered(_ sim.Time, _, to sim.NodeID, msg sim.Message) {
	if nm := m.node(to); nm != nil {
		nm.received.WithLabelValues(msg.Kind()).Inc()
		nm.receivedBytes.WithLabelValues(msg.Kind()).Add(float64(msg.Size()))
	}
}

// Dropped implements sim.Tracer.
func (m *Metrics) Dropped(_ sim.Time, from, _ sim.NodeID, msg sim.Message, _ string) {
	if nm := m.node(from); nm != nil {
		nm.dropped.WithLabelValues(msg.Kind()).Inc()
	}
}

// Fired implements sim.Tracer.
func (m *Metrics) Fired(sim.Time, sim.NodeID, sim.Timer) {}

// Observed implements sim.Tracer: commits and completed requests.
func (m *Metrics) Observed(_ sim.Time, node sim.NodeID, o sim.Observation) {
	switch o := o.(type) {
	case protocols.Commit:
		if nm := m.node(node); nm != nil {
			nm.commits.Inc()
		}
	case protocols.Completed:
		m.latency.Observe(o.Latency.Seconds())
	}
}

// ObserveLatency records one request latency in seconds (the REST
// gateway's).
func (m *Metrics) ObserveLatency(seconds float64) { m.latency.Observe(seconds) }

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}
