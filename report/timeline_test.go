package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// at is x seconds as a marker time.
func at(x float64) results.Seconds { return results.Seconds(sim.Time(x * float64(sim.Second))) }

// replicaLog fills a replica log of n replicas over buckets buckets of
// interval: every replica enters a round every third bucket (a view reset
// every seventh), commits every bucket but those the lane skips, times out
// now and then.
func replicaLog(n, buckets int, interval sim.Time, skip func(k, r int) bool) []results.ReplicaRow {
	log := results.NewReplicaLog(n, interval)
	for k := range buckets {
		t := sim.Time(k) * interval
		for r := range n {
			if skip != nil && skip(k, r) {
				continue
			}
			if k%3 == 0 {
				log.Round(t+1, r, int64(k/3+r%5), k%7 == 0)
			}
			log.Commit(t+2, r)
			if (k+r)%11 == 0 {
				log.Timeout(t+3, r)
			}
		}
	}
	return log.Rows()
}

// TestTimelineSVGSameAsResults checks that the report's timelines are the
// bytes results.RunTimelineSVG (gonum's SVG canvas) draws, on timelines of
// every shape: none, empty, one tick, one replica, many replicas (more
// than are drawn), long runs, long labels, every kind of marker.
func TestTimelineSVGSameAsResults(t *testing.T) {
	ms := sim.Millisecond
	cases := []struct {
		name string
		rt   results.RunTimeline
	}{
		{"nothing", results.RunTimeline{}},
		{"empty", results.RunTimeline{Title: "Timeline of run 0", End: sim.Second, Interval: 100 * ms}},
		{"no rows, replicas", results.RunTimeline{Title: "Timeline of run 0", Replicas: 4, End: 3 * sim.Second, Interval: 100 * ms}},
		{"one tick", results.RunTimeline{Title: "Timeline of run 1", Replicas: 1, End: sim.Second, Interval: 100 * ms,
			Rows: []results.ReplicaRow{{Start: 500 * ms, Replica: 0, Commits: 1}}}},
		{"one round", results.RunTimeline{Title: "Timeline of run 1", Replicas: 2, End: 2 * sim.Second, Interval: 100 * ms,
			Rows: []results.ReplicaRow{{Start: 0, Replica: 1, Round: 3, HasRound: true, RoundChanges: 1}}}},
		{"one replica", results.RunTimeline{Title: "Timeline of run 2", Replicas: 1, End: 10 * sim.Second, Interval: 100 * ms,
			Rows: replicaLog(1, 100, 100*ms, nil)}},
		{"n = 4 with faults", results.RunTimeline{Title: "Timeline of run 7 (failed its checks)", Replicas: 4, End: 4 * sim.Second, Interval: 100 * ms,
			Rows: replicaLog(4, 40, 100*ms, func(k, r int) bool { return r == 1 && k >= 15 && k < 25 }),
			Markers: []results.Marker{
				{At: at(0), Label: "behaviour replica3 equivocate"},
				{At: at(1.5), Label: "crash replica1"},
				{At: at(1.5), Until: at(2.5), Label: "replica1 down"},
				{At: at(2), Label: "partition [replica0 replica1] [replica2 replica3]"},
				{At: at(2), Until: at(2.6), Label: "partitioned"},
				{At: at(2.5), Label: "recover replica1"},
				{At: at(2.6), Label: "heal"},
				{At: at(3), Label: "behaviour replica3 honest"},
				{At: at(3.2), Label: "transient replica0,replica2 ve"},
				{At: at(3.5), Label: "transient all"},
				{At: at(3.6), Label: "transient network"},
				{At: at(1), Until: at(1.3), Label: "rule 0 loss proposal"},
				{At: at(2.2), Until: at(2.3), Label: "rule 1 delay vote"},
				{At: at(3.6), Until: at(3.7), Label: "rule 0 loss proposal"},
			}}},
		{"many partition groups", results.RunTimeline{Title: "Timeline of run 3", Replicas: 8, End: 2 * sim.Second, Interval: 50 * ms,
			Rows: replicaLog(8, 40, 50*ms, nil),
			Markers: []results.Marker{
				{At: at(0.5), Label: "partition [replica0] [replica1] [replica2] [replica3] [replica4] [replica5] [replica6 replica7]"},
				{At: at(1.5), Label: "heal"},
			}}},
		{"long labels", results.RunTimeline{Title: "Timeline of run " + strings.Repeat("a-very-long-run-identifier/", 6) + " & <more>", Replicas: 3, End: 5 * sim.Second, Interval: 100 * ms,
			Rows: replicaLog(3, 50, 100*ms, nil),
			Markers: []results.Marker{
				{At: at(1), Until: at(4), Label: "rule 0 " + strings.Repeat("loss proposal vote timeout ", 5)},
				{At: at(0.2), Label: "behaviour replica2 " + strings.Repeat("x", 80)},
			}}},
		{"more replicas than lanes", results.RunTimeline{Title: "Timeline of run 0", Replicas: 256, End: 30 * sim.Second, Interval: 100 * ms,
			Rows: replicaLog(results.MaxTimelineLanes, 300, 100*ms, nil)}},
		{"long run", results.RunTimeline{Title: "Timeline of run 9", Replicas: 5, End: 600 * sim.Second, Interval: 100 * ms,
			Rows: replicaLog(5, 6000, 100*ms, nil)}},
		{"short run, wide buckets", results.RunTimeline{Title: "Timeline of run 9", Replicas: 5, End: 7 * ms, Interval: 2 * ms,
			Rows: replicaLog(5, 4, 2*ms, nil)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, err := results.RunTimelineSVG(c.rt)
			if err != nil {
				t.Fatal(err)
			}
			got := []byte(timelineSVG(c.rt))
			if !bytes.Equal(got, want) {
				i := 0
				for i < min(len(got), len(want)) && got[i] == want[i] {
					i++
				}
				t.Fatalf("timeline differs from results.RunTimelineSVG at byte %d of %d (want %d): got %q, want %q",
					i, len(got), len(want), got[max(i-40, 0):min(i+40, len(got))], want[max(i-40, 0):min(i+40, len(want))])
			}
			if n := bytes.Count(got, []byte("<path")); c.rt.Replicas > 0 && n == 0 {
				t.Errorf("no path drawn")
			}
		})
	}
}

// BenchmarkTimelineSVG: a timeline of 64 lanes × 1,000 buckets drawn by
// the report and by results.RunTimelineSVG.
func BenchmarkTimelineSVG(b *testing.B) {
	rt := results.RunTimeline{Title: "Timeline of run 0", Replicas: 64, End: 100 * sim.Second, Interval: 100 * sim.Millisecond,
		Rows: replicaLog(64, 1000, 100*sim.Millisecond, nil)}
	for _, d := range []struct {
		name string
		draw func() error
	}{
		{"report", func() error { timelineSVG(rt); return nil }},
		{"results", func() error { _, err := results.RunTimelineSVG(rt); return err }},
	} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := d.draw(); err != nil {
					b.Fatal(fmt.Errorf("%s: %w", d.name, err))
				}
			}
		})
	}
}
