package results

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestPlotMetric(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		plot  MetricPlot
		texts []string
	}{
		{"numeric x, three series", MetricPlot{Title: "Throughput vs replicas", XLabel: "replicas", YLabel: "throughput (requests/s)",
			Series: []MetricSeries{
				{Name: "diembft", Points: []MetricPoint{{4, 950, 30}, {7, 800, 45}, {10, 640, nan}}},
				{Name: "bftlist", Points: []MetricPoint{{4, 700, 60}, {7, 520, 35}, {10, 300, 50}}},
				{Name: "pbft", Points: []MetricPoint{{4, 820, 0}}},
			}}, []string{"Throughput vs replicas", "replicas", "throughput (requests/s)", "diembft", "pbft", "95% CI"}},
		{"labelled x", MetricPlot{XLabel: "protocol", YLabel: "latency p50 (ms)", XLabels: []string{"diembft", "bftlist"},
			Series: []MetricSeries{{Name: "n=4", Points: []MetricPoint{{0, 12, 1}, {1, 30, 4}}}}},
			[]string{"latency p50 (ms) vs protocol", "diembft", "bftlist", "n=4"}},
		{"undefined values skipped", MetricPlot{XLabel: "x", YLabel: "y",
			Series: []MetricSeries{{Name: "gaps", Points: []MetricPoint{{1, nan, 1}, {nan, 2, 1}, {3, -4, math.Inf(1)}, {4, 5, -1}}}}},
			[]string{"gaps"}},
		{"empty series", MetricPlot{XLabel: "x", YLabel: "y", Series: []MetricSeries{{Name: "idle"}}}, []string{"idle"}},
		{"nothing", MetricPlot{XLabel: "x", YLabel: "y"}, []string{"y vs x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := fmt.Sprint(tt.plot.Series)
			stem := filepath.Join(t.TempDir(), "metric")
			if err := tt.plot.Save(stem); err != nil {
				t.Fatal(err)
			}
			checkPNG(t, stem+".png")
			checkSVG(t, stem+".svg", tt.texts...)
			if fmt.Sprint(tt.plot.Series) != before {
				t.Error("Save modified its series")
			}
		})
	}
	stem := filepath.Join(t.TempDir(), "m")
	if err := PlotMetric(stem, "T", "n", "v (ms)", tests[0].plot.Series, PNG); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, stem+".png")
}

func TestMetricPlotBadX(t *testing.T) {
	for _, x := range []float64{-1, 0.5, 2} {
		mp := MetricPlot{XLabels: []string{"a", "b"}, Series: []MetricSeries{{Name: "s", Points: []MetricPoint{{x, 1, 0}}}}}
		err := mp.Save(filepath.Join(t.TempDir(), "m"), PNG)
		if err == nil || !strings.Contains(err.Error(), "not the index of one of 2 labels") {
			t.Errorf("x = %v: err = %v, want a label index error", x, err)
		}
	}
}

func TestPlotLatencyThroughput(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		series []LoadSeries
		texts  []string
	}{
		{"bending back at saturation", []LoadSeries{
			{Name: "diembft", Points: []LoadPoint{{100, 10, 20}, {400, 13, 40}, {950, 80, 400}, {900, 300, 1200}}},
			{Name: "bftlist", Points: []LoadPoint{{100, 15, 30}, {600, 70, nan}, {nan, 1, 1}}},
		}, []string{"Latency vs throughput", "throughput (requests/s)", "latency (ms)", "diembft", "p50", "p99"}},
		{"no points", []LoadSeries{{Name: "idle"}}, []string{"idle"}},
		{"nothing", nil, []string{"Latency vs throughput"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stem := filepath.Join(t.TempDir(), "load")
			if err := PlotLatencyThroughput(stem, "", tt.series); err != nil {
				t.Fatal(err)
			}
			checkPNG(t, stem+".png")
			checkSVG(t, stem+".svg", tt.texts...)
		})
	}
}

// kindBars are the traffic of three configurations by message kind.
func kindBars() []KindBar {
	mk := func(n uint64) []KindCount {
		return []KindCount{{Kind: "vote", Sent: n * n, Bytes: n * n * 120}, {Kind: "proposal", Sent: n, Bytes: n * 1500},
			{Kind: "timeout", Sent: n / 2, Bytes: n * 80}, {Kind: "request", Sent: 3 * n, Bytes: 3 * n * 64}}
	}
	return []KindBar{{"n=6", mk(6)}, {"n=9", mk(9)}, {"n=12", append(mk(12), KindCount{Kind: "sync", Sent: 2, Bytes: 40000})}}
}

func TestPlotKindShares(t *testing.T) {
	var many []KindCount
	for i := range 15 {
		many = append(many, KindCount{Kind: fmt.Sprintf("k%02d", i), Sent: uint64(i + 1), Bytes: uint64(100 * (i + 1))})
	}
	tests := []struct {
		name  string
		bars  []KindBar
		texts []string
	}{
		{"three configurations", kindBars(), []string{"Message and byte shares by kind", "share of messages sent (%)",
			"share of bytes sent (%)", "n=12", "sync", "vote"}},
		{"nothing sent", []KindBar{{Label: "idle", Kinds: []KindCount{{Kind: "vote"}}}, {Label: "empty"}}, []string{"idle", "empty"}},
		{"more kinds than colors", []KindBar{{Label: "all", Kinds: many}}, []string{"k14"}},
		{"no bars", nil, []string{"messages", "bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := fmt.Sprint(tt.bars)
			stem := filepath.Join(t.TempDir(), "shares")
			if err := PlotKindShares(stem, "", tt.bars); err != nil {
				t.Fatal(err)
			}
			checkPNG(t, stem+".png")
			checkSVG(t, stem+".svg", tt.texts...)
			if fmt.Sprint(tt.bars) != before {
				t.Error("PlotKindShares modified its input")
			}
		})
	}
}

func TestSegmentLabels(t *testing.T) {
	// Two bars; kinds stacked bottom-up: 50/90, 45/4, 5/6 percent.
	shares := [][]float64{{50, 90}, {45, 4}, {5, 6}}
	l := segmentLabels(shares, 8)
	var got []string
	for i, xy := range l.XYs {
		got = append(got, fmt.Sprintf("%v,%v:%s", xy.X, xy.Y, l.Labels[i]))
	}
	want := []string{"0,25:50%", "0,72.5:45%", "1,45:90%", "1,97:6%"}
	if !slices.Equal(got, want) {
		t.Errorf("segment labels %q, want %q", got, want)
	}
	if segmentLabels([][]float64{{1, 2}}, 8) != nil || segmentLabels(nil, 8) != nil {
		t.Error("labels for segments below the threshold")
	}
}

func TestPlotCDF(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	tests := []struct {
		name   string
		series []ValueSeries
		texts  []string
	}{
		{"censored runs", []ValueSeries{{"n=4", []float64{1.2, 0.8, 1.5}}, {"n=7", []float64{2.2, inf, 3.0, nan}}},
			[]string{"convergence time (s)", "fraction of runs", "n=4 (n=3)", "n=7 (n=4, 2 censored)"}},
		{"all censored", []ValueSeries{{"never", []float64{inf, inf}}}, []string{"never (n=2, 2 censored)"}},
		{"nothing", nil, []string{"CDF", "fraction of values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stem := filepath.Join(t.TempDir(), "cdf")
			x, y := "convergence time (s)", "fraction of runs"
			if tt.series == nil {
				y = ""
			}
			if err := PlotCDF(stem, "", x, y, tt.series); err != nil {
				t.Fatal(err)
			}
			checkPNG(t, stem+".png")
			checkSVG(t, stem+".svg", tt.texts...)
		})
	}
}

func TestCDFXYsCensored(t *testing.T) {
	pts := cdfXYs([]float64{1, 2, 3}, 4) // a fourth value censored
	want := []struct{ x, y float64 }{{1, 0}, {1, 0.25}, {2, 0.5}, {3, 0.75}}
	if len(pts) != len(want) {
		t.Fatalf("cdfXYs = %v, want %v", pts, want)
	}
	for i, w := range want {
		if pts[i].X != w.x || pts[i].Y != w.y {
			t.Errorf("point %d = %v, want %v", i, pts[i], w)
		}
	}
}

// renderAll renders every plot kind of this file into dir in all formats
// and returns the files' contents by name.
func renderAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	all := []string{PNG, SVG, PDF}
	in, _ := fixture()
	rows := in.Timeline.Rows(in.End)
	steps := []error{
		PlotMetric(filepath.Join(dir, "metric"), "", "replicas", "throughput (requests/s)", []MetricSeries{
			{Name: "a", Points: []MetricPoint{{4, 10, 1}, {7, 8, 2}}}, {Name: "b", Points: []MetricPoint{{4, 9, 1}, {7, 5, math.NaN()}}}}, all...),
		PlotLatencyThroughput(filepath.Join(dir, "load"), "", []LoadSeries{{Name: "a", Points: []LoadPoint{{10, 1, 2}, {20, 3, 9}}}}, all...),
		PlotKindShares(filepath.Join(dir, "shares"), "", kindBars(), all...),
		PlotCDF(filepath.Join(dir, "cdf"), "", "t (s)", "", []ValueSeries{{"a", []float64{3, 1, math.Inf(1)}}}, all...),
		PlotThroughput(filepath.Join(dir, "tput"), "", []ThroughputSeries{{"a", rows}, {"b", rows[1:]}}, in.Timeline.Markers(), all...),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	return readFiles(t, dir)
}

func TestPlotKindsAreDeterministic(t *testing.T) {
	a, b := renderAll(t, t.TempDir()), renderAll(t, t.TempDir())
	if len(a) != 15 {
		t.Fatalf("wrote %d files, want 15", len(a))
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two renderings of the same data", name)
		}
	}
}

// writeSweep writes runs.csv of table into a new directory, and
// points.csv too when withPoints is set.
func writeSweep(t *testing.T, table RunsTable, withPoints bool) string {
	t.Helper()
	dir := t.TempDir()
	if err := WriteRunsCSV(filepath.Join(dir, RunsFile), table); err != nil {
		t.Fatal(err)
	}
	if withPoints {
		if err := WritePointsCSV(filepath.Join(dir, PointsFile), table.Params, Points(table)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPlotSweepDefaults(t *testing.T) {
	one := func(params []string, vals ...[]string) RunsTable {
		t := RunsTable{Params: params}
		for i, v := range vals {
			t.Rows = append(t.Rows, runRow(fmt.Sprint("r", i), v, VerdictPass, float64(10+i), float64(5+i), -1))
		}
		return t
	}
	tests := []struct {
		name       string
		table      RunsTable
		withPoints bool
		want       []string // files in plots/, PNG only
	}{
		{"replicas × protocol, points.csv read", sweepTable(), true,
			[]string{"convergence-cdf.png", "latency-p50-vs-replicas.png", "throughput-vs-replicas.png"}},
		{"replicas × protocol, points computed", sweepTable(), false,
			[]string{"convergence-cdf.png", "latency-p50-vs-replicas.png", "throughput-vs-replicas.png"}},
		{"only protocols", one([]string{"protocol"}, []string{"diembft"}, []string{"bftlist"}), false,
			[]string{"latency-p50-vs-protocol.png", "throughput-vs-protocol.png"}},
		{"durations", one([]string{"timeout/base"}, []string{"500ms"}, []string{"1s"}, []string{"2s"}), true,
			[]string{"latency-p50-vs-timeout_base.png", "throughput-vs-timeout_base.png"}},
		{"one value, nothing to plot", one([]string{"replicas"}, []string{"4"}, []string{"4"}), false, nil},
		{"nothing swept", one(nil, []string{}, []string{}), false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSweep(t, tt.table, tt.withPoints)
			if err := PlotSweepDefaults(dir, nil, PNG); err != nil {
				t.Fatal(err)
			}
			got := entries(t, filepath.Join(dir, PlotsDir))
			if !slices.Equal(got, tt.want) {
				t.Errorf("plots/ holds %q, want %q", got, tt.want)
			}
			for _, name := range got {
				checkPNG(t, filepath.Join(dir, PlotsDir, name))
			}
		})
	}
}

func TestPlotSweepDefaultsDeterministic(t *testing.T) {
	render := func() map[string][]byte {
		dir := writeSweep(t, sweepTable(), true)
		if err := PlotSweepDefaults(dir, nil); err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		for _, name := range entries(t, filepath.Join(dir, PlotsDir)) {
			b, err := os.ReadFile(filepath.Join(dir, PlotsDir, name))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = b
		}
		return out
	}
	a, b := render(), render()
	if len(a) != 6 {
		t.Errorf("wrote %d files, want 6 (3 plots × PNG, SVG)", len(a))
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two renderings", name)
		}
	}
}

func TestPlotSweepDefaultsErrors(t *testing.T) {
	t.Run("no runs.csv", func(t *testing.T) {
		if err := PlotSweepDefaults(t.TempDir(), nil); err == nil {
			t.Error("no error without runs.csv")
		}
	})
	t.Run("points.csv of another sweep", func(t *testing.T) {
		table := sweepTable()
		dir := writeSweep(t, table, false)
		if err := WritePointsCSV(filepath.Join(dir, PointsFile), []string{"replicas"}, []Point{{Params: []string{"4"}}}); err != nil {
			t.Fatal(err)
		}
		err := PlotSweepDefaults(dir, nil)
		if err == nil || !strings.Contains(err.Error(), "differ") {
			t.Errorf("err = %v, want a parameter mismatch", err)
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		dir := writeSweep(t, sweepTable(), false)
		if err := PlotSweepDefaults(dir, nil, "gif"); err == nil {
			t.Error("no error for format gif")
		}
	})
}

func TestMetricVsAxis(t *testing.T) {
	// replicas (3 values) × loss (2) × protocol (2), points in plan order.
	var pts []Point
	for _, n := range []string{"4", "7", "10"} {
		for _, loss := range []string{"0", "0.1"} {
			for _, proto := range []string{"a", "b"} {
				p := Point{Params: []string{n, loss, proto}}
				p.ThroughputRPS = Aggregate{N: 2, Mean: Float(len(n) * 100), CI95: 1}
				pts = append(pts, p)
			}
		}
	}
	slices.Reverse(pts) // x values out of order: the series sort them
	axes := sweepAxes([]string{"replicas", "loss", "protocol"}, pts)
	mp := metricVsAxis(axes, 0, pts, sweepMetrics()[0])
	want := MetricPlot{
		Title:  "Throughput vs replicas (protocol=b)",
		XLabel: "replicas",
		YLabel: "throughput (requests/s)",
		Series: []MetricSeries{
			{Name: "loss=0.1", Points: []MetricPoint{{4, 100, 1}, {7, 100, 1}, {10, 200, 1}}},
			{Name: "loss=0", Points: []MetricPoint{{4, 100, 1}, {7, 100, 1}, {10, 200, 1}}},
		},
	}
	if !reflect.DeepEqual(mp, want) {
		t.Errorf("metricVsAxis =\n%+v\nwant\n%+v", mp, want)
	}
}

// TestMetricVsZippedAxis checks that keys moving together (a zip) are one
// axis of the default sweep plots: every point of a line is drawn, the x
// label names the keys zipped with x, and no zipped key is held fixed.
func TestMetricVsZippedAxis(t *testing.T) {
	var pts []Point
	for _, proto := range []string{"bftlist", "diembft"} {
		for i, nf := range [][2]string{{"6", "1"}, {"11", "2"}, {"16", "3"}} {
			p := Point{Params: []string{proto, nf[0], nf[1], nf[1]}}
			p.ThroughputRPS = Aggregate{N: 2, Mean: Float(10 * (i + 1)), CI95: 1}
			pts = append(pts, p)
		}
	}
	axes := sweepAxes([]string{"protocol.name", "protocol.n", "protocol.f", "transient[0].random"}, pts)
	if g := []int{axes[0].group, axes[1].group, axes[2].group, axes[3].group}; !slices.Equal(g, []int{0, 1, 1, 1}) {
		t.Fatalf("axis groups %v, want [0 1 1 1]", g)
	}
	mp := metricVsAxis(axes, 1, pts, sweepMetrics()[0])
	want := MetricPlot{
		Title:  "Throughput vs protocol.n",
		XLabel: "protocol.n (with protocol.f, transient[0].random)",
		YLabel: "throughput (requests/s)",
		Series: []MetricSeries{
			{Name: "protocol.name=bftlist", Points: []MetricPoint{{6, 10, 1}, {11, 20, 1}, {16, 30, 1}}},
			{Name: "protocol.name=diembft", Points: []MetricPoint{{6, 10, 1}, {11, 20, 1}, {16, 30, 1}}},
		},
	}
	if !reflect.DeepEqual(mp, want) {
		t.Errorf("metricVsAxis =\n%+v\nwant\n%+v", mp, want)
	}
}

func TestFileSafe(t *testing.T) {
	for in, want := range map[string]string{"network.loss": "network.loss", "a/b c": "a_b_c", "x-1_y": "x-1_y", "é": "_"} {
		if got := fileSafe(in); got != want {
			t.Errorf("fileSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
