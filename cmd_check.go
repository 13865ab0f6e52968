package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/byzsim/byzsim/experiments"
)

func checkCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	var seed seedFlag
	fs.Var(&seed, "seed", "replace the experiment's seed")
	var sets stringList
	fs.Var(&sets, "set", "override a key: --set protocol.n=7 (repeatable)")
	force := fs.Bool("force", false, "accept runs whose estimated memory exceeds the machine's")
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	file, err := oneFile("check", pos)
	if err != nil {
		return err
	}
	plan, err := experiments.Load(file, registry(), experiments.Options{Seed: seed.v, Sets: sets, Force: *force})
	if err != nil {
		return err
	}
	for _, w := range plan.Unbounded() {
		fmt.Fprintf(stderr, "byzsim: warning: %s; give a budget with [stop] events = N or byzsim run --max-wall\n", w)
	}
	b := plan.Base
	fmt.Fprintf(stdout, "%s: %s, n = %d, f = %d, %d workloads, %d fault rules, duration %v\n",
		b.Name, b.Protocol.Name, b.Protocol.N, b.Protocol.F, len(b.Workloads), len(b.Faults), b.Duration.T())
	fmt.Fprintf(stdout, "%d points × %d repetitions = %d runs\n\n", plan.Points, b.Repetitions, len(plan.Runs))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	header := []string{"run", "point", "rep", "seed"}
	header = append(header, plan.Axes...)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range plan.Runs {
		row := []string{r.ID, fmt.Sprint(r.Point), fmt.Sprint(r.Repetition), fmt.Sprint(r.Seed)}
		for _, p := range r.Params {
			row = append(row, p.Value)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}
