package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"unsafe"
)

// runLink sends count messages from node 0 to node 1 over link, one every
// gap, and returns what node 1 received and the world.
func runLink(seed uint64, link Link, count int, gap Time) ([]arrival, *World) {
	w := NewWorld(Config{Seed: seed, Replicas: 2})
	w.Network().SetDefault(link)
	var got []arrival
	w.AddNode(sender(1, count, gap, 100), 0)
	w.AddNode(recorder(&got), 0)
	w.Run(Never)
	return got, w
}

func TestLossyLossRate(t *testing.T) {
	const n = 100_000
	for _, p := range []float64{0.01, 0.1, 0.5} {
		got, w := runLink(3, Link{Delay: Constant{D: Millisecond}, Loss: p, Channel: Lossy}, n, Microsecond)
		lost := n - len(got)
		sigma := math.Sqrt(n * p * (1 - p))
		if math.Abs(float64(lost)-n*p) > 4.5*sigma {
			t.Errorf("loss %g: lost %d of %d, want %.0f ± %.0f", p, lost, n, n*p, 4.5*sigma)
		}
		if s := w.Stats(); s.Dropped != uint64(lost) || s.Delivered != uint64(len(got)) {
			t.Errorf("loss %g: stats %+v disagree with %d delivered", p, s, len(got))
		}
	}
}

// TestReliableRetransmits checks that loss on a reliable link becomes whole
// RTOs of delay, with a geometric number of retransmissions, and that
// nothing is dropped.
func TestReliableRetransmits(t *testing.T) {
	const (
		n     = 20_000
		p     = 0.3
		rto   = 100 * Millisecond
		delay = Millisecond
	)
	// Messages 10s apart, so FIFO order never adds delay.
	got, w := runLink(5, Link{Delay: Constant{D: delay}, Loss: p, RTO: rto}, n, 10*Second)
	if len(got) != n || w.Stats().Dropped != 0 {
		t.Fatalf("delivered %d of %d, dropped %d", len(got), n, w.Stats().Dropped)
	}
	retried, total := 0, 0
	for _, a := range got {
		extra := a.at - Time(a.id)*10*Second - delay
		if extra < 0 || extra%rto != 0 {
			t.Fatalf("message %d arrived %v after its base delay, not a whole number of RTOs", a.id, extra)
		}
		k := int(extra / rto)
		total += k
		if k > 0 {
			retried++
		}
	}
	sigma := math.Sqrt(n * p * (1 - p))
	if math.Abs(float64(retried)-n*p) > 4.5*sigma {
		t.Errorf("%d messages retransmitted, want %.0f ± %.0f", retried, n*p, 4.5*sigma)
	}
	// Retransmissions per message are geometric: mean p/(1−p), variance
	// p/(1−p)².
	mean := p / (1 - p)
	sd := math.Sqrt(p/((1-p)*(1-p))) / math.Sqrt(n)
	if got := float64(total) / n; math.Abs(got-mean) > 4.5*sd {
		t.Errorf("mean retransmissions %.4f, want %.4f ± %.4f", got, mean, 4.5*sd)
	}
	// Default RTO on a link that sets none, and a loss of 1 still delivers.
	got, _ = runLink(5, Link{Loss: 1}, 1, 0)
	if len(got) != 1 || got[0].at != maxRetransmits*DefaultRTO {
		t.Errorf("loss 1: got %v, want one arrival at %v", got, maxRetransmits*DefaultRTO)
	}
}

func TestOrdering(t *testing.T) {
	tests := []struct {
		name       string
		link       Link
		wantInvert bool
	}{
		{"reliable is FIFO", Link{Delay: Uniform{Min: 0, Max: 10 * Millisecond}}, false},
		{"reliable is FIFO with loss", Link{Delay: Exponential{M: 2 * Millisecond}, Loss: 0.2, RTO: 5 * Millisecond}, false},
		{"lossy reorders", Link{Delay: Uniform{Min: 0, Max: 10 * Millisecond}, Channel: Lossy}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := runLink(9, tc.link, 5000, 100*Microsecond)
			if len(got) != 5000 {
				t.Fatalf("delivered %d, want 5000", len(got))
			}
			inversions := 0
			for i := 1; i < len(got); i++ {
				if got[i].id < got[i-1].id {
					inversions++
				}
				if got[i].at < got[i-1].at {
					t.Fatalf("deliveries out of time order")
				}
			}
			if (inversions > 0) != tc.wantInvert {
				t.Fatalf("%d inversions, want inversions: %v", inversions, tc.wantInvert)
			}
		})
	}
}

// TestBandwidth checks serialization: a message waits for the link to be
// free, then takes size/bandwidth, then propagates.
func TestBandwidth(t *testing.T) {
	const ms = Millisecond
	w := NewWorld(Config{Seed: 1, Replicas: 2})
	w.Network().SetDefault(Link{Delay: Constant{D: 5 * ms}, Bandwidth: 1e6}) // 1 byte/µs
	var got []arrival
	w.AddNode(&funcNode{
		start: func(env Env) {
			env.Send(1, &testMsg{id: 0, size: 1000}) // on the wire 0–1ms
			env.Send(1, &testMsg{id: 1, size: 2000}) // 1–3ms
			env.SetTimer(2*ms, 0, 0)
			env.SetTimer(10*ms, 1, 0)
		},
		fire: func(env Env, tm Timer) {
			if tm.Kind == 0 {
				env.Send(1, &testMsg{id: 2, size: 500}) // waits: 3–3.5ms
				return
			}
			env.Charge(ms)
			env.Send(1, &testMsg{id: 3, size: 1}) // leaves at 11ms: 11–11.001ms
		},
	}, 0)
	w.AddNode(recorder(&got), 0)
	w.Run(Never)
	want := []arrival{
		{6 * ms, 0, 0},
		{8 * ms, 0, 1},
		{8*ms + 500*Microsecond, 0, 2},
		{16*ms + Microsecond, 0, 3},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("arrivals %v, want %v", got, want)
	}
	tests := []struct {
		size int
		bw   float64
		want Time
	}{
		{1000, 1e6, ms},
		{1, 1e9, Nanosecond},
		{3, 7, 428571429}, // rounded to the nearest nanosecond
		{1000, 0, 0},
		{100, 1e9 / 3, 300 * Nanosecond},
	}
	for _, tc := range tests {
		if got := SerializationDelay(tc.size, tc.bw); got != tc.want {
			t.Errorf("SerializationDelay(%d, %g) = %v, want %v", tc.size, tc.bw, got, tc.want)
		}
	}
}

func TestPartition(t *testing.T) {
	// Nodes 0–4; 4 is not listed in any group.
	groups := [][]NodeID{{0, 1}, {2, 3}}
	tests := []struct {
		from, to NodeID
		dropped  bool
	}{
		{0, 1, false}, {1, 0, false}, {2, 3, false},
		{0, 2, true}, {3, 1, true}, {1, 3, true},
		{4, 0, false}, {0, 4, false}, {4, 3, false}, {3, 4, false},
		{2, 2, false},
	}
	w := NewWorld(Config{Seed: 1, Replicas: 5})
	got := make([][]arrival, 5)
	for i := range 5 {
		w.AddNode(recorder(&got[i]), 0)
	}
	net := w.Network()
	net.SetPartition(groups)
	for i, tc := range tests {
		if p := net.Partitioned(tc.from, tc.to); p != tc.dropped {
			t.Errorf("Partitioned(%d, %d) = %v, want %v", tc.from, tc.to, p, tc.dropped)
		}
		w.At(Time(i), func() { sendNow(w, tc.from, tc.to, &testMsg{id: i}) })
	}
	healAt := Time(len(tests))
	w.At(healAt, func() { net.Heal() })
	for i, tc := range tests {
		w.At(healAt+1+Time(i), func() { sendNow(w, tc.from, tc.to, &testMsg{id: 100 + i}) })
	}
	w.Run(Never)
	for i, tc := range tests {
		before := slices.ContainsFunc(got[tc.to], func(a arrival) bool { return a.id == i })
		after := slices.ContainsFunc(got[tc.to], func(a arrival) bool { return a.id == 100+i })
		if before == tc.dropped {
			t.Errorf("%d→%d during the partition: delivered %v, want %v", tc.from, tc.to, before, !tc.dropped)
		}
		if !after {
			t.Errorf("%d→%d after Heal: not delivered", tc.from, tc.to)
		}
	}
}

// dropKind drops messages of one kind and delays those of another.
type dropKind struct {
	drop, slow string
	extra      Time
	seen       int
}

func (d *dropKind) Intercept(p *Packet) string {
	d.seen++
	switch p.Msg.Kind() {
	case d.drop:
		return "dropped by rule"
	case d.slow:
		p.Extra += d.extra
	}
	return ""
}

func TestInterceptor(t *testing.T) {
	const ms = Millisecond
	w := NewWorld(Config{Seed: 1, Replicas: 2})
	w.Network().SetDefault(Link{Delay: Constant{D: ms}, Channel: Lossy})
	rule := &dropKind{drop: "bad", slow: "slow", extra: 7 * ms}
	w.Network().AddInterceptor(rule)
	var got []arrival
	w.AddNode(&funcNode{start: func(env Env) {
		env.Send(1, &testMsg{id: 0, kind: "bad"})
		env.Send(1, &testMsg{id: 1, kind: "slow"})
		env.Send(1, &testMsg{id: 2})
		env.Send(0, &testMsg{id: 3, kind: "slow"}) // self-send: extra only
	}}, 0)
	w.AddNode(recorder(&got), 0)
	w.Run(Never)
	want := []arrival{{ms, 0, 2}, {8 * ms, 0, 1}}
	if !slices.Equal(got, want) {
		t.Fatalf("arrivals %v, want %v", got, want)
	}
	if rule.seen != 4 || w.Stats().Dropped != 1 || w.Stats().Delivered != 3 {
		t.Fatalf("interceptor saw %d, stats %+v", rule.seen, w.Stats())
	}
}

// TestStreamIndependence checks that adding a node with its own traffic, or
// an interceptor that drops nothing, does not change the delays drawn on
// link 0→1.
func TestStreamIndependence(t *testing.T) {
	link := Link{Delay: Exponential{M: 5 * Millisecond}, Loss: 0.1, Channel: Lossy}
	build := func(extraNode, interceptor bool) []arrival {
		w := NewWorld(Config{Seed: 42, Replicas: 2})
		w.Network().SetDefault(link)
		if interceptor {
			w.Network().AddInterceptor(&dropKind{slow: "noise", extra: Millisecond})
		}
		var got []arrival
		w.AddNode(sender(1, 2000, Millisecond, 10), 0)
		n1 := recorder(&got)
		w.AddNode(n1, 0)
		if extraNode {
			// Node 2 sends to 1 and 0 and draws from its own stream.
			w.AddNode(&funcNode{
				start: func(env Env) { env.SetTimer(Microsecond, 0, 0) },
				fire: func(env Env, _ Timer) {
					env.Send(1, &testMsg{id: -1, kind: "noise"})
					env.Send(0, &testMsg{id: -1, kind: "noise"})
					env.SetTimer(Time(env.Rand().IntN(1000)+1)*Microsecond, 0, 0)
				},
			}, 0)
		}
		w.Run(3 * Second)
		var from0 []arrival
		for _, a := range got {
			if a.from == 0 {
				from0 = append(from0, a)
			}
		}
		return from0
	}
	base := build(false, false)
	if len(base) < 1500 {
		t.Fatalf("only %d messages arrived", len(base))
	}
	for _, tc := range []struct {
		name                   string
		extraNode, interceptor bool
	}{{"extra node", true, false}, {"interceptor", false, true}, {"both", true, true}} {
		if got := build(tc.extraNode, tc.interceptor); !slices.Equal(got, base) {
			t.Errorf("%s: arrivals on 0→1 changed", tc.name)
		}
	}
}

func TestRegionModel(t *testing.T) {
	const ms = Millisecond
	regions := []string{"eu", "us", "ap"}
	oneWay := [][]Time{
		{1 * ms, 40 * ms, 120 * ms},
		{41 * ms, 2 * ms, 80 * ms},
		{121 * ms, 81 * ms, 3 * ms},
	}
	nodeRegion := []string{"eu", "us", "ap", "eu"}
	model, err := RegionModel(regions, oneWay, nodeRegion, nil, Link{Channel: Lossy, Loss: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{"eu": 0, "us": 1, "ap": 2}
	for from := range NodeID(4) {
		for to := range NodeID(4) {
			l := model(from, to)
			want := oneWay[idx[nodeRegion[from]]][idx[nodeRegion[to]]]
			if l.Delay.Mean() != want || l.Channel != Lossy || l.Loss != 0.25 {
				t.Errorf("link %d→%d = %+v, want delay %v, lossy, loss 0.25", from, to, l, want)
			}
		}
	}
	// In a world, with jitter: every arrival is the base plus a jitter draw.
	jitter := Uniform{Min: 0, Max: ms}
	model, err = RegionModel(regions, oneWay, nodeRegion, jitter, Link{})
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorld(Config{Seed: 1, Replicas: 4})
	w.Network().SetModel(model)
	var got []arrival
	w.AddNode(&funcNode{start: func(env Env) {
		for i := range 100 {
			env.Send(2, &testMsg{id: i})
		}
	}}, 0)
	w.AddNode(&funcNode{}, 0)
	w.AddNode(recorder(&got), 0)
	w.AddNode(&funcNode{}, 0)
	w.Run(Never)
	distinct := map[Time]bool{}
	for _, a := range got {
		if a.at < 120*ms || a.at > 121*ms {
			t.Fatalf("eu→ap arrival at %v, want in [120ms, 121ms]", a.at)
		}
		distinct[a.at] = true
	}
	if len(got) != 100 || len(distinct) < 2 {
		t.Fatalf("%d arrivals, %d distinct times: jitter missing", len(got), len(distinct))
	}

	bad := []struct {
		name       string
		regions    []string
		oneWay     [][]Time
		nodeRegion []string
		want       string
	}{
		{"no regions", nil, nil, nil, "no regions"},
		{"empty name", []string{"eu", ""}, [][]Time{{0, 0}, {0, 0}}, nil, "empty name"},
		{"duplicate", []string{"eu", "eu"}, [][]Time{{0, 0}, {0, 0}}, nil, "twice"},
		{"too few rows", []string{"eu", "us"}, [][]Time{{0, 0}}, nil, "1 rows, want 2"},
		{"ragged row", []string{"eu", "us"}, [][]Time{{0, 0}, {0}}, nil, "row 1 (us) has 1 entries"},
		{"negative", []string{"eu", "us"}, [][]Time{{0, -1}, {0, 0}}, nil, "eu→us is negative"},
		{"unknown region", []string{"eu"}, [][]Time{{0}}, []string{"eu", "mars"}, `node 1 is in unknown region "mars"`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RegionModel(tc.regions, tc.oneWay, tc.nodeRegion, nil, Link{})
			if err == nil || !containsAll(err.Error(), "sim: region model", tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	mustPanic(t, "region model", func() { model(4, 0) })
}

// TestKindChannel checks that a per-kind channel override makes one kind
// lossy on a reliable link while the other kinds stay reliable.
func TestKindChannel(t *testing.T) {
	w := NewWorld(Config{Seed: 3, Replicas: 2})
	w.Network().SetDefault(Link{Delay: Constant{D: Millisecond}, Loss: 0.3, Channel: Reliable})
	w.Network().SetKindChannel("token", Lossy)
	got := map[string]int{}
	recv := &funcNode{deliver: func(_ Env, _ NodeID, m Message) { got[m.Kind()]++ }}
	send := &funcNode{start: func(env Env) {
		for i := 0; i < 2000; i++ {
			env.Send(1, &testMsg{id: i, kind: "token"})
			env.Send(1, &testMsg{id: i, kind: "state"})
		}
	}}
	w.AddNode(send, 0)
	w.AddNode(recv, 0)
	w.Run(Never)
	if got["state"] != 2000 {
		t.Errorf("reliable kind delivered %d of 2000", got["state"])
	}
	if lost := 2000 - got["token"]; lost < 450 || lost > 750 {
		t.Errorf("lossy kind lost %d of 2000, want about 600", lost)
	}
}

// choice is a delay distribution whose values are not comparable.
type choice struct{ ds []Time }

func (c choice) Sample(r *rand.Rand) Time { return c.ds[r.IntN(len(c.ds))] }
func (c choice) CDF(float64) float64      { return 0 }
func (c choice) Mean() Time               { return c.ds[0] }
func (c choice) String() string           { return "choice" }

// TestLinkModelsShared: links with equal models share one, links with
// different models do not, and a model whose delay is not comparable works
// (it is never shared).
func TestLinkModelsShared(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 4})
	w.Network().SetModel(func(from, to NodeID) Link {
		switch {
		case from == 3:
			return Link{Delay: choice{ds: []Time{Millisecond, 2 * Millisecond}}}
		case to == 2:
			return Link{Delay: Uniform{Min: Millisecond, Max: 3 * Millisecond}}
		}
		return Link{Delay: Constant{D: Millisecond}}
	})
	var got []arrival
	for range 4 {
		w.AddNode(recorder(&got), 0)
	}
	for from := NodeID(0); from < 4; from++ {
		for to := NodeID(0); to < 4; to++ {
			if from != to {
				sendNow(w, from, to, &testMsg{id: int(from*4 + to)})
			}
		}
	}
	w.Run(Never)
	if len(got) != 12 {
		t.Fatalf("%d messages arrived, want 12", len(got))
	}
	n := w.Network()
	if a, b := n.link(0, 1).model, n.link(1, 0).model; a != b {
		t.Error("two links with the same constant model do not share it")
	}
	if a, b := n.link(0, 1).model, n.link(0, 2).model; a == b || n.models[b-1].Link != (Link{Delay: Uniform{Min: Millisecond, Max: 3 * Millisecond}, RTO: DefaultRTO}) {
		t.Errorf("links with different models share one, or the uniform model is %+v", n.models[b-1].Link)
	}
	if a, b := n.link(3, 0).model, n.link(3, 1).model; a == b {
		t.Error("links whose delay is not comparable share a model")
	}
}

// TestLinkStateSize checks that a link's state fills half a cache line, so
// that a send touches one line of the link table.
func TestLinkStateSize(t *testing.T) {
	if got := unsafe.Sizeof(linkState{}); got != 32 {
		t.Errorf("linkState is %d bytes, want 32", got)
	}
}

// listMsg is a message of a type that is not comparable (== on two of them
// in interfaces panics), sent by value.
type listMsg struct{ parts []string }

func (m listMsg) Kind() string { return "list" }
func (m listMsg) Size() int    { return 10 * len(m.parts) }

// TestSendKindSizeOfEachMessage checks the counters of messages sent one
// Send at a time, the same message to several peers and different
// messages in turn: pointer messages, messages sent by value, and a type
// == cannot compare.
func TestSendKindSizeOfEachMessage(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 3})
	a := &testMsg{kind: "a", size: 5}
	b := &testMsg{kind: "b", size: 7}
	w.AddNode(&funcNode{start: func(env Env) {
		for to := NodeID(1); to < 3; to++ {
			env.Send(to, a) // the same message to each peer
		}
		env.Send(1, b)
		env.Send(2, a)
		env.Send(1, listMsg{parts: []string{"x"}})
		env.Send(2, listMsg{parts: []string{"x", "y"}})
		env.Send(2, &testMsg{kind: "a", size: 1}) // another message of kind a
	}}, 0)
	w.AddNode(&funcNode{}, 0)
	w.AddNode(&funcNode{}, 0)
	w.Run(Never)
	kinds, _ := w.MessageCounts()
	got := map[string][2]uint64{}
	for _, c := range kinds {
		got[c.Kind] = [2]uint64{c.Sent, c.Bytes}
	}
	want := map[string][2]uint64{"a": {4, 16}, "b": {1, 7}, "list": {2, 30}}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("kind %s: sent and bytes %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
}

// TestSameModel checks that sameModel is Link's ==, for the delays intern
// shares.
func TestSameModel(t *testing.T) {
	// sameModel lists Link's fields by hand: a field added to Link must
	// be added there too (and below).
	var fields []string
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Link]()) {
		fields = append(fields, f.Name)
	}
	if want := []string{"Delay", "Loss", "Bandwidth", "Channel", "RTO"}; !slices.Equal(fields, want) {
		t.Fatalf("Link's fields are %v, sameModel compares %v", fields, want)
	}
	links := []Link{
		{Delay: Constant{}},
		{Delay: Constant{D: Millisecond}},
		{Delay: Constant{D: Millisecond}, RTO: DefaultRTO},
		{Delay: Uniform{Min: 1, Max: 2}},
		{Delay: Uniform{Min: 1, Max: 3}},
		{Delay: Normal{Mu: 1, Sigma: 2}},
		{Delay: Normal{Mu: 1, Sigma: 2}, Loss: 0.1},
		{Delay: Normal{Mu: 1, Sigma: 2}, Loss: math.NaN()},
		{Delay: Normal{Mu: 1, Sigma: 2}, Bandwidth: 1e6},
		{Delay: Normal{Mu: 1, Sigma: 2}, Channel: Lossy},
		{Delay: Normal{Mu: 2, Sigma: 1}},
		{Delay: Exponential{M: 1}},
		{Delay: Exponential{M: 2}},
		{Delay: LogNormal{Median: 1, Sigma: 1}},
	}
	for i := range links {
		for j := range links {
			a, b := links[i], links[j]
			if got, want := sameModel(&a, &b), a == b; got != want {
				t.Errorf("sameModel(%+v, %+v) = %v, want %v", a, b, got, want)
			}
		}
	}
}

// hookTracer records the sends and drops it sees, by message id.
type hookTracer struct{ seen []string }

func (h *hookTracer) Sent(_ Time, _, _ NodeID, m Message) {
	h.seen = append(h.seen, fmt.Sprintf("sent %d", m.(*testMsg).id))
}
func (h *hookTracer) Dropped(_ Time, _, _ NodeID, m Message, why string) {
	h.seen = append(h.seen, fmt.Sprintf("drop %d %s", m.(*testMsg).id, why))
}
func (h *hookTracer) Delivered(Time, NodeID, NodeID, Message) {}
func (h *hookTracer) Fired(Time, NodeID, Timer)               {}
func (h *hookTracer) Observed(Time, NodeID, Observation)      {}

// extraDelay is an interceptor that adds a fixed delay.
type extraDelay Time

func (d extraDelay) Intercept(p *Packet) string { p.Extra += Time(d); return "" }

// TestSendHooksFollowChanges turns the tracer, a partition and an
// interceptor on and off between sends (one message every 10 ms over a
// 1 ms link) and checks that each send sees exactly the hooks installed
// at its time: a send tests them behind one flag, which every change must
// keep up to date.
func TestSendHooksFollowChanges(t *testing.T) {
	w := NewWorld(Config{Seed: 1, Replicas: 2})
	var got []arrival
	a := w.AddNode(&funcNode{}, 0)
	b := w.AddNode(recorder(&got), 0)
	w.Network().SetDefault(Link{Delay: Constant{D: Millisecond}})
	tr := &hookTracer{}
	phases := []struct {
		name   string
		change func()
	}{
		{"plain", func() {}},
		{"tracer on", func() { w.SetTracer(tr) }},
		{"tracer off", func() { w.SetTracer(nil) }},
		{"partition", func() { w.Network().SetPartition([][]NodeID{{a}, {b}}) }},
		{"healed", func() { w.Network().Heal() }},
		{"tracer and partition", func() { w.SetTracer(tr); w.Network().SetPartition([][]NodeID{{a}, {b}}) }},
		{"interceptor only", func() { w.SetTracer(nil); w.Network().Heal(); w.Network().AddInterceptor(extraDelay(2 * Millisecond)) }},
	}
	for p, ph := range phases {
		w.At(Time(p)*10*Millisecond, func() {
			ph.change()
			sendNow(w, a, b, &testMsg{id: p})
		})
	}
	w.Run(Second)
	wantGot := []arrival{{Millisecond, a, 0}, {11 * Millisecond, a, 1}, {21 * Millisecond, a, 2}, {41 * Millisecond, a, 4}, {63 * Millisecond, a, 6}}
	if fmt.Sprint(got) != fmt.Sprint(wantGot) {
		t.Errorf("arrivals %v, want %v", got, wantGot)
	}
	wantSeen := []string{"sent 1", "sent 5", "drop 5 partition"}
	if fmt.Sprint(tr.seen) != fmt.Sprint(wantSeen) {
		t.Errorf("tracer saw %q, want %q", tr.seen, wantSeen)
	}
	if s := w.Stats(); s.Sent != 7 || s.Dropped != 2 {
		t.Errorf("sent %d, dropped %d; want 7 and 2", s.Sent, s.Dropped)
	}
}

// TestNewLinkFindsLastModel makes links whose models come in an order that
// exercises newLink's memo of the last model (sameBoxed): the same boxed
// delay with the same and with other losses, bandwidths, channels and
// RTOs, equal delays boxed apart, a NaN loss, delays intern does not share,
// more distinct models than intern remembers, and the last model pushed out
// of what it remembers by models it does not keep as the last. Every link must get the
// index that intern alone gives for the same sequence of models (a second
// network without the memo), and a model equal to the one asked for.
func TestNewLinkFindsLastModel(t *testing.T) {
	base := Link{Delay: Normal{Mu: 250 * Millisecond, Sigma: 50 * Millisecond}}
	other := base
	other.Delay = Uniform{Min: 1, Max: 9} // boxed once, here
	nanSigma := Link{Delay: LogNormal{Median: Millisecond, Sigma: math.NaN()}}
	with := func(l Link, f func(*Link)) Link { f(&l); return l }
	models := []Link{
		base, base, base,
		with(base, func(l *Link) { l.Loss = 0.1 }), // the same box
		base,
		with(base, func(l *Link) { l.Bandwidth = 1e6 }),
		with(base, func(l *Link) { l.Bandwidth = 1e6 }),
		base,
		with(base, func(l *Link) { l.Channel = Lossy }),
		with(base, func(l *Link) { l.RTO = DefaultRTO }), // as base once defaulted
		with(base, func(l *Link) { l.RTO = 2 * DefaultRTO }),
		base,
		with(base, func(l *Link) { l.Loss = math.NaN() }),
		with(base, func(l *Link) { l.Loss = math.NaN() }),
		other, other, base, other,
		{Delay: Uniform{Min: 1, Max: 8}}, {Delay: Normal{Mu: 1, Sigma: 2}}, base,
		{Delay: Exponential{M: 1}}, base,
		nanSigma, nanSigma, // the same box, not equal to itself
		{Delay: choice{ds: []Time{1, 2}}}, base,
		{}, {}, {Delay: Constant{}}, base,
	}
	for i := range 2 * modelCache {
		// Equal delays boxed anew on every call, more of them than
		// intern remembers, each asked twice in a row.
		d := Time(i%(modelCache+3)+1) * Millisecond
		models = append(models, Link{Delay: Constant{D: d}}, Link{Delay: Constant{D: d}}, base)
	}
	// Models that intern remembers without making them the last one push
	// the last one out of what it remembers: base is made anew after them.
	for i := range modelCache {
		models = append(models, Link{Delay: Exponential{M: Time(i + 2)}})
	}
	models = append(models, base, base)
	nodes := len(models) + 1
	w := NewWorld(Config{Seed: 1, Replicas: nodes})
	for range nodes {
		w.AddNode(&funcNode{}, 0)
	}
	n := w.Network()
	n.SetModel(func(from, to NodeID) Link {
		l := models[to-1]
		if c, ok := l.Delay.(Constant); ok && c.D > 0 {
			l.Delay = Constant{D: c.D} // boxed anew (beyond 255: not a static box)
		}
		return l
	})
	ref := newNetwork(NewWorld(Config{}))
	for i, m := range models {
		ls := n.link(0, NodeID(i+1))
		if m.Delay == nil {
			m.Delay = Constant{}
		}
		if m.RTO == 0 {
			m.RTO = DefaultRTO
		}
		want := ref.intern(m) + 1
		if ls.model != want {
			t.Fatalf("link %d (%+v): model %d, intern alone gives %d", i, m, ls.model, want)
		}
		if got := n.models[ls.model-1].Link; !reflect.DeepEqual(got, m) && reflect.DeepEqual(m, m) {
			t.Fatalf("link %d: model %+v, asked for %+v", i, got, m)
		}
	}
	if n.freeAt == nil {
		t.Error("a link with a bandwidth was made, and no serialization clocks")
	}
}
