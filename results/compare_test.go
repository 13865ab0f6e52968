package results

import (
	"math"
	"strings"
	"testing"
)

func compareSide(seeds []uint64, tput []float64, verdicts ...string) *Side {
	s := &Side{Params: []string{"p"}}
	for i, seed := range seeds {
		v := VerdictPass
		if i < len(verdicts) {
			v = verdicts[i]
		}
		s.Rows = append(s.Rows, RunRow{ID: string(rune('0' + i)), Params: []string{"x"}, Seed: seed, Verdict: v,
			ThroughputRPS: tput[i], LatencyMS: LatencyStats{P50: Float(math.NaN())}})
	}
	return s
}

func TestCompareTests(t *testing.T) {
	a := compareSide([]uint64{1, 2, 3}, []float64{10, 12, 14})
	tests := []struct {
		name   string
		b      *Side
		paired bool
		diff   float64
	}{
		{"same seeds", compareSide([]uint64{3, 1, 2}, []float64{17, 11, 13}), true, 5.0 / 3},
		{"other seeds", compareSide([]uint64{4, 5, 6}, []float64{11, 13, 15}), false, 1},
		{"a failed run breaks the pairs", compareSide([]uint64{1, 2, 3}, []float64{11, 13, 99}, "pass", "pass", "fail"), false, 0},
		{"fewer runs", compareSide([]uint64{1, 2}, []float64{11, 13}), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Paired(a, tt.b); got != tt.paired {
				t.Fatalf("Paired = %v, want %v", got, tt.paired)
			}
			rows := Compare(a, tt.b, []float64{1, 2, 3}, []float64{2, 3, 4})
			if len(rows) != len(PointMetrics())+2 {
				t.Fatalf("%d rows, want %d metrics and 2 latency tests", len(rows), len(PointMetrics()))
			}
			var tp Comparison
			for _, r := range rows {
				if r.Metric == "throughput_rps" {
					tp = r
				}
			}
			wantTest := "Welch t"
			if tt.paired {
				wantTest = "paired t (3 seeds)"
			}
			if tp.Test != wantTest || math.Abs(tp.Diff-tt.diff) > 1e-12 {
				t.Errorf("throughput: test %q diff %g, want %q %g", tp.Test, tp.Diff, wantTest, tt.diff)
			}
			if tt.paired && (tp.DF != 2 || tp.DiffCI95 == 0) {
				// Differences 1, 1, 3 (seeds 1, 2, 3): a paired t with 2 df.
				t.Errorf("paired: df %g, CI %g", tp.DF, tp.DiffCI95)
			}
			lat := rows[len(rows)-2:]
			if lat[0].Test != "Mann-Whitney U" || lat[1].Test != "Kolmogorov-Smirnov" || lat[0].Diff != 1 {
				t.Errorf("latency rows %+v", lat)
			}
			for _, r := range rows {
				if r.Metric == "latency_p50_ms" && !math.IsNaN(r.P) {
					t.Errorf("an undefined metric has p = %g", r.P)
				}
			}
		})
	}
}

func TestGateMetrics(t *testing.T) {
	g := strings.Join(GateMetrics(), ",")
	for _, want := range []string{"throughput_rps", "latency_p99_ms", "timeouts", "latency_ms"} {
		if !strings.Contains(g, want) {
			t.Errorf("GateMetrics lacks %s: %s", want, g)
		}
	}
	for _, no := range []string{"events", "virtual_s"} {
		if strings.Contains(g, no) {
			t.Errorf("GateMetrics has %s, which has no better direction", no)
		}
	}
	if lower, ok := LowerIsBetter("throughput_rps"); !ok || lower {
		t.Error("throughput: higher is better")
	}
	if lower, ok := LowerIsBetter("latency_ms"); !ok || !lower {
		t.Error("latency: lower is better")
	}
}
