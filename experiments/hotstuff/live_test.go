package hotstuff_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/hotstuff"
	"github.com/byzsim/byzsim/results"
)

// TestLive runs HotStuff live on loopback (n = 4, 50 requests, real
// Ed25519 signatures, messages through hotstuff.Codec): the run passes
// safety and liveness and completes every request.
func TestLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live runs use real time")
	}
	reg := protocols.NewRegistry(hotstuff.Protocol())
	plan, err := experiments.Load("testdata/live-hotstuff.toml", reg, experiments.Options{Sets: []string{"costs.real_crypto=true"}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := experiments.Execute(context.Background(), plan, experiments.RunOptions{Out: t.TempDir(), Live: &experiments.LiveOptions{FreePorts: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) > 0 {
		t.Fatalf("live run failed its checks: %+v", rep.Failures[0].Checks)
	}
	s, err := results.ReadSummary(filepath.Join(rep.Dir, experiments.RunsDir, plan.Runs[0].ID, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]bool{}
	for _, c := range s.Checks {
		ok[c.Name] = c.OK
	}
	if !ok["safety"] || !ok["liveness"] {
		t.Fatalf("checks %+v: want safety and liveness passed", s.Checks)
	}
	if s.RequestsCompleted != 50 {
		t.Errorf("%d requests completed, want 50", s.RequestsCompleted)
	}
}
