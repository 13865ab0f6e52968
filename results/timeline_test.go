package results

import (
	"slices"
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
	want := []Marker{{Seconds(100 * ms), "crash replica1"}, {Seconds(100 * ms), "partition"}, {Seconds(300 * ms), "heal"}}
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
