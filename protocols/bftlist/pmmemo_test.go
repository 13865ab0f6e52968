package bftlist

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestCandidatesMemoMatchesFresh checks that primary monitoring's memoized
// candidates equal a fresh gathering after every way a record is written:
// a peer's new message (and a repeated one), a clean state, a corruption,
// and own's primary and need-change set written in place. Each of the
// memo's invalidations is needed for it to pass.
func TestCandidatesMemoMatchesFresh(t *testing.T) {
	for _, c := range []struct{ n, f int }{{6, 1}, {7, 1}, {11, 2}, {16, 3}} {
		t.Run(fmt.Sprintf("n=%d,f=%d", c.n, c.f), func(t *testing.T) { candidatesMemoMatchesFresh(t, c.n, c.f) })
	}
}

func candidatesMemoMatchesFresh(t *testing.T, n, f int) {
	rng := rand.New(rand.NewPCG(21, 22))
	ways := map[string]int{}
	for trial := 0; trial < 40; trial++ {
		r, _ := newTestReplica(t, 0, n, f, nil)
		pm := &r.pm
		prim := func() int64 { return rng.Int64N(2) } // two primaries, so records often share own's
		for step := 0; step < 200; step++ {
			switch way := rng.IntN(8); way {
			case 0, 1, 2: // a peer's new message
				j := 1 + rng.IntN(n-1)
				pm.take(j, &PMMsg{VCM: VCM{Status: OK, Prim: prim(), NeedChange: true, NeedChgSet: randSet(rng, n)}, N: n})
				ways["new"]++
			case 3: // the same message again
				j := 1 + rng.IntN(n-1)
				if m := pm.got[j]; m != nil {
					pm.take(j, m)
				}
			case 4:
				if rng.IntN(4) == 0 {
					pm.clean()
					ways["clean"]++
				} else {
					r.corruptPM(rng)
					ways["corrupt"]++
				}
			case 5:
				pm.vcm[r.id].Prim = prim()
				ways["own prim"]++
			case 6:
				pm.vcm[r.id].NeedChgSet = randSet(rng, n)
				ways["own set"]++
			case 7:
				pm.updateNeedChgSet()
			}
			got, want := pm.memoCandidates(), pm.candidates()
			if got.same != want.same || got.members != want.members || got.total != want.total {
				t.Fatalf("trial %d step %d: memo %v/%d/%d, fresh %v/%d/%d", trial, step,
					got.same.ids(), got.members, got.total, want.same.ids(), want.members, want.total)
			}
		}
	}
	for _, w := range []string{"new", "clean", "corrupt", "own prim", "own set"} {
		if ways[w] == 0 {
			t.Errorf("no step wrote records by %s", w)
		}
	}
}
