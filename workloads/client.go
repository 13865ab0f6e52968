package workloads

import (
	"math"
	"math/rand/v2"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Timer kinds of a client.
const (
	timerDeadline = iota + 1 // the workload's timeout
	timerResend              // Data: index of the request to resend
	timerNext                // time to issue the next request
)

// Client is one client of a workload: a sim.Node that sends requests to
// every replica and counts replies (see the package invariants). Build
// clients with NewTracker.
//
// Request ids are 1 … Count, in issue order. A client does not survive a
// crash: timers that expire while it is crashed are lost.
type Client struct {
	tr    *Tracker
	wl    *workload
	spec  *Spec
	index int
	id    sim.NodeID
	env   sim.Env
	rng   *rand.Rand

	reqs []request
	// slab holds request messages not yet issued, allocated a chunk at a
	// time rather than one per request.
	slab     []protocols.Request
	next     int // requests issued so far; the next one has index next
	done     int // requests completed
	stopped  bool
	deadline sim.TimerID
	pacer    sim.TimerID // timed and open_loop: the next issue
	rto      sim.Time    // retransmit: the current retransmission timeout
	// thinking counts closed-loop think timers pending.
	thinking int
	// lastActive is the last time the client sent a request (first time
	// or again) or completed one.
	lastActive sim.Time
}

var _ sim.Node = (*Client)(nil)

// requestChunk is how many request messages a client allocates at once.
const requestChunk = 256

// request is a client's state for one request.
type request struct {
	msg         *protocols.Request
	sent        bool
	sentAt      sim.Time
	done        bool
	completedAt sim.Time
	resends     int
	timer       sim.TimerID // pending resend
	votes       []tally     // per result, the replicas that replied it, until done
}

// tally is the set of replicas that replied one result to a request.
type tally struct {
	result  protocols.Digest
	count   int
	replica []uint64 // bit set over replica ids 0 … n−1
}

func (r *request) latency() sim.Time { return r.completedAt - r.sentAt }

func newClient(t *Tracker, w *workload, index int) *Client {
	return &Client{
		tr:    t,
		wl:    w,
		spec:  &w.spec,
		index: index,
		id:    sim.None,
		reqs:  make([]request, w.spec.Count),
	}
}

// ID returns the client's node id, or sim.None before it is added to a
// World by Tracker.Install or started.
func (c *Client) ID() sim.NodeID { return c.id }

// Workload returns the name of the client's workload.
func (c *Client) Workload() string { return c.spec.Name }

// Index returns the client's position among its workload's clients.
func (c *Client) Index() int { return c.index }

// StartTime returns when the client must start: its workload's Start.
func (c *Client) StartTime() sim.Time { return c.spec.Start }

// Outstanding returns the number of requests issued and not completed.
func (c *Client) Outstanding() int { return c.next - c.done }

// Start implements sim.Node: it arms the workload's deadline and issues the
// first requests of the workload type.
func (c *Client) Start(env sim.Env) {
	c.env, c.id = env, env.ID()
	c.rng = sim.Stream(c.tr.cfg.Seed, "client/"+c.spec.Name, int64(c.index))
	s := c.spec
	if deadline := s.Start + s.Timeout; deadline >= s.Start { // else it overflows: no deadline
		c.deadline = env.SetTimer(max(deadline-env.Now(), 0), timerDeadline, 0)
	}
	s.Params.start(c)
}

// Fire implements sim.Node.
func (c *Client) Fire(t sim.Timer) {
	if c.halted() {
		return
	}
	switch t.Kind {
	case timerDeadline:
		c.deadline = 0
		if st := &c.wl.status; c.done < c.spec.Count && !st.Finished() {
			// The first client of the workload to see its deadline reports it
			// (the others stop in halted), before the tracker may declare the
			// whole run finished.
			c.env.Observe(protocols.WorkloadTimeout{Workload: c.spec.Name, Completed: st.Completed, Total: st.Total})
			c.tr.timedOut(c.wl, c.env.Now())
		}
		c.stop()
	case timerResend:
		i := int(t.Data)
		r := &c.reqs[i]
		if r.done || r.timer != t.ID {
			return
		}
		r.timer = 0
		c.resend(i)
	case timerNext:
		if t.ID == c.pacer {
			c.pacer = 0
		} else if c.thinking > 0 {
			c.thinking--
		}
		if c.next < c.spec.Count {
			c.spec.Params.next(c)
		}
	}
}

// Deliver implements sim.Node: replies count towards completion; anything
// else is ignored.
func (c *Client) Deliver(from sim.NodeID, msg sim.Message) {
	if c.halted() {
		return
	}
	rep, ok := msg.(*protocols.Reply)
	if !ok {
		return
	}
	// The receipt and the signature check, charged when not zero (the
	// default model's); the reply's size is read only for a model that
	// charges by the byte. A client gets a reply from nearly every replica.
	costs := &c.tr.cfg.Costs
	if d := costs.ReceiveOf(rep) + costs.Verify; d != 0 {
		c.env.Charge(d)
	}
	if rep.ID < 1 || rep.ID > uint64(c.next) {
		return // not a request this client has sent
	}
	i := int(rep.ID - 1)
	r := &c.reqs[i]
	if r.done {
		return // most replies: the request completed with the f+1-th
	}
	if from < 0 || int(from) >= c.tr.cfg.N || rep.Replica != from || rep.Client != c.id {
		return
	}
	var t *tally
	for k := range r.votes {
		if r.votes[k].result == rep.Result {
			t = &r.votes[k]
			break
		}
	}
	if t == nil {
		r.votes = append(r.votes, tally{result: rep.Result, replica: make([]uint64, (c.tr.cfg.N+63)/64)})
		t = &r.votes[len(r.votes)-1]
	}
	word, bit := from/64, uint64(1)<<(from%64)
	if t.replica[word]&bit != 0 {
		return // a repeated reply counts once
	}
	t.replica[word] |= bit
	t.count++
	// f+1 distinct replicas agreeing include a correct one, whatever n; the
	// n−f correct replicas alone reach it.
	if t.count >= c.tr.cfg.F+1 {
		c.complete(i)
	}
}

// halted reports whether the client has stopped, stopping it first if its
// workload timed out (another client of the workload may have noticed the
// deadline first, at the same instant).
func (c *Client) halted() bool {
	if !c.stopped && c.wl.status.TimedOut {
		c.stop()
	}
	return c.stopped
}

// issue sends the next request for the first time.
func (c *Client) issue() {
	i := c.next
	c.next++
	r := &c.reqs[i]
	id := uint64(i + 1)
	if len(c.slab) == 0 {
		c.slab = make([]protocols.Request, min(c.spec.Count-i, requestChunk))
	}
	r.msg = &c.slab[0]
	c.slab = c.slab[1:]
	*r.msg = protocols.Request{Client: c.id, ID: id, Op: protocols.OpAppend, Value: int64(id), Payload: c.spec.Payload}
	c.env.Charge(c.tr.cfg.Costs.Sign)
	r.sent, r.sentAt = true, c.env.Now()
	c.lastActive = r.sentAt
	c.env.Broadcast(r.msg)
	if d, ok := c.spec.Params.firstResend(c); ok {
		r.timer = c.env.SetTimer(d, timerResend, int64(i))
	}
}

// resend transmits request i again and arms its next resend.
func (c *Client) resend(i int) {
	r := &c.reqs[i]
	r.resends++
	c.lastActive = c.env.Now()
	c.tr.retransmitted(c.wl)
	c.env.Broadcast(r.msg)
	r.timer = c.env.SetTimer(c.spec.Params.nextResend(c), timerResend, int64(i))
}

// pace arms the timer of the next issue of a timed or open-loop client.
func (c *Client) pace() {
	if c.next >= c.spec.Count {
		return
	}
	c.pacer = c.env.SetTimer(c.spec.Params.gap(c), timerNext, 0)
}

// complete marks request i done now.
func (c *Client) complete(i int) {
	r := &c.reqs[i]
	now := c.env.Now()
	r.done, r.completedAt, r.votes = true, now, nil
	c.lastActive = now
	if r.timer != 0 {
		c.env.CancelTimer(r.timer)
		r.timer = 0
	}
	c.done++
	if c.done == c.spec.Count {
		c.env.CancelTimer(c.deadline)
		c.deadline = 0
	}
	c.env.Observe(protocols.Completed{Workload: c.spec.Name, ID: r.msg.ID, SentAt: r.sentAt, Latency: r.latency()})
	c.tr.completed(c, i, now)
	c.spec.Params.completed(c)
}

// scheduled reports whether the client will send something by itself: a
// request to issue or to resend, or its start. When it will not, only replies to what it
// has sent can complete its requests.
func (c *Client) scheduled() bool {
	if c.env == nil || c.pacer != 0 || c.thinking > 0 { // not started yet, or an issue pending
		return true
	}
	for i := range c.reqs[:c.next] {
		if r := &c.reqs[i]; !r.done && r.timer != 0 {
			return true
		}
	}
	return false
}

// stop ends the client's activity: no more sends, replies ignored.
func (c *Client) stop() {
	c.stopped = true
	c.env.CancelTimer(c.deadline)
	c.env.CancelTimer(c.pacer)
	c.deadline, c.pacer = 0, 0
	for i := range c.reqs[:c.next] {
		if r := &c.reqs[i]; r.timer != 0 {
			c.env.CancelTimer(r.timer)
			r.timer = 0
		}
	}
}

func (c *Client) record(i int) Record {
	r := &c.reqs[i]
	rec := Record{
		Workload:        c.spec.Name,
		Client:          c.id,
		Index:           c.index,
		ID:              uint64(i + 1),
		Sent:            r.sent,
		Retransmissions: r.resends,
	}
	if r.sent {
		rec.SentAt = r.sentAt
	}
	if r.done {
		rec.Done, rec.CompletedAt, rec.Latency = true, r.completedAt, r.latency()
	}
	return rec
}

// scale returns d × f rounded to the nearest nanosecond, saturating at
// sim.Never.
func scale(d sim.Time, f float64) sim.Time {
	x := math.Round(float64(d) * f)
	if x >= float64(sim.Never) {
		return sim.Never
	}
	return sim.Time(x)
}
