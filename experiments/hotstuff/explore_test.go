package hotstuff_test

import (
	"context"
	"testing"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/explore"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/hotstuff"
)

const exploreFile = "../explore/hotstuff.toml"

func exploreConfig(t *testing.T, sets ...string) *explore.Config {
	t.Helper()
	reg := protocols.NewRegistry(hotstuff.Protocol())
	plan, err := experiments.Load(exploreFile, reg, experiments.Options{Sets: sets})
	if err != nil {
		t.Fatal(err)
	}
	c, err := explore.FromPlan(plan, reg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestExplore: random fault schedules (byzsim explore on
// experiments/explore/hotstuff.toml, n = 4 … 7) find nothing against the
// correct protocol, and find the planted 1-chain commit and small quorum.
func TestExplore(t *testing.T) {
	res, err := explore.Run(context.Background(), exploreConfig(t), explore.Options{Jobs: 2, Schedules: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 0 {
		t.Fatalf("%d of %d schedules failed: %v", res.Failed, res.Schedules, res.ByCheck)
	}
	for _, bug := range []string{"bug_one_chain_commit", "bug_small_quorum"} {
		t.Run(bug, func(t *testing.T) {
			c := exploreConfig(t, "protocol.params."+bug+"=true")
			res, err := explore.Run(context.Background(), c, explore.Options{Jobs: 2, Schedules: 1000, NoMinimize: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.ByCheck["safety"] == 0 {
				t.Fatalf("no safety failure in %d schedules (by check: %v)", res.Schedules, res.ByCheck)
			}
		})
	}
}
