package workloads

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Saturated puts every request in every replica's queue before the run
// starts, as if clients had sent them all at time 0, and has no client
// nodes: no request or reply crosses the network, every leader always has
// full blocks while requests remain, and a request completes when n−f
// correct replicas committed the entry that carries it (throughput from
// commits). Benchmark shapes of simulators that model no clients.
const Saturated Type = "saturated"

func saturatedKind() Kind {
	return Kind{
		Type:   Saturated,
		Doc:    "every request in every replica's queue from the start, no client messages; a request completes when n−f correct replicas committed it (latency counts from time 0)",
		Decode: func(Values) Params { return &SaturatedParams{} },
	}
}

// SaturatedParams are the parameters of a saturated workload: none.
type SaturatedParams struct{ clientDefaults }

// Type implements Params.
func (*SaturatedParams) Type() Type { return Saturated }

// WithDefaults implements Params.
func (p *SaturatedParams) WithDefaults() Params { d := *p; return &d }

// Validate implements Params.
func (*SaturatedParams) Validate(s *Spec) *FieldError {
	if s.Start != 0 {
		return fieldErr("start", "a saturated workload's requests are queued when the run starts: start must be 0, got %v", s.Start)
	}
	return nil
}

// Values implements Params.
func (*SaturatedParams) Values() Values { return nil }

func (*SaturatedParams) start(*Client)   {} // it has no clients
func (*SaturatedParams) preloaded() bool { return true }

// SaturatedClient returns the client id the requests of the k-th client of
// the saturated workloads (counted over all of them, in workload order)
// carry. It is negative: no such node exists, so replicas send it no reply.
func SaturatedClient(k int) sim.NodeID { return sim.NodeID(-2 - k) }

// Saturated reports whether the tracker has saturated workloads.
func (t *Tracker) Saturated() bool { return len(t.saturated) > 0 }

// Preload returns the requests of the saturated workloads, which every
// replica holds in its queue from the start: for each workload in order,
// each of its clients in order, requests 1 … Count. A request appends its
// id; its client is SaturatedClient of the client's position.
func (t *Tracker) Preload() []*protocols.Request {
	var out []*protocols.Request
	k := 0
	for _, w := range t.saturated {
		for c := 0; c < w.spec.Clients; c++ {
			client := SaturatedClient(k)
			k++
			for id := 1; id <= w.spec.Count; id++ {
				out = append(out, &protocols.Request{Client: client, ID: uint64(id), Op: protocols.OpAppend,
					Value: int64(id), Payload: w.spec.Payload})
			}
		}
	}
	return out
}

// SaturatedDone is how many requests of a saturated workload completed at
// one commit.
type SaturatedDone struct {
	Workload string
	Requests int
}

// Committed tells the tracker that a correct replica committed the entry
// at height carrying requests requests, at time at. When it is the n−f-th
// correct replica to commit that height, the entry's requests complete:
// they count towards the saturated workloads in workload order, and the
// completions are returned (nil otherwise). A saturated workload must be
// the experiment's only workload, so that every committed request is one
// of its own.
func (t *Tracker) Committed(at sim.Time, height int64, requests int) []SaturatedDone {
	if len(t.saturated) == 0 || requests <= 0 {
		return nil
	}
	if t.heights.add(height) != t.cfg.N-t.cfg.F {
		return nil
	}
	var out []SaturatedDone
	for _, w := range t.saturated {
		if requests == 0 {
			break
		}
		st := &w.status
		if st.Finished() {
			continue
		}
		n := min(requests, st.Total-st.Completed)
		requests -= n
		st.Completed += n
		out = append(out, SaturatedDone{Workload: st.Name, Requests: n})
		if st.Completed == st.Total {
			st.Done, st.DoneAt = true, at
			t.workloadFinished(at)
		}
	}
	return out
}

// heightCounts counts commits per entry height: in a slice indexed by
// height for the heights a ledger reaches one after the other, in a map
// for the others (a height far beyond the highest so far, or negative).
type heightCounts struct {
	dense []int32
	far   map[int64]int
}

// denseHeights bounds how far beyond the highest dense height a height is
// still counted in the slice.
const denseHeights = 1 << 16

// add counts one more commit of height and returns its count: its first
// test takes nearly every commit (a height in the slice, no count in the
// map), and addSlow the rest.
func (c *heightCounts) add(height int64) int {
	if uint64(height) < uint64(len(c.dense)) && c.far == nil {
		c.dense[height]++
		return int(c.dense[height])
	}
	return c.addSlow(height)
}

// addSlow is add for a height beyond the slice or negative, or while the
// map holds counts.
func (c *heightCounts) addSlow(height int64) int {
	if height >= 0 && height < int64(len(c.dense))+denseHeights {
		if height >= int64(len(c.dense)) {
			c.dense = append(c.dense, make([]int32, max(height+1, 2*int64(len(c.dense)))-int64(len(c.dense)))...)
		}
		if c.far != nil {
			if n, ok := c.far[height]; ok {
				// Counted in the map before the slice reached it.
				delete(c.far, height)
				c.dense[height] += int32(n)
			}
		}
		c.dense[height]++
		return int(c.dense[height])
	}
	if c.far == nil {
		c.far = make(map[int64]int)
	}
	c.far[height]++
	return c.far[height]
}
