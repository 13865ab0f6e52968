// Command mutate measures how well byzsim's tests catch protocol bugs: it
// applies systematic mutations (see Operators) to chosen functions of the
// protocols' safety, quorum, commit, sync, verification, failure-detector,
// view-establishment, replication and primary-monitoring paths (Targets),
// runs each protocol's tests (unit, scenario, fuzz seeds and a short
// explore) against every mutant, and reports per mutant killed, survived,
// timeout or invalid, and the mutation score per protocol.
//
// Each mutant is a `go test -overlay` of the protocol's package with one
// file replaced: no copy of the tree, mutants run in parallel safely.
//
// Usage:
//
//	go run ./tools/mutate [-proto NAME,…] [-j 2] [-only ID] [-list] [-out DIR]
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Statuses of a mutant.
const (
	Killed   = "killed"
	Survived = "survived"
	Timeout  = "timeout" // counts as killed
	Invalid  = "invalid" // does not compile; not counted
)

type result struct {
	Mutant
	Status string
	By     string // the first failed test
	Wall   time.Duration
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	protos := fs.String("proto", "", "comma-separated protocols to mutate (default: every protocol with "+targetsFile+")")
	jobs := fs.Int("j", 2, "mutants tested in parallel")
	only := fs.String("only", "", "test only the mutants with these comma-separated IDs")
	list := fs.Bool("list", false, "print the mutants and exit")
	out := fs.String("out", "out/mutate", "directory for mutants.csv and summary.txt")
	factor := fs.Float64("timeout-factor", 4, "a mutant's time limit is this many times the baseline's (at least -min-timeout)")
	minTimeout := fs.Duration("min-timeout", 60*time.Second, "the smallest per-mutant time limit")
	root := fs.String("root", ".", "module root")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *jobs < 1 || *factor <= 0 {
		fmt.Fprintln(stderr, "mutate: bad arguments (no positional arguments; -j ≥ 1; -timeout-factor > 0)")
		return 2
	}
	abs, err := filepath.Abs(*root)
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 2
	}
	set, err := loadTargets(abs)
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 2
	}
	selected := set.Protocols
	if *protos != "" {
		selected = nil
		for _, p := range strings.Split(*protos, ",") {
			if _, ok := set.Targets[p]; !ok {
				fmt.Fprintf(stderr, "mutate: -proto: unknown protocol %q (protocols with %s: %s)\n", p, targetsFile, strings.Join(set.Protocols, ", "))
				return 2
			}
			selected = append(selected, p)
		}
	}
	muts, err := mutants(abs, set, selected)
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 1
	}
	if *only != "" {
		want := map[string]bool{}
		for _, id := range strings.Split(*only, ",") {
			want[id] = true
		}
		var keep []Mutant
		for _, m := range muts {
			if want[m.ID] {
				keep = append(keep, m)
				delete(want, m.ID)
			}
		}
		for id := range want {
			fmt.Fprintf(stderr, "mutate: -only: no mutant %q (see -list)\n", id)
			return 2
		}
		muts = keep
	}
	if *list {
		for _, m := range muts {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", m.ID, m.Func, m.Orig, m.Repl)
		}
		fmt.Fprintf(stdout, "%d mutants\n", len(muts))
		return 0
	}
	tmp, err := os.MkdirTemp("", "byzsim-mutate-")
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	// SIGINT/SIGTERM stop the go test processes (their groups are killed)
	// and remove the mutated copies; no report is written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	limits := map[string]time.Duration{}
	for _, p := range protocolsOf(muts) {
		r := testMutant(ctx, abs, tmp, nil, p, 0)
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "mutate: interrupted; no report written")
			return 130
		}
		if r.Status != Survived {
			fmt.Fprintf(stderr, "mutate: the unmutated %s tests fail (%s); fix them first\n", p, r.By)
			return 1
		}
		limits[p] = max(*minTimeout, time.Duration(float64(r.Wall)**factor))
		fmt.Fprintf(stderr, "baseline %s: %v, per-mutant limit %v\n", p, r.Wall.Round(time.Millisecond), limits[p])
	}
	results := make([]result, len(muts))
	var wg sync.WaitGroup
	next := make(chan int)
	var mu sync.Mutex
	done := 0
	for range *jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				m := muts[i]
				results[i] = testMutant(ctx, abs, tmp, &m, m.Protocol, limits[m.Protocol])
				mu.Lock()
				done++
				fmt.Fprintf(stderr, "[%d/%d] %-9s %s %s\n", done, len(muts), results[i].Status, m.ID, results[i].By)
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range muts {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "mutate: interrupted; no report written")
		return 130
	}
	wall := time.Since(start)
	if err := report(*out, results, wall, *jobs, stdout); err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 1
	}
	return 0
}

// mutants generates the mutants of the protocols' targets, in a stable
// order: protocol, target, position, operator.
func mutants(root string, set TargetSet, protos []string) ([]Mutant, error) {
	var all []Mutant
	for _, p := range protos {
		for _, t := range set.Targets[p] {
			path := filepath.Join(root, t.File)
			src, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("read target: %w", err)
			}
			ms, err := Generate(p, t.File, src, t.Funcs)
			if err != nil {
				return nil, err
			}
			all = append(all, ms...)
		}
	}
	return all, nil
}

// protocolsOf lists the protocols of ms in order of first appearance
// (mutants are generated protocol by protocol).
func protocolsOf(ms []Mutant) []string {
	var ps []string
	for _, m := range ms {
		if len(ps) == 0 || ps[len(ps)-1] != m.Protocol {
			ps = append(ps, m.Protocol)
		}
	}
	return ps
}

var failRE = regexp.MustCompile(`--- FAIL: (\S+)`)

// testMutant runs the protocol's tests, then (if they pass) the short
// exploration of package probe, with the mutant's file replaced through an
// overlay (m == nil: the unmutated baseline). The time limit covers both.
func testMutant(ctx context.Context, root, tmp string, m *Mutant, proto string, limit time.Duration) (r result) {
	r = result{Status: Survived}
	var overlay string
	if m != nil {
		r.Mutant = *m
		path := filepath.Join(root, m.File)
		src, err := os.ReadFile(path)
		if err != nil {
			return result{Mutant: *m, Status: Invalid, By: err.Error()}
		}
		name := strings.NewReplacer("/", "_", ":", "_").Replace(m.ID)
		file := filepath.Join(tmp, name+".go")
		overlay = filepath.Join(tmp, name+".json")
		ov, _ := json.Marshal(map[string]map[string]string{"Replace": {path: file}})
		if err := os.WriteFile(file, m.Apply(src), 0o644); err != nil {
			return result{Mutant: *m, Status: Invalid, By: err.Error()}
		}
		if err := os.WriteFile(overlay, ov, 0o644); err != nil {
			return result{Mutant: *m, Status: Invalid, By: err.Error()}
		}
		defer os.Remove(file)
		defer os.Remove(overlay)
	}
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	start := time.Now()
	defer func() { r.Wall = time.Since(start) }()
	for _, phase := range [][]string{
		{"./protocols/" + proto + "/"},
		{"-run", "^TestExplore$/^" + proto + "$", "./tools/mutate/probe/"},
	} {
		r.Status, r.By = goTest(ctx, root, overlay, phase)
		if r.Status != Survived {
			if r.Status == Timeout {
				r.By = fmt.Sprintf("over %v", limit)
			}
			return r
		}
	}
	return r
}

// goTest runs go test with the overlay (if any) and classifies the outcome.
func goTest(ctx context.Context, root, overlay string, args []string) (status, by string) {
	// -vet=off and no debug information: the mutant is built only to run.
	full := []string{"test", "-count=1", "-failfast", "-p=1", "-vet=off", "-ldflags=-s -w"}
	if overlay != "" {
		full = append(full, "-overlay="+overlay)
	}
	cmd := exec.CommandContext(ctx, "go", append(full, args...)...)
	cmd.Dir = root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Kill the whole group: go test's test binary too.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return Survived, ""
	case ctx.Err() != nil:
		return Timeout, ""
	case strings.Contains(out, "[build failed]") || strings.Contains(out, "[setup failed]"):
		return Invalid, "build failed"
	case errors.As(err, &exit):
		if f := failRE.FindStringSubmatch(out); f != nil {
			return Killed, f[1]
		}
		if strings.Contains(out, "panic:") {
			return Killed, "panic"
		}
		return Killed, fmt.Sprintf("exit %d", exit.ExitCode())
	default:
		return Invalid, err.Error()
	}
}

// report writes mutants.csv and summary.txt to dir and the summary to w.
func report(dir string, rs []result, wall time.Duration, jobs int, w io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "mutants.csv"))
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	_ = cw.Write([]string{"id", "protocol", "file", "func", "line", "op", "original", "mutation", "status", "by", "seconds"})
	for _, r := range rs {
		_ = cw.Write([]string{r.ID, r.Protocol, r.File, r.Func, fmt.Sprint(r.Line), r.Op, r.Orig, r.Repl, r.Status, r.By,
			fmt.Sprintf("%.1f", r.Wall.Seconds())})
	}
	cw.Flush()
	if err := errors.Join(cw.Error(), f.Close()); err != nil {
		return fmt.Errorf("mutants.csv: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %7s %7s %7s %8s %7s %7s\n", "protocol", "mutants", "killed", "timeout", "survived", "invalid", "score")
	ms := make([]Mutant, len(rs))
	for i, r := range rs {
		ms[i] = r.Mutant
	}
	for _, p := range protocolsOf(ms) {
		c := map[string]int{}
		n := 0
		for _, r := range rs {
			if r.Protocol == p {
				c[r.Status]++
				n++
			}
		}
		if n == 0 {
			continue
		}
		counted := c[Killed] + c[Timeout] + c[Survived]
		score := 0.0
		if counted > 0 {
			score = 100 * float64(c[Killed]+c[Timeout]) / float64(counted)
		}
		fmt.Fprintf(&b, "%-8s %7d %7d %7d %8d %7d %6.1f%%\n", p, n, c[Killed], c[Timeout], c[Survived], c[Invalid], score)
	}
	fmt.Fprintf(&b, "wall time %v with -j %d\n", wall.Round(time.Second), jobs)
	survivors := false
	for _, r := range rs {
		if r.Status == Survived {
			if !survivors {
				b.WriteString("survivors:\n")
				survivors = true
			}
			fmt.Fprintf(&b, "  %s  %s: %s  [%s]\n", r.ID, r.Func, r.Orig, r.Repl)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.txt"), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("summary.txt: %w", err)
	}
	_, err = io.WriteString(w, b.String())
	return err
}
