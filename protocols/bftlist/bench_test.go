package bftlist

import (
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// BenchmarkAppend204 runs n = 6 replicas and 6 clients that append 34
// values each (204 requests), fault-free, and reports events per second
// and the virtual time the workload took.
func BenchmarkAppend204(b *testing.B) {
	b.ReportAllocs()
	var events uint64
	var virtual sim.Time
	for i := 0; i < b.N; i++ {
		c := newCluster(b, 6, 1, 6, 34, nil, nil)
		if !c.runUntil(600*sim.Second, func() bool { return c.completed() == 204 }) {
			b.Fatalf("completed %d of 204", c.completed())
		}
		events += c.w.Stats().Events
		virtual += c.w.Now()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(virtual.Seconds()/float64(b.N), "virtual-s/op")
}

// BenchmarkN100 runs n = 100 replicas (f = 19) and 2 clients that append
// 2 values each for 5 s of virtual time, and reports events per second.
func BenchmarkN100(b *testing.B) {
	b.ReportAllocs()
	var events uint64
	for i := 0; i < b.N; i++ {
		c := newCluster(b, 100, 19, 2, 2, nil, nil)
		c.w.Run(5 * sim.Second)
		events += c.w.Stats().Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
