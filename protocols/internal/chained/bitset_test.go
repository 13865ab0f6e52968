package chained

import (
	"math/rand/v2"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// TestBitset: Add reports first insertions only, refuses ids out of range,
// and keeps words apart (ids 63, 64 and 127 of a 130-id set).
func TestBitset(t *testing.T) {
	b := NewBitset(130)
	for _, tt := range []struct {
		id   sim.NodeID
		want bool
	}{
		{0, true}, {0, false}, {63, true}, {64, true}, {127, true}, {129, true},
		{63, false}, {64, false}, {130, true}, {192, false}, {-1, false}, {sim.None, false},
	} {
		if got := b.Add(tt.id); got != tt.want {
			t.Errorf("Add(%d) = %v, want %v", tt.id, got, tt.want)
		}
	}
	if len(NewBitset(0)) != 0 || len(NewBitset(64)) != 1 || len(NewBitset(65)) != 2 {
		t.Error("NewBitset sizes: want ⌈n/64⌉ words")
	}
}

// TestDropSome: the same seed drops the same keys whatever the map's
// insertion order, and oneIn = 1 drops every key.
func TestDropSome(t *testing.T) {
	fill := func(rev bool) map[int]bool {
		m := map[int]bool{}
		for i := range 100 {
			if rev {
				i = 99 - i
			}
			m[i] = true
		}
		return m
	}
	a, b := fill(false), fill(true)
	DropSome(rand.New(rand.NewPCG(1, 2)), a, 3)
	DropSome(rand.New(rand.NewPCG(1, 2)), b, 3)
	if len(a) == 0 || len(a) == 100 || len(a) != len(b) {
		t.Fatalf("kept %d and %d of 100, want the same, some dropped", len(a), len(b))
	}
	for k := range a {
		if !b[k] {
			t.Fatalf("key %d kept in one map only", k)
		}
	}
	all := fill(false)
	DropSome(rand.New(rand.NewPCG(1, 2)), all, 1)
	if len(all) != 0 {
		t.Errorf("oneIn = 1 kept %d keys", len(all))
	}
}
