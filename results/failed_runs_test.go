package results

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failedSweep is a synthetic sweep: protocol × n, 3 repetitions each; the
// run "bad" (diembft, n = 7) failed its checks with an outlying
// throughput of 1000 that a mean over every run would swallow silently.
func failedSweep() RunsTable {
	t := RunsTable{Params: []string{"protocol", "n"}}
	for _, proto := range []string{"diembft", "bftlist"} {
		for _, n := range []string{"4", "7"} {
			for rep := range 3 {
				id := fmt.Sprintf("%s-%s-%d", proto, n, rep)
				verdict, tput := VerdictPass, float64(10+rep)
				if proto == "diembft" && n == "7" && rep == 2 {
					id, verdict, tput = "bad", VerdictFail, 1000
				}
				t.Rows = append(t.Rows, runRow(id, []string{proto, n}, verdict, tput, 5, -1))
			}
		}
	}
	return t
}

// TestFailedRunsExcluded checks that a run that failed its checks is left
// out of the mean and CI of its point, counted in points.csv, and named in
// the legend of the metric plots drawn from runs.csv.
func TestFailedRunsExcluded(t *testing.T) {
	table := failedSweep()
	dir := writeSweep(t, table, false)
	if err := WriteSweepPoints(dir, 0); err != nil {
		t.Fatal(err)
	}
	params, pts, err := ReadPointsCSV(filepath.Join(dir, PointsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 4 || len(params) != 2 {
		t.Fatalf("%d points with parameters %q, want 4 with 2", len(pts), params)
	}
	for _, p := range pts {
		wantFailed := 0
		if p.Params[0] == "diembft" && p.Params[1] == "7" {
			wantFailed = 1
		}
		if p.Runs != 3 || p.Failed != wantFailed || p.Excluded != wantFailed || p.Passed != 3-wantFailed {
			t.Errorf("point %q: runs/passed/failed/excluded = %d/%d/%d/%d, want 3/%d/%d/%d",
				p.Params, p.Runs, p.Passed, p.Failed, p.Excluded, 3-wantFailed, wantFailed, wantFailed)
		}
		// The passed runs have throughputs 10, 11 (and 12): the failed
		// run's 1000 must not move the mean.
		want := 11.0
		if wantFailed == 1 {
			want = 10.5
		}
		if a := p.ThroughputRPS; a.N != 3-wantFailed || !sameFloat(float64(a.Mean), want) {
			t.Errorf("point %q: throughput %+v, want n %d mean %v", p.Params, a, 3-wantFailed, want)
		}
	}

	// The default sweep plot against n: one line per protocol.
	axes := sweepAxes(table.Params, pts)
	mp := metricVsAxis(axes, 1, pts, sweepMetrics()[0])
	names := map[string]string{}
	for _, s := range mp.Series {
		names[strings.SplitN(s.Name, " ", 2)[0]] = s.Name
		for _, pt := range s.Points {
			if pt.Y > 100 {
				t.Errorf("series %q: point %+v averages the failed run", s.Name, pt)
			}
		}
	}
	if got := names["protocol=diembft"]; got != "protocol=diembft (1 of 6 runs failed checks, excluded)" {
		t.Errorf("diembft legend %q, want it to say 1 of 6 runs failed checks, excluded", got)
	}
	if got := names["protocol=bftlist"]; got != "protocol=bftlist" {
		t.Errorf("bftlist legend %q, want no note", got)
	}

	// A [[plot]] metric table: same legend, and the rows of the failed run
	// are not among the runs of its line.
	d := &specData{dir: dir, t: table, pts: pts, dims: specDims(table.Params, nil)}
	lines, err := d.lines(PlotSpec{Kind: KindMetric, X: "n", Y: "throughput_rps", Series: "protocol"})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		for _, r := range d.runsOf(l) {
			if r.ID == "bad" {
				t.Errorf("line %q: the failed run is among its runs", l.name)
			}
		}
		if want := l.name + failedNote(l.failed, l.runs); l.legend() != want || (l.name == "protocol=diembft") != (l.failed == 1) {
			t.Errorf("line %q: legend %q, %d of %d runs failed", l.name, l.legend(), l.failed, l.runs)
		}
	}
	spec := PlotSpec{Kind: KindMetric, X: "n", Y: "throughput_rps", Series: "protocol", Formats: []string{"svg"}, File: "tput"}
	if err := RenderPlotSpecs(dir, []PlotSpec{spec}, nil, nil); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(filepath.Join(dir, PlotsDir, "tput.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "1 of 6 runs failed checks, excluded") {
		t.Error("the plot's legend does not say that 1 of 6 runs failed checks")
	}
}

// TestTransientPlotsNameFailedRuns checks that the convergence plots,
// which count every run (censored or failed), say in a line's legend how
// many of its runs failed their checks.
func TestTransientPlotsNameFailedRuns(t *testing.T) {
	table := failedSweep()
	for i := range table.Rows {
		conv := table.Rows[i].Convergence != nil
		table.Rows[i].Converged = &conv
	}
	pts := Points(table)
	axes := sweepAxes(table.Params, pts)
	for _, m := range transientMetrics() {
		mp := runMetricVsAxis(axes, 1, table, pts, m)
		for _, s := range mp.Series {
			want := s.Name
			if strings.HasPrefix(s.Name, "protocol=diembft") {
				want = "protocol=diembft (1 of 6 runs failed checks, included)"
			}
			if s.Name != want || strings.HasPrefix(s.Name, "protocol=bftlist") && s.Name != "protocol=bftlist" {
				t.Errorf("%s: legend %q, want %q", m.file, s.Name, want)
			}
		}
	}
}
