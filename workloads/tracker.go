package workloads

import (
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Config is what clients know about the run.
type Config struct {
	// N is the number of replicas, F the number of faults tolerated: a
	// request completes on F+1 matching replies, so 0 ≤ F < N.
	N, F int
	// Seed is the run's master seed; open-loop arrivals and think times draw
	// from streams derived from it, the workload name and the client index.
	Seed uint64
	// Costs is the clients' CPU cost model: a client charges Sign for each
	// request it sends the first time and Receive + Verify for each reply it
	// handles. The zero value makes clients free.
	Costs protocols.Costs
}

// Status is one workload's progress.
type Status struct {
	Name string
	Type Type
	// Completed counts completed requests; Total is Count × Clients.
	Completed, Total int
	// Retransmissions counts transmissions after each request's first.
	Retransmissions int
	// Done says every request completed; DoneAt is the last completion.
	Done   bool
	DoneAt sim.Time
	// TimedOut says the timeout passed first; TimedOutAt is when.
	TimedOut   bool
	TimedOutAt sim.Time
	// Outstanding counts the requests sent and not completed, when the
	// workload timed out, or now if it is still running.
	Outstanding int
	// Stalled says that, at that time, requests were incomplete and no
	// client of the workload would send anything more by itself (nothing
	// to resend, nothing left to issue): only replies to requests already
	// sent could complete them. StalledSince is when its clients last sent
	// or completed a request.
	Stalled      bool
	StalledSince sim.Time
}

// Finished reports whether the workload is done or timed out.
func (s Status) Finished() bool { return s.Done || s.TimedOut }

// Record is one request as latency.csv shows it.
type Record struct {
	Workload string
	// Client is the client's node id (sim.None if it was never added to a
	// world); Index is its position among the workload's clients.
	Client sim.NodeID
	Index  int
	ID     uint64
	// Sent says the request was transmitted; SentAt is its first
	// transmission.
	Sent   bool
	SentAt sim.Time
	// Done says it completed; CompletedAt is when and Latency is
	// CompletedAt − SentAt.
	Done        bool
	CompletedAt sim.Time
	Latency     sim.Time
	// Retransmissions counts its transmissions after the first.
	Retransmissions int
}

// workload is a workload's shared state.
type workload struct {
	spec    Spec
	index   int
	clients []*Client
	status  Status
}

// reqRef points at one request of one client.
type reqRef struct {
	c *Client
	i int
}

// Tracker builds the clients of an experiment's workloads and aggregates
// what they see. One Tracker serves one World.
type Tracker struct {
	cfg        Config
	wls        []*workload
	clients    []*Client
	order      []reqRef // completions, in completion order
	latencies  []sim.Time
	finished   int
	onFinished func(at sim.Time)
	finishedAt sim.Time
	installed  bool
	// saturated lists the saturated workloads; heights counts, per entry
	// height, the correct replicas that committed it (see Committed).
	saturated []*workload
	heights   heightCounts
}

// NewTracker validates cfg and specs, fills the specs' defaults and builds
// one Client per workload client, in workload order then client order. A
// bad spec is reported with its position and name, wrapping a *FieldError;
// workload names must be unique.
func NewTracker(cfg Config, specs []Spec) (*Tracker, error) {
	if cfg.N < 1 {
		return nil, fmt.Errorf("workloads: need at least one replica, got n = %d", cfg.N)
	}
	if cfg.F < 0 || cfg.F >= cfg.N {
		return nil, fmt.Errorf("workloads: f must be in [0, n−1] = [0, %d], got %d", cfg.N-1, cfg.F)
	}
	t := &Tracker{cfg: cfg}
	seen := make(map[string]int, len(specs))
	for i, raw := range specs {
		s := raw.WithDefaults()
		if err := s.validate(); err != nil {
			return nil, fmt.Errorf("workloads: workload %d (%q): %w", i, s.Name, err)
		}
		if j, dup := seen[s.Name]; dup {
			return nil, fmt.Errorf("workloads: workload %d: %w", i,
				fieldErr("name", "%q is already the name of workload %d; give each workload its own name", s.Name, j))
		}
		seen[s.Name] = i
		w := &workload{spec: s, index: i}
		w.status = Status{Name: s.Name, Type: s.Type(), Total: s.Total()}
		t.wls = append(t.wls, w)
		if s.Params.preloaded() {
			t.saturated = append(t.saturated, w)
			continue // no client nodes
		}
		for k := 0; k < s.Clients; k++ {
			c := newClient(t, w, k)
			w.clients = append(w.clients, c)
			t.clients = append(t.clients, c)
		}
	}
	return t, nil
}

// Config returns the tracker's configuration.
func (t *Tracker) Config() Config { return t.cfg }

// Specs returns the workload specs with defaults filled, in order.
func (t *Tracker) Specs() []Spec {
	out := make([]Spec, len(t.wls))
	for i, w := range t.wls {
		out[i] = w.spec.WithDefaults() // a copy: callers cannot alter the clients' spec
	}
	return out
}

// NumClients returns the number of client nodes over all workloads.
func (t *Tracker) NumClients() int { return len(t.clients) }

// Clients returns the client nodes in workload order, then client order:
// the order Install adds them in.
func (t *Tracker) Clients() []*Client { return append([]*Client(nil), t.clients...) }

// Install adds every client to w with its workload's start time. The
// replicas must already be the only nodes of w (so client ids are N, N+1,
// ...); otherwise, or when called twice, Install panics.
func (t *Tracker) Install(w *sim.World) {
	if t.installed {
		panic("workloads: Install called twice")
	}
	if w.NumNodes() != t.cfg.N {
		panic(fmt.Sprintf("workloads: Install into a world of %d nodes; add the %d replicas first, and only them", w.NumNodes(), t.cfg.N))
	}
	t.installed = true
	for _, c := range t.clients {
		c.id = w.AddNode(c, c.wl.spec.Start)
	}
	for _, wl := range t.saturated {
		if deadline := wl.spec.Start + wl.spec.Timeout; deadline >= wl.spec.Start { // else it overflows: no deadline
			w.At(deadline, func() {
				if !wl.status.Finished() {
					t.timedOut(wl, deadline)
				}
			})
		}
	}
}

// OnFinished registers fn, called once, from within the handler of the
// client that finished the last workload (completed its last request or saw
// its deadline), after that client's observation; the runner typically
// stops the world there. Only the last registered fn is kept. With no
// workloads, fn is never called.
func (t *Tracker) OnFinished(fn func(at sim.Time)) { t.onFinished = fn }

// Finished reports whether every workload has completed or timed out (true
// when there are none).
func (t *Tracker) Finished() bool { return t.finished == len(t.wls) }

// FinishedAt returns when the last workload finished; ok is false while
// one is still running.
func (t *Tracker) FinishedAt() (at sim.Time, ok bool) { return t.finishedAt, t.Finished() }

// Status returns every workload's progress, in workload order; a workload
// still running has its Outstanding and Stalled of now.
func (t *Tracker) Status() []Status {
	out := make([]Status, len(t.wls))
	for i, w := range t.wls {
		out[i] = w.status
		if !w.status.Finished() {
			w.stall(&out[i])
		}
	}
	return out
}

// stall sets st's Outstanding, Stalled and StalledSince from the clients'
// state now.
func (w *workload) stall(st *Status) {
	st.Outstanding, st.Stalled, st.StalledSince = 0, false, 0
	if w.spec.Params.preloaded() {
		// Every request is queued at every replica: all are outstanding
		// and none waits on a client.
		st.Outstanding = st.Total - st.Completed
		return
	}
	scheduled := false
	for _, c := range w.clients {
		st.Outstanding += c.next - c.done
		st.StalledSince = max(st.StalledSince, c.lastActive)
		scheduled = scheduled || c.scheduled()
	}
	st.Stalled = st.Completed < st.Total && !scheduled
	if !st.Stalled {
		st.StalledSince = 0
	}
}

// Latencies returns every completed request's latency over all workloads,
// in completion order.
func (t *Tracker) Latencies() []sim.Time { return append([]sim.Time(nil), t.latencies...) }

// Completions returns the completed requests in completion order (ties in
// the order the World handled them).
func (t *Tracker) Completions() []Record {
	out := make([]Record, len(t.order))
	for k, r := range t.order {
		out[k] = r.c.record(r.i)
	}
	return out
}

// Records returns every request of every workload, completed or not, in
// workload order, then client order, then id.
func (t *Tracker) Records() []Record {
	n := 0
	for _, w := range t.wls {
		n += w.spec.Total()
	}
	out := make([]Record, 0, n)
	for _, c := range t.clients {
		for i := range c.reqs {
			out = append(out, c.record(i))
		}
	}
	return out
}

// retransmitted is called by a client on each retransmission.
func (t *Tracker) retransmitted(w *workload) { w.status.Retransmissions++ }

// completed is called by a client when request i completed at time at.
func (t *Tracker) completed(c *Client, i int, at sim.Time) {
	w := c.wl
	t.order = append(t.order, reqRef{c, i})
	t.latencies = append(t.latencies, c.reqs[i].latency())
	w.status.Completed++
	if w.status.Completed == w.status.Total {
		w.status.Done, w.status.DoneAt = true, at
		t.workloadFinished(at)
	}
}

// timedOut is called by the first client of w that sees w's deadline pass,
// at time at, with requests still incomplete.
func (t *Tracker) timedOut(w *workload, at sim.Time) {
	w.stall(&w.status) // before the clients stop
	w.status.TimedOut, w.status.TimedOutAt = true, at
	t.workloadFinished(at)
}

func (t *Tracker) workloadFinished(at sim.Time) {
	t.finished++
	if t.Finished() {
		t.finishedAt = at
		if t.onFinished != nil {
			t.onFinished(at)
		}
	}
}
