package twinsrun

import (
	"fmt"
	"strings"

	"github.com/byzsim/byzsim/explore/search"
	"github.com/byzsim/byzsim/failures/twins"
)

// Summary is a Twins execution's summary.json: a function of the
// experiment alone.
type Summary struct {
	Name              string           `json:"name"`
	Protocol          string           `json:"protocol,omitempty"` // when not the default
	N                 int              `json:"n"`
	F                 int              `json:"f"`
	T                 int              `json:"t"`
	Bugs              []string         `json:"bugs"`
	Sampling          string           `json:"sampling"`
	Seed              uint64           `json:"seed"`
	RoundConfigs      int              `json:"round_configurations"`
	Space             string           `json:"scenario_space"`
	Scenarios         int64            `json:"scenarios"`
	RemovedBySymmetry int64            `json:"removed_by_symmetry"`
	RemovedFraction   float64          `json:"removed_fraction"`
	Exhausted         bool             `json:"exhausted"`
	LivenessChecked   int64            `json:"liveness_checked"`
	Violations        int64            `json:"violations"`
	ByProperty        map[string]int64 `json:"by_property"`
	Events            uint64           `json:"events"`
	FirstViolations   []int64          `json:"first_violating_scenarios"`
	Counterexamples   []string         `json:"counterexamples"`
}

// Perf is a Twins execution's perf.json: wall-clock figures.
type Perf struct {
	WallSeconds           float64 `json:"wall_seconds"`
	ScenariosPerSecond    float64 `json:"scenarios_per_second"`
	FirstViolationSeconds float64 `json:"first_violation_seconds"`
}

// Encoder words a Twins execution for search.Write: each counterexample
// as a scenario file that byzsim twins --replay runs (.jsonl) and its
// explanation (.txt), and summary.json and perf.json.
type Encoder struct {
	Exp *Experiment
	Gen *twins.Generator
	Rep *Report
}

var _ search.Encoder[twins.Scenario, Result] = (*Encoder)(nil)

// Index implements search.Encoder.
func (e *Encoder) Index(sc twins.Scenario) int64 { return sc.Index }

// Counterexample implements search.Encoder.
func (e *Encoder) Counterexample(cx *Counterexample, base string) ([]search.File, error) {
	s := &e.Exp.Settings
	var b strings.Builder
	w, err := twins.NewWriter(&b, s.Header())
	if err != nil {
		return nil, err
	}
	if err := w.Write(&cx.Case); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	var v Violation
	for _, x := range cx.Outcome.Detail.Violations {
		if x.Property == cx.Check {
			v = x
		}
	}
	text := Explain(s, &cx.Case, v) + fmt.Sprintf("\nMinimized from scenario %d (%d rounds); replay: byzsim twins --replay %s.jsonl\n",
		cx.Found.Index, len(cx.Found.Rounds), base)
	return []search.File{{Ext: ".jsonl", Data: []byte(b.String())}, {Ext: ".txt", Data: []byte(text)}}, nil
}

// Summary implements search.Encoder.
func (e *Encoder) Summary(_ *SearchResult, files []string, _ bool) (any, any) {
	x, rep := e.Exp, e.Rep
	sum := Summary{
		Name: x.Name, Protocol: x.Settings.Header().Protocol, N: x.Settings.N, F: x.Settings.F, T: x.Settings.T, Bugs: x.Settings.Bugs,
		Sampling: x.Sampling, Seed: x.Settings.Seed, RoundConfigs: e.Gen.Configs(), Space: e.Gen.Space().String(),
		Scenarios: rep.Scenarios, RemovedBySymmetry: rep.Generator.Removed,
		RemovedFraction: Frac(rep.Generator.Removed, rep.Scenarios+rep.Generator.Removed),
		Exhausted:       rep.Generator.Exhausted, LivenessChecked: rep.Liveness,
		Violations: rep.Failed, ByProperty: rep.ByProperty, Events: rep.Events,
		FirstViolations: []int64{}, Counterexamples: append([]string{}, files...),
	}
	if sum.Bugs == nil {
		sum.Bugs = []string{}
	}
	for _, f := range rep.Failures {
		sum.FirstViolations = append(sum.FirstViolations, f.Scenario.Index)
	}
	perf := Perf{WallSeconds: rep.Wall.Seconds(), ScenariosPerSecond: float64(rep.Scenarios) / rep.Wall.Seconds(), FirstViolationSeconds: -1}
	if rep.FirstFailure >= 0 {
		perf.FirstViolationSeconds = rep.FirstFailure.Seconds()
	}
	return sum, perf
}

// Frac is a/b, 0 when b is 0.
func Frac(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
