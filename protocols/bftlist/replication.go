package bftlist

import (
	"slices"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// maxSeq bounds sequence numbers: a replica whose window would pass it is
// stale (the reference's MAXINT).
const maxSeq = int64(1) << 62

// replication is the replication module: the replicated list, its request
// pipeline and its consolidation.
type replication struct {
	r *Replica
	// rep[j] is replica j's structure as last received; rep[id] is &own.
	// Peers' structures are immutable snapshots and never written to.
	rep       []*RepStructure
	sigmaK    int
	own       RepStructure
	flush     bool
	needFlush bool
	// flushedVC: the view change under way was entered from a structure
	// whose primary was ⊥ (flushed by a reset), not from a change of
	// the established view; servedUnchanged may call it off.
	flushedVC bool
	// flushedView is the view whose change flushedVC refers to.
	flushedView int64
	// byzRep is the structure a Byzantine replica shows instead of its own
	// (ASSIGN_DIFFERENT_SEQNUMS, WRONG_CCSP).
	byzRep *RepStructure
	// repVer moves whenever an element of rep is replaced (setRep): the
	// peers' structures are never written to, so the same version means the
	// same peers' content.
	repVer uint64
	// reqCount is reused by countSupported, which returns a copy of what it
	// counts.
	reqCount *counter[Req]
	// observed is the highest sequence number reported as a Commit, by
	// execution or by adopting a state (observeAdopted). It is an
	// observation, not protocol state: a flush or a corruption keeps it.
	observed int64
	// logMemo[j] caches what supportedReqs reads of rep[j].RLog.
	logMemo []logMemo
	// states numbers the structures' states for consolidation, and
	// chains remembers its last chosen replicas per m (chainNext: the
	// memo to replace next).
	states    stateIDs
	chains    [2]chainMemo
	chainNext int
	chainWork chainScratch
	// sent is the last REP message gossiped, sent again while own does
	// not change (sameContent).
	sent *REPMsg
	// supCount and pendPeers are the peers' parts of supportedReqs and
	// knownPendReqs (see peerCounts); supMemo and pendMemo remember their
	// results with own's part, ownQ is scratch.
	supCount  peerCounts[Req]
	pendPeers peerCounts[ClientReq]
	supMemo   [numCounted]resultMemo[Req, ReqPair]
	pendMemo  resultMemo[ClientReq, ClientReq]
	ownQ      []Req
	// execs remembers lastCommonExec's numbers, weak staleRep's check of
	// own's r_log.
	execs execMemo
	weak  weakMemo
}

func newReplication(r *Replica) replication {
	k := max(r.k, 1)
	g := replication{r: r, rep: make([]*RepStructure, r.n), sigmaK: r.p.Sigma * k, observed: -1, logMemo: make([]logMemo, r.n), states: newStateIDs(r.n, r.id),
		reqCount: new(counter[Req])}
	g.own = defaultStructure(r.k)
	for j := range g.rep {
		s := defaultStructure(r.k)
		g.rep[j] = &s
	}
	return g
}

// bind points rep[id] at own; call after own is replaced by value.
func (g *replication) bind() { g.rep[g.r.id] = &g.own }

// setRep replaces rep[j], a peer's structure, by s.
func (g *replication) setRep(j int, s *RepStructure) {
	g.rep[j] = s
	g.repVer++
}

// q1 = n−f: reachable by the correct replicas alone; two such sets share
// n−2f ≥ 3f+1 replicas (n ≥ 5f+1).
func (g *replication) q1() int { return g.r.n - g.r.f }

// q2 = n−2f: support for a request, a status (PRE_PREP, PREP, COMMIT) or a
// consolidated prefix; it holds ≥ n−3f ≥ 2f+1 correct replicas, and shares
// ≥ n−3f with any n−f set.
func (g *replication) q2() int { return g.r.n - 2*g.r.f }

// q3 = n−3f: the fallback consolidation; it holds ≥ n−4f ≥ f+1 correct
// replicas, so at least one correct state.
func (g *replication) q3() int { return g.r.n - 3*g.r.f }

// clientIndex maps a client node to 0 … K−1, or −1.
func (g *replication) clientIndex(c sim.NodeID) int {
	i := int(c) - g.r.n
	if i < 0 || i >= g.r.k {
		return -1
	}
	return i
}

// primNumbered reports whether the replication structure of primary prim,
// as this replica knows it, holds a pair of prim's own numbered seq.
func (g *replication) primNumbered(prim int, seq int64) bool {
	for i := range g.rep[prim].ReqQ {
		if p := &g.rep[prim].ReqQ[i]; p.Req.Seq == seq && p.Req.View == int64(prim) {
			return true
		}
	}
	return false
}

// iterate is one loop iteration of the replication module.
func (g *replication) iterate() {
	r := g.r
	id := r.id
	g.bind()
	me := &g.own
	allow := true
	prim := 0
	if r.p.SelfStabilizing {
		allow = r.allow()
		if !me.ViewChanged && allow {
			me.ViewChanged = !me.isTee() && r.view(id) != me.Prim
			g.flushedVC = me.ViewChanged && me.Prim == TEE
			g.flushedView = r.view(id)
		}
		if g.flushedVC && r.view(id) != g.flushedView {
			// The established view moved on: this view change is real.
			g.flushedVC = false
		}
		if allow && me.ViewChanged && g.flushedVC && g.servedUnchanged(r.view(id)) {
			// Flushed by a reset (its primary was ⊥), this replica could
			// not tell whether the view changed; the others say it did
			// not (fix 18 in docs/bftlist.md).
			me.ViewChanged = false
		}
		if !me.ViewChanged {
			g.flushedVC = false
		}
		if allow {
			me.Prim = r.view(id)
			prim = int(me.Prim)
			if me.ViewChanged && prim == id {
				g.actAsPrimWhenViewChanged()
			} else if me.ViewChanged && !g.rep[prim].ViewChanged && g.rep[prim].Prim == int64(prim) {
				g.actAsNonPrimWhenViewChanged(prim)
			}
			me = &g.own
		}
		x, ok := g.consolidate(g.q2())
		if !ok {
			x, ok = g.dsState()
		}
		me.ConFlag = !ok
		if ok && (!checkNewXPrefix(me, x) || me.isDefState() || g.delayed()) {
			me.State = clip(x.state)
			me.RLog = clip(x.rlog)
		}
		g.observeAdopted()
		// A Byzantine replica does not care whether it is stale.
		if r.conduct.S.selfChecks() {
			g.dropOutOfWindow()
		}
		if r.conduct.S.selfChecks() && (g.staleRep() || g.conflict()) {
			g.flushLocal()
			g.needFlush = true
		}
		if g.flush {
			g.flushLocal()
			g.flush = false
		}
	} else {
		me.Prim = 0
	}
	me = &g.own
	g.extendPend(g.knownPendReqs())
	if !allow || g.needFlush || !r.pm.noViewChange() || me.ViewChanged {
		return
	}
	if prim == id {
		if r.conduct.S.assigns() {
			g.assign(prim)
		}
	} else {
		for _, q := range g.knownPendReqs() {
			if !g.acceptReqPreprep(q, prim) {
				continue
			}
			for _, p := range g.rep[prim].ReqQ {
				if p.Req.Q == q && p.Req.View == int64(prim) && g.inWindow(p.Req.Seq) {
					me.addReq(ReqPair{Req: p.Req, Status: PrePrep}, g.sigmaK)
					break
				}
			}
		}
		for _, req := range g.supportedReqs(PrePrep) {
			if req.View != int64(prim) && g.primNumbered(prim, req.Seq) {
				// The current primary gave this number to a request of
				// its own: a pair of an older primary left PRE_PREP-only
				// by the view change competes with it and is not
				// prepared (fix 20 in docs/bftlist.md). An older pair
				// that nothing competes with is prepared as before.
				continue
			}
			for i := range me.ReqQ {
				if me.ReqQ[i].Req == req && me.ReqQ[i].Status == PrePrep {
					me.ReqQ[i].Status |= Prep
				}
			}
		}
	}
	for _, req := range g.supportedReqs(Prep) {
		if req.Seq <= me.lastExec() {
			// Superseded: its number was executed with another request
			// (dropOutOfWindow drops it too), and its client request
			// stays pending, to be numbered again.
			continue
		}
		found := false
		for i := range me.ReqQ {
			if me.ReqQ[i].Req == req {
				found = true
				if me.ReqQ[i].Status == PrePrep|Prep {
					me.ReqQ[i].Status |= Commit
				}
			}
		}
		if !found {
			me.addReq(ReqPair{Req: req, Status: PrePrep | Prep | Commit}, g.sigmaK)
		}
		me.removePend(req.Q)
	}
	cands := slices.Clone(g.supportedReqs(Prep | Commit))
	slices.SortFunc(cands, func(a, b Req) int {
		if a.Seq != b.Seq {
			if a.Seq < b.Seq {
				return -1
			}
			return 1
		}
		return 0
	})
	for _, req := range cands {
		if req.Seq != me.lastExec()+1 {
			continue
		}
		if x := g.committedSet(req); x.len() >= g.q2() {
			g.commit(req, x)
		}
	}
}

// servedUnchanged: other replicas serve view v without a view change —
// at least f+1 of them (one correct) name v as primary and report no view
// change, more than name v and report one. A replica whose structure a
// reset flushed then follows v as it is. While a view change to v runs,
// the others report it (view_changed) or still name the old primary; and
// other flushed replicas, which also report one, are outnumbered by those
// that kept serving v.
func (g *replication) servedUnchanged(v int64) bool {
	same, changed := 0, 0
	for j, s := range g.rep {
		if j == g.r.id || s.Prim != v {
			continue
		}
		if s.ViewChanged {
			changed++
		} else {
			same++
		}
	}
	return same > g.r.f && same > changed
}

// assign gives sequence numbers to unassigned requests (primary only).
func (g *replication) assign(prim int) {
	r := g.r
	me := &g.own
	if r.conduct.S.selfChecks() {
		g.fixSeqNum(prim)
	}
	for _, q := range g.unassignedReqs(g.existsPreprep) {
		if me.SeqNum >= me.lastExec()+int64(g.sigmaK) {
			break
		}
		r.conduct.S.assignReq(g, prim, q)
	}
}

// assignNext assigns q the primary's next sequence number.
func (g *replication) assignNext(prim int, q ClientReq) {
	g.own.SeqNum++
	g.assignAt(prim, q)
}

// assignAt pre-prepares q under the primary's current sequence number.
func (g *replication) assignAt(prim int, q ClientReq) {
	g.own.addReq(ReqPair{Req: Req{Q: q, View: int64(prim), Seq: g.own.SeqNum}, Status: PrePrep | Prep}, g.sigmaK)
}

// dropOutOfWindow removes the req_q pairs numbered outside the window
// (lastExec, lastExec+σK]. A request executes only as lastExec+1 and then
// leaves req_q, so a pair at or below lastExec is an assignment superseded
// by another request's execution under its number; and a correct replica
// only adds pairs inside its window, which moves up only, so a pair above
// it comes from a transient fault or from a consolidation that moved the
// state back. Neither can be accepted by a correct replica (the window
// check of acceptReqPreprep) while the state stays where it is. Left in
// place such a pair keeps its client request "assigned" (existsPreprep)
// for ever: the primary does not assign it again and the failure
// detectors see no pending request failing to progress.
func (g *replication) dropOutOfWindow() {
	out := func(p ReqPair) bool { return !g.inWindow(p.Req.Seq) }
	if slices.ContainsFunc(g.own.ReqQ, out) {
		g.own.ReqQ = slices.DeleteFunc(g.own.ReqQ, out)
	}
}

// fixSeqNum puts the primary's seq_num back into its legal range: the
// highest number it assigned in the current window (its own pairs of this
// view in req_q), or lastExec when there is none. A seq_num below lastExec
// (⊥ has −1, so every flush leaves one) or beyond lastExec+σK (a transient
// fault, or a state moved back by consolidation) would make the primary
// assign only numbers no correct replica accepts, while the requests look
// assigned; one below a number still in req_q would assign it twice. As
// after a view change (actAsPrimWhenViewChanged), numbering resumes after
// the highest number in use.
func (g *replication) fixSeqNum(prim int) {
	me := &g.own
	le := me.lastExec()
	hi := le
	for _, p := range me.ReqQ {
		if p.Req.View == int64(prim) && g.inWindow(p.Req.Seq) {
			hi = max(hi, p.Req.Seq)
		}
	}
	if me.SeqNum < hi || me.SeqNum > le+int64(g.sigmaK) {
		me.SeqNum = hi
	}
}

// commit executes req, records it and replies to its client.
func (g *replication) commit(req Req, x idset) {
	r := g.r
	me := &g.own
	r.env.Charge(r.cfg.Costs.Execute)
	me.State = apply(me.State, req.Q)
	reply := req.digest()
	if c := g.clientIndex(req.Q.Client); c >= 0 {
		if len(me.LastReq) != r.k {
			me.LastReq = make([]LastReq, r.k)
		}
		me.LastReq[c] = LastReq{Req: req, Reply: reply, Set: true}
	}
	me.addLog(LogEntry{Req: req, X: x}, 3*g.sigmaK)
	me.removePend(req.Q)
	me.removeReq(req)
	nreq := 1
	if req.Q.isDummy() {
		nreq = 0
	}
	r.env.Observe(protocols.Commit{Height: req.Seq + 1, Round: req.View, Digest: reply, Requests: nreq})
	g.observed = max(g.observed, req.Seq)
	if g.clientIndex(req.Q.Client) >= 0 {
		g.reply(req.Q.Client, req.Q.TS, reply)
	}
}

// observeAdopted reports as Commits the r_log entries above the highest
// sequence number reported so far: entries this replica did not execute
// itself but adopted with a state — a consolidated prefix, or the new
// primary's structure after a view change. Without it a replica that
// caught up by adopting a state (after a reset, say) looked stuck at its
// last execution for ever (fix 23 in docs/bftlist.md). An entry is
// reported only once n−2f replicas committed or executed it (the rule for
// executing it), in order, so a log made up by a Byzantine member of the
// consolidation reports nothing. Adopting sends no reply: the client is
// answered by the replicas that executed.
func (g *replication) observeAdopted() {
	for i := range g.own.RLog {
		e := &g.own.RLog[i]
		if e.Req.Seq <= g.observed {
			continue
		}
		if g.committedSet(e.Req).len() < g.q2() {
			return
		}
		nreq := 1
		if e.Req.Q.isDummy() {
			nreq = 0
		}
		g.r.env.Observe(protocols.Commit{Height: e.Req.Seq + 1, Round: e.Req.View, Digest: e.Req.digest(), Requests: nreq})
		g.observed = e.Req.Seq
	}
}

// reply signs and sends a reply: the client verifies one signature per
// reply (the cost is the same in every protocol).
func (g *replication) reply(client sim.NodeID, id uint64, result protocols.Digest) {
	r := g.r
	r.env.Charge(r.cfg.Costs.Sign)
	r.send(int(client), &protocols.Reply{Client: client, ID: id, Replica: sim.NodeID(r.id), Result: result})
}

// onRequest handles a client request: reply if executed, else add it to
// pend_reqs.
func (g *replication) onRequest(m *protocols.Request) {
	if g.clientIndex(m.Client) < 0 {
		return
	}
	q := ClientReq{Client: m.Client, TS: m.ID, Op: m.Op, Value: m.Value, Payload: int32(min(m.Payload, 1<<30))}
	if req, ok := g.executed(q); ok {
		g.reply(m.Client, m.ID, req.digest())
		return
	}
	g.own.addPend(q, g.sigmaK, g.numbered)
}

// executed finds q among the executed requests this replica remembers.
func (g *replication) executed(q ClientReq) (Req, bool) {
	me := &g.own
	if c := g.clientIndex(q.Client); c >= 0 && c < len(me.LastReq) && me.LastReq[c].Set && me.LastReq[c].Req.Q == q {
		return me.LastReq[c].Req, true
	}
	for i := range me.RLog {
		if e := &me.RLog[i]; e.Req.Q == q {
			return e.Req, true
		}
	}
	return Req{}, false
}

// numbered reports whether the current primary numbered q in its view, as
// its req_q is known here. pend_reqs over its bound keeps such requests
// (addPend): a client with more than σ requests outstanding, which the
// paper's clients never have, otherwise pushes them out with its
// retransmissions, and a request in progress must stay pending at n−2f
// replicas to be accepted, before and after a view change (fix 31).
func (g *replication) numbered(q ClientReq) bool {
	prim := g.own.Prim
	if prim < 0 || prim >= int64(g.r.n) {
		return false
	}
	for i := range g.rep[prim].ReqQ {
		if p := &g.rep[prim].ReqQ[i]; p.Req.Q == q && p.Req.View == prim {
			return true
		}
	}
	return false
}

// extendPend adds known requests to pend_reqs, skipping executed ones (the
// reference re-added them from peers' stale pending lists).
func (g *replication) extendPend(qs []ClientReq) {
	for _, q := range qs {
		if _, done := g.executed(q); !done {
			g.own.addPend(q, g.sigmaK, g.numbered)
		}
	}
}

// gossip sends the structure to every other replica.
func (g *replication) gossip() {
	r := g.r
	if g.sent == nil || !g.sent.Rep.sameContent(&g.own) {
		g.sent = newREPMsg(g.own.snapshot(), r.n)
	}
	r.sendOthers(r.conduct.S.repShown(g, g.sent))
}

// receive stores a peer's structure (only its state while a view change is
// under way).
func (g *replication) receive(j int, m *REPMsg) {
	r := g.r
	if m.Rep == nil || (r.p.SelfStabilizing && !r.allow()) {
		return
	}
	s := g.sanitized(m)
	if !r.p.SelfStabilizing || r.pm.noViewChange() {
		g.setRep(j, s)
		return
	}
	c := *g.rep[j]
	c.State = s.State
	g.setRep(j, &c)
}

// sanitized is sanitize(m.Rep), computed once per message for the
// bounds of the receivers (n, K, σK): a broadcast's n−1 copies share one
// message, whose structure never changes once sent.
func (g *replication) sanitized(m *REPMsg) *RepStructure {
	b := sanitizeBounds{n: g.r.n, k: g.r.k, sigmaK: g.sigmaK}
	if m.clean == nil || m.cleanFrom != m.Rep || m.cleanFor != b {
		m.clean, m.cleanFrom, m.cleanFor = g.sanitize(m.Rep), m.Rep, b
	}
	return m.clean
}

// sanitizeBounds are the bounds sanitize applies.
type sanitizeBounds struct{ n, k, sigmaK int }

// sanitize bounds what a peer sent, copying only when something is off.
func (g *replication) sanitize(s *RepStructure) *RepStructure {
	mask := full(g.r.n)
	ok := len(s.PendReqs) <= g.sigmaK && len(s.ReqQ) <= g.sigmaK && len(s.RLog) <= 3*g.sigmaK &&
		(s.LastReq == nil || len(s.LastReq) == g.r.k)
	for i := range s.RLog {
		if x := &s.RLog[i].X; x.and(mask) != *x {
			ok = false
		}
	}
	if ok {
		return s
	}
	c := *s
	c.State = clip(s.State)
	c.PendReqs = clip(s.PendReqs[:min(len(s.PendReqs), g.sigmaK)])
	c.ReqQ = clip(s.ReqQ[:min(len(s.ReqQ), g.sigmaK)])
	rl := s.RLog[:min(len(s.RLog), 3*g.sigmaK)]
	c.RLog = make([]LogEntry, len(rl))
	for i, e := range rl {
		c.RLog[i] = LogEntry{Req: e.Req, X: e.X.and(mask)}
	}
	if c.LastReq != nil && len(c.LastReq) != g.r.k {
		c.LastReq = make([]LastReq, g.r.k)
	}
	return &c
}

// flushLocal resets every structure to ⊥.
func (g *replication) flushLocal() {
	for j := range g.rep {
		t := teeStructure()
		g.setRep(j, &t)
	}
	g.own = teeStructure()
	g.bind()
}

// needFlushFlag, requestReset and replicaFlush are the module's interface
// to view establishment.
func (g *replication) requestReset() bool {
	if g.needFlush {
		g.needFlush = false
		return true
	}
	return false
}

func (g *replication) replicaFlush() { g.flush = true }

func (g *replication) lastExec() int64 { return g.own.lastExec() }

func (g *replication) inWindow(seq int64) bool {
	le := g.lastExec()
	return le < seq && seq <= le+int64(g.sigmaK)
}

// counter counts, per distinct item, the replicas that hold it, keeping
// the order of first appearance. Items are compared with an equality
// written field by field (addReq, addPend): the generic == of a padded
// struct is a call to the type's equality function.
type counter[T comparable] struct {
	items []T
	count []int
	// index finds an item once there are more than counterScan of them
	// (nil before); fewer are found by scanning items.
	index map[T]int
	last  []int // last replica counted per item
	// hint is the item after the last one added: replicas list mostly
	// the same items in the same order, so it saves most look-ups.
	hint int
}

// counterScan is the number of items found by scanning: the requests in
// progress are a handful, and comparing them is cheaper than hashing one.
const counterScan = 16

// reset empties c.
func (c *counter[T]) reset() {
	clear(c.index)
	c.items, c.count, c.last, c.hint = c.items[:0], c.count[:0], c.last[:0], 0
}

// add counts x for replica, with same the items' equality, after the
// caller compared x with the item after the last one added (addReq,
// addPend, where same inlines; here it is a call).
func (c *counter[T]) add(x *T, replica int, same func(a, b *T) bool) {
	i := c.lookup(x, same)
	if i < 0 {
		i = c.insert(x)
	}
	c.countAt(i, replica)
}

// countAt counts replica for the item at index i, once per replica in a
// row (a replica's items are counted together).
func (c *counter[T]) countAt(i, replica int) {
	c.hint = i + 1
	if c.last[i] != replica {
		c.last[i] = replica
		c.count[i]++
	}
}

// lookup is the index of x among c's items, or −1 (see indexOf).
func (c *counter[T]) lookup(x *T, same func(a, b *T) bool) int {
	return indexOf(c.items, c.index, x, same)
}

// insert appends x, counted by no replica yet, and returns its index.
func (c *counter[T]) insert(x *T) int {
	i := len(c.items)
	c.items = append(c.items, *x)
	c.count = append(c.count, 0)
	c.last = append(c.last, -1)
	c.index = indexAppended(c.index, c.items)
	return i
}

// addReq counts request q for replica: the item after the last one
// added first, compared with sameReq, which add uses for the others.
func addReq(c *counter[Req], q *Req, replica int) {
	if i := c.hint; i < len(c.items) && sameReq(&c.items[i], q) {
		c.countAt(i, replica)
		return
	}
	c.add(q, replica, sameReq)
}

// addPend counts client request q for replica, as addReq counts a
// request.
func addPend(c *counter[ClientReq], q *ClientReq, replica int) {
	if i := c.hint; i < len(c.items) && sameClientReq(&c.items[i], q) {
		c.countAt(i, replica)
		return
	}
	c.add(q, replica, sameClientReq)
}

// count is the number of replicas counted for x, found with same.
func count[T comparable](c *counter[T], x *T, same func(a, b *T) bool) int {
	if i := c.lookup(x, same); i >= 0 {
		return c.count[i]
	}
	return 0
}

func (c *counter[T]) atLeast(t int) []T {
	var out []T
	for i, x := range c.items {
		if c.count[i] >= t {
			out = append(out, x)
		}
	}
	return out
}

// knownPendReqs: requests pending at n−2f replicas. The result is shared
// (remembered for the next call): do not modify it.
func (g *replication) knownPendReqs() []ClientReq {
	c := g.countPeersPend()
	m := &g.pendMemo
	if m.matches(c.gen, g.own.PendReqs) {
		return m.out
	}
	m.remember(c.gen, g.own.PendReqs, c.result(0, g.own.PendReqs, g.r.id, g.q2(), sameClientReq))
	return m.out
}

// firstEntry is &log[0], or nil for an empty log.
func firstEntry(log []LogEntry) *LogEntry {
	if len(log) == 0 {
		return nil
	}
	return &log[0]
}

func (g *replication) pendCounter() *counter[ClientReq] {
	c := new(counter[ClientReq])
	g.countPend(c)
	return c
}

func (g *replication) countPend(c *counter[ClientReq]) {
	for k, s := range g.rep {
		for i := range s.PendReqs {
			addPend(c, &s.PendReqs[i], k)
		}
	}
}

// supportedReqs: requests in req_q with status ⊇ st, or in r_log, at n−2f
// replicas, that this replica has not executed. A replica counts once.
//
// Requests in this replica's own r_log are never returned, so they are
// not counted either: the r_logs of the replicas mostly hold the same
// executed requests, and skipping them with one comparison each (logIndex)
// leaves only the few requests still in progress to count. Each item's
// count, and the order of first appearance among the others, is as if
// everything were counted.
//
// The peers' part is counted for every status at once (countPeersSupported)
// and own's req_q added at each call. The result is shared (remembered for
// the next call with st): do not modify it.
func (g *replication) supportedReqs(st Status) []Req {
	t := statusIndex(st)
	if t < 0 {
		return g.countSupported(st)
	}
	c := g.countPeersSupported()
	m := &g.supMemo[t]
	if m.matches(c.gen, g.own.ReqQ) {
		return m.out
	}
	own := newLogIndex(g.own.RLog)
	g.ownQ = g.ownQ[:0]
	for i := range g.own.ReqQ {
		if p := &g.own.ReqQ[i]; p.Status.has(st) && !own.has(&p.Req) {
			g.ownQ = append(g.ownQ, p.Req)
		}
	}
	m.remember(c.gen, g.own.ReqQ, c.result(t, g.ownQ, g.r.id, g.q2(), sameReq))
	return m.out
}

// countSupported counts supportedReqs(st) over every structure at once.
func (g *replication) countSupported(st Status) []Req {
	g.reqCount.reset()
	c := g.reqCount
	own := newLogIndex(g.own.RLog)
	for k, s := range g.rep {
		for i := range s.ReqQ {
			if p := &s.ReqQ[i]; p.Status.has(st) && !own.has(&p.Req) {
				addReq(c, &p.Req, k)
			}
		}
		if k == g.r.id {
			continue // its r_log is own's
		}
		reqs := g.notInOwnLog(k, s.RLog, own)
		for i := range reqs {
			addReq(c, &reqs[i], k)
		}
	}
	return c.atLeast(g.q2())
}

// logIndex answers whether a request is in an r_log, and where. An r_log
// normally holds consecutive sequence numbers in order (a request executes
// only as lastExec+1), so a request is looked up by its number; a log that
// is not so (a transient fault, a Byzantine structure) is searched.
type logIndex struct {
	log         []LogEntry
	base        int64
	consecutive bool // log[i] has number base+i
}

func newLogIndex(log []LogEntry) logIndex {
	var x logIndex
	x.start(log)
	x.extend(log)
	return x
}

// start makes x the index of log's empty prefix, numbered from log's
// first entry: extend(log) then indexes log.
func (x *logIndex) start(log []LogEntry) {
	*x = logIndex{log: log[:0], consecutive: true}
	if len(log) > 0 {
		x.base = log[0].Req.Seq
	}
}

// extend makes x the index of log, which begins with x's log (the same
// entries): only the entries beyond it are read.
func (x *logIndex) extend(log []LogEntry) {
	for i := len(x.log); i < len(log) && x.consecutive; i++ {
		x.consecutive = log[i].Req.Seq == x.base+int64(i)
	}
	x.log = log
}

// dropFront makes x the index of its log without the first d entries.
func (x *logIndex) dropFront(d int) { x.log, x.base = x.log[d:], x.base+int64(d) }

// has reports whether req is in the log.
func (x logIndex) has(req *Req) bool { return x.index(req) >= 0 }

// index returns the index of req in the log, or −1.
func (x logIndex) index(req *Req) int {
	if !x.consecutive {
		for i := range x.log {
			if sameReq(&x.log[i].Req, req) {
				return i
			}
		}
		return -1
	}
	if i := req.Seq - x.base; i >= 0 && i < int64(len(x.log)) && sameReq(&x.log[i].Req, req) {
		return int(i)
	}
	return -1
}

// sameReq is a == b, field by field (the generic comparison of the padded
// struct is a call; this one inlines).
func sameReq(a, b *Req) bool {
	return a.Seq == b.Seq && a.View == b.View && sameClientReq(&a.Q, &b.Q)
}

// sameClientReq is a == b, field by field.
func sameClientReq(a, b *ClientReq) bool {
	return a.TS == b.TS && a.Client == b.Client && a.Value == b.Value && a.Op == b.Op && a.Payload == b.Payload
}

// knownReqs: own req_q pairs with status ⊇ st held so by n−2f replicas.
func (g *replication) knownReqs(st Status) []ReqPair {
	var out []ReqPair
	for _, p := range g.own.ReqQ {
		if !p.Status.has(st) {
			continue
		}
		n := 0
		for _, s := range g.rep {
			for _, o := range s.ReqQ {
				if o.Req == p.Req && o.Status.has(st) {
					n++
					break
				}
			}
		}
		if n >= g.q2() {
			out = append(out, p)
		}
	}
	return out
}

// committedSet: replicas that committed or executed req.
func (g *replication) committedSet(req Req) idset {
	var x idset
	for k, s := range g.rep {
		for i := range s.ReqQ {
			if p := &s.ReqQ[i]; sameReq(&p.Req, &req) && p.Status.has(Commit) {
				x.put(k)
				break
			}
		}
		if !x.has(k) && g.inLogOf(k, s.RLog, &req) {
			x.put(k)
		}
	}
	return x
}

// inLogOf reports whether req is in log, replica k's r_log: looked up by
// its number when k's log memo indexes this log (supportedReqs keeps the
// memos of the peers' logs; own's has none), searched otherwise.
func (g *replication) inLogOf(k int, log []LogEntry, req *Req) bool {
	if len(log) == 0 {
		return false
	}
	if m := &g.logMemo[k]; m.peer == &log[0] && m.peerLen == len(log) {
		return m.log.index(req) >= 0
	}
	for i := range log {
		if sameReq(&log[i].Req, req) {
			return true
		}
	}
	return false
}

func (g *replication) existsPreprep(q ClientReq, prim int) bool {
	if prim < 0 || prim >= g.r.n {
		return false
	}
	for i := range g.rep[prim].ReqQ {
		if p := &g.rep[prim].ReqQ[i]; p.Req.Q == q && p.Status.has(PrePrep) {
			return true
		}
	}
	return false
}

// acceptablePreprep: the primary's structure holds a PRE_PREP for q that
// a correct replica can accept — numbered by the primary in its view,
// inside this replica's window, under a number the primary gave no other
// request. A PRE_PREP outside the window (SEQNUM_OUT_BOUND) or under a
// reused number (REUSE_SEQNUMS) assigns nothing (fix 22 in
// docs/bftlist.md).
func (g *replication) acceptablePreprep(q ClientReq, prim int) bool {
	if prim < 0 || prim >= g.r.n {
		return false
	}
	pq := g.rep[prim].ReqQ
	for _, p := range pq {
		if p.Req.Q != q || !p.Status.has(PrePrep) || p.Req.View != int64(prim) || !g.inWindow(p.Req.Seq) {
			continue
		}
		reused := slices.ContainsFunc(pq, func(o ReqPair) bool {
			return o.Req.View == int64(prim) && o.Req.Seq == p.Req.Seq && o.Req.Q != q
		})
		if !reused {
			return true
		}
	}
	return false
}

// unassignedReqs: own pending requests without a PRE_PREP from the primary
// (existsPreprep, or acceptablePreprep for the failure detector) and not
// known with PREP to n−2f replicas.
func (g *replication) unassignedReqs(assigned func(q ClientReq, prim int) bool) []ClientReq {
	known := g.knownReqs(Prep | Commit)
	var out []ClientReq
	for _, q := range g.own.PendReqs {
		if assigned(q, int(g.own.Prim)) {
			continue
		}
		if slices.ContainsFunc(known, func(p ReqPair) bool { return p.Req.Q == q }) {
			continue
		}
		out = append(out, q)
	}
	return out
}

// acceptReqPreprep: the primary's PRE_PREP for q is in the window and new.
func (g *replication) acceptReqPreprep(q ClientReq, prim int) bool {
	if prim < 0 || prim >= g.r.n {
		return false
	}
	if slices.Contains(g.knownPendReqs(), q) && g.existsPreprep(q, prim) {
		for _, p := range g.rep[prim].ReqQ {
			if p.Req.Q == q && p.Req.View == int64(prim) && g.inWindow(p.Req.Seq) && !g.requestAlreadyExists(p.Req) {
				return true
			}
		}
	}
	for _, e := range g.rep[prim].RLog {
		if e.Req.Q == q && e.Req.View == int64(prim) && g.inWindow(e.Req.Seq) && !g.requestAlreadyExists(e.Req) {
			return true
		}
	}
	return false
}

func (g *replication) requestAlreadyExists(req Req) bool {
	return g.own.hasReq(req) || g.own.inRLog(req)
}

// lastCommonExec: the highest sequence number executed by n−2f replicas,
// −1 if none — the (n−2f)-th highest of the replicas' last executed
// numbers, each read from that replica's own r_log. The reference took the
// highest last r_log entry of any one replica whose supporting set had
// n−2f members: a set a Byzantine replica writes itself, so one replica
// claiming a far-ahead executed entry made every correct replica
// delayed() and roll back to a consolidated prefix shorter than what it
// had executed (fix 21 in docs/bftlist.md). The n−2f replicas hold
// n−3f ≥ 2f+1 correct ones, so the number is one a correct replica
// reached.
func (g *replication) lastCommonExec() int64 { return g.execs.nth(g.rep, g.q2()) }

func (g *replication) delayed() bool {
	return g.lastExec() < g.lastCommonExec()-3*int64(g.sigmaK)
}

// conflict: n−f replicas failed to consolidate.
func (g *replication) conflict() bool {
	c := 0
	for _, s := range g.rep {
		if s.ConFlag {
			c++
		}
	}
	return c >= g.q1()
}

// double: req_q holds one client request under two assignments (the
// gap-filling NO_OPs excepted: they share one client request by design).
func (g *replication) double() bool {
	q := g.own.ReqQ
	for i := range q {
		if q[i].Req.Q.isDummy() {
			continue
		}
		for j := i + 1; j < len(q); j++ {
			if q[i].Req.Q == q[j].Req.Q && q[i].Req != q[j].Req {
				return true
			}
		}
	}
	return false
}

func (g *replication) staleReqSeqn() bool { return g.lastExec() > maxSeq-int64(g.sigmaK) }

// staleRep: sequence numbers exhausted, a double assignment, or an
// executed request without n−2f supporters.
func (g *replication) staleRep() bool {
	if g.staleReqSeqn() || g.double() {
		return true
	}
	return g.weakLog()
}

// weakLog reports whether an entry of own's r_log has fewer than n−2f
// supporters, remembered for the log it read (by first entry and length:
// an r_log is never written in place below its length).
func (g *replication) weakLog() bool {
	m := &g.weak
	log := g.own.RLog
	if m.set && m.first == firstEntry(log) && m.size == len(log) {
		return m.weak
	}
	weak := false
	for i := range log {
		if setSize(&log[i].X) < g.q2() {
			weak = true
			break
		}
	}
	*m = weakMemo{first: firstEntry(log), size: len(log), weak: weak, set: true}
	return weak
}

// weakMemo is weakLog's answer for the r_log starting at first with size
// entries.
type weakMemo struct {
	first     *LogEntry
	size      int
	weak, set bool
}

// getPendReqs is the failure detector's view of pending work: known
// requests without an acceptable PRE_PREP of the primary, or viewChanged
// when a view change is under way. The primary's assignment (assign) takes
// any PRE_PREP of its own as assigned; the detector must not, or a
// primary that numbers every request outside the window or under one
// reused number would look busy for ever and never be suspected (fix 22).
// During a view change every known pending request is unassigned: the
// new primary has numbered none of them until it completes the change,
// so one that never completes it is suspected like one that never
// numbers (fix 25; the reference returned nothing and left the check to
// replication, which never made it).
func (g *replication) getPendReqs() (reqs []ClientReq, viewChanged bool) {
	if g.own.ViewChanged {
		return g.knownPendReqs(), true
	}
	un := g.unassignedReqs(g.acceptablePreprep)
	for _, q := range g.knownPendReqs() {
		if slices.Contains(un, q) {
			reqs = append(reqs, q)
		}
	}
	return reqs, false
}

// actAsPrimWhenViewChanged: the new primary consolidates once n−f replicas
// report the view change to it.
func (g *replication) actAsPrimWhenViewChanged() {
	r := g.r
	var procs idset
	for j, s := range g.rep {
		if s.ViewChanged && r.view(j) == int64(r.id) {
			procs.put(j)
		}
	}
	if procs.len() < g.q1() {
		return
	}
	me := &g.own
	if x, ok := g.consolidate(g.q3()); ok && !x.isDef && prefixes(me.State, x.state) && len(x.state) > len(me.State) {
		me.State = clip(x.state)
		me.RLog = clip(x.rlog)
		g.dropOutOfWindow()
	}
	le := g.lastExec()
	hi := le + int64(g.sigmaK)
	renew := g.renewable(procs)
	// A PRE_PREP-only pair that renewReqs does not renumber keeps its
	// number and is passed on to every replica with req_q; numbering from
	// below it would give its number to another request, and both could be
	// committed (fix 29 in docs/bftlist.md). Its number is taken, like a
	// prepared pair's; beyond the window (a corrupted state: a correct
	// replica holds pairs only inside it) it is dropped instead, since
	// gaps are filled only up to the window's end.
	kept := func(p ReqPair) bool { return p.Status == PrePrep && !slices.Contains(renew, p) }
	me.ReqQ = slices.DeleteFunc(me.ReqQ, func(p ReqPair) bool { return kept(p) && p.Req.Seq > hi })
	potential := int64(-1)
	for _, p := range me.ReqQ {
		if p.Status.has(PrePrep|Prep) || kept(p) {
			potential = max(potential, p.Req.Seq)
		}
	}
	newSeq := max(le, potential)
	me.SeqNum = newSeq
	// Fill gaps with NO_OPs, already prepared (the reference left them at
	// PRE_PREP); at most σK of them, the size of the window. A pair that
	// renewReqs renumbers leaves its number: a gap too (fix 29; the
	// reference left it empty, and nothing executed past it).
	for s := le + 1; s <= newSeq && s <= hi; s++ {
		if !slices.ContainsFunc(me.ReqQ, func(p ReqPair) bool { return p.Req.Seq == s && !slices.Contains(renew, p) }) {
			me.addReq(ReqPair{Req: Req{Q: dummyReq, View: int64(r.id), Seq: s}, Status: PrePrep | Prep}, g.sigmaK)
		}
	}
	g.renewReqs(procs, renew)
	x, ok := g.consolidate(g.q2())
	if !ok {
		g.own = teeStructure()
		g.bind()
		return
	}
	// The primary keeps its own state when it extends the consolidated
	// prefix: a correct replica's list holds only executions, and the
	// prefix of n−2f reports, one of them a Byzantine replica's, may stop
	// short of an execution that fewer correct replicas report; taking it
	// would roll that execution back at every replica that adopts the
	// primary's structure (fix 30 in docs/bftlist.md).
	if x.isDef || !isPrefix(x.state, me.State) {
		me.State = clip(x.state)
		me.RLog = clip(x.rlog)
	}
	me.ViewChanged = false
}

// renewable returns the PRE_PREP-only pairs of req_q that every replica of
// procs holds, the ones renewReqs renumbers.
func (g *replication) renewable(procs idset) []ReqPair {
	var need []ReqPair
	members := procs.ids()
	for _, p := range g.own.ReqQ {
		if p.Status != PrePrep {
			continue
		}
		all := true
		for _, k := range members {
			if !slices.Contains(g.rep[k].ReqQ, p) {
				all = false
				break
			}
		}
		if all {
			need = append(need, p)
		}
	}
	return need
}

// renewReqs keeps the requests pending at every replica of procs and
// renumbers need, the PRE_PREP-only requests they all hold (renewable).
func (g *replication) renewReqs(procs idset, need []ReqPair) {
	me := &g.own
	c := new(counter[ClientReq])
	members := procs.ids()
	for _, k := range members {
		pend := g.rep[k].PendReqs
		for i := range pend {
			addPend(c, &pend[i], k)
		}
	}
	me.PendReqs = c.atLeast(len(members))
	for i := range me.ReqQ {
		if slices.Contains(need, me.ReqQ[i]) {
			me.SeqNum++
			me.ReqQ[i].Req.View = int64(g.r.id)
			me.ReqQ[i].Req.Seq = me.SeqNum
			me.ReqQ[i].Status |= Prep
		}
	}
}

// actAsNonPrimWhenViewChanged adopts the new primary's structure once n−f
// replicas follow it and its state checks out.
func (g *replication) actAsNonPrimWhenViewChanged(prim int) {
	c := 0
	for i := 0; i < g.r.n; i++ {
		if g.r.view(i) == int64(prim) {
			c++
		}
	}
	if c < g.q1() || !g.checkNewVState(prim) {
		return
	}
	s := g.rep[prim].deepCopy()
	s.ConFlag, s.ViewChanged = false, false
	g.own = s
	g.bind()
}

// checkNewVState validates the new primary's structure.
func (g *replication) checkNewVState(prim int) bool {
	pre := new(counter[ClientReq])
	for k, s := range g.rep {
		for i := range s.ReqQ {
			if p := &s.ReqQ[i]; p.Status == PrePrep {
				addPend(pre, &p.Req.Q, k)
			}
		}
	}
	pq := g.rep[prim].ReqQ
	for i := range pq {
		p := &pq[i]
		if p.Req.View != int64(prim) {
			continue
		}
		if p.Req.Q.isDummy() {
			for _, o := range pq {
				if o.Req.Q != p.Req.Q && o.Req.Seq == p.Req.Seq {
					return false
				}
			}
			continue
		}
		if count(pre, &p.Req.Q, sameClientReq) < g.q2() && !g.acceptReqPreprep(p.Req.Q, prim) {
			return false
		}
	}
	pend := g.pendCounter()
	for i := range g.rep[prim].PendReqs {
		if count(pend, &g.rep[prim].PendReqs[i], sameClientReq) < g.q2() {
			return false
		}
	}
	return g.checkNewStateAndRLog(prim)
}

// checkNewStateAndRLog: the primary's state is a prefix of n−3f states and
// its r_log replays to the state's tail (the reference replayed a trimmed
// log from the empty list and compared it with the whole state).
func (g *replication) checkNewStateAndRLog(prim int) bool {
	ps := g.rep[prim]
	c := 0
	for _, s := range g.rep {
		if isPrefix(ps.State, s.State) {
			c++
		}
	}
	// n−3f: the prefix a new primary may take (fix 27) and keep (fix 30);
	// at least n−4f ≥ f+1 of those states are correct replicas', which
	// hold only executions.
	if c < g.q3() && !g.committedExtension(ps) {
		return false
	}
	return logMatchesTail(ps.RLog, ps.State)
}

// committedExtension: the state extends a prefix of n−2f states by the
// requests of its r_log's last entries, with consecutive sequence numbers,
// each committed (COMMIT or executed) at n−2f replicas — the rule by which
// any correct replica executes the next request (fix 19 in
// docs/bftlist.md). A new primary that executed them before the view
// change, while the others, now in the view change, cannot, is then not
// rejected for being ahead of them.
func (g *replication) committedExtension(ps *RepStructure) bool {
	tail := 0
	for i := len(ps.RLog) - 1; i >= 0; i-- {
		e := ps.RLog[i]
		if i+1 < len(ps.RLog) && ps.RLog[i+1].Req.Seq != e.Req.Seq+1 {
			return false
		}
		if g.committedSet(e.Req).len() < g.q2() {
			return false
		}
		tail += len(apply(nil, e.Req.Q))
		if tail > len(ps.State) {
			return false
		}
		base := ps.State[:len(ps.State)-tail]
		c := 0
		for _, s := range g.rep {
			if isPrefix(base, s.State) {
				c++
			}
		}
		if c >= g.q2() {
			return true
		}
	}
	return false
}

// logMatchesTail: the APPEND values of log are the last elements of state.
// It compares from the end, without building the list of values.
func logMatchesTail(log []LogEntry, state []int64) bool {
	i := len(state)
	for j := len(log) - 1; j >= 0; j-- {
		q := &log[j].Req.Q
		if q.Op != protocols.OpAppend || q.isDummy() {
			continue // apply leaves the state as it is
		}
		if i--; i < 0 || state[i] != q.Value {
			return false
		}
	}
	return true
}

// byzStructure returns the structure a Byzantine replica shows instead of
// its own (strategy.shownStructure), built when first needed; nil when it
// shows its own.
func (g *replication) byzStructure() *RepStructure {
	if g.byzRep == nil {
		g.byzRep = g.r.conduct.S.shownStructure(g)
	}
	return g.byzRep
}
