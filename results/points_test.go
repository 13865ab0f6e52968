package results

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// t975 are Student's t quantiles t(0.975, ν) for ν = 1, 2, 3.
var t975 = map[int]float64{1: 12.706204736174698, 2: 4.302652729911275, 3: 3.182446305284263}

// runRow returns a runs.csv row with the given parameters, verdict,
// throughput, p50 latency (NaN: undefined) and convergence (negative: did
// not converge); other metrics are derived from the throughput.
func runRow(id string, params []string, verdict string, tput, p50 float64, convS float64) RunRow {
	r := RunRow{
		ID:                  id,
		Params:              params,
		Seed:                uint64(len(id)),
		Verdict:             verdict,
		RequestsCompleted:   int(tput),
		LatencyMS:           LatencyStats{P50: Float(p50), P90: Float(2 * p50), P99: Float(3 * p50), Max: Float(4 * p50), Mean: Float(1.5 * p50)},
		ThroughputRPS:       tput,
		Messages:            uint64(10 * tput),
		Bytes:               uint64(1000 * tput),
		RoundChanges:        5,
		TimeoutRoundChanges: 3,
		ViewChanges:         1,
		Timeouts:            2,
		Events:              uint64(100 * tput),
		Virtual:             2 * sim.Second,
	}
	if convS >= 0 {
		c := sim.Time(convS * float64(sim.Second))
		r.Convergence = &c
	}
	return r
}

func sameFloat(a, b float64) bool {
	return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

func checkAggregate(t *testing.T, what string, a Aggregate, n int, mean, std, ci float64) {
	t.Helper()
	if a.N != n || !sameFloat(float64(a.Mean), mean) || !sameFloat(float64(a.Std), std) || !sameFloat(float64(a.CI95), ci) {
		t.Errorf("%s = %+v, want n %d mean %v std %v ci95 %v", what, a, n, mean, std, ci)
	}
}

func TestPointsArithmetic(t *testing.T) {
	nan := math.NaN()
	p := []string{"4"}
	table := RunsTable{Params: []string{"replicas"}, Rows: []RunRow{
		runRow("r0", p, VerdictPass, 10, 5, 1),
		runRow("r1", p, VerdictFail, 20, nan, -1),
		runRow("r2", p, VerdictPass, 30, 7, 2),
	}}
	pts := Points(table)
	if len(pts) != 1 {
		t.Fatalf("Points gave %d points, want 1", len(pts))
	}
	pt := pts[0]
	if pt.Runs != 3 || pt.Passed != 2 || pt.Failed != 1 || pt.Excluded != 1 || pt.Converged != 2 || pt.Trim != 0 {
		t.Errorf("runs/passed/failed/excluded/converged/trim = %d/%d/%d/%d/%d/%d, want 3/2/1/1/2/0",
			pt.Runs, pt.Passed, pt.Failed, pt.Excluded, pt.Converged, pt.Trim)
	}
	// 10 and 30 (the failed run's 20 is excluded): mean 20, s = 10√2,
	// ci = t(1)·10√2/√2.
	checkAggregate(t, "throughput", pt.ThroughputRPS, 2, 20, 10*math.Sqrt2, t975[1]*10)
	checkAggregate(t, "messages", pt.Messages, 2, 200, 100*math.Sqrt2, t975[1]*100)
	// 5 and 7 (the undefined latency is left out): mean 6, s = √2, ci = t(1)·√2/√2.
	checkAggregate(t, "latency p50", pt.LatencyP50MS, 2, 6, math.Sqrt2, t975[1])
	checkAggregate(t, "latency p99", pt.LatencyP99MS, 2, 18, 3*math.Sqrt2, 3*t975[1])
	// 1 s and 2 s; the run that did not converge is not a number.
	checkAggregate(t, "convergence", pt.ConvergenceS, 2, 1.5, math.Sqrt(0.5), t975[1]*0.5)
	checkAggregate(t, "view changes", pt.ViewChanges, 2, 1, 0, 0)
	checkAggregate(t, "virtual", pt.VirtualS, 2, 2, 0, 0)
	if a, ok := pt.Metric("latency_p50_ms"); !ok || a != pt.LatencyP50MS {
		t.Errorf("Metric(latency_p50_ms) = %+v, %v; want the LatencyP50MS field", a, ok)
	}
	if _, ok := pt.Metric("nonsense"); ok {
		t.Error("Metric(nonsense) reported a metric")
	}
}

func TestPointsGrouping(t *testing.T) {
	row := func(id string, params ...string) RunRow { return runRow(id, params, VerdictPass, 1, 1, -1) }
	tests := []struct {
		name string
		rows []RunRow
		want [][]string // parameters of the points, in order
		runs []int
	}{
		{"plan order kept", []RunRow{row("a", "7", "x"), row("b", "4", "x"), row("c", "7", "x"), row("d", "4", "y"), row("e", "4", "x")},
			[][]string{{"7", "x"}, {"4", "x"}, {"4", "y"}}, []int{2, 2, 1}},
		{"values are not concatenated", []RunRow{row("a", "ab", ""), row("b", "a", "b"), row("c", "a:", "b")},
			[][]string{{"ab", ""}, {"a", "b"}, {"a:", "b"}}, []int{1, 1, 1}},
		{"nothing swept", []RunRow{row("a"), row("b")}, [][]string{{}}, []int{2}},
		{"no rows", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.rows)
			pts := Points(RunsTable{Rows: tt.rows})
			var got [][]string
			var runs []int
			for _, p := range pts {
				got = append(got, p.Params)
				runs = append(runs, p.Runs)
			}
			if !reflect.DeepEqual(got, tt.want) || !slices.Equal(runs, tt.runs) {
				t.Errorf("points %q with runs %v, want %q with %v", got, runs, tt.want, tt.runs)
			}
			if !reflect.DeepEqual(before, tt.rows) {
				t.Error("Points modified its input")
			}
		})
	}
}

func TestPointsTrimmed(t *testing.T) {
	p := []string{"x"}
	// Throughputs 100, 1, 3, 2, 4 (row order differs from sorted order);
	// convergence 1, 2, never, 3, 4 s.
	rows := []RunRow{
		runRow("r0", p, VerdictPass, 100, 10, 1),
		runRow("r1", p, VerdictPass, 1, 10, 2),
		runRow("r2", p, VerdictPass, 3, 10, -1),
		runRow("r3", p, VerdictPass, 2, 10, 3),
		runRow("r4", p, VerdictPass, 4, 10, 4),
	}
	nan := math.NaN()
	t4 := 2.7764451051977987 // t(0.975, 4)
	type agg struct{ n, mean, std, ci float64 }
	tests := []struct {
		k          int
		tput, conv agg
	}{
		{0, agg{5, 22, math.Sqrt(1902.5), t4 * math.Sqrt(1902.5) / math.Sqrt(5)},
			agg{4, 2.5, math.Sqrt(5.0 / 3), t975[3] * math.Sqrt(5.0/3) / 2}},
		// Throughputs 2, 3, 4 remain. The censored run ranks above every
		// convergence time and is dropped first: 2, 3, 4 s remain.
		{1, agg{3, 3, 1, t975[2] / math.Sqrt(3)}, agg{3, 3, 1, t975[2] / math.Sqrt(3)}},
		{2, agg{1, 3, nan, nan}, agg{1, 3, nan, nan}},
		{3, agg{0, nan, nan, nan}, agg{0, nan, nan, nan}},
	}
	for _, tt := range tests {
		pt := PointsTrimmed(RunsTable{Params: []string{"k"}, Rows: rows}, tt.k)[0]
		checkAggregate(t, fmt.Sprintf("throughput, trim %d", tt.k), pt.ThroughputRPS, int(tt.tput.n), tt.tput.mean, tt.tput.std, tt.tput.ci)
		checkAggregate(t, fmt.Sprintf("convergence, trim %d", tt.k), pt.ConvergenceS, int(tt.conv.n), tt.conv.mean, tt.conv.std, tt.conv.ci)
		if pt.Converged != 4 || pt.Trim != tt.k || pt.Runs != 5 {
			t.Errorf("trim %d: converged %d trim %d runs %d, want 4 %d 5", tt.k, pt.Converged, pt.Trim, pt.Runs, tt.k)
		}
	}
	if rows[0].ThroughputRPS != 100 {
		t.Error("PointsTrimmed reordered its input")
	}
	defer func() {
		if recover() == nil {
			t.Error("PointsTrimmed(t, -1) did not panic")
		}
	}()
	PointsTrimmed(RunsTable{}, -1)
}

func TestPointsNeverConverged(t *testing.T) {
	p := []string{"1"}
	pts := Points(RunsTable{Params: []string{"f"}, Rows: []RunRow{runRow("a", p, VerdictFail, 1, 1, -1), runRow("b", p, VerdictFail, 1, 1, -1)}})
	nan := math.NaN()
	checkAggregate(t, "convergence", pts[0].ConvergenceS, 0, nan, nan, nan)
	if pts[0].Converged != 0 || pts[0].Passed != 0 {
		t.Errorf("converged %d passed %d, want 0 0", pts[0].Converged, pts[0].Passed)
	}
}

// sweepTable is a sweep of replicas × protocol with three repetitions,
// an undefined latency and a run that did not converge.
func sweepTable() RunsTable {
	nan := math.NaN()
	params := []string{"replicas", "protocol"}
	var rows []RunRow
	for pi, proto := range []string{"diembft", "bftlist"} {
		for _, n := range []int{4, 7, 10} {
			for rep := range 3 {
				f := float64(n*7 + rep*rep*3 + 5*pi)
				p50, conv := 10+f/4, 0.5+f/20
				if proto == "bftlist" && n == 10 && rep == 1 {
					p50, conv = nan, -1
				}
				verdict := VerdictPass
				if conv < 0 {
					verdict = VerdictFail
				}
				id := fmt.Sprintf("r%02d", len(rows))
				rows = append(rows, runRow(id, []string{strconv.Itoa(n), proto}, verdict, 1000/f, p50, conv))
			}
		}
	}
	return RunsTable{Params: params, Rows: rows}
}

func TestGoldenPointsCSV(t *testing.T) {
	table := sweepTable()
	path := filepath.Join(t.TempDir(), PointsFile)
	if err := WritePointsCSV(path, table.Params, Points(table)); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, path, PointsFile)
	trimmed := filepath.Join(t.TempDir(), PointsFile)
	if err := WritePointsCSV(trimmed, table.Params, PointsTrimmed(table, 1)); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, trimmed, "points_trim1.csv")
}

func TestPointsCSVRoundTrip(t *testing.T) {
	table := sweepTable()
	pts := Points(table)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	if err := WritePointsCSV(a, table.Params, pts); err != nil {
		t.Fatal(err)
	}
	params, got, err := ReadPointsCSV(a)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(params, table.Params) || len(got) != len(pts) {
		t.Fatalf("read params %q and %d points, want %q and %d", params, len(got), table.Params, len(pts))
	}
	for i := range pts {
		if !slices.Equal(got[i].Params, pts[i].Params) || got[i].Runs != pts[i].Runs ||
			got[i].Passed != pts[i].Passed || got[i].Converged != pts[i].Converged {
			t.Errorf("point %d: read %+v, wrote %+v", i, got[i], pts[i])
		}
		for _, m := range PointMetrics() {
			x, _ := pts[i].Metric(m)
			y, _ := got[i].Metric(m)
			same := func(a, b Float) bool {
				return math.IsNaN(float64(a)) == math.IsNaN(float64(b)) && (math.IsNaN(float64(a)) || math.Abs(float64(a-b)) <= 1e-6)
			}
			if x.N != y.N || !same(x.Mean, y.Mean) || !same(x.Std, y.Std) || !same(x.CI95, y.CI95) {
				t.Errorf("point %d, %s: read %+v, wrote %+v", i, m, y, x)
			}
		}
	}
	if err := WritePointsCSV(b, params, got); err != nil {
		t.Fatal(err)
	}
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if string(ab) != string(bb) {
		t.Error("points.csv read and written again differs")
	}
}

func TestWritePointsCSVErrors(t *testing.T) {
	pt := Point{Params: []string{"4"}}
	tests := []struct {
		name   string
		params []string
		pts    []Point
		want   string
	}{
		{"reserved", []string{"runs"}, []Point{pt}, `"runs" is empty, reserved or repeated`},
		{"metric column", []string{"bytes_mean"}, []Point{pt}, "reserved"},
		{"empty", []string{""}, []Point{pt}, "reserved"},
		{"repeated", []string{"n", "n"}, nil, "repeated"},
		{"value count", []string{"n", "f"}, []Point{pt}, "point 0 has 1 parameter values, want 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), PointsFile)
			err := WritePointsCSV(path, tt.params, tt.pts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
			if _, serr := os.Stat(path); serr == nil {
				t.Error("a file was written despite the error")
			}
		})
	}
}

func TestReadPointsCSVErrors(t *testing.T) {
	header := strings.Join(append([]string{"n"}, pointsTrailing()...), ",")
	good := "4,2,2,0,0,1,0" + strings.Repeat(",2,1.000000,0.000000,0.000000", len(PointMetrics()))
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "empty file"},
		{"not points", "run,seed\n", "not a points.csv header"},
		{"negative count", header + "\n" + strings.Replace(good, "4,2,", "4,-2,", 1) + "\n", ":2: runs: must not be negative"},
		{"bad float", header + "\n" + strings.Replace(good, "1.000000", "one", 1) + "\n", ":2: requests_completed_mean:"},
		{"short row", header + "\n4,2\n", "wrong number of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), PointsFile)
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := ReadPointsCSV(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	path := filepath.Join(t.TempDir(), PointsFile)
	if err := os.WriteFile(path, []byte(header+"\n"+good+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	params, pts, err := ReadPointsCSV(path)
	if err != nil || !slices.Equal(params, []string{"n"}) || len(pts) != 1 || pts[0].Runs != 2 || pts[0].Events.N != 2 {
		t.Errorf("ReadPointsCSV(good) = %q, %+v, %v", params, pts, err)
	}
}

func TestWriteSweepPoints(t *testing.T) {
	table := sweepTable()
	dir := writeSweep(t, table, false)
	if err := WriteSweepPoints(dir, 1); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join(dir, PointsFile), "points_trim1.csv")
	if err := WriteSweepPoints(t.TempDir(), 0); err == nil {
		t.Error("no error without runs.csv")
	}
}

// TestWriteRunsAndPoints: WriteRunsAndPoints writes the bytes WriteRunsCSV
// then WriteSweepPoints write, points computed from runs.csv as it reads
// back (the table's own numbers may have more digits), and no other file.
func TestWriteRunsAndPoints(t *testing.T) {
	table := RunsTable{Params: []string{"load"}}
	for i, v := range []string{"1", "1", "2", "2", "2"} {
		s := Summary{RunID: fmt.Sprint(i), Seed: uint64(i), Verdict: VerdictPass,
			ThroughputRPS: Float(100 + 10.0/3*float64(i)), VirtualSeconds: Seconds(sim.Time(i+1) * sim.Second / 3)}
		s.LatencyMS.P50 = Float(2.0/3 + float64(i))
		table.Rows = append(table.Rows, RowOf(s, table.Params, nil))
		table.Rows[i].Params = []string{v}
	}
	// summary.md is titled after the directory.
	one, both := filepath.Join(t.TempDir(), "exp"), filepath.Join(t.TempDir(), "exp")
	for _, d := range []string{one, both} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteRunsCSV(filepath.Join(one, RunsFile), table); err != nil {
		t.Fatal(err)
	}
	if err := WriteSweepPoints(one, 0); err != nil {
		t.Fatal(err)
	}
	if err := WriteRunsAndPoints(both, table, 0); err != nil {
		t.Fatal(err)
	}
	want, got := readFiles(t, one), readFiles(t, both)
	if len(got) != 3 || len(want) != 3 {
		t.Fatalf("files %v and %v, want runs.csv, points.csv and summary.md", entries(t, both), entries(t, one))
	}
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("%s differs:\n%s\nwant\n%s", name, got[name], w)
		}
	}
	bad := table
	bad.Rows = append([]RunRow{}, table.Rows...)
	bad.Rows[0].Params = nil
	dir := t.TempDir()
	if err := WriteRunsAndPoints(dir, bad, 0); err == nil || len(entries(t, dir)) != 0 {
		t.Errorf("a row without its parameter: err %v, files %v; want an error and no file", err, entries(t, dir))
	}
}
