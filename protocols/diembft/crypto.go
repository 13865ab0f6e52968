package diembft

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Signature is a signature by Signer over Digest.
//
// By default signatures are modelled: the tag is a keyed mix of the signer's
// secret and the digest, so only code holding the signer's keyring can
// produce it, and verification checks signer, digest and tag. With
// protocols.Costs.RealCrypto the tag is replaced by a real Ed25519 signature
// over the digest. Either way, CPU time is charged from the cost model.
type Signature struct {
	Signer sim.NodeID
	Digest protocols.Digest
	tag    uint64
	ed     *[ed25519.SignatureSize]byte
}

func (s Signature) String() string { return fmt.Sprintf("sig{%d:%x}", s.Signer, uint64(s.Digest)) }

// keyring holds a replica's own signing key and derives every replica's
// verification key from the run seed: keys are a deterministic function of
// (seed, replica id), so every replica of a run agrees on them.
type keyring struct {
	self sim.NodeID
	real bool
	n    int
	base uint64 // secret base of modelled keys
	// fingerprint identifies the key set and the quorum size; a certificate
	// memoizes its validity under a fingerprint, so one verified under one
	// quorum size (e.g. bug_small_quorum's) is verified again under
	// another.
	fingerprint uint64
	ed          *edKeys // real mode only
}

// edKeys are a keyring's Ed25519 keys (real mode): its own private key and
// every replica's public key, derived lazily.
type edKeys struct {
	priv ed25519.PrivateKey
	pubs []ed25519.PublicKey
}

func newKeyring(seed uint64, self sim.NodeID, n, quorum int, real bool) *keyring {
	k := &keyring{self: self, n: n, base: sim.DeriveSeed(seed, "diembft-keys"), real: real}
	h := newHasher(tagKey)
	h.Add(k.base)
	h.AddInt(int64(n))
	h.AddInt(int64(quorum))
	if real {
		h.Add(1)
		k.ed = &edKeys{priv: ed25519.NewKeyFromSeed(k.edSeed(self)), pubs: make([]ed25519.PublicKey, n)}
	}
	k.fingerprint = uint64(h.Sum())
	return k
}

func (k *keyring) edSeed(id sim.NodeID) []byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], k.base)
	binary.LittleEndian.PutUint64(b[8:], uint64(id))
	s := sha256.Sum256(b[:])
	return s[:]
}

func (k *keyring) pub(id sim.NodeID) ed25519.PublicKey {
	if k.ed.pubs[id] == nil {
		k.ed.pubs[id] = ed25519.NewKeyFromSeed(k.edSeed(id)).Public().(ed25519.PublicKey)
	}
	return k.ed.pubs[id]
}

func (k *keyring) modelTag(id sim.NodeID, d protocols.Digest) uint64 {
	return mix(mix(k.base^uint64(id)*0x9e3779b97f4a7c15) ^ uint64(d))
}

func digestBytes(d protocols.Digest) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(d))
	return b[:]
}

// sign signs d as the keyring's owner; a replica can sign only as itself.
func (k *keyring) sign(d protocols.Digest) Signature {
	s := Signature{Signer: k.self, Digest: d}
	if k.real {
		var e [ed25519.SignatureSize]byte
		copy(e[:], ed25519.Sign(k.ed.priv, digestBytes(d)))
		s.ed = &e
	} else {
		s.tag = k.modelTag(k.self, d)
	}
	return s
}

// verify reports whether s is a valid signature by a replica over want.
func (k *keyring) verify(s Signature, want protocols.Digest) bool {
	if s.Signer < 0 || int(s.Signer) >= k.n || s.Digest != want {
		return false
	}
	if k.real {
		return s.ed != nil && ed25519.Verify(k.pub(s.Signer), digestBytes(want), s.ed[:])
	}
	return s.ed == nil && s.tag == k.modelTag(s.Signer, want)
}
