package results

import (
	"math"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

func TestFormatMeanCI(t *testing.T) {
	nan := Float(math.NaN())
	for _, c := range []struct {
		a    Aggregate
		want string
	}{
		{Aggregate{N: 0, Mean: nan, CI95: nan}, "–"},
		{Aggregate{N: 1, Mean: 316.42, CI95: nan}, "316"},
		{Aggregate{N: 5, Mean: 316.42, CI95: 4.4}, "316 ± 4"},
		{Aggregate{N: 5, Mean: 21.83, CI95: 0.44}, "21.8 ± 0.4"},
		{Aggregate{N: 5, Mean: 0.30149, CI95: 0.0123}, "0.301 ± 0.012"},
		{Aggregate{N: 3, Mean: 0, CI95: 0}, "0 ± 0"},
		{Aggregate{N: 1, Mean: 7, CI95: nan}, "7"},
		{Aggregate{N: 4, Mean: 478, CI95: 0}, "478 ± 0"},
		{Aggregate{N: 4, Mean: 5, CI95: 0.5}, "5.00 ± 0.50"},
		{Aggregate{N: 3, Mean: -0.0001, CI95: 0.00004}, "-0.000100 ± 0.000040"},
		{Aggregate{N: 2, Mean: 1.5e-9, CI95: 1e-9}, "0.000000 ± 0.000000"},
	} {
		if got := FormatMeanCI(c.a); got != c.want {
			t.Errorf("FormatMeanCI(%+v) = %q, want %q", c.a, got, c.want)
		}
	}
}

// TestSummaryMarkdown checks the table of a two-point sweep with a failed
// run and convergence: means over the passed runs, t-based intervals, the
// convergence column and aligned cells.
func TestSummaryMarkdown(t *testing.T) {
	conv := func(s float64) *sim.Time { v := sim.Time(s * float64(sim.Second)); return &v }
	yes, no := true, false
	row := func(p, verdict string, tput, p50 float64, c *sim.Time, ok *bool) RunRow {
		return RunRow{Params: []string{p}, Verdict: verdict, ThroughputRPS: tput,
			LatencyMS: LatencyStats{P50: Float(p50), P99: Float(2 * p50)}, Convergence: c, Converged: ok}
	}
	tab := RunsTable{Params: []string{"protocol.name"}, Rows: []RunRow{
		row("bftlist", VerdictPass, 10, 100, conv(0.3), &yes),
		row("bftlist", VerdictPass, 12, 110, conv(0.5), &yes),
		row("bftlist", VerdictFail, 1000, 1, nil, &no),
		row("diembft", VerdictPass, 300, 20, nil, &no),
	}}
	tab.Rows[3].Timeouts = 7
	got := string(SummaryMarkdown("conv", tab, Points(tab)))
	// bftlist: throughput 11 ± t(0.975,1)·√2/√2 = 12.706; p50 105 ± 63.5;
	// p99 210 ± 127; convergence 0.4 ± 1.27.
	want := `# conv

2 sweep points, 4 runs (3 passed their checks). Each metric: mean ± half-width of the 95% confidence interval (Student t) over the runs of the point that passed; one run has no interval; – no value.

| #   | protocol.name | runs | passed | throughput (req/s) | latency p50 (ms) | latency p99 (ms) | timeouts | convergence (s) | converged |
| --- | ------------- | ---: | -----: | -----------------: | ---------------: | ---------------: | -------: | --------------: | --------: |
| 1   | bftlist       |    3 |      2 |        11.0 ± 12.7 |         105 ± 64 |        210 ± 127 |    0 ± 0 |   0.400 ± 1.271 |    2 of 3 |
| 2   | diembft       |    1 |      1 |                300 |               20 |               40 |        7 |               – |    0 of 1 |
`
	if got != want {
		t.Errorf("summary.md:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(got, "1000") {
		t.Error("a failed run's throughput entered the summary")
	}
}
