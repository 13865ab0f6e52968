package bftlist

import "slices"

// failureDetector is the beat/cnt failure detector: beat[k] counts tokens
// received since k was last heard; cnt counts the primary's tokens without
// progress on pending requests.
type failureDetector struct {
	r           *Replica
	beat        []int
	cnt         int
	primSusp    []bool
	curCheckReq []ClientReq
	fdSet       idset
	prim        int64
}

func newFailureDetector(r *Replica) failureDetector {
	return failureDetector{r: r, beat: make([]int, r.n), primSusp: make([]bool, r.n), prim: -1}
}

// onToken is "upon token from p_j": j's payload is whether it suspects
// the primary.
func (fd *failureDetector) onToken(j int, susp bool) {
	r := fd.r
	fd.updateBeat(j)
	if p := r.pm.view(r.id); fd.prim != p {
		fd.reset()
		fd.prim = p
	}
	allow := r.pm.allow()
	if allow && r.pm.noViewChange() {
		if fd.prim == int64(j) {
			fd.checkProgress()
		} else if fd.prim == r.pm.view(j) {
			fd.primSusp[j] = susp
		}
		if fd.prim == int64(r.id) {
			fd.cnt = 0
		}
		if !fd.primSusp[r.id] {
			fd.primSusp[r.id] = !fd.fdSet.has(int(fd.prim)) || fd.cnt > r.p.CntThreshold
		}
	} else if !allow {
		fd.reset()
	}
}

func (fd *failureDetector) updateBeat(j int) {
	id := fd.r.id
	fd.beat[j], fd.beat[id] = 0, 0
	s := idset{}.add(j).add(id)
	for k := range fd.beat {
		if k == id || k == j {
			continue
		}
		if fd.beat[k] < 1<<30 {
			fd.beat[k]++
		}
		if fd.beat[k] < fd.r.p.BeatThreshold {
			s.put(k)
		}
	}
	fd.fdSet = s
}

// checkProgress resets cnt when the primary served one of the requests
// pending at the last check, and counts up otherwise. A request of the last
// check that is no longer pending is progress only if it was served
// (served): pend_reqs is bounded by σK, so a client with more requests
// outstanding pushes the oldest out, and a request that vanished without
// being served is no work done by the primary (fix 24 in docs/bftlist.md).
func (fd *failureDetector) checkProgress() {
	pend, _ := fd.r.rep.getPendReqs()
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

// served: this replica executed q, or q is assigned in the sense of
// getPendReqs — the primary's PRE_PREP for it is acceptable, or n−2f
// replicas hold it with PREP and COMMIT.
func (fd *failureDetector) served(q ClientReq) bool {
	g := &fd.r.rep
	if _, ok := g.executed(q); ok {
		return true
	}
	if g.acceptablePreprep(q, int(g.own.Prim)) {
		return true
	}
	return slices.ContainsFunc(g.knownReqs(Prep|Commit), func(p ReqPair) bool { return p.Req.Q == q })
}

func (fd *failureDetector) reset() {
	clear(fd.beat)
	clear(fd.primSusp)
	fd.cnt = 0
	fd.curCheckReq = nil
}

// suspected: n−2f replicas of my view suspect the primary (≥ n−3f ≥ 2f+1
// of them correct, so f Byzantine cannot depose a correct primary; the n−f
// correct replicas alone can depose a faulty one).
func (fd *failureDetector) suspected() bool {
	r := fd.r
	mine := r.pm.view(r.id)
	c := 0
	for k, s := range fd.primSusp {
		if s && r.pm.view(k) == mine {
			c++
		}
	}
	return c >= r.n-2*r.f
}
