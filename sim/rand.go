package sim

import (
	"math/rand/v2"
)

// DeriveSeed hashes a master seed, a stream name and integer labels into the
// seed of an independent stream. The same inputs always give the same seed;
// streams with different names or labels are statistically independent, so
// adding a node or a rule never shifts the draws of another stream.
func DeriveSeed(seed uint64, name string, labels ...int64) uint64 {
	// FNV-1a over the name and labels, then SplitMix64 finalization mixed
	// with the master seed.
	h := hashName(name)
	for _, l := range labels {
		h = hashLabel(h, l)
	}
	return seedOf(seed, h)
}

// fnvOffset and fnvPrime are FNV-1a's 64-bit offset basis and prime.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvPrime7 is fnvPrime^7 modulo 2^64: FNV-1a over a byte and six zero
// bytes is one multiplication by it (h ^ 0 is h, and multiplication
// modulo 2^64 is associative).
const (
	fnvPrime2 = fnvPrime * fnvPrime % (1 << 64)
	fnvPrime6 = fnvPrime2 * fnvPrime2 % (1 << 64) * fnvPrime2 % (1 << 64)
	fnvPrime7 = fnvPrime6 * fnvPrime % (1 << 64)
)

// hashName is DeriveSeed's hash of a stream name before its labels.
func hashName(name string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= fnvPrime
	}
	return h
}

// hashLabel adds one label to DeriveSeed's hash h.
func hashLabel(h uint64, l int64) uint64 {
	// The label's eight bytes, least significant first, written out (a
	// new link hashes one label; the loop took three times the
	// instructions).
	u := uint64(l)
	if u < 1<<16 {
		// A node's number: its six high bytes are zero.
		h = (h ^ u&0xff) * fnvPrime
		h = (h ^ u>>8) * fnvPrime7
		return (h ^ 0xff) * fnvPrime
	}
	h = (h ^ u&0xff) * fnvPrime
	h = (h ^ u>>8&0xff) * fnvPrime
	h = (h ^ u>>16&0xff) * fnvPrime
	h = (h ^ u>>24&0xff) * fnvPrime
	h = (h ^ u>>32&0xff) * fnvPrime
	h = (h ^ u>>40&0xff) * fnvPrime
	h = (h ^ u>>48&0xff) * fnvPrime
	h = (h ^ u>>56) * fnvPrime
	// Separate labels so (1, 23) and (12, 3) differ.
	return (h ^ 0xff) * fnvPrime
}

// seedOf is DeriveSeed's seed from the master seed and the hash of a
// stream's name and labels.
func seedOf(seed, h uint64) uint64 { return splitmix(seed ^ splitmix(h)) }

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Stream returns a new PCG random stream derived from seed, name and labels.
func Stream(seed uint64, name string, labels ...int64) *rand.Rand {
	s := DeriveSeed(seed, name, labels...)
	return rand.New(rand.NewPCG(s, splitmix(s)))
}
