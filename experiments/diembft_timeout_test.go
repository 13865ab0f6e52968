package experiments

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/diembft"
)

// TestRecoveredReplicaJoinsTimeout runs
// testdata/diembft-recovered-joins-timeout.toml: a recovered DiemBFT replica
// that must sync before it can process the high QC of the others' timeouts
// counts those timeouts in the round the QC brings it to and joins them, so
// the round ends with a TC at once. Its [expect] min_round fails when the
// timeouts are counted (and joined) in the round the replica lagged in.
func TestRecoveredReplicaJoinsTimeout(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol())
	plan, err := Load("testdata/diembft-recovered-joins-timeout.toml", reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	executePassing(t, plan, t.TempDir())
}
