package twinsrun

import (
	"context"
	"testing"

	"github.com/byzsim/byzsim/failures/twins"
)

// BenchmarkDefault runs n=4, t=1, P=2, R=7 + 7 GST rounds (random
// sampling, no bug) on every core; one op is one scenario.
func BenchmarkDefault(b *testing.B) {
	g, err := twins.New(defaultParams())
	if err != nil {
		b.Fatal(err)
	}
	var scens []twins.Scenario
	g.Sample(1, 0, 4096, func(s twins.Scenario) bool { scens = append(scens, s); return true })
	src := func(emit func(twins.Scenario) bool) twins.Stats {
		for i := 0; i < b.N; i++ {
			if !emit(scens[i%len(scens)]) {
				break
			}
		}
		return twins.Stats{Generated: int64(b.N)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	rep, err := Execute(context.Background(), settings(), src, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if rep.Failed != 0 {
		b.Fatalf("%d violations", rep.Failed)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scenarios/s")
}

// BenchmarkRunner runs the same scenarios on one runner (one core).
func BenchmarkRunner(b *testing.B) {
	g, err := twins.New(defaultParams())
	if err != nil {
		b.Fatal(err)
	}
	var scens []twins.Scenario
	g.Sample(1, 0, 1024, func(s twins.Scenario) bool { scens = append(scens, s); return true })
	rn, err := NewRunner(settings())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rn.Run(&scens[i%len(scens)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scenarios/s")
}

// BenchmarkGenerate measures sampling with symmetry reduction.
func BenchmarkGenerate(b *testing.B) {
	g, err := twins.New(defaultParams())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	g.Sample(1, 0, int64(b.N), func(twins.Scenario) bool { return true })
}
