package diembft

import (
	"github.com/byzsim/byzsim/protocols"
)

// voteSet collects the votes on one LedgerCommitInfo.
type voteSet struct {
	round  int64
	info   VoteInfo
	lci    LedgerCommitInfo
	seen   bitset
	sigs   []Signature
	formed bool
}

// BlockTree is the paper's Block-tree bookkeeping: pending votes indexed by
// the digest of their LedgerCommitInfo, the highest known QC, the highest
// QC that commits (high_commit_qc), and the certificates learned per block.
// The pending blocks themselves live in the Ledger's speculative tree.
//
// Invariants: high_commit_qc.round ≤ high_qc.round; a vote set forms at
// most one QC; sets and certificates below the pruning round are dropped.
type BlockTree struct {
	// votes and opened are nil while empty (pruneVotes, at every round,
	// then reads no map header: most replicas hold no votes).
	votes        map[protocols.Digest]*voteSet
	highQC       *QC
	highCommitQC *QC
	// certs maps a block id to the first QC learned for it.
	certs qcIndex
	// opened counts the vote sets each sender opened, per round.
	opened map[int64][]uint8
	// last is the vote set of key lastKey that the last vote went to (a
	// leader receives the votes of one set one after another); nil once
	// sets are dropped.
	last    *voteSet
	lastKey protocols.Digest
}

// maxOpenPerRound bounds the distinct votes of one sender in one round that
// open a vote set (a correct replica casts one).
const maxOpenPerRound = 2

func newBlockTree(genesisQC *QC) *BlockTree {
	return &BlockTree{
		highQC:       genesisQC,
		highCommitQC: genesisQC,
		certs:        qcIndex{small: append(make([]certEntry, 0, initialCerts), certEntry{genesisQC.VoteInfo.ID, genesisQC})},
	}
}

// maxQC returns the QC with the higher round, a on ties.
func maxQC(a, b *QC) *QC {
	if b == nil || (a != nil && a.VoteInfo.Round >= b.VoteInfo.Round) {
		return a
	}
	return b
}

// addVote records a verified vote whose LedgerCommitInfo has digest key. It
// returns the vote set when this vote completes a quorum, nil otherwise.
func (t *BlockTree) addVote(v *Vote, key protocols.Digest, n, quorum int) *voteSet {
	s := t.last
	if s == nil || t.lastKey != key {
		s = t.votes[key]
	}
	if s == nil {
		// A sender may open at most maxOpenPerRound vote sets per round, so
		// a Byzantine replica cannot fill memory with distinct votes.
		opened := t.opened[v.VoteInfo.Round]
		if opened == nil {
			opened = make([]uint8, n)
			if t.opened == nil {
				t.opened = make(map[int64][]uint8)
			}
			t.opened[v.VoteInfo.Round] = opened
		}
		if int(v.Sender) >= n || opened[v.Sender] >= maxOpenPerRound {
			return nil
		}
		opened[v.Sender]++
		s = &voteSet{round: v.VoteInfo.Round, info: v.VoteInfo, lci: v.LedgerCommitInfo, seen: newBitset(n), sigs: make([]Signature, 0, quorum)}
		t.putVotes(key, s)
	}
	t.last, t.lastKey = s, key
	if s.formed || !s.seen.Add(v.Sender) {
		return nil
	}
	s.sigs = append(s.sigs, v.Signature)
	if len(s.sigs) >= quorum { // Quorum(n, f): two QCs of a round share a correct voter
		s.formed = true
		return s
	}
	return nil
}

// pruneVotes drops the vote sets of rounds below round.
func (t *BlockTree) pruneVotes(round int64) {
	// Only the next leaders hold votes: most replicas skip the iterations.
	if len(t.votes) == 0 && len(t.opened) == 0 {
		return
	}
	t.last = nil
	for k, s := range t.votes {
		if s.round < round {
			delete(t.votes, k)
		}
	}
	for r := range t.opened {
		if r < round {
			delete(t.opened, r)
		}
	}
	if len(t.votes) == 0 {
		t.votes = nil
	}
	if len(t.opened) == 0 {
		t.opened = nil
	}
}

// putVotes files the vote set s under key, making the table on first use.
func (t *BlockTree) putVotes(key protocols.Digest, s *voteSet) {
	if t.votes == nil {
		t.votes = make(map[protocols.Digest]*voteSet)
	}
	t.votes[key] = s
}

// pruneCertified drops the certificates of blocks below round.
func (t *BlockTree) pruneCertified(round int64) { t.certs.prune(round) }
