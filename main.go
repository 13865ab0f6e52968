// Command byzsim is a deterministic discrete-event simulator and benchmark
// suite for Byzantine fault-tolerant replicated state machines.
//
//	byzsim run FILE [-o DIR] [--seed N] [-j N] [--set key=value ...]
//	byzsim check FILE [--set key=value ...]
//	byzsim list [PROTOCOL]
//	byzsim plot DIR
//	byzsim merge OUT SHARD_DIR...
//	byzsim explore FILE [--schedules N] [--set key=value ...]
//	byzsim slurm FILE [--shards N] [-o DIR]
//	byzsim k8s FILE --image IMAGE [--shards N] [-o DIR]
//	byzsim summary DIR
//	byzsim report DIR
//	byzsim compare A B [--csv FILE] [--fail-if-worse METRIC=PCT ...]
//	byzsim twins FILE.toml [--bug NAME ...] | --replay FILE
//	byzsim live FILE [-o DIR] [--seed N] [--set key=value ...] [--processes]
//	byzsim node --id I --cluster FILE
//	byzsim calibrate [-o FILE] [-time D]
//
// Exit status: 0 when every run passed its checks, 1 when a run failed (or
// byzsim compare --fail-if-worse found a regression), 2 on bad input (a
// malformed experiment or flag, a limit exceeded, a resume over another
// experiment, a locked output directory), 124 when --max-wall was reached,
// 130 after SIGINT and 143 after SIGTERM (finished runs written).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/byzsim/byzsim/experiments"
)

// command is one byzsim subcommand.
type command struct {
	name  string
	usage string // after "byzsim NAME"
	short string
	run   func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"run", "FILE [-o DIR] [--seed N] [-j N] [--set key=value ...] [--resume] [--shard i/n] [--run ID] [--force] [--max-wall D] [--no-report]", "run an experiment and write its results", runCmd},
		{"check", "FILE [--seed N] [--set key=value ...] [--force]", "validate an experiment and print its runs without running them", checkCmd},
		{"list", "[PROTOCOL]", "list protocols, their parameters, attributes, messages and behaviours, workloads and faults", listCmd},
		{"plot", "DIR [-formats png,svg,pdf]", "re-render the plots of an output directory from its CSVs", plotCmd},
		{"summary", "DIR", "print the summary table (summary.md) of an output directory", summaryCmd},
		{"report", "DIR", "write report.html: the experiment, summary, plots, failed runs and run timelines on one page", reportCmd},
		{"compare", "A B [--csv FILE] [--fail-if-worse METRIC=PCT ...] (A, B: DIR, DIR:N or DIR:key=value,...)", "compare two sweep points metric by metric, with confidence intervals and significance tests", compareCmd},
		{"merge", "OUT DIR... [--partial] [--no-report]", "join the output directories of the shards of one experiment into OUT/<experiment>", mergeCmd},
		{"slurm", "FILE [--shards N] [--cpus-per-task N] [--time T] [--partition P] [-o DIR] [--byzsim PATH]", "write the Slurm job array, merge job, submit and wait scripts of a sweep", slurmCmd},
		{"k8s", "FILE --image IMAGE [--shards N] [--parallelism N] [--cpu N] [-o DIR]", "write the Kubernetes Indexed Job and merge Job manifests of a sweep", k8sCmd},
		{"live", "FILE [-o DIR] [--seed N] [--set key=value ...] [--free-ports] [--no-endpoints] [--processes]", "run an experiment's replicas and clients for real on loopback sockets and write the same results as run", liveCmd},
		{"node", "--id I --cluster FILE", "run one replica of a live cluster (as byzsim live --processes does) until SIGINT or SIGTERM", nodeCmd},
		{"calibrate", "[-o FILE] [-time D]", "measure this machine's sign, verify, hash and message costs and write them as a [costs] table", calibrateCmd},
		{"explore", "FILE [--schedules N] [--seed N] [--set key=value ...] [-j N] [-o DIR] [--cpuprofile FILE]", "search random fault schedules for violations of the checks at every (n, f); minimize and write them as experiments", exploreCmd},
		{"twins", "FILE.toml [--protocol P] [--bug NAME ...] [--scenarios N] [--seed S] [-j N] [-o DIR] | --replay FILE", "generate and run Twins scenarios on a protocol with Twins support, minimize violations", twinsCmd},
	}
}

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

// runMain runs byzsim with args and returns the exit status.
func runMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		return exitStatus(err, stderr)
	}
	fmt.Fprintf(stderr, "byzsim: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errRunsFailed reports that some runs failed their checks (exit 1); the
// details were already printed.
var errRunsFailed = errors.New("some runs failed their checks")

// violationsError reports that Twins scenarios violated a property (exit
// 1); its text says how many.
type violationsError string

func (e violationsError) Error() string { return string(e) }

// errHelp is returned when -h was asked for (exit 0).
var errHelp = errors.New("help")

func exitStatus(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, new(*interruptedError)):
		ie, _ := errorsAsInterrupted(err)
		fmt.Fprintln(stderr, "byzsim:", err)
		return ie.code
	case errors.Is(err, errRunsFailed), errors.As(err, new(violationsError)), errors.As(err, new(regressionError)):
		fmt.Fprintln(stderr, "byzsim:", err)
		return 1
	case experiments.IsInput(err):
		msg := err.Error()
		for _, line := range strings.Split(msg, "\n") {
			fmt.Fprintln(stderr, line)
		}
		return 2
	}
	fmt.Fprintln(stderr, "byzsim:", err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "byzsim: a deterministic simulator and benchmark suite for BFT protocols")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  byzsim %s %s\n", c.name, c.usage)
		fmt.Fprintf(w, "        %s\n", c.short)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status: 0 all runs passed, 1 a run failed its checks (compare: a regression), 2 bad input,")
	fmt.Fprintln(w, "124 --max-wall reached, 130 interrupted (SIGINT), 143 terminated (SIGTERM).")
}
