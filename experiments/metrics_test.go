package experiments

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/results"
)

// TestRoundCounts checks the round, view-change and timeout counts of
// summary.json against the observations written to the trace: every
// round observation with cause qc or tc is a round change, tc ones are
// timeout round changes, a BFTList establishment of a view other than the
// replica's last one is a view change, and resets and view_change() calls
// are none of these.
func TestRoundCounts(t *testing.T) {
	plan, err := Load("testdata/round-counts.toml", convergenceRegistry(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Execute(t.Context(), plan, RunOptions{Out: t.TempDir(), Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range plan.Runs {
		proto := r.Params[0].Value
		dir := filepath.Join(rep.Dir, RunsDir, r.ID)
		s, err := results.ReadSummary(filepath.Join(dir, results.SummaryFile))
		if err != nil {
			t.Fatal(err)
		}
		var want struct{ rounds, tc, views, timeouts, resets, calls int }
		last := map[int]string{}
		f, err := os.Open(filepath.Join(dir, TraceFile))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var ev struct {
				Ev, Event, Detail string
				Node              int
			}
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Ev != "observe" {
				continue
			}
			switch ev.Event {
			case "timeout":
				want.timeouts++
			case "view_change_call":
				want.calls++
			case "round":
				round, cause, _ := strings.Cut(strings.TrimPrefix(ev.Detail, "round:"), " cause:")
				switch cause {
				case "qc":
					want.rounds++
				case "tc":
					want.rounds++
					want.tc++
				case "establish":
					want.rounds++
					if prev, ok := last[ev.Node]; ok && prev != round {
						want.views++
					}
					last[ev.Node] = round
				case "reset":
					want.resets++
				default:
					t.Fatalf("%s: unknown cause in %q", proto, ev.Detail)
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		got := [4]int{s.RoundChanges, s.TimeoutRoundChanges, s.ViewChanges, s.Timeouts}
		if w := [4]int{want.rounds, want.tc, want.views, want.timeouts}; got != w {
			t.Errorf("%s: round_changes, timeout_round_changes, view_changes, timeouts = %v, want %v from the trace", proto, got, w)
		}
		switch proto {
		case "diembft":
			// The crashed replica's rounds end by TC, the others by QC.
			if !(0 < s.TimeoutRoundChanges && s.TimeoutRoundChanges < s.RoundChanges) || s.ViewChanges != 0 || s.Timeouts == 0 {
				t.Errorf("diembft: %d round changes, %d by TC, %d view changes, %d timeouts; want some by TC, fewer than all, no view change, some timeouts",
					s.RoundChanges, s.TimeoutRoundChanges, s.ViewChanges, s.Timeouts)
			}
		case "bftlist":
			// The crashed primary is replaced: view changes, no round timeouts.
			if s.ViewChanges == 0 || s.ViewChanges > s.RoundChanges || s.TimeoutRoundChanges != 0 || s.Timeouts != 0 || want.calls == 0 {
				t.Errorf("bftlist: %d round changes, %d by TC, %d view changes, %d timeouts, %d view_change() calls; want view changes among the round changes, nothing else",
					s.RoundChanges, s.TimeoutRoundChanges, s.ViewChanges, s.Timeouts, want.calls)
			}
		}
	}
}
