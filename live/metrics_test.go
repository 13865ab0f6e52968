package live

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// kindMsg is a message of any kind and size.
type kindMsg struct {
	kind string
	size int
}

func (m kindMsg) Kind() string { return m.kind }
func (m kindMsg) Size() int    { return m.size }

// roundOnly is a replica that knows only its round.
type roundOnly struct {
	protocols.Replica
	round int64
}

func (r roundOnly) Round() int64 { return r.round }

// clientMetrics are the metrics of Metrics kept with Prometheus's own
// client, as a reference for the text Metrics writes.
type clientMetrics struct {
	regs                                              []*prometheus.Registry
	round                                             []prometheus.Gauge
	commits                                           []prometheus.Counter
	sent, sentBytes, received, receivedBytes, dropped []*prometheus.CounterVec
	latency                                           prometheus.Histogram
}

func newClientMetrics(n int, queue func(sim.NodeID) int) *clientMetrics {
	c := &clientMetrics{latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: MetricLatency,
		Help:    "Latency of the system's client requests, from first send to f+1 matching replies.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 16)})}
	kind := []string{"kind"}
	vec := func(name, help string, l prometheus.Labels) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: l}, kind)
	}
	for id := range n {
		l := prometheus.Labels{"node": strconv.Itoa(id)}
		c.regs = append(c.regs, prometheus.NewRegistry())
		c.round = append(c.round, prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricRound, Help: "The replica's current round or view.", ConstLabels: l}))
		c.commits = append(c.commits, prometheus.NewCounter(prometheus.CounterOpts{Name: MetricCommits, Help: "Entries the replica committed (blocks or requests, as the protocol commits them).", ConstLabels: l}))
		c.sent = append(c.sent, vec(MetricSent, "Messages the replica sent, by kind (self-sends included).", l))
		c.sentBytes = append(c.sentBytes, vec(MetricSentBytes, "Bytes of the messages the replica sent, by kind (modelled sizes).", l))
		c.received = append(c.received, vec(MetricReceived, "Messages the replica handled, by kind.", l))
		c.receivedBytes = append(c.receivedBytes, vec(MetricReceivedBytes, "Bytes of the messages the replica handled, by kind (modelled sizes).", l))
		c.dropped = append(c.dropped, vec(MetricDropped, "Messages of the replica dropped before delivery (loss, partition, fault rules), by kind.", l))
		nid := sim.NodeID(id)
		c.regs[id].MustRegister(c.round[id], c.commits[id], c.sent[id], c.sentBytes[id], c.received[id], c.receivedBytes[id], c.dropped[id], c.latency,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: MetricQueue, Help: "Inputs waiting in the replica's mailbox.", ConstLabels: l},
				func() float64 { return float64(queue(nid)) }))
	}
	return c
}

// TestMetricsAsPrometheusClient drives Metrics and the same metrics kept
// with Prometheus's client through random events (kinds that need
// escaping, latencies on bucket bounds, large byte counts, drops only at
// some replicas) and checks that every replica's page is the text the
// client writes, byte for byte, and that Prometheus's parser reads it.
func TestMetricsAsPrometheusClient(t *testing.T) {
	const n = 3
	queue := func(id sim.NodeID) int { return 7 * int(id) }
	ours, ref := NewMetrics(n, queue), newClientMetrics(n, queue)
	kinds := []string{"proposal", "vote", "timeout", `odd "kind"`, "back\\slash", "line\nfeed"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		id := sim.NodeID(rng.IntN(n + 1)) // n: out of range, ignored
		k := kinds[rng.IntN(len(kinds))]
		msg := kindMsg{k, rng.IntN(1 << 20)}
		known := id < n
		switch rng.IntN(7) {
		case 0:
			ours.Sent(0, id, 0, msg)
			if known {
				ref.sent[id].WithLabelValues(k).Inc()
				ref.sentBytes[id].WithLabelValues(k).Add(float64(msg.size))
			}
		case 1:
			ours.Delivered(0, 0, id, msg)
			if known {
				ref.received[id].WithLabelValues(k).Inc()
				ref.receivedBytes[id].WithLabelValues(k).Add(float64(msg.size))
			}
		case 2:
			if id != 1 { // replica 1 drops nothing: no dropped family
				ours.Dropped(0, id, 0, msg, "loss")
				if known {
					ref.dropped[id].WithLabelValues(k).Inc()
				}
			}
		case 3:
			ours.Observed(0, id, protocols.Commit{})
			if known {
				ref.commits[id].Inc()
			}
		case 4:
			r := rng.Int64N(1000)
			ours.Input(id, roundOnly{round: r})
			if known {
				ref.round[id].Set(float64(r))
			}
		case 5:
			l := sim.Time(rng.Int64N(int64(40 * sim.Second)))
			if rng.IntN(4) == 0 {
				l = sim.Time(rng.IntN(16)) * sim.Millisecond << rng.IntN(6) // often on a bound
			}
			ours.Observed(0, id, protocols.Completed{Latency: l})
			ref.latency.Observe(l.Seconds())
		case 6:
			s := rng.Float64() * 3
			ours.ObserveLatency(s)
			ref.latency.Observe(s)
		}
	}
	for id := range sim.NodeID(n) {
		got := scrape(t, ours.Handler(id))
		want := scrape(t, promhttp.HandlerFor(ref.regs[id], promhttp.HandlerOpts{}))
		if got != want {
			t.Errorf("replica %d: page differs from Prometheus's client:\n%s\nwant:\n%s", id, got, want)
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(strings.NewReader(got))
		if err != nil {
			t.Fatalf("replica %d: the page does not parse: %v", id, err)
		}
		if _, ok := fams[MetricDropped]; ok != (id != 1) {
			t.Errorf("replica %d: dropped family present: %v", id, ok)
		}
	}
}

// TestMetricsEmpty checks the page of a replica before any event: the
// families without a series (messages by kind) are left out.
func TestMetricsEmpty(t *testing.T) {
	got := scrape(t, NewMetrics(1, func(sim.NodeID) int { return 0 }).Handler(0))
	want := scrape(t, promhttp.HandlerFor(newClientMetrics(1, func(sim.NodeID) int { return 0 }).regs[0], promhttp.HandlerOpts{}))
	if got != want {
		t.Errorf("page:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(got, MetricSent) || !strings.Contains(got, MetricCommits+`{node="0"} 0`) {
		t.Errorf("page:\n%s", got)
	}
}

// scrape returns the text page h serves to a Prometheus server asking for
// the text format.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("status %d, content type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	body, err := io.ReadAll(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}
