package results

import (
	"fmt"
	"runtime/metrics"
	"time"

	"github.com/byzsim/byzsim/sim"
)

// Perf is a run's perf.json: how fast the simulator ran on this machine.
// It is the only per-run file with wall-clock data and is not expected to
// be reproducible.
type Perf struct {
	WallSeconds         Float  `json:"wall_seconds"`
	Events              uint64 `json:"events"`
	EventsPerWallSecond Float  `json:"events_per_wall_second"`
	// VirtualPerWall is virtual seconds simulated per wall second.
	VirtualPerWall Float `json:"virtual_per_wall"`
	// PeakHeapBytes is the largest heap in objects (runtime.MemStats.HeapAlloc,
	// read as runtime/metrics' /memory/classes/heap/objects:bytes) sampled
	// during the run. The heap is the process's: runs in parallel share it.
	PeakHeapBytes uint64 `json:"peak_heap_bytes"`
}

// PerfMeter measures wall time and heap of a run. Wall time is the point
// here, so it reads the wall clock. Not safe for concurrent use.
type PerfMeter struct {
	start time.Time
	peak  uint64
	heap  [1]metrics.Sample
}

// heapObjects is the runtime metric equal to runtime.MemStats.HeapAlloc;
// reading it does not stop the world, as runtime.ReadMemStats does (every
// goroutine of the process, other runs' included).
const heapObjects = "/memory/classes/heap/objects:bytes"

// StartPerf starts measuring now.
func StartPerf() *PerfMeter {
	p := &PerfMeter{start: time.Now(), heap: [1]metrics.Sample{{Name: heapObjects}}}
	p.Sample()
	return p
}

// Sample reads the heap size and keeps the largest seen. Call it every so
// often, not per event.
func (p *PerfMeter) Sample() {
	metrics.Read(p.heap[:])
	if v := p.heap[0].Value; v.Kind() == metrics.KindUint64 {
		p.peak = max(p.peak, v.Uint64())
	}
}

// Stop samples the heap a last time and returns the figures of a run that
// processed events and simulated virtual time.
func (p *PerfMeter) Stop(events uint64, virtual sim.Time) Perf {
	wall := time.Since(p.start).Seconds()
	p.Sample()
	perf := Perf{WallSeconds: Float(wall), Events: events, PeakHeapBytes: p.peak}
	if wall > 0 {
		perf.EventsPerWallSecond = Float(float64(events) / wall)
		perf.VirtualPerWall = Float(virtual.Seconds() / wall)
	}
	return perf
}

// WritePerf writes p to path as indented JSON, atomically.
func WritePerf(path string, p Perf) error {
	return WritePerfTo(nil, path, p)
}

// WritePerfTo is WritePerf into the batch b (on its own if b is nil): the
// file is in place once b is committed.
func WritePerfTo(b *Batch, path string, p Perf) error {
	data, err := marshalJSON(p, true)
	if err != nil {
		return fmt.Errorf("results: %s: %w", path, err)
	}
	return b.putFile(path, data)
}
