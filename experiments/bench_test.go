package experiments

import (
	"runtime"
	"testing"

	"github.com/byzsim/byzsim/internal/gcpolicy"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
)

// benchExperiment runs one experiment file's first run through the same
// path as byzsim run (build, simulate, check, write the run's files, under
// the same garbage collection policy) and reports simulated events per wall second, heap allocations per event, the
// virtual/wall time ratio and the wall time of one run.
func benchExperiment(b *testing.B, file string, sets ...string) {
	defer gcpolicy.Start(gcpolicy.DefaultFloor).Install()()
	reg := protocols.NewRegistry(diembft.Protocol(), bftlist.Protocol())
	plan, err := Load(file, reg, Options{Sets: sets})
	if err != nil {
		b.Fatal(err)
	}
	run := &plan.Runs[0]
	dir := b.TempDir()
	var events uint64
	var virtual float64
	var before, after runtime.MemStats
	b.ReportAllocs()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		s, p, err := commitRun(run, reg, dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		if s.Verdict != "pass" {
			b.Fatalf("run failed its checks: %+v", s.Checks)
		}
		events += p.Events
		virtual += float64(p.VirtualPerWall) * float64(p.WallSeconds)
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	wall := b.Elapsed().Seconds()
	b.ReportMetric(float64(events)/wall, "events/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(max(events, 1)), "allocs/event")
	b.ReportMetric(virtual/wall, "virtual/wall")
	b.ReportMetric(float64(events)/float64(b.N), "events/run")
}

// long skips a benchmark of several seconds per run under -short.
func long(b *testing.B) {
	if testing.Short() {
		b.Skip("long benchmark; run without -short")
	}
}

// BenchmarkDiemBFTSaturationN4: n = 4, 10,000 requests offered open-loop
// near saturation, default CPU costs.
func BenchmarkDiemBFTSaturationN4(b *testing.B) {
	benchExperiment(b, "bench/diembft-n4-saturation.toml")
}

// BenchmarkPeer256: the peer simulator's shape at n = 256 with a saturated
// workload (target ≤ 0.075 s per run).
func BenchmarkPeer256(b *testing.B) { benchExperiment(b, "bench/peer-256.toml") }

// BenchmarkPeer512: the same at n = 512 (target ≤ 0.25 s).
func BenchmarkPeer512(b *testing.B) { benchExperiment(b, "bench/peer-512.toml") }

// BenchmarkPeer256Flood: the peer shape at n = 256 with clients flooding
// every replica (the client path; target ≤ 0.15 s).
func BenchmarkPeer256Flood(b *testing.B) { benchExperiment(b, "bench/peer-256-flood.toml") }

// BenchmarkPeer512Flood: the same at n = 512.
func BenchmarkPeer512Flood(b *testing.B) { benchExperiment(b, "bench/peer-512-flood.toml") }

// BenchmarkBFTListN31: BFTList n = 31, 60 s of virtual time.
func BenchmarkBFTListN31(b *testing.B) {
	long(b)
	benchExperiment(b, "bench/bftlist-n31.toml")
}

// BenchmarkBFTListN100: BFTList n = 100, 60 s of virtual time (target ≤ 12 s
// per run).
func BenchmarkBFTListN100(b *testing.B) {
	long(b)
	benchExperiment(b, "bench/bftlist-n100.toml")
}

// BenchmarkDiemBFTN1000: DiemBFT n = 1,000, 60 s of virtual time at 20
// requests/s (target ≤ 5 s per run).
func BenchmarkDiemBFTN1000(b *testing.B) {
	long(b)
	benchExperiment(b, "bench/diembft-n1000.toml")
}

// BenchmarkBFTList204: BFTList n = 6, the thesis's 204 APPEND requests.
func BenchmarkBFTList204(b *testing.B) { benchExperiment(b, "bench/bftlist-204.toml") }
