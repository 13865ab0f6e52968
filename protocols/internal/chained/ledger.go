package chained

import (
	"slices"

	"github.com/byzsim/byzsim/protocols"
)

// BlockKeys tells the ledger what it needs of a protocol's block type B:
// its id, its round and the digest of its payload.
type BlockKeys[B any] struct {
	ID      func(B) protocols.Digest
	Round   func(B) int64
	Payload func(B) protocols.Digest
	// State, when set, returns StateAfter(parent, Payload(b)), the
	// execution state after b on parent's (a protocol may remember it in
	// the block, which every replica executes on the same state).
	State func(b B, parent protocols.Digest) protocols.Digest
}

// SpecState is the speculative execution state after a block.
type SpecState[B any] struct {
	Block  B
	Parent *SpecState[B]
	State  protocols.Digest // execution state id after the block
	Height int64
	// id and round are the block's, read once through BlockKeys when the
	// state is made (the ledger compares them on every commit and for
	// every certificate a replica receives).
	id    protocols.Digest
	round int64
	// children counts the states speculated on this one (a state forgotten
	// by a corruption stays counted: it only over-counts).
	children int32
	// A state fills one cache line of its slab (specSlab states, 64 bytes
	// each, in an allocation aligned to its size when B is a pointer): a
	// commit, which reads a state made two rounds before, out of the
	// caches at n = 1,000, misses once instead of twice.
	_ [specPad]byte
}

// specPad pads a SpecState of pointer-sized B to 64 bytes.
const specPad = 8

// Ledger holds the committed chain and the speculative states of the
// pending blocks that extend it (DiemBFT's Ledger module; the pending block
// tree of the Block-tree module is the tree of these states).
//
// Invariants: every speculative state descends from the committed root
// (which stays among the speculative states as the root of the pending
// tree);
// committed blocks are never removed; Commit commits the block and every
// uncommitted ancestor, oldest first.
type Ledger[B any] struct {
	// A Ledger fills four cache lines (its allocation is 256 bytes,
	// aligned to that), and a proposal's delivery, which checks its
	// certificates against the root, commits and speculates, reads the
	// first three: the ledger is read for nearly every message, and at
	// n = 1,000 each replica's is out of the processor's caches.

	// rootRound and rootID are the committed root's block's round and id,
	// and root its state: RootID and RootRound, read for nearly every
	// message, read the ledger alone, not the root's state too.
	rootRound int64
	rootID    protocols.Digest
	root      *SpecState[B]
	// spec maps the id of every pending block (the committed root
	// included) to its speculative state (Spec); corruptions may delete
	// from it (Forget).
	spec specTable[B]
	keys *BlockKeys[B] // shared by the replicas of a protocol, read-only
	// pendingStates lists every state put in spec and not yet pruned
	// (prune walks it instead of iterating over the table; a state deleted
	// from spec by other means, a corruption, may stay in it a while).
	pendingStates []*SpecState[B]
	// slab holds speculative states not yet used: they are allocated
	// specSlab at a time (the first firstSpecSlab − 1 with the ledger).
	// Commit and prune cut the Parent links of the states they retire, so
	// a slab kept alive by one state does not hold on to older ones.
	slab []SpecState[B]
	// rootChildren is root.children, kept here too: a commit then decides
	// whether it drops the old root alone without reading the old root's
	// state, made and last read rounds before.
	rootChildren int32
	// one is Commit's result when it commits one block (most commits),
	// chain when it commits more; both reused.
	one    [1]*SpecState[B]
	Blocks []B // committed chain; Blocks[0] is genesis
	// spare is the state of a root a commit dropped alone, for the next
	// speculation (a replica then makes no new states in a run without
	// forks: fewer allocations, fresh pages and collections). Nothing
	// refers to it: see Commit.
	spare *SpecState[B]
	// heightOf maps committed block ids to their heights; it is made and
	// filled from Log on demand (indexed is how many of its ids it holds,
	// genesis aside), so a commit costs no map insertion and a replica
	// that never looks a committed id up no map: lookups of committed ids
	// are rare.
	heightOf map[protocols.Digest]int64
	indexed  int
	chain    []*SpecState[B]
	log      []protocols.Digest // Log's, filled on demand
	_        [32]byte           // to 256 bytes: see above
}

// initialChain is the committed chain's first capacity: a run of a few
// seconds commits about as many blocks.
const initialChain = 64

// zero sets the elements of s to their zero value: an element at a time,
// cheaper than clear's call for the few a ledger clears at once.
func zero[T any](s []T) {
	var z T
	for i := 0; i < len(s); i++ {
		s[i] = z
	}
}

// specSlab is how many speculative states are allocated at once, after
// the firstSpecSlab allocated with the ledger (its root among them). A
// replica without forks holds about three pending states and reuses the
// state a commit drops (spare), so most ledgers never need more than the
// first few (a first slab of 32 was 1.75 KB a replica of fresh memory
// never touched). A slab is at most 512 bytes: the runtime aligns an
// allocation of a size class up to that to its size, but puts a header
// before the values of a larger one that holds pointers (a slab of 32
// states started 8 bytes into its 2 KB, and every state straddled two
// cache lines).
const (
	specSlab      = 8
	firstSpecSlab = 4
)

// NewLedger returns a ledger whose committed chain is genesis, with
// execution state genesisState. The ledger reads keys, which must not
// change (replicas share them).
func NewLedger[B any](keys *BlockKeys[B], genesis B, genesisState protocols.Digest) *Ledger[B] {
	id := keys.ID(genesis)
	// The ledger, its root and its first slab are one allocation of 512
	// bytes (see ledgerStart).
	start := &ledgerStart[B]{}
	root := &start.states[0]
	*root = SpecState[B]{Block: genesis, State: genesisState, id: id, round: keys.Round(genesis)}
	l := &start.ledger
	*l = Ledger[B]{
		keys:          keys,
		pendingStates: append(make([]*SpecState[B], 0, initialPending), root),
		root:          root,
		rootID:        id,
		rootRound:     root.round,
		Blocks:        append(make([]B, 0, initialChain), genesis),
		slab:          start.states[1:],
	}
	l.spec.put(id, root)
	return l
}

// ledgerStart is a new ledger with its genesis state and first slab: 512
// bytes, one allocation (the runtime aligns it to its size: the ledger's
// and each state's lines are their own).
type ledgerStart[B any] struct {
	ledger Ledger[B]
	states [firstSpecSlab]SpecState[B]
}

// initialPending is the first capacity of a ledger's list of pending
// states: the root and two or three blocks above it, in a run without
// forks.
const initialPending = 4

// Spec returns the speculative state of a pending block (the committed
// root included).
func (l *Ledger[B]) Spec(id protocols.Digest) (*SpecState[B], bool) { return l.spec.get(id) }

// Forget drops a pending block's speculative state (a corruption).
func (l *Ledger[B]) Forget(id protocols.Digest) { l.spec.del(id, nil) }

// PendingIDs returns the ids of the pending blocks (the committed root
// included), in increasing order.
func (l *Ledger[B]) PendingIDs() []protocols.Digest { return l.spec.ids() }

// NumPending is the number of pending blocks (the committed root
// included).
func (l *Ledger[B]) NumPending() int { return int(l.spec.n) }

// Log returns the ids of the committed blocks from height 1 (genesis
// excluded), in a slice later commits do not change (they append to it,
// or to a copy).
func (l *Ledger[B]) Log() []protocols.Digest {
	l.log = slices.Grow(l.log, len(l.Blocks)-1-len(l.log))
	for h := len(l.log) + 1; h < len(l.Blocks); h++ {
		l.log = append(l.log, l.keys.ID(l.Blocks[h]))
	}
	return l.log
}

// HeightOf returns the height of a committed block.
func (l *Ledger[B]) HeightOf(id protocols.Digest) (int64, bool) {
	log := l.Log()
	if l.heightOf == nil {
		l.heightOf = map[protocols.Digest]int64{l.genesisID(): 0}
	}
	for ; l.indexed < len(log); l.indexed++ {
		l.heightOf[log[l.indexed]] = int64(l.indexed + 1)
	}
	h, ok := l.heightOf[id]
	return h, ok
}

// genesisID is the id of genesis, the committed chain's first block.
func (l *Ledger[B]) genesisID() protocols.Digest { return l.keys.ID(l.Blocks[0]) }

// StateAfter computes the execution state of a payload (by its digest)
// applied to parent.
func StateAfter(parent, payload protocols.Digest) protocols.Digest {
	h := NewHasher(TagState)
	h.Add(uint64(parent))
	h.Add(uint64(payload))
	return h.Sum()
}

// Speculate applies b's payload speculatively on top of the state of its
// parent prevID. It fails when the parent is not pending (unknown or pruned).
func (l *Ledger[B]) Speculate(prevID protocols.Digest, b B) (protocols.Digest, bool) {
	s, _, ok := l.SpeculateState(prevID, b)
	if !ok {
		return 0, false
	}
	return s.State, true
}

// SpeculateState is Speculate returning b's speculative state s, and, when
// b was not pending before, its parent's state (the pending state of
// prevID); parent is nil when b was already pending.
func (l *Ledger[B]) SpeculateState(prevID protocols.Digest, b B) (s, parent *SpecState[B], ok bool) {
	id := l.keys.ID(b)
	if s, ok := l.spec.get(id); ok {
		return s, nil, true
	}
	p, ok := l.spec.get(prevID)
	if !ok {
		return nil, nil, false
	}
	if s = l.spare; s != nil {
		l.spare = nil
		s.children = 0 // the other fields are set below
	} else {
		if len(l.slab) == 0 {
			l.slab = make([]SpecState[B], specSlab)
		}
		s = &l.slab[0]
		l.slab = l.slab[1:]
	}
	// Set the fields one by one (cheaper than copying a whole state in).
	s.Block, s.Parent = b, p
	p.children++
	if p == l.root {
		l.rootChildren++
	}
	if l.keys.State != nil {
		s.State = l.keys.State(b, p.State)
	} else {
		s.State = StateAfter(p.State, l.keys.Payload(b))
	}
	s.Height = p.Height + 1
	s.id, s.round = id, l.keys.Round(b)
	l.spec.put(id, s)
	l.pendingStates = append(l.pendingStates, s)
	return s, p, true
}

// PendingState returns the speculative state of a pending block.
func (l *Ledger[B]) PendingState(id protocols.Digest) (protocols.Digest, bool) {
	if s, ok := l.spec.get(id); ok {
		return s.State, true
	}
	return 0, false
}

// Pending returns the pending block with the given id (the committed root
// included), or the zero B.
func (l *Ledger[B]) Pending(id protocols.Digest) B {
	if s, ok := l.spec.get(id); ok {
		return s.Block
	}
	var none B
	return none
}

// Known reports whether a block is pending or committed.
func (l *Ledger[B]) Known(id protocols.Digest) bool {
	if _, ok := l.spec.get(id); ok {
		return true
	}
	_, ok := l.HeightOf(id)
	return ok
}

// CommittedBlock returns a committed block by id, or the zero B.
func (l *Ledger[B]) CommittedBlock(id protocols.Digest) B {
	if h, ok := l.HeightOf(id); ok {
		return l.Blocks[h]
	}
	var none B
	return none
}

// Height is the committed height (genesis is height 0).
func (l *Ledger[B]) Height() int64 { return int64(len(l.Blocks) - 1) }

// Root returns the committed root's speculative state (the root of the
// pending tree).
func (l *Ledger[B]) Root() *SpecState[B] { return l.root }

// RootRound is the round of the last committed block.
func (l *Ledger[B]) RootRound() int64 { return l.rootRound }

// RootID is the id of the last committed block.
func (l *Ledger[B]) RootID() protocols.Digest { return l.rootID }

// Commit commits the pending block id and all its uncommitted ancestors,
// prunes the branches that do not extend it, and returns the newly
// committed states, oldest first, in a slice valid until the next Commit.
// An unknown or already committed id commits nothing.
func (l *Ledger[B]) Commit(id protocols.Digest) []*SpecState[B] {
	if id == l.rootID {
		return nil // most calls: a QC already processed
	}
	s, ok := l.spec.get(id)
	if !ok || s == l.root {
		return nil
	}
	var chain []*SpecState[B]
	if s.Parent == l.root {
		l.one[0] = s // one block: the old root's child
		chain = l.one[:]
	} else {
		zero(l.chain)
		chain = l.chain[:0]
		for c := s; c != l.root; c = c.Parent {
			if c == nil {
				return nil // not a descendant of the root: cannot happen after pruning
			}
			chain = append(chain, c)
		}
		l.chain = chain
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	for _, c := range chain {
		l.Blocks = append(l.Blocks, c.Block)
	}
	old, oldID, oldChildren := l.root, l.rootID, l.rootChildren
	l.root, l.rootID, l.rootRound, l.rootChildren = s, s.id, s.round, s.children
	for _, c := range chain {
		c.Parent = nil // committed: nothing walks below the root
	}
	if len(chain) == 1 && oldChildren == 1 && len(l.pendingStates) > 0 && l.pendingStates[0] == old {
		// The common case: one block committed, the old root's only child.
		// Every pending state descends from the old root, hence every
		// other one from s: prune would drop the old root alone, and
		// finds it first (a state is listed after its ancestors). Nothing
		// refers to the old root any more (its one child, s, no longer
		// does; it is not in chain): it is the spare state.
		l.spec.del(oldID, old)
		l.spare = old
		ps := l.pendingStates
		for i := 1; i < len(ps); i++ { // a few: cheaper than copy's call
			ps[i-1] = ps[i]
		}
		ps[len(ps)-1] = nil
		l.pendingStates = ps[:len(ps)-1]
		return chain
	}
	l.prune()
	return chain
}

// prune drops the speculative states that do not descend from the root.
func (l *Ledger[B]) prune() {
	root := l.root
	kept := l.pendingStates[:0]
	for _, s := range l.pendingStates {
		c := s
		for c != nil && c.Height > root.Height {
			c = c.Parent
		}
		if c == root {
			kept = append(kept, s)
			continue
		}
		l.spec.del(s.id, s)
		// A later walk that reaches s stops at it all the same (it does
		// not descend from the root either).
		s.Parent = nil
	}
	zero(l.pendingStates[len(kept):])
	l.pendingStates = kept
}

// PathFromRoot returns the pending blocks from the root (exclusive) to id
// (inclusive), oldest first, at most limit of them (the newest are dropped
// when longer). It returns nil when id is not pending.
func (l *Ledger[B]) PathFromRoot(id protocols.Digest, limit int) []B {
	s, ok := l.spec.get(id)
	if !ok {
		return nil
	}
	var path []B
	for c := s; c != nil && c != l.root; c = c.Parent {
		path = append(path, c.Block)
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	if len(path) > limit {
		path = path[:limit]
	}
	return path
}
