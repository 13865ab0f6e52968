package hotstuff

import (
	"github.com/byzsim/byzsim/protocols"
)

// Domain tags keep the digests of different record types apart.
const (
	tagBlock uint64 = iota + 0x6469656d00
	tagPayload
	tagRequest
	tagVoteInfo
	tagLedgerCommit
	tagQCSignatures
	tagTimeout
	tagProposal
	tagState
	tagGenesis
	tagKey
)

// mix is the SplitMix64 finalizer: a fast, well-distributed 64-bit mixer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hasher folds 64-bit words into a digest. It models a cryptographic hash:
// byzsim needs digests that differ whenever the hashed fields differ, not
// collision resistance against an adversary with compute.
type hasher uint64

func newHasher(tag uint64) hasher { return hasher(mix(tag)) }

func (h *hasher) add(x uint64) { *h = hasher(mix(uint64(*h) ^ x)) }

func (h *hasher) addInt(x int64) { h.add(uint64(x)) }

// sum returns the digest; it is never 0, which stands for ⊥.
func (h hasher) sum() protocols.Digest {
	d := protocols.Digest(mix(uint64(h)))
	if d == 0 {
		d = 1
	}
	return d
}

// requestDigest is the digest of one client transaction.
func requestDigest(q *protocols.Request) uint64 {
	h := newHasher(tagRequest)
	h.addInt(int64(q.Client))
	h.add(q.ID)
	h.add(uint64(q.Op))
	h.addInt(q.Value)
	h.addInt(int64(q.Payload))
	return uint64(h.sum())
}

// payloadDigest is the digest of a block payload, in order.
func payloadDigest(txns []*protocols.Request) protocols.Digest {
	h := newHasher(tagPayload)
	h.addInt(int64(len(txns)))
	for _, q := range txns {
		if q == nil {
			h.add(0)
			continue
		}
		h.add(requestDigest(q))
	}
	return h.sum()
}
