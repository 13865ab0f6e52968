package results

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
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
	s, err := WriteRunTo(&b, dir, in, recs)
	if err != nil {
		return s, err
	}
	return s, b.Commit()
}

// WriteRunTo is WriteRun into the batch b: the files are in place once b is
// committed, so a caller can add more files (perf.json) and wait for the
// disk once for them all. dir is made at once if missing. summary.json is
// the last file it adds to b, so that it is renamed after the files b
// holds before and the run's other files (b renames in order).
func WriteRunTo(b *Batch, dir string, in RunInput, recs []LatencyRecord) (Summary, error) {
	s := Summarize(in)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return s, fmt.Errorf("results: %w", err)
	}
	tl := in.Timeline
	if tl == nil {
		tl = NewTimeline(0)
	}
	if err := writeLatencyCSV(b, filepath.Join(dir, LatencyFile), recs); err != nil {
		return s, err
	}
	if err := writeTimelineCSV(b, filepath.Join(dir, TimelineFile), tl.Rows(in.End)); err != nil {
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
	return s, writeSummary(b, filepath.Join(dir, SummaryFile), s)
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
	name := s.RunID
	if name == "" {
		name = filepath.Base(dir)
	}
	// The two plots (PlotLatencyCDF's and PlotThroughput's) share
	// nothing: they are drawn at once, on two cores when there are, then
	// their files written with one wait for the disk.
	type rendered struct {
		files []renderedFile
		err   error
	}
	cdfDone := make(chan rendered, 1)
	go func() {
		cdf, err := latencyCDFFigure("Latency CDF, run "+name, "", false, CDFSeriesOf(recs), PlotStyle{})
		var files []renderedFile
		if err == nil {
			files, err = cdf.render(stem+"-latency-cdf", formats)
		}
		cdfDone <- rendered{files, err}
	}()
	series := []ThroughputSeries{{Name: "completed requests", Rows: rows}}
	tp, err := throughputFigure("Throughput over time, run "+name, series, s.Markers, PlotStyle{})
	var files []renderedFile
	if err == nil {
		files, err = tp.render(stem+"-throughput", formats)
	}
	c := <-cdfDone
	if err := cmp.Or(c.err, err); err != nil {
		return err
	}
	return writeRendered(append(c.files, files...))
}
