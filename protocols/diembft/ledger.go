package diembft

import (
	"github.com/byzsim/byzsim/protocols"
)

// specState is the speculative execution state after a block.
type specState struct {
	block  *Block
	parent *specState
	state  protocols.Digest // execution state id after the block
	height int64
}

// Ledger holds the committed chain and the speculative states of the
// pending blocks that extend it (the paper's Ledger; the pending block tree
// of the Block-tree module is the tree of these states).
//
// Invariants: every speculative state descends from the committed root
// (which stays in the speculative map as the root of the pending tree);
// committed blocks are never removed; commit commits the block and every
// uncommitted ancestor, oldest first.
type Ledger struct {
	spec map[protocols.Digest]*specState
	// pendingStates lists every state put in spec and not yet pruned
	// (prune walks it instead of iterating over the map; a state deleted
	// from spec by other means, a corruption, may stay in it a while).
	pendingStates []*specState
	root          *specState
	blocks        []*Block           // committed chain; blocks[0] is genesis
	states        []protocols.Digest // committed state id per height
	heightOf      map[protocols.Digest]int64
	log           []protocols.Digest // committed block ids from height 1
}

func newLedger(genesis *Block, genesisState protocols.Digest) *Ledger {
	root := &specState{block: genesis, state: genesisState}
	return &Ledger{
		spec:          map[protocols.Digest]*specState{genesis.ID: root},
		pendingStates: []*specState{root},
		root:          root,
		blocks:        []*Block{genesis},
		states:        []protocols.Digest{genesisState},
		heightOf:      map[protocols.Digest]int64{genesis.ID: 0},
	}
}

// stateAfter computes the execution state of b's payload applied to
// parent.
func stateAfter(parent protocols.Digest, b *Block) protocols.Digest {
	h := newHasher(tagState)
	h.add(uint64(parent))
	h.add(uint64(b.payloadDigest()))
	return h.sum()
}

// speculate applies b's payload speculatively on top of the state of its
// parent prevID. It fails when the parent is not pending (unknown or pruned).
func (l *Ledger) speculate(prevID protocols.Digest, b *Block) (protocols.Digest, bool) {
	if s, ok := l.spec[b.ID]; ok {
		return s.state, true
	}
	p, ok := l.spec[prevID]
	if !ok {
		return 0, false
	}
	s := &specState{block: b, parent: p, state: stateAfter(p.state, b), height: p.height + 1}
	l.spec[b.ID] = s
	l.pendingStates = append(l.pendingStates, s)
	return s.state, true
}

// pendingState returns the speculative state of a pending block.
func (l *Ledger) pendingState(id protocols.Digest) (protocols.Digest, bool) {
	if s, ok := l.spec[id]; ok {
		return s.state, true
	}
	return 0, false
}

// pending returns the pending block with the given id (the committed root
// included).
func (l *Ledger) pending(id protocols.Digest) *Block {
	if s, ok := l.spec[id]; ok {
		return s.block
	}
	return nil
}

// known reports whether a block is pending or committed.
func (l *Ledger) known(id protocols.Digest) bool {
	if _, ok := l.spec[id]; ok {
		return true
	}
	_, ok := l.heightOf[id]
	return ok
}

// committedBlock returns a committed block by id, or nil.
func (l *Ledger) committedBlock(id protocols.Digest) *Block {
	if h, ok := l.heightOf[id]; ok {
		return l.blocks[h]
	}
	return nil
}

// height is the committed height (genesis is height 0).
func (l *Ledger) height() int64 { return int64(len(l.blocks) - 1) }

// rootRound is the round of the last committed block.
func (l *Ledger) rootRound() int64 { return l.root.block.Round }

// commit commits the pending block id and all its uncommitted ancestors,
// prunes the branches that do not extend it, and returns the newly
// committed states, oldest first. An unknown or already committed id
// commits nothing.
func (l *Ledger) commit(id protocols.Digest) []*specState {
	s, ok := l.spec[id]
	if !ok || s == l.root {
		return nil
	}
	var chain []*specState
	for c := s; c != l.root; c = c.parent {
		if c == nil {
			return nil // not a descendant of the root: cannot happen after pruning
		}
		chain = append(chain, c)
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	for _, c := range chain {
		l.heightOf[c.block.ID] = int64(len(l.blocks))
		l.blocks = append(l.blocks, c.block)
		l.states = append(l.states, c.state)
		l.log = append(l.log, c.block.ID)
	}
	l.root = s
	l.prune()
	return chain
}

// prune drops the speculative states that do not descend from the root.
func (l *Ledger) prune() {
	root := l.root
	kept := l.pendingStates[:0]
	for _, s := range l.pendingStates {
		c := s
		for c != nil && c.height > root.height {
			c = c.parent
		}
		if c == root {
			kept = append(kept, s)
		} else if id := s.block.ID; l.spec[id] == s {
			delete(l.spec, id)
		}
	}
	clear(l.pendingStates[len(kept):])
	l.pendingStates = kept
	root.parent = nil // let committed history be collected from the tree
}

// pathFromRoot returns the pending blocks from the root (exclusive) to id
// (inclusive), oldest first, at most limit of them (the newest are dropped
// when longer). It returns nil when id is not pending.
func (l *Ledger) pathFromRoot(id protocols.Digest, limit int) []*Block {
	s, ok := l.spec[id]
	if !ok {
		return nil
	}
	var path []*Block
	for c := s; c != nil && c != l.root; c = c.parent {
		path = append(path, c.block)
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	if len(path) > limit {
		path = path[:limit]
	}
	return path
}
