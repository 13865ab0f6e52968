package report

import (
	"fmt"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/results"
)

// TestShownRuns: failed runs first, then the first run of each point, then
// the rest, in plan order, at most MaxTimelines.
func TestShownRuns(t *testing.T) {
	row := func(id, point, verdict string) results.RunRow {
		return results.RunRow{ID: id, Params: []string{point}, Verdict: verdict}
	}
	pass, fail := results.VerdictPass, results.VerdictFail
	tab := results.RunsTable{Params: []string{"p"}, Rows: []results.RunRow{
		row("0", "a", pass), row("1", "a", pass), row("2", "b", pass), row("3", "b", fail), row("4", "c", pass),
	}}
	var ids []string
	for _, i := range shownRuns(tab) {
		ids = append(ids, tab.Rows[i].ID)
	}
	if want := []string{"3", "0", "1", "2", "4"}; !slices.Equal(ids, want) {
		t.Errorf("shown %v, want %v", ids, want)
	}

	var big results.RunsTable
	big.Params = []string{"p"}
	for i := range 100 {
		v := pass
		if i%40 == 39 {
			v = fail
		}
		big.Rows = append(big.Rows, row(fmt.Sprint(i), fmt.Sprint(i%10), v))
	}
	shown := shownRuns(big)
	if len(shown) != MaxTimelines {
		t.Fatalf("%d runs shown, want %d", len(shown), MaxTimelines)
	}
	// Runs 39 and 79 failed; then the first run of each of the 10 points
	// (0 … 9), then 10, 11, ... in plan order.
	if shown[0] != 39 || shown[1] != 79 || shown[2] != 0 || shown[11] != 9 || shown[12] != 10 {
		t.Errorf("shown %v", shown)
	}
}

func TestInlineSVG(t *testing.T) {
	doc := []byte("<?xml version=\"1.0\"?>\n<!-- Generated -->\n<svg width=\"1pt\"></svg>\n")
	if got := string(inlineSVG(string(doc))); got != "<svg width=\"1pt\"></svg>\n" {
		t.Errorf("inlineSVG = %q", got)
	}
}
