package bftlist

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// byteReader hands out fuzz bytes, zeros once they run out.
type byteReader struct {
	b []byte
	i int
}

func (r *byteReader) next() byte {
	if r.i >= len(r.b) {
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

func (r *byteReader) int64() int64 { return int64(int8(r.next())) }

func (r *byteReader) done() bool { return r.i >= len(r.b) }

// fuzzPeer is a Byzantine replica that sends whatever the fuzz input says.
type fuzzPeer struct {
	env sim.Env
	in  *byteReader
	n   int
}

func (p *fuzzPeer) Start(env sim.Env) {
	p.env = env
	p.env.SetTimer(10*sim.Millisecond, 0, 0)
}

func (p *fuzzPeer) Deliver(sim.NodeID, sim.Message) {}

func (p *fuzzPeer) Fire(sim.Timer) {
	for k := 0; k < 4 && !p.in.done(); k++ {
		to := sim.NodeID(int(p.in.next()) % (p.n - 1))
		p.env.Send(to, p.message())
	}
	p.env.SetTimer(sim.Time(1+int(p.in.next())%50)*sim.Millisecond, 0, 0)
}

func (p *fuzzPeer) view() int64 { return p.in.int64() % 9 }

func (p *fuzzPeer) veData() VEData {
	b := p.in.next()
	return VEData{Phase: int8(b % 3), Witness: b&4 != 0, VChange: b&8 != 0, Views: ViewPair{p.view(), p.view()}}
}

func (p *fuzzPeer) clientReq() ClientReq {
	b := p.in.next()
	if b%7 == 0 {
		return dummyReq
	}
	return ClientReq{Client: sim.NodeID(p.n + int(b%3)), TS: uint64(p.in.next() % 8), Op: protocols.Op(b % 2), Value: p.in.int64()}
}

func (p *fuzzPeer) req() Req {
	return Req{Q: p.clientReq(), View: p.view(), Seq: p.in.int64() % 40}
}

func (p *fuzzPeer) structure() *RepStructure {
	s := &RepStructure{SeqNum: p.in.int64(), Prim: p.view()}
	b := p.in.next()
	s.ConFlag, s.ViewChanged = b&1 != 0, b&2 != 0
	for range int(p.in.next() % 8) {
		s.State = append(s.State, p.in.int64()%4)
	}
	for range int(p.in.next() % 40) {
		s.RLog = append(s.RLog, LogEntry{Req: p.req(), X: setWord(uint64(p.in.next())<<8 | uint64(p.in.next()))})
	}
	for range int(p.in.next() % 40) {
		s.PendReqs = append(s.PendReqs, p.clientReq())
	}
	for range int(p.in.next() % 40) {
		s.ReqQ = append(s.ReqQ, ReqPair{Req: p.req(), Status: Status(p.in.next())})
	}
	if k := int(p.in.next() % 4); k > 0 {
		s.LastReq = make([]LastReq, k)
	}
	return s
}

func (p *fuzzPeer) message() sim.Message {
	switch p.in.next() % 7 {
	case 0:
		return &VEMsg{Own: p.veData(), About: p.veData()}
	case 1:
		return &REPMsg{Rep: p.structure(), N: p.n}
	case 2:
		b := p.in.next()
		return &PMMsg{VCM: VCM{Status: VStatus(b % 5), Prim: p.view(), NeedChange: b&8 != 0, NeedChgSet: setWord(uint64(p.in.next()) << 1)}, N: p.n}
	case 3:
		return &FDToken{Counter: uint32(p.in.next()), PrimSusp: p.in.next()%2 == 0}
	case 4:
		return &FDAck{Counter: uint32(p.in.next())}
	case 5:
		return &EFDToken{Owner: int32(p.in.int64() % 8), Token: uint32(p.in.next())}
	default:
		return &REPMsg{}
	}
}

// FuzzByzantinePeer feeds correct replicas arbitrary messages from a
// Byzantine peer: no panic, the correct replicas' lists never diverge, and
// they hold only values the client asked for (one Byzantine replica cannot
// gather the n − 2f support a forged request needs).
func FuzzByzantinePeer(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	f.Add([]byte{0, 0, 0, 1, 1, 1, 2, 2, 2, 200, 100, 50})
	f.Add([]byte{1, 1, 7, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3})
	f.Add([]byte("view establishment and replication under attack"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const n = 6
		w := sim.NewWorld(sim.Config{Seed: 3, Replicas: n})
		w.Network().SetDefault(sim.Link{Delay: sim.Uniform{Min: sim.Millisecond, Max: 3 * sim.Millisecond}})
		var reps []*Replica
		for i := 0; i < n-1; i++ {
			r, err := New(protocols.Config{ID: sim.NodeID(i), N: n, F: 1, Clients: 1, Costs: protocols.DefaultCosts()})
			if err != nil {
				t.Fatal(err)
			}
			reps = append(reps, r)
			w.AddNode(r, 0)
		}
		w.AddNode(&fuzzPeer{in: &byteReader{b: data}, n: n}, 0)
		cl := &testClient{n: n, f: 1, total: 3}
		w.AddNode(cl, 0)
		for step := 0; step < 40; step++ {
			w.Run(w.Now() + 250*sim.Millisecond)
			var longest []int64
			for _, r := range reps {
				if len(r.rep.own.State) > len(longest) {
					longest = r.rep.own.State
				}
			}
			for i, r := range reps {
				if !isPrefix(r.rep.own.State, longest) {
					t.Fatalf("at %v replica %d's list %v is not a prefix of %v", w.Now(), i, r.rep.own.State, longest)
				}
				for _, v := range r.rep.own.State {
					if v < cl.value+1 || v > cl.value+int64(cl.total) {
						t.Fatalf("at %v replica %d's list %v holds %d, which the client never sent", w.Now(), i, r.rep.own.State, v)
					}
				}
			}
		}
	})
}
