package sim

import (
	"fmt"
	"strings"
	"testing"
)

func TestKindIndex(t *testing.T) {
	var k KindIndex
	// Kinds built at run time have bytes at other addresses than the
	// constants: they must get the constants' numbers all the same.
	built := func(s string) string { return strings.Clone(s) }
	for _, c := range []struct {
		kind string
		want int
	}{
		{"vote", 0}, {"proposal", 1}, {"vote", 0}, {built("vote"), 0},
		{"", 2}, {"", 2}, {built("proposal"), 1}, {"proposal", 1}, {"votes", 3}, {"vot", 4},
	} {
		if got := k.Index(c.kind); got != c.want {
			t.Errorf("Index(%q) = %d, want %d", c.kind, got, c.want)
		}
	}
	// More kinds than the cache has entries: every one keeps its number.
	var many []string
	for i := 0; i < 3*kindCache; i++ {
		many = append(many, fmt.Sprintf("kind-%d", i))
	}
	for round := 0; round < 3; round++ {
		for i, s := range many {
			if round == 2 {
				s = built(s)
			}
			if got, want := k.Index(s), 5+i; got != want {
				t.Fatalf("round %d: Index(%q) = %d, want %d", round, s, got, want)
			}
		}
	}
	if k.Len() != 5+len(many) || k.Kind(1) != "proposal" || k.Kind(2) != "" || k.Kind(5) != "kind-0" {
		t.Errorf("Len %d, Kind(1) %q, Kind(2) %q, Kind(5) %q", k.Len(), k.Kind(1), k.Kind(2), k.Kind(5))
	}
}
