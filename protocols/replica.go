package protocols

import (
	"math/rand/v2"

	"github.com/byzsim/byzsim/sim"
)

// Replica is a protocol replica: a sim.Node plus the hooks byzsim's fault
// engine, checkers and corruption need.
type Replica interface {
	sim.Node
	// Round is the replica's current round (DiemBFT) or view (BFTList) as it
	// believes it. Fault rules match on the sender's round at send time.
	Round() int64
	// Leader is the leader of round as this replica believes it.
	Leader(round int64) sim.NodeID
	// SetAttribute sets a named attribute (see Protocol.Attributes) — the
	// SetAttribute fault. An unknown name or a bad value is an error.
	SetAttribute(name string, value int64) error
	// SetBehaviour switches the replica to a named Byzantine behaviour, or
	// back to honest with "". An unknown name is an error.
	SetBehaviour(name string) error
	// Corrupt sets the state named by scope (see Protocol.CorruptScopes; an
	// empty scope means everything) to arbitrary type-correct values drawn
	// from rng — a transient fault. The replica runs correct code afterwards.
	Corrupt(rng *rand.Rand, scope []string) error
	// Snapshot returns what checkers read. It must be cheap: the committed
	// log may share memory with the replica and must not be modified.
	Snapshot() Snapshot
}

// Preloader is implemented by replicas that accept requests placed in their
// queues before the run starts, as if clients had sent them at time 0 (the
// saturated workload; Twins scenarios). Such requests may carry a negative
// client id: no node has it, and the replica sends it no reply.
type Preloader interface {
	Preload(reqs ...*Request)
}

// Digest is a 64-bit digest of a block, a request or a state.
type Digest uint64

// Snapshot is a replica's state as checkers see it.
type Snapshot struct {
	// Round is the current round or view.
	Round int64
	// Log is the committed (executed) log: one digest per height, in order.
	Log []Digest
	// State is a protocol-specific value that Protocol.Legitimate reads.
	State any
}

// Config is what a replica is built from.
type Config struct {
	// ID is the replica's node id, in 0 … N−1.
	ID sim.NodeID
	// N is the number of replicas, F the number of faults tolerated.
	N, F int
	// Clients is the number of client nodes; their ids follow the replicas'.
	Clients int
	// Params are the protocol's parameters, validated and with defaults
	// filled (see Protocol.Params).
	Params Params
	// Costs is the CPU cost model.
	Costs Costs
	// Behaviour is the Byzantine behaviour at start; "" is honest.
	Behaviour string
	// Seed is the run's master seed, for protocol streams beyond Env.Rand
	// (e.g. a reputation election shared by all replicas).
	Seed uint64
}

// Costs is the modelled CPU time of a replica's basic operations.
type Costs struct {
	Sign       sim.Time // one signature
	Verify     sim.Time // one signature verification
	Hash64     sim.Time // hashing 64 bytes
	Execute    sim.Time // executing one client command
	PerByte    sim.Time // handling one byte of a received message
	PerMessage sim.Time // fixed handling cost of one received message
	// RealCrypto asks protocols to use real Ed25519 signatures instead of
	// modelled ones (costs are still charged from this model).
	RealCrypto bool
}

// DefaultCosts are measured with Go's crypto on a current x86 core.
func DefaultCosts() Costs {
	return Costs{
		Sign:       20 * sim.Microsecond,
		Verify:     50 * sim.Microsecond,
		Hash64:     100 * sim.Nanosecond,
		Execute:    1 * sim.Microsecond,
		PerByte:    0,
		PerMessage: 2 * sim.Microsecond,
	}
}

// Hash returns the cost of hashing n bytes.
func (c Costs) Hash(n int) sim.Time {
	return c.Hash64 * sim.Time((n+63)/64)
}

// Receive returns the cost of handling one received message of n bytes.
func (c Costs) Receive(n int) sim.Time {
	return c.PerMessage + c.PerByte*sim.Time(n)
}

// ReceiveOf returns the cost of handling the received message m,
// Receive(m.Size()). The size is read only when the model charges by the
// byte: a message's size can cost more to compute than the receipt's
// charge, and the default model has no per-byte cost. (A pointer
// receiver: inlined, it reads the two fields, not a copy of the model.)
func (c *Costs) ReceiveOf(m sim.Message) sim.Time {
	if c.PerByte == 0 {
		return c.PerMessage
	}
	return c.Receive(m.Size())
}

// MessageForger is implemented by replicas that can make arbitrary
// type-correct messages of their protocol, for transient faults of messages
// in transit (corrupt: same kind, arbitrary fields; replace: any kind).
type MessageForger interface {
	// ArbitraryMessage returns a message of the given kind (one of the
	// protocol's MessageKinds; "" for any of them) with arbitrary
	// type-correct field values drawn from rng, or nil when it cannot make
	// that kind.
	ArbitraryMessage(rng *rand.Rand, kind string) sim.Message
}

// ScopeTimers is the corruption scope of a replica's pending timers, which
// every protocol with timers lists in Protocol.CorruptScopes.
const ScopeTimers = "timers"
