package bftlist

import (
	"math/bits"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Automaton modes of transit sets.
const (
	modeFollow = iota
	modeRemain
)

// viewEst is the view-establishment module (Algorithms 1–2 of the paper).
type viewEst struct {
	r         *Replica
	id        int    // r.id, read by getView at every call
	lastRound uint64 // the event-driven detector round the automaton last ran in
	// ver counts changes of the module's state (see touch); allowService
	// and witnesSeen keep their last result with the ver it was computed
	// at (asked on every message: one cache line with got, which VE reads).
	ver              uint64
	allowAt, witAt   uint64
	allowVal, witVal bool
	// noticedAt and noticedVal keep noticedRecentValue's last result so;
	// idleAt is the ver at which the automaton last acted without
	// changing anything (see iterate).
	noticedAt, idleAt uint64
	noticedVal        bool
	// got[j] is the last message from j held; sent[j] the last gossiped to j
	// and its content (sent again while unchanged; never written once sent).
	// sentAt is the ver of the last honest gossip (0: none since a
	// Byzantine one): at the same ver every sent[j] is current.
	got       []*VEMsg
	sent      []veSent
	sentAt    uint64
	phs       []int8
	views     []ViewPair
	witnesses []bool
	echo      []VEData
	vChange   []bool
	// words is wordsFor(n), the words of a set that can hold replicas.
	words  int
	witSet idset
	// correct restricts the replicas counted in the witness predicates when
	// the event-driven failure detector is on (all replicas otherwise).
	correct idset
}

func newViewEst(r *Replica) viewEst {
	n := r.n
	ve := viewEst{r: r, id: r.id, phs: make([]int8, n), witnesses: make([]bool, n), echo: make([]VEData, n),
		views: make([]ViewPair, n), vChange: make([]bool, n), correct: full(n), ver: 1, sent: make([]veSent, n),
		words: wordsFor(n), got: make([]*VEMsg, n)}
	for i := range ve.views {
		ve.views[i] = RST
	}
	return ve
}

// touch records that the module's state may have changed: every write to
// phs, witnesses, witSet, echo, views, vChange or correct must be followed
// by a touch before allowService or witnesSeen is asked again.
func (ve *viewEst) touch() { ve.ver++ }

// iterate is one loop iteration: reset if needed, refresh witnesses and run
// the automaton. Each write that changes the state touches (resetAll and
// action do); one that leaves it as it was does not, so the memos of
// allowService and witnesSeen, which every delivery and the other
// modules' loops ask, outlive an iteration that changed nothing.
func (ve *viewEst) iterate() {
	r := ve.r
	if r.p.FDMode == FDEvent {
		if r.efd.round == ve.lastRound {
			return // no new round of the event-driven detector yet
		}
		ve.lastRound = r.efd.round
		ve.correct = r.efd.lastCorrect.add(r.id)
		ve.touch()
	}
	if ve.needReset() {
		ve.resetAll()
	}
	if w := ve.noticedRecentValue(); w != ve.witnesses[r.id] {
		ve.witnesses[r.id] = w
		ve.touch()
	}
	// The witness set grows by the replicas now known to be witnessed.
	before := ve.witSet
	for k, w := range ve.witnesses {
		if w {
			ve.witSet.put(k)
		}
	}
	if ve.witSet != before {
		ve.touch()
	}
	if !ve.witnesSeen() || ve.idleAt == ve.ver {
		return // the automaton already ran on this state and changed nothing
	}
	for c := 0; c <= 3; c++ {
		if ve.predicate(ve.phs[r.id], c) {
			v := ve.ver
			ve.action(ve.phs[r.id], c)
			if ve.ver == v {
				ve.idleAt = v // the same state leads to the same action
			}
			return
		}
	}
}

// ownData is what the replica reports about itself.
func (ve *viewEst) ownData() VEData {
	id := ve.r.id
	return VEData{Phase: ve.phs[id], Witness: ve.witnesses[id], Views: ve.views[id], VChange: ve.vChange[id]}
}

func (ve *viewEst) dataOf(k int) VEData {
	return VEData{Phase: ve.phs[k], Witness: ve.witnesses[k], Views: ve.views[k], VChange: ve.vChange[k]}
}

// gossip sends own data and what it believes of each receiver.
func (ve *viewEst) gossip() {
	r := ve.r
	own := ve.ownData()
	if ve.echo[r.id] != own {
		ve.echo[r.id] = own
		ve.touch()
	}
	honest := r.conduct.Honest() // the honest strategy shows own to all
	out := r.conduct.Out(r.env)
	sent := ve.sent[:r.n]
	if honest && ve.sentAt == ve.ver {
		// Nothing changed since the last honest gossip: each peer is
		// sent its last message again.
		for j := range sent {
			if j != r.id {
				out.Send(sim.NodeID(j), sent[j].m)
			}
		}
		return
	}
	phs, wit, views, vc := ve.phs[:r.n], ve.witnesses[:r.n], ve.views[:r.n], ve.vChange[:r.n]
	for j := range sent {
		if j == r.id {
			continue
		}
		s := &sent[j]
		shown := own
		if !honest {
			shown = r.conduct.S.veShown(r, j, own)
		}
		// Compared once, with the copy kept in sent, not the message
		// itself, and field by field where the data lie, without copying
		// them.
		if s.m == nil || s.own != shown || s.about.Views != views[j] || s.about.Phase != phs[j] ||
			s.about.Witness != wit[j] || s.about.VChange != vc[j] {
			about := ve.dataOf(j)
			*s = veSent{m: &VEMsg{Own: shown, About: about}, own: shown, about: about}
		}
		out.Send(sim.NodeID(j), s.m)
	}
	ve.sentAt = 0
	if honest {
		ve.sentAt = ve.ver
	}
}

// receive stores a peer's report if its own data is legitimate.
func (ve *viewEst) receive(j int, m *VEMsg) {
	if m == ve.got[j] || ve.echo[j] == m.About && ve.dataOf(j) == m.Own {
		// Nothing changes (valid or not); most reports repeat the last one.
		ve.got[j] = m
		return
	}
	if !ve.valid(m.Own) {
		return
	}
	ve.echo[j], ve.got[j] = m.About, m
	ve.phs[j] = m.Own.Phase
	ve.witnesses[j] = m.Own.Witness
	ve.views[j] = m.Own.Views
	ve.vChange[j] = m.Own.VChange
	ve.touch()
}

// echoNoWitn: the echo e (of some k) holds own, my current view pair,
// phase and vChange.
func echoNoWitn(e *VEData, own VEData) bool {
	return e.Views == own.Views && e.Phase == own.Phase && e.VChange == own.VChange
}

// noticedRecentValue: n−f replicas echo my current values (the n−f correct
// replicas alone can; two such sets share n−2f ≥ 3f+1 replicas, n ≥ 5f+1).
// Asked at every iteration, it is computed again only after a touch.
func (ve *viewEst) noticedRecentValue() bool {
	if ve.noticedAt != ve.ver {
		ve.noticedAt, ve.noticedVal = ve.ver, ve.computeNoticed()
	}
	return ve.noticedVal
}

func (ve *viewEst) computeNoticed() bool {
	c, own, n := 0, ve.ownData(), ve.r.n
	echo := ve.echo[:n]
	for w, word := range ve.correct[:ve.words] {
		for b := word; b != 0; b &= b - 1 {
			if k := w<<6 | bits.TrailingZeros64(b); k < n && echoNoWitn(&echo[k], own) {
				c++
			}
		}
	}
	return c >= n-ve.r.f
}

// witnesSeen: I am witnessed and n−f members of the witness set (me
// included) echo the same as my own echo (n−f: reachable by the correct
// replicas alone, and any two such sets share a correct majority).
func (ve *viewEst) witnesSeen() bool {
	if ve.witAt != ve.ver {
		ve.witAt, ve.witVal = ve.ver, ve.computeWitnesSeen()
	}
	return ve.witVal
}

func (ve *viewEst) computeWitnesSeen() bool {
	id := ve.r.id
	if !ve.witnesses[id] {
		return false
	}
	// The set counted is {id} ∪ {k : k witnessed, correct and echoing the
	// same as id} (the reference dropped the union with id); counting stops
	// once it reaches n−f.
	need := ve.r.n - ve.r.f
	count := 1
	if count >= need {
		return true
	}
	n := ve.r.n
	echo := ve.echo[:n]
	own := echo[id]
	for w := range ve.words {
		for b := ve.witSet[w] & ve.correct[w]; b != 0; b &= b - 1 {
			if k := w<<6 | bits.TrailingZeros64(b); k != id && k < n && echo[k] == own {
				if count++; count >= need {
					return true
				}
			}
		}
	}
	return false
}

func (ve *viewEst) typeCheck(v ViewPair) bool {
	n := int64(ve.r.n)
	return v.Next >= 0 && v.Next < n && v.Current >= TEE && v.Current < n
}

func (ve *viewEst) legitPhsZero(v ViewPair) bool {
	return (v.Current == v.Next || v == RST) && ve.typeCheck(v)
}

func (ve *viewEst) legitPhsOne(v ViewPair) bool { return v.Current != v.Next && ve.typeCheck(v) }

func (ve *viewEst) valid(d VEData) bool {
	return (d.Phase == 0 && ve.legitPhsZero(d.Views)) || (d.Phase == 1 && ve.legitPhsOne(d.Views))
}

func (ve *viewEst) staleV(k int) bool {
	return !ve.valid(VEData{Phase: ve.phs[k], Views: ve.views[k]})
}

// sameVSet: replicas in phase with the same view pair as j and not stale
// (in phase 1, a ⊥ current view matches on next).
func (ve *viewEst) sameVSet(j int, phase int8) idset {
	var s idset
	vj := ve.views[j]
	// A replica k in phase with the pair vj is stale exactly when that
	// phase and pair are not valid, whatever k.
	fresh := ve.valid(VEData{Phase: phase, Views: vj})
	for k, v := range ve.views {
		if phase == 1 && (v.Current == TEE || vj.Current == TEE) && v.Next == vj.Next {
			s.put(k)
		}
		if fresh && v == vj && ve.phs[k] == phase {
			s.put(k)
		}
	}
	return s
}

// transitionCase says whether pair v supports j remaining or following.
func (ve *viewEst) transitionCase(j int, v ViewPair, phase int8, mode int) bool {
	vj := ve.views[j]
	if mode == modeRemain {
		// In phase 1, on a step to the view after my current one, the
		// replicas that already established my next view support my
		// remaining too (fix 26 in docs/bftlist.md). Only on that step:
		// every replica heading from v to v+1 then holds one pair, so with
		// those at v+1 the correct ones reach n−f and establish; a pair a
		// transient fault left with another next view still resets.
		return v.Next == vj.Current || (phase == 1 && v.Current == vj.Next && vj.Next == mod(vj.Current+1, int64(ve.r.n)))
	}
	if phase == 0 {
		if vj.Current != TEE {
			return v.Next == mod(vj.Current+1, int64(ve.r.n))
		}
		return v.Next == 0
	}
	return v.Current == vj.Next
}

func (ve *viewEst) transitSet(j int, phase int8, mode int) idset {
	var s idset
	for k, v := range ve.views {
		if ve.phs[k] != phase && ve.transitionCase(j, v, phase, mode) && !ve.staleV(k) {
			s.put(k)
		}
	}
	return s
}

// transitAdoptable: n−2f replicas hold j's pair or head for it; they
// include n−3f ≥ 2f+1 correct ones, so f Byzantine cannot make a pair
// adoptable.
func (ve *viewEst) transitAdoptable(j int, phase int8, mode int) bool {
	return ve.sameVSet(j, ve.phs[j]).with(ve.transitSet(j, phase, mode)).len() >= ve.r.n-2*ve.r.f
}

// establishable: n−f replicas hold my pair or head for it (reachable by
// the correct replicas alone; any two such sets share n−2f ≥ 3f+1).
func (ve *viewEst) establishable(phase int8, mode int) bool {
	id := ve.r.id
	return ve.sameVSet(id, ve.phs[id]).len()+ve.transitSet(id, phase, mode).len() >= ve.r.n-ve.r.f
}

// joinable is phase 0's "establishable" of the follow case: n−f replicas
// hold my pair (v, v) or head from it for v+1 — counting, besides, the
// replicas that already established v+1 (fix 32 in docs/bftlist.md). A
// replica late to a change that n−f support finds some of the others
// still in phase 1 towards v+1 and the rest at (v+1, v+1); the published
// predicate counts only the former, phase 0 adopts (v, v+1) or (v+1, v+1)
// only when n−2f replicas hold that very pair or head for it, and the
// replica fell through to the reset case, which flushes its replication
// structure (fix 4): it then took the new primary from ⊥ without
// reporting the view change, which the new primary needs from n−f.
// Counting those past the step only lets the replica take the step they
// took (phase 1 with v+1 next); establishing still needs n−f in phase 1,
// service n−2f in phase 0.
func (ve *viewEst) joinable() bool {
	id := ve.r.id
	c := ve.sameVSet(id, 0).len() + ve.transitSet(id, 0, modeFollow).len()
	if own := ve.views[id]; own.Current != TEE && own.Current == own.Next {
		// Disjoint from the two sets above: they hold (v, v) in phase 0
		// or are in phase 1.
		next := mod(own.Current+1, int64(ve.r.n))
		for k, v := range ve.views {
			if ve.phs[k] == 0 && v.Current == next && v.Next == next && !ve.staleV(k) {
				c++
			}
		}
	}
	return c >= ve.r.n-ve.r.f
}

// changeable: n−f replicas want a change or already move to the next view
// (f Byzantine replicas cannot start a change; the correct ones alone can).
func (ve *viewEst) changeable() bool {
	c := 0
	for _, v := range ve.vChange {
		if v {
			c++
		}
	}
	next := mod(ve.views[ve.r.id].Current+1, int64(ve.r.n))
	for _, v := range ve.views {
		if v.Next == next {
			c++
		}
	}
	return c >= ve.r.n-ve.r.f
}

// transitSupported: n−2f replicas want a view change or already head for
// my next view. A replica remains in phase 1 while the replicas still at
// its current view may follow it, which they do only by phase 0's case 1
// (changeable: n−f want a change or head for the next view) or by
// adopting a pair n−2f hold in transit. Without that support (a lone
// phase-1 pair left by a transient fault, nobody wanting a change) they
// never follow, and the published predicate would keep the replica in
// phase 1 for ever, out of service; it then falls through to case 3 and
// resets, and follows the others back from RST. In a view change that
// runs, the n−f that made the first replica's move changeable include
// n−2f correct ones, which all head for the same next view.
func (ve *viewEst) transitSupported() bool {
	next := ve.views[ve.r.id].Next
	c := 0
	for k, v := range ve.views {
		if ve.vChange[k] || v.Next == next {
			c++
		}
	}
	return c >= ve.r.n-2*ve.r.f
}

// adoptable finds a peer pair that is transit-adoptable in phase.
func (ve *viewEst) adoptable(phase int8) (ViewPair, bool) {
	id := ve.r.id
	own := ve.views[id]
	for j, v := range ve.views {
		if j == id || own.Current == v.Next {
			continue
		}
		if phase == 0 && own.Next == v.Next && own != RST {
			continue
		}
		if phase == 1 && own.Next == v.Next {
			continue
		}
		if phase == 0 && ve.headsForMine(j) {
			// Those in transit from j's view move to mine: only n−2f
			// holding j's pair themselves make it adoptable.
			if ve.sameVSet(j, ve.phs[j]).len() >= ve.r.n-2*ve.r.f {
				return v, true
			}
			continue
		}
		if ve.transitAdoptable(j, phase, modeFollow) {
			return v, true
		}
	}
	return ViewPair{}, false
}

// headsForMine: the replicas that phase 0's follow case counts together
// with j's pair (in phase 1 with next view j's current + 1) head for my
// current view. They then support my view, not a move back to j's. The
// published predicate counts them for j: right after I establish view
// v+1, the replicas that asked for the change and have not yet
// established it, with one replica left at (v, v) (a slow correct one or
// a Byzantine one), make (v, v) transit-adoptable, and I head back for v;
// the replicas still in phase 1 then find neither view supported and
// reset, and every list is flushed. Iterations shorter than a message
// delay (back-to-back loops) make this the rule rather than the
// exception. So such a pair is adopted only when n−2f replicas hold it
// themselves, as when the others really are at j's view.
func (ve *viewEst) headsForMine(j int) bool {
	own, vj := ve.views[ve.r.id], ve.views[j]
	return own.Current != TEE && vj.Current != TEE && mod(vj.Current+1, int64(ve.r.n)) == own.Current
}

func (ve *viewEst) predicate(phase int8, c int) bool {
	id := ve.r.id
	rst := ve.views[id] == RST
	switch {
	case c == 0:
		_, ok := ve.adoptable(phase)
		return ok
	case c == 1 && phase == 0:
		return (ve.changeable() || rst) && ve.joinable()
	case c == 1:
		return ve.establishable(1, modeFollow)
	case c == 2 && phase == 0:
		return ve.transitAdoptable(id, 0, modeRemain) || rst
	case c == 2:
		return ve.transitAdoptable(id, 1, modeRemain) && ve.transitSupported()
	}
	return true
}

func (ve *viewEst) action(phase int8, c int) {
	id := ve.r.id
	before := ve.ownData() // an action writes only the replica's own data, or resets
	switch {
	case c == 0:
		v, _ := ve.adoptable(phase)
		ve.views[id].Next = v.Next
		if phase == 0 {
			ve.phs[id] = 1
		} else {
			ve.vChange[id] = false
		}
	case c == 1 && phase == 0:
		if ve.changeable() {
			if ve.views[id].Current == TEE {
				ve.views[id].Next = 0
			} else {
				ve.views[id].Next = mod(ve.views[id].Current+1, int64(ve.r.n))
			}
		}
		ve.phs[id] = 1
	case c == 1:
		ve.views[id].Current = ve.views[id].Next
		ve.vChange[id] = false
		ve.phs[id] = 0
		ve.touch() // observers may read the state
		ve.r.env.Observe(protocols.RoundChange{Round: ve.views[id].Current, Cause: protocols.CauseEstablish})
	case c == 2:
		if phase == 1 {
			ve.vChange[id] = false
		}
	default:
		ve.resetAll() // touches
	}
	if ve.ownData() != before {
		ve.touch()
	}
}

// needReset: my own data is stale or replication asks for a flush.
func (ve *viewEst) needReset() bool { return ve.staleV(ve.r.id) || ve.r.rep.needFlush }

// resetAll resets the module to RST everywhere and flushes replication,
// unless the view is forced (force_view): then replication follows the
// forced view, not view establishment, and a reset of the latter is none
// of its business.
func (ve *viewEst) resetAll() {
	for i := range ve.views {
		ve.views[i] = RST
		ve.vChange[i] = false
		ve.phs[i] = 0
		ve.witnesses[i], ve.got[i] = false, nil
	}
	ve.witSet = idset{}
	ve.touch()
	ve.r.rep.requestReset()
	if ve.r.p.ForceView < 0 {
		ve.r.rep.replicaFlush()
	}
	ve.r.env.Observe(protocols.RoundChange{Round: TEE, Cause: protocols.CauseReset})
}

// getView returns the current view of replica j as this replica believes
// it: a peer's as recorded (inlined at every call site); its own through
// ownView's checks.
func (ve *viewEst) getView(j int) int64 {
	if j == ve.id {
		return ve.ownView()
	}
	return ve.views[j].Current
}

// ownView is getView(id): in phase 0 and witnessed, ⊥ unless service is
// allowed.
func (ve *viewEst) ownView() int64 {
	id := ve.id
	if ve.phs[id] == 0 && ve.witnesSeen() && !ve.allowService() {
		return TEE
	}
	return ve.views[id].Current
}

// allowService: n−2f replicas share my view, I am in phase 0 and not in a
// view change. Two sets of n−2f share n−4f ≥ f+1 replicas (n ≥ 5f+1), one
// of them correct, so two views are never served at once; the n−f correct
// replicas alone reach n−2f.
//
// It counts sameVSet(id, 0) without building it: with my pair v in phase 0
// and v.Current == v.Next, a replica k is in the set when it is in phase 0
// with the pair v and not stale, and such a k is stale exactly when v fails
// the type check, whatever k. Counting stops once it reaches n−2f.
func (ve *viewEst) allowService() bool {
	if ve.allowAt != ve.ver {
		ve.allowAt, ve.allowVal = ve.ver, ve.computeAllowService()
	}
	return ve.allowVal
}

func (ve *viewEst) computeAllowService() bool {
	id := ve.r.id
	v := ve.views[id]
	if ve.phs[id] != 0 || v.Current != v.Next {
		return false
	}
	need := ve.r.n - 2*ve.r.f
	if need <= 0 {
		return true
	}
	if !ve.typeCheck(v) {
		return false
	}
	count := 0
	for k, w := range ve.views {
		if w == v && ve.phs[k] == 0 {
			if count++; count >= need {
				return true
			}
		}
	}
	return false
}

// viewChange is called by primary monitoring to request a view change.
func (ve *viewEst) viewChange() {
	id := ve.r.id
	if !ve.vChange[id] {
		ve.r.env.Observe(ViewChangeCall{View: ve.views[id].Current})
	}
	ve.vChange[id] = true
	ve.touch()
}

// veSent is the last VE message gossiped to one peer with a copy of its
// content: the next gossip compares the copy, which lies in one array with
// the other peers', instead of reading the message wherever it was
// allocated (a replica gossips to every peer every iteration).
type veSent struct {
	m          *VEMsg
	own, about VEData
}
