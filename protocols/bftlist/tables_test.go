package bftlist

import (
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

func decodeTOML(t testing.TB, text string) map[string]any {
	t.Helper()
	var m map[string]any
	if _, err := toml.Decode(text, &m); err != nil {
		t.Fatalf("bad test TOML: %v", err)
	}
	return m
}

func TestDecodeStartState(t *testing.T) {
	raw := decodeTOML(t, `
[ve]
views = [[1, 1], [1, 2], [1, 2], [1, 2], [1, 2], [-1, 0]]
phs = 1
witnesses = true
echo = { views = [1, 2], phase = 1, witness = true, vchange = false }
[rep.all]
state = [1]
r_log = [{ client = 0, ts = 7, value = 1, view = 0, seq = 1, x = [0, 1, 2, 3] }]
pend_reqs = [{ client = 1, ts = 2, value = 5 }, { client = 0, ts = 3, op = "noop" }]
[rep.replica2]
req_q = [{ client = 0, ts = 9, value = 4, view = 0, seq = 2, status = ["pre_prep", "prep"] }]
last_req = [{ client = 1, ts = 2, value = 5, view = 0, seq = 1 }]
seq_num = 2
[rep.replica3]
tee = true
[pm]
v_status = "no_service"
need_change = true
need_chg_set = ["replica2", 3]
prim = 0
[fd]
beat = [55, 0, 0, 0, 0, 0]
cnt = 35
prim_susp = false
cur_check_req = [{ client = 0, ts = 0, value = 1 }]
prim = 0
`)
	v, err := DecodeStartState(6, 1, 2, raw)
	if err != nil {
		t.Fatal(err)
	}
	s := v.(*StartState)
	if s.VE.Views[1] != (ViewPair{1, 2}) || s.VE.Views[5] != RST || !slices.Equal(s.VE.Phs, []int8{1, 1, 1, 1, 1, 1}) ||
		!s.VE.Witnesses[4] || s.VE.Echo[0] != (VEData{Phase: 1, Witness: true, Views: ViewPair{1, 2}}) {
		t.Errorf("ve: %+v", s.VE)
	}
	r0, r2, r3 := s.REP.Rep[0], s.REP.Rep[2], s.REP.Rep[3]
	if !slices.Equal(r0.State, []int64{1}) || len(r0.RLog) != 1 || r0.RLog[0].X != setWord(0b1111) ||
		r0.RLog[0].Req.Q != (ClientReq{Client: 6, TS: 7, Op: protocols.OpAppend, Value: 1}) {
		t.Errorf("rep[0]: %+v", r0)
	}
	if len(r0.PendReqs) != 2 || r0.PendReqs[0].Client != sim.NodeID(7) || r0.PendReqs[1].Op != protocols.OpNoop {
		t.Errorf("rep[0] pend_reqs: %+v", r0.PendReqs)
	}
	if r2.SeqNum != 2 || len(r2.ReqQ) != 1 || r2.ReqQ[0].Status != PrePrep|Prep || !r2.LastReq[1].Set || r2.LastReq[0].Set ||
		!slices.Equal(r2.State, []int64{1}) {
		t.Errorf("rep[2]: %+v", r2)
	}
	if !r3.isTee() {
		t.Errorf("rep[3] is not ⊥: %+v", r3)
	}
	if *s.PM.VStatus != NoService || !*s.PM.NeedChange || !slices.Equal(s.PM.NeedChgSet, []int{2, 3}) || *s.PM.Prim != 0 {
		t.Errorf("pm: %+v", s.PM)
	}
	if s.FD.Beat[0] != 55 || *s.FD.Cnt != 35 || s.FD.PrimSusp[0] || len(s.FD.CurCheckReq) != 1 || *s.FD.Prim != 0 {
		t.Errorf("fd: %+v", s.FD)
	}
	// Installed at Start.
	w := sim.NewWorld(sim.Config{Seed: 1, Replicas: 6})
	w.Network().SetDefault(sim.Link{Delay: sim.Uniform{Min: sim.Millisecond, Max: 2 * sim.Millisecond}})
	var r *Replica
	for i := 0; i < 6; i++ {
		ri, err := New(protocols.Config{ID: sim.NodeID(i), N: 6, F: 1, Clients: 2, Costs: protocols.DefaultCosts()})
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			r = ri
			if err := r.AddStartState(s); err != nil {
				t.Fatal(err)
			}
		}
		w.AddNode(ri, 0)
	}
	w.Run(0)
	if r.rep.own.SeqNum != 2 || r.ve.views[0] != (ViewPair{1, 1}) || r.fd.cnt != 35 || r.pm.vcm[2].Status != NoService {
		t.Errorf("start state not installed: seq %d view %v cnt %d status %v", r.rep.own.SeqNum, r.ve.views[0], r.fd.cnt, r.pm.vcm[2].Status)
	}
}

func TestDecodeStartStateErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{`[ve]
views = [[1, 1]]`, "ve.views: 1 entries, want one per replica (6)"},
		{`[ve]
views = [7, 1]`, "ve.views[0]: 7 is out of range (allowed: -1 to 5)"},
		{`[ve]
phs = [0, 1, 2, 0, 0, 0]`, "ve.phs[2]: 2 is out of range (allowed: 0 to 1)"},
		{`[ve]
echo = { views = [0, 0], phase = 0, witnes = true }`, "ve.echo.witnes: unknown key"},
		{`[vee]`, "vee: unknown key (allowed: fd, pm, rep, ve)"},
		{`ve = 3`, "ve: 3 is an integer (allowed: a table with keys echo, phs, vchange, views, witnesses)"},
		{`[rep.all]
r_log = [{ client = 0, ts = 1, value = 1 }]`, "rep.all.r_log[0].view: missing"},
		{`[rep.all]
req_q = [{ client = 0, ts = 1, value = 1, view = 0, seq = 1, status = ["done"] }]`, `rep.all.req_q[0].status[0]: "done" is not a status`},
		{`[rep.all]
pend_reqs = [{ client = -1, ts = 1 }]`, "rep.all.pend_reqs[0].ts: the gap-filling NO_OP (client −1) takes no ts"},
		{`[rep.all]
pend_reqs = [{ client = 0, ts = 1, op = "pop" }]`, `rep.all.pend_reqs[0].op: "pop" is not an operation`},
		{`[rep.all]
last_req = [{ client = 3, ts = 1, value = 1, view = 0, seq = 0 }]`, "client 3 has no last_req entry (the run has 2 clients)"},
		{`[rep.replica9]`, "rep.replica9: unknown key (allowed: all, replica0 to replica5)"},
		{`[rep.all]
prim = 6`, "rep.all.prim: 6 is out of range"},
		{`[pm]
need_chg_set = ["replica7"]`, `pm.need_chg_set[0]: "replica7" is not a replica`},
		{`[fd]
cnt = -1`, "fd.cnt: -1 is out of range"},
	} {
		_, err := DecodeStartState(6, 1, 2, decodeTOML(t, tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one containing %q", tt.text, err, tt.want)
		}
	}
}

func TestDecodeExpect(t *testing.T) {
	r, err := New(protocols.Config{ID: 1, N: 6, F: 1, Clients: 1, Costs: protocols.DefaultCosts()})
	if err != nil {
		t.Fatal(err)
	}
	r.ve.views[1] = ViewPair{2, 2}
	r.rep.own.State = []int64{1, 2}
	for _, tt := range []struct {
		text string
		fail []string
	}{
		{`state = [1, 2]`, nil},
		{`state = [1]`, []string{"replica1: state: [1 2], want [1]"}},
		{`view = [2, 2]
views = ["*", [2, 2], "*", "*", "*", "*"]`, nil},
		{`views = [-1, 0]`, []string{"replica1: views: entry 1 is (2,2), want (-1,0)"}},
		{`v_status = ["ok", "v_change"]
pend_reqs_len = 0
need_change = false`, nil},
		{`v_status = "no_service"`, []string{"replica1: v_status: OK, want [NO_SERVICE]"}},
	} {
		check, err := DecodeExpect(6, 1, decodeTOML(t, tt.text))
		if err != nil {
			t.Fatalf("%q: %v", tt.text, err)
		}
		got := check(r)
		if len(got) != len(tt.fail) || (len(got) == 1 && !strings.HasPrefix(got[0], tt.fail[0])) {
			t.Errorf("%q: %q, want %q", tt.text, got, tt.fail)
		}
	}
	if _, err := DecodeExpect(6, 1, map[string]any{}); err == nil {
		t.Error("an empty assertion table is accepted")
	}
}

// FuzzDecodeStartState feeds arbitrary TOML to the start-state decoder: it
// returns a state or an error, never panics, and a state it returns is
// accepted by a replica and survives a short run.
func FuzzDecodeStartState(f *testing.F) {
	f.Add("[ve]\nviews = [1, 1]\nphs = 0\n[rep.all]\nstate = [1]\n")
	f.Add("[rep.replica0]\nr_log = [{ client = 0, ts = 1, value = 1, view = 0, seq = 1, x = \"*\" }]\nseq_num = 1\n")
	f.Add("[pm]\nv_status = \"v_change\"\n[fd]\nbeat = 60\ncnt = 40\nprim = 2\n")
	f.Add("[rep.all]\nreq_q = [{ client = -1, view = 0, seq = 3, status = [\"pre_prep\"] }]\ntee = true\n")
	f.Fuzz(func(t *testing.T, text string) {
		var raw map[string]any
		if _, err := toml.Decode(text, &raw); err != nil {
			return
		}
		v, err := DecodeStartState(6, 1, 1, raw)
		if err != nil {
			return
		}
		w := sim.NewWorld(sim.Config{Seed: 1, Replicas: 6})
		for i := 0; i < 6; i++ {
			r, err := New(protocols.Config{ID: sim.NodeID(i), N: 6, F: 1, Clients: 1, Costs: protocols.DefaultCosts()})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.AddStartState(v); err != nil {
				t.Fatalf("decoded start state rejected: %v", err)
			}
			w.AddNode(r, 0)
		}
		w.Run(500 * sim.Millisecond)
	})
}

// FuzzDecodeTables decodes arbitrary TOML as a start state and as an
// expectation: a problem is an error, never a panic, and a start state
// that decodes is accepted by a replica.
func FuzzDecodeTables(f *testing.F) {
	f.Add("[ve]\nviews = [[1, 1], [1, 2], [1, 2], [1, 2], [1, 2], [-1, 0]]\nphs = 1\n")
	f.Add("[rep.all]\nr_log = [{ client = 0, ts = 7, value = 1, view = 0, seq = 1, x = [0, 1] }]\n[rep.replica2]\ntee = true\n")
	f.Add("[pm]\nv_status = \"ok\"\nneed_chg_set = \"*\"\n[fd]\nbeat = 3\ncur_check_req = [{ client = -1 }]\n")
	f.Add("views = [\"*\", [0, 0], \"*\", [1, 1], \"*\", \"*\"]\nv_status = [\"ok\", \"v_change\"]\nstate = []\n")
	f.Fuzz(func(t *testing.T, text string) {
		var raw map[string]any
		if _, err := toml.Decode(text, &raw); err != nil {
			return
		}
		if st, err := DecodeStartState(6, 1, 2, raw); err == nil {
			r, err := New(protocols.Config{ID: 2, N: 6, F: 1, Clients: 2, Costs: protocols.DefaultCosts()})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.AddStartState(st); err != nil {
				t.Errorf("decoded start state refused: %v", err)
			}
		}
		_, _ = DecodeExpect(6, 1, raw)
	})
}
