// Package gcpolicy sets when the garbage collector runs during a long
// simulation. A run allocates its state (replicas, links, logs) as it goes
// and keeps most of it to the end, so with Go's default policy (collect
// when the heap has doubled since the last collection, starting at 4 MB)
// a run of a few hundred MB collects a dozen times while it grows, each
// time scanning everything it has built: half again the work of the run
// itself at n = 512. Under this policy the collector waits until the
// process uses a floor's worth of memory, then collects when the heap has
// doubled since the last collection, as by default. Small and medium runs
// never collect; large ones collect as they did, at the same peak.
package gcpolicy

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// DefaultFloor is the memory below which a run is not collected.
const DefaultFloor = 256 << 20

// Set installs the policy with the given floor in bytes and returns a
// function that restores the previous settings. It leaves the collector
// alone (and returns a no-op) when GOGC or GOMEMLIMIT is set in the
// environment: an explicit setting wins.
func Set(floor uint64) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" || floor == 0 {
		return func() {}
	}
	p := &policy{floor: min(floor, math.MaxInt64)}
	p.sample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	prevLimit := debug.SetMemoryLimit(int64(p.floor))
	prevPercent := debug.SetGCPercent(-1)
	p.arm()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.stopped = true
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	}
}

type policy struct {
	floor   uint64
	mu      sync.Mutex // orders the hook and restore
	sample  []metrics.Sample
	stopped bool
}

// sentinel is an object whose cleanup runs after the collection that
// finds it unreachable: a hook on every collection.
type sentinel struct{ _ *policy }

// arm registers the hook for the next collection.
func (p *policy) arm() {
	runtime.AddCleanup(&sentinel{}, (*policy).collected, p)
}

// collected runs after a collection: the next one comes when the memory
// in use reaches twice the live heap, or the floor.
func (p *policy) collected() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	metrics.Read(p.sample)
	if s := p.sample[0]; s.Value.Kind() == metrics.KindUint64 {
		live := s.Value.Uint64()
		debug.SetMemoryLimit(int64(max(p.floor, min(2*live, math.MaxInt64/2))))
	}
	p.arm()
}
