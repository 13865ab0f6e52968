package sim

import "unsafe"

// KindIndex numbers message kinds 0, 1, 2, … in the order they are first
// seen, so that per-kind tables are slices rather than maps keyed by
// string. Index is on the path of every message: a kind seen before costs
// a look-up in a small cache keyed by the address of the kind's bytes (a
// Kind method returns the same string constant each time) and a comparison
// of address and length, which the hot callers (Env.Send) inline as
// cached; only a kind whose bytes live elsewhere (or a cache collision)
// costs a map look-up. The zero value
// is ready to use.
type KindIndex struct {
	cache [kindCache]kindEntry
	index map[string]int
	kinds []string
}

type kindEntry struct {
	kind string
	i    int
}

// kindCache is the number of entries of a KindIndex's cache, a power of
// two.
const kindCache = 64

// Index returns the number of kind, giving it the next one on first sight.
func (k *KindIndex) Index(kind string) int {
	if i := k.cached(kind); i >= 0 {
		return i
	}
	return k.slow(kind)
}

// cached returns the number of kind when the cache holds it, else -1. It
// inlines, where Index, with its slow path, does not: a hot caller writes
// Index out as cached, then slow when it gives -1.
func (k *KindIndex) cached(kind string) int {
	p := unsafe.StringData(kind)
	c := k.entry(p)
	// Equal addresses and lengths make equal strings; the empty kind,
	// whose address may be nil like an unused entry's, takes the slow path.
	if unsafe.StringData(c.kind) == p && len(c.kind) == len(kind) && p != nil {
		return c.i
	}
	return -1
}

// slow returns the number of a kind missing from the cache and caches it.
func (k *KindIndex) slow(kind string) int {
	i, ok := k.index[kind]
	if !ok {
		if k.index == nil {
			k.index = make(map[string]int)
		}
		i = len(k.kinds)
		k.index[kind] = i
		k.kinds = append(k.kinds, kind)
	}
	*k.entry(unsafe.StringData(kind)) = kindEntry{kind: kind, i: i}
	return i
}

// entry returns the cache entry of a kind whose bytes start at p.
func (k *KindIndex) entry(p *byte) *kindEntry {
	return &k.cache[(uintptr(unsafe.Pointer(p))>>3)&(kindCache-1)]
}

// Len returns the number of kinds seen.
func (k *KindIndex) Len() int { return len(k.kinds) }

// Kind returns the kind numbered i.
func (k *KindIndex) Kind(i int) string { return k.kinds[i] }
