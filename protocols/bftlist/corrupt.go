package bftlist

import (
	"fmt"
	"math/rand/v2"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Corruption scopes.
const (
	ScopeVE       = "ve"
	ScopeREP      = "rep"
	ScopePM       = "pm"
	ScopeFD       = "fd"
	ScopeDatalink = "datalink"
	ScopeTimers   = protocols.ScopeTimers
)

// Corrupt implements protocols.Replica: the chosen modules' variables get
// arbitrary type-correct values drawn from rng (views and replica ids
// mostly, not always, in range); an empty scope corrupts every scope. It
// neither sends nor schedules: corrupted timers (the loops' and the data
// links') are re-armed with arbitrary durations at the replica's next
// input.
func (r *Replica) Corrupt(rng *rand.Rand, scope []string) error {
	if len(scope) == 0 {
		scope = []string{ScopeVE, ScopeREP, ScopePM, ScopeFD, ScopeDatalink, ScopeTimers}
	}
	for _, s := range scope {
		switch s {
		case ScopeVE, ScopeREP, ScopePM, ScopeFD, ScopeDatalink, ScopeTimers:
		default:
			return fmt.Errorf("bftlist: unknown corruption scope %q", s)
		}
	}
	for _, s := range scope {
		switch s {
		case ScopeVE:
			r.corruptVE(rng)
		case ScopeREP:
			r.corruptREP(rng)
		case ScopePM:
			r.corruptPM(rng)
		case ScopeFD:
			r.corruptFD(rng)
		case ScopeDatalink:
			for j := range r.link.peers {
				r.link.peers[j].send = rng.Uint32N(r.p.LinkCap)
				r.link.peers[j].recv = rng.Uint32N(r.p.LinkCap)
				r.link.peers[j].seen = rng.IntN(2) == 0
			}
		case ScopeTimers:
			r.corruptTimers(rng)
		}
	}
	return nil
}

// randView is a view in −1 … n, so now and then out of range.
func (r *Replica) randView(rng *rand.Rand) int64 { return rng.Int64N(int64(r.n)+2) - 1 }

// randSet draws a set of replicas 0 … n−1: one random word per 64 ids.
func randSet(rng *rand.Rand, n int) idset {
	var s idset
	for i := 0; i < (min(n, maxReplicas)+63)/64; i++ {
		s[i] = rng.Uint64()
	}
	return s.and(full(n))
}

func (r *Replica) randVEData(rng *rand.Rand) VEData {
	return VEData{Phase: int8(rng.IntN(2)), Witness: rng.IntN(2) == 0,
		Views: ViewPair{r.randView(rng), r.randView(rng)}, VChange: rng.IntN(2) == 0}
}

func (r *Replica) corruptVE(rng *rand.Rand) {
	ve := &r.ve
	for k := 0; k < r.n; k++ {
		d := r.randVEData(rng)
		ve.phs[k], ve.witnesses[k], ve.views[k], ve.vChange[k] = d.Phase, d.Witness, d.Views, d.VChange
		ve.echo[k], ve.got[k] = r.randVEData(rng), nil
	}
	ve.witSet = randSet(rng, r.n)
	if r.p.FDMode == FDEvent { // else correct is every replica, by configuration
		ve.correct = randSet(rng, r.n)
		ve.lastRound = rng.Uint64N(8)
	}
	ve.touch()
}

// corruptTimers draws arbitrary remaining durations, up to twice the
// nominal ones, for the loops and the data links, applied at the next
// input.
func (r *Replica) corruptTimers(rng *rand.Rand) {
	d := func(nominal sim.Time) sim.Time { return 1 + sim.Time(rng.Int64N(2*int64(max(nominal, 1)))) }
	r.rearm = &timerRearm{link: make([]sim.Time, r.n)}
	for _, which := range []int{loopVE, loopREP, loopPM} {
		r.rearm.loops[which] = d(r.period(which))
	}
	for j := range r.rearm.link {
		r.rearm.link[j] = d(r.p.LinkTimeout)
	}
}

// timerRearm holds corrupted timer durations until the next input.
type timerRearm struct {
	loops [numLoops]sim.Time
	link  []sim.Time
}

// applyRearm re-arms the corrupted timers; it runs at the start of an
// input, when the replica may schedule.
func (r *Replica) applyRearm() {
	ra := r.rearm
	r.rearm = nil
	for which, d := range ra.loops {
		if d > 0 && (which != loopVE || r.p.SelfStabilizing) {
			r.setLoop(which, d)
		}
	}
	for j, d := range ra.link {
		if j != r.id {
			r.link.arm(j, d)
		}
	}
}

func (r *Replica) randClientReq(rng *rand.Rand) ClientReq {
	if rng.IntN(8) == 0 {
		return dummyReq
	}
	c := sim.NodeID(r.n + rng.IntN(max(r.k, 1)))
	op := protocols.OpAppend
	if rng.IntN(4) == 0 {
		op = protocols.OpNoop
	}
	return ClientReq{Client: c, TS: rng.Uint64N(20), Op: op, Value: rng.Int64N(100)}
}

func (r *Replica) randReq(rng *rand.Rand) Req {
	return Req{Q: r.randClientReq(rng), View: r.randView(rng), Seq: rng.Int64N(40) - 1}
}

func (r *Replica) randStructure(rng *rand.Rand) RepStructure {
	sk := r.rep.sigmaK
	s := RepStructure{SeqNum: rng.Int64N(40) - 1, ConFlag: rng.IntN(4) == 0, ViewChanged: rng.IntN(4) == 0, Prim: r.randView(rng)}
	for range rng.IntN(12) {
		s.State = append(s.State, rng.Int64N(100))
	}
	for range rng.IntN(min(6, 3*sk) + 1) {
		s.RLog = append(s.RLog, LogEntry{Req: r.randReq(rng), X: randSet(rng, r.n)})
	}
	for range rng.IntN(min(6, sk) + 1) {
		s.PendReqs = append(s.PendReqs, r.randClientReq(rng))
	}
	for range rng.IntN(min(6, sk) + 1) {
		s.ReqQ = append(s.ReqQ, ReqPair{Req: r.randReq(rng), Status: Status(rng.IntN(8))})
	}
	s.LastReq = make([]LastReq, r.k) // last_req[K]: one entry per client
	for i := range s.LastReq {
		if rng.IntN(2) == 0 {
			q := r.randReq(rng)
			s.LastReq[i] = LastReq{Req: q, Reply: q.digest(), Set: true}
		}
	}
	return s
}

func (r *Replica) corruptREP(rng *rand.Rand) {
	for j := 0; j < r.n; j++ {
		s := r.randStructure(rng)
		if j == r.id {
			r.rep.own = s
		} else {
			r.rep.setRep(j, &s)
		}
	}
	r.rep.bind()
	r.rep.flush = rng.IntN(4) == 0
	r.rep.needFlush = rng.IntN(4) == 0
}

func (r *Replica) corruptPM(rng *rand.Rand) {
	for k := range r.pm.vcm {
		r.pm.got[k] = nil
		r.pm.vcm[k] = VCM{Status: VStatus(1 + rng.IntN(3)), Prim: r.randView(rng), NeedChange: rng.IntN(2) == 0, NeedChgSet: randSet(rng, r.n)}
	}
	r.pm.cm.valid = false // every record was written
}

func (r *Replica) corruptFD(rng *rand.Rand) {
	fd := &r.fd
	beats := make([]int, r.n)
	for k := range beats {
		beats[k] = rng.IntN(2*r.p.BeatThreshold + 1)
		fd.primSusp[k] = rng.IntN(2) == 0
	}
	fd.setBeats(beats)
	fd.cnt = rng.IntN(2*r.p.CntThreshold + 1)
	// fd_set is derived from beat at every token (failureDetector); the
	// draw keeps the corruption's random stream as it was.
	randSet(rng, r.n)
	fd.prim = r.randView(rng)
	fd.curCheckReq = nil
	for range rng.IntN(4) {
		fd.curCheckReq = append(fd.curCheckReq, r.randClientReq(rng))
	}
	e := &r.efd
	e.token = rng.Uint32N(r.p.LinkCap)
	for k := range e.counters {
		e.counters[k] = rng.IntN(2 * r.p.EFDK)
	}
	e.recount()
	e.lastCorrect = randSet(rng, r.n)
	e.round = rng.Uint64N(8)
}

var _ protocols.MessageForger = (*Replica)(nil)

// ArbitraryMessage implements protocols.MessageForger: a message of the
// given kind ("" for any but replies) with arbitrary type-correct fields,
// as sent by this replica.
func (r *Replica) ArbitraryMessage(rng *rand.Rand, kind string) sim.Message {
	if kind == "" {
		kinds := []string{KindVE, KindREP, KindPM, KindFDToken, KindFDAck, KindEFDToken}
		kind = kinds[rng.IntN(len(kinds))]
	}
	switch kind {
	case KindVE:
		return &VEMsg{Own: r.randVEData(rng), About: r.randVEData(rng)}
	case KindREP:
		s := r.randStructure(rng)
		return &REPMsg{Rep: &s, N: r.n}
	case KindPM:
		return &PMMsg{VCM: VCM{Status: VStatus(1 + rng.IntN(3)), Prim: r.randView(rng), NeedChange: rng.IntN(2) == 0, NeedChgSet: randSet(rng, r.n)}, N: r.n}
	case KindFDToken:
		return &FDToken{Counter: rng.Uint32N(r.p.LinkCap), PrimSusp: rng.IntN(2) == 0}
	case KindFDAck:
		return &FDAck{Counter: rng.Uint32N(r.p.LinkCap)}
	case KindEFDToken:
		return &EFDToken{Owner: int32(rng.IntN(r.n)), Token: rng.Uint32N(r.p.LinkCap)}
	}
	return nil
}
