package results

import (
	"math"
	"slices"

	"github.com/byzsim/byzsim/sim"
)

// Latency records the latency of completed requests, per workload.
// The zero value is not usable; call NewLatency.
type Latency struct {
	index map[string]int // workload name → index into the slices below
	names []string
	sets  []latencySet
	all   latencySet
}

type latencySet struct {
	lat    []sim.Time
	sorted bool
	first  sim.Time // earliest send
	last   sim.Time // latest completion (send + latency)
}

func (s *latencySet) add(sent, latency sim.Time) {
	if len(s.lat) == 0 || sent < s.first {
		s.first = sent
	}
	if done := sent + latency; len(s.lat) == 0 || done > s.last {
		s.last = done
	}
	s.lat = append(s.lat, latency)
	s.sorted = false
}

func (s *latencySet) sortedValues() []sim.Time {
	if !s.sorted {
		slices.Sort(s.lat)
		s.sorted = true
	}
	return s.lat
}

// throughput is completed requests per second of virtual time between the
// first send and the last completion; 0 for no requests.
func (s *latencySet) throughput() float64 {
	if len(s.lat) == 0 {
		return 0
	}
	span := s.last - s.first
	if span <= 0 {
		return math.Inf(1)
	}
	return float64(len(s.lat)) / span.Seconds()
}

// NewLatency returns an empty latency recorder.
func NewLatency() *Latency { return &Latency{index: make(map[string]int)} }

// Add records one completed request of a workload, sent at sent (its first
// send) and completed latency later. A negative latency panics.
func (l *Latency) Add(workload string, sent, latency sim.Time) {
	if latency < 0 {
		panic("results: negative latency")
	}
	i, ok := l.index[workload]
	if !ok {
		i = len(l.names)
		l.index[workload] = i
		l.names = append(l.names, workload)
		l.sets = append(l.sets, latencySet{})
	}
	l.sets[i].add(sent, latency)
	l.all.add(sent, latency)
}

// Workloads returns the names of the workloads seen, sorted.
func (l *Latency) Workloads() []string {
	names := slices.Clone(l.names)
	slices.Sort(names)
	return names
}

func (l *Latency) set(workload string) *latencySet {
	if i, ok := l.index[workload]; ok {
		return &l.sets[i]
	}
	return &latencySet{}
}

// Count returns how many requests of the workload completed.
func (l *Latency) Count(workload string) int { return len(l.set(workload).lat) }

// Total returns how many requests completed, over all workloads.
func (l *Latency) Total() int { return len(l.all.lat) }

// Stats returns the latency figures of one workload (NaN if it has none).
// Quantiles follow Quantile.
func (l *Latency) Stats(workload string) LatencyStats {
	return statsOf(l.set(workload).sortedValues())
}

// Overall returns the latency figures over all workloads.
func (l *Latency) Overall() LatencyStats { return statsOf(l.all.sortedValues()) }

// Throughput returns the completed requests of the workload per second of
// virtual time between its first send and its last completion; 0 if none
// completed, +Inf if that span is zero.
func (l *Latency) Throughput(workload string) float64 { return l.set(workload).throughput() }

// OverallThroughput is Throughput over all workloads together.
func (l *Latency) OverallThroughput() float64 { return l.all.throughput() }

// Sorted returns a copy of the workload's latencies, ascending.
func (l *Latency) Sorted(workload string) []sim.Time {
	return slices.Clone(l.set(workload).sortedValues())
}

// Series returns one CDF series per workload, sorted by name, for
// PlotLatencyCDF.
func (l *Latency) Series() []CDFSeries {
	out := make([]CDFSeries, 0, len(l.names))
	for _, name := range l.Workloads() {
		out = append(out, CDFSeries{Name: name, Latencies: l.Sorted(name)})
	}
	return out
}

// WorkloadResults returns the per-workload results for a Summary, sorted by
// workload name.
func (l *Latency) WorkloadResults() []WorkloadResult {
	out := make([]WorkloadResult, 0, len(l.names))
	for _, name := range l.Workloads() {
		out = append(out, WorkloadResult{
			Name:              name,
			RequestsCompleted: l.Count(name),
			LatencyMS:         l.Stats(name),
			ThroughputRPS:     Float(l.Throughput(name)),
		})
	}
	return out
}
