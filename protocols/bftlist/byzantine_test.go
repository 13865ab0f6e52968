package bftlist

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// gossipTrace runs one VE and one REP gossip of replica 0 of n = 6 under
// behaviour b and describes each send: "VE>j views=(x,y)" or
// "REP>j state=[…] seq=s".
func gossipTrace(t *testing.T, b string) []string {
	t.Helper()
	r, env := newTestReplica(t, 0, 6, 1, nil)
	if err := r.SetBehaviour(b); err != nil {
		t.Fatal(err)
	}
	r.ve.views[0] = ViewPair{Current: 3, Next: 3}
	env.sent = nil
	r.ve.gossip()
	r.rep.gossip()
	var out []string
	for _, s := range env.sent {
		switch m := s.msg.(type) {
		case *VEMsg:
			out = append(out, fmt.Sprintf("VE>%d views=(%d,%d)", s.to, m.Own.Views.Current, m.Own.Views.Next))
		case *REPMsg:
			out = append(out, fmt.Sprintf("REP>%d state=%v", s.to, m.Rep.State))
		default:
			out = append(out, fmt.Sprintf("%s>%d", s.msg.Kind(), s.to))
		}
	}
	return out
}

// TestBehaviourGossip is what each behaviour sends in one VE and one REP
// gossip of a fresh replica 0 whose views are (3,3) and state empty.
func TestBehaviourGossip(t *testing.T) {
	each := func(f func(j int) string, to ...int) []string {
		var out []string
		for _, j := range to {
			out = append(out, f(j))
		}
		return out
	}
	ve := func(views func(j int) string) func(int) string {
		return func(j int) string { return fmt.Sprintf("VE>%d views=%s", j, views(j)) }
	}
	rep := func(state func(j int) string) func(int) string {
		return func(j int) string { return fmt.Sprintf("REP>%d state=%s", j, state(j)) }
	}
	own := func(int) string { return "(3,3)" }
	empty := func(int) string { return "[]" }
	all := []int{1, 2, 3, 4, 5}
	honest := append(each(ve(own), all...), each(rep(empty), all...)...)
	rst := fmt.Sprintf("(%d,%d)", RST.Current, RST.Next)
	for _, tc := range []struct {
		behaviour string
		want      []string
	}{
		{"", honest},
		{BehaviourUnresponsive, nil},
		{protocols.Silent, nil},
		{BehaviourUnresponsiveToHalf, append(each(ve(own), 2, 4), each(rep(empty), 2, 4)...)},
		{BehaviourDifferentViews, append(each(ve(func(j int) string { return fmt.Sprintf("(%d,%d)", 1+j%2, 1+j%2) }), all...), each(rep(empty), all...)...)},
		{BehaviourForcingReset, append(each(ve(func(int) string { return rst }), all...), each(rep(empty), all...)...)},
		{BehaviourWrongCCSP, append(each(ve(own), all...), each(rep(func(int) string { return "[666]" }), all...)...)},
		// The copy odd replicas see equals the own structure until the
		// primary assigns (TestBehaviourAssign).
		{BehaviourAssignDifferent, honest},
		{BehaviourStopAssigning, honest},
		{BehaviourReuseSeqnums, honest},
		{BehaviourSeqnumOutBound, honest},
		{BehaviourModifyClientReq, honest},
	} {
		name := tc.behaviour
		if name == "" {
			name = "honest"
		}
		t.Run(name, func(t *testing.T) {
			if got := gossipTrace(t, tc.behaviour); !slices.Equal(got, tc.want) {
				t.Errorf("sends:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// TestBehaviourAssign is what primary 0 pre-prepares for two pending
// requests under each behaviour, in its own structure and in the one it
// shows odd-numbered replicas.
func TestBehaviourAssign(t *testing.T) {
	q1 := ClientReq{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 1}
	q2 := ClientReq{Client: 6, TS: 2, Op: protocols.OpAppend, Value: 2}
	describe := func(s *RepStructure) string {
		var parts []string
		for _, p := range s.ReqQ {
			parts = append(parts, fmt.Sprintf("%d@%d", p.Req.Q.Value, p.Req.Seq))
		}
		return strings.Join(parts, " ")
	}
	for _, tc := range []struct {
		behaviour string
		own, odd  string // odd: "" when it shows its own structure
	}{
		{"", "1@0 2@1", ""}, // seq_num starts at -1: the first request gets 0
		{protocols.Silent, "1@0 2@1", ""},
		{BehaviourStopAssigning, "", ""},
		{BehaviourReuseSeqnums, "1@-1 2@-1", ""},
		{BehaviourModifyClientReq, "5@0 5@1", ""},
		{BehaviourAssignDifferent, "1@0 2@1", "1@2 2@5"},
	} {
		name := tc.behaviour
		if name == "" {
			name = "honest"
		}
		t.Run(name, func(t *testing.T) {
			r, env := newTestReplica(t, 0, 6, 1, nil)
			if err := r.SetBehaviour(tc.behaviour); err != nil {
				t.Fatal(err)
			}
			g := &r.rep
			g.extendPend([]ClientReq{q1, q2})
			if r.conduct.S.assigns() {
				g.assign(0)
			}
			if got := describe(&g.own); got != tc.own {
				t.Errorf("own req_q %q, want %q", got, tc.own)
			}
			odd := ""
			if b := g.byzStructure(); b != nil {
				odd = describe(b)
			}
			if odd != tc.odd {
				t.Errorf("shown to odd replicas %q, want %q", odd, tc.odd)
			}
			if len(env.sent) != 0 {
				t.Errorf("assigning sent %d messages", len(env.sent))
			}
		})
	}
}

// TestSeqnumOutBound: the primary's numbers jump past its window.
func TestSeqnumOutBound(t *testing.T) {
	r, _ := newTestReplica(t, 0, 6, 1, nil)
	if err := r.SetBehaviour(BehaviourSeqnumOutBound); err != nil {
		t.Fatal(err)
	}
	g := &r.rep
	start := g.own.SeqNum
	g.extendPend([]ClientReq{{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 1}})
	g.assign(0)
	if want := start + int64(g.sigmaK) + 2; g.own.SeqNum != want {
		t.Errorf("seq_num %d, want %d (σK = %d)", g.own.SeqNum, want, g.sigmaK)
	}
	if len(g.own.ReqQ) == 0 || g.inWindow(g.own.ReqQ[0].Req.Seq) {
		t.Errorf("req_q %v: the assignment should lie outside the window", g.own.ReqQ)
	}
}

// TestBehaviourSwitchBack: a replica switched to a behaviour and back to
// honest sends what an honest replica sends, and an unknown name is an
// error that leaves the behaviour unchanged. A fresh replica reports RST.
func TestBehaviourSwitchBack(t *testing.T) {
	want := gossipTrace(t, "")
	for _, b := range behaviours().Named() {
		r, env := newTestReplica(t, 0, 6, 1, nil)
		if err := r.SetBehaviour(b.Name); err != nil {
			t.Fatal(err)
		}
		if err := r.SetBehaviour("nonsense"); err == nil || r.conduct.Name() != b.Name {
			t.Fatalf("%s: unknown behaviour accepted or behaviour lost (%v, now %q)", b.Name, err, r.conduct.Name())
		}
		if err := r.SetBehaviour(""); err != nil {
			t.Fatal(err)
		}
		env.sent = nil
		r.ve.gossip()
		r.rep.gossip()
		if len(env.sent) != len(want) {
			t.Errorf("%s then honest: %d sends, want %d", b.Name, len(env.sent), len(want))
		}
		for _, s := range env.sent {
			if m, ok := s.msg.(*REPMsg); ok && len(m.Rep.State) != 0 {
				t.Errorf("%s then honest: shows state %v", b.Name, m.Rep.State)
			}
			if m, ok := s.msg.(*VEMsg); ok && m.Own.Views != RST {
				t.Errorf("%s then honest: reports views %v", b.Name, m.Own.Views)
			}
		}
	}
}
