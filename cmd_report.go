package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/report"
	"github.com/byzsim/byzsim/results"
)

// reportCmd writes the HTML report of an output directory.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("byzsim report: want one output directory (out/<experiment>), got %d arguments", len(pos))
	}
	dir := pos[0]
	if _, err := os.Stat(filepath.Join(dir, results.RunsFile)); err != nil {
		return usageErrorf("byzsim report: %s has no %s; give the directory byzsim run wrote (out/<experiment>)", dir, results.RunsFile)
	}
	if err := report.Write(dir); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "report:", filepath.Join(dir, report.File))
	return nil
}

// reportWanted reports whether the experiment of the output directory dir
// asks for report.html: true unless its experiment.toml says
// [output] report = false.
func reportWanted(dir string) (bool, error) {
	var e struct {
		Output struct {
			Report *bool `toml:"report"`
		} `toml:"output"`
	}
	_, err := toml.DecodeFile(filepath.Join(dir, experiments.ExperimentFile), &e)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return e.Output.Report == nil || *e.Output.Report, nil
}
