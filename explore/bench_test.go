package explore

import (
	"context"
	"runtime/debug"
	"testing"
)

// BenchmarkSchedules reports schedules/s of the example explorations
// (20-second virtual runs, faults before GST at 7s) on every core, per
// protocol and size, with the garbage collector set as byzsim explore sets
// it.
func BenchmarkSchedules(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	for _, bc := range []struct {
		name, file string
		sets       []string
	}{
		{"diembft/n=4", example, []string{`explore.n=[4]`, `explore.f=[1]`}},
		{"diembft/n=7", example, []string{`explore.n=[7]`, `explore.f=[2]`}},
		{"diembft/n=16", example, []string{`explore.n=[16]`, `explore.f=[5]`}},
		{"bftlist/n=6", "../experiments/explore/bftlist.toml", []string{`explore.n=[6]`, `explore.f=[1]`}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := load(b, bc.file, append(bc.sets, `duration="20s"`, `workload[0].timeout="19s"`)...)
			b.ResetTimer()
			cpu := cpuTime()
			res, err := Run(context.Background(), c, Options{Schedules: int64(b.N), NoMinimize: true})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(res.Schedules)/b.Elapsed().Seconds(), "schedules/s")
			// On a loaded machine wall time says little: schedules per
			// CPU-second, times the cores, is the rate on idle cores.
			if used := cpuTime() - cpu; used > 0 {
				b.ReportMetric(float64(res.Schedules)/used.Seconds(), "schedules/cpu-s")
			}
			b.ReportMetric(float64(res.Events)/float64(res.Schedules), "events/schedule")
			b.ReportMetric(res.Virtual.Seconds()/float64(res.Schedules), "virtual-s/schedule")
		})
	}
}
