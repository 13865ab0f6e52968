package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Target is a file of a protocol and the functions of it that are mutated
// (nil: every function of the file).
type Target struct {
	File  string
	Funcs []string
}

// TargetSet is what a repository asks to mutate: each protocol package
// protocols/NAME that holds testdata/mutants.txt lists its mutated paths
// there (safety, quorum, commit, failure detection, message acceptance, …),
// so the harness itself knows no protocol. The planted bug_* hooks inside
// the targets are skipped by the generator.
type TargetSet struct {
	// Protocols are the protocols with targets, sorted: the report order.
	Protocols []string
	// Targets are each protocol's targets; File is relative to the module
	// root.
	Targets map[string][]Target
}

// targetsFile is where a protocol package lists its mutation targets.
const targetsFile = "testdata/mutants.txt"

// loadTargets reads the targets of every protocol package under root. A
// line is a file name of the package, optionally followed by function
// names; blank lines and lines starting with # are ignored.
func loadTargets(root string) (TargetSet, error) {
	set := TargetSet{Targets: map[string][]Target{}}
	paths, err := filepath.Glob(filepath.Join(root, "protocols", "*", filepath.FromSlash(targetsFile)))
	if err != nil {
		return set, err
	}
	sort.Strings(paths)
	for _, path := range paths {
		pkg := filepath.Base(filepath.Dir(filepath.Dir(path)))
		data, err := os.ReadFile(path)
		if err != nil {
			return set, fmt.Errorf("read targets: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for line := 1; sc.Scan(); line++ {
			fields := strings.Fields(sc.Text())
			if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
				continue
			}
			if !strings.HasSuffix(fields[0], ".go") || strings.ContainsAny(fields[0], `/\`) {
				return set, fmt.Errorf("%s:%d: %q is not a Go file of the package", path, line, fields[0])
			}
			t := Target{File: "protocols/" + pkg + "/" + fields[0]}
			if len(fields) > 1 {
				t.Funcs = fields[1:]
			}
			set.Targets[pkg] = append(set.Targets[pkg], t)
		}
		if len(set.Targets[pkg]) > 0 {
			set.Protocols = append(set.Protocols, pkg)
		}
	}
	return set, nil
}
