package workloads

import (
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// TestHeightCounts: commits are counted per height whether the height is
// in the slice, far beyond it or negative (in the map), and a height
// counted in the map keeps its count when the slice grows over it.
func TestHeightCounts(t *testing.T) {
	var c heightCounts
	far := int64(3 * denseHeights)
	steps := []struct {
		height int64
		want   int
	}{
		{1, 1}, {1, 2}, {0, 1}, {2, 1},
		{far, 1}, {far, 2}, // beyond the slice's reach: in the map
		{-5, 1}, {-5, 2},
		{denseHeights - 1, 1},   // the slice grows to it
		{2*denseHeights - 1, 1}, // and again
		{far, 3},                // still just beyond: in the map
		{2*denseHeights + 100, 1},
		{far, 4}, // the slice grew over it: moved from the map
		{far, 5},
		{1, 3},
	}
	for i, st := range steps {
		if got := c.add(st.height); got != st.want {
			t.Fatalf("step %d: height %d counted %d, want %d", i, st.height, got, st.want)
		}
	}
	if _, ok := c.far[far]; ok {
		t.Error("a height moved to the slice stays in the map")
	}
}

// TestCommittedCountsHeights: a tracker's Committed counts heights as
// heightCounts.add does (it counts most of them in the slice itself),
// completing requests exactly when a height's count reaches n−f, also
// for heights counted in the map and moved to the slice as it grows.
func TestCommittedCountsHeights(t *testing.T) {
	far := int64(3 * denseHeights)
	heights := []int64{1, 1, 0, 2, far, far, -5, -5, 0, denseHeights - 1, 2*denseHeights - 1, far,
		2*denseHeights + 100, far, far, far, 1, 2, denseHeights - 1, 2*denseHeights + 100, -5, 3, 3}
	for _, cfg := range []Config{{N: 2, F: 0}, {N: 3, F: 1}, {N: 4, F: 1}, {N: 7, F: 2}} {
		tr, err := NewTracker(cfg, []Spec{{Count: 1000, Clients: 1, Timeout: sim.Second, Params: &SaturatedParams{}}})
		if err != nil {
			t.Fatal(err)
		}
		var ref heightCounts
		for i, h := range heights {
			want := ref.add(h) == cfg.N-cfg.F
			if got := len(tr.Committed(sim.Time(i), h, 1)) > 0; got != want {
				t.Fatalf("n = %d, f = %d, step %d: height %d completed requests: %v, want %v", cfg.N, cfg.F, i, h, got, want)
			}
		}
	}
}
