package workloads_test

import (
	"slices"
	"testing"

	"github.com/byzsim/byzsim/sim"
	"github.com/byzsim/byzsim/workloads"
)

// TestOneFileWorkloadType registers the burst type of burst_test.go — one
// file — beside the builtin ones, decodes it from keys, rejects its keys on
// other types and bad values with the key named, and runs it: each client
// sends bursts of 3 every 500ms and every request completes.
func TestOneFileWorkloadType(t *testing.T) {
	ms := sim.Millisecond
	kinds := append(workloads.Builtin(), workloads.BurstKind())
	if got := kinds.Named(); got[len(got)-1].Name != "burst" || got[len(got)-1].Doc == "" {
		t.Errorf("Named() = %v, want burst listed last with its doc", got)
	}
	common := workloads.Spec{Count: 7, Clients: 2, Timeout: 30 * sim.Second, Start: sim.Second}
	for _, tc := range []struct {
		typ  string
		v    workloads.Values
		want string
	}{
		{"flood", workloads.Values{{Key: "size", V: 3}}, "size: only burst workloads take a burst size (this one is flood)"},
		{"burst", workloads.Values{{Key: "size", V: -1}, {Key: "period", V: ms}}, "size: must be ≥ 1, got -1"},
		{"burst", workloads.Values{{Key: "size", V: 2}}, "period: must be > 0, got 0s"},
		{"burst", workloads.Values{{Key: "rate", V: 2.0}}, "rate: only open_loop workloads take a rate (this one is burst)"},
	} {
		if _, err := kinds.Build(common, tc.typ, tc.v); err == nil || err.Error() != tc.want {
			t.Errorf("Build(%s, %v) = %v, want %q", tc.typ, tc.v, err, tc.want)
		}
	}
	spec, err := kinds.Build(common, "burst", workloads.Values{{Key: "size", V: 3}, {Key: "period", V: 500 * ms}})
	if err != nil {
		t.Fatal(err)
	}
	if spec.Name != "burst" || spec.Type() != "burst" {
		t.Errorf("spec %+v: name or type not the burst type's", spec)
	}
	out := setup{specs: []workloads.Spec{spec}}.run(t)
	if st := out.tr.Status()[0]; !st.Done || st.Completed != 14 {
		t.Fatalf("workload not done: %+v", st)
	}
	want := []sim.Time{0, 0, 0, 500 * ms, 500 * ms, 500 * ms, 1000 * ms}
	for client, recs := range byClient(out.tr.Records()) {
		var got []sim.Time
		for _, r := range recs {
			got = append(got, r.SentAt-common.Start)
		}
		if !slices.Equal(got, want) {
			t.Errorf("client %d sent at %v after start, want %v", client, got, want)
		}
	}
}
