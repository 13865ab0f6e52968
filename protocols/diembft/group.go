package diembft

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/chained"
)

// New returns a replica for cfg; bad parameters are an error.
func New(cfg protocols.Config) (*Replica, error) { return newReplica(cfg, nil) }

// NewGroup implements protocols.Protocol.NewGroup: the parameters are
// parsed once for the run, and the replicas that preload the same requests
// copy one mempool that holds them. Parameters that do not parse leave
// each replica to New, which reports them.
func NewGroup(shared protocols.Config) func(protocols.Config) (protocols.Replica, error) {
	s, err := parseParams(shared.Params, shared.F)
	if err != nil {
		return newAny
	}
	s.group = &group{behaviours: behaviours(), seed: shared.Seed, reputationSeed: reputationSeed(shared.Seed)}
	return func(cfg protocols.Config) (protocols.Replica, error) { return asReplica(newReplica(cfg, &s)) }
}

// newAny is New as protocols.Protocol.New.
func newAny(cfg protocols.Config) (protocols.Replica, error) { return asReplica(New(cfg)) }

// asReplica returns r as a protocols.Replica, or nil (not a nil *Replica)
// with err.
func asReplica(r *Replica, err error) (protocols.Replica, error) {
	if err != nil {
		return nil, err
	}
	return r, nil
}

// group is what the replicas of one run share, read-only but for the
// preloaded mempool built by the first replica that preloads.
type group struct {
	preload    preloadCache
	behaviours *protocols.Behaviours[strategy]
	// reputationSeed is the reputation election's seed for the run seed
	// seed.
	seed, reputationSeed uint64
}

// behaviours returns the table of Byzantine behaviours: the group's, or a
// new one for a replica built alone.
func (s *settings) behaviours() *protocols.Behaviours[strategy] {
	if s.group != nil {
		return s.group.behaviours
	}
	return behaviours()
}

// newElection returns the leader election of a replica of cfg.
func (s *settings) newElection(cfg protocols.Config) Election {
	if g := s.group; g != nil && g.seed == cfg.Seed {
		return Election{*chained.NewElection(cfg.N, s.roundsPerLeader, s.reputation, s.windowSize, s.excludeSize, g.reputationSeed)}
	}
	return *newElection(cfg.N, s.roundsPerLeader, s.reputation, s.windowSize, s.excludeSize, cfg.Seed)
}

// orParse returns the settings base points to, or those parsed from
// cfg.Params when base is nil.
func (base *settings) orParse(cfg protocols.Config) (settings, error) {
	if base != nil {
		return *base, nil
	}
	return parseParams(cfg.Params, cfg.F)
}

// preloadCache is the mempool the replicas of one run preload, shared
// read-only: each replica that preloads the same requests into an empty
// mempool copies it (Mempool.CopyOf: the copy shares its requests, index
// and queue until it writes them, and has its own entry states).
type preloadCache struct {
	reqs []*protocols.Request // what pool holds, as the first replica got it
	pool *Mempool
}

// fill makes m, when empty, a copy of the mempool holding reqs, built on
// the first call. The same requests are the same slice (the same first
// element and length): the run hands every replica one slice. It reports
// false, and does nothing, when m is not empty or reqs is another slice.
func (c *preloadCache) fill(m *Mempool, reqs []*protocols.Request) bool {
	if len(reqs) == 0 {
		return false
	}
	if c.pool == nil {
		c.reqs, c.pool = reqs, newMempool(1)
		c.pool.AddAll(reqs)
	}
	if len(c.reqs) != len(reqs) || &c.reqs[0] != &reqs[0] {
		return false
	}
	return m.CopyOf(c.pool)
}

// buffers are a replica's scratch space and the slab its replies are
// allocated from.
type buffers struct {
	replies chained.Slab[protocols.Reply]
	// votes received are checked against the digests of the last vote
	// info and ledger commit info (a leader receives the same ones from
	// every correct voter).
	received voteDigests
	// settledQC is the last vote's high commit QC that processVoteQC
	// processed whose commit, if any, was done then (see settled).
	settledQC *QC
	exclude   map[protocols.RequestKey]struct{} // the transactions on the path of a proposal; nil until one has some
}

// insertedStates are the speculative state s of a block and, when it was
// made just now, its parent's.
type insertedStates struct {
	s, parent *chained.SpecState[*Block]
}
