// Package results records, summarizes, writes and plots what a byzsim run
// measured: request latencies, throughput over time, message and byte counts
// by kind, the per-run summary.json, the wall-clock perf.json, the CSV files
// of a run and of a sweep (runs.csv, and points.csv with statistics over the
// repetitions of each sweep point), per-run plots and sweep plots.
//
// Output of one run (see DESIGN.md, "Results"):
//
//	runs/<id>/summary.json   Summary
//	runs/<id>/latency.csv    one row per completed request (LatencyRecord)
//	runs/<id>/timeline.csv   throughput per interval (TimelineRow)
//	runs/<id>/messages.csv   messages and bytes by kind (KindCount)
//	runs/<id>/perf.json      Perf, the only wall-clock figures
//
// and of a sweep:
//
//	runs.csv                 one row per run (RunsTable)
//	points.csv               one row per sweep point (Point): n, mean, std
//	                         and 95% CI of every headline metric
//	plots/                   PlotSweepDefaults
//
// Plots share one style (plotstyle.go): SeriesColor, SeriesShape,
// SeriesDashes, SeriesLineStyle and SeriesGlyphStyle give series i its
// Okabe–Ito color, marker and dash; NiceTicks and NiceLogTicks place the
// ticks; PlotStyle (size, font size, legend position) lays a figure out. A
// plot kind draws on newFigure(style).p, lists its legend entries with
// addLegend, records the data a legend must not cover with avoidData or
// avoidSteps, and writes the files with save.
//
// Invariants:
//   - Every file except perf.json, plots included, is a pure function of the
//     values recorded, so a run that is a pure function of (experiment, seed)
//     writes byte-identical files: rows built from maps are sorted, floats are
//     written with a fixed format (strconv 'f' with 6 decimals, undefined
//     values as null or an empty field), virtual times as exact decimals of
//     their nanoseconds, and JSON comes from structs in a fixed field order.
//   - Statistics over repetitions never average a censored value: a run
//     that did not converge counts in Point.Runs but not in the mean of
//     its convergence time.
//   - Latency quantiles are nearest-rank (see Quantile): always one of the
//     recorded values, never interpolated.
//   - Every file is written atomically (WriteAtomic): a temporary file in the
//     same directory, synced, then renamed, so a reader never sees half a file.
//     A Batch writes several files so, with one wait for the disk: all synced
//     at once, then renamed in order; CommitBatches commits several batches
//     as one, batch after batch.
//   - Recorders are not safe for concurrent use; one run is driven by one
//     goroutine, and each run has its own recorders.
//   - Messages sits on the send path of every message: it does not allocate
//     per message once a kind has been seen.
//
// Package results imports only sim of byzsim.
package results
