package explore

import (
	"fmt"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/explore/search"
	"github.com/byzsim/byzsim/results"
)

// Output file names of an exploration's directory.
const (
	SummaryFile = search.SummaryFile
	PerfFile    = search.PerfFile
)

// Summary is summary.json: a function of the experiment, its [explore]
// table and the budget alone.
type Summary struct {
	Name        string           `json:"name"`
	Protocol    string           `json:"protocol"`
	Seed        uint64           `json:"seed"`
	Sizes       []SizeCount      `json:"sizes"`
	Kinds       []string         `json:"kinds"`
	MaxFaults   int              `json:"max_faults"`
	GSTSeconds  float64          `json:"gst_seconds"`
	Schedules   int64            `json:"schedules"`
	Failed      int64            `json:"failed"`
	ByCheck     map[string]int64 `json:"by_check"`
	Events      uint64           `json:"events"`
	Violations  []ViolationFile  `json:"violations"`
	Interrupted bool             `json:"interrupted"`
}

// SizeCount is one explored size and its schedules.
type SizeCount struct {
	N         int   `json:"n"`
	F         int   `json:"f"`
	Schedules int64 `json:"schedules"`
	Failed    int64 `json:"failed"`
}

// ViolationFile describes one written counterexample.
type ViolationFile struct {
	Check       string `json:"check"`
	Schedule    int64  `json:"schedule"`
	File        string `json:"file"`
	N           int    `json:"n"`
	F           int    `json:"f"`
	Faults      int    `json:"faults"`
	FoundFaults int    `json:"found_faults"`
	MinimizeRun int    `json:"minimize_runs"`
}

// Perf is perf.json: wall-clock figures.
type Perf struct {
	WallSeconds        float64 `json:"wall_seconds"`
	SchedulesPerSecond float64 `json:"schedules_per_second"`
	Jobs               int     `json:"jobs"`
}

// Write writes the result to dir: one experiment file per failure
// (violation-CHECK-INDEX.toml, with its explanation in comments and in
// a .md beside it), summary.json and perf.json, through the shared
// writer of package search. It removes the violation files of an earlier
// exploration, and returns the experiment files.
func Write(dir string, c *Config, res *Result, interrupted bool, jobs int) ([]string, error) {
	sr := &search.Result[Schedule, []results.Check]{}
	for _, f := range res.Failures {
		sr.Counterexamples = append(sr.Counterexamples, search.Counterexample[Schedule, []results.Check]{
			Check: f.Check, Found: f.Found, Case: f.Schedule, Outcome: search.Outcome[[]results.Check]{Detail: f.Checks}, Runs: f.Runs})
	}
	return search.Write(dir, sr, encoder{c: c, res: res, jobs: jobs}, interrupted)
}

// encoder words an exploration's results for search.Write.
type encoder struct {
	c    *Config
	res  *Result
	jobs int
}

func (e encoder) Index(s Schedule) int64 { return s.Index }

func (e encoder) Counterexample(cx *search.Counterexample[Schedule, []results.Check], base string) ([]search.File, error) {
	f := Failure{Check: cx.Check, Found: cx.Found, Schedule: cx.Case, Checks: cx.Outcome.Detail, Runs: cx.Runs}
	text, md, err := Counterexample(e.c, &f, base+".toml")
	if err != nil {
		return nil, err
	}
	return []search.File{{Ext: ".toml", Data: text}, {Ext: ".md", Data: []byte(md)}}, nil
}

func (e encoder) Summary(_ *search.Result[Schedule, []results.Check], files []string, interrupted bool) (any, any) {
	c, res := e.c, e.res
	sum := Summary{Name: c.Base.Name, Protocol: c.Proto.Name, Seed: c.Seed, Kinds: c.Kinds, MaxFaults: c.Faults,
		GSTSeconds: c.GST.Seconds(), Schedules: res.Schedules, Failed: res.Failed, ByCheck: res.ByCheck,
		Events: res.Events, Violations: []ViolationFile{}, Interrupted: interrupted}
	for _, s := range c.Sizes {
		bs := res.BySize[s]
		sum.Sizes = append(sum.Sizes, SizeCount{N: s.N, F: s.F, Schedules: bs[0], Failed: bs[1]})
	}
	for i, f := range res.Failures {
		sum.Violations = append(sum.Violations, ViolationFile{Check: f.Check, Schedule: f.Found.Index, File: files[i],
			N: f.Schedule.Size.N, F: f.Schedule.Size.F, Faults: len(f.Schedule.Faults), FoundFaults: len(f.Found.Faults), MinimizeRun: f.Runs})
	}
	perf := Perf{WallSeconds: res.Wall.Seconds(), Jobs: e.jobs}
	if res.Wall > 0 {
		perf.SchedulesPerSecond = float64(res.Schedules) / res.Wall.Seconds()
	}
	return sum, perf
}

// Counterexample returns a failure as an experiment file (its explanation
// in comments at the top) and the explanation as Markdown.
func Counterexample(c *Config, f *Failure, file string) ([]byte, string, error) {
	e := f.Schedule.Experiment(c.Base)
	e.Name = fmt.Sprintf("%s-violation-%s-%d", c.Base.Name, f.Check, f.Found.Index)
	e.Description = fmt.Sprintf("byzsim explore: schedule %d of %s fails %s", f.Found.Index, c.Base.Name, f.Check)
	para := Explain(c, f)
	var comment []string
	for _, l := range wrap(para, 76) {
		comment = append(comment, l)
	}
	comment = append(comment, "", "Reproduce: byzsim run "+file, "")
	text, err := experiments.MarshalTOML(e, comment)
	if err != nil {
		return nil, "", err
	}
	var md strings.Builder
	fmt.Fprintf(&md, "# %s fails %s\n\n%s\n\n", c.Base.Name, f.Check, para)
	md.WriteString("Faults of the minimized schedule:\n\n")
	for _, x := range f.Schedule.Faults {
		fmt.Fprintf(&md, "- %s\n", x.Describe())
	}
	if len(f.Schedule.Faults) == 0 {
		md.WriteString("- none\n")
	}
	md.WriteString("\nFailed checks:\n\n")
	for _, ch := range f.Checks {
		fmt.Fprintf(&md, "- %s: %s\n", ch.Name, ch.Detail)
	}
	fmt.Fprintf(&md, "\nReproduce: `byzsim run %s` (exit status 1).\n", file)
	return text, md.String(), nil
}

// Explain words a failure in one paragraph.
func Explain(c *Config, f *Failure) string {
	s := &f.Schedule
	var b strings.Builder
	fmt.Fprintf(&b, "%s with n = %d and f = %d (seed %d) fails its %s check", c.Proto.Name, s.Size.N, s.Size.F, s.Seed, f.Check)
	if len(f.Schedule.Faults) == 0 {
		b.WriteString(" with no fault at all")
	} else {
		kinds := map[string]int{}
		for _, x := range s.Faults {
			kinds[x.Kind]++
		}
		var ks []string
		for k, n := range kinds {
			ks = append(ks, fmt.Sprintf("%d %s", n, k))
		}
		sort.Strings(ks)
		fmt.Fprintf(&b, " under %d fault(s) (%s): ", len(s.Faults), strings.Join(ks, ", "))
		var ds []string
		for _, x := range s.Faults {
			ds = append(ds, x.Describe())
		}
		b.WriteString(strings.Join(ds, "; "))
	}
	fmt.Fprintf(&b, ". After GST at %v the network is synchronous and no fault but Byzantine behaviours and permanent crashes (at most f replicas) remains.", s.GST)
	for _, ch := range f.Checks {
		if ch.Name == f.Check {
			fmt.Fprintf(&b, " The check reports: %s.", strings.TrimSuffix(ch.Detail, "."))
		}
	}
	fmt.Fprintf(&b, " byzsim explore found it as schedule %d (%v, %d faults) and minimized it in %d runs to the smallest size, the fewest faults and the shortest windows that still fail the check.",
		f.Found.Index, f.Found.Size, len(f.Found.Faults), f.Runs)
	return b.String()
}

// wrap breaks text into lines of at most width runes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	var cur []string
	n := 0
	for _, w := range strings.Fields(text) {
		if n > 0 && n+1+len([]rune(w)) > width {
			lines = append(lines, strings.Join(cur, " "))
			cur, n = nil, 0
		}
		if n > 0 {
			n++
		}
		cur = append(cur, w)
		n += len([]rune(w))
	}
	if len(cur) > 0 {
		lines = append(lines, strings.Join(cur, " "))
	}
	return lines
}
