package live

import (
	"context"
	"errors"
	"time"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// gatewayResend is how long the gateway waits for f+1 matching replies
// before it sends a request again.
const gatewayResend = time.Second

// Gateway is a client node that submits requests on behalf of the REST
// API: a request is sent to every replica, resent every second, and done
// when f+1 replicas replied with the same result. Add it to the cluster's
// nodes (after the workload clients; the replicas must count it among
// their clients) and submit with Submit from any goroutine.
type Gateway struct {
	f       int
	c       *Cluster
	id      sim.NodeID
	env     sim.Env
	next    uint64
	pending map[uint64]*submission
}

// Result is the outcome of a submitted request.
type Result struct {
	// ID is the request's id at the gateway.
	ID uint64 `json:"id"`
	// Result is the digest the f+1 matching replies carried.
	Result protocols.Digest `json:"result"`
	// Replicas are the replicas whose replies agreed.
	Replicas []sim.NodeID `json:"replicas"`
	// Latency is from the first send to the (f+1)-th matching reply.
	LatencyMS float64 `json:"latency_ms"`
}

type submission struct {
	req     *protocols.Request
	sentAt  sim.Time
	replies map[sim.NodeID]protocols.Digest
	timer   sim.TimerID
	done    chan Result
}

// NewGateway returns a gateway node for a system tolerating f faults.
func NewGateway(f int) *Gateway {
	return &Gateway{f: f, pending: map[uint64]*submission{}}
}

// Bind tells the gateway the cluster and node id it runs as.
func (g *Gateway) Bind(c *Cluster, id sim.NodeID) { g.c, g.id = c, id }

// Start implements sim.Node.
func (g *Gateway) Start(env sim.Env) { g.env = env }

// Deliver implements sim.Node: replies are counted.
func (g *Gateway) Deliver(from sim.NodeID, msg sim.Message) {
	rep, ok := msg.(*protocols.Reply)
	if !ok || int(from) >= g.env.Replicas() {
		return
	}
	s := g.pending[rep.ID]
	if s == nil {
		return
	}
	s.replies[from] = rep.Result
	var agree []sim.NodeID
	for r, d := range s.replies {
		if d == rep.Result {
			agree = append(agree, r)
		}
	}
	if len(agree) < g.f+1 {
		return
	}
	g.env.CancelTimer(s.timer)
	delete(g.pending, rep.ID)
	s.done <- Result{ID: rep.ID, Result: rep.Result, Replicas: sortIDs(agree), LatencyMS: (g.env.Now() - s.sentAt).Milliseconds()}
}

// Fire implements sim.Node: an unfinished request is sent again.
func (g *Gateway) Fire(t sim.Timer) {
	if s := g.pending[uint64(t.Data)]; s != nil {
		g.env.Broadcast(s.req)
		s.timer = g.env.SetTimer(sim.Time(gatewayResend), 0, t.Data)
	}
}

// ErrGatewayClosed reports a submission to a stopped cluster.
var ErrGatewayClosed = errors.New("the cluster is stopped")

// Submit submits a request appending value and waits until f+1 replicas
// replied with the same result, or ctx ends.
func (g *Gateway) Submit(ctx context.Context, value int64) (Result, error) {
	done := make(chan Result, 1)
	var id uint64
	ok := g.c.Post(g.id, func(sim.Node) {
		if g.env == nil {
			close(done)
			return
		}
		g.next++
		id = g.next
		s := &submission{
			req:     &protocols.Request{Client: g.id, ID: g.next, Op: protocols.OpAppend, Value: value},
			sentAt:  g.env.Now(),
			replies: map[sim.NodeID]protocols.Digest{},
			done:    done,
		}
		g.pending[s.req.ID] = s
		g.env.Broadcast(s.req)
		s.timer = g.env.SetTimer(sim.Time(gatewayResend), 0, int64(s.req.ID))
	})
	if !ok {
		return Result{}, ErrGatewayClosed
	}
	select {
	case r, ok := <-done:
		if !ok {
			return Result{}, errors.New("the gateway has not started")
		}
		return r, nil
	case <-ctx.Done():
		g.c.Post(g.id, func(sim.Node) {
			if s := g.pending[id]; s != nil {
				g.env.CancelTimer(s.timer)
				delete(g.pending, id)
			}
		})
		return Result{}, ctx.Err()
	case <-g.c.Done():
		return Result{}, ErrGatewayClosed
	}
}

func sortIDs(ids []sim.NodeID) []sim.NodeID {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	return ids
}
