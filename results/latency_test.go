package results

import (
	"math"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

func TestLatencyPerWorkloadAndOverall(t *testing.T) {
	ms := sim.Millisecond
	l := NewLatency()
	l.Add("write", 0, 10*ms)
	l.Add("read", 100*ms, 2*ms)
	l.Add("write", 50*ms, 30*ms)
	l.Add("write", 20*ms, 20*ms)

	if got, want := l.Workloads(), []string{"read", "write"}; !slices.Equal(got, want) {
		t.Errorf("Workloads() = %v, want %v", got, want)
	}
	counts := []struct {
		workload string
		want     int
	}{{"write", 3}, {"read", 1}, {"missing", 0}}
	for _, c := range counts {
		if got := l.Count(c.workload); got != c.want {
			t.Errorf("Count(%q) = %d, want %d", c.workload, got, c.want)
		}
	}
	if got := l.Total(); got != 4 {
		t.Errorf("Total() = %d, want 4", got)
	}
	w := l.Stats("write")
	if w.P50 != 20 || w.P99 != 30 || w.Max != 30 || w.Mean != 20 {
		t.Errorf("Stats(write) = %+v, want p50 20, p99 30, max 30, mean 20", w)
	}
	o := l.Overall()
	if o.P50 != 10 || o.Max != 30 || o.Mean != 15.5 {
		t.Errorf("Overall() = %+v, want p50 10, max 30, mean 15.5", o)
	}
	if m := l.Stats("missing"); !math.IsNaN(float64(m.P50)) {
		t.Errorf("Stats(missing).P50 = %v, want NaN", m.P50)
	}
	// write: first send 0, last completion 80ms: 3 requests / 0.08 s.
	if got, want := l.Throughput("write"), 3/0.08; math.Abs(got-want) > 1e-9 {
		t.Errorf("Throughput(write) = %v, want %v", got, want)
	}
	// all: first send 0, last completion 102ms.
	if got, want := l.OverallThroughput(), 4/0.102; math.Abs(got-want) > 1e-9 {
		t.Errorf("OverallThroughput() = %v, want %v", got, want)
	}
	if got := l.Throughput("missing"); got != 0 {
		t.Errorf("Throughput(missing) = %v, want 0", got)
	}
	// Adding after a query keeps the order statistics right.
	l.Add("write", 0, 1*ms)
	if got := l.Stats("write").P50; got != 10 {
		t.Errorf("after Add, Stats(write).P50 = %v, want 10", got)
	}
	if got, want := l.Sorted("write"), []sim.Time{1 * ms, 10 * ms, 20 * ms, 30 * ms}; !slices.Equal(got, want) {
		t.Errorf("Sorted(write) = %v, want %v", got, want)
	}
}

func TestLatencyRejectsNegative(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Add with a negative latency did not panic")
		}
	}()
	NewLatency().Add("w", 0, -1)
}
