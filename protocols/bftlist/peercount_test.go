package bftlist

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// refCount is what peerCounts.result is defined as: a single count over
// the n replicas' lists in order (own's list at its index), each replica
// counted once per item, returning the items held by at least q replicas
// (and by one at least) in the order they were first seen.
func refCount[T comparable](lists [][]T, q int) []T {
	var order []T
	holders := map[T]int{}
	for _, l := range lists {
		seen := map[T]bool{}
		for _, x := range l {
			if seen[x] {
				continue
			}
			seen[x] = true
			if holders[x] == 0 {
				order = append(order, x)
			}
			holders[x]++
		}
	}
	var out []T
	for _, x := range order {
		if holders[x] >= max(q, 1) {
			out = append(out, x)
		}
	}
	return out
}

// TestPeerCountsMatchReference checks the peers' counts and their results
// against refCount: for each counted status, requests counted by countReq
// with a status mask per occurrence, and client requests by countClientReq,
// over lists with repeated items, own at any index (0 too: its first
// position is then 0), thresholds from 0 to n+1, enough distinct items to
// need the map index, and several results taken from one count with
// different own lists (the scratch of one result must not leak into the
// next).
func TestPeerCountsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 3000; trial++ {
		n := 1 + rng.IntN(7)
		ownK := rng.IntN(n)
		universe := 1 + rng.IntN(40) // beyond counterScan: the map index
		item := func() Req {
			i := rng.IntN(universe)
			return Req{Q: ClientReq{Client: sim.NodeID(i % 3), TS: uint64(i), Value: int64(i % 5)}, View: int64(i % 2), Seq: int64(i)}
		}
		// Peers' occurrences: an item with the statuses it counts for.
		type occ struct {
			q    Req
			mask uint8
		}
		peers := make([][]occ, n)
		for k := range peers {
			if k == ownK {
				continue
			}
			for range rng.IntN(12) {
				peers[k] = append(peers[k], occ{item(), uint8(rng.IntN(int(allCounted) + 1))})
			}
		}
		var sup peerCounts[Req]
		var pend peerCounts[ClientReq]
		sup.restart(uint64(trial), nil)
		pend.restart(uint64(trial), nil)
		for k, l := range peers {
			for i, o := range l {
				if o.mask != 0 {
					countReq(&sup, &o.q, o.mask, k, position(k, i))
				}
				countClientReq(&pend, &o.q.Q, k, position(k, i))
			}
		}
		for range 3 {
			own := make([]Req, rng.IntN(8))
			for i := range own {
				own[i] = item()
			}
			ownQ := make([]ClientReq, len(own))
			for i := range own {
				ownQ[i] = own[i].Q
			}
			q := rng.IntN(n + 2)
			for st := range numCounted {
				lists := make([][]Req, n)
				for k, l := range peers {
					for _, o := range l {
						if o.mask&(1<<st) != 0 {
							lists[k] = append(lists[k], o.q)
						}
					}
				}
				lists[ownK] = own
				want := refCount(lists, q)
				if got := sup.result(st, own, ownK, q, sameReq); !slices.Equal(got, want) {
					t.Fatalf("trial %d, n = %d, own %d, q = %d, status %d: result %v, want %v", trial, n, ownK, q, st, got, want)
				}
			}
			lists := make([][]ClientReq, n)
			for k, l := range peers {
				for _, o := range l {
					lists[k] = append(lists[k], o.q.Q)
				}
			}
			lists[ownK] = ownQ
			want := refCount(lists, q)
			if got := pend.result(0, ownQ, ownK, q, sameClientReq); !slices.Equal(got, want) {
				t.Fatalf("trial %d, n = %d, own %d, q = %d: pending result %v, want %v", trial, n, ownK, q, got, want)
			}
		}
	}
}
