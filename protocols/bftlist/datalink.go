package bftlist

import "github.com/byzsim/byzsim/sim"

// dataLink is the self-stabilizing token-passing data link with bounded
// counters (Dolev's alternating token over lossy, unordered links): per
// peer, a sender sends a token with its counter until the peer returns that
// counter, then moves the counter on modulo cap and, after the pause, sends
// the next token; a receiver delivers a token whose counter differs from
// the last one it saw from that peer and always returns the counter. After
// a transient fault at most one token per link is lost or delivered twice.
type dataLink struct {
	r *Replica
	// peers[j] is the link with j, in one record so that a token or an
	// acknowledgement touches one cache line of it.
	peers []linkPeer
	// tokens[2c+s] and acks[c] are the token of counter c with payload s
	// (0 or 1) and the acknowledgement of c, built once and shared by
	// every link (messages are never written to once sent); counters of
	// maxSharedCounter and above get a new message each time.
	tokens []*FDToken
	acks   []*FDAck
}

// maxSharedCounter bounds the counters whose messages are shared: counters
// grow by one per round trip, so a run uses the first few hundred.
const maxSharedCounter = 4096

// linkPeer is one link's state: send is the counter of the token to or at
// the peer; recv the last counter received from it (valid when seen).
type linkPeer struct {
	send, recv uint32
	seen       bool
	timer      sim.TimerID // pending timer
}

func newDataLink(r *Replica) dataLink {
	return dataLink{r: r, peers: make([]linkPeer, r.n)}
}

// start sends a first token to every peer.
func (dl *dataLink) start() {
	for j := 0; j < dl.r.n; j++ {
		if j != dl.r.id {
			dl.transmit(j)
		}
	}
}

// transmit sends the current token to j with the failure detector's
// payload and arms the retransmission timeout.
func (dl *dataLink) transmit(j int) {
	r := dl.r
	r.send(j, dl.token(dl.peers[j].send%r.p.LinkCap, r.fd.primSusp[r.id]))
	dl.arm(j, r.p.LinkTimeout)
}

func (dl *dataLink) arm(j int, d sim.Time) {
	r := dl.r
	p := &dl.peers[j]
	r.cancel(p.timer)
	p.timer = r.env.SetTimer(d, timerLink, int64(j))
}

// onToken handles a token from j: deliver if new, always acknowledge.
func (dl *dataLink) onToken(j int, m *FDToken) {
	r := dl.r
	p := &dl.peers[j]
	fresh := !p.seen || p.recv != m.Counter
	p.recv, p.seen = m.Counter, true
	r.send(j, dl.ack(m.Counter))
	if fresh {
		r.env.Charge(r.p.FDCost)
		r.fd.onToken(j, m.PrimSusp)
	}
}

// onAck handles a returned counter: the current one moves the link on; a
// stale one makes the sender retransmit at once (as the reference does).
func (dl *dataLink) onAck(j int, m *FDAck) {
	r := dl.r
	p := &dl.peers[j]
	if m.Counter != p.send%r.p.LinkCap {
		dl.transmit(j)
		return
	}
	p.send = (p.send + 1) % r.p.LinkCap
	dl.arm(j, r.p.FDInterval)
}

// token returns the token of counter c with payload susp.
func (dl *dataLink) token(c uint32, susp bool) *FDToken {
	if c >= maxSharedCounter {
		return &FDToken{Counter: c, PrimSusp: susp}
	}
	i := 2 * int(c)
	if susp {
		i++
	}
	if i >= len(dl.tokens) {
		dl.tokens = append(dl.tokens, make([]*FDToken, i+1-len(dl.tokens))...)
	}
	if dl.tokens[i] == nil {
		dl.tokens[i] = &FDToken{Counter: c, PrimSusp: susp}
	}
	return dl.tokens[i]
}

// ack returns the acknowledgement of counter c.
func (dl *dataLink) ack(c uint32) *FDAck {
	if c >= maxSharedCounter {
		return &FDAck{Counter: c}
	}
	i := int(c)
	if i >= len(dl.acks) {
		dl.acks = append(dl.acks, make([]*FDAck, i+1-len(dl.acks))...)
	}
	if dl.acks[i] == nil {
		dl.acks[i] = &FDAck{Counter: c}
	}
	return dl.acks[i]
}
