package report

import (
	"context"
	"testing"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/diembft"
)

// peer256Dir runs experiments/bench/peer-256.toml (DiemBFT n = 256,
// 100 blocks) into a temporary directory and returns the experiment's
// output directory.
func peer256Dir(b *testing.B) string {
	reg := protocols.NewRegistry(diembft.Protocol())
	plan, err := experiments.Load("../experiments/bench/peer-256.toml", reg, experiments.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rep, err := experiments.Execute(context.Background(), plan, experiments.RunOptions{Out: b.TempDir(), Jobs: 1})
	if err != nil {
		b.Fatal(err)
	}
	return rep.Dir
}

// BenchmarkBuildPeer256: the report of a peer-256 run, built from its
// output directory.
func BenchmarkBuildPeer256(b *testing.B) {
	dir := peer256Dir(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildFromPeer256: the same report with the run's timeline lanes
// in memory, as byzsim run builds it.
func BenchmarkBuildFromPeer256(b *testing.B) {
	reg := protocols.NewRegistry(diembft.Protocol())
	plan, err := experiments.Load("../experiments/bench/peer-256.toml", reg, experiments.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rep, err := experiments.Execute(context.Background(), plan, experiments.RunOptions{Out: b.TempDir(), Jobs: 1, KeepLanes: MaxTimelines})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildFrom(rep.Dir, Memory{Lanes: rep.Lanes}); err != nil {
			b.Fatal(err)
		}
	}
}
