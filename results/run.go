package results

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// File names of an experiment's output directory and of a run's directory.
const (
	RunsFile     = "runs.csv"
	SummaryFile  = "summary.json"
	LatencyFile  = "latency.csv"
	TimelineFile = "timeline.csv"
	MessagesFile = "messages.csv"
	PerfFile     = "perf.json"
)

// WriteRun writes a run's deterministic files into dir (made if missing):
// summary.json, latency.csv (from recs), timeline.csv (the Timeline's rows
// up to in.End), messages.csv and, with in.Replicas, replicas.csv. It
// returns the summary it wrote. perf.json is written separately with
// WritePerf.
func WriteRun(dir string, in RunInput, recs []LatencyRecord) (Summary, error) {
	var b Batch
	defer b.Abort()
	s, err := WriteRunTo(&b, dir, in, recs, nil)
	if err != nil {
		return s, err
	}
	return s, b.Commit()
}

// RunPlots asks WriteRunTo for a run's plots: the files PlotRun draws from
// the run's files, Stem+"-latency-cdf" and Stem+"-throughput" in Formats
// (DefaultFormats if none).
type RunPlots struct {
	Stem    string
	Formats []string
	// Rendered, when not nil, receives each plot file's content by path,
	// e.g. for a report built before the files are in place.
	Rendered map[string][]byte
}

// WriteRunTo is WriteRun into the batch b: the files are in place once b is
// committed, so a caller can add more files (perf.json) and wait for the
// disk once for them all. The summary it returns is summary.json as it
// reads back (ReadSummary), e.g. for runs.csv before the files are in
// place. dir is made at once if missing. With plots not
// nil, it also adds the run's plots to b, drawn from the values as the
// files read back (the bytes PlotRun writes from them), while the files
// are written. summary.json is the last file it adds to b, so that it is
// renamed after the files b holds before and the run's other files and
// plots (b renames in order).
func WriteRunTo(b *Batch, dir string, in RunInput, recs []LatencyRecord, plots *RunPlots) (Summary, error) {
	s := Summarize(in)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return s, fmt.Errorf("results: %w", err)
	}
	tl := in.Timeline
	if tl == nil {
		tl = NewTimeline(0)
	}
	sorted := sortedLatencyRecords(recs)
	rows := tl.Rows(in.End)
	var drawn func() ([]renderedFile, error)
	if plots != nil {
		name := s.runName(dir)
		drawn = renderRunPlots(name, readBackLatency(sorted), readBackTimeline(rows), s.Markers, plots.Stem, plots.Formats)
	}
	if err := writeSortedLatencyCSV(b, filepath.Join(dir, LatencyFile), sorted); err != nil {
		return s, err
	}
	if err := writeTimelineCSV(b, filepath.Join(dir, TimelineFile), rows); err != nil {
		return s, err
	}
	if in.Replicas != nil {
		if err := writeReplicaLogCSV(b, filepath.Join(dir, ReplicasFile), in.Replicas); err != nil {
			return s, err
		}
	}
	if err := writeMessagesCSV(b, filepath.Join(dir, MessagesFile), s.ByKind); err != nil {
		return s, err
	}
	if drawn != nil {
		files, err := drawn()
		if err != nil {
			return s, fmt.Errorf("plots: %w", err)
		}
		for _, f := range files {
			if err := b.WriteFile(f.path, f.data); err != nil {
				return s, err
			}
			if plots.Rendered != nil {
				plots.Rendered[f.path] = f.data
			}
		}
	}
	// The summary as it reads back (its numbers are written with fixed
	// decimals).
	path := filepath.Join(dir, SummaryFile)
	data, err := writeSummary(b, path, s)
	if err != nil {
		return s, err
	}
	return parseSummary(path, data)
}

// readBackLatency returns records as ReadLatencyCSV reads them back from
// the latency.csv they are written to: the same but for a workload name
// with a "\r\n", which reads back as "\n" (encoding/csv). recs is not
// modified.
func readBackLatency(recs []LatencyRecord) []LatencyRecord {
	var out []LatencyRecord
	for i, r := range recs {
		if strings.Contains(r.Workload, "\r\n") {
			if out == nil {
				out = slices.Clone(recs)
			}
			out[i].Workload = strings.ReplaceAll(r.Workload, "\r\n", "\n")
		}
	}
	if out == nil {
		return recs
	}
	return out
}

// readBackTimeline returns rows as ReadTimelineCSV reads them back from
// the timeline.csv they are written to: each throughput rounded to the
// decimals written, an undefined one NaN.
func readBackTimeline(rows []TimelineRow) []TimelineRow {
	out := slices.Clone(rows)
	for i := range out {
		v, err := parseFloat(formatFloat(out[i].ThroughputRPS))
		if err != nil {
			panic(fmt.Sprintf("results: %v does not read back: %v", out[i].ThroughputRPS, err)) // formatFloat writes what parseFloat reads
		}
		out[i].ThroughputRPS = v
	}
	return out
}

// PlotRun re-renders a run's plots from the files in its directory:
// stem+"-latency-cdf" from latency.csv, and stem+"-throughput" from
// timeline.csv with the markers of summary.json, in the given formats
// (DefaultFormats if none).
func PlotRun(dir, stem string, formats ...string) error {
	s, err := ReadSummary(filepath.Join(dir, SummaryFile))
	if err != nil {
		return err
	}
	recs, err := ReadLatencyCSV(filepath.Join(dir, LatencyFile))
	if err != nil {
		return err
	}
	rows, err := ReadTimelineCSV(filepath.Join(dir, TimelineFile))
	if err != nil {
		return err
	}
	files, err := renderRunPlots(s.runName(dir), recs, rows, s.Markers, stem, formats)()
	if err != nil {
		return err
	}
	return writeRendered(files)
}

// rendered is a plot's files, or the error that stopped its drawing.
type rendered struct {
	files []renderedFile
	err   error
}

// drawPlot draws a plot of run name. It runs on a goroutine of its own: a
// panic there (a plotting library's bug) becomes the plot's error, for the
// run to report, instead of ending the process.
func drawPlot(name string, plot func() ([]renderedFile, error)) (r rendered) {
	defer func() {
		if p := recover(); p != nil {
			r = rendered{err: fmt.Errorf("results: drawing a plot of run %s: panic: %v", name, p)}
		}
	}()
	r.files, r.err = plot()
	return r
}

// runName is how plots name the run of summary s in directory dir: its ID,
// or the directory's name when the summary has none.
func (s *Summary) runName(dir string) string { return cmp.Or(s.RunID, filepath.Base(dir)) }

// renderRunPlots starts rendering the plots of run name (see PlotRun) from
// its latency records, timeline rows and markers, and returns a function
// that waits for the rendered files: the latency CDF's, then the
// throughput's. The two plots share nothing: they are drawn at once, on
// two cores when there are, each on its own goroutine.
func renderRunPlots(name string, recs []LatencyRecord, rows []TimelineRow, markers []Marker, stem string, formats []string) func() ([]renderedFile, error) {
	cdfDone, tpDone := make(chan rendered, 1), make(chan rendered, 1)
	go func() {
		cdfDone <- drawPlot(name, func() ([]renderedFile, error) {
			cdf, err := latencyCDFFigure("Latency CDF, run "+name, "", false, CDFSeriesOf(recs), PlotStyle{})
			if err != nil {
				return nil, err
			}
			return cdf.render(stem+"-latency-cdf", formats)
		})
	}()
	go func() {
		tpDone <- drawPlot(name, func() ([]renderedFile, error) {
			series := []ThroughputSeries{{Name: "completed requests", Rows: rows}}
			tp, err := throughputFigure("Throughput over time, run "+name, series, markers, PlotStyle{})
			if err != nil {
				return nil, err
			}
			return tp.render(stem+"-throughput", formats)
		})
	}()
	return func() ([]renderedFile, error) {
		c, t := <-cdfDone, <-tpDone
		if err := cmp.Or(c.err, t.err); err != nil {
			return nil, err
		}
		return append(c.files, t.files...), nil
	}
}
