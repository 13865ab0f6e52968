package sim

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// Channel is the delivery discipline of a link.
type Channel uint8

const (
	// Reliable is a FIFO channel like TCP: a message never overtakes an
	// earlier one on the same link, and a lost transmission is retransmitted
	// after the link's RTO (loss turns into delay).
	Reliable Channel = iota
	// Lossy is an unordered channel like UDP: a lost message is gone and
	// messages may overtake each other.
	Lossy
)

// String returns "reliable" or "lossy".
func (c Channel) String() string {
	switch c {
	case Reliable:
		return "reliable"
	case Lossy:
		return "lossy"
	}
	return fmt.Sprintf("channel(%d)", uint8(c))
}

// DefaultRTO is the retransmission timeout of a reliable link that does not
// set one.
const DefaultRTO = 200 * Millisecond

// maxRetransmits bounds the retransmissions drawn for one message on a
// reliable link (a loss of 1 would otherwise never deliver).
const maxRetransmits = 64

// Link is the model of one directed link.
type Link struct {
	// Delay is the propagation delay of one message; nil means zero.
	Delay Dist
	// Loss is the probability that one transmission is lost, in [0, 1].
	Loss float64
	// Bandwidth in bytes per second; 0 means unlimited. With a bandwidth, a
	// message first waits for the link to be free, then takes Size/Bandwidth
	// to serialize, then propagates.
	Bandwidth float64
	// Channel is Reliable (FIFO, loss becomes retransmission delay) or Lossy.
	Channel Channel
	// RTO is the retransmission timeout of a Reliable link; 0 means DefaultRTO.
	RTO Time
}

// Packet is one message in flight, as interceptors see it.
type Packet struct {
	From, To NodeID
	Msg      Message
	// SentAt is when the message leaves the sender.
	SentAt Time
	// Extra is delay added by interceptors on top of the link's delay.
	Extra Time
}

// Interceptor sees every send before the link does; it may add p.Extra delay
// or drop the packet by returning a non-empty reason. Interceptors run in the
// order they were added and must not send.
type Interceptor interface {
	Intercept(p *Packet) (drop string)
}

// Network models the links between all nodes of a World.
type Network struct {
	w     *World
	model func(from, to NodeID) Link
	// links holds the state of every directed link, at from*nodes+to,
	// made when the first message is scheduled (the node count is fixed
	// by then). A link's state is made on its first message; its sent
	// count counts also its self-messages (from == to). The table holds no
	// pointers, so the collector does not scan it (32 MB at n = 1,000),
	// and it is made once: a send reads and writes one 32-byte entry,
	// where the link, its state and its backlog were three tables (a
	// vote's sender, strided through a leader's column, missed the cache
	// in each). Pages of pairs that never carry a message (between
	// clients) are never touched.
	links []linkState
	// handled counts, at to*nodes+from (the receiver's row), the messages
	// scheduled on a link that its receiver handled or that were dropped
	// after scheduling; a link's backlog is its sent count less this
	// count. A delivery writes this 4-byte counter, in the receiver's own
	// row, instead of the sender's 32-byte link state (at n = 100 the
	// link table is 320 KB, the counters 40 KB, and a node handling its
	// input queue writes the same few lines).
	handled []uint32
	// freeAt holds, at from*nodes+to, when the link finishes serializing;
	// made on the first link with a bandwidth.
	freeAt []Time
	// fromHash holds, by sender, the hash of the name and first label
	// of the link streams' DeriveSeed(seed, "link", from, to), so that a
	// new link hashes only its receiver.
	fromHash     []uint64
	nodes        int
	interceptors []Interceptor
	group        []int32 // partition group per node; nil: no partition
	// hooked says a send has more to do than the link's model: the
	// World has a tracer, or the network a partition or interceptors
	// (see rehook). A run without them, most runs, tests one flag per
	// send instead of three.
	hooked bool
	// kindChannel holds, by kind number in kinds, 1 + the channel set for
	// the kind (0: the link's own); nil when no kind has its own channel.
	kindChannel []uint8
	kinds       KindIndex
	pkt         Packet
	// models holds every link model made, shared by the links that have
	// it; recent indexes the last distinct ones (see intern).
	models    []*linkModel
	recent    []uint32
	nextModel int
	// last is the last model that intern shared whose delay is a
	// Constant, Uniform or Normal, and lastModel 1 + its index (0:
	// none). A model function usually gives every link the same Link,
	// whose Delay holds the same boxed value each time: newLink
	// recognizes it by sameBoxed, without intern's look-up, and gets the
	// index intern would return (recent holds no two equal models, and
	// last's is in it: intern forgets last when it pushes last's index
	// out of recent).
	last      Link
	lastModel uint32
	// rng draws from the stream of the link being sent on: src points to
	// that link's generator while it sends (a rand.Rand keeps no state of
	// its own, so one serves every link).
	rng *rand.Rand
	src linkSource
}

// linkSource is the random source of the link being sent on.
type linkSource struct{ pcg *rand.PCG }

// Uint64 implements rand.Source.
func (s *linkSource) Uint64() uint64 { return s.pcg.Uint64() }

// linkModel is a link model shared by the links that have it, with what
// sending needs to know of it.
type linkModel struct {
	Link
	delay delayKind // how Delay is drawn (see linkrand.go)
	// constant, uniform and normal hold Delay when it is of their type,
	// so that drawing needs no type assertion.
	constant Time
	uniform  Uniform
	normal   Normal
	// span and cut are the number of values of a uniform delay and the
	// low half of a draw's product below which uniformTail draws it (see
	// uniformSpan).
	span, cut uint64
	// lossy says the model has a loss or a bandwidth: a send tests this
	// one flag instead of two floating-point fields.
	lossy bool
}

// linkState is the state of one directed link, 32 bytes. Links are many
// (nodes²), so the model is shared between links with equal models, and a
// link's state is made on its first message.
type linkState struct {
	model uint32 // 1 + index in Network.models; 0: the link is not made yet
	// sent counts the messages scheduled for delivery on the link (modulo
	// 2^32); less the receiver's handled count, it is the link's backlog
	// (World.Backlog).
	sent        uint32
	lastArrival Time // Reliable: arrival of the latest message
	pcg         rand.PCG
}

// modelCache is how many distinct link models are remembered for sharing.
const modelCache = 16

// made reports whether the link has carried a message.
func (ls *linkState) made() bool { return ls.model != 0 }

func newNetwork(w *World) *Network {
	n := &Network{w: w, model: func(NodeID, NodeID) Link { return Link{} }}
	n.rng = rand.New(&n.src)
	return n
}

// SetModel sets the function giving each directed link's model. It is
// called once per link, the first time the link carries a message; it must
// be set before the first message (a self-message included) is sent.
func (n *Network) SetModel(model func(from, to NodeID) Link) {
	if n.links != nil {
		panic("sim: Network.SetModel after the first message")
	}
	n.model = model
}

// SetDefault gives every link the same model.
func (n *Network) SetDefault(l Link) {
	n.SetModel(func(NodeID, NodeID) Link { return l })
}

// AddInterceptor appends an interceptor.
func (n *Network) AddInterceptor(i Interceptor) {
	n.interceptors = append(n.interceptors, i)
	n.rehook()
}

// rehook sets hooked, whenever the tracer, the partition or the
// interceptors change.
func (n *Network) rehook() {
	n.hooked = n.w.tracer != nil || n.group != nil || len(n.interceptors) > 0
}

// SetPartition splits the listed nodes into groups: from now on a message
// between two listed nodes of different groups is dropped at send time.
// Unlisted nodes (e.g. clients) still reach, and are reached by, everyone.
// A node listed twice belongs to its last group.
func (n *Network) SetPartition(groups [][]NodeID) {
	g := make([]int32, n.w.NumNodes())
	for i := range g {
		g[i] = -1
	}
	for k, grp := range groups {
		for _, id := range grp {
			if id < 0 || int(id) >= len(g) {
				panic(fmt.Sprintf("sim: partition names unknown node %d", id))
			}
			g[id] = int32(k)
		}
	}
	n.group = g
	n.rehook()
}

// Heal removes any partition.
func (n *Network) Heal() {
	n.group = nil
	n.rehook()
}

// Partitioned reports whether a message from one node to another would be
// dropped by the current partition.
func (n *Network) Partitioned(from, to NodeID) bool {
	if n.group == nil || int(from) >= len(n.group) || int(to) >= len(n.group) {
		return false
	}
	a, b := n.group[from], n.group[to]
	return a >= 0 && b >= 0 && a != b
}

// makeLinks makes the link table and the senders' hashes, once the nodes
// are known (at the first message).
func (n *Network) makeLinks() {
	if n.links == nil {
		n.initLinks()
	}
}

// initLinks is makeLinks' work, kept out of line so that makeLinks, on
// every message scheduled by deliverAt, inlines. (A send makes the table
// through makeLinks only while its sender's row is nil.)
func (n *Network) initLinks() {
	n.nodes = n.w.NumNodes()
	n.links = make([]linkState, n.nodes*n.nodes)
	n.handled = make([]uint32, n.nodes*n.nodes)
	n.fromHash = make([]uint64, n.nodes)
	for _, ns := range n.w.nodes {
		row := int(ns.id) * n.nodes
		ns.handled = n.handled[row : row+n.nodes : row+n.nodes]
		ns.links = n.links[row : row+n.nodes : row+n.nodes]
	}
	h := hashName("link")
	for from := range n.fromHash {
		n.fromHash[from] = hashLabel(h, int64(from))
	}
}

// newLink makes ls, the state of the link from one node to another, which
// has not carried a message yet.
func (n *Network) newLink(ls *linkState, from, to NodeID) {
	model := n.model(from, to)
	if model.Delay == nil {
		model.Delay = Constant{}
	}
	if model.RTO == 0 {
		model.RTO = DefaultRTO
	}
	if n.lastModel != 0 && sameBoxed(&n.last, &model) {
		ls.model = n.lastModel // as intern would find it
	} else {
		ls.model = n.intern(model) + 1
		if model.Bandwidth > 0 && n.freeAt == nil {
			n.freeAt = make([]Time, len(n.links))
		}
	}
	// DeriveSeed(n.w.seed, "link", int64(from), int64(to)):
	s := seedOf(n.w.seed, hashLabel(n.fromHash[from], int64(to)))
	ls.pcg = *rand.NewPCG(s, splitmix(s))
}

// index32 returns i, an index of a link model, panicking when 1 + i
// outgrows the 32 bits a link state stores (2^32 - 1 models).
func index32(i int) int {
	if int64(i) >= 1<<32-1 { // int64: the bound overflows a 32-bit int
		panic("sim: more than 2^32 - 1 link models")
	}
	return i
}

// intern returns the index of a model equal to l: one of the last
// modelCache distinct models made when one is equal, else a new one. Only
// models whose delay is one of this package's plain distributions are
// shared (others may not be comparable).
func (n *Network) intern(l Link) uint32 {
	switch l.Delay.(type) {
	case Constant, Uniform, Normal, Exponential, LogNormal:
	default:
		return n.newModel(l)
	}
	k, ok := n.find(&l)
	if !ok {
		k = n.newModel(l)
		if len(n.recent) < modelCache {
			n.recent = append(n.recent, k)
		} else {
			if n.recent[n.nextModel]+1 == n.lastModel {
				n.lastModel = 0 // intern would no longer find it
			}
			n.recent[n.nextModel] = k
			n.nextModel = (n.nextModel + 1) % modelCache
		}
	}
	switch l.Delay.(type) {
	case Constant, Uniform, Normal:
		n.last, n.lastModel = l, k+1
	}
	return k
}

// find returns the index of one of the last modelCache distinct models
// made that is equal to l, if one is.
func (n *Network) find(l *Link) (uint32, bool) {
	for _, k := range n.recent {
		if sameModel(&n.models[k].Link, l) {
			return k, true
		}
	}
	return 0, false
}

// sameBoxed reports whether a and b have equal losses, bandwidths,
// channels and RTOs, and delays of the same dynamic type whose value is
// boxed at the same address: the same value, since a value boxed in an
// interface cannot change. For a delay whose fields are all integers
// (Constant, Uniform, Normal: no NaN), that makes *a == *b without
// reading the boxes; equal models boxed apart are not found (intern
// finds them).
func sameBoxed(a, b *Link) bool {
	// The interface's two words: its type (and method table) and the
	// address of its boxed value. (Compared as arrays, they would be
	// compared by a call.)
	x, y := (*[2]unsafe.Pointer)(unsafe.Pointer(&a.Delay)), (*[2]unsafe.Pointer)(unsafe.Pointer(&b.Delay))
	return x[0] == y[0] && x[1] == y[1] &&
		a.Loss == b.Loss && a.Bandwidth == b.Bandwidth && a.Channel == b.Channel && a.RTO == b.RTO
}

// sameModel reports whether *a == *b, for b's delay of one of the types
// intern shares: it compares a plain delay by type assertion, not through
// the interface comparison (a runtime call per field of the delay), since
// a link's first message compares its model with the last ones made.
func sameModel(a, b *Link) bool {
	if a.Loss != b.Loss || a.Bandwidth != b.Bandwidth || a.Channel != b.Channel || a.RTO != b.RTO {
		return false
	}
	switch d := b.Delay.(type) {
	case Normal:
		o, ok := a.Delay.(Normal)
		return ok && o == d
	case Uniform:
		o, ok := a.Delay.(Uniform)
		return ok && o == d
	case Constant:
		o, ok := a.Delay.(Constant)
		return ok && o == d
	}
	return a.Delay == b.Delay
}

func (n *Network) newModel(l Link) uint32 {
	m := &linkModel{Link: l, delay: classifyDelay(l.Delay), lossy: l.Loss > 0 || l.Bandwidth > 0}
	switch d := l.Delay.(type) {
	case Constant:
		m.constant = d.D
	case Uniform:
		m.uniform = d
		if m.delay == delayUniform {
			m.span, m.cut = uniformSpan(d)
		}
	case Normal:
		m.normal = d
	}
	n.models = append(n.models, m)
	return uint32(index32(len(n.models) - 1))
}

// send carries msg, of kind number k in n.kinds and of the given size,
// from node ns to another, leaving at ns's cursor.
func (n *Network) send(ns *nodeState, to NodeID, msg Message, k, size int) {
	w := n.w
	from, at := ns.id, ns.cursor
	// The sender's row of the link table, made on the first message: a
	// node's row is nil before and as long as the nodes are many after,
	// so that one test finds an unknown receiver and lets the compiler
	// drop the row's bounds check.
	row, t := ns.links, int(to)
	if row == nil {
		n.makeLinks()
		row = ns.links
	}
	if uint(t) >= uint(len(row)) {
		n.unknown(from, to)
	}
	w.stats.Sent++
	c := w.kindCount(k)
	c.Sent++
	c.Bytes += uint64(size)
	extra := Time(0)
	if n.hooked {
		var dropped bool
		if extra, dropped = n.hooks(from, to, msg, k, at); dropped {
			return
		}
	}
	if from == to {
		w.deliverAt(at+extra, from, to, msg, k)
		return
	}
	// The link's state, made on its first message:
	ls := &row[t]
	if !ls.made() {
		n.newLink(ls, from, to)
	}
	m := n.models[ls.model-1]
	channel := m.Channel
	if uint(k) < uint(len(n.kindChannel)) { // none when nil
		if c := n.kindChannel[k]; c != 0 {
			channel = Channel(c - 1)
		}
	}
	var delay Time
	switch m.delay {
	case delayConst:
		delay = m.constant
	case delayUniform:
		// sampleUniform(m.uniform, &ls.pcg), its common case written
		// out: the call and the span's computation cost a quarter of
		// the draw.
		x := ls.pcg.Uint64()
		hi, lo := bits.Mul64(x, m.span)
		if lo < m.cut {
			hi = uniformTail(&ls.pcg, m.span, x, lo)
		}
		delay = m.uniform.Min + Time(hi)
	case delayNormal:
		n.src.pcg = &ls.pcg // n.rng draws from the link's stream
		delay = sampleNormal(m.normal, &ls.pcg, n.rng)
	default:
		n.src.pcg = &ls.pcg
		delay = m.Delay.Sample(n.rng)
	}
	delay += extra
	depart := at
	if m.lossy {
		if m.Loss > 0 {
			if channel == Lossy {
				if pcgFloat64(&ls.pcg) < m.Loss {
					w.drop(from, to, msg, k, "loss")
					return
				}
			} else {
				for i := 0; i < maxRetransmits && pcgFloat64(&ls.pcg) < m.Loss; i++ {
					delay = addSat(delay, m.RTO)
				}
			}
		}
		if m.Bandwidth > 0 {
			i := int(from)*n.nodes + int(to)
			depart = addSat(max(depart, n.freeAt[i]), SerializationDelay(size, m.Bandwidth))
			n.freeAt[i] = depart
		}
	}
	arrival := addSat(depart, delay)
	if channel == Reliable {
		arrival = max(arrival, ls.lastArrival)
		ls.lastArrival = arrival
	}
	ls.sent++
	w.schedule(arrival, evDeliver, w.msgs.put(inFlight{msg: msg, from: from, to: to, kind: int32(k)}))
}

// unknown panics for a send to a node that does not exist.
func (n *Network) unknown(from, to NodeID) {
	panic(fmt.Sprintf("sim: send from node %d to unknown node %d", from, to))
}

// hooks is what a send does, when hooked, before the link: it shows the
// message to the tracer, drops it across a partition and hands it to the
// interceptors, in that order. It returns the extra delay the
// interceptors added, and whether the message was dropped.
func (n *Network) hooks(from, to NodeID, msg Message, k int, at Time) (extra Time, dropped bool) {
	w := n.w
	if w.tracer != nil {
		w.tracer.Sent(at, from, to, msg)
	}
	if n.group != nil && n.Partitioned(from, to) {
		w.drop(from, to, msg, k, "partition")
		return 0, true
	}
	if len(n.interceptors) > 0 {
		p := &n.pkt
		*p = Packet{From: from, To: to, Msg: msg, SentAt: at}
		for _, ic := range n.interceptors {
			if why := ic.Intercept(p); why != "" {
				p.Msg = nil
				w.drop(from, to, msg, k, why)
				return 0, true
			}
		}
		extra = p.Extra
		p.Msg = nil
		if extra < 0 {
			panic(fmt.Sprintf("sim: interceptor set negative extra delay %v", extra))
		}
	}
	return extra, false
}

// SetKindChannel makes messages of the given kind use channel ch on every
// link, whatever the link's own Channel (e.g. a protocol's failure-detector
// tokens over lossy links while its other messages use reliable ones). The
// messages of a kind on a lossy channel do not hold back, nor wait for, the
// reliable messages of the same link.
func (n *Network) SetKindChannel(kind string, ch Channel) {
	k := n.kinds.Index(kind)
	for len(n.kindChannel) <= k {
		n.kindChannel = append(n.kindChannel, 0)
	}
	n.kindChannel[k] = uint8(ch) + 1
}

// SerializationDelay is the time a message of size bytes takes on a link of
// the given bandwidth (bytes per second); 0 when the bandwidth is unlimited.
func SerializationDelay(size int, bandwidth float64) Time {
	if bandwidth <= 0 {
		return 0
	}
	return sampleTime(math.Round(float64(size) * float64(Second) / bandwidth))
}

// addSat returns a + b for non-negative times, saturating at Never instead
// of overflowing.
func addSat(a, b Time) Time {
	if b > 0 && a > Never-b {
		return Never
	}
	return a + b
}
