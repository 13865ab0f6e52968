package results

// PlotKindDoc is a plot kind with a one-line description.
type PlotKindDoc struct {
	Kind, Doc string
}

// PlotKindDocs describes the kinds of PlotKinds, in the same order.
func PlotKindDocs() []PlotKindDoc {
	return []PlotKindDoc{
		{KindMetric, "a metric of points.csv (y) against a swept key (x), mean over repetitions with 95% CI bars"},
		{KindLatencyThroughput, "p50 and p99 latency against the throughput reached, one point per sweep point"},
		{KindThroughput, "throughput over time (timeline.csv), averaged bucket by bucket over the runs of a line"},
		{KindLatencyCDF, "CDF of the per-request latencies (latency.csv) of all runs of a line"},
		{KindCDF, "CDF over runs of a metric of runs.csv (y)"},
		{KindShares, "message and byte shares by message kind (messages.csv), one bar per line"},
		{KindRequestLatency, "latency of each request against its index in send order (latency.csv)"},
		{KindRunTimeline, "the timeline of one run: per replica rounds, timeouts, commits and the fault markers"},
	}
}
