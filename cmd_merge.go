package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/report"
)

// mergeCmd joins the output directories of the shards of one experiment.
func mergeCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	partial := fs.Bool("partial", false, "write the merged directory even when some runs are in no shard")
	noReport := fs.Bool("no-report", false, "do not write report.html (also: [output] report = false)")
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return usageErrorf("byzsim merge: want an output directory and at least one shard directory (byzsim merge OUT SHARD_DIR...), got %d arguments", len(pos))
	}
	rep, err := experiments.Merge(pos[0], pos[1:], experiments.MergeOptions{Partial: *partial})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merged %d of %d runs from %d shard directories → %s\n", rep.Runs, rep.Total, len(rep.Shards), rep.Dir)
	if want, err := reportWanted(rep.Dir); err != nil {
		return err
	} else if want && !*noReport {
		if err := report.Write(rep.Dir); err != nil {
			return err
		}
	}
	if len(rep.Missing) > 0 {
		fmt.Fprintf(stderr, "byzsim merge: %d runs missing (in no shard): %v\n", len(rep.Missing), rep.Missing)
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d of %d merged runs failed their checks (%v): %w", len(rep.Failed), rep.Runs, rep.Failed, errRunsFailed)
	}
	return nil
}
