package live

import (
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/byzsim/byzsim/sim"
)

// ping is the test protocol's message: a counter.
type ping struct{ N uint32 }

func (*ping) Kind() string { return "ping" }
func (*ping) Size() int    { return 4 }

type pingCodec struct{}

func (pingCodec) Append(buf []byte, m sim.Message) ([]byte, error) {
	p, ok := m.(*ping)
	if !ok {
		return buf, errors.New("not a ping")
	}
	return binary.LittleEndian.AppendUint32(buf, p.N), nil
}

func (pingCodec) Decode(data []byte) (sim.Message, error) {
	if len(data) != 4 {
		return nil, errors.New("bad ping")
	}
	return &ping{binary.LittleEndian.Uint32(data)}, nil
}

// relay forwards a ping to the next replica until it reaches limit; each
// replica records what it saw. A timer that is cancelled must not fire;
// one that is not must.
type relay struct {
	env     sim.Env
	limit   uint32
	seen    []uint32
	fired   []int
	cancel  sim.TimerID
	crashed bool
	done    chan struct{}
}

func (r *relay) Start(env sim.Env) {
	r.env = env
	r.cancel = env.SetTimer(50*sim.Millisecond, 1, 0)
	env.SetTimer(10*sim.Millisecond, 2, 0)
	env.CancelTimer(r.cancel)
	if env.ID() == 0 {
		env.Send(1, &ping{1})
	}
}

func (r *relay) Deliver(from sim.NodeID, m sim.Message) {
	p := m.(*ping)
	r.seen = append(r.seen, p.N)
	if p.N >= r.limit {
		close(r.done)
		return
	}
	r.env.Send(sim.NodeID((int(r.env.ID())+1)%r.env.Replicas()), &ping{p.N + 1})
}

func (r *relay) Fire(t sim.Timer) { r.fired = append(r.fired, t.Kind) }

func newRelays(n int, limit uint32) ([]sim.Node, []*relay, chan struct{}) {
	done := make(chan struct{})
	var nodes []sim.Node
	var rs []*relay
	for i := 0; i < n; i++ {
		r := &relay{limit: limit, done: done}
		nodes = append(nodes, r)
		rs = append(rs, r)
	}
	return nodes, rs, done
}

func TestRelayOverChannels(t *testing.T) {
	for _, ch := range []sim.Channel{sim.Reliable, sim.Lossy} {
		t.Run(ch.String(), func(t *testing.T) {
			nodes, rs, done := newRelays(3, 30)
			c, err := New(Config{Replicas: 3, Nodes: nodes, Codec: pingCodec{}, Seed: 1,
				Model: func(sim.NodeID, sim.NodeID) sim.Link {
					return sim.Link{Delay: sim.Constant{D: sim.Millisecond}, Channel: ch}
				}})
			if err != nil {
				t.Fatal(err)
			}
			c.Start()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the ping did not go round")
			}
			time.Sleep(100 * time.Millisecond) // let the 10 ms timers fire
			c.Close()
			total := 0
			for id, r := range rs {
				total += len(r.seen)
				for i, n := range r.seen {
					if int(n)%3 != id {
						t.Errorf("replica %d saw ping %d at %d", id, n, i)
					}
				}
				if len(r.fired) != 1 || r.fired[0] != 2 {
					t.Errorf("replica %d: timers fired %v, want only the uncancelled one (kind 2)", id, r.fired)
				}
			}
			if total != 30 {
				t.Errorf("%d pings delivered, want 30", total)
			}
			if st := c.Stats(); st.Sent != 30 || st.Delivered != 30 {
				t.Errorf("stats %+v, want 30 sent and delivered", st)
			}
		})
	}
}

// TestBadFramesIgnored sends garbage to a node's sockets: the node drops
// it, without a panic, and keeps working.
func TestBadFramesIgnored(t *testing.T) {
	nodes, _, done := newRelays(2, 10)
	c, err := New(Config{Replicas: 2, Nodes: nodes, Codec: pingCodec{}, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.Addrs()[1]
	for _, frame := range [][]byte{
		{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 1, 0, 0, 0}, // huge length
		{3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3},    // body does not decode
		{4, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4}, // unknown sender
		{4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, // wrong receiver
		{4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4}, // from itself
	} {
		conn, err := net.Dial("tcp", addr.TCP)
		if err != nil {
			t.Fatal(err)
		}
		conn.Write(frame)
		conn.Close()
		u, err := net.Dial("udp", addr.UDP)
		if err != nil {
			t.Fatal(err)
		}
		u.Write(frame)
		u.Close()
	}
	c.Start()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the cluster stopped working after bad frames")
	}
}

// TestCrashLosesInputs crashes a node: what it is sent meanwhile is
// dropped; after recovery it handles messages again.
func TestCrashLosesInputs(t *testing.T) {
	var mu sync.Mutex
	var drops []string
	nodes, rs, _ := newRelays(2, 1000)
	c, err := New(Config{Replicas: 2, Nodes: nodes, Codec: pingCodec{}, Seed: 3, Tracer: dropRecorder{&mu, &drops}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Crash(1)
	c.Start()
	waitUntil(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(drops) > 0
	})
	mu.Lock()
	if drops[0] != "crashed" {
		t.Errorf("drop reason %q, want crashed", drops[0])
	}
	mu.Unlock()
	c.Recover(1)
	c.Post(0, func(sim.Node) { rs[0].env.Send(1, &ping{1}) })
	waitUntil(t, func() bool {
		seen := false
		c.Do(1, func(sim.Node) { seen = len(rs[1].seen) > 0 })
		return seen
	})
}

type dropRecorder struct {
	mu    *sync.Mutex
	drops *[]string
}

func (d dropRecorder) Sent(sim.Time, sim.NodeID, sim.NodeID, sim.Message)      {}
func (d dropRecorder) Delivered(sim.Time, sim.NodeID, sim.NodeID, sim.Message) {}
func (d dropRecorder) Fired(sim.Time, sim.NodeID, sim.Timer)                   {}
func (d dropRecorder) Observed(sim.Time, sim.NodeID, sim.Observation)          {}
func (d dropRecorder) Dropped(_ sim.Time, _, _ sim.NodeID, _ sim.Message, why string) {
	d.mu.Lock()
	*d.drops = append(*d.drops, why)
	d.mu.Unlock()
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
