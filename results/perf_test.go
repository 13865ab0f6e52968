package results

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

func TestPerfMeter(t *testing.T) {
	m := StartPerf()
	sink := make([][]byte, 0, 64)
	for range 64 {
		sink = append(sink, make([]byte, 4096))
	}
	m.Sample()
	p := m.Stop(1000, 2*sim.Second)
	if len(sink) != 64 {
		t.Fatal("unreachable")
	}
	if p.Events != 1000 || p.WallSeconds < 0 || p.PeakHeapBytes < 64*4096 {
		t.Errorf("Stop = %+v, want 1000 events, wall ≥ 0, a peak heap holding at least the 256 KiB kept live", p)
	}
	if p.WallSeconds > 0 && (p.EventsPerWallSecond <= 0 || p.VirtualPerWall <= 0) {
		t.Errorf("Stop = %+v, want positive rates", p)
	}

	path := filepath.Join(t.TempDir(), PerfFile)
	if err := WritePerf(path, p); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("perf.json is not JSON: %v", err)
	}
	for _, key := range []string{"wall_seconds", "events", "events_per_wall_second", "virtual_per_wall", "peak_heap_bytes"} {
		if _, ok := back[key]; !ok {
			t.Errorf("perf.json lacks %q", key)
		}
	}
	if !strings.HasSuffix(string(b), "}\n") {
		t.Error("perf.json does not end with a newline")
	}
}
