package live

import (
	"bufio"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Metrics are the replicas' Prometheus metrics, one set per replica (each
// served on its replica's metrics port, see Handler), every series
// labelled with its node. It is a sim.Tracer: add it to the cluster's
// tracer to count messages and commits, and call Input after each input a
// replica handled. It is safe for concurrent use.
//
// The metrics are written in Prometheus's text exposition format (version
// 0.0.4), which every Prometheus server scrapes, by this package rather
// than a client library: byzsim is one binary, and a client library's
// initialisation (its default registry and collectors) would be paid by
// every byzsim command, live or not.
type Metrics struct {
	nodes   []*nodeMetrics
	queue   func(id sim.NodeID) int
	latency histogram
}

// nodeMetrics are one replica's series; mu guards them.
type nodeMetrics struct {
	mu      sync.Mutex
	node    string // the replica's id, the value of its node label
	round   float64
	commits float64
	// byKind counts messages and bytes by message kind.
	byKind map[string]*kindCounts
}

// kindCounts are one message kind's counters at one replica; a counter
// has a series once the kind was sent (sent and sentBytes), handled
// (received and receivedBytes) or dropped there.
type kindCounts struct {
	sent, sentBytes, received, receivedBytes, dropped float64
	wasSent, wasReceived, wasDropped                  bool
}

// histogram is a Prometheus histogram with cumulative bucket counts kept
// per bucket (counts[i] observations at most bounds[i], not in a lower
// bucket); mu guards it.
type histogram struct {
	mu     sync.Mutex
	bounds []float64
	counts []uint64
	count  uint64
	sum    float64
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

// latencyBuckets are the request latency histogram's upper bounds in
// seconds: 1 ms doubling 16 times, to 32.768 s.
func latencyBuckets() []float64 {
	b := make([]float64, 16)
	for i, v := 0, 0.001; i < len(b); i, v = i+1, v*2 {
		b[i] = v
	}
	return b
}

// NewMetrics makes the metrics of n replicas; queue gives a replica's
// input queue length. The request latency histogram is shared: every
// replica's metrics include it.
func NewMetrics(n int, queue func(id sim.NodeID) int) *Metrics {
	bounds := latencyBuckets()
	m := &Metrics{queue: queue, latency: histogram{bounds: bounds, counts: make([]uint64, len(bounds))}}
	for id := range n {
		m.nodes = append(m.nodes, &nodeMetrics{node: strconv.Itoa(id), byKind: map[string]*kindCounts{}})
	}
	return m
}

func (m *Metrics) node(id sim.NodeID) *nodeMetrics {
	if id < 0 || int(id) >= len(m.nodes) {
		return nil
	}
	return m.nodes[id]
}

// count adds to one of a replica's counters of a message kind.
func (m *Metrics) count(id sim.NodeID, kind string, add func(*kindCounts)) {
	nm := m.node(id)
	if nm == nil {
		return
	}
	nm.mu.Lock()
	defer nm.mu.Unlock()
	c := nm.byKind[kind]
	if c == nil {
		c = new(kindCounts)
		nm.byKind[kind] = c
	}
	add(c)
}

// Input records a replica's state after an input.
func (m *Metrics) Input(id sim.NodeID, n sim.Node) {
	if r, ok := n.(protocols.Replica); ok {
		if nm := m.node(id); nm != nil {
			nm.mu.Lock()
			nm.round = float64(r.Round())
			nm.mu.Unlock()
		}
	}
}

// Sent implements sim.Tracer.
func (m *Metrics) Sent(_ sim.Time, from, _ sim.NodeID, msg sim.Message) {
	m.count(from, msg.Kind(), func(c *kindCounts) {
		c.sent++
		c.sentBytes += float64(msg.Size())
		c.wasSent = true
	})
}

// Delivered implements sim.Tracer.
func (m *Metrics) Delivered(_ sim.Time, _, to sim.NodeID, msg sim.Message) {
	m.count(to, msg.Kind(), func(c *kindCounts) {
		c.received++
		c.receivedBytes += float64(msg.Size())
		c.wasReceived = true
	})
}

// Dropped implements sim.Tracer.
func (m *Metrics) Dropped(_ sim.Time, from, _ sim.NodeID, msg sim.Message, _ string) {
	m.count(from, msg.Kind(), func(c *kindCounts) {
		c.dropped++
		c.wasDropped = true
	})
}

// Fired implements sim.Tracer.
func (m *Metrics) Fired(sim.Time, sim.NodeID, sim.Timer) {}

// Observed implements sim.Tracer: commits and completed requests.
func (m *Metrics) Observed(_ sim.Time, node sim.NodeID, o sim.Observation) {
	switch o := o.(type) {
	case protocols.Commit:
		if nm := m.node(node); nm != nil {
			nm.mu.Lock()
			nm.commits++
			nm.mu.Unlock()
		}
	case protocols.Completed:
		m.ObserveLatency(o.Latency.Seconds())
	}
}

// ObserveLatency records one request latency in seconds (the REST
// gateway's).
func (m *Metrics) ObserveLatency(seconds float64) {
	h := &m.latency
	h.mu.Lock()
	defer h.mu.Unlock()
	h.count++
	h.sum += seconds
	if i, _ := slices.BinarySearch(h.bounds, seconds); i < len(h.bounds) {
		h.counts[i]++
	}
}

// ContentType is the media type of the metrics Handler serves.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Handler serves replica id's metrics in Prometheus's text format.
func (m *Metrics) Handler(id sim.NodeID) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		bw := bufio.NewWriter(w)
		m.write(bw, id)
		bw.Flush()
	})
}

// family is one metric family as written: its samples, each a line
// without the metric's name.
type family struct {
	name, help, typ string
	samples         []string
}

// write writes replica id's metric families in the text format, sorted by
// name, each series of a family by its labels, and families without a
// series left out, as Prometheus's own client writes them.
func (m *Metrics) write(w *bufio.Writer, id sim.NodeID) {
	nm := m.node(id)
	if nm == nil {
		return
	}
	node := `node="` + escapeLabel(nm.node) + `"`
	fams := []family{
		{name: MetricQueue, help: "Inputs waiting in the replica's mailbox.", typ: "gauge",
			samples: []string{"{" + node + "} " + formatFloat(float64(m.queue(id)))}},
		m.latency.family(MetricLatency, "Latency of the system's client requests, from first send to f+1 matching replies."),
	}
	nm.mu.Lock()
	fams = append(fams,
		family{name: MetricRound, help: "The replica's current round or view.", typ: "gauge",
			samples: []string{"{" + node + "} " + formatFloat(nm.round)}},
		family{name: MetricCommits, help: "Entries the replica committed (blocks or requests, as the protocol commits them).", typ: "counter",
			samples: []string{"{" + node + "} " + formatFloat(nm.commits)}})
	kinds := make([]string, 0, len(nm.byKind))
	for k := range nm.byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, f := range []struct {
		name, help string
		value      func(*kindCounts) (float64, bool)
	}{
		{MetricSent, "Messages the replica sent, by kind (self-sends included).", func(c *kindCounts) (float64, bool) { return c.sent, c.wasSent }},
		{MetricSentBytes, "Bytes of the messages the replica sent, by kind (modelled sizes).", func(c *kindCounts) (float64, bool) { return c.sentBytes, c.wasSent }},
		{MetricReceived, "Messages the replica handled, by kind.", func(c *kindCounts) (float64, bool) { return c.received, c.wasReceived }},
		{MetricReceivedBytes, "Bytes of the messages the replica handled, by kind (modelled sizes).", func(c *kindCounts) (float64, bool) { return c.receivedBytes, c.wasReceived }},
		{MetricDropped, "Messages of the replica dropped before delivery (loss, partition, fault rules), by kind.", func(c *kindCounts) (float64, bool) { return c.dropped, c.wasDropped }},
	} {
		fam := family{name: f.name, help: f.help, typ: "counter"}
		for _, k := range kinds {
			if v, ok := f.value(nm.byKind[k]); ok {
				fam.samples = append(fam.samples, `{kind="`+escapeLabel(k)+`",`+node+"} "+formatFloat(v))
			}
		}
		fams = append(fams, fam)
	}
	nm.mu.Unlock()
	slices.SortFunc(fams, func(a, b family) int { return strings.Compare(a.name, b.name) })
	for _, f := range fams {
		if len(f.samples) == 0 {
			continue
		}
		w.WriteString("# HELP " + f.name + " " + escapeHelp(f.help) + "\n")
		w.WriteString("# TYPE " + f.name + " " + f.typ + "\n")
		for _, s := range f.samples {
			w.WriteString(f.name + s + "\n")
		}
	}
}

// family returns the histogram as a metric family.
func (h *histogram) family(name, help string) family {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := family{name: name, help: help, typ: "histogram"}
	var below uint64
	for i, b := range h.bounds {
		below += h.counts[i]
		f.samples = append(f.samples, `_bucket{le="`+formatFloat(b)+`"} `+formatFloat(float64(below)))
	}
	f.samples = append(f.samples, `_bucket{le="+Inf"} `+formatFloat(float64(h.count)),
		"_sum "+formatFloat(h.sum), "_count "+formatFloat(float64(h.count)))
	return f
}

// formatFloat writes a sample value or bucket bound as Prometheus's client
// does: the shortest decimal or exponent form, +Inf, -Inf or NaN.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// escapeLabel escapes a label value: backslash, double quote and line
// feed.
func escapeLabel(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// escapeHelp escapes a HELP text: backslash and line feed.
func escapeHelp(s string) string {
	if !strings.ContainsAny(s, "\\\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}
