package diembft

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// deferred is a message (or a QC this replica formed) that refers to a
// block the replica does not have yet; it is handled again once the sync
// that fetches the block ends.
type deferred struct {
	from sim.NodeID
	msg  sim.Message
	qc   *QC
}

// syncer is the sync manager's state: a lagging replica that receives a
// certificate for an unknown block asks the certificate's signers, one at
// a time, for the chain from its committed height up to that block.
//
// Invariants: at most one sync is under way, towards the highest-round
// unknown certified block seen; the deferred buffer holds at most
// maxDeferred entries (oldest dropped); only a response from the peer last
// asked, for the current target, is applied; a block is inserted only when
// its parent is known and its id and QC verify.
type syncer struct {
	// (Whether a sync is under way is the replica's syncing.)
	target      protocols.Digest
	targetRound int64
	peers       []sim.NodeID
	attempts    int
	asked       sim.NodeID
	timer       sim.TimerID
	buffer      []deferred
}

func (r *Replica) maxDeferred() int { return max(64, 2*r.n) }

// deferUntilSynced buffers d and, unless a sync towards a block at least as
// high is under way, starts one towards qc's block.
func (r *Replica) deferUntilSynced(d deferred, qc *QC) {
	s := &r.sync
	if len(s.buffer) >= r.maxDeferred() {
		copy(s.buffer, s.buffer[1:])
		s.buffer[len(s.buffer)-1] = deferred{}
		s.buffer = s.buffer[:len(s.buffer)-1]
	}
	s.buffer = append(s.buffer, d)
	if r.syncing && qc.VoteInfo.Round <= s.targetRound {
		return
	}
	r.syncing = true
	s.target = qc.VoteInfo.ID
	s.targetRound = qc.VoteInfo.Round
	s.peers = s.peers[:0]
	seen := newBitset(r.n)
	for _, sig := range qc.Signatures {
		if sig.Signer != r.id && seen.Add(sig.Signer) {
			s.peers = append(s.peers, sig.Signer)
		}
	}
	s.attempts = 0
	r.syncRetry()
}

// syncRetry asks the next signer; after two rounds of the signers it gives
// up (a later certificate starts a new sync).
func (r *Replica) syncRetry() {
	s := &r.sync
	if !r.syncing {
		return
	}
	if len(s.peers) == 0 || s.attempts >= 2*len(s.peers) {
		r.abandonSync()
		return
	}
	peer := s.peers[s.attempts%len(s.peers)]
	s.attempts++
	r.askPeer(peer)
}

func (r *Replica) askPeer(peer sim.NodeID) {
	s := &r.sync
	s.asked = peer
	r.send(peer, &SyncRequest{Target: s.target, TargetRound: s.targetRound, CommittedHeight: r.ledger.Height(), Sender: r.id})
	r.armSyncTimer()
}

func (r *Replica) armSyncTimer() {
	r.env.CancelTimer(r.sync.timer)
	r.sync.timer = r.env.SetTimer(2*r.s.delta, timerSync, 0)
}

func (r *Replica) abandonSync() {
	s := &r.sync
	r.syncing = false
	r.env.CancelTimer(s.timer)
	clear(s.buffer)
	s.buffer = s.buffer[:0]
}

// finishSync ends the sync and handles the deferred messages again, in
// arrival order. They were verified (and charged) when they arrived, so
// they are not verified again.
func (r *Replica) finishSync() {
	s := &r.sync
	r.syncing = false
	r.env.CancelTimer(s.timer)
	buf := s.buffer
	s.buffer = nil
	for _, d := range buf {
		if d.qc != nil {
			r.handleNewQC(d.qc)
		} else {
			r.redispatch(d.from, d.msg)
		}
	}
}

// redispatch handles a deferred message again without verifying it: its
// validity is a pure function of its contents and the run's keys, checked
// when it arrived.
func (r *Replica) redispatch(from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case *Proposal:
		r.onProposal(from, m)
	case *Vote:
		r.onVote(from, m, m.LedgerCommitInfo.Hash())
	case *Timeout:
		r.onTimeout(from, m)
	default:
		r.dispatch(from, m, false)
	}
}

// onSyncRequest answers with the committed blocks above the requester's
// height followed by the pending path to the target, at most sync_batch
// blocks, oldest first. An unknown target gets no answer.
func (r *Replica) onSyncRequest(from sim.NodeID, q *SyncRequest) {
	l := r.ledger
	limit := r.s.syncBatch
	from0 := max(q.CommittedHeight, 0) + 1
	var blocks []*Block
	if h, ok := l.HeightOf(q.Target); ok {
		for i := from0; i <= h && len(blocks) < limit; i++ {
			blocks = append(blocks, l.Blocks[i])
		}
	} else if _, ok := l.Spec(q.Target); ok {
		for i := from0; i <= l.Height() && len(blocks) < limit; i++ {
			blocks = append(blocks, l.Blocks[i])
		}
		if len(blocks) < limit {
			blocks = append(blocks, l.PathFromRoot(q.Target, limit-len(blocks))...)
		}
	} else {
		return
	}
	r.send(from, &SyncResponse{Target: q.Target, Blocks: blocks})
}

// onSyncResponse applies the blocks of a response to the current sync.
func (r *Replica) onSyncResponse(from sim.NodeID, resp *SyncResponse) {
	s := &r.sync
	if !r.syncing || from != s.asked || resp.Target != s.target {
		return
	}
	progress := false
	for _, b := range resp.Blocks {
		if b == nil {
			break
		}
		if r.ledger.Known(b.ID) {
			continue
		}
		if !r.validBlock(b) || !r.validQC(b.QC) {
			break
		}
		if _, ok := r.ledger.Spec(b.QC.VoteInfo.ID); !ok {
			break // the parent is not pending here
		}
		r.processCertificateQC(b.QC)
		if !r.executeAndInsert(b) {
			break
		}
		progress = true
	}
	switch {
	case r.ledger.Known(s.target):
		r.finishSync()
	case progress:
		r.askPeer(from) // more to fetch from the same peer
	default:
		r.syncRetry()
	}
}
