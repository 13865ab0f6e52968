package chained

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// toyBlock and toyQC are the smallest records the ledger and the election
// need: a block certified by the QC of its parent.
type toyBlock struct {
	id     protocols.Digest
	round  int64
	author sim.NodeID
	qc     *toyQC
}

type toyQC struct {
	parent  protocols.Digest // the block the QC commits (2-chain: the parent)
	round   int64
	signers []sim.NodeID
}

var toyKeys = BlockKeys[*toyBlock]{
	ID:      func(b *toyBlock) protocols.Digest { return b.id },
	Round:   func(b *toyBlock) int64 { return b.round },
	Payload: func(b *toyBlock) protocols.Digest { return b.id * 7 },
}

// TestLedgerForks: commit commits every uncommitted ancestor, oldest
// first, and prunes the fork that does not extend the new root.
func TestLedgerForks(t *testing.T) {
	g := &toyBlock{id: 1, round: -1, author: sim.None}
	l := NewLedger(&toyKeys, g, 100)
	a := &toyBlock{id: 2, round: 0}
	b := &toyBlock{id: 3, round: 1}
	fork := &toyBlock{id: 4, round: 1}
	for _, x := range []struct {
		parent protocols.Digest
		b      *toyBlock
	}{{1, a}, {2, b}, {2, fork}} {
		if _, ok := l.Speculate(x.parent, x.b); !ok {
			t.Fatalf("speculate %d on %d failed", x.b.id, x.parent)
		}
	}
	if _, ok := l.Speculate(99, &toyBlock{id: 5}); ok {
		t.Fatal("speculated on an unknown parent")
	}
	sa, _ := l.PendingState(2)
	if want := StateAfter(100, 14); sa != want {
		t.Fatalf("state after a = %x, want %x", sa, want)
	}
	chain := l.Commit(3)
	if len(chain) != 2 || chain[0].Block != a || chain[1].Block != b || chain[1].Height != 2 {
		t.Fatalf("commit of b returned %v, want a then b", chain)
	}
	if l.Height() != 2 || l.RootRound() != 1 || l.CommittedBlock(2) != a || l.Pending(4) != nil || l.Known(4) {
		t.Fatalf("after commit: height %d root round %d, fork known %v", l.Height(), l.RootRound(), l.Known(4))
	}
	if len(l.Log()) != 2 || l.Log()[0] != 2 || l.Log()[1] != 3 || l.Commit(3) != nil {
		t.Fatalf("log %v; committing again must do nothing", l.Log())
	}
}

// TestElectByReputation: the window's signers minus the excluded authors
// are the candidates, the draw is deterministic, and leaders set by
// SetElected and Override win over round-robin until pruned.
func TestElectByReputation(t *testing.T) {
	// Committed chain: blocks 2, 3, 4 by authors 0, 1, 2; each QC is
	// signed by {1, 2, 3}.
	blocks := map[protocols.Digest]*toyBlock{}
	var qc *toyQC
	for i, author := range []sim.NodeID{0, 1, 2} {
		id := protocols.Digest(i + 2)
		blocks[id] = &toyBlock{id: id, round: int64(i), author: author, qc: qc}
		qc = &toyQC{parent: id, round: int64(i + 1), signers: []sim.NodeID{1, 2, 3}}
	}
	keys := ChainKeys[*toyQC, *toyBlock]{
		Committed: func(q *toyQC) *toyBlock { return blocks[q.parent] },
		Signers: func(q *toyQC, set Bitset) {
			for _, s := range q.signers {
				set.Add(s)
			}
		},
		Author: func(b *toyBlock) sim.NodeID { return b.author },
		QC:     func(b *toyBlock) *toyQC { return b.qc },
	}
	for _, tt := range []struct {
		exclude int
		allowed map[sim.NodeID]bool
	}{
		{1, map[sim.NodeID]bool{1: true, 3: true}}, // author 2 excluded
		{2, map[sim.NodeID]bool{3: true}},          // authors 2 and 1 excluded
	} {
		seen := map[sim.NodeID]bool{}
		for seed := range uint64(40) {
			e := NewElection(4, 2, true, 5, tt.exclude, seed)
			id, ok := ElectByReputation(e, qc, qc.round, keys)
			again, _ := ElectByReputation(e, qc, qc.round, keys)
			if !ok || !tt.allowed[id] || again != id {
				t.Fatalf("exclude %d seed %d: elected %d (%v), again %d; allowed %v", tt.exclude, seed, id, ok, again, tt.allowed)
			}
			seen[id] = true
		}
		if len(seen) != len(tt.allowed) {
			t.Errorf("exclude %d: elected %v over 40 seeds, want every one of %v", tt.exclude, seen, tt.allowed)
		}
	}
	e := NewElection(4, 2, true, 0, 3, 1)
	if id, ok := ElectByReputation(e, qc, qc.round, keys); ok {
		t.Errorf("empty window, yet %d elected", id)
	}
	if e.Leader(5) != 2 || e.Leader(-1) != 3 {
		t.Errorf("round-robin leaders of rounds 5 and -1 = %d, %d; want 2, 3", e.Leader(5), e.Leader(-1))
	}
	e.SetElected(5, 0, true)
	e.Override(6, 1)
	if e.Leader(5) != 0 || e.Leader(6) != 1 {
		t.Error("elected or overridden leader not used")
	}
	e.SetElected(6, 0, false)
	if _, ok := e.Elected(6); ok || e.Leader(6) != 3 {
		t.Error("an election without candidate must fall back to round-robin")
	}
}

// TestObservationMemo: a memo returns its boxed value for an equal
// observation and a new one otherwise.
func TestObservationMemo(t *testing.T) {
	var m ObservationMemo[protocols.Certified]
	a := Box(&m, protocols.Certified{Round: 3, Digest: 7})
	b := Box(&m, protocols.Certified{Round: 3, Digest: 7})
	if a != b || a.(protocols.Certified) != (protocols.Certified{Round: 3, Digest: 7}) {
		t.Fatalf("equal observations: got %v and %v", a, b)
	}
	c := Box(&m, protocols.Certified{Round: 4, Digest: 7})
	if c.(protocols.Certified).Round != 4 {
		t.Fatalf("changed observation: got %v", c)
	}
	if d := Box(&m, protocols.Certified{Round: 4, Digest: 8}); d.(protocols.Certified) != (protocols.Certified{Round: 4, Digest: 8}) {
		t.Fatalf("other digest: got %v", d)
	}
	var zero ObservationMemo[protocols.Certified] // empty: its zero value is not a boxed observation
	if e := Box(&zero, protocols.Certified{}); e == nil || e.(protocols.Certified) != (protocols.Certified{}) {
		t.Fatalf("zero observation in an empty memo: got %v", e)
	}
	Box(&m, protocols.Certified{Round: 3, Digest: 7})
	if n := testing.AllocsPerRun(10, func() { Box(&m, protocols.Certified{Round: 3, Digest: 7}) }); n != 0 {
		t.Fatalf("boxing a memoized observation allocated %v times", n)
	}
	if e := Box[protocols.Commit](nil, protocols.Commit{Height: 1}); e.(protocols.Commit).Height != 1 {
		t.Fatalf("nil memo: got %v", e)
	}
}

// TestLedgerPruneModel checks the pending blocks after every step of
// random speculations, commits (of one block or of several, with and
// without forks) and forgotten states against a model: the pending blocks
// are the committed root and the speculated blocks whose parents lead to
// it, less those forgotten.
func TestLedgerPruneModel(t *testing.T) {
	reused := 0 // speculations that reused a dropped root's state
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 9))
		l := NewLedger(&toyKeys, &toyBlock{id: 1, round: -1, author: sim.None}, 100)
		parent := map[protocols.Digest]protocols.Digest{}
		pending := map[protocols.Digest]bool{1: true}
		// state and height are each block's execution state and height
		// (a state the ledger reuses must not keep another block's).
		state := map[protocols.Digest]protocols.Digest{1: 100}
		height := map[protocols.Digest]int64{1: 0}
		root := protocols.Digest(1)
		var log []protocols.Digest
		next := protocols.Digest(2)
		ids := func() []protocols.Digest { return slices.Sorted(maps.Keys(pending)) }
		for step := range 300 {
			switch op := rng.IntN(10); {
			case op < 6: // speculate on a pending block (mostly the newest)
				cands := ids()
				p := cands[len(cands)-1]
				if rng.IntN(3) == 0 {
					p = cands[rng.IntN(len(cands))]
				}
				b := &toyBlock{id: next, round: int64(next)}
				if l.spare != nil {
					reused++
				}
				if _, ok := l.Speculate(p, b); !ok {
					t.Fatalf("seed %d step %d: speculating on pending %d failed", seed, step, p)
				}
				parent[next], pending[next] = p, true
				state[next], height[next] = StateAfter(state[p], next*7), height[p]+1
				next++
			case op < 9: // commit a pending block
				cands := ids()
				id := cands[rng.IntN(len(cands))]
				var chain []protocols.Digest
				for c := id; c != root && c != 0; c = parent[c] {
					chain = append([]protocols.Digest{c}, chain...)
				}
				got := l.Commit(id)
				if id == root {
					chain = nil
				}
				if len(got) != len(chain) {
					t.Fatalf("seed %d step %d: commit of %d committed %d blocks, want %d", seed, step, id, len(got), len(chain))
				}
				if len(chain) == 0 {
					continue
				}
				log = append(log, chain...)
				root = id
				for x := range pending {
					c := x
					for c != root && c != 0 { // up to the root, or past genesis
						c = parent[c]
					}
					if c != root {
						delete(pending, x)
					}
				}
			default: // a corruption forgets a pending block other than the root
				cands := ids()
				if id := cands[rng.IntN(len(cands))]; id != root {
					l.Forget(id)
					delete(pending, id)
				}
			}
			if got, want := l.PendingIDs(), ids(); !slices.Equal(got, want) {
				t.Fatalf("seed %d step %d: pending %v, want %v", seed, step, got, want)
			}
			if !slices.Equal(l.Log(), log) {
				t.Fatalf("seed %d step %d: log %v, want %v", seed, step, l.Log(), log)
			}
			// RootID and RootRound are remembered beside the root: they
			// follow every commit.
			wantRound := int64(root) // a block's round is its id here
			if root == 1 {
				wantRound = -1 // genesis
			}
			if l.root.Block.id != root || l.RootID() != root || l.RootRound() != wantRound {
				t.Fatalf("seed %d step %d: root %d (RootID %d) of round %d, want %d of round %d", seed, step, l.root.Block.id, l.RootID(), l.RootRound(), root, wantRound)
			}
			for id := range pending {
				s, ok := l.Spec(id)
				if !ok || s.Block.id != id || s.State != state[id] || s.Height != height[id] {
					t.Fatalf("seed %d step %d: pending %d's state %+v, want state %x at height %d", seed, step, id, s, uint64(state[id]), height[id])
				}
				if id != root && (s.Parent == nil || s.Parent.Block.id != parent[id]) {
					t.Fatalf("seed %d step %d: pending %d's parent is not %d", seed, step, id, parent[id])
				}
			}
			// The root's child count is kept beside it too.
			if l.rootChildren != l.root.children {
				t.Fatalf("seed %d step %d: the ledger counts %d children of the root, the root %d", seed, step, l.rootChildren, l.root.children)
			}
		}
	}
	if reused == 0 {
		t.Error("no speculation reused a dropped root's state")
	}
}

// TestLedgerLayout: a speculative state of a pointer-sized block fills one
// cache line, and a ledger four (their allocations are then aligned to
// their size, so no state or ledger line is shared or split).
func TestLedgerLayout(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is planned for 64-bit words")
	}
	if got := unsafe.Sizeof(SpecState[*int]{}); got != 64 {
		t.Errorf("SpecState[*int] is %d bytes, want 64", got)
	}
	if got := unsafe.Sizeof(Ledger[*int]{}); got != 256 {
		t.Errorf("Ledger[*int] is %d bytes, want 256", got)
	}
}

// TestLedgerHeightOf: committed ids answer with their heights, genesis's
// with 0, whether the table of heights is first made before or after the
// commits; pending and unknown ids are not committed.
func TestLedgerHeightOf(t *testing.T) {
	for _, early := range []bool{false, true} {
		g := &toyBlock{id: 1, round: -1, author: sim.None}
		l := NewLedger(&toyKeys, g, 100)
		if early {
			if h, ok := l.HeightOf(1); !ok || h != 0 {
				t.Fatalf("fresh ledger: HeightOf(genesis) = %d, %v; want 0, true", h, ok)
			}
		}
		parent := protocols.Digest(1)
		for id := protocols.Digest(2); id <= 6; id++ {
			if _, ok := l.Speculate(parent, &toyBlock{id: id, round: int64(id)}); !ok {
				t.Fatalf("speculate %d on %d failed", id, parent)
			}
			parent = id
		}
		l.Commit(3)
		l.Commit(5)
		for id, want := range map[protocols.Digest]int64{1: 0, 2: 1, 3: 2, 4: 3, 5: 4} {
			if h, ok := l.HeightOf(id); !ok || h != want {
				t.Errorf("early %v: HeightOf(%d) = %d, %v; want %d, true", early, id, h, ok, want)
			}
		}
		for _, id := range []protocols.Digest{6, 99} {
			if h, ok := l.HeightOf(id); ok {
				t.Errorf("early %v: HeightOf(%d) = %d for a block not committed", early, id, h)
			}
		}
		if !l.Known(6) || l.Known(99) || l.CommittedBlock(4) == nil || l.CommittedBlock(6) != nil {
			t.Errorf("early %v: Known or CommittedBlock wrong after the commits", early)
		}
	}
}

// TestLedgerSlabs: a ledger, its root and its first speculative states
// are one allocation of 512 bytes, the next states come from slabs of
// specSlab, the ledger and every state on cache lines of their own, and a
// chain longer than both slabs (no commit: every state stays pending)
// keeps each state's block, parent and height.
func TestLedgerSlabs(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is planned for 64-bit words")
	}
	l := NewLedger(&toyKeys, &toyBlock{id: 1, round: -1, author: sim.None}, 100)
	if got := unsafe.Sizeof(ledgerStart[*toyBlock]{}); got != 512 {
		t.Errorf("a ledger with its first states is %d bytes, want 512", got)
	}
	if uintptr(unsafe.Pointer(l))%64 != 0 || uintptr(unsafe.Pointer(l.root))%64 != 0 {
		t.Errorf("ledger at %p, root at %p: not on cache lines of their own", l, l.root)
	}
	if uintptr(unsafe.Pointer(l.root)) != uintptr(unsafe.Pointer(l))+unsafe.Sizeof(*l) {
		t.Errorf("root at %p, not right after the ledger at %p", l.root, l)
	}
	parent := protocols.Digest(1)
	var states []*SpecState[*toyBlock]
	for id := protocols.Digest(2); id < 2+firstSpecSlab+specSlab+3; id++ {
		s, _, ok := l.SpeculateState(parent, &toyBlock{id: id, round: int64(id)})
		if !ok {
			t.Fatalf("speculate %d on %d failed", id, parent)
		}
		if uintptr(unsafe.Pointer(s))%64 != 0 {
			t.Errorf("state %d at %p: not on a cache line of its own", id, s)
		}
		switch made := len(states) + 1; made {
		case 1:
			if got := cap(l.slab) + 2; got != firstSpecSlab {
				t.Errorf("the ledger's first slab holds %d states with the root, want %d", got, firstSpecSlab)
			}
		case firstSpecSlab:
			if got := cap(l.slab) + 1; got != specSlab {
				t.Errorf("second slab holds %d states, want %d", got, specSlab)
			}
		}
		states = append(states, s)
		parent = id
	}
	for i, s := range states {
		id := protocols.Digest(i + 2)
		if s.Block.id != id || s.Height != int64(i+1) || (i > 0 && s.Parent != states[i-1]) {
			t.Errorf("state %d: block %d, height %d, parent %p; want block %d, height %d", i, s.Block.id, s.Height, s.Parent, id, i+1)
		}
		if got, ok := l.Spec(id); !ok || got != s {
			t.Errorf("Spec(%d) = %p, %v; want %p", id, got, ok, s)
		}
	}
}
