package live

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/byzsim/byzsim/sim"
)

// maxRetransmits bounds the retransmissions drawn for one message on a
// reliable link, as in simulation.
const maxRetransmits = 64

// link is the sender's side of one directed link: the link's model, its
// random stream and, for reliable channels, a FIFO queue of messages held
// until their release time and a writer that puts them on the TCP
// connection in order.
type link struct {
	c        *Cluster
	from, to sim.NodeID
	model    sim.Link
	rng      *rand.Rand
	// freeAt and lastRelease are touched only by the sender's goroutine.
	freeAt      sim.Time
	lastRelease sim.Time
	backlog     atomic.Int64

	mu      sync.Mutex
	queue   []held
	wake    chan struct{}
	done    chan struct{}
	stopped bool
}

// held is an encoded message waiting for its release time.
type held struct {
	at  sim.Time
	enc []byte
	msg sim.Message
}

func (nd *node) link(to sim.NodeID) *link {
	if l := nd.links[to]; l != nil {
		return l
	}
	c := nd.c
	l := &link{c: c, from: nd.id, to: to, model: c.cfg.Model(nd.id, to), rng: c.rngFor(nd.id, to),
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	if l.model.RTO <= 0 {
		l.model.RTO = sim.DefaultRTO
	}
	nd.links[to] = l
	go l.write()
	return l
}

func (nd *node) closeLinks() {
	for _, l := range nd.links {
		if l != nil {
			l.mu.Lock()
			if !l.stopped {
				l.stopped = true
				close(l.done)
			}
			l.mu.Unlock()
		}
	}
}

// send applies the network model to one message at the sender and hands it
// to the transport; enc is msg's encoding when already made (a broadcast),
// and the encoding is returned for reuse.
func (nd *node) send(to sim.NodeID, msg sim.Message, enc []byte) []byte {
	c := nd.c
	now := c.Now()
	if to < 0 || int(to) >= len(c.nodes) {
		c.traceDropped(now, nd.id, to, msg, "no such node")
		return enc
	}
	c.traceSent(now, nd.id, to, msg)
	c.mu.Lock()
	if c.partitioned(nd.id, to) {
		c.mu.Unlock()
		c.traceDropped(now, nd.id, to, msg, "partition")
		return enc
	}
	var extra sim.Time
	if len(c.cfg.Interceptors) > 0 {
		p := sim.Packet{From: nd.id, To: to, Msg: msg, SentAt: now}
		for _, ic := range c.cfg.Interceptors {
			if why := ic.Intercept(&p); why != "" {
				c.mu.Unlock()
				c.traceDropped(now, nd.id, to, msg, why)
				return enc
			}
		}
		extra = max(p.Extra, 0)
	}
	c.mu.Unlock()
	if to == nd.id {
		deliver := func() { nd.box.post(func() { nd.deliver(nd.id, msg) }) }
		if extra > 0 {
			time.AfterFunc(time.Duration(extra), deliver)
		} else {
			deliver()
		}
		return enc
	}
	if enc == nil {
		var err error
		if enc, err = c.cfg.Codec.Append(nil, msg); err != nil {
			c.traceDropped(now, nd.id, to, msg, "encoding: "+err.Error())
			return nil
		}
	}
	l := nd.link(to)
	m := &l.model
	channel := m.Channel
	if ch, ok := c.cfg.KindChannel[msg.Kind()]; ok {
		channel = ch
	}
	delay := extra
	if m.Delay != nil {
		delay += max(m.Delay.Sample(l.rng), 0)
	}
	if m.Loss > 0 {
		if channel == sim.Lossy {
			if l.rng.Float64() < m.Loss {
				c.traceDropped(now, nd.id, to, msg, "loss")
				return enc
			}
		} else {
			for i := 0; i < maxRetransmits && l.rng.Float64() < m.Loss; i++ {
				delay += m.RTO
			}
		}
	}
	depart := now
	if m.Bandwidth > 0 {
		depart = max(depart, l.freeAt) + sim.SerializationDelay(len(enc), m.Bandwidth)
		l.freeAt = depart
	}
	at := depart + delay
	l.backlog.Add(1)
	if channel == sim.Lossy && len(enc) <= maxDatagram {
		time.AfterFunc(time.Duration(at-now), func() {
			l.backlog.Add(-1)
			if c.beginSend() {
				c.tr.sendUDP(nd.id, to, enc, msg)
				c.endSend()
			}
		})
		return enc
	}
	at = max(at, l.lastRelease)
	l.lastRelease = at
	l.mu.Lock()
	l.queue = append(l.queue, held{at: at, enc: enc, msg: msg})
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return enc
}

// write puts the link's reliable messages on its TCP connection, each at
// its release time, in order.
func (l *link) write() {
	var conn *peerConn
	for {
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.mu.Unlock()
			select {
			case <-l.done:
				conn.close()
				return
			case <-l.wake:
			}
			continue
		}
		h := l.queue[0]
		l.mu.Unlock()
		if d := time.Duration(h.at - l.c.Now()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-l.done:
				t.Stop()
				conn.close()
				return
			case <-t.C:
			}
		}
		l.mu.Lock()
		l.queue[0] = held{}
		l.queue = l.queue[1:]
		l.mu.Unlock()
		l.backlog.Add(-1)
		if !l.c.beginSend() {
			conn.close()
			return
		}
		conn = l.c.tr.sendTCP(conn, l.from, l.to, h.enc, h.msg)
		l.c.endSend()
	}
}
