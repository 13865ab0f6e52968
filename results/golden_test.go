package results

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// checkGolden compares the file at path with testdata/name.golden, or
// rewrites the golden file with -update.
func checkGolden(t *testing.T, path, name string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, golden, got, want)
	}
}

// fixture is a small run with two workloads, three message kinds, drops,
// a fault marker, a failed check and a convergence time.
func fixture() (RunInput, []LatencyRecord) {
	ms := sim.Millisecond
	recs := []LatencyRecord{
		{Workload: "write", Client: 4, ID: 2, Sent: 30 * ms, Latency: 45*ms + 250*sim.Microsecond, Retransmissions: 1},
		{Workload: "read", Client: 5, ID: 1, Sent: 10 * ms, Latency: 12 * ms},
		{Workload: "write", Client: 4, ID: 1, Sent: 0, Latency: 20*ms + 1},
		{Workload: "write", Client: 4, ID: 3, Sent: 130 * ms, Latency: 70 * ms},
		{Workload: `odd "name", with comma`, Client: 6, ID: 1, Sent: 140 * ms, Latency: 5 * ms},
	}
	lat := NewLatency()
	tl := NewTimeline(100 * ms)
	for _, r := range recs {
		lat.Add(r.Workload, r.Sent, r.Latency)
		tl.Complete(r.Sent + r.Latency)
	}
	tl.Commit(15 * ms)
	tl.Commit(115 * ms)
	tl.AddBytes(5*ms, 1200)
	tl.Mark(100*ms, "partition {0,1} | {2,3}")
	tl.Mark(200*ms, "heal <all>")

	var msgs Messages
	vote, prop, req := testMsg{"vote", 120}, testMsg{"proposal", 1500}, testMsg{"request", 64}
	for range 6 {
		msgs.Sent(0, 0, 1, vote)
		msgs.Delivered(0, 0, 1, vote)
	}
	msgs.Sent(0, 0, 1, prop)
	msgs.Sent(0, 0, 2, prop)
	msgs.Delivered(0, 0, 1, prop)
	msgs.Dropped(0, 0, 2, prop, "partition")
	msgs.Sent(0, 4, 0, req)
	msgs.Dropped(0, 4, 0, req, "loss")

	conv := 120*ms + 7
	in := RunInput{
		RunID:      "r0003",
		Experiment: "diembft/partition",
		Seed:       42,
		Parameters: []Param{{"replicas", "4"}, {"network.loss", "0.01"}},
		Checks: []Check{
			{Name: "safety", OK: true, Detail: "4 correct replicas agree on 2 entries"},
			{Name: "liveness", OK: false, Detail: `workload "read" timed out`},
		},
		Ended:               "until",
		Stats:               sim.Stats{Events: 1234, Sent: 10, Delivered: 7, Dropped: 2, Timers: 17},
		End:                 250 * ms,
		Latency:             lat,
		Messages:            &msgs,
		Timeline:            tl,
		Commits:             2,
		RoundChanges:        6,
		TimeoutRoundChanges: 2,
		ViewChanges:         1,
		Timeouts:            3,
		Convergence:         &conv,
		Metrics:             []Metric{{Name: "view_change_s", Decimals: 9}},
	}
	return in, recs
}

func TestGoldenRunFiles(t *testing.T) {
	in, recs := fixture()
	for range 2 { // a second write must give the same bytes
		dir := t.TempDir()
		s, err := WriteRun(dir, in, recs)
		if err != nil {
			t.Fatal(err)
		}
		if s.Verdict != VerdictFail {
			t.Errorf("verdict = %q, want %q (a check failed)", s.Verdict, VerdictFail)
		}
		for _, f := range []string{SummaryFile, LatencyFile, TimelineFile, MessagesFile} {
			checkGolden(t, filepath.Join(dir, f), f)
		}
	}
}

func TestGoldenRunsCSV(t *testing.T) {
	in, _ := fixture()
	s1 := Summarize(in)
	in.RunID, in.Seed, in.Checks, in.Convergence = "r0004", 43, nil, nil
	in.Parameters = []Param{{"network.loss", "0.05"}, {"replicas", "7"}}
	in.Latency = NewLatency() // nothing completed: undefined latencies
	s2 := Summarize(in)
	params := []string{"replicas", "network.loss"}
	metrics := MetricNames(s1)
	table := RunsTable{Params: params, Metrics: metrics, Rows: []RunRow{RowOf(s1, params, metrics), RowOf(s2, params, metrics)}}
	path := filepath.Join(t.TempDir(), RunsFile)
	if err := WriteRunsCSV(path, table); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, path, RunsFile)
}

func TestGoldenEmptySummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), SummaryFile)
	if err := WriteSummary(path, Summarize(RunInput{RunID: "empty", Metrics: []Metric{{Name: "view_change_s"}}})); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, path, "summary_empty.json")
}
