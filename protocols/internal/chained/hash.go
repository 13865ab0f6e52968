package chained

import (
	"github.com/byzsim/byzsim/protocols"
)

// Domain tags keep the digests of different record types apart.
const (
	TagBlock uint64 = iota + 0x6469656d00
	TagPayload
	TagRequest
	TagVoteInfo
	TagLedgerCommit
	TagQCSignatures
	TagTimeout
	TagProposal
	TagState
	TagGenesis
	TagKey
)

// Mix is the SplitMix64 finalizer: a fast, well-distributed 64-bit mixer.
func Mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Hasher folds 64-bit words into a digest. It models a cryptographic hash:
// byzsim needs digests that differ whenever the hashed fields differ, not
// collision resistance against an adversary with compute.
type Hasher uint64

// NewHasher returns a hasher for records of the domain tag.
func NewHasher(tag uint64) Hasher { return Hasher(Mix(tag)) }

// Add folds x into the digest.
func (h *Hasher) Add(x uint64) { *h = Hasher(Mix(uint64(*h) ^ x)) }

// AddInt folds x into the digest.
func (h *Hasher) AddInt(x int64) { h.Add(uint64(x)) }

// Sum returns the digest; it is never 0, which stands for ⊥.
func (h Hasher) Sum() protocols.Digest {
	d := protocols.Digest(Mix(uint64(h)))
	if d == 0 {
		d = 1
	}
	return d
}

// RequestDigest is the digest of one client transaction.
func RequestDigest(q *protocols.Request) uint64 {
	h := NewHasher(TagRequest)
	h.AddInt(int64(q.Client))
	h.Add(q.ID)
	h.Add(uint64(q.Op))
	h.AddInt(q.Value)
	h.AddInt(int64(q.Payload))
	return uint64(h.Sum())
}

// PayloadDigest is the digest of a block payload, in order.
func PayloadDigest(txns []*protocols.Request) protocols.Digest {
	h := NewHasher(TagPayload)
	h.AddInt(int64(len(txns)))
	for _, q := range txns {
		if q == nil {
			h.Add(0)
			continue
		}
		h.Add(RequestDigest(q))
	}
	return h.Sum()
}
