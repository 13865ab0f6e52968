package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/byzsim/byzsim/results"
)

// summaryRowsShown is how many sweep points the summary printed at the end
// of byzsim run shows; summary.md and byzsim summary have all of them.
const summaryRowsShown = 40

// summaryCmd prints the summary table of an output directory.
func summaryCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("summary", flag.ContinueOnError)
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("byzsim summary: want one output directory (out/<experiment>), got %d arguments", len(pos))
	}
	dir := pos[0]
	if _, err := os.Stat(filepath.Join(dir, results.RunsFile)); err != nil {
		return usageErrorf("byzsim summary: %s has no %s; give the directory byzsim run wrote (out/<experiment>)", dir, results.RunsFile)
	}
	md, err := results.ReadSummaryMarkdown(dir)
	if err != nil {
		return err
	}
	_, err = stdout.Write(md)
	return err
}

// printSummary prints dir's summary.md, its table cut after max sweep
// points with a line saying where the rest is.
func printSummary(w io.Writer, dir string, max int) error {
	md, err := os.ReadFile(filepath.Join(dir, results.SummaryMDFile))
	if err != nil {
		return err
	}
	lines := bytes.SplitAfter(md, []byte("\n"))
	// The table's rows follow the title, the note, and the header and
	// separator lines.
	const before = 6
	if rows := len(lines) - 1 - before; rows > max {
		hidden := rows - max
		lines = append(lines[:before+max], []byte(fmt.Sprintf("… %d more sweep points in %s\n", hidden, filepath.Join(dir, results.SummaryMDFile))))
	}
	_, err = w.Write(bytes.Join(lines, nil))
	return err
}
