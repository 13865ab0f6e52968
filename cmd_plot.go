package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/byzsim/byzsim/results"
)

// plotCmd re-renders the plots of an output directory from its CSVs,
// without running anything.
func plotCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plot", flag.ContinueOnError)
	formats := fs.String("formats", "png,svg", "comma-separated plot `formats`: png, svg, pdf")
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("byzsim plot: want one output directory (out/<experiment>), got %d arguments", len(pos))
	}
	dir := pos[0]
	var fmts []string
	for _, f := range strings.Split(*formats, ",") {
		switch f = strings.TrimSpace(f); f {
		case "png", "svg", "pdf":
			fmts = append(fmts, f)
		default:
			return usageErrorf("byzsim plot: -formats: unknown format %q (allowed: png, svg, pdf)", f)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, results.RunsFile)); err != nil {
		return usageErrorf("byzsim plot: %s has no %s; give the directory byzsim run wrote (out/<experiment>)", dir, results.RunsFile)
	}
	runDirs, err := filepath.Glob(filepath.Join(dir, "runs", "*", results.SummaryFile))
	if err != nil {
		return err
	}
	for _, summary := range runDirs {
		rd := filepath.Dir(summary)
		if err := results.PlotRun(rd, filepath.Join(rd, "plot"), fmts...); err != nil {
			return fmt.Errorf("%s: %w", rd, err)
		}
	}
	if err := results.WriteSweepPoints(dir, 0); err != nil {
		return err
	}
	if err := results.PlotSweepDefaults(dir, fmts...); err != nil {
		return fmt.Errorf("sweep plots: %w", err)
	}
	fmt.Fprintf(stdout, "re-rendered the plots of %d runs and of the sweep in %s\n", len(runDirs), dir)
	return nil
}
