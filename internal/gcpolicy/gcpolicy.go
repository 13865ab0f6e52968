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

	"github.com/byzsim/byzsim/internal/hugepages"
)

// DefaultFloor is the memory below which a run is not collected.
const DefaultFloor = 256 << 20

// Pending is the policy on its way: the heap it will let grow is being
// prepared while the caller does its own start-up work.
type Pending struct {
	floor     uint64
	heapReady func() hugepages.Outcome
}

// Start begins preparing the heap for the policy with the given floor: the
// floor's worth of heap is advised for transparent huge pages
// (hugepages.Start), on a goroutine of its own.
// Install waits for that and installs the policy; where no run follows
// (an error), Wait waits for the preparation alone. The collector's
// settings must not change in between.
func Start(floor uint64) *Pending {
	return &Pending{floor: floor, heapReady: hugepages.Start(floor)}
}

// Wait waits until the heap is prepared. It may be called more than once.
func (p *Pending) Wait() { p.heapReady() }

// Install waits until the heap is prepared, then installs the policy (Set)
// and returns the function that restores the previous settings.
func (p *Pending) Install() (restore func()) {
	p.Wait()
	return Set(p.floor)
}

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
