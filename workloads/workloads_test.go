package workloads_test

import (
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/sim"
	"github.com/byzsim/byzsim/workloads"
)

// allTypes is one workload of each type, run together.
func allTypes() []workloads.Spec {
	return []workloads.Spec{
		{Name: "rt", Count: 8, Clients: 2, Timeout: 60 * sim.Second, Payload: 100, Params: &workloads.RetransmitParams{}},
		{Name: "fl", Count: 25, Clients: 3, Timeout: 60 * sim.Second, Start: 200 * sim.Millisecond, Params: &workloads.FloodParams{}},
		{Name: "tm", Count: 4, Timeout: 60 * sim.Second, Params: &workloads.TimedParams{Delays: []sim.Time{50 * sim.Millisecond, 0, 300 * sim.Millisecond}}},
		{Name: "ol", Count: 40, Clients: 2, Timeout: 60 * sim.Second, Params: &workloads.OpenLoopParams{Rate: 50}},
		{Name: "cl", Count: 15, Clients: 2, Timeout: 60 * sim.Second, Params: &workloads.ClosedLoopParams{Outstanding: 3, Think: sim.Exponential{M: 20 * sim.Millisecond}}},
	}
}

func TestEachTypeCompletes(t *testing.T) {
	tests := []struct {
		name  string
		specs []workloads.Spec
	}{
		{"retransmit", allTypes()[0:1]},
		{"flood", allTypes()[1:2]},
		{"timed", allTypes()[2:3]},
		{"open_loop", allTypes()[3:4]},
		{"closed_loop", allTypes()[4:5]},
		{"all types together", allTypes()},
		{"timeout that never passes", []workloads.Spec{{Count: 3, Timeout: sim.Never, Start: sim.Second, Params: &workloads.FloodParams{}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := setup{seed: 7, specs: tc.specs}.run(t)
			if out.why != "workloads finished" {
				t.Fatalf("run ended with %q, want the workloads to finish", out.why)
			}
			if len(out.finished) != 1 {
				t.Fatalf("OnFinished called %d times, want once", len(out.finished))
			}
			total := 0
			var last sim.Time
			for i, st := range out.tr.Status() {
				spec := tc.specs[i]
				want := spec.Count * max(spec.Clients, 1)
				if !st.Done || st.TimedOut || st.Completed != want || st.Total != want {
					t.Errorf("%s: status %+v, want done with %d/%d", spec.Name, st, want, want)
				}
				total += want
				last = max(last, st.DoneAt)
			}
			if out.finished[0] != last {
				t.Errorf("finished at %v, want the last workload's done time %v", out.finished[0], last)
			}
			if at, ok := out.tr.FinishedAt(); !ok || at != last {
				t.Errorf("FinishedAt = %v, %v; want %v, true", at, ok, last)
			}
			if len(out.completed) != total || len(out.tr.Latencies()) != total || len(out.tr.Completions()) != total {
				t.Errorf("%d Completed observations, %d latencies, %d completions; want %d each",
					len(out.completed), len(out.tr.Latencies()), len(out.tr.Completions()), total)
			}
			if len(out.timeouts) != 0 {
				t.Errorf("unexpected workload timeouts: %v", out.timeouts)
			}
			recs := out.tr.Records()
			if len(recs) != total {
				t.Fatalf("%d records, want %d", len(recs), total)
			}
			for _, r := range recs {
				if !r.Sent || !r.Done || r.Latency != r.CompletedAt-r.SentAt || r.Latency <= 0 {
					t.Errorf("bad record %+v", r)
				}
				if int(r.Client) < 4 || int(r.Client) >= 4+out.tr.NumClients() {
					t.Errorf("record %+v: client id outside n … n+clients−1", r)
				}
			}
			// Completed observations match the completions, in order.
			for k, c := range out.tr.Completions() {
				o := out.completed[k]
				got := o.o.(protocols.Completed)
				want := protocols.Completed{Workload: c.Workload, ID: c.ID, SentAt: c.SentAt, Latency: c.Latency}
				if got != want || o.node != c.Client || o.at != c.CompletedAt {
					t.Errorf("observation %d: %v at %v by %d; want %v at %v by %d", k, got, o.at, o.node, want, c.CompletedAt, c.Client)
				}
				if out.tr.Latencies()[k] != c.Latency {
					t.Errorf("latency %d = %v, want %v", k, out.tr.Latencies()[k], c.Latency)
				}
			}
		})
	}
}

func TestLatencyExact(t *testing.T) {
	costs := protocols.DefaultCosts()
	req := &protocols.Request{Payload: 100}
	prop := &prototest.Proposal{Requests: []*protocols.Request{req}}
	reply := &protocols.Reply{}
	clientReply := costs.Receive(reply.Size()) + costs.Verify
	perByte := costs
	perByte.PerByte = 10 * sim.Nanosecond // a reply's size counts too
	tests := []struct {
		name        string
		replica     func(int) sim.Node // nil: relay
		clientCosts protocols.Costs
		count       int
		want        sim.Time // every request's latency
	}{
		{
			name:    "echo replicas: one round trip",
			replica: func(int) sim.Node { return &echo{} },
			count:   5,
			want:    2 * linkDelay,
		},
		{
			// The four replies arrive together; the client verifies them one
			// by one and completes on the second.
			name:        "echo replicas, client verifies replies",
			replica:     func(int) sim.Node { return &echo{} },
			clientCosts: costs,
			count:       1,
			want:        2*linkDelay + 2*clientReply,
		},
		{
			name:        "echo replicas, client verifies replies charged by the byte",
			replica:     func(int) sim.Node { return &echo{} },
			clientCosts: perByte,
			count:       1,
			want:        2*linkDelay + 2*(perByte.Receive(reply.Size())+perByte.Verify),
		},
		{
			// Request to the leader (replica 0), which signs a proposal to
			// all; each replica verifies and executes it and replies. Replica
			// 0's reply comes one delay early, the second reply is the one of
			// a follower.
			name:  "relay replicas: request, proposal, reply",
			count: 1,
			want: 3*linkDelay + costs.Receive(req.Size()) + costs.Sign +
				costs.Receive(prop.Size()) + costs.Verify + costs.Execute,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := setup{
				seed:        1,
				replica:     tc.replica,
				clientCosts: tc.clientCosts,
				specs:       []workloads.Spec{{Count: tc.count, Timeout: sim.Second, Start: 3 * sim.Millisecond, Payload: 100, Params: &workloads.FloodParams{}}},
			}.run(t)
			for _, r := range out.tr.Records() {
				if !r.Done || r.Latency != tc.want {
					t.Errorf("request %d: done %v latency %v, want %v", r.ID, r.Done, r.Latency, tc.want)
				}
			}
			if first := out.tr.Records()[0].SentAt; first != 3*sim.Millisecond+tc.clientCosts.Sign {
				t.Errorf("first request sent at %v, want start + sign = %v", first, 3*sim.Millisecond+tc.clientCosts.Sign)
			}
		})
	}
}

func TestAgreement(t *testing.T) {
	const good, bad = protocols.Digest(0xaaa), protocols.Digest(0xbad)
	ms := sim.Millisecond
	// ok replies once with the good result after d; lie with the bad one.
	ok := func(d sim.Time) *scripted { return &scripted{result: good, copies: 1, after: d, forge: sim.None} }
	lie := func(d sim.Time) *scripted { return &scripted{result: bad, copies: 1, after: d, forge: sim.None} }
	silent := func() *scripted { return &scripted{forge: sim.None} }
	tests := []struct {
		name     string
		f        int
		replicas []*scripted
		done     bool
		at       sim.Time // completion time when done (start 0)
	}{
		{"one reply is not enough", 1, []*scripted{ok(0), silent(), silent(), silent()}, false, 0},
		{"f+1 matching replies", 1, []*scripted{ok(0), ok(5 * ms), silent(), silent()}, true, 2*linkDelay + 5*ms},
		{"disagreeing replies do not count together", 1, []*scripted{ok(0), lie(0), silent(), silent()}, false, 0},
		{"waits past a disagreeing reply", 1, []*scripted{ok(0), lie(0), ok(50 * ms), silent()}, true, 2*linkDelay + 50*ms},
		{"first result with f+1 wins", 1, []*scripted{lie(0), ok(10 * ms), lie(30 * ms), ok(50 * ms)}, true, 2*linkDelay + 30*ms},
		{"repeated replies of one replica count once", 1,
			[]*scripted{{result: good, copies: 3, forge: sim.None}, silent(), silent(), silent()}, false, 0},
		{"a reply claiming another replica is ignored", 1,
			[]*scripted{ok(0), {result: good, copies: 1, forge: 0}, silent(), silent()}, false, 0},
		{"replies for unknown ids are ignored", 1,
			[]*scripted{ok(0), {result: good, copies: 1, forge: sim.None, idShift: 7}, silent(), silent()}, false, 0},
		{"f=2 needs three", 2, []*scripted{ok(0), ok(0), silent(), silent(), silent(), silent(), silent()}, false, 0},
		{"f=2 with three", 2, []*scripted{ok(0), ok(0), lie(0), lie(0), ok(20 * ms), silent(), silent()}, true, 2*linkDelay + 20*ms},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := setup{
				n: len(tc.replicas), f: tc.f,
				replica: func(i int) sim.Node { return tc.replicas[i] },
				specs:   []workloads.Spec{{Count: 1, Timeout: sim.Second, Params: &workloads.FloodParams{}}},
			}.run(t)
			st := out.tr.Status()[0]
			rec := out.tr.Records()[0]
			if st.Done != tc.done || rec.Done != tc.done {
				t.Fatalf("done = %v (record %v), want %v", st.Done, rec.Done, tc.done)
			}
			if tc.done && rec.CompletedAt != tc.at {
				t.Errorf("completed at %v, want %v", rec.CompletedAt, tc.at)
			}
			if !tc.done && (!st.TimedOut || len(out.timeouts) != 1) {
				t.Errorf("an incomplete workload must time out once: status %+v, %d timeouts", st, len(out.timeouts))
			}
		})
	}
}

func TestRetransmitBackoff(t *testing.T) {
	s, ms := sim.Second, sim.Millisecond
	tests := []struct {
		name string
		spec workloads.Spec
		drop map[uint64]int        // request id → first transmissions dropped
		want map[uint64][]sim.Time // request id → gaps between its transmissions
	}{
		{
			// 1s, doubled on each expiry: resends at +1s, +3s, +7s; the
			// timeout is then 8s, halved after the success to 4s, 2s after
			// request 2, back to 4s for request 3's resend and 2s after it,
			// then 1s, then never below the initial 1s.
			name: "reference doubling and halving",
			spec: workloads.Spec{Count: 6, Timeout: 60 * s, Params: &workloads.RetransmitParams{}},
			drop: map[uint64]int{1: 3, 3: 1, 6: 1},
			want: map[uint64][]sim.Time{1: {s, 2 * s, 4 * s}, 3: {2 * s}, 6: {s}},
		},
		{
			name: "capped at max_timeout",
			spec: workloads.Spec{Count: 2, Timeout: 60 * s, Params: &workloads.RetransmitParams{MaxTimeout: 2 * s}},
			drop: map[uint64]int{1: 4, 2: 1},
			want: map[uint64][]sim.Time{1: {s, 2 * s, 2 * s, 2 * s}, 2: {s}},
		},
		{
			name: "custom initial timeout and factors",
			spec: workloads.Spec{Count: 3, Timeout: 60 * s, Params: &workloads.RetransmitParams{InitialTimeout: 200 * ms, Backoff: 3, Decay: 1.5}},
			drop: map[uint64]int{1: 2, 2: 1, 3: 1},
			// 200ms → 600ms → 1.8s; success: 1.2s; request 2 resent after
			// 1.2s → 3.6s; success: 2.4s; request 3 resent after 2.4s.
			want: map[uint64][]sim.Time{1: {200 * ms, 600 * ms}, 2: {1200 * ms}, 3: {2400 * ms}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log := newRequestLog(tc.drop)
			out := setup{seed: 3, specs: []workloads.Spec{tc.spec}, interceptors: []sim.Interceptor{log}}.run(t)
			if st := out.tr.Status()[0]; !st.Done {
				t.Fatalf("workload not done: %+v", st)
			}
			retrans := 0
			for _, r := range out.tr.Records() {
				got := gaps(log.sends[protocols.RequestKey{Client: r.Client, ID: r.ID}])
				if !slices.Equal(got, tc.want[r.ID]) {
					t.Errorf("request %d: gaps between transmissions %v, want %v", r.ID, got, tc.want[r.ID])
				}
				if r.Retransmissions != len(tc.want[r.ID]) {
					t.Errorf("request %d: %d retransmissions recorded, want %d", r.ID, r.Retransmissions, len(tc.want[r.ID]))
				}
				retrans += r.Retransmissions
			}
			if st := out.tr.Status()[0]; st.Retransmissions != retrans {
				t.Errorf("status counts %d retransmissions, records %d", st.Retransmissions, retrans)
			}
		})
	}
}

func TestTimedDelays(t *testing.T) {
	ms := sim.Millisecond
	tests := []struct {
		name   string
		delays []sim.Time
		want   []sim.Time // send times relative to start
	}{
		{"one request", nil, []sim.Time{0}},
		{"mixed delays", []sim.Time{100 * ms, 0, 300 * ms}, []sim.Time{0, 100 * ms, 100 * ms, 400 * ms}},
		{"long gaps", []sim.Time{2000 * ms, 1500 * ms}, []sim.Time{0, 2000 * ms, 3500 * ms}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := sim.Second
			out := setup{specs: []workloads.Spec{{Count: len(tc.want), Clients: 2, Timeout: 30 * sim.Second, Start: start, Params: &workloads.TimedParams{Delays: tc.delays}}}}.run(t)
			if st := out.tr.Status()[0]; !st.Done {
				t.Fatalf("workload not done: %+v", st)
			}
			for client, recs := range byClient(out.tr.Records()) {
				var got []sim.Time
				for _, r := range recs {
					got = append(got, r.SentAt-start)
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("client %d sent at %v after start, want %v", client, got, tc.want)
				}
			}
		})
	}
	spec := workloads.Spec{Count: 3, Timeout: sim.Second, Params: &workloads.TimedParams{Delays: []sim.Time{ms}}}
	if err := spec.Validate(); !isFieldError(err, "delays") {
		t.Errorf("count 3 with 1 delay: Validate() = %v, want a delays error", err)
	}
}

func TestOpenLoopRate(t *testing.T) {
	tests := []struct {
		rate    float64
		count   int
		clients int
	}{
		{rate: 50, count: 1000, clients: 2},
		{rate: 200, count: 1500, clients: 1},
	}
	for _, tc := range tests {
		start := 500 * sim.Millisecond
		out := setup{seed: 11, specs: []workloads.Spec{{Count: tc.count, Clients: tc.clients, Timeout: 100 * sim.Second, Start: start, Params: &workloads.OpenLoopParams{Rate: tc.rate}}}}.run(t)
		if st := out.tr.Status()[0]; !st.Done {
			t.Fatalf("rate %g: workload not done: %+v", tc.rate, st)
		}
		for client, recs := range byClient(out.tr.Records()) {
			var g []float64
			prev := start
			for _, r := range recs {
				g = append(g, (r.SentAt - prev).Seconds())
				prev = r.SentAt
			}
			mean, sd := meanSD(g)
			// The sum of n exponential gaps has a relative deviation of
			// 1/√n (≤ 3.2% here); allow 10%.
			if rate := 1 / mean; math.Abs(rate-tc.rate)/tc.rate > 0.10 {
				t.Errorf("rate %g, client %d: measured %.2f requests/s", tc.rate, client, rate)
			}
			if cv := sd / mean; math.Abs(cv-1) > 0.10 {
				t.Errorf("rate %g, client %d: gaps' coefficient of variation %.3f, want ≈ 1 (Poisson)", tc.rate, client, cv)
			}
		}
	}
}

func meanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

func TestClosedLoop(t *testing.T) {
	ms := sim.Millisecond
	tests := []struct {
		name  string
		k     int
		count int
		think sim.Dist
	}{
		{"k=1 no think", 1, 10, nil},
		{"k=3 no think", 3, 20, nil},
		{"k=4 constant think", 4, 20, sim.Constant{D: 50 * ms}},
		{"k larger than count", 8, 5, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := setup{seed: 5, specs: []workloads.Spec{{Count: tc.count, Clients: 2, Timeout: 60 * sim.Second, Params: &workloads.ClosedLoopParams{Outstanding: tc.k, Think: tc.think}}}}.run(t)
			if st := out.tr.Status()[0]; !st.Done {
				t.Fatalf("workload not done: %+v", st)
			}
			for client, recs := range byClient(out.tr.Records()) {
				inflight := func(at sim.Time) int {
					n := 0
					for _, r := range recs {
						if r.SentAt <= at && r.CompletedAt > at {
							n++
						}
					}
					return n
				}
				var thinkEnds []sim.Time // completion + think, for all but the last k completions
				var comps []sim.Time
				for _, r := range recs {
					comps = append(comps, r.CompletedAt)
				}
				slices.Sort(comps)
				for i, c := range comps {
					remaining := tc.count - (i + 1)
					if tc.think == nil {
						// A completion frees a slot that is refilled at once,
						// until no request is left.
						if got, want := inflight(c), min(tc.k, remaining); got != want {
							t.Errorf("client %d: %d in flight just after completion %d, want %d", client, got, i, want)
						}
					}
					if i < tc.count-tc.k {
						thinkEnds = append(thinkEnds, c+thinkOf(tc.think))
					}
				}
				var sends []sim.Time // sends after the first k
				for _, r := range recs {
					if inflight(r.SentAt) > tc.k {
						t.Errorf("client %d: more than %d in flight at %v", client, tc.k, r.SentAt)
					}
					if int(r.ID) > tc.k {
						sends = append(sends, r.SentAt)
					}
				}
				if !slices.Equal(sends, thinkEnds) {
					t.Errorf("client %d: sends after the first k at %v, want completions + think %v", client, sends, thinkEnds)
				}
			}
		})
	}
}

func thinkOf(d sim.Dist) sim.Time {
	if d == nil {
		return 0
	}
	return d.Mean()
}

func TestWorkloadTimeout(t *testing.T) {
	s, ms := sim.Second, sim.Millisecond
	// Every replica answers requests 1 and 2 only.
	replica := func(int) sim.Node { return &scripted{result: 1, copies: 1, forge: sim.None, maxID: 2} }
	log := newRequestLog(nil)
	out := setup{
		replica:      replica,
		interceptors: []sim.Interceptor{log},
		keepRunning:  true, // clients must stop by themselves
		until:        10 * s,
		specs: []workloads.Spec{
			{Name: "fl", Count: 4, Clients: 2, Timeout: s, Start: 500 * ms, Params: &workloads.FloodParams{}},
			// Requests 1 and 2 complete at 20ms and 40ms; request 3 is sent
			// at 40ms, resent at 1.04s and due again at 3.04s, after the
			// deadline at 3s.
			{Name: "rt", Count: 3, Clients: 2, Timeout: 3 * s, Params: &workloads.RetransmitParams{}},
			{Name: "ok", Count: 2, Timeout: s, Params: &workloads.FloodParams{}},
		},
	}.run(t)
	want := []struct {
		timedOut  bool
		at        sim.Time
		completed int
	}{
		{true, 1500 * ms, 4},
		{true, 3 * s, 4},
		{false, 2 * linkDelay, 2},
	}
	st := out.tr.Status()
	for i, w := range want {
		if st[i].TimedOut != w.timedOut || st[i].Done == w.timedOut || st[i].Completed != w.completed {
			t.Errorf("%s: status %+v, want timed out %v with %d completed", st[i].Name, st[i], w.timedOut, w.completed)
		}
		if w.timedOut && st[i].TimedOutAt != w.at || !w.timedOut && st[i].DoneAt != w.at {
			t.Errorf("%s: status %+v, want finished at %v", st[i].Name, st[i], w.at)
		}
	}
	wantObs := []protocols.WorkloadTimeout{{Workload: "fl", Completed: 4, Total: 8}, {Workload: "rt", Completed: 4, Total: 6}}
	var gotObs []protocols.WorkloadTimeout
	for k, o := range out.timeouts {
		gotObs = append(gotObs, o.o.(protocols.WorkloadTimeout))
		if o.at != want[k].at {
			t.Errorf("timeout %d observed at %v, want %v", k, o.at, want[k].at)
		}
	}
	if !slices.Equal(gotObs, wantObs) {
		t.Errorf("WorkloadTimeout observations %v, want %v", gotObs, wantObs)
	}
	if len(out.finished) != 1 || out.finished[0] != 3*s {
		t.Errorf("finished %v, want once at 3s", out.finished)
	}
	if out.observedAtFinish != len(out.completed)+len(out.timeouts) {
		t.Errorf("OnFinished ran after %d observations, want after all %d", out.observedAtFinish, len(out.completed)+len(out.timeouts))
	}
	for k, ts := range log.sends {
		for _, at := range ts {
			if at > 3*s {
				t.Errorf("client %d sent request %d at %v, after its workload timed out", k.Client, k.ID, at)
			}
		}
	}
	for _, r := range out.tr.Records() {
		if r.Workload == "rt" && r.ID == 3 && (r.Done || r.Retransmissions != 1) {
			t.Errorf("rt request 3: %+v, want incomplete with one retransmission", r)
		}
	}
	if got := out.tr.Latencies(); len(got) != 10 {
		t.Errorf("%d latencies, want 10 (completed requests only)", len(got))
	}
}

func TestStopsAtTimeoutWithSilentReplicas(t *testing.T) {
	out := setup{
		behaviour:   "silent",
		keepRunning: true, // clients must stop by themselves
		until:       6 * sim.Second,
		specs: []workloads.Spec{
			{Count: 1000, Timeout: 2 * sim.Second, Params: &workloads.OpenLoopParams{Rate: 100, RetransmitAfter: 300 * sim.Millisecond}},
			{Count: 10, Clients: 3, Timeout: 2 * sim.Second, Params: &workloads.ClosedLoopParams{Outstanding: 2}},
		},
	}.run(t)
	for _, st := range out.tr.Status() {
		if !st.TimedOut || st.Completed != 0 || st.TimedOutAt != 2*sim.Second {
			t.Errorf("%s: %+v, want timed out at 2s with nothing completed", st.Name, st)
		}
	}
	if len(out.timeouts) != 2 {
		t.Errorf("%d WorkloadTimeout observations, want 2", len(out.timeouts))
	}
	for _, c := range out.tr.Clients() {
		if c.Workload() == "closed_loop" && c.Outstanding() != 2 {
			t.Errorf("closed-loop client %d: %d outstanding, want 2", c.Index(), c.Outstanding())
		}
	}
	sent := 0
	for _, r := range out.tr.Records() {
		if r.Sent {
			sent++
			if r.SentAt > 2*sim.Second {
				t.Errorf("request sent after the timeout: %+v", r)
			}
		}
	}
	// About 200 arrivals in 2s at 100/s, plus 6 closed-loop requests.
	if sent < 150 || sent > 260 {
		t.Errorf("%d requests sent, want about 206", sent)
	}
	if out.tr.Status()[0].Retransmissions == 0 {
		t.Error("open loop with retransmit_after resent nothing")
	}
}

func TestDeterminism(t *testing.T) {
	run := func(seed uint64) *outcome {
		return setup{
			seed:  seed,
			specs: allTypes(),
			link:  sim.Link{Delay: sim.Uniform{Min: 5 * sim.Millisecond, Max: 25 * sim.Millisecond}},
		}.run(t)
	}
	a, b, c := run(42), run(42), run(43)
	if !reflect.DeepEqual(a.tr.Records(), b.tr.Records()) {
		t.Error("same seed, different records")
	}
	if !reflect.DeepEqual(a.tr.Completions(), b.tr.Completions()) || !slices.Equal(a.tr.Latencies(), b.tr.Latencies()) {
		t.Error("same seed, different completion order")
	}
	if reflect.DeepEqual(a.tr.Records(), c.tr.Records()) {
		t.Error("different seeds, same records")
	}
}

func TestNewTracker(t *testing.T) {
	good := workloads.Spec{Count: 1, Timeout: sim.Second, Params: &workloads.FloodParams{}}
	tests := []struct {
		name  string
		cfg   workloads.Config
		specs []workloads.Spec
		field string // FieldError expected; "" for another error
	}{
		{"no replicas", workloads.Config{N: 0}, []workloads.Spec{good}, ""},
		{"f too large", workloads.Config{N: 4, F: 4}, []workloads.Spec{good}, ""},
		{"negative f", workloads.Config{N: 4, F: -1}, []workloads.Spec{good}, ""},
		{"duplicate default names", workloads.Config{N: 4, F: 1}, []workloads.Spec{good, good}, "name"},
		{"bad spec", workloads.Config{N: 4, F: 1}, []workloads.Spec{good, {Timeout: sim.Second, Params: &workloads.FloodParams{}}}, "count"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := workloads.NewTracker(tc.cfg, tc.specs)
			if err == nil {
				t.Fatal("NewTracker succeeded")
			}
			if tc.field != "" && !isFieldError(err, tc.field) {
				t.Errorf("error %v, want a FieldError for %s", err, tc.field)
			}
		})
	}

	specs := []workloads.Spec{good, {Name: "two", Count: 2, Clients: 3, Timeout: sim.Second, Params: &workloads.RetransmitParams{}}}
	tr, err := workloads.NewTracker(workloads.Config{N: 4, F: 1}, specs)
	if err != nil {
		t.Fatal(err)
	}
	if tr.NumClients() != 4 || len(tr.Clients()) != 4 || len(tr.Records()) != 7 {
		t.Errorf("%d clients, %d records; want 4 and 7", tr.NumClients(), len(tr.Records()))
	}
	got := tr.Specs()
	if rp := got[1].Params.(*workloads.RetransmitParams); got[0].Name != "flood" || rp.InitialTimeout != workloads.DefaultInitialTimeout || rp.MaxTimeout != workloads.DefaultMaxTimeout {
		t.Errorf("defaults not filled: %+v", got)
	}
	if specs[0].Name != "" || specs[1].Params.(*workloads.RetransmitParams).InitialTimeout != 0 {
		t.Error("NewTracker modified its input")
	}
	for _, c := range tr.Clients() {
		if c.ID() != sim.None {
			t.Errorf("client has id %d before Install", c.ID())
		}
	}
	if tr.Finished() {
		t.Error("finished before running")
	}
	empty, err := workloads.NewTracker(workloads.Config{N: 4, F: 1}, nil)
	if err != nil || !empty.Finished() || empty.NumClients() != 0 {
		t.Errorf("no workloads: %v, finished %v", err, empty.Finished())
	}
	empty.OnFinished(func(sim.Time) { t.Error("OnFinished called without workloads") })

	// Install wants exactly the replicas in the world.
	w := sim.NewWorld(sim.Config{Replicas: 4})
	defer func() {
		if recover() == nil {
			t.Error("Install into an empty world did not panic")
		}
	}()
	tr.Install(w)
}

func TestTypes(t *testing.T) {
	want := []workloads.Type{workloads.Retransmit, workloads.Flood, workloads.Timed, workloads.OpenLoop, workloads.ClosedLoop, workloads.Saturated}
	got := workloads.Types()
	if len(got) != len(want) {
		t.Fatalf("Types() lists %d types, want %d", len(got), len(want))
	}
	for i, d := range got {
		if d.Name != string(want[i]) || d.Doc == "" {
			t.Errorf("Types()[%d] = %+v, want %s with a doc", i, d, want[i])
		}
		if typ, err := workloads.ParseType(d.Name); err != nil || typ != want[i] {
			t.Errorf("ParseType(%q) = %v, %v", d.Name, typ, err)
		}
	}
	if _, err := workloads.ParseType("burst"); err == nil {
		t.Error("ParseType accepted an unknown type")
	}
}

// TestStallStatus checks Status.Stalled: a workload is stalled when
// requests are outstanding and none of its clients will send anything by
// itself; StalledSince is its clients' last send or completion.
func TestStallStatus(t *testing.T) {
	s, ms := sim.Second, sim.Millisecond
	// The replicas answer requests 1 and 2 only; request 3 waits for ever.
	answer2 := func(int) sim.Node { return &scripted{result: 1, copies: 1, forge: sim.None, maxID: 2} }
	tests := []struct {
		name        string
		spec        workloads.Spec
		until       sim.Time
		stalled     bool
		since       sim.Time
		outstanding int
	}{
		{"closed loop, no resend: stalled after the last completion", workloads.Spec{Count: 5, Timeout: 10 * s, Params: &workloads.ClosedLoopParams{RetransmitAfter: workloads.NoRetransmit}}, 20 * s, true, 4 * linkDelay, 1},
		{"closed loop resending: not stalled", workloads.Spec{Count: 5, Timeout: 10 * s, Params: &workloads.ClosedLoopParams{}}, 20 * s, false, 0, 1},
		{"flood: stalled since the start", workloads.Spec{Count: 3, Timeout: 10 * s, Params: &workloads.FloodParams{}}, 20 * s, true, 2 * linkDelay, 1},
		{"open loop still issuing at the end: not stalled", workloads.Spec{Count: 1000, Timeout: 100 * s, Params: &workloads.OpenLoopParams{Rate: 10, RetransmitAfter: workloads.NoRetransmit}}, 5 * s, false, 0, -1},
		{"not started yet: not stalled", workloads.Spec{Count: 5, Timeout: 10 * s, Start: 50 * s, Params: &workloads.ClosedLoopParams{RetransmitAfter: workloads.NoRetransmit}}, 10 * ms, false, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := setup{replica: answer2, specs: []workloads.Spec{tc.spec}, until: tc.until}.run(t)
			st := out.tr.Status()[0]
			if st.Stalled != tc.stalled || st.StalledSince != tc.since || (tc.outstanding >= 0 && st.Outstanding != tc.outstanding) {
				t.Errorf("stalled %v since %v with %d outstanding, want %v since %v with %d (status %+v)",
					st.Stalled, st.StalledSince, st.Outstanding, tc.stalled, tc.since, tc.outstanding, st)
			}
		})
	}
}
