package results

import "testing"

// TestPlotKindDocs describes every plot kind, in the order of PlotKinds.
func TestPlotKindDocs(t *testing.T) {
	kinds, docs := PlotKinds(), PlotKindDocs()
	if len(docs) != len(kinds) {
		t.Fatalf("%d docs for %d kinds", len(docs), len(kinds))
	}
	for i, d := range docs {
		if d.Kind != kinds[i] || d.Doc == "" {
			t.Errorf("doc %d = %+v, want kind %s with a description", i, d, kinds[i])
		}
	}
}
