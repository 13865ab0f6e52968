package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// A case of the test problem is a list of numbers; it fails check "odd"
// when it holds an odd number and check "big" when its sum exceeds 100.
type tcase struct {
	index int64
	nums  []int
}

type tproblem struct {
	cases  []tcase
	failAt int64 // index whose run returns an error; −1 none
}

func newProblem(total int) *tproblem {
	p := &tproblem{failAt: -1}
	for i := range total {
		// A fixed pseudo-random case per index.
		x := uint64(i)*0x9e3779b97f4a7c15 + 1
		var nums []int
		for range 1 + i%5 {
			x ^= x >> 13
			x *= 0xff51afd7ed558ccd
			nums = append(nums, int(x%60)*2+int(x>>40%16/15))
		}
		p.cases = append(p.cases, tcase{index: int64(i), nums: nums})
	}
	return p
}

func (p *tproblem) Cases(emit func(tcase) bool) {
	for _, c := range p.cases {
		if !emit(c) {
			return
		}
	}
}

func (p *tproblem) Index(c tcase) int64 { return c.index }

func (p *tproblem) Executor() (Executor[tcase, int], error) { return texec{p}, nil }

type texec struct{ p *tproblem }

func (x texec) Run(_ context.Context, c tcase) (Outcome[int], error) {
	if c.index == x.p.failAt {
		return Outcome[int]{}, errors.New("cannot run")
	}
	sum := 0
	o := Outcome[int]{Events: uint64(len(c.nums)), Group: fmt.Sprint(len(c.nums))}
	for _, n := range c.nums {
		sum += n
		if n%2 == 1 && !slices.Contains(o.Failed, "odd") {
			o.Failed = append(o.Failed, "odd")
		}
	}
	if sum > 100 {
		o.Failed = append(o.Failed, "big")
		o.Marks = []string{"big"}
	}
	o.Detail = sum
	return o, nil
}

// minimizer drops numbers one at a time while the check still fails.
var dropNums = &Minimizer[tcase]{Repeat: true, Steps: []Step[tcase]{
	func(c tcase, _ string, fails func(tcase) bool) (tcase, bool) {
		for i := range c.nums {
			t := c
			t.nums = slices.Delete(slices.Clone(c.nums), i, i+1)
			if fails(t) {
				return t, true
			}
		}
		return c, false
	},
}}

func TestRunIndependentOfJobs(t *testing.T) {
	p := newProblem(2000)
	var want *Result[tcase, int]
	for _, jobs := range []int{1, 2, 3, 8} {
		res, err := Run(context.Background(), p, Options[tcase]{Jobs: jobs, Keep: 5, Failures: 7, Minimizer: dropNums})
		if err != nil {
			t.Fatal(err)
		}
		res.Wall, res.FirstFailure = 0, 0
		if res.Cases != 2000 || res.Failed == 0 || len(res.Counterexamples) != 2 || len(res.Failures) != 7 {
			t.Fatalf("-j %d: %d cases, %d failed, %d counterexamples, %d failures", jobs, res.Cases, res.Failed, len(res.Counterexamples), len(res.Failures))
		}
		if want == nil {
			want = res
			continue
		}
		if !reflect.DeepEqual(res, want) {
			t.Fatalf("-j %d differs from -j 1:\n%+v\n%+v", jobs, res, want)
		}
	}
	// The counterexamples are the first failure of each check, by index,
	// minimized to one number.
	for _, cx := range want.Counterexamples {
		for _, f := range want.Failures {
			if f.Outcome.Failed[0] == cx.Check && f.Case.index < cx.Found.index {
				t.Errorf("%s: counterexample from case %d, but case %d failed it first", cx.Check, cx.Found.index, f.Case.index)
			}
		}
		if cx.Check == "odd" && (len(cx.Case.nums) != 1 || cx.Case.nums[0]%2 != 1 || cx.Outcome.Detail != cx.Case.nums[0]) {
			t.Errorf("odd minimized to %v (outcome %d)", cx.Case.nums, cx.Outcome.Detail)
		}
	}
	if want.Marks["big"] != want.ByCheck["big"] {
		t.Errorf("marks %v, by check %v", want.Marks, want.ByCheck)
	}
}

func TestStopAtFirstAndErrors(t *testing.T) {
	p := newProblem(5000)
	res, err := Run(context.Background(), p, Options[tcase]{Jobs: 2, StopAtFirst: true, Keep: 1})
	if err != nil || res.Failed == 0 || res.Cases >= 5000 {
		t.Fatalf("stop at first: %v, %d cases, %d failed", err, res.Cases, res.Failed)
	}
	p.failAt = 1234
	_, err = Run(context.Background(), p, Options[tcase]{Jobs: 2})
	var ce *CaseError
	if !errors.As(err, &ce) || ce.Index != 1234 {
		t.Fatalf("error %v, want case 1234's", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.failAt = -1
	res, err = Run(ctx, p, Options[tcase]{Jobs: 2})
	if !errors.Is(err, context.Canceled) || res == nil || res.Cases == 5000 {
		t.Fatalf("cancelled: %v, %+v", err, res)
	}
}

func TestMinimizeBudget(t *testing.T) {
	c := tcase{nums: []int{2, 4, 6, 8, 1, 10}}
	m := *dropNums
	m.MaxRuns = 3
	got, runs := Minimize(context.Background(), &m, Executor[tcase, int](texec{&tproblem{failAt: -1}}), c, "odd")
	if runs != 3 || len(got.nums) != 3 {
		t.Fatalf("%d runs, %v", runs, got.nums)
	}
	m.MaxRuns = 0
	got, _ = Minimize(context.Background(), &m, Executor[tcase, int](texec{&tproblem{failAt: -1}}), c, "odd")
	if !reflect.DeepEqual(got.nums, []int{1}) {
		t.Fatalf("unbounded: %v", got.nums)
	}
}

type tenc struct{}

func (tenc) Index(c tcase) int64 { return c.index }

func (tenc) Counterexample(cx *Counterexample[tcase, int], base string) ([]File, error) {
	return []File{{".txt", []byte(fmt.Sprint(cx.Case.nums))}, {".md", []byte("# " + base)}}, nil
}

func (tenc) Summary(res *Result[tcase, int], files []string, interrupted bool) (any, any) {
	return map[string]any{"failed": res.Failed, "files": files, "interrupted": interrupted}, map[string]int{"jobs": 1}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "violation-old-1.txt")
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), newProblem(300), Options[tcase]{Jobs: 2, Keep: 5, Minimizer: dropNums})
	if err != nil {
		t.Fatal(err)
	}
	paths, err := Write(dir, res, tenc{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(res.Counterexamples) || len(paths) == 0 {
		t.Fatalf("paths %v", paths)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, _ := e.Info()
		if info.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", e.Name(), info.Mode().Perm())
		}
	}
	want := []string{PerfFile, SummaryFile}
	for _, cx := range res.Counterexamples {
		base := BaseName(cx.Check, cx.Found.index)
		want = append(want, base+".md", base+".txt")
		if !slices.Contains(paths, filepath.Join(dir, base+".txt")) {
			t.Errorf("paths %v lack %s.txt", paths, base)
		}
	}
	slices.Sort(want)
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	sum, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	if !strings.Contains(string(sum), `"interrupted": false`) || !strings.HasSuffix(string(sum), "}\n") {
		t.Errorf("summary.json:\n%s", sum)
	}
}
