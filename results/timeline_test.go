package results

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

func TestTimelineBucketing(t *testing.T) {
	ms := sim.Millisecond
	tests := []struct {
		name     string
		interval sim.Time
		complete []sim.Time
		commit   []sim.Time
		end      sim.Time
		want     []TimelineRow
	}{
		{
			name:     "boundaries belong to the next bucket",
			interval: 100 * ms,
			complete: []sim.Time{0, 100*ms - 1, 100 * ms, 199 * ms},
			commit:   []sim.Time{50 * ms},
			end:      200 * ms,
			want: []TimelineRow{
				{Start: 0, Completed: 2, ThroughputRPS: 20, Commits: 1},
				{Start: 100 * ms, Completed: 2, ThroughputRPS: 20},
			},
		},
		{
			name:     "last bucket cut short by the end",
			interval: 100 * ms,
			complete: []sim.Time{210 * ms},
			end:      250 * ms,
			want: []TimelineRow{
				{Start: 0},
				{Start: 100 * ms},
				{Start: 200 * ms, Completed: 1, ThroughputRPS: 20}, // 1 in 50 ms
			},
		},
		{
			name:     "default interval",
			interval: 0,
			complete: []sim.Time{150 * ms},
			end:      100 * ms,
			want: []TimelineRow{
				{Start: 0},
				{Start: 100 * ms, Completed: 1, ThroughputRPS: 10}, // recorded after end: full width
			},
		},
		{
			name:     "one second buckets",
			interval: sim.Second,
			complete: []sim.Time{0, 1, 2, 999 * ms, 1500 * ms},
			commit:   []sim.Time{1 * sim.Second, 1500 * ms},
			end:      2 * sim.Second,
			want: []TimelineRow{
				{Start: 0, Completed: 4, ThroughputRPS: 4},
				{Start: sim.Second, Completed: 1, ThroughputRPS: 1, Commits: 2},
			},
		},
		{
			name:     "nothing recorded, empty run",
			interval: 100 * ms,
			end:      0,
			want:     []TimelineRow{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := NewTimeline(tt.interval)
			for _, at := range tt.complete {
				tl.Complete(at)
			}
			for _, at := range tt.commit {
				tl.Commit(at)
			}
			got := tl.Rows(tt.end)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Rows(%v) =\n%+v\nwant\n%+v", tt.end, got, tt.want)
			}
		})
	}
}

func TestTimelineBytesAndMarkers(t *testing.T) {
	ms := sim.Millisecond
	tl := NewTimeline(100 * ms)
	if tl.Interval() != 100*ms {
		t.Fatalf("Interval() = %v", tl.Interval())
	}
	tl.AddBytes(10*ms, 100)
	tl.AddBytes(20*ms, 50)
	tl.Mark(300*ms, "heal")
	tl.Mark(100*ms, "partition")
	tl.Mark(100*ms, "crash replica1")
	rows := tl.Rows(100 * ms)
	if len(rows) != 1 || rows[0].Bytes != 150 {
		t.Errorf("Rows = %+v, want one row with 150 bytes", rows)
	}
	tl.MarkSpan(100*ms, 250*ms, "rule 0 loss vote ×3")
	want := []Marker{
		{At: Seconds(100 * ms), Label: "crash replica1"},
		{At: Seconds(100 * ms), Label: "partition"},
		{At: Seconds(100 * ms), Label: "rule 0 loss vote ×3", Until: Seconds(250 * ms)},
		{At: Seconds(300 * ms), Label: "heal"},
	}
	if got := tl.Markers(); !slices.Equal(got, want) {
		t.Errorf("Markers() = %v, want %v", got, want)
	}
}

func TestTimelinePanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"negative interval", func() { NewTimeline(-1) }},
		{"event before 0", func() { NewTimeline(0).Complete(-1) }},
		{"empty span", func() { NewTimeline(0).MarkSpan(5, 5, "x") }},
		{"fault firing of an unknown rule", func() { NewFaultSpans([]string{"r"}, 0).Fired(1, 0) }},
		{"negative fault span gap", func() { NewFaultSpans(nil, -1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("did not panic")
				}
			}()
			tt.f()
		})
	}
}

// TestFaultSpans checks that firings at most the gap apart join into one
// span, that spans are labelled with their firings, and that a rule's spans
// are joined further beyond MaxFaultSpans, keeping every firing.
func TestFaultSpans(t *testing.T) {
	ms := sim.Millisecond
	f := NewFaultSpans([]string{"rule 0 loss vote", "rule 1 delay proposal", "rule 2 setattr"}, 100*ms)
	for _, at := range []sim.Time{10 * ms, 60 * ms, 160 * ms, 400 * ms} {
		f.Fired(0, at)
	}
	f.Fired(1, 50*ms)
	want := []Marker{
		{At: Seconds(10 * ms), Until: Seconds(160 * ms), Label: "rule 0 loss vote ×3"},
		{At: Seconds(400 * ms), Until: Seconds(400*ms + 1), Label: "rule 0 loss vote ×1"},
		{At: Seconds(50 * ms), Until: Seconds(50*ms + 1), Label: "rule 1 delay proposal ×1"},
	}
	if got := f.Markers(); !slices.Equal(got, want) {
		t.Errorf("Markers() = %v, want %v", got, want)
	}
	// Firings slightly out of order (busy senders' clocks differ) join the
	// span they fall in, or start one in its place.
	f.Fired(0, 5*ms)
	f.Fired(1, 300*ms)
	f.Fired(1, 200*ms)
	want = []Marker{
		{At: Seconds(5 * ms), Until: Seconds(160 * ms), Label: "rule 0 loss vote ×4"},
		{At: Seconds(400 * ms), Until: Seconds(400*ms + 1), Label: "rule 0 loss vote ×1"},
		{At: Seconds(50 * ms), Until: Seconds(50*ms + 1), Label: "rule 1 delay proposal ×1"},
		{At: Seconds(200 * ms), Until: Seconds(300 * ms), Label: "rule 1 delay proposal ×2"},
	}
	if got := f.Markers(); !slices.Equal(got, want) {
		t.Errorf("after out-of-order firings, Markers() = %v, want %v", got, want)
	}
	if first, last, ok := f.Times(0); !ok || first != 5*ms || last != 400*ms {
		t.Errorf("Times(0) = %v, %v, %v; want 5ms, 400ms, true", first, last, ok)
	}
	if _, _, ok := f.Times(2); ok {
		t.Error("Times(2) ok for a rule that never fired")
	}
	// 30 bursts of 3 firings at 2^j − 1 seconds: the gaps double, so the
	// spans are joined smallest gaps first, down to at most MaxFaultSpans,
	// keeping all 90 firings and the whole time covered.
	g := NewFaultSpans([]string{"r"}, 100*ms)
	var end sim.Time
	for j := range 30 {
		for k := range 3 {
			end = sim.Time(1<<j-1)*sim.Second + sim.Time(k)*ms
			g.Fired(0, end)
		}
	}
	ms2 := g.Markers()
	if len(ms2) > MaxFaultSpans || len(ms2) < MaxFaultSpans/2 {
		t.Fatalf("%d spans for 30 spread bursts, want %d..%d", len(ms2), MaxFaultSpans/2, MaxFaultSpans)
	}
	total := 0
	for _, m := range ms2 {
		var k int
		if _, err := fmt.Sscanf(m.Label[strings.LastIndex(m.Label, "×")+len("×"):], "%d", &k); err != nil {
			t.Fatalf("label %q: %v", m.Label, err)
		}
		total += k
	}
	if total != 90 || ms2[0].At != 0 || ms2[len(ms2)-1].Until != Seconds(end) {
		t.Errorf("spans %v: %d firings from %v to %v, want 90 from 0 to %v", ms2, total, ms2[0].At, ms2[len(ms2)-1].Until, end)
	}
}
