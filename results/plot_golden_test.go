package results

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// checkGoldenImage compares the SVG file at path with
// testdata/plots/name.svg, or rewrites it with -update. A difference is
// reported by its first differing line (the files are a few thousand).
func checkGoldenImage(t *testing.T, path, name string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "plots", name+".svg")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./results -run TestGoldenPlots -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs from %s at line %d (view both; run with -update if the change is meant):\n--- got\n%s\n--- want\n%s",
				path, golden, i+1, g, w)
			return
		}
	}
}

// goldenSeries returns n metric series over x = 1..5 that cross one
// another, so every series style shows.
func goldenSeries(n int) []MetricSeries {
	out := make([]MetricSeries, n)
	for i := range out {
		out[i].Name = "series " + string(rune('A'+i))
		for x := 1; x <= 5; x++ {
			y := float64(10+3*i) + float64(x)*float64(4-i%5)
			out[i].Points = append(out[i].Points, MetricPoint{X: float64(x), Y: y, CI: float64(1 + i%3)})
		}
	}
	return out
}

// TestGoldenPlots renders every plot kind from fixed data and compares the
// SVG with its golden file in testdata/plots: any change in the style,
// the ticks, the legend's place or the data drawn shows as a diff.
func TestGoldenPlots(t *testing.T) {
	ms := sim.Millisecond
	lowRate := make([]TimelineRow, 400) // 40 s at 2.5 requests/s on average
	for i := range lowRate {
		n := uint64(0)
		if i%4 == 0 {
			n = 1
		}
		lowRate[i] = TimelineRow{Start: sim.Time(i) * 100 * ms, Completed: n, ThroughputRPS: float64(n) * 10}
	}
	busy := make([]TimelineRow, 400)
	for i := range busy {
		v := 400 + 100*math.Sin(float64(i)/40)
		if i >= 150 && i < 200 {
			v = 0 // a partition
		}
		busy[i] = TimelineRow{Start: sim.Time(i) * 100 * ms, ThroughputRPS: v, Completed: uint64(v / 10)}
	}
	latencies := func(n int, scale float64) []sim.Time {
		out := make([]sim.Time, n)
		for i := range out {
			out[i] = sim.Time(scale*(1+float64(i*i%97)/10)) * ms
		}
		return out
	}
	tests := []struct {
		name   string
		render func(stem string) error
	}{
		{"metric-12-series", func(stem string) error {
			return MetricPlot{Title: "Twelve series", XLabel: "x", YLabel: "value (ms)", Series: goldenSeries(12)}.Save(stem, SVG)
		}},
		{"metric-labelled-x", func(stem string) error {
			return MetricPlot{XLabel: "protocol", YLabel: "latency p50 (ms)", XLabels: []string{"DiemBFT", "BFTList"},
				Series: []MetricSeries{{Name: "n = 6", Points: []MetricPoint{{0, 12, 1}, {1, 30, 4}}}}}.Save(stem, SVG)
		}},
		{"metric-log-style", func(stem string) error {
			return MetricPlot{Title: "Latency vs offered load", XLabel: "offered load (requests/s)", YLabel: "latency p50 (ms)",
				LogX: true, LogY: true, Series: []MetricSeries{
					{Name: "DiemBFT", Points: []MetricPoint{{2.5, 20, 1}, {10, 21, 1}, {40, 23, 2}, {160, 66, 5}}},
					{Name: "BFTList", Points: []MetricPoint{{2.5, 130, 20}, {10, 130, 10}, {40, 14000, 7000}, {160, 150, 60}}},
				},
				Style: PlotStyle{Width: vg12cm, Height: vg8cm, FontSize: 8, Legend: LegendTopLeft}}.Save(stem, SVG)
		}},
		{"metric-intervals", func(stem string) error {
			s := MetricSeries{Name: "convergence", Points: []MetricPoint{{1, 2, math.NaN()}, {2, 3, math.NaN()}, {3, 5, math.NaN()}},
				Intervals: [][2]float64{{1.5, 2.5}, {2, 4.5}, {math.NaN(), 6}}}
			return MetricPlot{XLabel: "corrupted replicas", YLabel: "convergence time (s)", Series: []MetricSeries{s},
				Style: PlotStyle{Legend: LegendRight}}.Save(stem, SVG)
		}},
		{"request-latency", func(stem string) error {
			s := goldenSeries(2)
			for i := range s {
				for j := range s[i].Points {
					s[i].Points[j].CI = math.NaN()
				}
			}
			return MetricPlot{XLabel: "request index", YLabel: "latency (ms)", Series: s, NoMarkers: true,
				Style: PlotStyle{Legend: LegendBelow}}.Save(stem, SVG)
		}},
		{"latency-throughput", func(stem string) error {
			return plotLatencyThroughput(stem, "", axisOptions{logY: true}, []LoadSeries{
				{Name: "DiemBFT", Points: []LoadPoint{{10, 20, 29}, {80, 21, 30}, {310, 24, 31}, {630, 66, 140}}},
				{Name: "BFTList", Points: []LoadPoint{{10, 130, 280}, {20, 130, 300}, {36, 13000, 30000}, {70, 150, 160}}},
			}, []string{SVG})
		}},
		{"throughput-low-rate", func(stem string) error {
			return PlotThroughput(stem, "", []ThroughputSeries{{Name: "DiemBFT", Rows: lowRate}}, nil, SVG)
		}},
		{"throughput-markers", func(stem string) error {
			return PlotThroughput(stem, "", []ThroughputSeries{{Name: "DiemBFT", Rows: busy}, {Name: "BFTList", Rows: lowRate}}, []Marker{
				{At: Seconds(15 * sim.Second), Until: Seconds(20 * sim.Second), Label: "partition {0,1} | {2,3}"},
				{At: Seconds(30 * sim.Second), Label: "crash replica1"},
			}, SVG)
		}},
		{"latency-cdf", func(stem string) error {
			return PlotLatencyCDF(stem, "", []CDFSeries{{Name: "DiemBFT", Latencies: latencies(500, 2)}, {Name: "BFTList", Latencies: latencies(300, 9)}}, SVG)
		}},
		{"cdf-censored", func(stem string) error {
			return PlotCDF(stem, "Convergence time", "convergence time (s)", "fraction of runs", []ValueSeries{
				{Name: "n = 6", Values: []float64{1.2, 3.4, 2.2, math.Inf(1), 0.8}},
				{Name: "n = 11", Values: []float64{2.5, 4.1, 3.3, 5.9}},
			}, SVG)
		}},
		{"shares", func(stem string) error {
			bar := func(label string, scale uint64) KindBar {
				return KindBar{Label: label, Kinds: []KindCount{
					{Kind: "ve", Sent: 40 * scale, Bytes: 9000 * scale}, {Kind: "rep", Sent: 100 * scale, Bytes: 40000 * scale},
					{Kind: "pm", Sent: 30, Bytes: 2000}, {Kind: "fd_token", Sent: 300, Bytes: 6000}, {Kind: "reply", Sent: 20, Bytes: 1000},
				}}
			}
			return PlotKindShares(stem, "", []KindBar{bar("n = 6", 1), bar("n = 9", 2), bar("n = 12", 3)}, SVG)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stem := filepath.Join(t.TempDir(), tt.name)
			if err := tt.render(stem); err != nil {
				t.Fatal(err)
			}
			checkGoldenImage(t, stem+".svg", tt.name)
			// The same input renders the same bytes.
			again := filepath.Join(t.TempDir(), tt.name)
			if err := tt.render(again); err != nil {
				t.Fatal(err)
			}
			a, _ := os.ReadFile(stem + ".svg")
			b, _ := os.ReadFile(again + ".svg")
			if !bytes.Equal(a, b) {
				t.Error("two renderings differ")
			}
		})
	}
}

// Lengths of the styled golden plot.
const (
	vg12cm = 12 * 72 / 2.54
	vg8cm  = 8 * 72 / 2.54
)
