package bftlist

import "math/bits"

// primMon is the primary-monitoring module: it turns the failure detector's
// suspicions into NO_SERVICE and, with enough support, V_CHANGE and a call
// to view establishment's viewChange.
type primMon struct {
	r   *Replica
	vcm []VCM
	// got[j] is the message from j whose record vcm[j] holds: a repeat is
	// not copied again (nil: none, or vcm[j] was written since).
	got []*PMMsg
	// words is wordsFor(n): every need-change set in vcm has its members below n (received
	// sets are masked with all, the others built from ids below n), so only words can be ≠ 0.
	words int
	cm    candMemo // the last candidates, while the records they were gathered from hold
	all   idset    // full(n), the mask of a received need-change set
	sent  *PMMsg   // the last gossiped, sent again while vcm[id] is unchanged
}

func newPrimMon(r *Replica) primMon {
	pm := primMon{r: r, vcm: make([]VCM, r.n), got: make([]*PMMsg, r.n), all: full(r.n), words: wordsFor(r.n)}
	for i := range pm.vcm {
		pm.vcm[i] = VCM{Status: OK, Prim: -1}
	}
	return pm
}

func (pm *primMon) allow() bool { return pm.r.allow() }

// iterate is one loop iteration.
func (pm *primMon) iterate() {
	r := pm.r
	id := r.id
	me := &pm.vcm[id]
	if me.Prim != pm.r.view(id) {
		pm.clean()
	}
	me.Prim = pm.r.view(id)
	me.NeedChange = r.fd.suspected()
	if !pm.allow() {
		return
	}
	switch {
	case me.Prim == pm.r.view(id) && me.Status != VChange:
		pm.updateNeedChgSet()
		// Back to OK when fewer than n−3f report trouble: n−3f reports
		// hold n−4f ≥ f+1 correct ones, so f Byzantine cannot hold me in
		// NO_SERVICE.
		if pm.inTrouble() < r.n-3*r.f {
			me.Status = OK
		}
		// NO_SERVICE on n−2f support (≥ n−3f ≥ 2f+1 correct), V_CHANGE
		// on n−f (the correct replicas alone reach it).
		if c := pm.memoCandidates(); me.Status == OK && c.supChange(r.n-2*r.f) {
			me.Status = NoService
		} else if c.supChange(r.n - r.f) {
			me.Status = VChange
			if r.p.SelfStabilizing {
				r.ve.viewChange()
			}
		}
	case me.Prim == pm.r.view(id) && me.Status == VChange:
		if r.p.SelfStabilizing {
			r.ve.viewChange()
		}
	default:
		pm.clean()
	}
}

// inTrouble counts replicas reporting NO_SERVICE or V_CHANGE together with
// a need to change the primary. A status of trouble is set on need-change
// support (supChange); reported without any need to change it is a stale
// value, and counting it would let corrupted statuses sustain one another
// for ever: with n−3f replicas in NO_SERVICE none returns to OK,
// replication stops, the failure detector stops counting, so nobody
// comes to need a change either.
func (pm *primMon) inTrouble() int {
	c := 0
	for k := range pm.vcm {
		if v := &pm.vcm[k]; (v.Status == NoService || v.Status == VChange) && v.NeedChange {
			c++
		}
	}
	return c
}

func (pm *primMon) updateNeedChgSet() {
	var s idset
	id := pm.r.id
	mine := pm.r.view(id)
	for k := range pm.vcm {
		if pm.vcm[k].NeedChange && (k == id || pm.r.view(k) == mine) {
			s.put(k)
		}
	}
	pm.vcm[pm.r.id].NeedChgSet = s
}

func (pm *primMon) cleanState() {
	for k := range pm.vcm {
		pm.vcm[k], pm.got[k] = VCM{Status: OK, Prim: pm.r.view(k)}, nil
	}
}

// needCandidates are the replicas with my primary, their number and the
// total size of their need-change sets: what supChange reads of the
// records, gathered once for both of an iteration's thresholds (the
// records do not change between the two questions).
type needCandidates struct {
	pm             *primMon
	same           idset
	members, total int
}

func (pm *primMon) candidates() needCandidates {
	c := needCandidates{pm: pm}
	mine := pm.vcm[pm.r.id].Prim
	for k := range pm.vcm {
		if v := &pm.vcm[k]; v.Prim == mine {
			c.same.put(k)
			c.members++
			c.total += v.NeedChgSet.lenIn(pm.words)
		}
	}
	return c
}

// supChange: some x replicas with my primary have need-change sets whose
// intersection holds n−2f replicas, on the records the candidates were
// gathered from. (The reference discarded the result of its intersection
// and so tested only one set.)
func (c *needCandidates) supChange(x int) bool {
	// Intersection of n−2f: it holds ≥ n−3f ≥ 2f+1 correct replicas.
	t := c.pm.r.n - 2*c.pm.r.f
	if c.members < x || x <= 0 || (t > 0 && c.total < x*t) {
		return false // as supportedChange decides, without its second pass
	}
	return supportedChange(c.pm.vcm, c.same, x, t)
}

// supportedChange reports whether some x members of cand have need-change
// sets intersecting in at least t replicas. Since intersecting more sets
// only shrinks the result, it suffices to try the subsets of exactly x
// members; there are C(|cand|, |cand|−x) ≤ C(n, 2f) of them for the
// thresholds used (x ≥ n−2f), polynomial in n for fixed f. Beyond a budget
// a greedy search stands in (drop the member whose removal grows the
// intersection most).
func supportedChange(vcm []VCM, cand idset, x, t int) bool {
	if cand.len() < x || x <= 0 {
		return false
	}
	if t > 0 && needBits(vcm, cand) < x*t {
		// t replicas in x sets each are x·t members of the sets: the
		// usual answer, when (nearly) nobody wants a change.
		return false
	}
	members := cand.ids()
	if !enoughCommon(vcm, members, x, t) {
		return false
	}
	drop := len(members) - x
	if binom(len(members), drop) > 20000 {
		return greedyChange(vcm, members, x, t)
	}
	// Enumerate the dropped members as combinations of indices.
	idx := make([]int, drop)
	for i := range idx {
		idx[i] = i
	}
	for {
		inter := full(maxReplicas)
		d := 0
		for i, k := range members {
			if d < drop && idx[d] == i {
				d++
				continue
			}
			inter = inter.and(vcm[k].NeedChgSet)
		}
		if inter.len() >= t {
			return true
		}
		// next combination
		i := drop - 1
		for i >= 0 && idx[i] == len(members)-drop+i {
			i--
		}
		if i < 0 {
			return false
		}
		idx[i]++
		for j := i + 1; j < drop; j++ {
			idx[j] = idx[j-1] + 1
		}
	}
}

// needBits is the total size of the need-change sets of cand's members.
func needBits(vcm []VCM, cand idset) int {
	c := 0
	for w, word := range cand {
		for b := word; b != 0; b &= b - 1 {
			if k := w<<6 | bits.TrailingZeros64(b); k < len(vcm) {
				c += setSize(&vcm[k].NeedChgSet)
			}
		}
	}
	return c
}

// setSize is s.len() read through a pointer, skipping empty words: the
// need-change sets are 1,024-bit arrays and mostly empty.
func setSize(s *idset) int {
	c := 0
	for _, w := range s {
		if w != 0 {
			c += bits.OnesCount64(w)
		}
	}
	return c
}

// enoughCommon reports whether at least t replicas lie in x or more of the
// members' need-change sets: a necessary condition for x of the sets to
// intersect in t replicas, checked in O(n) set operations before the
// search (it usually fails at once when nobody wants a change).
func enoughCommon(vcm []VCM, members []int, x, t int) bool {
	if t <= 0 {
		return true
	}
	var count [maxReplicas]uint16
	for _, k := range members {
		for w, word := range vcm[k].NeedChgSet {
			for b := word; b != 0; b &= b - 1 {
				count[w<<6|bits.TrailingZeros64(b)]++
			}
		}
	}
	c := 0
	for _, m := range count {
		if int(m) >= x {
			c++
		}
	}
	return c >= t
}

// greedyChange starts from all members and repeatedly drops the member
// whose removal grows the intersection most (the first on ties) until the
// intersection holds t replicas or only x members are left. The
// intersection without member i is pre[i] ∩ suf[i+1], so a step costs O(n)
// set operations.
func greedyChange(vcm []VCM, members []int, x, t int) bool {
	set := append([]int(nil), members...)
	pre := make([]idset, len(set)+1) // pre[i]: intersection of set[:i]
	suf := make([]idset, len(set)+1) // suf[i]: intersection of set[i:]
	for {
		m := len(set)
		pre[0] = full(maxReplicas)
		for i, k := range set {
			pre[i+1] = pre[i].and(vcm[k].NeedChgSet)
		}
		if pre[m].len() >= t {
			return true
		}
		if m <= x {
			return false
		}
		suf[m] = full(maxReplicas)
		for i := m - 1; i >= 0; i-- {
			suf[i] = suf[i+1].and(vcm[set[i]].NeedChgSet)
		}
		best, bestLen := 0, -1
		for i := range set {
			if l := pre[i].and(suf[i+1]).len(); l > bestLen {
				best, bestLen = i, l
			}
		}
		set = append(set[:best], set[best+1:]...)
	}
}

func binom(n, k int) int {
	if k < 0 || k > n {
		return 0
	}
	k = min(k, n-k)
	c := 1
	for i := 1; i <= k; i++ {
		hi, lo := bits.Mul64(uint64(c), uint64(n-k+i))
		if hi != 0 || lo > binomCap {
			return binomCap
		}
		c = int(lo) / i
	}
	return c
}

// noViewChange is the module's interface to replication.
func (pm *primMon) noViewChange() bool { return pm.vcm[pm.r.id].Status == OK }

func (pm *primMon) gossip() {
	r := pm.r
	m := pm.sent
	if m == nil || m.VCM != pm.vcm[r.id] || m.N != r.n {
		m = &PMMsg{VCM: pm.vcm[r.id], N: r.n}
		pm.sent = m
	}
	r.sendOthers(m, m)
}

func (pm *primMon) receive(j int, m *PMMsg) {
	if m == pm.got[j] {
		return // vcm[j] holds it (messages never change once sent)
	}
	pm.got[j] = m
	d, v := &pm.vcm[j], &m.VCM
	d.Status, d.Prim, d.NeedChange = v.Status, v.Prim, v.NeedChange
	// The words from pm.words on are those of ids ≥ n: masked out, they
	// stay zero in d.
	for i := range pm.words {
		d.NeedChgSet[i] = v.NeedChgSet[i] & pm.all[i]
	}
}

// binomCap is where binom stops counting: 2^40, or the largest int where an
// int has 32 bits. Callers compare its answer with bounds far below either.
const binomCap = min(1<<40, 1<<(intBits-1)-1)

// intBits is the size of an int in bits (strconv.IntSize).
const intBits = 32 << (^uint(0) >> 63)
