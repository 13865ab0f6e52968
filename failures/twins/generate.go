package twins

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"sort"

	"github.com/byzsim/byzsim/sim"
)

// Leader modes.
const (
	// LeadersTwins lets only twinned replicas lead generated rounds.
	LeadersTwins = "twins"
	// LeadersAny lets any replica lead generated rounds.
	LeadersAny = "any"
)

// Params are the generator's parameters.
type Params struct {
	N, F, T int // replicas, faults tolerated, twinned replicas (0 … T−1)
	// Partitions is P: every generated round splits the n+t processes into
	// exactly P non-empty buckets.
	Partitions int
	// Rounds is R, the generated rounds (before GST).
	Rounds int
	// Leaders is LeadersTwins or LeadersAny.
	Leaders string
	// Drops is the largest number of intra-bucket drops per round; every
	// drop set of 0 … Drops drops is a separate round configuration.
	Drops int
	// QuorumFilter keeps only partitions in which some bucket holds Quorum
	// distinct identities.
	QuorumFilter bool
	// Quorum is the protocol's quorum for n and f
	// (protocols.TwinsSupport.Quorum: two quorums intersect in ≥ f+1
	// replicas); needed by QuorumFilter.
	Quorum int
	// GST is the number of GST rounds appended (one full bucket, correct
	// leaders in turn).
	GST int
}

// MaxConfigs bounds the round configurations of a generator.
const MaxConfigs = 1 << 20

// maxGroup bounds the renamings tried by symmetry reduction.
const maxGroup = 1 << 14

// Validate checks the parameters; the error names the parameter.
func (p *Params) Validate() error {
	h := Header{Format: Format, N: p.N, F: p.F, T: p.T}
	if err := h.Validate(); err != nil {
		return err
	}
	m := p.N + p.T
	switch {
	case p.Partitions < 1 || p.Partitions > m:
		return fmt.Errorf("partitions: must be in [1, n+t = %d], got %d", m, p.Partitions)
	case p.Rounds < 1 || p.Rounds > 64:
		return fmt.Errorf("rounds: must be in [1, 64], got %d", p.Rounds)
	case p.Leaders != LeadersTwins && p.Leaders != LeadersAny:
		return fmt.Errorf("leaders: must be %q or %q, got %q", LeadersTwins, LeadersAny, p.Leaders)
	case p.Leaders == LeadersTwins && p.T == 0:
		return fmt.Errorf("leaders: %q needs t ≥ 1", LeadersTwins)
	case p.Drops < 0 || p.Drops > 4:
		return fmt.Errorf("drops: must be in [0, 4], got %d", p.Drops)
	case p.GST < 0 || p.GST > 64:
		return fmt.Errorf("gst_rounds: must be in [0, 64], got %d", p.GST)
	case p.GST > 0 && p.T == p.N:
		return fmt.Errorf("gst_rounds: GST rounds need a correct leader, but every replica is twinned")
	case m > 16:
		return fmt.Errorf("n + t: the generator enumerates partitions of at most 16 processes, got %d", m)
	case p.QuorumFilter && (p.Quorum < 1 || p.Quorum > p.N):
		return fmt.Errorf("quorum: must be in [1, n = %d] with quorum_filter, got %d", p.N, p.Quorum)
	}
	return nil
}

// config is one round configuration: leader, partition, drop set.
type config struct {
	leader int
	part   []uint64 // buckets ordered by smallest process
	drops  []dropKey
	round  Round // the same, as data
}

// dropKey is a drop in compact form; kind indexes msgTypes.
type dropKey struct{ src, dst, kind uint8 }

func (d dropKey) less(e dropKey) bool {
	if d.src != e.src {
		return d.src < e.src
	}
	if d.dst != e.dst {
		return d.dst < e.dst
	}
	return d.kind < e.kind
}

// renaming is one element of the symmetry group: a permutation of the
// processes that maps twins to twins of the renamed replica.
type renaming struct {
	proc []uint8 // process → process
	id   []int   // identity → identity
}

// Generator enumerates or samples scenarios. It is immutable once built
// and safe for concurrent use.
type Generator struct {
	p       Params
	m       int
	configs []config
	index   map[string]int32
	group   []renaming // group[0] is the identity
	// perm[g*len(configs)+c] is the index of renaming g applied to config
	// c, when the table is small enough to hold; otherwise computed.
	perm []int32
	tail []Round
	// noSymmetry is set when the group is too large to try.
	noSymmetry bool
}

// New builds a generator: its round configurations and symmetry group.
func New(p Params) (*Generator, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	g := &Generator{p: p, m: p.N + p.T, index: make(map[string]int32)}
	var leaders []int
	if p.Leaders == LeadersTwins {
		for i := 0; i < p.T; i++ {
			leaders = append(leaders, i)
		}
	} else {
		for i := 0; i < p.N; i++ {
			leaders = append(leaders, i)
		}
	}
	parts := Partitions(g.m, p.Partitions)
	if p.QuorumFilter {
		kept := parts[:0]
		for _, part := range parts {
			for _, mask := range part {
				if identities(mask, p.N) >= p.Quorum {
					kept = append(kept, part)
					break
				}
			}
		}
		parts = kept
	}
	if len(parts) == 0 {
		return nil, errors.New("partitions: no partition of the processes into this many buckets has a bucket with a quorum (quorum_filter)")
	}
	for _, l := range leaders {
		for _, part := range parts {
			cands := dropCandidates(part)
			err := dropSets(cands, p.Drops, func(ds []dropKey) error {
				if len(g.configs) >= MaxConfigs {
					return fmt.Errorf("drops: more than %d round configurations; lower drops or partitions", MaxConfigs)
				}
				c := config{leader: l, part: part, drops: append([]dropKey(nil), ds...)}
				c.round = c.toRound()
				g.index[c.key()] = int32(len(g.configs))
				g.configs = append(g.configs, c)
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	for k := 0; k < p.GST; k++ {
		g.tail = append(g.tail, fullRound(p.T+k%(p.N-p.T), g.m))
	}
	g.buildGroup()
	return g, nil
}

// dropCandidates lists every possible drop inside the buckets of part.
func dropCandidates(part []uint64) []dropKey {
	var out []dropKey
	for _, mask := range part {
		for _, s := range sortedProcs(mask) {
			for _, d := range sortedProcs(mask) {
				if s == d {
					continue
				}
				for k := range msgTypes {
					out = append(out, dropKey{uint8(s), uint8(d), uint8(k)})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].less(out[j]) })
	return out
}

// dropSets calls fn with every subset of cands of size 0 … k, smaller
// sets first, each size in lexicographic order.
func dropSets(cands []dropKey, k int, fn func([]dropKey) error) error {
	cur := make([]dropKey, 0, k)
	var rec func(start, size int) error
	rec = func(start, size int) error {
		if len(cur) == size {
			return fn(cur)
		}
		for i := start; i < len(cands); i++ {
			cur = append(cur, cands[i])
			if err := rec(i+1, size); err != nil {
				return err
			}
			cur = cur[:len(cur)-1]
		}
		return nil
	}
	for size := 0; size <= k && size <= len(cands); size++ {
		if err := rec(0, size); err != nil {
			return err
		}
	}
	return nil
}

func (c *config) key() string {
	b := make([]byte, 0, 1+8*len(c.part)+3*len(c.drops))
	b = append(b, byte(c.leader))
	for _, m := range c.part {
		for i := 0; i < 8; i++ {
			b = append(b, byte(m>>(8*i)))
		}
	}
	for _, d := range c.drops {
		b = append(b, d.src, d.dst, d.kind)
	}
	return string(b)
}

func (c *config) toRound() Round {
	r := Round{Leader: c.leader, Partition: make([][]int, len(c.part))}
	for i, m := range c.part {
		r.Partition[i] = sortedProcs(m)
	}
	for _, d := range c.drops {
		r.Drops = append(r.Drops, Drop{Src: int(d.src), Dst: int(d.dst), Msg: msgTypes[d.kind]})
	}
	return r
}

// Configs returns the number of round configurations.
func (g *Generator) Configs() int { return len(g.configs) }

// Space returns the number of scenarios before symmetry reduction:
// Configs()^R.
func (g *Generator) Space() *big.Int {
	return new(big.Int).Exp(big.NewInt(int64(len(g.configs))), big.NewInt(int64(g.p.Rounds)), nil)
}

// GroupSize returns the number of renamings symmetry reduction tries (1
// when it is off).
func (g *Generator) GroupSize() int { return len(g.group) }

// buildGroup lists the renamings: permutations of the twinned identities
// × permutations of the correct ones × twin swaps.
func (g *Generator) buildGroup() {
	n, t := g.p.N, g.p.T
	size := factorial(t) * factorial(n-t) << t
	if size <= 0 || size > maxGroup {
		g.noSymmetry = true
		ident := renaming{proc: make([]uint8, g.m), id: make([]int, n)}
		for i := range ident.proc {
			ident.proc[i] = uint8(i)
		}
		for i := range ident.id {
			ident.id[i] = i
		}
		g.group = []renaming{ident}
		return
	}
	for _, pt := range permutations(t) {
		for _, pc := range permutations(n - t) {
			for swap := 0; swap < 1<<t; swap++ {
				id := make([]int, n)
				for i := 0; i < t; i++ {
					id[i] = pt[i]
				}
				for i := t; i < n; i++ {
					id[i] = t + pc[i-t]
				}
				proc := make([]uint8, g.m)
				for p := 0; p < g.m; p++ {
					i, twin := p, false
					if p >= n {
						i, twin = p-n, true
					}
					j := id[i]
					if j < t && swap&(1<<j) != 0 {
						twin = !twin
					}
					if twin {
						proc[p] = uint8(n + j)
					} else {
						proc[p] = uint8(j)
					}
				}
				g.group = append(g.group, renaming{proc: proc, id: id})
			}
		}
	}
	if len(g.group)*len(g.configs) <= 1<<22 {
		perm := make([]int32, len(g.group)*len(g.configs))
		for gi := range g.group {
			for c := range g.configs {
				perm[gi*len(g.configs)+c] = g.apply(gi, c)
			}
		}
		g.perm = perm
	}
}

// apply returns the index of renaming gi applied to config c.
func (g *Generator) apply(gi, c int) int32 {
	if g.perm != nil {
		return g.perm[gi*len(g.configs)+c]
	}
	rn := &g.group[gi]
	src := &g.configs[c]
	out := config{leader: rn.id[src.leader], part: make([]uint64, len(src.part))}
	for i, mask := range src.part {
		var mm uint64
		for mask != 0 {
			p := bits.TrailingZeros64(mask)
			mask &^= 1 << p
			mm |= 1 << rn.proc[p]
		}
		out.part[i] = mm
	}
	sort.Slice(out.part, func(i, j int) bool {
		return bits.TrailingZeros64(out.part[i]) < bits.TrailingZeros64(out.part[j])
	})
	for _, d := range src.drops {
		out.drops = append(out.drops, dropKey{rn.proc[d.src], rn.proc[d.dst], d.kind})
	}
	sort.Slice(out.drops, func(i, j int) bool { return out.drops[i].less(out.drops[j]) })
	idx, ok := g.index[out.key()]
	if !ok {
		panic("twins: renamed configuration not found (the configuration set is not closed under renaming)")
	}
	return idx
}

// canonical reports whether the scenario cs (config indices) is the first
// of its class in enumeration order.
func (g *Generator) canonical(cs []int32) bool {
	for gi := 1; gi < len(g.group); gi++ {
		for _, c := range cs {
			d := g.apply(gi, int(c))
			if d < c {
				return false
			}
			if d > c {
				break
			}
		}
	}
	return true
}

// canonicalForm writes the smallest image of cs under the group into out.
func (g *Generator) canonicalForm(cs, out, tmp []int32) {
	copy(out, cs)
	for gi := 1; gi < len(g.group); gi++ {
		smaller := false
		for i, c := range cs {
			tmp[i] = g.apply(gi, int(c))
			if !smaller && tmp[i] != out[i] {
				if tmp[i] > out[i] {
					break
				}
				smaller = true
			}
		}
		if smaller {
			copy(out, tmp)
		}
	}
}

// Stats reports what a generation did.
type Stats struct {
	// Generated is the number of scenarios emitted.
	Generated int64
	// Removed is the number of scenarios skipped as renamings of one
	// emitted (or skipped) before.
	Removed int64
	// Exhausted is set when the generator ran out of scenarios before the
	// limit.
	Exhausted bool
}

// scenario builds the scenario of config indices cs.
func (g *Generator) scenario(index int64, cs []int32) Scenario {
	rounds := make([]Round, 0, len(cs)+len(g.tail))
	for _, c := range cs {
		rounds = append(rounds, g.configs[c].round)
	}
	rounds = append(rounds, g.tail...)
	return Scenario{Index: index, GST: len(cs), Rounds: rounds}
}

// Enumerate emits scenarios in enumeration order, skipping the first skip
// scenarios that survive symmetry reduction and stopping after limit
// (limit < 0: no limit) or when emit returns false.
func (g *Generator) Enumerate(skip, limit int64, emit func(Scenario) bool) Stats {
	var st Stats
	R := g.p.Rounds
	cs := make([]int32, R)
	var seen int64
	for {
		if limit >= 0 && st.Generated >= limit {
			return st
		}
		if g.canonical(cs) {
			if seen >= skip {
				st.Generated++
				if !emit(g.scenario(seen, cs)) {
					return st
				}
			}
			seen++
		} else {
			st.Removed++
		}
		// Odometer: the last round varies fastest.
		i := R - 1
		for ; i >= 0; i-- {
			cs[i]++
			if int(cs[i]) < len(g.configs) {
				break
			}
			cs[i] = 0
		}
		if i < 0 {
			st.Exhausted = true
			return st
		}
	}
}

// Sample emits scenarios whose every round's configuration is drawn
// independently and uniformly, from a stream derived from seed. A draw
// equivalent under renaming to an earlier draw is removed (and counted);
// the first skip surviving draws are not emitted. It stops after limit
// scenarios (limit < 0 is not allowed), when emit returns false, or when
// 64 draws in a row were removed (the space is exhausted in practice).
func (g *Generator) Sample(seed uint64, skip, limit int64, emit func(Scenario) bool) Stats {
	var st Stats
	R := g.p.Rounds
	rng := sim.Stream(seed, "twins-sample")
	seen := make(map[string]struct{})
	cs, canon, tmp := make([]int32, R), make([]int32, R), make([]int32, R)
	key := make([]byte, 4*R)
	var kept int64
	miss := 0
	for st.Generated < limit {
		for i := range cs {
			cs[i] = int32(rng.IntN(len(g.configs)))
		}
		g.canonicalForm(cs, canon, tmp)
		for i, c := range canon {
			key[4*i], key[4*i+1], key[4*i+2], key[4*i+3] = byte(c), byte(c>>8), byte(c>>16), byte(c>>24)
		}
		if _, dup := seen[string(key)]; dup {
			st.Removed++
			if miss++; miss >= 64 {
				st.Exhausted = true
				return st
			}
			continue
		}
		miss = 0
		seen[string(key)] = struct{}{}
		if kept >= skip {
			st.Generated++
			if !emit(g.scenario(kept, cs)) {
				return st
			}
		}
		kept++
	}
	return st
}

func factorial(k int) int {
	f := 1
	for i := 2; i <= k; i++ {
		f *= i
		if f > maxGroup {
			return maxGroup + 1
		}
	}
	return f
}

// permutations lists the permutations of 0 … k−1 in lexicographic order.
func permutations(k int) [][]int {
	var out [][]int
	cur := make([]int, 0, k)
	used := make([]bool, k)
	var rec func()
	rec = func() {
		if len(cur) == k {
			out = append(out, append([]int(nil), cur...))
			return
		}
		for i := 0; i < k; i++ {
			if !used[i] {
				used[i] = true
				cur = append(cur, i)
				rec()
				cur = cur[:len(cur)-1]
				used[i] = false
			}
		}
	}
	rec()
	return out
}
