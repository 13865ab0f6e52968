package experiments

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/results"
)

// TestKeptLanes: the lanes of the runs a report shows first are kept,
// whatever the order the runs finish in: failed runs, then first
// repetitions, then the others, each in plan order.
func TestKeptLanes(t *testing.T) {
	runs := make([]Run, 12)
	for i := range runs {
		runs[i] = Run{ID: string(rune('a' + i)), Index: i, Point: i / 3, Repetition: i % 3}
	}
	failed := map[int]bool{7: true, 11: true}
	for _, c := range []struct {
		keep  int
		order []int // completion order
		want  string
	}{
		{0, []int{0, 1, 2}, ""},
		{4, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "adhl"},
		{4, []int{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, "adhl"},
		{6, []int{5, 3, 8, 0, 11, 2, 7, 1, 4, 9, 6, 10}, "adghjl"},
		{20, []int{2, 1, 0}, "abc"},
	} {
		k := keptLanes{max: c.keep}
		for _, i := range c.order {
			k.add(&runs[i], failed[i], results.TimelineLanes{Replicas: i})
		}
		got := k.byID()
		ids := slices.Sorted(maps.Keys(got))
		if s := strings.Join(ids, ""); s != c.want {
			t.Errorf("keep %d of %v: kept %q, want %q", c.keep, c.order, s, c.want)
		}
		for id, l := range got {
			if l.Replicas != int(id[0]-'a') {
				t.Errorf("run %s: lanes of run %d", id, l.Replicas)
			}
		}
	}
}
