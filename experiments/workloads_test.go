package experiments

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/results"
)

// TestClosedLoopResendsByDefault runs a closed-loop workload whose first
// requests reach BFTList before its first view is established, so the
// replicas drop them: a client that never resends waits for ever. With the
// default retransmit_after the clients resend and every request completes.
func TestClosedLoopResendsByDefault(t *testing.T) {
	reg := protocols.NewRegistry(bftlist.Protocol())
	plan, err := Load("testdata/closed-loop-stall.toml", reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := executePassing(t, plan, t.TempDir())
	s, err := results.ReadSummary(filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if s.RequestsCompleted != 80 || s.Ended != "workloads finished" {
		t.Errorf("%d of 80 requests completed, run ended %q; want all, \"workloads finished\"", s.RequestsCompleted, s.Ended)
	}
}

// TestStalledWorkloadFailsLiveness runs the same workload with resending
// turned off: its clients wait for ever, and the run says so — the
// liveness check names the stalled workload, its outstanding requests and
// since when, and the run ended because the workloads stalled, not
// because they finished.
func TestStalledWorkloadFailsLiveness(t *testing.T) {
	reg := protocols.NewRegistry(bftlist.Protocol())
	plan, err := Load("testdata/closed-loop-stall.toml", reg, Options{Sets: []string{`workload[0].retransmit_after="0s"`}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Execute(t.Context(), plan, RunOptions{Out: t.TempDir(), Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := results.ReadSummary(filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if s.Verdict != results.VerdictFail || s.Ended != "workloads stalled" {
		t.Errorf("verdict %s, ended %q; want fail, \"workloads stalled\"", s.Verdict, s.Ended)
	}
	var live string
	for _, c := range s.Checks {
		if c.Name == "liveness" {
			live = c.Detail
		}
	}
	// Four clients, one request outstanding each, all sent at the start.
	if !strings.HasPrefix(live, "load: stalled since ") || !strings.Contains(live, " with 4 requests outstanding ") ||
		!strings.Contains(live, "timed out at 15s with 0/80 done") {
		t.Errorf("liveness detail %q; want the stalled workload, its 4 outstanding requests, since when, and its timeout", live)
	}
}

// TestEndReasons checks that a run says truthfully why it ended: every
// request completed, a workload timed out while its clients still resent,
// or the duration was reached with work left.
func TestEndReasons(t *testing.T) {
	reg := protocols.NewRegistry(bftlist.Protocol())
	tests := []struct {
		name string
		sets []string
		want string
	}{
		{"finished", nil, "workloads finished"},
		// A timeout too short to complete every request, with resending.
		{"timed out", []string{`workload[0].timeout="300ms"`}, "workloads timed out"},
		{"duration", []string{`duration="300ms"`, "stop.when_done=false"}, "duration reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Load("testdata/closed-loop-stall.toml", reg, Options{Sets: tt.sets})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Execute(t.Context(), plan, RunOptions{Out: t.TempDir(), Jobs: 1})
			if err != nil {
				t.Fatal(err)
			}
			s, err := results.ReadSummary(filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID, results.SummaryFile))
			if err != nil {
				t.Fatal(err)
			}
			if s.Ended != tt.want {
				t.Errorf("run ended %q, want %q (checks %+v)", s.Ended, tt.want, s.Checks)
			}
		})
	}
}

// TestSaturatedWorkload runs the peer shape with a saturated workload at
// n = 4: no request or reply crosses the network, every block is full, and
// the requests of the first 10 heights complete when n−f replicas
// committed them; the flood variant of the same shape does send requests
// and replies.
func TestSaturatedWorkload(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol())
	sets := []string{"protocol.n=4", "protocol.f=1", "stop.commits=10"}
	summary := func(file string) *results.Summary {
		t.Helper()
		plan, err := Load(file, reg, Options{Sets: sets})
		if err != nil {
			t.Fatal(err)
		}
		rep := executePassing(t, plan, t.TempDir())
		s, err := results.ReadSummary(filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID, results.SummaryFile))
		if err != nil {
			t.Fatal(err)
		}
		return &s
	}
	sent := func(s *results.Summary, kind string) uint64 {
		for _, k := range s.ByKind {
			if k.Kind == kind {
				return k.Sent
			}
		}
		return 0
	}
	s := summary("bench/peer-256.toml")
	if s.RequestsCompleted != 40 || len(s.Workloads) != 1 || s.Workloads[0].RequestsCompleted != 40 {
		t.Errorf("%d requests completed (workloads %+v); want 10 full blocks of 4", s.RequestsCompleted, s.Workloads)
	}
	if !(float64(s.ThroughputRPS) > 0) {
		t.Errorf("throughput %v, want > 0", s.ThroughputRPS)
	}
	if r, q := sent(s, protocols.KindRequest), sent(s, protocols.KindReply); r != 0 || q != 0 {
		t.Errorf("%d requests and %d replies sent; a saturated workload sends none", r, q)
	}
	f := summary("bench/peer-256-flood.toml")
	if sent(f, protocols.KindRequest) == 0 || sent(f, protocols.KindReply) == 0 {
		t.Errorf("flood variant: no request or no reply sent (%+v)", f.ByKind)
	}
	if s.Events >= f.Events {
		t.Errorf("saturated run: %d events, flood run %d; want fewer without clients", s.Events, f.Events)
	}
}

// TestSaturatedWorkloadErrors: a protocol whose replicas take no preloaded
// requests, or a second workload next to a saturated one, is refused with
// the key named.
func TestSaturatedWorkloadErrors(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol(), bftlist.Protocol())
	tests := []struct {
		name string
		sets []string
		want string
	}{
		{"bftlist", []string{"protocol.name=bftlist", "protocol.n=6", "protocol.f=1", "protocol.params={}"},
			"workload[0].type: protocol bftlist does not support saturated workloads"},
		{"start", []string{`workload[0].start="1s"`}, "workload[0].start (--set): a saturated workload's requests are queued when the run starts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("bench/peer-256.toml", reg, Options{Sets: tt.sets})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want it to contain %q", err, tt.want)
			}
		})
	}
	_, err := Load("testdata/saturated-and-flood.toml", reg, Options{})
	if err == nil || !strings.Contains(err.Error(), "workload[0].type: a saturated workload must be the experiment's only workload") {
		t.Errorf("saturated next to flood: error %v", err)
	}
}
