package workloads

import "testing"

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
