package results

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

func TestLatencyCSVRoundTrip(t *testing.T) {
	_, recs := fixture()
	path := filepath.Join(t.TempDir(), LatencyFile)
	before := slices.Clone(recs)
	if err := WriteLatencyCSV(path, recs); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs, before) {
		t.Error("WriteLatencyCSV modified its input")
	}
	got, err := ReadLatencyCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(recs)
	slices.SortStableFunc(want, compareLatencyRecords)
	if !slices.Equal(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
}

func TestTimelineCSVRoundTrip(t *testing.T) {
	in, _ := fixture()
	rows := in.Timeline.Rows(in.End)
	rows = append(rows, TimelineRow{Start: 300 * sim.Millisecond, ThroughputRPS: math.NaN()})
	path := filepath.Join(t.TempDir(), TimelineFile)
	if err := WriteTimelineCSV(path, rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTimelineCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, want %d", len(got), len(rows))
	}
	for i := range rows {
		g, w := got[i], rows[i]
		sameRate := g.ThroughputRPS == w.ThroughputRPS || math.IsNaN(g.ThroughputRPS) && math.IsNaN(w.ThroughputRPS)
		g.ThroughputRPS, w.ThroughputRPS = 0, 0
		if g != w || !sameRate {
			t.Errorf("row %d: read %+v, want %+v", i, got[i], rows[i])
		}
	}
}

func TestMessagesCSVRoundTrip(t *testing.T) {
	in, _ := fixture()
	kinds := in.Messages.Kinds()
	path := filepath.Join(t.TempDir(), MessagesFile)
	if err := WriteMessagesCSV(path, kinds); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMessagesCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range kinds { // shares are rounded to 6 decimals
		w := kinds[i]
		w.ShareMessages = Float(math.Round(float64(w.ShareMessages)*1e6) / 1e6)
		w.ShareBytes = Float(math.Round(float64(w.ShareBytes)*1e6) / 1e6)
		if got[i] != w {
			t.Errorf("row %d: read %+v, want %+v", i, got[i], w)
		}
	}
}

func TestRunsCSVRoundTrip(t *testing.T) {
	conv := 1500*sim.Millisecond + 3
	nan := Float(math.NaN())
	table := RunsTable{
		Params: []string{"protocol", "f"},
		Rows: []RunRow{
			{ID: "a", Params: []string{"diembft", "1"}, Seed: 1<<64 - 1, Verdict: VerdictPass, RequestsCompleted: 10,
				LatencyMS: LatencyStats{1.5, 2.5, 3.5, 4.5, 2.25}, ThroughputRPS: 100.125, Messages: 7, Bytes: 700,
				RoundChanges: 9, TimeoutRoundChanges: 4, ViewChanges: 2, Timeouts: 1, Convergence: &conv, Events: 99, Virtual: 10 * sim.Second},
			{ID: "b", Params: []string{"bftlist, v2", ""}, Verdict: VerdictFail,
				LatencyMS: LatencyStats{nan, nan, nan, nan, nan}},
		},
	}
	path := filepath.Join(t.TempDir(), RunsFile)
	if err := WriteRunsCSV(path, table); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRunsCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Params, table.Params) || len(got.Rows) != 2 {
		t.Fatalf("read params %v, %d rows; want %v, 2 rows", got.Params, len(got.Rows), table.Params)
	}
	if !reflect.DeepEqual(got.Rows[0], table.Rows[0]) {
		t.Errorf("row 0: read\n%+v\nwant\n%+v", got.Rows[0], table.Rows[0])
	}
	b := got.Rows[1]
	if b.ID != "b" || !slices.Equal(b.Params, table.Rows[1].Params) || b.Convergence != nil || !math.IsNaN(float64(b.LatencyMS.P99)) {
		t.Errorf("row 1: read %+v, want id b, params %v, no convergence, NaN latency", b, table.Rows[1].Params)
	}
}

// TestRunsCSVByName reads runs.csv columns by name: a file whose fixed
// and metric columns come in another order reads the same, a column
// another tool added is read as a metric, and a missing fixed column is an
// error naming it.
func TestRunsCSVByName(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, RunsFile)
	want := RunRow{ID: "a", Params: []string{"4"}, Seed: 7, Verdict: VerdictFail, RequestsCompleted: 3,
		RoundChanges: 11, TimeoutRoundChanges: 5, ViewChanges: 2, Timeouts: 9, Events: 40, Virtual: sim.Second,
		Metrics: []string{"0.250000000", ""}}
	metrics := []string{"view_change_s", "other_s"}
	if err := WriteRunsCSV(path, RunsTable{Params: []string{"n"}, Metrics: metrics, Rows: []RunRow{want}}); err != nil {
		t.Fatal(err)
	}
	c, err := readCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	// Reverse the fixed columns after "run", "n" and "seed".
	rewrite := func(name string, edit func(h, row []string) ([]string, []string)) string {
		h, row := edit(slices.Clone(c.header), slices.Clone(c.rows[0]))
		p := filepath.Join(dir, name)
		text := strings.Join(h, ",") + "\n" + strings.Join(row, ",") + "\n"
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	reversed := rewrite("reversed.csv", func(h, row []string) ([]string, []string) {
		slices.Reverse(h[3:])
		slices.Reverse(row[3:])
		return h, row
	})
	got, err := ReadRunsCSV(reversed)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 1 || got.Rows[0].RoundChanges != 11 || got.Rows[0].TimeoutRoundChanges != 5 || got.Rows[0].Timeouts != 9 || got.Rows[0].Seed != 7 {
		t.Errorf("reversed columns: read %+v, want %+v", got.Rows, want)
	}
	if !slices.Equal(got.Params, []string{"n"}) || !slices.Equal(got.Metrics, []string{"other_s", "view_change_s"}) {
		t.Errorf("reversed columns: params %v, metrics %v; want [n], [other_s view_change_s]", got.Params, got.Metrics)
	}
	if col := got.Metric("view_change_s"); col < 0 {
		t.Errorf("reversed columns: no metric view_change_s")
	} else if v, ok := got.Rows[0].MetricFloat(col); !ok || v != 0.25 {
		t.Errorf("reversed columns: view_change_s = %v, %v; want 0.25", v, ok)
	}
	if v, ok := got.Rows[0].MetricFloat(got.Metric("other_s")); ok {
		t.Errorf("reversed columns: other_s = %v, want undefined", v)
	}
	drop := func(col string) string {
		return rewrite("no-"+col+".csv", func(h, row []string) ([]string, []string) {
			i := slices.Index(h, col)
			return slices.Delete(h, i, i+1), slices.Delete(row, i, i+1)
		})
	}
	if _, err := ReadRunsCSV(drop("timeout_round_changes")); err == nil || !strings.Contains(err.Error(), `no column "timeout_round_changes"`) {
		t.Errorf("missing column: err = %v", err)
	}
	if _, err := ReadRunsCSV(drop("run")); err == nil || !strings.Contains(err.Error(), `no column "run"`) {
		t.Errorf("missing run column: err = %v", err)
	}
	extra := rewrite("extra.csv", func(h, row []string) ([]string, []string) {
		return append(h, "mystery"), append(row, "1")
	})
	got, err = ReadRunsCSV(extra)
	if err != nil {
		t.Fatalf("extra column: %v", err)
	}
	if v, ok := got.Rows[0].MetricFloat(got.Metric("mystery")); !ok || v != 1 || got.Rows[0].Seed != 7 {
		t.Errorf("extra column: mystery = %v, %v, row %+v; want 1 and the row as written", v, ok, got.Rows[0])
	}
	twice := rewrite("twice.csv", func(h, row []string) ([]string, []string) {
		return append(h, "seed"), append(row, "8")
	})
	if _, err := ReadRunsCSV(twice); err == nil || !strings.Contains(err.Error(), `two columns "seed"`) {
		t.Errorf("repeated column: err = %v", err)
	}
}

func TestRunsCSVNoParams(t *testing.T) {
	path := filepath.Join(t.TempDir(), RunsFile)
	table := RunsTable{Rows: []RunRow{{ID: "x", Verdict: VerdictPass}}}
	if err := WriteRunsCSV(path, table); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRunsCSV(path)
	if err != nil || len(got.Params) != 0 || len(got.Rows) != 1 || got.Rows[0].ID != "x" {
		t.Errorf("read %+v, %v; want no params and one row x", got, err)
	}
}

func TestWriteRunsCSVErrors(t *testing.T) {
	tests := []struct {
		name  string
		table RunsTable
		want  string
	}{
		{"reserved name", RunsTable{Params: []string{"seed"}}, "reserved"},
		{"repeated name", RunsTable{Params: []string{"n", "n"}}, "repeated"},
		{"empty name", RunsTable{Params: []string{""}}, "empty"},
		{"wrong value count", RunsTable{Params: []string{"n"}, Rows: []RunRow{{ID: "r1"}}}, "run r1 has 0 parameter values, want 1"},
		{"reserved metric", RunsTable{Metrics: []string{"verdict"}}, "reserved"},
		{"metric named as a parameter", RunsTable{Params: []string{"x"}, Metrics: []string{"x"}}, "reserved or repeated"},
		{"wrong metric count", RunsTable{Metrics: []string{"m"}, Rows: []RunRow{{ID: "r2"}}}, "run r2 has 0 metric values, want 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			err := WriteRunsCSV(filepath.Join(dir, RunsFile), tt.table)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
			if got := entries(t, dir); len(got) != 0 {
				t.Errorf("directory holds %v after an error, want nothing", got)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		read    func(string) error
		want    string
	}{
		{"latency: empty file", "", readLatency, "empty file"},
		{"latency: wrong header", "workload,client\n", readLatency, ":1: header is"},
		{"latency: bad id", "workload,client,id,sent_s,latency_ms,retransmissions\nw,1,x,0.1,2,0\n", readLatency, ":2: id:"},
		{"latency: bad time", "workload,client,id,sent_s,latency_ms,retransmissions\nw,1,1,0.1,2,0\nw,1,2,1e3,2,0\n", readLatency, ":3: sent_s:"},
		{"latency: negative", "workload,client,id,sent_s,latency_ms,retransmissions\nw,1,1,0.1,-2,0\n", readLatency, "latency_ms: must not be negative"},
		{"latency: short row", "workload,client,id,sent_s,latency_ms,retransmissions\nw,1\n", readLatency, "wrong number of fields"},
		{"timeline: bad count", "time_s,completed,throughput_rps,commits,bytes\n0.1,-1,0,0,0\n", readTimeline, ":2: completed:"},
		{"messages: bad share", "kind,sent,delivered,dropped,bytes,share_messages,share_bytes\nv,1,1,0,1,x,1\n", readMessages, ":2: share_messages:"},
		{"runs: not a runs header", "id,seed\n", readRuns, `:1: runs.csv has no column "run"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.csv")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			err := tt.read(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func readLatency(p string) error  { _, err := ReadLatencyCSV(p); return err }
func readTimeline(p string) error { _, err := ReadTimelineCSV(p); return err }
func readMessages(p string) error { _, err := ReadMessagesCSV(p); return err }
func readRuns(p string) error     { _, err := ReadRunsCSV(p); return err }

func TestSummaryRoundTrip(t *testing.T) {
	in, _ := fixture()
	s := Summarize(in)
	path := filepath.Join(t.TempDir(), SummaryFile)
	if err := WriteSummary(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSummary(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.RunID != s.RunID || got.Seed != s.Seed || got.Verdict != s.Verdict ||
		*got.ConvergenceS != *s.ConvergenceS || !slices.Equal(got.Markers, s.Markers) ||
		!slices.Equal(got.Parameters, s.Parameters) || !slices.Equal(got.Checks, s.Checks) ||
		got.LatencyMS.P50 != s.LatencyMS.P50 || got.VirtualSeconds != s.VirtualSeconds {
		t.Errorf("read back\n%+v\nwant\n%+v", got, s)
	}
}
