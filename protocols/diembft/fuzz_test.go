package diembft

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// byzPeer is a Byzantine replica driven by fuzz input: every 20 ms it sends
// a message built from the next input bytes — random fields, its own or
// forged signatures, far-future rounds, unknown parents, replays of the
// certificates and blocks it has seen.
type byzPeer struct {
	env    sim.Env
	in     []byte
	pos    int
	n      int
	keys   *keyring
	gqc    *QC
	qcs    []*QC
	tcs    []*TC
	blocks []*Block
	sent   []sim.Message
}

func (p *byzPeer) byte() byte {
	if p.pos >= len(p.in) {
		return 0
	}
	b := p.in[p.pos]
	p.pos++
	return b
}

func (p *byzPeer) u64() uint64 {
	var x uint64
	for range 8 {
		x = x<<8 | uint64(p.byte())
	}
	return x
}

func (p *byzPeer) round() int64 {
	switch p.byte() % 4 {
	case 0:
		return int64(p.u64()) // anything, far future included
	case 1:
		return -int64(p.byte())
	}
	base := int64(0)
	if len(p.qcs) > 0 {
		base = p.qcs[len(p.qcs)-1].VoteInfo.Round
	}
	return base + int64(p.byte()%5) - 1
}

func (p *byzPeer) sig(d protocols.Digest) Signature {
	switch p.byte() % 4 {
	case 0:
		return Signature{Signer: sim.NodeID(p.byte() % 6), Digest: d, tag: p.u64()}
	case 1:
		return Signature{Signer: p.env.ID(), Digest: protocols.Digest(p.u64())}
	}
	return p.keys.sign(d)
}

func (p *byzPeer) qc() *QC {
	switch c := p.byte() % 5; {
	case c == 0 || len(p.qcs) == 0:
		return p.gqc
	case c == 1:
		return nil
	case c == 2:
		r := p.round()
		vi := VoteInfo{ID: protocols.Digest(p.u64()), Round: r, ParentID: protocols.Digest(p.u64()), ParentRound: r - 1}
		lci := LedgerCommitInfo{CommitStateID: protocols.Digest(p.u64() & 1), VoteInfoHash: vi.Hash()}
		sigs := make([]Signature, p.byte()%6)
		for i := range sigs {
			sigs[i] = p.sig(lci.Hash())
		}
		return &QC{VoteInfo: vi, LedgerCommitInfo: lci, Signatures: sigs, Author: p.env.ID()}
	default:
		return p.qcs[int(p.byte())%len(p.qcs)]
	}
}

func (p *byzPeer) tc() *TC {
	switch c := p.byte() % 3; {
	case c == 0 || len(p.tcs) == 0 && c == 2:
		return nil
	case c == 1:
		r := p.round()
		sigs := make([]Signature, p.byte()%6)
		rounds := make([]int64, len(sigs))
		for i := range sigs {
			rounds[i] = r - 1
			sigs[i] = p.sig(timeoutDigest(r, r-1))
		}
		return &TC{Round: r, HighQCRounds: rounds, Signatures: sigs}
	default:
		return p.tcs[int(p.byte())%len(p.tcs)]
	}
}

func (p *byzPeer) block() *Block {
	if len(p.blocks) > 0 && p.byte()%3 == 0 {
		return p.blocks[int(p.byte())%len(p.blocks)]
	}
	var payload []*protocols.Request
	for range p.byte() % 6 {
		if p.byte()%7 == 0 {
			payload = append(payload, nil)
		} else {
			payload = append(payload, &protocols.Request{Client: sim.NodeID(p.byte() % 6), ID: uint64(p.byte())})
		}
	}
	author := p.env.ID()
	if p.byte()%4 == 0 {
		author = sim.NodeID(p.byte() % 5)
	}
	b := &Block{Author: author, Round: p.round(), Payload: payload, QC: p.qc()}
	if p.byte()%5 != 0 {
		b.ID = blockID(b)
	} else {
		b.ID = protocols.Digest(p.u64())
	}
	return b
}

func (p *byzPeer) next() sim.Message {
	switch p.byte() % 8 {
	case 0, 1:
		b := p.block()
		id := protocols.Digest(0)
		if b != nil {
			id = b.ID
		}
		return &Proposal{Block: b, LastRoundTC: p.tc(), HighCommitQC: p.qc(), Signature: p.sig(proposalDigest(id))}
	case 2:
		r := p.round()
		vi := VoteInfo{ID: protocols.Digest(p.u64()), Round: r, ParentID: protocols.Digest(p.u64()), ParentRound: r - 1}
		if len(p.blocks) > 0 && p.byte()%2 == 0 {
			b := p.blocks[int(p.byte())%len(p.blocks)]
			if b.QC != nil {
				vi = VoteInfo{ID: b.ID, Round: b.Round, ParentID: b.QC.VoteInfo.ID, ParentRound: b.QC.VoteInfo.Round}
			}
		}
		lci := LedgerCommitInfo{CommitStateID: protocols.Digest(p.u64() & 3), VoteInfoHash: vi.Hash()}
		return &Vote{VoteInfo: vi, LedgerCommitInfo: lci, HighCommitQC: p.qc(), Sender: p.env.ID(), Signature: p.sig(lci.Hash())}
	case 3, 4:
		hqc := p.qc()
		r := p.round()
		hr := int64(0)
		if hqc != nil {
			hr = hqc.VoteInfo.Round
		}
		return &Timeout{Info: TimeoutInfo{Round: r, HighQC: hqc, Sender: p.env.ID(), Signature: p.sig(timeoutDigest(r, hr))}, LastRoundTC: p.tc(), HighCommitQC: p.qc()}
	case 5:
		return &SyncRequest{Target: protocols.Digest(p.u64()), CommittedHeight: int64(p.byte()) - 10, Sender: p.env.ID()}
	case 6:
		resp := &SyncResponse{Target: protocols.Digest(p.u64())}
		for range p.byte() % 4 {
			resp.Blocks = append(resp.Blocks, p.block())
		}
		return resp
	default:
		if len(p.sent) > 0 {
			return p.sent[int(p.byte())%len(p.sent)]
		}
		return nil
	}
}

func (p *byzPeer) Start(env sim.Env) {
	p.env = env
	p.keys = newKeyring(1, env.ID(), p.n, 3, false)
	_, p.gqc, _ = genesis()
	env.SetTimer(20*sim.Millisecond, 1, 0)
}

func (p *byzPeer) Fire(sim.Timer) {
	if p.pos >= len(p.in) {
		return
	}
	if m := p.next(); m != nil {
		if to := p.byte() % 5; to == 4 {
			p.env.Broadcast(m)
		} else {
			p.env.Send(sim.NodeID(to), m)
		}
	}
	p.env.SetTimer(20*sim.Millisecond, 1, 0)
}

func (p *byzPeer) Deliver(from sim.NodeID, m sim.Message) {
	if from == p.env.ID() {
		return
	}
	if len(p.sent) < 64 {
		p.sent = append(p.sent, m)
	}
	switch m := m.(type) {
	case *Proposal:
		p.blocks = append(p.blocks, m.Block)
		p.qcs = append(p.qcs, m.Block.QC, m.HighCommitQC)
		if m.LastRoundTC != nil {
			p.tcs = append(p.tcs, m.LastRoundTC)
		}
	case *Timeout:
		p.qcs = append(p.qcs, m.Info.HighQC)
		if m.LastRoundTC != nil {
			p.tcs = append(p.tcs, m.LastRoundTC)
		}
	case *Vote:
		p.qcs = append(p.qcs, m.HighCommitQC)
	}
}

// FuzzByzantinePeer feeds three correct replicas arbitrary messages from a
// Byzantine fourth: no panic, bounded state, no safety violation.
func FuzzByzantinePeer(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	f.Add([]byte("proposal vote timeout sync far future rounds and unknown parents"))
	seed := make([]byte, 512)
	for i := range seed {
		seed[i] = byte(i*37 + i/7)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 4096 {
			in = in[:4096]
		}
		const n = 4
		w := sim.NewWorld(sim.Config{Seed: 1, Replicas: n})
		w.Network().SetDefault(sim.Link{Delay: sim.Uniform{Min: sim.Millisecond, Max: 20 * sim.Millisecond}})
		params := protocols.Params{"transmission_delay_bound": 50 * sim.Millisecond, "future_rounds": int64(20)}
		var reps []*Replica
		for i := range n - 1 {
			r, err := New(protocols.Config{ID: sim.NodeID(i), N: n, F: 1, Clients: 1, Params: params, Costs: protocols.DefaultCosts(), Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			reps = append(reps, r)
			w.AddNode(r, 0)
		}
		w.AddNode(&byzPeer{in: in, n: n}, 0)
		client := newTestClient(1)
		client.batch(0, 20)
		w.AddNode(client, 0)
		certs := map[int64]protocols.Digest{}
		w.Subscribe(func(_ sim.Time, node sim.NodeID, o sim.Observation) {
			if c, ok := o.(protocols.Certified); ok && int(node) < n-1 {
				if d, seen := certs[c.Round]; seen && d != c.Digest {
					t.Fatalf("round %d certified twice", c.Round)
				}
				certs[c.Round] = c.Digest
			}
		})
		w.Run(5 * sim.Second)
		if err := consistent(reps); err != nil {
			t.Fatal(err)
		}
		if client.conflict {
			t.Fatal("client saw conflicting results")
		}
		for _, r := range reps {
			if len(r.pm.timeouts) > 21 || len(r.sync.buffer) > r.maxDeferred() || len(r.tree.votes) > 22*2*n || r.ledger.NumPending() > 1000 {
				t.Fatalf("replica %d state unbounded: timeouts %d buffer %d votes %d pending %d", r.id, len(r.pm.timeouts), len(r.sync.buffer), len(r.tree.votes), r.ledger.NumPending())
			}
		}
	})
}
