package chained

import (
	"fmt"
	"math"

	"github.com/byzsim/byzsim/sim"
)

// Election is DiemBFT's LeaderElection module, shared by the chained
// protocols: round-robin with roundsPerLeader consecutive rounds per
// leader, optionally overridden by the reputation scheme, and by the
// "leader" attribute (a fault). The protocol decides when a QC elects a
// leader by reputation (its commit rule) and walks its own records
// (ElectByReputation).
//
// Invariants: the leader of a round is a function of the run seed, the
// round and the committed chain, so correct replicas that committed the
// same blocks agree; it never reads a process-global random source.
type Election struct {
	// The reputation scheme's parameters, read only when it elects, come
	// first, and the fields Leader and updateLeaders read last, together
	// (a replica that holds the election by value puts the first outside
	// the cache lines it reads for every message, the others inside).
	windowSize  int
	excludeSize int
	seed        uint64

	// leaders holds reputation-based leaders and attribute overrides by
	// round; nil until the first (Leader, on every input, then reads no
	// map header: at n = 1,000 a cache miss per replica).
	leaders map[int64]sim.NodeID
	// Table, when set, replaces round-robin (Twins scenarios fix the leader
	// of every round); reputation and attribute overrides still apply.
	Table           func(round int64) sim.NodeID
	roundsPerLeader int64
	// memoKey[round&1] is round+1 when memoLeader[round&1] is the leader of
	// round (0: empty). A replica asks for the leader of its round after
	// every input and for the next round's with every vote: two slots by
	// parity answer both without a map, a table call or a division. The
	// slots hold only what Leader computed with no Table, are read only
	// with none, and are emptied by every change of the leaders.
	memoKey    [2]int64
	memoLeader [2]sim.NodeID
	n          int32 // ≤ 2^31: node ids are int32
	reputation bool
}

// NewElection returns the election of n replicas; seed is the protocol's
// reputation seed (derived from the run seed with the protocol's label). It
// panics unless 1 ≤ n < 2^31 (node ids are int32) and roundsPerLeader ≥ 1:
// protocols check both in their parameters first.
func NewElection(n int, roundsPerLeader int64, reputation bool, window, exclude int, seed uint64) *Election {
	if n < 1 || int64(n) > math.MaxInt32 || roundsPerLeader < 1 {
		panic(fmt.Sprintf("chained: an election of %d replicas with %d rounds per leader", n, roundsPerLeader))
	}
	return &Election{
		n: int32(n), roundsPerLeader: roundsPerLeader, reputation: reputation,
		windowSize: window, excludeSize: exclude,
		seed: seed,
	}
}

// Reputation reports whether the reputation scheme is on.
func (e *Election) Reputation() bool { return e.reputation }

// RoundRobin is validators[⌊round / roundsPerLeader⌋ mod n].
func (e *Election) RoundRobin(round int64) sim.NodeID {
	k := round / e.roundsPerLeader
	if round < 0 && round%e.roundsPerLeader != 0 {
		k--
	}
	i := k % int64(e.n)
	if i < 0 {
		i += int64(e.n)
	}
	return sim.NodeID(i)
}

// Leader returns the leader of round.
func (e *Election) Leader(round int64) sim.NodeID {
	slot := round & 1
	if e.memoKey[slot] == round+1 && round != -1 && e.Table == nil {
		return e.memoLeader[slot]
	}
	if len(e.leaders) > 0 {
		if l, ok := e.leaders[round]; ok {
			e.memoKey[slot], e.memoLeader[slot] = round+1, l
			return l
		}
	}
	if e.Table != nil {
		return e.Table(round)
	}
	l := e.RoundRobin(round)
	e.memoKey[slot], e.memoLeader[slot] = round+1, l
	return l
}

// forget empties Leader's memo (the leaders changed).
func (e *Election) forget() { e.memoKey = [2]int64{} }

// Override sets the leader of round (the "leader" attribute).
func (e *Election) Override(round int64, id sim.NodeID) { e.set(round, id) }

// set records id as the leader of round, making the table on first use.
func (e *Election) set(round int64, id sim.NodeID) {
	if e.leaders == nil {
		e.leaders = make(map[int64]sim.NodeID)
	}
	e.leaders[round] = id
	e.forget()
}

// Elected returns the leader set for round by reputation or by the
// "leader" attribute, if any.
func (e *Election) Elected(round int64) (sim.NodeID, bool) {
	id, ok := e.leaders[round]
	return id, ok
}

// SetElected records the outcome of a reputation election for round: the
// elected id, or, with no candidate (ok false), round-robin (or the
// table), as in the reference, which stores ⊥ and so also undoes a
// "leader" override.
func (e *Election) SetElected(round int64, id sim.NodeID, ok bool) {
	if ok {
		e.set(round, id)
	} else {
		delete(e.leaders, round)
		e.forget()
	}
}

// ChainKeys tells ElectByReputation how to walk a protocol's committed
// chain back from a QC of type Q through blocks of type B.
type ChainKeys[Q, B comparable] struct {
	// Committed returns the block the QC commits (its parent under a
	// 2-chain rule, its grandparent under a 3-chain rule) when it is
	// committed here, else the zero B.
	Committed func(Q) B
	// Signers adds the QC's signers to set.
	Signers func(q Q, set Bitset)
	// Author is a block's author (negative for genesis).
	Author func(B) sim.NodeID
	// QC is the QC a block carries.
	QC func(B) Q
}

// ElectByReputation picks, with a draw seeded by (run seed, round of qc),
// one of the validators that signed the QCs of the last windowSize
// committed blocks, excluding the authors of the last excludeSize committed
// blocks.
func ElectByReputation[Q, B comparable](e *Election, qc Q, round int64, keys ChainKeys[Q, B]) (sim.NodeID, bool) {
	active, excluded := NewBitset(int(e.n)), NewBitset(int(e.n))
	nExcluded := 0
	var noQC Q
	var noBlock B
	cur := qc
	for i := 0; cur != noQC && (i < e.windowSize || nExcluded < e.excludeSize); i++ {
		b := keys.Committed(cur)
		if b == noBlock || keys.Author(b) < 0 {
			break // not committed here, or genesis
		}
		if i < e.windowSize {
			keys.Signers(cur, active)
		}
		if nExcluded < e.excludeSize && excluded.Add(keys.Author(b)) {
			nExcluded++
		}
		cur = keys.QC(b)
	}
	var cands []sim.NodeID
	for id := range e.n {
		w, m := id/64, uint64(1)<<(id%64)
		if active[w]&m != 0 && excluded[w]&m == 0 {
			cands = append(cands, sim.NodeID(id))
		}
	}
	if len(cands) == 0 {
		return sim.None, false
	}
	pick := Mix(e.seed^uint64(round)) % uint64(len(cands))
	return cands[pick], true
}

// Prune drops the leaders of rounds below round.
func (e *Election) Prune(round int64) {
	if len(e.leaders) < 64 {
		return
	}
	for r := range e.leaders {
		if r < round {
			delete(e.leaders, r)
		}
	}
	e.forget()
}
