package results

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// specTable is a runs table of a sweep over protocol.name × a zip of
// protocol.n with protocol.f × rate, one run per point.
func specTable() RunsTable {
	t := RunsTable{Params: []string{"protocol.name", "protocol.n", "protocol.f", "workload[0].rate"}}
	id := 0
	for _, name := range []string{"diembft", "bftlist"} {
		for _, nf := range [][2]string{{"6", "1"}, {"11", "2"}} {
			for _, rate := range []string{"10.0", "20.0"} {
				t.Rows = append(t.Rows, RunRow{ID: fmt.Sprint(id), Params: []string{name, nf[0], nf[1], rate}, Verdict: VerdictPass})
				id++
			}
		}
	}
	return t
}

func TestSpecLines(t *testing.T) {
	tb := specTable()
	groups := [][]string{{"protocol.name"}, {"protocol.n", "protocol.f"}, {"workload[0].rate"}}
	d := &specData{t: tb, pts: Points(tb), dims: specDims(tb.Params, groups)}
	tests := []struct {
		name string
		spec PlotSpec
		want []string // "name: point indices"
	}{
		{"series and a free zip", PlotSpec{X: "workload[0].rate", Series: "protocol.name"},
			[]string{"name=diembft, n=6, f=1: [0 1]", "name=diembft, n=11, f=2: [2 3]", "name=bftlist, n=6, f=1: [4 5]", "name=bftlist, n=11, f=2: [6 7]"}},
		{"x names the zip by its second key", PlotSpec{X: "protocol.f", Series: "protocol.name", Where: []Param{{"workload[0].rate", "20.0"}}},
			[]string{"name=diembft: [1 3]", "name=bftlist: [5 7]"}},
		{"series is a zip", PlotSpec{Series: "protocol.n", Where: []Param{{"protocol.name", "bftlist"}, {"workload[0].rate", "10.0"}}},
			[]string{"n=6, f=1: [4]", "n=11, f=2: [6]"}},
		{"everything fixed", PlotSpec{Where: []Param{{"protocol.name", "diembft"}, {"protocol.n", "6"}, {"workload[0].rate", "10.0"}}},
			[]string{"all runs: [0]"}},
		{"no match", PlotSpec{Where: []Param{{"protocol.name", "pbft"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := d.lines(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range lines {
				got = append(got, fmt.Sprintf("%s: %v", l.name, l.pts))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	for _, bad := range []PlotSpec{{X: "protocol.m"}, {Series: "rate"}, {Where: []Param{{"n", "6"}}}} {
		if _, err := d.lines(bad); err == nil || !strings.Contains(err.Error(), "is not a swept key") {
			t.Errorf("%+v: err = %v, want not a swept key", bad, err)
		}
	}
}

func TestSpecDimsUngrouped(t *testing.T) {
	dims := specDims([]string{"a", "b", "c"}, [][]string{{"c", "a"}, {"gone"}})
	var got []string
	for _, d := range dims {
		got = append(got, fmt.Sprintf("%v%v", d.keys, d.cols))
	}
	if want := []string{"[c a][2 0]", "[b][1]"}; !slices.Equal(got, want) {
		t.Errorf("dims %v, want %v", got, want)
	}
}

func TestDefaultStem(t *testing.T) {
	tests := []struct {
		spec PlotSpec
		want string
	}{
		{PlotSpec{Kind: KindMetric, X: "workload[0].rate", Y: "latency_p50_ms", Series: "protocol.name"}, "metric-latency_p50_ms-vs-workload_0_.rate-by-protocol.name"},
		{PlotSpec{Kind: KindShares}, "shares"},
		{PlotSpec{Kind: KindCDF, Y: "convergence_s"}, "cdf-convergence_s"},
	}
	for _, tt := range tests {
		if got := tt.spec.DefaultStem(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.spec, got, tt.want)
		}
	}
}

func TestRenderPlotSpecsErrors(t *testing.T) {
	dir := t.TempDir()
	tb := specTable()
	if err := WriteRunsCSV(filepath.Join(dir, RunsFile), tb); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec PlotSpec
		want string
	}{
		{PlotSpec{Kind: "pie"}, `unknown kind "pie"`},
		{PlotSpec{Kind: KindMetric, X: "protocol.n", Y: "speed"}, `y "speed" is not a metric`},
		{PlotSpec{Kind: KindLatencyCDF}, "latency.csv"}, // the run files are missing
	}
	for _, tt := range tests {
		err := RenderPlotSpecs(dir, []PlotSpec{tt.spec}, nil, []string{PNG})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want %q", tt.spec, err, tt.want)
		}
	}
	spec := PlotSpec{Kind: KindMetric, X: "protocol.n", Y: "throughput_rps", Series: "protocol.name", LogX: true, LogY: true, File: "m"}
	if err := RenderPlotSpecs(dir, []PlotSpec{spec}, [][]string{{"protocol.n", "protocol.f"}}, []string{SVG}); err != nil {
		t.Fatal(err)
	}
	checkSVG(t, filepath.Join(dir, PlotsDir, "m.svg"), "protocol.n (with protocol.f)", "throughput (requests/s)", "name=bftlist, rate=10.0")
}
