package experiments

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// TestFaultFiringsRecorded runs reference scenarios with a trace and checks
// that every firing of a fault rule is a "fault" line of trace.jsonl (rule,
// type, message, sender, receiver, time), that the lines agree with the
// per-rule counts and first/last times of summary.json, and that the
// summary's markers carry spans covering each rule's firings, which the
// run's throughput plot shades.
func TestFaultFiringsRecorded(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol())
	for _, name := range []string{"proposal_drop_timeout_delay", "setattr_current_round", "probabilistic_failures"} {
		t.Run(name, func(t *testing.T) {
			plan, err := Load("diembft/"+name+".toml", reg, Options{Sets: []string{"output.trace=true", "output.formats=[\"svg\"]"}})
			if err != nil {
				t.Fatal(err)
			}
			rep := executePassing(t, plan, t.TempDir())
			dir := filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID)
			s, err := results.ReadSummary(filepath.Join(dir, results.SummaryFile))
			if err != nil {
				t.Fatal(err)
			}
			type line struct {
				T    int64           `json:"t"`
				Ev   string          `json:"ev"`
				Rule *int            `json:"rule"`
				Type string          `json:"type"`
				From *int            `json:"from"`
				To   *int            `json:"to"`
				Kind json.RawMessage `json:"kind"` // a number in timer lines
				Msg  string          `json:"msg"`
			}
			f, err := os.Open(filepath.Join(dir, TraceFile))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fired := make([]uint64, len(s.Faults))
			first, last := make([]int64, len(s.Faults)), make([]int64, len(s.Faults))
			var prev line
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var l line
				if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
					t.Fatal(err)
				}
				if l.Ev == "fault" {
					if l.Rule == nil || *l.Rule < 0 || *l.Rule >= len(s.Faults) || l.From == nil || l.To == nil || len(l.Kind) < 3 || l.Kind[0] != '"' || l.Msg == "" {
						t.Fatalf("fault line lacks fields: %s", sc.Text())
					}
					i := *l.Rule
					if !strings.HasPrefix(s.Faults[i].Rule, l.Type+" ") {
						t.Fatalf("fault line of type %q for rule %d %q", l.Type, i, s.Faults[i].Rule)
					}
					if prev.Ev != "send" && prev.Ev != "fault" || prev.T != l.T || *prev.From != *l.From || *prev.To != *l.To {
						t.Fatalf("fault line does not follow the send of its message:\n%+v\n%s", prev, sc.Text())
					}
					if fired[i] == 0 || l.T < first[i] {
						first[i] = l.T
					}
					last[i] = max(last[i], l.T)
					fired[i]++
				}
				prev = l
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			for i, fc := range s.Faults {
				if fired[i] != fc.Fired || fc.Fired == 0 {
					t.Errorf("rule %d: %d fault lines in the trace, summary says fired %d (want equal, > 0)", i, fired[i], fc.Fired)
					continue
				}
				if fc.FirstFiredS == nil || fc.LastFiredS == nil || int64(*fc.FirstFiredS) != first[i] || int64(*fc.LastFiredS) != last[i] {
					t.Errorf("rule %d: summary first/last %v/%v, trace %d/%d", i, fc.FirstFiredS, fc.LastFiredS, first[i], last[i])
				}
				var spanFired uint64
				coversFirst, coversLast := false, false
				prefix := fmt.Sprintf("rule %d ", i)
				for _, m := range s.Markers {
					if !m.IsSpan() || !strings.HasPrefix(m.Label, prefix) {
						continue
					}
					var k uint64
					if _, err := fmt.Sscanf(m.Label[strings.LastIndex(m.Label, "×")+len("×"):], "%d", &k); err != nil {
						t.Fatalf("marker label %q: %v", m.Label, err)
					}
					spanFired += k
					in := func(t int64) bool { return int64(m.At) <= t && t <= int64(m.Until) }
					coversFirst = coversFirst || in(first[i])
					coversLast = coversLast || in(last[i])
				}
				if spanFired != fc.Fired || !coversFirst || !coversLast {
					t.Errorf("rule %d: span markers count %d firings (want %d), cover the first/last firing: %v/%v; markers %v", i, spanFired, fc.Fired, coversFirst, coversLast, s.Markers)
				}
			}
			svg, err := os.ReadFile(filepath.Join(dir, "plot-throughput.svg"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(svg), "rule 0 ") {
				t.Error("the throughput plot does not label rule 0's span")
			}
		})
	}
}

// TestOutageSpans checks that summary.json marks, as spans, the time a
// crashed replica was down (to its recovery, or to the end of the run) and
// the time the network was partitioned (to the next phase), besides the
// point markers of the schedule.
func TestOutageSpans(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol())
	plan, err := Load("default.toml", reg, Options{Sets: []string{
		"output.plots=false", "workload[0].count=200", "workload[0].timeout=15s",
		`crash=[{replica=1, at="1s", recover="2s"}, {replica=2, at="2500ms"}]`,
		`partition=[{at="500ms", groups=[[0, 1], [2, 3]]}, {at="800ms", groups=[]}]`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Execute(context.Background(), plan, RunOptions{Out: t.TempDir(), Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := results.ReadSummary(filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	ms := sim.Millisecond
	want := map[string][2]sim.Time{
		"replica1 down": {sim.Second, 2 * sim.Second},
		"replica2 down": {2500 * ms, s.VirtualSeconds.Time()},
		"partitioned":   {500 * ms, 800 * ms},
	}
	for _, m := range s.Markers {
		w, ok := want[m.Label]
		if !ok {
			continue
		}
		if !m.IsSpan() || m.At.Time() != w[0] || m.Until.Time() != w[1] {
			t.Errorf("marker %q spans %v–%v, want %v–%v", m.Label, m.At, m.Until, w[0], w[1])
		}
		delete(want, m.Label)
	}
	if len(want) > 0 {
		t.Errorf("no span markers %v in %v", want, s.Markers)
	}
}
