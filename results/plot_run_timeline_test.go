package results

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/byzsim/byzsim/sim"
)

// sampleRunTimeline has every kind of event a run timeline draws.
func sampleRunTimeline() RunTimeline {
	ms := sim.Millisecond
	log := NewReplicaLog(4, 100*ms)
	for k := range 40 {
		at := sim.Time(k) * 100 * ms
		for r := range 4 {
			if r == 1 && at >= 1500*ms && at < 2500*ms {
				continue // down
			}
			if k%3 == 0 {
				log.Round(at+10*ms, r, int64(k/3+1), k > 20 && k < 25)
			}
			if k%2 == 0 && (at < 2000*ms || at > 2600*ms) {
				log.Commit(at+20*ms, r)
			}
			if at >= 2000*ms && at < 2600*ms && k%2 == 1 {
				log.Timeout(at+30*ms, r)
			}
		}
	}
	log.Reset(3200*ms, 2)
	s := func(x float64) Seconds { return Seconds(sim.Time(x * float64(sim.Second))) }
	return RunTimeline{
		Title: "Timeline of run 7", Replicas: 4, End: 4 * sim.Second, Interval: 100 * ms,
		Rows: log.Rows(),
		Markers: []Marker{
			{At: s(0), Label: "behaviour replica3 equivocate"},
			{At: s(1.5), Label: "crash replica1"},
			{At: s(1.5), Until: s(2.5), Label: "replica1 down"},
			{At: s(2), Label: "partition [replica0 replica1] [replica2 replica3]"},
			{At: s(2), Until: s(2.6), Label: "partitioned"},
			{At: s(2.5), Label: "recover replica1"},
			{At: s(2.6), Label: "heal"},
			{At: s(3), Label: "behaviour replica3 honest"},
			{At: s(3.2), Label: "transient replica0,replica2 ve"},
			{At: s(3.5), Label: "transient all"},
			{At: s(1), Until: s(1.3), Label: "rule 0 loss proposal"},
			{At: s(2.2), Until: s(2.3), Label: "rule 1 delay vote"},
			{At: s(3.6), Until: s(3.7), Label: "rule 0 loss proposal"},
		},
	}
}

// TestRunTimelineLayout checks how markers become lanes, spans and glyphs.
func TestRunTimelineLayout(t *testing.T) {
	lay := layoutTimeline(sampleRunTimeline())
	if got, want := lay.lanes(), 4+1+2; got != want {
		t.Errorf("lanes = %d, want %d (4 replicas, network, 2 rules)", got, want)
	}
	if !slices.Equal(lay.rules, []string{"rule 0 loss proposal", "rule 1 delay vote"}) || len(lay.ruleSpan[0]) != 2 {
		t.Errorf("rules %v, spans %v", lay.rules, lay.ruleSpan)
	}
	if len(lay.down[1]) != 1 || lay.down[1][0].from != 1.5 || lay.down[1][0].until != 2.5 {
		t.Errorf("replica1 down: %+v, want [1.5, 2.5]", lay.down[1])
	}
	if len(lay.byz[3]) != 1 || lay.byz[3][0].until != 3 || lay.byz[3][0].label != "equivocate" {
		t.Errorf("replica3 Byzantine: %+v, want equivocate until 3 s", lay.byz[3])
	}
	if len(lay.parts) != 1 || lay.parts[0].label != "{0,1} {2,3}" || lay.parts[0].until != 2.6 {
		t.Errorf("partitions: %+v", lay.parts)
	}
	if g := lay.groups[2]; len(g) != 1 || g[0].group != 1 {
		t.Errorf("replica2's partition group: %+v, want group index 1", g)
	}
	transient := map[int]int{}
	for _, p := range lay.points {
		if p.kind == "transient" {
			transient[p.replica]++
		}
	}
	if transient[0] != 2 || transient[1] != 1 || transient[2] != 2 || transient[3] != 1 {
		t.Errorf("transient glyphs per replica: %v, want 2, 1, 2, 1", transient)
	}
	if lay.rmin != 1 || lay.rmax != 14 {
		t.Errorf("round range %d–%d, want 1–14", lay.rmin, lay.rmax)
	}
	if y := lay.replicaY(0); y != 3 {
		t.Errorf("replica0's lane starts at %g, want 3 (the top replica lane)", y)
	}
	// More replicas than lanes: capped.
	many := RunTimeline{Replicas: MaxTimelineLanes + 5, End: sim.Second}
	if l := layoutTimeline(many); l.replicas != MaxTimelineLanes {
		t.Errorf("%d replicas drawn, want %d", l.replicas, MaxTimelineLanes)
	}
}

func TestMarkerReplicas(t *testing.T) {
	for _, c := range []struct {
		label string
		want  []int
	}{
		{"crash replica1", []int{1}},
		{"replica12 down", []int{12}},
		{"transient replica0,replica2 ve,rep", []int{0, 2}},
		{"partition [replica0 replica1] [replica2]", []int{0, 1, 2}},
		{"heal", nil},
		{"transient all", nil},
		{"behaviour replicaX honest", nil},
		{"crash replica99999", nil},
	} {
		if got := markerReplicas(c.label); !slices.Equal(got, c.want) {
			t.Errorf("markerReplicas(%q) = %v, want %v", c.label, got, c.want)
		}
	}
}

// TestRunTimelineGolden draws the sample timeline and compares the SVG and
// replicas.csv with their golden files; go test -update rewrites them.
func TestRunTimelineGolden(t *testing.T) {
	dir := t.TempDir()
	rt := sampleRunTimeline()
	if err := PlotRunTimeline(filepath.Join(dir, "timeline"), rt, SVG); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join(dir, "timeline.svg"), "run_timeline.svg")
	if err := WriteReplicasCSV(filepath.Join(dir, ReplicasFile), rt.Rows); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join(dir, ReplicasFile), "replicas.csv")
	back, err := ReadReplicasCSV(filepath.Join(dir, ReplicasFile))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back, rt.Rows) {
		t.Error("replicas.csv does not read back to the rows written")
	}
}

// TestReadRunTimeline reads a run directory written by WriteRun.
func TestReadRunTimeline(t *testing.T) {
	dir := t.TempDir()
	rt := sampleRunTimeline()
	log := NewReplicaLog(4, 0)
	log.Round(sim.Second, 2, 5, false)
	tl := NewTimeline(250 * sim.Millisecond)
	tl.Mark(sim.Second, "crash replica3")
	if _, err := WriteRun(dir, RunInput{RunID: "9", End: rt.End, Replicas: log, Timeline: tl}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRunTimeline(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Replicas != 4 || got.Interval != 250*sim.Millisecond || got.End != rt.End || len(got.Rows) != 1 || got.Title != "Timeline of run 9" {
		t.Errorf("read %+v", got)
	}
	if err := os.Remove(filepath.Join(dir, ReplicasFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRunTimeline(dir); err == nil {
		t.Error("a run without replicas.csv read without error")
	}
}

func TestStepPath(t *testing.T) {
	pt := func(x, y float64) vg.Point { return vg.Point{X: vg.Points(x), Y: vg.Points(y)} }
	var s stepPath
	// Two steps far apart, then many within one half-point cell.
	for _, p := range []vg.Point{pt(0, 1), pt(10, 1), pt(10, 2), pt(20, 2), pt(20.1, 5), pt(20.2, 0), pt(20.3, 3), pt(30, 3)} {
		s.add(p.X, p.Y)
	}
	want := []vg.Point{pt(0, 1), pt(10, 1), pt(10, 2), pt(20, 2), pt(20, 0), pt(20, 5), pt(20, 3), pt(30, 3)}
	if got := s.points(); !slices.Equal(got, want) {
		t.Errorf("points %v, want %v", got, want)
	}
}

// TestRunTimelineSizeBounded: an hour of 100 ms buckets at 16 replicas,
// every bucket with a round change, a commit and a timeout, still draws
// a small SVG (merged vertices, ticks and glyphs at most one per point).
func TestRunTimelineSizeBounded(t *testing.T) {
	const n, buckets = 16, 36000
	log := NewReplicaLog(n, 100*sim.Millisecond)
	for k := range buckets {
		at := sim.Time(k) * 100 * sim.Millisecond
		for r := range n {
			log.Round(at, r, int64(k), k%7 == 0)
			log.Commit(at, r)
			log.Timeout(at, r)
		}
	}
	svg, err := RunTimelineSVG(RunTimeline{Title: "long", Replicas: n, End: buckets * 100 * sim.Millisecond,
		Interval: 100 * sim.Millisecond, Rows: log.Rows()})
	if err != nil {
		t.Fatal(err)
	}
	if len(svg) > 2<<20 {
		t.Errorf("SVG of %d buckets × %d replicas is %d bytes, want at most 2 MiB", buckets, n, len(svg))
	}
	t.Logf("%d buckets × %d replicas: %d bytes of SVG", buckets, n, len(svg))
}

func BenchmarkRunTimelineSVG(b *testing.B) {
	rt := sampleRunTimeline()
	for b.Loop() {
		if _, err := RunTimelineSVG(rt); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzRunTimeline: whatever replicas.csv and marker labels hold, reading
// and drawing a run timeline returns an error or a drawing, never panics.
func FuzzRunTimeline(f *testing.F) {
	f.Add("time_s,replica,round,round_changes,tc_round_changes,resets,timeouts,commits\n0.100000000,0,2,2,0,0,0,1\n", "partition [replica0] [replica1 replica2]", 1.0, 2.0)
	f.Add("time_s,replica,round,round_changes,tc_round_changes,resets,timeouts,commits\n0.1,4095,-9,1,1,1,1,1\n", "behaviour replica3", 0.5, 0.5)
	f.Add("x\n", "transient all", -1.0, 3.0)
	f.Fuzz(func(t *testing.T, csv, label string, at, until float64) {
		path := filepath.Join(t.TempDir(), ReplicasFile)
		if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		rows, err := ReadReplicasCSV(path)
		if err != nil {
			return
		}
		if math.IsNaN(at) || math.IsInf(at, 0) || math.Abs(at) > 1e6 || math.IsNaN(until) || math.IsInf(until, 0) || math.Abs(until) > 1e6 {
			return
		}
		rt := RunTimeline{Title: "fuzz", End: 5 * sim.Second, Interval: 100 * sim.Millisecond, Rows: rows,
			Markers: []Marker{{At: Seconds(sim.Time(at * 1e9)), Until: Seconds(sim.Time(until * 1e9)), Label: label},
				{At: Seconds(sim.Time(at * 1e9)), Label: label}}}
		for _, r := range rows {
			rt.Replicas = max(rt.Replicas, r.Replica+1)
		}
		for _, id := range markerReplicas(label) {
			rt.Replicas = max(rt.Replicas, id+1)
		}
		if _, err := RunTimelineSVG(rt); err != nil {
			t.Fatal(err)
		}
	})
}

// TestStepPathStep: step(x, from, to) leaves the vertices that add(x,
// from) and add(x, to) leave, for steps within a cell, across cells and
// at cell edges.
func TestStepPathStep(t *testing.T) {
	half := vg.Points(0.5)
	xs := []vg.Length{0, half / 3, half - 1e-9, half, half + 1e-9, 1.7 * half, 2 * half, 5.2 * half, 5.3 * half, 9 * half}
	ys := []vg.Length{10, 3, 10, 12, 12, 1, 7, 7, 4, 11}
	var two, one stepPath
	for i, x := range xs {
		from, to := ys[i], ys[(i+3)%len(ys)]
		two.add(x, from)
		two.add(x, to)
		one.step(x, from, to)
		if !slices.Equal(one.pts, two.pts) || one.open != two.open || one.cell != two.cell || one.x != two.x ||
			one.first != two.first || one.lo != two.lo || one.hi != two.hi || one.last != two.last {
			t.Fatalf("after step %d at x = %v: %+v, two adds leave %+v", i, x, one, two)
		}
	}
	if got, want := one.points(), two.points(); !slices.Equal(got, want) || len(got) < 8 {
		t.Fatalf("vertices %v, two adds leave %v", got, want)
	}
}
