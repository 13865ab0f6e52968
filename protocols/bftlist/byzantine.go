package bftlist

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Byzantine behaviours of the reference, in byzsim's lower-case names.
const (
	BehaviourUnresponsive       = "unresponsive"
	BehaviourUnresponsiveToHalf = "unresponsive_to_half"
	BehaviourDifferentViews     = "different_views"
	BehaviourForcingReset       = "forcing_reset"
	BehaviourStopAssigning      = "stop_assigning_seqnums"
	BehaviourAssignDifferent    = "assign_different_seqnums"
	BehaviourReuseSeqnums       = "reuse_seqnums"
	BehaviourSeqnumOutBound     = "seqnum_out_bound"
	BehaviourWrongCCSP          = "wrong_ccsp"
	BehaviourModifyClientReq    = "modify_client_req"
)

// behaviours is BFTList's behaviour table (protocols.Behaviours): the
// reference's behaviours, then the generic silent.
func behaviours() *protocols.Behaviours[strategy] {
	type b = protocols.Behaviour[strategy]
	return protocols.NewBehaviours[strategy]("bftlist", honest{},
		b{Name: BehaviourUnresponsive, Doc: "sends nothing at all (UNRESPONSIVE)", Strategy: unresponsive{}},
		b{Name: BehaviourUnresponsiveToHalf, Doc: "sends nothing to odd-numbered replicas (UNRESPONSIVE_TO_HALF)", Strategy: unresponsiveToHalf{}},
		b{Name: BehaviourDifferentViews, Doc: "reports view 1 to even and view 2 to odd replicas (DIFFERENT_VIEWS)", Strategy: differentViews{}},
		b{Name: BehaviourForcingReset, Doc: "reports the reset pair RST to everyone (FORCING_RESET)", Strategy: forcingReset{}},
		b{Name: BehaviourStopAssigning, Doc: "as primary, assigns no sequence numbers (STOP_ASSIGNING_SEQNUMS)", Strategy: stopAssigning{}},
		b{Name: BehaviourAssignDifferent, Doc: "as primary, shows odd replicas other sequence numbers (ASSIGN_DIFFERENT_SEQNUMS)", Strategy: assignDifferent{}},
		b{Name: BehaviourReuseSeqnums, Doc: "as primary, reuses its last sequence number (REUSE_SEQNUMS)", Strategy: reuseSeqnums{}},
		b{Name: BehaviourSeqnumOutBound, Doc: "as primary, assigns numbers beyond the window (SEQNUM_OUT_BOUND)", Strategy: seqnumOutBound{}},
		b{Name: BehaviourWrongCCSP, Doc: "shows a made-up state and executed log (WRONG_CCSP)", Strategy: wrongCCSP{}},
		b{Name: BehaviourModifyClientReq, Doc: "as primary, replaces client requests by its own (MODIFY_CLIENT_REQ)", Strategy: modifyClientReq{}},
	)
}

// strategy is BFTList's decision points: the honest code consults the
// replica's current strategy (r.conduct.S) there and nowhere else.
type strategy interface {
	// selfChecks reports whether the replica keeps its own replication
	// structure in order: drops pairs outside its window, flushes when
	// stale or conflicting, puts its seq_num back in range as primary.
	selfChecks() bool
	// assigns reports whether, as primary, it assigns sequence numbers.
	assigns() bool
	// assignReq assigns client request q as primary prim.
	assignReq(g *replication, prim int, q ClientReq)
	// shownStructure returns the replication structure the replica shows
	// instead of its own, built from its state when the behaviour starts;
	// nil shows its own.
	shownStructure(g *replication) *RepStructure
	// repShown returns the REP messages gossiped to even- and odd-numbered
	// replicas; own is the honest one.
	repShown(g *replication, own *REPMsg) (even, odd *REPMsg)
	// veShown returns what the replica reports of itself to replica j in
	// view establishment; own is the truth.
	veShown(r *Replica, j int, own VEData) VEData
}

// honest is the protocol as specified.
type honest struct{}

func (honest) selfChecks() bool                                    { return true }
func (honest) assigns() bool                                       { return true }
func (honest) assignReq(g *replication, prim int, q ClientReq)     { g.assignNext(prim, q) }
func (honest) shownStructure(*replication) *RepStructure           { return nil }
func (honest) repShown(_ *replication, own *REPMsg) (e, o *REPMsg) { return own, own }
func (honest) veShown(_ *Replica, _ int, own VEData) VEData        { return own }

// byzantine is the base of the reference's behaviours: a Byzantine replica
// does not care whether its own structure is stale.
type byzantine struct{ honest }

func (byzantine) selfChecks() bool { return false }

// unresponsive is UNRESPONSIVE: it sends nothing at all.
type unresponsive struct{ byzantine }

func (unresponsive) Withholds(sim.Env, sim.NodeID, sim.Message) bool { return true }

// unresponsiveToHalf is UNRESPONSIVE_TO_HALF: nothing to odd-numbered
// replicas (clients still get their replies).
type unresponsiveToHalf struct{ byzantine }

func (unresponsiveToHalf) Withholds(env sim.Env, to sim.NodeID, _ sim.Message) bool {
	return int(to) < env.Replicas() && to%2 != 0
}

// differentViews is DIFFERENT_VIEWS: it reports view 1 to even and view 2
// to odd replicas (view 0 with two replicas or fewer).
type differentViews struct{ byzantine }

func (differentViews) veShown(r *Replica, j int, _ VEData) VEData {
	v := int64(1 + j%2)
	if r.n <= 2 {
		v = 0
	}
	return VEData{Phase: 0, Witness: true, Views: ViewPair{v % int64(r.n), v % int64(r.n)}}
}

// forcingReset is FORCING_RESET: it reports the reset pair to everyone.
type forcingReset struct{ byzantine }

func (forcingReset) veShown(*Replica, int, VEData) VEData {
	return VEData{Phase: 0, Witness: true, Views: RST}
}

// stopAssigning is STOP_ASSIGNING_SEQNUMS.
type stopAssigning struct{ byzantine }

func (stopAssigning) assigns() bool { return false }

// assignDifferent is ASSIGN_DIFFERENT_SEQNUMS: odd-numbered replicas see a
// copy of its structure, frozen when the behaviour starts, in which each
// request it assigns gets a number 3 higher than in its own.
type assignDifferent struct{ byzantine }

func (assignDifferent) shownStructure(g *replication) *RepStructure {
	s := g.own.deepCopy()
	return &s
}

func (assignDifferent) assignReq(g *replication, prim int, q ClientReq) {
	b := g.byzStructure()
	b.SeqNum += 3
	b.addReq(ReqPair{Req: Req{Q: q, View: int64(prim), Seq: b.SeqNum}, Status: PrePrep | Prep}, g.sigmaK)
	g.assignNext(prim, q)
}

func (assignDifferent) repShown(g *replication, own *REPMsg) (e, o *REPMsg) {
	return own, newREPMsg(g.byzStructure().snapshot(), g.r.n)
}

// reuseSeqnums is REUSE_SEQNUMS: every request gets its last number.
type reuseSeqnums struct{ byzantine }

func (reuseSeqnums) assignReq(g *replication, prim int, q ClientReq) { g.assignAt(prim, q) }

// seqnumOutBound is SEQNUM_OUT_BOUND: numbers jump past the window.
type seqnumOutBound struct{ byzantine }

func (seqnumOutBound) assignReq(g *replication, prim int, q ClientReq) {
	g.own.SeqNum += int64(g.sigmaK) + 1
	g.assignNext(prim, q)
}

// wrongCCSP is WRONG_CCSP: everyone sees a structure whose state and
// executed log are made up.
type wrongCCSP struct{ byzantine }

func (wrongCCSP) shownStructure(g *replication) *RepStructure {
	s := g.own.deepCopy()
	q := ClientReq{Client: sim.NodeID(g.r.n), TS: 666, Op: protocols.OpAppend, Value: 666}
	s.State = []int64{666}
	s.RLog = []LogEntry{{Req: Req{Q: q, View: int64(g.r.id), Seq: 666}, X: full(g.r.n)}}
	return &s
}

func (wrongCCSP) repShown(g *replication, _ *REPMsg) (e, o *REPMsg) {
	m := newREPMsg(g.byzStructure().snapshot(), g.r.n)
	return m, m
}

// modifyClientReq is MODIFY_CLIENT_REQ: its own request replaces the
// client's.
type modifyClientReq struct{ byzantine }

func (modifyClientReq) assignReq(g *replication, prim int, _ ClientReq) {
	g.assignNext(prim, ClientReq{Client: sim.NodeID(g.r.n), TS: 5, Op: protocols.OpAppend, Value: 5})
}
