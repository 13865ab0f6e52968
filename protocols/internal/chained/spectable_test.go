package chained

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// TestSpecTable: the table answers as a map does through random puts and
// deletions (with and without the expected state), over growth, with ids
// that collide in their home slot and ids that are small numbers.
func TestSpecTable(t *testing.T) {
	for _, ids := range []struct {
		name string
		of   func(k int) protocols.Digest
	}{
		{"small ids", func(k int) protocols.Digest { return protocols.Digest(k) }},
		{"digests", func(k int) protocols.Digest { return protocols.Digest(Mix(uint64(k))) }},
		{"same home", func(k int) protocols.Digest { return protocols.Digest(uint64(k) << 58) }},
	} {
		t.Run(ids.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			var tab specTable[int]
			model := map[protocols.Digest]*SpecState[int]{}
			for step := range 20000 {
				id := ids.of(rng.IntN(64))
				switch op := rng.IntN(10); {
				case op < 5:
					s := &SpecState[int]{Block: step}
					tab.put(id, s)
					model[id] = s
				case op < 8:
					removed := tab.del(id, nil)
					_, had := model[id]
					delete(model, id)
					if removed != had {
						t.Fatalf("step %d: del(%d) = %v, the model had it: %v", step, id, removed, had)
					}
				default:
					other := &SpecState[int]{}
					if tab.del(id, other) {
						t.Fatalf("step %d: del(%d) removed another state", step, id)
					}
					if s, ok := model[id]; ok && rng.IntN(2) == 0 {
						if !tab.del(id, s) {
							t.Fatalf("step %d: del(%d) kept its own state", step, id)
						}
						delete(model, id)
					}
				}
				if int(tab.n) != len(model) {
					t.Fatalf("step %d: %d entries, want %d", step, tab.n, len(model))
				}
				for k := range 64 {
					id := ids.of(k)
					got, ok := tab.get(id)
					want, wok := model[id]
					if ok != wok || got != want {
						t.Fatalf("step %d: get(%d) = %v %v, want %v %v", step, id, got, ok, want, wok)
					}
				}
			}
			if !slices.Equal(tab.ids(), slices.Sorted(maps.Keys(model))) {
				t.Errorf("ids %v, want %v", tab.ids(), slices.Sorted(maps.Keys(model)))
			}
		})
	}
}
