package bftlist

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestIdsetAcrossWords(t *testing.T) {
	for _, n := range []int{1, 63, 64, 65, 128, 1000, maxReplicas} {
		all := full(n)
		if got := all.len(); got != n {
			t.Errorf("n = %d: full(n).len() = %d", n, got)
		}
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		if got := all.ids(); !slices.Equal(got, want) {
			t.Errorf("n = %d: full(n).ids() = %v", n, got)
		}
		if !all.has(n-1) || all.has(n) || all.has(-1) || all.has(0) != (n > 0) {
			t.Errorf("n = %d: full(n) membership wrong at the edges", n)
		}
		if got := setBytes(n); got != (n+7)/8 || got*8 < n {
			t.Errorf("n = %d: setBytes = %d", n, got)
		}
		// A set of the word-boundary ids below n.
		var edges []int
		for _, i := range []int{0, 62, 63, 64, 65, 127, 128, 511, 512, 998, 999, 1023} {
			if i < n {
				edges = append(edges, i)
			}
		}
		s := setOf(edges...)
		if got := s.ids(); !slices.Equal(got, edges) {
			t.Errorf("n = %d: setOf(%v).ids() = %v", n, edges, got)
		}
		if s.len() != len(edges) || s.and(all) != s || s.with(all) != all {
			t.Errorf("n = %d: len/and/with of %v wrong", n, edges)
		}
		var p idset
		for _, i := range edges {
			p.put(i)
		}
		if p != s {
			t.Errorf("n = %d: put built %v, add built %v", n, p.ids(), s.ids())
		}
		for i := 0; i < n; i++ {
			if s.has(i) != slices.Contains(edges, i) {
				t.Errorf("n = %d: has(%d) = %v", n, i, s.has(i))
			}
		}
		rnd := rand.New(rand.NewPCG(uint64(n), 1))
		for range 20 {
			r := randSet(rnd, n)
			if r.and(all) != r {
				t.Errorf("n = %d: randSet %v leaves 0 … n−1", n, r.ids())
			}
		}
	}
}

func TestIdsetOps(t *testing.T) {
	a := setOf(1, 64, 100, 999)
	b := setOf(1, 63, 100, 1000)
	for _, tc := range []struct {
		name string
		got  idset
		want []int
	}{
		{"and", a.and(b), []int{1, 100}},
		{"with", a.with(b), []int{1, 63, 64, 100, 999, 1000}},
		{"add is a copy", a.add(5), []int{1, 5, 64, 100, 999}},
		{"add out of range", a.add(maxReplicas).add(-1), []int{1, 64, 100, 999}},
		{"empty", idset{}, []int{}},
		{"word", setWord(1<<63 | 1), []int{0, 63}},
	} {
		if ids := tc.got.ids(); !slices.Equal(ids, tc.want) {
			t.Errorf("%s: ids %v, want %v", tc.name, ids, tc.want)
		}
		if tc.got.len() != len(tc.want) || tc.got.empty() != (len(tc.want) == 0) {
			t.Errorf("%s: len %d, empty %v", tc.name, tc.got.len(), tc.got.empty())
		}
	}
	if !slices.Equal(a.ids(), []int{1, 64, 100, 999}) {
		t.Errorf("operations modified their receiver: %v", a.ids())
	}
}

// naiveGreedyChange is greedyChange recomputing every intersection.
func naiveGreedyChange(vcm []VCM, members []int, x, t int) bool {
	set := append([]int(nil), members...)
	inter := func(skip int) idset {
		in := full(maxReplicas)
		for j, k := range set {
			if j != skip {
				in = in.and(vcm[k].NeedChgSet)
			}
		}
		return in
	}
	for {
		if inter(-1).len() >= t {
			return true
		}
		if len(set) <= x {
			return false
		}
		best, bestLen := 0, -1
		for i := range set {
			if l := inter(i).len(); l > bestLen {
				best, bestLen = i, l
			}
		}
		set = append(set[:best], set[best+1:]...)
	}
}

// naiveSupportedChange tries every x-subset of cand.
func naiveSupportedChange(vcm []VCM, cand []int, x, t int) bool {
	var rec func(from int, chosen idset, left int) bool
	rec = func(from int, inter idset, left int) bool {
		if left == 0 {
			return inter.len() >= t
		}
		for i := from; i <= len(cand)-left; i++ {
			if rec(i+1, inter.and(vcm[cand[i]].NeedChgSet), left-1) {
				return true
			}
		}
		return false
	}
	return x > 0 && len(cand) >= x && rec(0, full(maxReplicas), x)
}

// TestSupportedChangeAgainstNaive checks the pruned exact search against
// every subset, and the prefix/suffix greedy against the recomputing one,
// on random need-change sets (small n for the exact search, n up to 130
// for the greedy one).
func TestSupportedChangeAgainstNaive(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	var outcomes [2]int // greedy results: false, true
	for trial := range 400 {
		n := 6 + rnd.IntN(7)
		if trial%4 == 0 {
			n = 60 + rnd.IntN(71)
		}
		f := (n - 1) / 5
		vcm := make([]VCM, n)
		core := randSet(rnd, n)
		for i := range vcm {
			if rnd.IntN(3) > 0 {
				vcm[i].NeedChgSet = core.with(randSet(rnd, n)).and(randSet(rnd, n).with(core))
			} else {
				vcm[i].NeedChgSet = randSet(rnd, n)
			}
		}
		cand := randSet(rnd, n).with(full(n - f))
		members := cand.ids()
		for _, x := range []int{n - 2*f, n - f} {
			th := n - 2*f - rnd.IntN(3)
			if got, want := greedyChange(vcm, members, x, th), naiveGreedyChange(vcm, members, x, th); got != want {
				t.Fatalf("trial %d n = %d x = %d t = %d: greedy %v, naive greedy %v", trial, n, x, th, got, want)
			} else if got {
				outcomes[1]++
			} else {
				outcomes[0]++
			}
			if n > 12 {
				continue
			}
			if got, want := supportedChange(vcm, cand, x, th), naiveSupportedChange(vcm, members, x, th); got != want {
				t.Fatalf("trial %d n = %d x = %d t = %d: supportedChange %v, every subset %v", trial, n, x, th, got, want)
			}
		}
	}
	if outcomes[0] < 20 || outcomes[1] < 20 {
		t.Errorf("random cases not balanced enough to test anything: %d false, %d true", outcomes[0], outcomes[1])
	}
}

// TestSetSizeIsLen checks setSize against len on random sets of every
// density.
func TestSetSizeIsLen(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 2000; trial++ {
		var s idset
		for range rng.IntN(maxReplicas) {
			s.put(rng.IntN(maxReplicas))
		}
		if got, want := setSize(&s), s.len(); got != want {
			t.Fatalf("setSize = %d, len = %d", got, want)
		}
	}
}

// TestLenInIsLen checks lenIn against len for sets of ids below n, and
// wordsFor at the word boundaries.
func TestLenInIsLen(t *testing.T) {
	for _, c := range []struct{ n, words int }{{0, 0}, {1, 1}, {64, 1}, {65, 2}, {100, 2}, {1024, 16}} {
		if got := wordsFor(c.n); got != c.words {
			t.Errorf("wordsFor(%d) = %d, want %d", c.n, got, c.words)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 2000; trial++ {
		n := 1 + rng.IntN(maxReplicas)
		var s idset
		for range rng.IntN(n) {
			s.put(rng.IntN(n))
		}
		if got, want := s.lenIn(wordsFor(n)), s.len(); got != want {
			t.Fatalf("n = %d: lenIn = %d, len = %d", n, got, want)
		}
	}
}
