package bftlist

import (
	"math"
	"slices"
)

// failureDetector is the beat/cnt failure detector: beat[k] counts tokens
// received since k was last heard; cnt counts the primary's tokens without
// progress on pending requests.
//
// The beat counters are kept lazily, so that a token costs O(1) instead of
// incrementing n counters: tick counts the tokens handled, and beat[k] is
// tick − max(heard[k], base), at most beatCap (the counters saturate), where
// heard[k] is the tick at which k was last heard and base the tick of the
// last reset. fd_set = {j, i} ∪ {k : beat[k] < BEAT_THRESHOLD} is only ever
// asked about the primary right after a token, so it is not stored.
type failureDetector struct {
	r           *Replica
	tick, base  int64
	heard       []int64
	cnt         int
	primSusp    []bool
	curCheckReq []ClientReq
	prim        int64
}

// beatCap is where a beat counter stops counting.
const beatCap = 1 << 30

func newFailureDetector(r *Replica) failureDetector {
	return failureDetector{r: r, heard: make([]int64, r.n), primSusp: make([]bool, r.n), prim: -1}
}

// onToken is "upon token from p_j": j's payload is whether it suspects
// the primary.
func (fd *failureDetector) onToken(j int, susp bool) {
	r := fd.r
	fd.updateBeat(j)
	if p := r.view(r.id); fd.prim != p {
		fd.reset()
		fd.prim = p
	}
	allow := r.pm.allow()
	if allow && r.pm.noViewChange() {
		if fd.prim == int64(j) {
			fd.checkProgress()
		} else if fd.prim == r.view(j) {
			fd.primSusp[j] = susp
		}
		if fd.prim == int64(r.id) {
			fd.cnt = 0
		}
		if !fd.primSusp[r.id] {
			fd.primSusp[r.id] = !fd.inFDSet(fd.prim, j) || fd.cnt > r.p.CntThreshold
		}
	} else if !allow {
		fd.reset()
	}
}

// updateBeat is the token's beat update: beat[j] and beat[i] become 0 and
// every other counter grows by one (up to beatCap).
func (fd *failureDetector) updateBeat(j int) {
	fd.tick++
	fd.heard[j], fd.heard[fd.r.id] = fd.tick, fd.tick
}

// beat is beat[k].
func (fd *failureDetector) beat(k int) int {
	return int(min(fd.tick-max(fd.heard[k], fd.base), beatCap))
}

// inFDSet reports whether p is in fd_set after a token from j.
func (fd *failureDetector) inFDSet(p int64, j int) bool {
	if p < 0 || p >= int64(fd.r.n) {
		return false
	}
	k := int(p)
	return k == j || k == fd.r.id || fd.beat(k) < fd.r.p.BeatThreshold
}

// beats returns beat[k] for every k.
func (fd *failureDetector) beats() []int {
	out := make([]int, len(fd.heard))
	for k := range out {
		out[k] = fd.beat(k)
	}
	return out
}

// setBeats sets beat[k] to vals[k] for the k vals has (a start state or a
// corruption); the others keep their values.
func (fd *failureDetector) setBeats(vals []int) {
	cur := fd.beats()
	copy(cur, vals)
	fd.base = math.MinInt64 / 2
	for k, b := range cur {
		fd.heard[k] = fd.tick - int64(b)
	}
}

// checkProgress resets cnt when the primary served one of the requests
// pending at the last check, and counts up otherwise. A request of the last
// check that is no longer pending is progress only if it was served
// (served): pend_reqs is bounded by σK, so a client with more requests
// outstanding pushes the oldest out, and a request that vanished without
// being served is no work done by the primary (fix 24 in docs/bftlist.md).
//
// A request the primary pre-prepared acceptably for this replica is still
// pending work until n−2f replicas prepare it (unprepared): a PRE_PREP that
// enough other correct replicas cannot take — outside their windows, say,
// because they lag behind an execution they cannot complete — serves
// nothing, and the primary is suspected like one that never numbers (fix
// 27 in docs/bftlist.md).
func (fd *failureDetector) checkProgress() {
	pend := fd.unprepared()
	progress := len(fd.curCheckReq) == 0
	for _, q := range fd.curCheckReq {
		if !slices.Contains(pend, q) && fd.served(q) {
			progress = true
			break
		}
	}
	if progress {
		fd.cnt = 0
		fd.curCheckReq = pend
	} else if fd.cnt < 1<<30 {
		fd.cnt++
	}
}

// unprepared: getPendReqs during a view change; otherwise the known
// pending requests of this replica that n−2f replicas do not hold with PREP
// and COMMIT, whether the primary pre-prepared them or not.
func (fd *failureDetector) unprepared() []ClientReq {
	g := &fd.r.rep
	if reqs, vc := g.getPendReqs(); vc {
		return reqs
	}
	un := g.unassignedReqs(func(ClientReq, int) bool { return false })
	var reqs []ClientReq
	for _, q := range g.knownPendReqs() {
		if slices.Contains(un, q) {
			reqs = append(reqs, q)
		}
	}
	return reqs
}

// served: this replica executed q, or n−2f replicas hold it with PREP and
// COMMIT. An acceptable PRE_PREP alone is not served (fix 27).
func (fd *failureDetector) served(q ClientReq) bool {
	g := &fd.r.rep
	if _, ok := g.executed(q); ok {
		return true
	}
	return slices.ContainsFunc(g.knownReqs(Prep|Commit), func(p ReqPair) bool { return p.Req.Q == q })
}

func (fd *failureDetector) reset() {
	fd.base = fd.tick // every beat counter back to 0
	clear(fd.primSusp)
	fd.cnt = 0
	fd.curCheckReq = nil
}

// suspected: n−2f replicas of my view suspect the primary (≥ n−3f ≥ 2f+1
// of them correct, so f Byzantine cannot depose a correct primary; the n−f
// correct replicas alone can depose a faulty one).
func (fd *failureDetector) suspected() bool {
	r := fd.r
	mine := r.view(r.id)
	c := 0
	for k, s := range fd.primSusp {
		if s && r.view(k) == mine {
			c++
		}
	}
	return c >= r.n-2*r.f
}
