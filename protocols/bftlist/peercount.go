package bftlist

import "slices"

// The request counts of supportedReqs and knownPendReqs in two parts: the
// peers' structures (every structure but own's), counted once for all the
// statuses an iteration asks for, and own's lists, which an iteration
// writes in place between its calls, added at each call. The peers' part
// is counted again only when a peer's structure was replaced (repVer moved)
// or, for supportedReqs, own's r_log changed (it filters the requests
// counted): once per iteration instead of once per call and status.

// countedStatuses are the statuses supportedReqs counts together, in the
// order of their counts in peerCounts.
var countedStatuses = [...]Status{PrePrep, Prep, Prep | Commit}

// numCounted is the number of statuses peerCounts counts at once.
const numCounted = len(countedStatuses)

// statusIndex is st's index in countedStatuses, or −1.
func statusIndex(st Status) int {
	for t, s := range countedStatuses {
		if s == st {
			return t
		}
	}
	return -1
}

// statusMask has bit t set when st ⊇ countedStatuses[t].
func statusMask(st Status) uint8 {
	var m uint8
	for t, s := range countedStatuses {
		if st.has(s) {
			m |= 1 << t
		}
	}
	return m
}

// allCounted is the mask of every counted status (an r_log entry counts
// for each).
const allCounted = uint8(1)<<numCounted - 1

// peerCounts counts, per distinct item and per status, the peers holding
// it, with the position of the item's first counted occurrence: the
// replica's number in the high 32 bits, the occurrence's index among that
// replica's items in the low ones. Sorted by that position, the items
// whose count reaches a threshold are in the order a single counter over
// every structure would have seen them first.
type peerCounts[T comparable] struct {
	items []T
	// index finds an item once there are more than counterScan of them.
	index map[T]int
	// hint is the item after the last one counted (see counter).
	hint int
	// tally[i] is items[i]'s counts.
	tally []tally
	// ownPos and extra are scratch of result: own's first position per
	// item (−1: none), and own's items that no peer holds.
	ownPos []int64
	extra  []T
	cands  []posItem
	// What was counted: g.repVer and own's r_log (first entry, length).
	ver    uint64
	log    *LogEntry
	logLen int
	set    bool
	// gen moves at every count, so that results remembered for one count
	// are not taken for another.
	gen uint64
	// quiet[k] is replica k's structure when it added nothing to the
	// count, for the own r_log counted (nil: it did, or not known): until
	// either changes it adds nothing again and is skipped.
	quiet []*RepStructure
}

// tally is one item's count per status: the replicas counted, the last
// one counted, and the position of the first (−1: none yet).
type tally struct {
	count [numCounted]int32
	last  [numCounted]int32
	first [numCounted]int64
}

// newTally is the tally of an item no replica was counted for.
var newTally = tally{last: [numCounted]int32{-1, -1, -1}, first: [numCounted]int64{-1, -1, -1}}

// posItem is a candidate of result: its first position and its item
// (i ≥ 0: items[i]; else extra[−i−1]).
type posItem struct {
	pos int64
	i   int
}

// position is the position of replica k's occurrence i.
func position(k, i int) int64 { return int64(k)<<32 | int64(i) }

// counted reports whether c holds the count for repVer ver and own r_log
// log.
func (c *peerCounts[T]) counted(ver uint64, log []LogEntry) bool {
	return c.set && c.ver == ver && c.logLen == len(log) && c.log == firstEntry(log)
}

// restart empties c for a count for repVer ver and own r_log log.
func (c *peerCounts[T]) restart(ver uint64, log []LogEntry) {
	clear(c.index)
	c.items, c.tally, c.hint = c.items[:0], c.tally[:0], 0
	c.ver, c.log, c.logLen, c.set = ver, firstEntry(log), len(log), true
	c.gen++
}

// keepQuiet keeps the quiet structures of n replicas for a count with own
// r_log log: it forgets them unless log is the one c counted last.
func (c *peerCounts[T]) keepQuiet(n int, log []LogEntry) {
	if len(c.quiet) != n || c.logLen != len(log) || c.log != firstEntry(log) {
		c.quiet = append(c.quiet[:0], make([]*RepStructure, n)...)
	}
}

// lookup is the index of x among c's items, or −1 (see indexOf).
func (c *peerCounts[T]) lookup(x *T, same func(a, b *T) bool) int {
	return indexOf(c.items, c.index, x, same)
}

// insert appends x, counted by no replica yet, and returns its index.
func (c *peerCounts[T]) insert(x *T) int {
	i := len(c.items)
	c.items = append(c.items, *x)
	c.tally = append(c.tally, newTally)
	c.index = indexAppended(c.index, c.items)
	return i
}

// countAt counts replica k, at position pos, for item i and the statuses
// of mask, once per replica (a replica's items are counted together).
func (c *peerCounts[T]) countAt(i int, mask uint8, k int, pos int64) {
	c.hint = i + 1
	y := &c.tally[i]
	for t := range numCounted {
		if mask&(1<<t) != 0 && y.last[t] != int32(k) {
			if y.count[t] == 0 {
				y.first[t] = pos
			}
			y.last[t] = int32(k)
			y.count[t]++
		}
	}
}

// countReq counts request q of replica k at position pos for mask: the
// item after the last one counted first, then the others, compared with
// sameReq, which inlines here (through lookup's function value it is a
// call per item).
func countReq(c *peerCounts[Req], q *Req, mask uint8, k int, pos int64) {
	i := c.hint
	if i >= len(c.items) || !sameReq(&c.items[i], q) {
		i = -1
		if len(c.items) > counterScan {
			i = c.lookup(q, sameReq)
		} else {
			for j := range c.items {
				if sameReq(&c.items[j], q) {
					i = j
					break
				}
			}
		}
		if i < 0 {
			i = c.insert(q)
		}
	}
	c.countAt(i, mask, k, pos)
}

// countClientReq counts client request q as countReq counts a request.
func countClientReq(c *peerCounts[ClientReq], q *ClientReq, k int, pos int64) {
	i := c.hint
	if i >= len(c.items) || !sameClientReq(&c.items[i], q) {
		i = -1
		if len(c.items) > counterScan {
			i = c.lookup(q, sameClientReq)
		} else {
			for j := range c.items {
				if sameClientReq(&c.items[j], q) {
					i = j
					break
				}
			}
		}
		if i < 0 {
			i = c.insert(q)
		}
	}
	c.countAt(i, 1, k, pos)
}

// result is the items held by at least q replicas for status t, the
// peers counted in c and own, replica ownK, holding the items of own (in
// its order; repeats count once), in the order of their first occurrence.
// The slice is new.
func (c *peerCounts[T]) result(t int, own []T, ownK, q int, same func(a, b *T) bool) []T {
	c.ownPos = slices.Grow(c.ownPos[:0], len(c.items))[:len(c.items)]
	for i := range c.ownPos {
		c.ownPos[i] = -1
	}
	c.extra = c.extra[:0]
	for j := range own {
		x := &own[j]
		if i := c.lookup(x, same); i >= 0 {
			if c.ownPos[i] < 0 {
				c.ownPos[i] = position(ownK, j)
			}
		} else if !slices.ContainsFunc(c.extra, func(y T) bool { return same(&y, x) }) {
			c.extra = append(c.extra, *x)
		}
	}
	c.cands = c.cands[:0]
	for i := range c.items {
		n, pos := int(c.tally[i].count[t]), c.tally[i].first[t]
		if op := c.ownPos[i]; op >= 0 {
			if n == 0 || op < pos {
				pos = op
			}
			n++
		}
		if n >= q && n > 0 {
			c.cands = append(c.cands, posItem{pos, i})
		}
	}
	if q <= 1 {
		for e := range c.extra {
			// An item own alone holds: its position is its first in own.
			x := &c.extra[e]
			j := slices.IndexFunc(own, func(y T) bool { return same(&y, x) })
			c.cands = append(c.cands, posItem{position(ownK, j), -e - 1})
		}
	}
	if len(c.cands) == 0 {
		return nil
	}
	slices.SortFunc(c.cands, func(a, b posItem) int {
		switch {
		case a.pos < b.pos:
			return -1
		case a.pos > b.pos:
			return 1
		}
		return 0
	})
	out := make([]T, len(c.cands))
	for k, p := range c.cands {
		if p.i >= 0 {
			out[k] = c.items[p.i]
		} else {
			out[k] = c.extra[-p.i-1]
		}
	}
	return out
}

// countPeersSupported brings the peers' part of supportedReqs up to date:
// each peer's req_q pairs and r_log entries that own's r_log does not
// hold, for every counted status.
func (g *replication) countPeersSupported() *peerCounts[Req] {
	c := &g.supCount
	ownLog := g.own.RLog
	if c.counted(g.repVer, ownLog) {
		return c
	}
	c.keepQuiet(len(g.rep), ownLog)
	c.restart(g.repVer, ownLog)
	own := newLogIndex(ownLog)
	for k, s := range g.rep {
		if k == g.r.id || c.quiet[k] == s {
			continue
		}
		added := false
		for i := range s.ReqQ {
			if p := &s.ReqQ[i]; !own.has(&p.Req) {
				if mask := statusMask(p.Status); mask != 0 {
					countReq(c, &p.Req, mask, k, position(k, i))
					added = true
				}
			}
		}
		reqs := g.notInOwnLog(k, s.RLog, own)
		for i := range reqs {
			countReq(c, &reqs[i], allCounted, k, position(k, len(s.ReqQ)+i))
			added = true
		}
		if c.quiet[k] = s; added {
			c.quiet[k] = nil
		}
	}
	return c
}

// countPeersPend brings the peers' part of knownPendReqs up to date.
func (g *replication) countPeersPend() *peerCounts[ClientReq] {
	c := &g.pendPeers
	if c.counted(g.repVer, nil) {
		return c
	}
	c.restart(g.repVer, nil)
	for k, s := range g.rep {
		if k == g.r.id {
			continue
		}
		for i := range s.PendReqs {
			countClientReq(c, &s.PendReqs[i], k, position(k, i))
		}
	}
	return c
}

// resultMemo remembers a result of peerCounts for the count it was made
// from (gen) and the content of own's list it read (own is written in
// place).
type resultMemo[T, O comparable] struct {
	gen uint64
	own []O
	out []T
	set bool
}

func (m *resultMemo[T, O]) matches(gen uint64, own []O) bool {
	return m.set && m.gen == gen && slices.Equal(m.own, own)
}

func (m *resultMemo[T, O]) remember(gen uint64, own []O, out []T) {
	m.gen, m.own, m.out, m.set = gen, append(m.own[:0], own...), out, true
}

// indexOf is the index of x among items, or −1: scanned with same up to
// counterScan items, through index (which then holds every item) beyond.
func indexOf[T comparable](items []T, index map[T]int, x *T, same func(a, b *T) bool) int {
	if len(items) > counterScan {
		if i, ok := index[*x]; ok {
			return i
		}
		return -1
	}
	for i := range items {
		if same(&items[i], x) {
			return i
		}
	}
	return -1
}

// indexAppended keeps index, the map indexOf looks items up in beyond
// counterScan of them, up to date after an item was appended to items:
// made with every item once there are more than counterScan, given the
// new one after that. It returns the index.
func indexAppended[T comparable](index map[T]int, items []T) map[T]int {
	switch n := len(items); {
	case n == counterScan+1:
		if index == nil {
			index = make(map[T]int)
		}
		for k, y := range items {
			index[y] = k
		}
	case n > counterScan:
		index[items[n-1]] = n - 1
	}
	return index
}
