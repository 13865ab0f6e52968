package transcript

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/golden"
)

// Run runs every *.txt file in dir as a transcript of proto, one subtest
// per file. Each file runs twice: the two outputs must be identical
// (determinism) and equal to the file's expected outputs. With -rewrite,
// the files are rewritten with the outputs instead.
func Run(t *testing.T, proto *protocols.Protocol, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no transcripts (*.txt) in %s", dir)
	}
	sort.Strings(files)
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			RunFile(t, proto, path)
		})
	}
}

// RunFile runs one transcript file; see Run.
func RunFile(t *testing.T, proto *protocols.Protocol, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := parse(path, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got, err := execute(proto, s)
	if err != nil {
		t.Fatal(err)
	}
	again, err := execute(proto, s)
	if err != nil {
		t.Fatal(err)
	}
	if d := firstDifference(s, got, again); d != "" {
		t.Fatalf("two runs of %s differ (nondeterminism): %s", path, d)
	}
	if golden.Rewrite() {
		if out := s.format(got); out != string(data) {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote %s", path)
		}
		return
	}
	want := make([][]string, len(s.steps))
	for i, st := range s.steps {
		want[i] = st.output
	}
	for _, d := range differences(s, want, got) {
		t.Error(d)
	}
}

// execute runs the steps of a script and returns each step's output.
// A command error is part of the output ("error: …") only for faults the
// protocol reports; a malformed command stops the script with its file and
// line.
func execute(proto *protocols.Protocol, s *script) ([][]string, error) {
	h := newHarness(proto)
	outs := make([][]string, len(s.steps))
	for i, st := range s.steps {
		h.out = nil
		if err := h.run(st.command); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", s.name, st.line, err)
		}
		outs[i] = h.out
	}
	return outs, nil
}

// differences describes every step whose output differs from want.
func differences(s *script, want, got [][]string) []string {
	var out []string
	for i, st := range s.steps {
		if !equalLines(want[i], got[i]) {
			out = append(out, fmt.Sprintf("%s:%d: %s\n--- want\n%s\n--- got\n%s\n(go test -rewrite updates the file)",
				s.name, st.line, st.command, strings.Join(want[i], "\n"), strings.Join(got[i], "\n")))
		}
	}
	return out
}

func firstDifference(s *script, a, b [][]string) string {
	if d := differences(s, a, b); len(d) > 0 {
		return d[0]
	}
	return ""
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
