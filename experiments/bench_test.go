package experiments

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
)

// benchExperiment runs one experiment file's first run through the same
// path as byzsim run (build, simulate, check, write the run's files) and
// reports simulated events per wall second, allocations per event and the
// virtual/wall time ratio.
func benchExperiment(b *testing.B, file string, sets ...string) {
	reg := protocols.NewRegistry(diembft.Protocol(), bftlist.Protocol())
	plan, err := Load(file, reg, Options{Sets: sets})
	if err != nil {
		b.Fatal(err)
	}
	run := &plan.Runs[0]
	dir := b.TempDir()
	var events uint64
	var virtual float64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, p, err := executeRun(run, reg, dir, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		if s.Verdict != "pass" {
			b.Fatalf("run failed its checks: %+v", s.Checks)
		}
		events += p.Events
		virtual += float64(p.VirtualPerWall) * float64(p.WallSeconds)
	}
	wall := b.Elapsed().Seconds()
	b.ReportMetric(float64(events)/wall, "events/s")
	b.ReportMetric(virtual/wall, "virtual/wall")
	b.ReportMetric(float64(events)/float64(b.N), "events/run")
}

// BenchmarkDiemBFTSaturationN4: n = 4, 10,000 requests offered open-loop
// near saturation, default CPU costs.
func BenchmarkDiemBFTSaturationN4(b *testing.B) {
	benchExperiment(b, "bench/diembft-n4-saturation.toml")
}

// BenchmarkPeer256: the peer simulator's shape at n = 256 (target ≤ 0.1 s).
func BenchmarkPeer256(b *testing.B) { benchExperiment(b, "bench/peer-256.toml") }

// BenchmarkPeer512: the same at n = 512 (target ≤ 0.4 s).
func BenchmarkPeer512(b *testing.B) { benchExperiment(b, "bench/peer-512.toml") }

// BenchmarkBFTList204: BFTList n = 6, the thesis's 204 APPEND requests.
func BenchmarkBFTList204(b *testing.B) { benchExperiment(b, "bench/bftlist-204.toml") }
