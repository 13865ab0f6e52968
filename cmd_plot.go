package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/report"
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
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "formats" })
	// The manifest tells which plots the experiment asked for; without one
	// (an older directory), every run's plots and the default sweep plots.
	setup := experiments.PlotSetup{Points: 2, RunPlots: true, SweepPlots: true, Formats: fmts}
	if m, err := experiments.ReadManifest(dir); err == nil {
		setup = m.Plotting
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if setup.Metrics == nil {
		setup.Metrics = experiments.MetricFigures(registry())
	}
	for i, spec := range setup.Plots {
		if spec.File == "" {
			continue
		}
		if _, err := results.SafeJoin(filepath.Join(dir, results.PlotsDir), spec.File); err != nil {
			return usageErrorf("byzsim plot: %s: plot %d: file %q: %v", filepath.Join(dir, experiments.ManifestFile), i, spec.File, err)
		}
	}
	runFormats := setup.Formats
	if explicit || len(runFormats) == 0 {
		runFormats = fmts
	}
	runDirs, err := filepath.Glob(filepath.Join(dir, "runs", "*", results.SummaryFile))
	if err != nil {
		return err
	}
	if !setup.RunPlots {
		runDirs = nil
	}
	for _, summary := range runDirs {
		rd := filepath.Dir(summary)
		if err := results.PlotRun(rd, filepath.Join(rd, "plot"), runFormats...); err != nil {
			return fmt.Errorf("%s: %w", rd, err)
		}
	}
	if err := results.WriteSweepPoints(dir, 0); err != nil {
		return err
	}
	var override []string
	if explicit {
		override = fmts
	}
	if err := experiments.DrawPlots(dir, setup, override); err != nil {
		return err
	}
	// The report embeds the plots: re-make it when there is one.
	if _, err := os.Stat(filepath.Join(dir, report.File)); err == nil {
		if err := report.Write(dir); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "re-rendered the plots of %d runs and of the sweep in %s\n", len(runDirs), dir)
	return nil
}
