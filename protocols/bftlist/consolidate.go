package bftlist

import (
	"slices"

	"github.com/byzsim/byzsim/protocols"
)

// Prefix consolidation. The reference's com_pref_states enumerates every
// subset of m = n−2f (or n−3f) replicas, keeps those whose states are
// pairwise prefixes of each other, and returns the first subset, in
// lexicographic order, whose common prefix is longest. prefixChain computes
// the same subset in O(n³) prefix tests instead of C(n, m)·m² (proved equal
// on random cases by a property test against the brute force).
//
// Why it is equal. Say a ≼ b when both structures are "default prefix"
// (empty state, log and queues), or neither is and a's state is a prefix of
// b's. A subset qualifies when its members are pairwise comparable (≼ is
// total on it): a chain. Every chain lies below its longest member t, and
// conversely every subset of {u : u ≼ t} is a chain, since two prefixes of
// one list are prefixes of each other. The common prefix of a chain is its
// shortest member's state. Hence
//
//	L* = max{|s| : some t has |{u : s ≼ u ≼ t, |u| ≥ |s|}| ≥ m}
//
// is the best common-prefix length, and a chain of size m with common
// prefix L* is exactly an m-subset of {u : u ≼ t, |u| ≥ L*} for some t. The
// lexicographically first such subset is built greedily: take the smallest
// next id that keeps some t able to complete the subset.

// consState is a consolidated state: a state list, the executed-request log
// that ends in it, and whether it came from default-prefix structures.
type consState struct {
	state []int64
	rlog  []LogEntry
	isDef bool
}

// below reports a ≼ b.
func below(a, b *RepStructure) bool {
	da, db := a.isDefPrefix(), b.isDefPrefix()
	if da || db {
		return da && db
	}
	return isPrefix(a.State, b.State)
}

// compatible reports a ≼ b or b ≼ a (the reference's are_prefixes).
func compatible(a, b *RepStructure) bool { return below(a, b) || below(b, a) }

// classes groups the structures by class: whether a structure is below
// another depends only on its class (whether it is default prefix, and its
// state). It returns each structure's class and a representative of each
// class, in order of first appearance. Correct replicas mostly share a few
// classes, so ≼ is computed once per pair of classes.
//
// ids, when not nil, numbers the states (stateIDs.of): equal numbers stand
// for equal lists, which saves comparing them element by element.
func classes(rep []*RepStructure, ids []int) (cls []int, reps []int) {
	return classesInto(rep, ids, make([]int, len(rep)), nil)
}

// classesInto is classes with cls (of len(rep)) and reps' array reused.
func classesInto(rep []*RepStructure, ids, cls, reps []int) ([]int, []int) {
	reps = reps[:0]
	same := func(a, b int) bool {
		if ids != nil {
			return ids[a] == ids[b]
		}
		return sameList(rep[a].State, rep[b].State)
	}
	for a, s := range rep {
		cls[a] = -1
		for c, r := range reps {
			if t := rep[r]; s.isDefPrefix() == t.isDefPrefix() && same(a, r) {
				cls[a] = c
				break
			}
		}
		if cls[a] < 0 {
			cls[a] = len(reps)
			reps = append(reps, a)
		}
	}
	return cls, reps
}

// stateIDs numbers the states of the n structures so that two get the
// same number exactly when they hold the same elements: a state's number is
// a node of the trie of every state numbered so far (0, its root, is the
// empty state), reached from its prefix's number by its last element. A
// state is never written in place below its length (see RepStructure), so
// a structure whose state has the same first element and length as when it
// was numbered keeps its number, and one whose state grew in the same
// array is numbered from its old number by the elements it gained (after
// an execution, one); only a state in another array is numbered from the
// root. It also keeps the structures' default-prefix flags, and gen moves
// whenever a number or a flag changes: what prefixChainOf reads.
type stateIDs struct {
	recs  []stateRec
	id    []int // per replica: its state's number
	child map[trieEdge]int
	// last[p] is the edge from number p taken last: the states mostly
	// form one chain, so it saves most look-ups in child.
	last []trieLast
	next int
	gen  uint64
	// own is the replica whose structure is written in place (−1: none).
	// Every other structure is replaced, never written, so one that is
	// the same structure as when it was last read is skipped.
	own int
}

// trieLast is an edge from a number: by element x to number c (0: none).
type trieLast struct {
	x int64
	c int
}

// trieEdge leads from the number of a list to the number of the list with
// x appended.
type trieEdge struct {
	parent int
	x      int64
}

// stateRec is what stateIDs remembers of one replica's structure.
type stateRec struct {
	ptr   *RepStructure // the structure last read (not own's)
	first *int64        // first element of the state numbered
	size  int           // its length
	cur   bool          // whether the entry matches the replica's state
	def   bool          // whether the structure is default prefix
}

func newStateIDs(n, own int) stateIDs {
	return stateIDs{recs: make([]stateRec, n), id: make([]int, n), child: make(map[trieEdge]int), next: 1, own: own}
}

// of returns the number of each structure's state; the slice is reused by
// the next call.
func (m *stateIDs) of(rep []*RepStructure) []int {
	stale, changed := false, false
	for k, s := range rep {
		r := &m.recs[k]
		if s == r.ptr && k != m.own {
			continue // the same structure: its state and flag as numbered
		}
		r.ptr = s
		st := s.State
		if d := s.isDefPrefix(); d != r.def {
			r.def, changed = d, true
		}
		switch {
		case len(st) == 0:
			changed = changed || m.id[k] != 0
			r.first, r.size, r.cur, m.id[k] = nil, 0, true, 0
		default:
			r.cur = r.first == &st[0] && r.size == len(st)
			stale = stale || !r.cur
		}
	}
	if stale {
		if m.next > trieBound(rep) {
			m.restart()
		}
		changed = m.renumber(rep) || changed
	}
	if changed {
		m.gen++
	}
	return m.id
}

// trieBound is the most numbers the trie keeps for the states of rep:
// twice their total length, and some room. States the replicas no longer
// hold (a corrupted structure, one replaced by another replica's) leave
// their numbers behind; past the bound the trie starts again, so it stays
// proportional to the states held, and starting again costs one walk of
// each state per (bound − held) numbers made.
func trieBound(rep []*RepStructure) int {
	total := 64
	for _, s := range rep {
		total += len(s.State)
	}
	return 2 * total
}

// restart empties the trie and marks every state to be numbered again from
// the root (the empty state keeps 0); numbers are only ever compared with
// each other, so a new numbering serves as well as the old.
func (m *stateIDs) restart() {
	clear(m.child)
	m.last = m.last[:0]
	m.next = 1
	for k := range m.recs {
		if r := &m.recs[k]; r.first != nil {
			r.first, r.size, r.cur = nil, 0, false
		}
	}
}

// renumber numbers the states that changed and reports whether a number
// did.
func (m *stateIDs) renumber(rep []*RepStructure) bool {
	changed := false
	for k, s := range rep {
		r := &m.recs[k]
		if r.cur {
			continue
		}
		st := s.State
		old := m.id[k]
		id, from := 0, 0
		if r.first == &st[0] && r.size < len(st) {
			id, from = old, r.size // grown in place: st[:r.size] is unchanged
		}
		m.id[k] = m.walk(id, st[from:])
		r.first, r.size, r.cur = &st[0], len(st), true
		changed = changed || m.id[k] != old
	}
	return changed
}

// walk returns the number of the list numbered id with xs appended.
func (m *stateIDs) walk(id int, xs []int64) int {
	for _, x := range xs {
		if id < len(m.last) && m.last[id].c != 0 && m.last[id].x == x {
			id = m.last[id].c
			continue
		}
		e := trieEdge{id, x}
		c, ok := m.child[e]
		if !ok {
			c = m.next
			m.next++
			m.child[e] = c
		}
		if id >= len(m.last) {
			m.last = append(m.last, make([]trieLast, id+1-len(m.last))...)
		}
		m.last[id] = trieLast{x, c}
		id = c
	}
	return id
}

// sameList reports whether a and b hold the same elements.
func sameList(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return isPrefix(a, b)
}

// prefixChain returns the lexicographically first set of m replicas whose
// structures are pairwise prefixes and whose common prefix is longest, or
// nil if there is none. It works on classes of equal structures (c of
// them): O(c³ + n·c²) after grouping, instead of O(n³).
func prefixChain(rep []*RepStructure, m int) []int { return prefixChainOf(rep, m, nil) }

// prefixChainOf is prefixChain with the states numbered by ids (nil: not
// numbered).
func prefixChainOf(rep []*RepStructure, m int, ids []int) []int {
	var sc chainScratch
	return sc.prefixChain(rep, m, ids, nil)
}

// chainScratch holds prefixChain's working arrays from one call to the
// next.
type chainScratch struct {
	cls, reps, size, count, cand []int
	le                           []bool
}

// grown returns s's array resized to l elements, all zero.
func grown[T any](s []T, l int) []T {
	s = slices.Grow(s[:0], l)[:l]
	clear(s)
	return s
}

// prefixChain is prefixChainOf with sc's arrays, appending the chosen
// replicas to chosen[:0].
//
// The sets of size m with common prefix L* are the m-subsets of
// E(t) = {u : u ≼ t, |u| ≥ L*} for the t with |t| ≥ L* (above). The
// lexicographically first m-subset of one E(t) is its m smallest ids, and
// the first over all of them is the smallest of those lists: the first
// m eligible ids, taken for each class t with m eligible members, and
// compared.
func (sc *chainScratch) prefixChain(rep []*RepStructure, m int, ids []int, chosen []int) []int {
	n := len(rep)
	if m <= 0 || m > n {
		return nil
	}
	sc.cls, sc.reps = classesInto(rep, ids, grown(sc.cls, n), sc.reps)
	cls, reps := sc.cls, sc.reps
	nc := len(reps)
	sc.le, sc.size, sc.count = grown(sc.le, nc*nc), grown(sc.size, nc), grown(sc.count, nc)
	le := sc.le       // le[c*nc+d]: class c ≼ class d
	size := sc.size   // state length of each class
	count := sc.count // members of each class
	for c, a := range reps {
		size[c] = len(rep[a].State)
		for d, b := range reps {
			le[c*nc+d] = below(rep[a], rep[b])
		}
	}
	for _, c := range cls {
		count[c]++
	}
	best := -1
	for s := 0; s < nc; s++ {
		if size[s] <= best {
			continue
		}
		for t := 0; t < nc; t++ {
			if !le[s*nc+t] {
				continue
			}
			c := 0
			for u := 0; u < nc; u++ {
				if le[s*nc+u] && le[u*nc+t] && size[u] >= size[s] {
					c += count[u]
				}
			}
			if c >= m {
				best = size[s]
				break
			}
		}
	}
	if best < 0 {
		return nil
	}
	chosen = slices.Grow(chosen[:0], m)
	sc.cand = slices.Grow(sc.cand[:0], m)
	for t := 0; t < nc; t++ {
		if size[t] < best {
			continue
		}
		c := 0
		for u := 0; u < nc; u++ {
			if le[u*nc+t] && size[u] >= best {
				c += count[u]
			}
		}
		if c < m {
			continue
		}
		cand := sc.cand[:0]
		for p := 0; len(cand) < m; p++ {
			if u := cls[p]; le[u*nc+t] && size[u] >= best {
				cand = append(cand, p)
			}
		}
		if len(chosen) == 0 || slices.Compare(cand, chosen) < 0 {
			chosen = append(chosen[:0], cand...)
		}
		sc.cand = cand
	}
	return chosen
}

// consolidate is find_cons_state(com_pref_states(m)): the common prefix of
// the chosen replicas and the log that ends in it.
func (g *replication) consolidate(m int) (consState, bool) {
	ids := g.states.of(g.rep)
	return consolidateMembers(g.rep, g.chain(m, ids))
}

// chainMemo is prefixChainOf's result for one m and the generation of the
// states' numbers and default-prefix flags (stateIDs.gen) it was computed
// from. The result depends on nothing else: a number stands for one list
// for ever, so the classes, ≼ between them and their lengths are the same
// whenever numbers and flags are; they change at an execution, not at
// every message.
type chainMemo struct {
	m      int
	gen    uint64
	chosen []int
	set    bool
}

// chain is prefixChainOf(g.rep, m, ids), ids being g.states.of(g.rep),
// remembered per m (consolidation asks for n−2f and n−3f).
func (g *replication) chain(m int, ids []int) []int {
	for i := range g.chains {
		if c := &g.chains[i]; c.set && c.m == m && c.gen == g.states.gen {
			return c.chosen
		}
	}
	// Replace the memo of the same m, else the older one.
	c := &g.chains[g.chainNext]
	for i := range g.chains {
		if g.chains[i].set && g.chains[i].m == m {
			c = &g.chains[i]
		}
	}
	if c == &g.chains[g.chainNext] {
		g.chainNext = (g.chainNext + 1) % len(g.chains)
	}
	// The memo's array is reused: consolidateMembers reads the chosen
	// replicas at once and keeps none.
	c.chosen = g.chainWork.prefixChain(g.rep, m, ids, c.chosen)
	c.m, c.gen, c.set = m, g.states.gen, true
	return c.chosen
}

func consolidateFrom(rep []*RepStructure, m int) (consState, bool) {
	return consolidateOf(rep, m, nil)
}

// consolidateOf is consolidateFrom with the states numbered by ids (nil:
// not numbered).
func consolidateOf(rep []*RepStructure, m int, ids []int) (consState, bool) {
	return consolidateMembers(rep, prefixChainOf(rep, m, ids))
}

// consolidateMembers is the consolidated state of the replicas members
// chosen by prefixChainOf.
func consolidateMembers(rep []*RepStructure, members []int) (consState, bool) {
	if len(members) == 0 {
		return consState{}, false
	}
	shortest := members[0]
	isDef := false
	for _, k := range members {
		if len(rep[k].State) < len(rep[shortest].State) {
			shortest = k
		}
		if rep[k].isDefPrefix() {
			isDef = true
		}
	}
	prefix := rep[shortest].State
	for _, k := range members {
		if log, ok := logUpTo(rep[k].RLog, rep[k].State, len(prefix)); ok {
			if len(log) == 0 && len(prefix) > 0 {
				continue
			}
			return consState{state: prefix, rlog: log, isDef: isDef}, true
		}
	}
	if len(prefix) == 0 {
		return consState{state: prefix, isDef: isDef}, true
	}
	return consState{}, false
}

// logUpTo returns the prefix of log executed up to the state's first l
// elements: log's APPEND values must be the tail of state; entries after
// the one producing element l−1 are cut before the next APPEND. The
// reference searched for the first replay matching the state's tail, which
// a leading NO_OP or a repeated value fools.
func logUpTo(log []LogEntry, state []int64, l int) ([]LogEntry, bool) {
	if !logMatchesTail(log, state) {
		return nil, false
	}
	appends := 0
	for i := range log {
		if q := &log[i].Req.Q; q.Op == protocols.OpAppend && !q.isDummy() {
			appends++
		}
	}
	pos := len(state) - appends // state index the next APPEND of log writes
	if l < pos {
		return nil, false
	}
	for i := range log {
		if q := &log[i].Req.Q; q.Op == protocols.OpAppend && !q.isDummy() {
			if pos == l {
				return log[:i], true
			}
			pos++
		}
	}
	return log, true
}

// dsState is get_ds_state: a prefix of n−3f replicas accepted when the
// others of n−f are in the default state.
func (g *replication) dsState() (consState, bool) {
	x, ok := g.consolidate(g.q3())
	if !ok {
		return consState{}, false
	}
	def, pre := 0, 0
	for _, s := range g.rep {
		if len(s.State) == 0 {
			def++
			continue
		}
		if checkNewXPrefix(s, x) {
			pre++
		}
	}
	if g.q3() <= pre && pre < g.q2() && pre+def >= g.q1() {
		return x, true
	}
	return consState{}, false
}

// checkNewXPrefix: s is compatible with the consolidated state x.
func checkNewXPrefix(s *RepStructure, x consState) bool {
	if s.isDefPrefix() {
		return x.isDef
	}
	if x.isDef {
		return false
	}
	return prefixes(s.State, x.state)
}
