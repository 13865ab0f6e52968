package bftlist

import (
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Timer kinds: the modules' loops, then the data links (Data = peer).
const (
	loopVE = iota + 1
	loopREP
	loopPM
	loopEFD
	numLoops
	timerLink = 16
)

// Replica is a BFTList replica.
type Replica struct {
	// Fields in the order a delivery reads them: a run handles the
	// replicas' messages in turn, so each should touch few cache lines.
	cfg   protocols.Config
	rearm *timerRearm // corrupted timers, applied at the next input
	env   sim.Env
	n, id int
	p     Params
	ve    viewEst
	rep   replication
	pm    primMon
	link  dataLink
	fd    failureDetector
	f, k  int
	// fixed is the view forcedView forces, or −1 when view establishment
	// decides (the parameters do not change after New).
	fixed int64
	// conduct is the Byzantine behaviour: the strategy consulted at the
	// decision points of byzantine.go, and the filter of sends.
	conduct    protocols.Conduct[strategy]
	efd        eventFD
	loops      [numLoops]sim.TimerID
	starts     []*StartState
	logState   []int64
	logDigests []protocols.Digest
}

var (
	_ protocols.Replica     = (*Replica)(nil)
	_ protocols.StartStater = (*Replica)(nil)
)

// New returns a replica for cfg.
func New(cfg protocols.Config) (*Replica, error) {
	switch {
	case cfg.N < 1 || cfg.N > maxReplicas:
		return nil, fmt.Errorf("bftlist: n = %d, want 1 … %d", cfg.N, maxReplicas)
	case cfg.F < 0 || 5*cfg.F+1 > cfg.N:
		return nil, fmt.Errorf("bftlist: f = %d needs n ≥ 5f+1 = %d replicas, have %d", cfg.F, 5*cfg.F+1, cfg.N)
	case int(cfg.ID) < 0 || int(cfg.ID) >= cfg.N:
		return nil, fmt.Errorf("bftlist: replica id %d out of range 0 … %d", cfg.ID, cfg.N-1)
	case cfg.Clients < 0:
		return nil, fmt.Errorf("bftlist: negative client count")
	}
	var conduct protocols.Conduct[strategy]
	if err := behaviours().Set(&conduct, cfg.Behaviour); err != nil {
		return nil, err
	}
	p, err := decodeParams(cfg.Params, cfg.N)
	if err != nil {
		return nil, err
	}
	r := &Replica{cfg: cfg, p: p, n: cfg.N, f: cfg.F, k: cfg.Clients, id: int(cfg.ID), conduct: conduct, fixed: -1}
	if v, forced := r.forcedView(); forced {
		r.fixed = v
	}
	r.ve = newViewEst(r)
	r.rep = newReplication(r)
	r.pm = newPrimMon(r)
	r.fd = newFailureDetector(r)
	r.link = newDataLink(r)
	r.efd = newEventFD(r)
	return r, nil
}

// SetStartState sets the state applied when the replica starts (the
// reference's injected start_state.json); it must be called before Start.
func (r *Replica) SetStartState(s *StartState) { r.starts = []*StartState{s} }

// AddStartState implements protocols.StartStater: s, a *StartState (as
// DecodeStartState returns), is applied at Start after the states added
// before it. A state that does not fit the replica is an error.
func (r *Replica) AddStartState(s any) error {
	st, ok := s.(*StartState)
	if !ok || st == nil {
		return fmt.Errorf("bftlist: a start state is a *bftlist.StartState, not %T", s)
	}
	if err := st.check(r); err != nil {
		return err
	}
	r.starts = append(r.starts, st)
	return nil
}

// Start implements sim.Node.
func (r *Replica) Start(env sim.Env) {
	r.env = env
	r.rep.bind()
	if r.p.StartState != "" {
		if err := namedStartState(r.p.StartState, r.n, r.f, r.k, r.id).apply(r); err != nil {
			panic(err) // the name was validated with the parameters
		}
	}
	for _, st := range r.starts {
		if err := st.apply(r); err != nil {
			panic(err) // checked when added
		}
	}
	r.freezeByzStructure()
	r.armAll()
}

// armAll starts every loop at a random phase, and the data links.
func (r *Replica) armAll() {
	rnd := r.env.Rand()
	first := func(which int) sim.Time { return 1 + sim.Time(rnd.Int64N(int64(r.period(which)))) }
	if r.p.SelfStabilizing {
		r.setLoop(loopVE, first(loopVE))
	}
	r.setLoop(loopREP, first(loopREP))
	r.setLoop(loopPM, first(loopPM))
	r.link.start()
	if r.p.SelfStabilizing && r.p.FDMode == FDEvent {
		r.efd.broadcast()
	}
}

// Recover implements sim.Recoverer: timers that expired while crashed are
// lost, so every loop restarts.
func (r *Replica) Recover() { r.armAll() }

func (r *Replica) setLoop(which int, d sim.Time) { r.armLoop(which, d, loopIterate) }

// Loop timer data: iterate when it fires, or check the backlog first.
const (
	loopIterate = iota
	loopThrottled
)

func (r *Replica) armLoop(which int, d sim.Time, data int64) {
	r.cancel(r.loops[which])
	r.loops[which] = r.env.SetTimer(d, which, data)
}

// period is a loop's nominal pause: its interval in periodic mode, one
// throttle sleep in back-to-back mode (the first iteration starts at a
// random phase within it).
func (r *Replica) period(which int) sim.Time {
	if r.p.LoopMode == LoopBackToBack {
		return r.p.ThrottleSleep
	}
	switch which {
	case loopVE:
		return r.p.VEInterval
	case loopREP:
		return r.p.REPInterval
	}
	return r.p.PMInterval
}

// next arms a loop's next iteration after one ended. Periodic: one interval
// later. Back-to-back: as the reference's rate limiter, right away (when
// the iteration's charged work is done) unless more than queue_limit
// messages to some peer are not yet handled by it; then after a throttle
// sleep, at the end of which the backlog is checked again.
func (r *Replica) next(which int) {
	switch {
	case r.p.LoopMode != LoopBackToBack:
		r.setLoop(which, r.period(which))
	case r.throttled():
		r.armLoop(which, r.p.ThrottleSleep, loopThrottled)
	default:
		r.setLoop(which, 0)
	}
}

// throttled reports whether the backlog to some peer exceeds queue_limit
// (the reference's queues_are_full over its per-peer send queues). byzsim's
// links are pipelined, so the queue is modelled as the peer's backlog:
// messages sent to it that it has not handled yet. An Env that cannot tell
// never throttles.
func (r *Replica) throttled() bool {
	bl, ok := r.env.(sim.Backlogger)
	if !ok {
		return false
	}
	for j := 0; j < r.n; j++ {
		if j != r.id && bl.Backlog(sim.NodeID(j)) > r.p.QueueLimit {
			return true
		}
	}
	return false
}

func (r *Replica) cancel(id sim.TimerID) {
	if id != 0 {
		r.env.CancelTimer(id)
	}
}

// send sends unless the Byzantine behaviour withholds it.
func (r *Replica) send(to int, m sim.Message) { r.conduct.Send(r.env, sim.NodeID(to), m) }

// sendOthers sends even to the other replicas of even id and odd to those
// of odd id (a gossip), through the conduct as send would to each.
func (r *Replica) sendOthers(even, odd sim.Message) {
	out := r.conduct.Out(r.env)
	for j, n, id := 0, r.n, r.id; j < n; j++ {
		if j != id {
			out.Send(sim.NodeID(j), pick(j, even, odd))
		}
	}
}

// pick is even for an even j ≥ 0, odd for an odd one.
func pick(j int, even, odd sim.Message) sim.Message {
	if j&1 == 1 {
		return odd
	}
	return even
}

// Fire implements sim.Node.
func (r *Replica) Fire(t sim.Timer) {
	if r.rearm != nil {
		r.applyRearm()
	}
	switch t.Kind {
	case loopVE, loopREP, loopPM:
		if t.Data == loopThrottled && r.throttled() {
			r.armLoop(t.Kind, r.p.ThrottleSleep, loopThrottled)
			return
		}
		r.iterate(t.Kind)
		r.next(t.Kind)
	case loopEFD:
		r.efd.broadcast()
	case timerLink:
		if j := int(t.Data); j >= 0 && j < r.n && j != r.id {
			r.link.transmit(j)
		}
	}
}

// iterate runs one iteration of a module's loop: it charges the
// iteration's CPU time, runs the module and gossips its state.
func (r *Replica) iterate(which int) {
	switch which {
	case loopVE:
		r.env.Charge(r.p.VECost)
		r.ve.iterate()
		r.ve.gossip()
	case loopREP:
		entries := 0
		for _, s := range r.rep.rep {
			entries += s.entries()
		}
		r.env.Charge(r.p.REPCost + r.p.REPEntryCost*sim.Time(entries))
		r.rep.iterate()
		r.rep.gossip()
	case loopPM:
		r.env.Charge(r.p.PMCost)
		r.pm.iterate()
		r.pm.gossip()
	}
}

// Deliver implements sim.Node. Every message is charged its receipt
// first; a client's request also its signature check.
func (r *Replica) Deliver(from sim.NodeID, m sim.Message) {
	if r.rearm != nil {
		r.applyRearm()
	}
	r.env.Charge(r.cfg.Costs.ReceiveOf(m))
	j := int(from)
	peer := r.peer(j) // the modules take messages from the other replicas only
	switch m := m.(type) {
	case *VEMsg:
		if peer && r.p.SelfStabilizing {
			r.ve.receive(j, m)
		}
	case *REPMsg:
		if peer {
			r.rep.receive(j, m)
		}
	case *PMMsg:
		if peer {
			r.pm.take(j, m)
		}
	case *FDToken:
		if peer {
			r.link.onToken(j, m)
		}
	case *FDAck:
		if peer {
			r.link.onAck(j, m)
		}
	case *EFDToken:
		if peer && r.p.SelfStabilizing && r.p.FDMode == FDEvent {
			r.efd.onToken(j, m)
		}
	case *protocols.Request:
		r.clientRequest(from, m)
	}
}

// peer reports whether j is another replica: the modules take messages
// from those only.
func (r *Replica) peer(j int) bool { return j >= 0 && j < r.n && j != r.id }

// clientRequest charges a request's signature check and hands it to
// replication when its sender is its client.
func (r *Replica) clientRequest(from sim.NodeID, q *protocols.Request) {
	r.env.Charge(r.cfg.Costs.Verify) // the client's signature, as DiemBFT
	if q.Client != from {
		return // a request is signed by its client
	}
	r.rep.onRequest(q)
}

// view is get_current_view(k) as replication, primary monitoring and the
// failure detector see it: the forced view (force_view), 0 without
// self-stabilization, else view establishment's (getView). A peer's view
// without a forced one, what the loops over the replicas ask, is read
// here, where it inlines.
func (r *Replica) view(k int) int64 {
	if k == r.id || r.fixed >= 0 {
		return r.viewOf(k)
	}
	return r.ve.views[k].Current // getView's peer case
}

// viewOf is view(k) in full.
func (r *Replica) viewOf(k int) int64 {
	if r.fixed < 0 {
		return r.ve.getView(k)
	}
	return r.fixed
}

// forcedView is the view every replica sees whatever view establishment
// says, and true: force_view when set, else 0 without self-stabilization;
// false when view establishment decides.
func (r *Replica) forcedView() (int64, bool) {
	switch {
	case r.p.ForceView >= 0:
		return r.p.ForceView, true
	case !r.p.SelfStabilizing:
		return 0, true
	}
	return 0, false
}

// allow is allow_service() as the other modules see it: always true with a
// forced view or without self-stabilization.
func (r *Replica) allow() bool {
	return r.fixed >= 0 || r.ve.allowService()
}

// Round implements protocols.Replica: the current view (⊥ is −1).
func (r *Replica) Round() int64 {
	if !r.p.SelfStabilizing {
		return 0
	}
	return r.ve.views[r.id].Current
}

// Leader implements protocols.Replica: the primary of view v is v mod n.
func (r *Replica) Leader(round int64) sim.NodeID { return sim.NodeID(mod(round, int64(r.n))) }

// SetAttribute implements protocols.Replica.
func (r *Replica) SetAttribute(name string, v int64) error {
	switch name {
	case "view":
		w := mod(v, int64(r.n))
		r.ve.views[r.id] = ViewPair{w, w}
	case "next_view":
		r.ve.views[r.id].Next = mod(v, int64(r.n))
	case "phase":
		if v != 0 && v != 1 {
			return fmt.Errorf("bftlist: phase must be 0 or 1, not %d", v)
		}
		r.ve.phs[r.id] = int8(v)
	case "seq_num":
		r.rep.own.SeqNum = v
	case "primary":
		r.rep.own.Prim = v
		r.pm.vcm[r.id].Prim = v
	case "fd_cnt":
		r.fd.cnt = int(max(min(v, 1<<30), 0))
	default:
		return fmt.Errorf("bftlist: unknown attribute %q", name)
	}
	r.ve.touch()
	return nil
}

// SetBehaviour implements protocols.Replica.
func (r *Replica) SetBehaviour(name string) error {
	if err := behaviours().Set(&r.conduct, name); err != nil {
		return err
	}
	r.rep.byzRep = nil
	if r.env != nil {
		r.freezeByzStructure()
	}
	return nil
}

// freezeByzStructure fixes the structure a WRONG_CCSP or
// ASSIGN_DIFFERENT_SEQNUMS replica shows from now on, built from its state
// at the switch (at start: after the start states), as the reference
// builds it from the injected state.
func (r *Replica) freezeByzStructure() { r.rep.byzStructure() }

// LegitState is what the legitimacy predicate reads of one replica.
type LegitState struct {
	Phase int8
	Views ViewPair
	Allow bool
	// Prim is the replication module's primary.
	Prim int64
	// PMPrim is the primary monitoring module's primary.
	PMPrim int64
	// State is the replicated list (shared; do not modify).
	State []int64
}

// Snapshot implements protocols.Replica. Log holds one chained digest per
// element of the replicated list, so two logs agree on a prefix exactly
// when the lists do.
func (r *Replica) Snapshot() protocols.Snapshot {
	st := r.rep.own.State
	r.syncLog(st)
	ls := LegitState{Phase: r.ve.phs[r.id], Views: r.ve.views[r.id], Allow: r.ve.allowService(),
		Prim: r.rep.own.Prim, PMPrim: r.pm.vcm[r.id].Prim, State: clip(st)}
	if !r.p.SelfStabilizing {
		ls.Phase, ls.Views, ls.Allow, ls.PMPrim = 0, ViewPair{0, 0}, true, ls.Prim
	}
	return protocols.Snapshot{Round: r.Round(), Log: r.logDigests[:len(r.logDigests):len(r.logDigests)], State: ls}
}

// syncLog brings logDigests in line with st, reusing the common prefix.
func (r *Replica) syncLog(st []int64) {
	old := r.logState
	common := 0
	if len(old) > 0 && len(st) >= len(old) && &st[0] == &old[0] {
		common = len(old) // same array, append-only: old is a prefix
	} else {
		for common < len(old) && common < len(st) && old[common] == st[common] {
			common++
		}
	}
	if common < len(r.logDigests) {
		// Never overwrite digests a snapshot may still hold.
		r.logDigests = append(make([]protocols.Digest, 0, len(st)+16), r.logDigests[:common]...)
	}
	for i := common; i < len(st); i++ {
		prev := uint64(0)
		if i > 0 {
			prev = uint64(r.logDigests[i-1])
		}
		r.logDigests = append(r.logDigests, protocols.Digest(mix(prev, uint64(st[i]))))
	}
	r.logState = st
}

// legitimate is the legitimacy predicate: every correct replica in phase 0
// of the same established view with service allowed, replicating with that
// view's primary and monitoring that primary, and their lists prefixes of
// one another. That client requests complete again is the convergence
// checker's part.
func legitimate(n, f int, snaps []protocols.Snapshot) bool {
	var ref LegitState
	var longest []int64
	for i, s := range snaps {
		st, ok := s.State.(LegitState)
		if !ok {
			return false
		}
		if st.Phase != 0 || st.Views.Current != st.Views.Next || st.Views.Current == TEE || !st.Allow || st.Prim != st.Views.Current || st.PMPrim != st.Prim {
			return false
		}
		if i == 0 {
			ref = st
		} else if st.Views != ref.Views || st.Prim != ref.Prim {
			return false
		}
		if len(st.State) > len(longest) {
			longest = st.State
		}
	}
	for _, s := range snaps {
		if !isPrefix(s.State.(LegitState).State, longest) {
			return false
		}
	}
	return true
}
