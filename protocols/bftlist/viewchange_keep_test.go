package bftlist

import (
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// TestNewPrimaryKeepsOwnExecutions: n = 8, f = 1; five correct replicas,
// the new primary among them, executed seven requests, the sixth that did
// (Byzantine) now reports one, and two recovered replicas report two. The
// consolidated prefix of n−2f = 6 reports is two entries long; the new
// primary keeps its seven, and the others accept its state, a prefix of
// n−3f = 5 reports (fix 30 in docs/bftlist.md).
func TestNewPrimaryKeepsOwnExecutions(t *testing.T) {
	const n, f, id = 8, 1, 2
	r := newViewChangePrimary(t, id, n, f)
	g := &r.rep
	var long []int64
	var log []LogEntry
	executors := setOf(0, 1, 2, 3, 4, 7)
	for v := int64(1); v <= 7; v++ {
		long = append(long, v)
		log = append(log, LogEntry{Req: Req{Q: ClientReq{Client: 8, TS: uint64(v), Op: protocols.OpAppend, Value: v}, Seq: v - 1}, X: executors})
	}
	for k := range g.rep {
		s := g.rep[k]
		switch k {
		case 1:
			s.State, s.RLog = long[:1], log[:1]
		case 5, 6:
			s.State, s.RLog = long[:2], log[:2]
		default:
			s.State, s.RLog = slices.Clone(long), slices.Clone(log)
		}
	}
	g.actAsPrimWhenViewChanged()
	if !slices.Equal(g.own.State, long) || g.own.ViewChanged {
		t.Fatalf("new primary's state %v (view change pending %v), want %v", g.own.State, g.own.ViewChanged, long)
	}
	if !g.checkNewStateAndRLog(id) {
		t.Errorf("the new primary's state, a prefix of n−3f = %d states, is rejected", n-3*f)
	}
}
