package bftlist

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// lsnap is a snapshot of a replica of view 1 with list st, legitimate
// unless edit changes it.
func lsnap(st []int64, edit func(*LegitState)) protocols.Snapshot {
	ls := LegitState{Phase: 0, Views: ViewPair{1, 1}, Allow: true, Prim: 1, PMPrim: 1, State: st}
	if edit != nil {
		edit(&ls)
	}
	return protocols.Snapshot{Round: ls.Views.Current, State: ls}
}

// TestLegitimatePredicate proves the predicate true on legitimate states
// and false on hand-made illegitimate ones, each breaking one clause of the
// paper's legitimate state.
func TestLegitimatePredicate(t *testing.T) {
	list := []int64{4, 8, 15}
	tests := []struct {
		name  string
		snaps []protocols.Snapshot
		want  bool
	}{
		{"same view, prefix lists", []protocols.Snapshot{lsnap(list, nil), lsnap(list[:2], nil), lsnap(nil, nil)}, true},
		{"one replica", []protocols.Snapshot{lsnap(list, nil)}, true},
		{"phase 1", []protocols.Snapshot{lsnap(list, nil), lsnap(list, func(s *LegitState) { s.Phase = 1 })}, false},
		{"view change pending", []protocols.Snapshot{lsnap(list, func(s *LegitState) { s.Views.Next = 2 }), lsnap(list, nil)}, false},
		{"reset view", []protocols.Snapshot{lsnap(list, func(s *LegitState) { s.Views = RST })}, false},
		{"service not allowed", []protocols.Snapshot{lsnap(list, nil), lsnap(list, func(s *LegitState) { s.Allow = false })}, false},
		{"different views", []protocols.Snapshot{lsnap(list, nil), lsnap(list, func(s *LegitState) { s.Views = ViewPair{2, 2}; s.Prim, s.PMPrim = 2, 2 })}, false},
		{"replication primary differs", []protocols.Snapshot{lsnap(list, func(s *LegitState) { s.Prim = 3 })}, false},
		{"monitoring primary differs", []protocols.Snapshot{lsnap(list, nil), lsnap(list, func(s *LegitState) { s.PMPrim = 0 })}, false},
		{"diverging lists", []protocols.Snapshot{lsnap(list, nil), lsnap([]int64{4, 9}, nil)}, false},
		{"no state", []protocols.Snapshot{{Round: 1}}, false},
	}
	for _, tt := range tests {
		if got := Protocol().Legitimate(6, 1, tt.snaps); got != tt.want {
			t.Errorf("%s: legitimate = %v, want %v", tt.name, got, tt.want)
		}
	}
}
