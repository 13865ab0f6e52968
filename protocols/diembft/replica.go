package diembft

import (
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/chained"
	"github.com/byzsim/byzsim/sim"
)

// Replica is a DiemBFT v4 replica: the paper's Main module owning Ledger,
// Block-tree, Safety, Pacemaker, LeaderElection, Mempool and a sync
// manager. It is a deterministic sim.Node.
type Replica struct {
	// The fields a proposal's delivery reads fill seven cache lines, the
	// struct's second to eighth, and those a client request's delivery
	// reads the first three of them (TestReplicaLayout): at n = 1,000 a
	// broadcast reaches each replica with its state out of the
	// processor's caches, and every line less is a miss less per
	// delivery. The keyring and the election are held by value; a few
	// fields read rarely come first, with the election's, to fill the
	// first line; the rest of the configuration, the sync manager's
	// state, scratch space and the Byzantine behaviours' state follow.
	f         int
	genesisQC *QC
	// idle is when the leader found nothing to propose in its round.
	idle  idleWait
	elect Election // its reputation parameters first, its hot fields last

	env     sim.Env
	pm      Pacemaker
	mempool *Mempool
	id      sim.NodeID
	// newRoundEvent is set by the paper's new-round events (the start, a QC
	// formed here from votes, a TC formed here from timeouts) and consumed
	// by the next processNewRoundEvent; it gates proposals only with
	// propose_on = "new_round".
	newRoundEvent bool
	// syncing is whether a sync is under way (read after every input).
	syncing bool
	n       int
	costs   protocols.Costs // cfg.Costs
	quorum  int             // Quorum(n, f): signers of a QC or TC
	ledger  *Ledger
	tree    BlockTree
	safety  Safety
	votes   chained.Slab[Vote]
	// conduct is the Byzantine behaviour: the strategy consulted at the
	// decision points of byzantine.go, and the filter of sends.
	conduct protocols.Conduct[strategy]
	keys    keyring
	s       settings // its hot fields first

	lastProposed int64
	sync         syncer
	buf          buffers // scratch for proposals, the slab of replies
	cfg          protocols.Config
	eq           equivState // the equivocate behaviours' forks
}

var (
	_ protocols.Replica = (*Replica)(nil)
	_ sim.Recoverer     = (*Replica)(nil)
)

// newReplica is New with the settings base (nil: parsed from cfg.Params).
func newReplica(cfg protocols.Config, base *settings) (*Replica, error) {
	if cfg.N < 1 || cfg.F < 0 || cfg.ID < 0 || int(cfg.ID) >= cfg.N {
		return nil, fmt.Errorf("diembft: bad replica %d of n=%d f=%d", cfg.ID, cfg.N, cfg.F)
	}
	s, err := base.orParse(cfg)
	if err != nil {
		return nil, err
	}
	// Two quorums intersect in ≥ f+1 replicas, and the n−f correct
	// replicas form one: needs n ≥ 3f+1 (quorum.go).
	if cfg.N < 3*cfg.F+1 {
		return nil, fmt.Errorf("diembft: n=%d is too small for f=%d (need n ≥ 3f+1 = %d)", cfg.N, cfg.F, 3*cfg.F+1)
	}
	quorum := Quorum(cfg.N, cfg.F)
	if s.bugs.SmallQuorum {
		quorum = smallQuorum(cfg.N, cfg.F)
	}
	gb, gqc, gstate := genesis()
	r := &Replica{
		cfg: cfg, s: s, id: cfg.ID, n: cfg.N, f: cfg.F, quorum: quorum, costs: cfg.Costs,
		keys:         *newKeyring(cfg.Seed, cfg.ID, cfg.N, quorum, cfg.Costs.RealCrypto),
		ledger:       newLedger(gb, gstate),
		tree:         *newBlockTree(gqc),
		safety:       Safety{HighestVoteRound: -1, HighestQCRound: -2, voteLT: s.bugs.VoteLT},
		elect:        s.newElection(cfg),
		mempool:      newMempool(s.blockSize),
		genesisQC:    gqc,
		lastProposed: -1,
	}
	if err := r.SetBehaviour(cfg.Behaviour); err != nil {
		return nil, err
	}
	return r, nil
}

// genesis returns byzsim's genesis convention: a block of round −1 with no
// author and no payload, already committed at height 0, and a QC certifying
// it without signatures. The first round is 0; its block extends the
// genesis QC.
func genesis() (*Block, *QC, protocols.Digest) {
	h := newHasher(tagGenesis)
	id := h.Sum()
	h.Add(1)
	state := h.Sum()
	g := &genesisPair{b: Block{Author: sim.None, Round: -1, ID: id}} // one allocation for both
	vi := VoteInfo{ID: id, Round: -1, ParentID: id, ParentRound: -2, ExecStateID: state}
	g.qc = QC{VoteInfo: vi, LedgerCommitInfo: LedgerCommitInfo{VoteInfoHash: vi.Hash()}, Author: sim.None}
	return &g.b, &g.qc, state
}

// Round implements protocols.Replica.
func (r *Replica) Round() int64 { return r.pm.Round }

// Leader implements protocols.Replica.
func (r *Replica) Leader(round int64) sim.NodeID { return r.elect.Leader(round) }

// Preload puts requests in the mempool as if clients had sent them (Twins
// scenarios and benchmarks pre-load transactions).
func (r *Replica) Preload(reqs ...*protocols.Request) {
	if r.s.group != nil && r.s.group.preload.fill(r.mempool, reqs) {
		return // a copy of the run's preloaded mempool
	}
	r.mempool.AddAll(reqs)
}

// SetLeaderTable makes table give the leader of every round instead of
// round-robin (Twins scenarios fix each round's leader); reputation and
// the "leader" attribute still override it. Call it before Start; table
// must be deterministic and return ids in 0 … n−1. Nil restores
// round-robin.
func (r *Replica) SetLeaderTable(table func(round int64) sim.NodeID) { r.elect.Table = table }

// HighQC returns the highest QC the replica knows.
func (r *Replica) HighQC() *QC { return r.tree.highQC }

// Safety returns the replica's safety rounds.
func (r *Replica) Safety() Safety { return r.safety }

// Start implements sim.Node.
func (r *Replica) Start(env sim.Env) {
	r.env = env
	r.newRoundEvent = true
	r.armTimer(r.s.roundTimer)
	r.afterInput()
}

// Recover implements sim.Recoverer: timers that expired during a crash were
// lost, so the round timer restarts.
func (r *Replica) Recover() {
	r.armTimer(r.s.roundTimer)
	if r.syncing {
		r.armSyncTimer()
	}
	r.afterInput()
}

// Fire implements sim.Node.
func (r *Replica) Fire(t sim.Timer) {
	switch t.Kind {
	case timerRound:
		if t.ID != r.pm.timer {
			return
		}
		if d := r.pm.rearm; d > 0 {
			r.pm.rearm = 0
			r.armTimer(d)
			return
		}
		r.localTimeoutRound()
	case timerSync:
		if t.ID == r.sync.timer {
			r.syncRetry()
		}
	}
	r.afterInput()
}

// Deliver implements sim.Node: a message that is not nil is charged,
// handled and followed by afterInput.
func (r *Replica) Deliver(from sim.NodeID, m sim.Message) {
	if r.dispatch(from, m, true) {
		r.afterInput()
	}
}

// dispatch handles one message: a delivered one (received: its receipt is
// charged first) or one replayed after a sync. It reports false, and does
// nothing, for a nil message (one type switch answers both).
func (r *Replica) dispatch(from sim.NodeID, m sim.Message, received bool) bool {
	switch m := m.(type) {
	case nil:
		return false
	case *protocols.Request:
		if m == nil {
			return false
		}
		r.receipt(m, received)
		r.onRequest(from, m)
	case *Proposal:
		if m == nil {
			return false
		}
		r.receipt(m, received)
		if r.proposalValid(m) {
			r.onProposal(from, m)
		}
	case *Vote:
		if m == nil {
			return false
		}
		r.receipt(m, received)
		if key, ok := r.checkVote(m); ok {
			r.onVote(from, m, key)
		}
	case *Timeout:
		if m == nil {
			return false
		}
		r.receipt(m, received)
		if r.checkTimeout(m) {
			r.onTimeout(from, m)
		}
	case *SyncRequest:
		if m == nil {
			return false
		}
		r.receipt(m, received)
		r.onSyncRequest(from, m)
	case *SyncResponse:
		if m == nil {
			return false
		}
		r.receipt(m, received)
		r.onSyncResponse(from, m)
	default:
		r.receipt(m, received)
	}
	return true
}

// receipt charges the receipt of m when it was received (a replayed
// message was charged when it arrived) and the model charges receipts.
func (r *Replica) receipt(m sim.Message, received bool) {
	if received && r.costs.PerMessage|r.costs.PerByte != 0 {
		r.chargeReceive(m)
	}
}

// afterInput runs after every input: a sync whose target arrived ends, and
// the leader proposes if it has not yet in its round.
func (r *Replica) afterInput() {
	if d := r.pm.rearm; d > 0 {
		r.pm.rearm = 0
		r.armTimer(d)
	}
	if r.syncing && r.ledger.Known(r.sync.target) {
		r.finishSync()
	}
	r.processNewRoundEvent()
}

func (r *Replica) send(to sim.NodeID, m sim.Message) { r.conduct.Send(r.env, to, m) }

func (r *Replica) broadcast(m sim.Message) { r.conduct.Broadcast(r.env, m) }

// ready reports whether a certificate's block is available: known, or at
// or below the committed root (nothing left to do for it).
func (r *Replica) ready(qc *QC) bool {
	return qc.VoteInfo.Round <= r.ledger.RootRound() || r.ledger.Known(qc.VoteInfo.ID)
}

func (r *Replica) onRequest(from sim.NodeID, q *protocols.Request) {
	r.charge(r.costs.Verify) // the client's signature
	if q.Client != from || int(q.Client) < r.n {
		return // requests are signed by their client; a replica is not one
	}
	if result, done := r.mempool.Add(q); done {
		r.reply(q, result)
	}
}

// reply signs and sends the reply to a committed request: the client
// verifies one signature per reply.
func (r *Replica) reply(q *protocols.Request, result protocols.Digest) {
	r.charge(r.costs.Sign)
	r.send(q.Client, r.buf.replies.New(protocols.Reply{Client: q.Client, ID: q.ID, Replica: r.id, Result: result}))
}

// onProposal is process_proposal_msg.
func (r *Replica) onProposal(from sim.NodeID, p *Proposal) {
	b := p.Block
	if !r.ready(b.QC) {
		r.deferUntilSynced(deferred{from: from, msg: p}, b.QC)
		r.advanceRoundTC(p.LastRoundTC)
		return
	}
	if p.HighCommitQC != b.QC && !r.ready(p.HighCommitQC) { // ready(b.QC) just held
		r.deferUntilSynced(deferred{from: from, msg: p}, p.HighCommitQC)
		r.advanceRoundTC(p.LastRoundTC)
		return
	}
	r.processCertificateQC(b.QC)
	r.processSecondQC(p.HighCommitQC, b.QC)
	r.advanceRoundTC(p.LastRoundTC)
	round := r.pm.Round
	leader := r.Leader(round)
	if b.Round != round || from != leader || b.Author != leader {
		return
	}
	in, ok := r.executeAndInsertToVote(b)
	if !ok {
		return
	}
	if v := r.makeVote(b, p.LastRoundTC, in); v != nil {
		to := r.Leader(round + 1)
		if r.s.bugs.VoteCurrentLeader {
			to = r.Leader(round)
		}
		r.send(to, v)
	}
}

// onVote is process_vote_msg.
func (r *Replica) onVote(from sim.NodeID, v *Vote, key protocols.Digest) {
	round := v.VoteInfo.Round
	if round < r.pm.Round-1 || round > r.pm.Round+r.s.futureRounds {
		return
	}
	if !r.ready(v.HighCommitQC) {
		r.deferUntilSynced(deferred{from: from, msg: v}, v.HighCommitQC)
		return
	}
	r.processVoteQC(v.HighCommitQC)
	set := r.tree.addVote(v, key, r.n, r.quorum)
	if set == nil {
		return
	}
	r.handleNewQC(r.formQC(set, key))
}

// formQC builds a QC from a complete vote set.
func (r *Replica) formQC(set *voteSet, key protocols.Digest) *QC {
	r.charge(r.costs.Sign)
	sigs := set.sigs
	set.sigs = nil
	return &QC{
		VoteInfo:         set.info,
		LedgerCommitInfo: set.lci,
		Signatures:       sigs,
		Author:           r.id,
		AuthorSignature:  r.keys.sign(qcSignaturesDigest(key, sigs)),
		memo:             r.keys.fingerprint,
	}
}

// handleNewQC processes a QC this replica formed.
func (r *Replica) handleNewQC(qc *QC) {
	if !r.ready(qc) {
		r.deferUntilSynced(deferred{qc: qc}, qc)
		return
	}
	r.processCertificateQC(qc)
	r.newRoundEvent = true
}

// onTimeout is process_timeout_msg. It processes the certificates before
// the timeout itself, as the paper does: a replica that lacks the blocks of
// a certificate handles the whole message again after the sync (only the
// TC, which needs no block, moves its round now), so it counts the timeout
// — and joins it after f+1 (Bracha) — in the round the certificates bring
// it to, not in the round it lagged in.
func (r *Replica) onTimeout(from sim.NodeID, t *Timeout) {
	for _, qc := range []*QC{t.Info.HighQC, t.HighCommitQC} {
		if !r.ready(qc) {
			r.deferUntilSynced(deferred{from: from, msg: t}, qc)
			r.advanceRoundTC(t.LastRoundTC)
			return
		}
	}
	r.processCertificateQC(t.Info.HighQC)
	r.processCertificateQC(t.HighCommitQC)
	r.advanceRoundTC(t.LastRoundTC)
	if tc := r.processRemoteTimeout(&t.Info); tc != nil {
		r.advanceRoundTC(tc)
		r.newRoundEvent = true
	}
}

// processCertificateQC is process_certificate_qc.
func (r *Replica) processCertificateQC(qc *QC) {
	r.processQC(qc)
	r.elect.updateLeaders(qc, r.pm.Round, r.ledger)
	r.advanceRoundQC(qc)
}

// processQC is Block-tree.process_qc: a QC carrying a commit state commits
// its block's parent (2-chain) and every uncommitted ancestor.
func (r *Replica) processQC(qc *QC) {
	id := qc.VoteInfo.ID
	if _, seen := r.tree.certs.get(id); !seen && qc.VoteInfo.Round > r.ledger.RootRound() {
		r.tree.certs.add(id, qc) // get just missed
		r.env.Observe(chained.Box(&qc.certified, protocols.Certified{Round: qc.VoteInfo.Round, Digest: id}))
		r.strategyCertified(qc)
	}
	switch {
	case r.s.bugs.OneChainCommit:
		r.commit(id)
		r.tree.highCommitQC = maxQC(qc, r.tree.highCommitQC)
	case qc.LedgerCommitInfo.CommitStateID != 0:
		r.commit(qc.VoteInfo.ParentID)
		r.tree.highCommitQC = maxQC(qc, r.tree.highCommitQC)
	}
	r.tree.highQC = maxQC(qc, r.tree.highQC)
}

// commit commits a block and its uncommitted ancestors: executes them,
// reports the commits, and replies to the clients.
func (r *Replica) commit(id protocols.Digest) {
	if id == r.ledger.RootID() {
		return // the committed root: most calls, a QC already processed
	}
	if !r.commits() {
		return
	}
	chain := r.ledger.Commit(id)
	if len(chain) == 0 {
		return
	}
	for _, c := range chain {
		b := c.Block
		r.charge(r.costs.Execute * sim.Time(len(b.Payload)))
		// A newly committed state's height is its height in the ledger.
		r.env.Observe(chained.Box(&b.committed, protocols.Commit{Height: c.Height, Round: b.Round, Digest: b.ID, Requests: len(b.Payload)}))
		state := c.State
		r.mempool.CommitPayload(b.Payload, b.entryHints(), state, sim.NodeID(r.n), func(q *protocols.Request) { r.reply(q, state) })
	}
	r.tree.pruneCertified(r.ledger.RootRound())
}

// executeAndInsert is Block-tree.execute_and_insert: the block's payload is
// applied speculatively on its parent's state.
func (r *Replica) executeAndInsert(b *Block) bool {
	_, ok := r.ledger.Speculate(b.QC.VoteInfo.ID, b)
	return ok
}

// makeVote is Safety.make_vote; in are the speculative states
// executeAndInsertToVote found or made for b, if any.
func (r *Replica) makeVote(b *Block, lastTC *TC, in insertedStates) *Vote {
	qcRound := b.QC.VoteInfo.Round
	if !r.safety.safeToVote(b.Round, qcRound, lastTC) {
		return nil
	}
	r.safety.voted(b.Round, qcRound)
	exec, parent := r.insertedStates(b, in)
	vi := VoteInfo{ID: b.ID, Round: b.Round, ParentID: b.QC.VoteInfo.ID, ParentRound: qcRound, ExecStateID: exec}
	var commit protocols.Digest
	if commitStateCandidate(b.Round, qcRound) {
		commit = r.parentState(b, parent)
	}
	// Every correct replica votes the same vote info for b: its digests
	// are computed once per block (b.digests), not once per voter.
	lci := LedgerCommitInfo{CommitStateID: commit, VoteInfoHash: b.digests.voteInfo(&vi)}
	r.charge(r.costs.Sign + r.costs.Hash64*2)
	return r.votes.New(Vote{VoteInfo: vi, LedgerCommitInfo: lci, HighCommitQC: r.tree.highCommitQC, Sender: r.id, Signature: r.keys.sign(b.digests.ledgerCommit(&lci))})
}

// processNewRoundEvent is process_new_round_event: the leader of the
// current round proposes once, when it has transactions or uncommitted
// non-empty blocks need an empty block to reach commit. With propose_on =
// "new_round" it acts only after a new-round event (see newRoundEvent).
func (r *Replica) processNewRoundEvent() {
	round := r.pm.Round
	if r.Leader(round) != r.id || r.lastProposed >= round || !r.conduct.S.proposes() {
		r.newRoundEvent = false
		return
	}
	if r.s.newRoundOnly && !r.newRoundEvent {
		return
	}
	if r.awaitingTCQC(round) {
		return // the new-round event stays pending until the sync ends
	}
	r.newRoundEvent = false
	needEmpty := r.collectPathTransactions()
	txns := r.mempool.GetTransactions(r.buf.exclude)
	if len(txns) == 0 && !needEmpty {
		r.noteIdle(round)
		return
	}
	r.conduct.S.propose(r, round, txns)
}

// propose is the leader's proposal of txns in round, extending its high QC.
func (r *Replica) propose(round int64, txns []*protocols.Request) {
	r.lastProposed = round
	waited := r.idleFor(round)
	qc := r.tree.highQC
	p := r.makeProposal(round, txns, qc, r.tree.highCommitQC)
	r.env.Observe(protocols.Proposed{Round: round, Digest: p.Block.ID, Waited: waited})
	r.broadcast(p)
}

// awaitingTCQC reports whether the leader of round entered it through a TC
// that reports a higher QC than its own high QC while it is syncing the
// missing blocks: a block extending its high QC now would fail safe_to_vote
// at every replica (qc round < the TC's highest high-QC round), so it
// proposes once the sync ends and the TC's QCs are processed.
func (r *Replica) awaitingTCQC(round int64) bool {
	tc := r.pm.LastRoundTC
	return r.syncing && tc != nil && tc.Round == round-1 && r.tree.highQC.VoteInfo.Round < tc.MaxHighQCRound()
}

// makeProposal builds and signs a proposal extending qc.
func (r *Replica) makeProposal(round int64, txns []*protocols.Request, qc, highCommit *QC) *Proposal {
	var tc *TC
	if qc.VoteInfo.Round != round-1 && r.pm.LastRoundTC != nil && r.pm.LastRoundTC.Round == round-1 {
		tc = r.pm.LastRoundTC
	}
	b := newBlock(r.id, round, txns, qc)
	b.memo = r.keys.fingerprint
	r.charge(r.costs.Hash(b.payloadBytes+128) + r.costs.Sign)
	return &Proposal{Block: b, LastRoundTC: tc, HighCommitQC: highCommit, Signature: r.keys.sign(proposalDigest(b.ID))}
}

// collectPathTransactions fills r.buf.exclude with the transactions of the
// uncommitted blocks from the commit root to the high QC's block, and
// reports whether an empty block is needed: when one of them is non-empty
// (it must reach commit), or when the last committed block is non-empty
// (the other replicas learn its commit from the next proposal).
func (r *Replica) collectPathTransactions() bool {
	clear(r.buf.exclude)
	nonEmpty := len(r.ledger.Root().Block.Payload) > 0
	s, ok := r.ledger.Spec(r.tree.highQC.VoteInfo.ID)
	for i := 0; ok && s != nil && s != r.ledger.Root() && i < 4096; i++ {
		for _, q := range s.Block.Payload {
			if r.buf.exclude == nil { // made by the first leader's proposal
				r.buf.exclude = make(map[protocols.RequestKey]struct{})
			}
			r.buf.exclude[q.Key()] = struct{}{}
			nonEmpty = true
		}
		s = s.Parent
	}
	return nonEmpty
}

// processSecondQC is processCertificateQC(qc) for a message's second
// certificate, right after its first, first, was processed. A proposal's
// high commit QC is usually its block's QC, the same object: then only
// update_leaders can still act (process_certificate_qc may have moved the
// round it reads), and the rest finds its work done — the QC is recorded,
// its commit is the committed root, the high QCs and the round are at
// least its own.
func (r *Replica) processSecondQC(qc, first *QC) {
	if qc != first {
		r.processCertificateQC(qc)
		return
	}
	r.elect.updateLeaders(qc, r.pm.Round, r.ledger)
}

// charge charges d of CPU time; a cost model of zero costs (the benchmark
// shapes') makes no call.
func (r *Replica) charge(d sim.Time) {
	if d != 0 {
		r.env.Charge(d)
	}
}

// chargeReceive charges the cost of handling the received message m: its
// size is read only when the cost model charges by the byte.
func (r *Replica) chargeReceive(m sim.Message) { r.charge(r.costs.ReceiveOf(m)) }

// chargeHash charges the cost of hashing block b: its size is read only
// when hashing costs anything.
func (r *Replica) chargeHash(b *Block) {
	if r.costs.Hash64 != 0 {
		r.env.Charge(r.costs.Hash(b.Size()))
	}
}

// executeAndInsertToVote is executeAndInsert before a vote for b: it
// returns the speculative states it finds or makes, for makeVote, which
// needs them next.
func (r *Replica) executeAndInsertToVote(b *Block) (insertedStates, bool) {
	s, parent, ok := r.ledger.SpeculateState(b.QC.VoteInfo.ID, b)
	return insertedStates{s: s, parent: parent}, ok
}

// insertedStates returns the speculative state of pending block b (0 when
// not pending) and, when executeAndInsertToVote made it just now, its
// parent's state object (else nil). The states in, when they are b's,
// answer without a look-up.
func (r *Replica) insertedStates(b *Block, in insertedStates) (protocols.Digest, *chained.SpecState[*Block]) {
	if in.s != nil && in.s.Block == b {
		return in.s.State, in.parent
	}
	exec, _ := r.ledger.PendingState(b.ID)
	return exec, nil
}

// parentState returns the speculative state of b's parent (by b's QC): that
// of parent, the state executeAndInsertToVote found for it just now, or
// else looked up (0 when not pending).
func (r *Replica) parentState(b *Block, parent *chained.SpecState[*Block]) protocols.Digest {
	if parent != nil {
		return parent.State
	}
	s, _ := r.ledger.PendingState(b.QC.VoteInfo.ID)
	return s
}

// processVoteQC is processQC for a vote's high commit QC. A leader
// receives the same QC object in nearly every vote of a round, and
// processing it again changes nothing once its commit is done: it is then
// skipped (settled).
func (r *Replica) processVoteQC(qc *QC) {
	if qc == r.buf.settledQC && r.settled(qc) {
		return
	}
	r.processQC(qc)
	if !r.s.bugs.OneChainCommit && (qc.LedgerCommitInfo.CommitStateID == 0 || qc.VoteInfo.ParentID == r.ledger.RootID()) {
		r.buf.settledQC = qc // its commit, if any, is done
	}
}

// settled reports whether processQC(qc) would change nothing, for a QC
// whose commit is done (settledQC): the block it commits was the committed
// root when it was processed, and the root only moves to its descendants,
// so that block is the root or an ancestor, which the ledger no longer
// holds as pending (commit finds nothing to do). It is then enough that
// qc is recorded in the certificate index or at most the root's round,
// and that it leaves both high QCs as they are.
func (r *Replica) settled(qc *QC) bool {
	t := &r.tree
	if maxQC(qc, t.highQC) != t.highQC || maxQC(qc, t.highCommitQC) != t.highCommitQC {
		return false
	}
	if qc.VoteInfo.Round <= r.ledger.RootRound() {
		return true
	}
	_, seen := t.certs.get(qc.VoteInfo.ID)
	return seen
}
