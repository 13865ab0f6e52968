package diembft

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/chained"
)

// This file binds the machinery shared with the other chained protocol
// (protocols/internal/chained: hash, mempool, ledger, bitsets) to this package.

// Ledger is the Ledger module (committed chain and speculative states of
// the pending blocks) over DiemBFT's blocks; see chained.Ledger.
type Ledger = chained.Ledger[*Block]

// blockKeys is what the ledger needs of a block.
var blockKeys = chained.BlockKeys[*Block]{
	ID:      func(b *Block) protocols.Digest { return b.ID },
	Round:   func(b *Block) int64 { return b.Round },
	Payload: (*Block).payloadDigest,
	State:   (*Block).stateAfter,
}

func newLedger(genesis *Block, genesisState protocols.Digest) *Ledger {
	return chained.NewLedger(&blockKeys, genesis, genesisState)
}

// Mempool holds client requests not yet committed; see chained.Mempool.
type Mempool = chained.Mempool

func newMempool(blockSize int) *Mempool { return chained.NewMempool(blockSize) }

// tagGenesis is the domain tag of the genesis block's digests.
const tagGenesis = chained.TagGenesis

func newHasher(tag uint64) chained.Hasher { return chained.NewHasher(tag) }

// tagKey is the domain tag of the keyring's fingerprint.
const tagKey = chained.TagKey

func mix(x uint64) uint64 { return chained.Mix(x) }

// bitset is a set of replica ids; see chained.Bitset.
type bitset = chained.Bitset

func newBitset(n int) bitset { return chained.NewBitset(n) }

// genesisPair is a replica's genesis block and QC, allocated together
// (genesis): both live as long as the replica.
type genesisPair struct {
	b  Block
	qc QC
}
