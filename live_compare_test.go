package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCompareLiveWithSimulated runs one experiment live (in-process, on
// loopback) and simulated, and compares the two output directories with
// byzsim compare: live results carry every metric compare reads, so each
// headline metric gets a row with both means.
func TestCompareLiveWithSimulated(t *testing.T) {
	if testing.Short() {
		t.Skip("a live run takes seconds of wall time")
	}
	dir := t.TempDir()
	const file = "experiments/testdata/live-diembft.toml"
	sim, live := filepath.Join(dir, "sim"), filepath.Join(dir, "live")
	if code, _, stderr := byzsim(t, "run", file, "-o", sim, "-q", "--no-report"); code != 0 {
		t.Fatalf("byzsim run: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := byzsim(t, "live", file, "-o", live, "--free-ports", "--no-endpoints"); code != 0 {
		t.Fatalf("byzsim live: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := byzsim(t, "compare", filepath.Join(sim, "live-diembft"), filepath.Join(live, "live-diembft"))
	if code != 0 {
		t.Fatalf("byzsim compare: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, row := range []string{"\nrequests_completed ", "\nthroughput_rps ", "\nlatency_p50_ms ", "Mann-Whitney U"} {
		if !strings.Contains(stdout, row) {
			t.Errorf("compare output has no %q row:\n%s", strings.TrimSpace(row), stdout)
		}
	}
	for _, l := range strings.Split(stdout, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "requests_completed" && (f[1] != "50" || f[2] != "50") {
			t.Errorf("requests completed: sim %s, live %s; want 50 and 50", f[1], f[2])
		}
	}
}
