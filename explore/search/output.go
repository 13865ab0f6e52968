package search

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/byzsim/byzsim/results"
)

// Output file names of a search's directory.
const (
	SummaryFile = "summary.json"
	PerfFile    = "perf.json"
	// CounterexamplePrefix starts the name of every counterexample file.
	CounterexamplePrefix = "violation-"
)

// File is one output file of a counterexample.
type File struct {
	// Ext is the file's extension, with its dot (".toml").
	Ext  string
	Data []byte
}

// Encoder words a search's results.
type Encoder[C, R any] interface {
	// Counterexample returns the files of one counterexample; the first
	// is the one the matching command reproduces. They are written as
	// violation-CHECK-INDEX plus each extension.
	Counterexample(cx *Counterexample[C, R], base string) ([]File, error)
	// Index is a case's index (named in the files).
	Index(c C) int64
	// Summary returns summary.json and perf.json, given the result and the
	// names of the counterexamples' first files.
	Summary(res *Result[C, R], files []string, interrupted bool) (summary, perf any)
}

// BaseName is the file name, without extension, of a counterexample.
func BaseName(check string, index int64) string {
	return fmt.Sprintf("%s%s-%d", CounterexamplePrefix, check, index)
}

// Write writes a result to dir (which must exist): each counterexample's
// files, summary.json and perf.json, each atomically with mode 0644. It
// first removes the counterexample files of an earlier search in dir, and
// returns the paths of the counterexamples' first files.
func Write[C, R any](dir string, res *Result[C, R], enc Encoder[C, R], interrupted bool) ([]string, error) {
	old, _ := filepath.Glob(filepath.Join(dir, CounterexamplePrefix+"*"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return nil, err
		}
	}
	var paths, names []string
	for i := range res.Counterexamples {
		cx := &res.Counterexamples[i]
		base := BaseName(cx.Check, enc.Index(cx.Found))
		files, err := enc.Counterexample(cx, base)
		if err != nil {
			return nil, err
		}
		for j, f := range files {
			path := filepath.Join(dir, base+f.Ext)
			if err := results.WriteFileAtomic(path, f.Data); err != nil {
				return nil, err
			}
			if j == 0 {
				paths = append(paths, path)
				names = append(names, base+f.Ext)
			}
		}
	}
	sum, perf := enc.Summary(res, names, interrupted)
	for _, x := range []struct {
		name string
		v    any
	}{{SummaryFile, sum}, {PerfFile, perf}} {
		data, err := json.MarshalIndent(x.v, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := results.WriteFileAtomic(filepath.Join(dir, x.name), append(data, '\n')); err != nil {
			return nil, err
		}
	}
	return paths, nil
}
