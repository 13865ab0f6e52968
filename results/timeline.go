package results

import (
	"cmp"
	"slices"

	"github.com/byzsim/byzsim/sim"
)

// DefaultInterval is the bucket width of a Timeline that does not set one.
const DefaultInterval = 100 * sim.Millisecond

// Timeline records throughput over virtual time: completions, commits and
// bytes counted in buckets of a fixed interval, bucket k covering
// [k·interval, (k+1)·interval), plus labelled markers (e.g. faults).
// The zero value is not usable; call NewTimeline.
type Timeline struct {
	interval sim.Time
	buckets  []bucket
	markers  []Marker
}

type bucket struct {
	completed, commits, bytes uint64
}

// Marker labels a point in virtual time, e.g. the start of a fault, or a
// span of it, e.g. when a fault rule acted.
type Marker struct {
	At    Seconds `json:"time_s"`
	Label string  `json:"label"`
	// Until, when after At, ends the span [At, Until]; 0 for a point.
	Until Seconds `json:"until_s,omitempty"`
}

// IsSpan reports whether m marks a span rather than a point.
func (m Marker) IsSpan() bool { return m.Until > m.At }

// TimelineRow is one bucket of a Timeline, one row of timeline.csv.
type TimelineRow struct {
	// Start is the start of the bucket.
	Start sim.Time
	// Completed counts requests completed in the bucket.
	Completed uint64
	// ThroughputRPS is Completed divided by the bucket's width in seconds
	// (the last bucket may be cut short by the end of the run).
	ThroughputRPS float64
	// Commits counts entries committed in the bucket.
	Commits uint64
	// Bytes counts bytes recorded in the bucket.
	Bytes uint64
}

// NewTimeline returns an empty timeline with the given bucket width; 0 means
// DefaultInterval. A negative interval panics.
func NewTimeline(interval sim.Time) *Timeline {
	if interval < 0 {
		panic("results: negative timeline interval")
	}
	if interval == 0 {
		interval = DefaultInterval
	}
	return &Timeline{interval: interval}
}

// Interval returns the bucket width.
func (t *Timeline) Interval() sim.Time { return t.interval }

func (t *Timeline) bucket(at sim.Time) *bucket {
	if at < 0 {
		panic("results: timeline event before time 0")
	}
	k := int(at / t.interval)
	if k >= len(t.buckets) {
		t.buckets = append(t.buckets, make([]bucket, k+1-len(t.buckets))...)
	}
	return &t.buckets[k]
}

// Complete records a request completed at time at.
func (t *Timeline) Complete(at sim.Time) { t.bucket(at).completed++ }

// Commit records an entry committed at time at. Call it once per entry (e.g.
// when the first correct replica commits a height), not once per replica.
func (t *Timeline) Commit(at sim.Time) { t.bucket(at).commits++ }

// AddBytes records n bytes at time at (e.g. bytes sent).
func (t *Timeline) AddBytes(at sim.Time, n int) { t.bucket(at).bytes += uint64(n) }

// Mark adds a labelled marker at time at.
func (t *Timeline) Mark(at sim.Time, label string) {
	t.markers = append(t.markers, Marker{At: Seconds(at), Label: label})
}

// MarkSpan adds a labelled span from time from to until (> from).
func (t *Timeline) MarkSpan(from, until sim.Time, label string) {
	if until <= from {
		panic("results: empty marker span")
	}
	t.markers = append(t.markers, Marker{At: Seconds(from), Until: Seconds(until), Label: label})
}

// Markers returns the markers (points and spans) sorted by time, then
// label.
func (t *Timeline) Markers() []Marker {
	out := slices.Clone(t.markers)
	slices.SortStableFunc(out, func(a, b Marker) int {
		return cmp.Or(cmp.Compare(a.At, b.At), cmp.Compare(a.Label, b.Label))
	})
	return out
}

// Rows returns one row per bucket from time 0 to end: ⌈end/interval⌉ rows
// (at least the buckets that recorded something), the last one cut short at
// end when end is not a multiple of the interval. end is normally the
// virtual time the run ended.
func (t *Timeline) Rows(end sim.Time) []TimelineRow {
	rows := make([]TimelineRow, t.rowCount(end))
	for k := range rows {
		start := sim.Time(k) * t.interval
		width := t.interval
		if start+width > end && end > start {
			width = end - start
		}
		var b bucket
		if k < len(t.buckets) {
			b = t.buckets[k]
		}
		rows[k] = TimelineRow{
			Start:         start,
			Completed:     b.completed,
			ThroughputRPS: float64(b.completed) / width.Seconds(),
			Commits:       b.commits,
			Bytes:         b.bytes,
		}
	}
	return rows
}

// rowCount is the number of rows of Rows(end).
func (t *Timeline) rowCount(end sim.Time) int {
	return max(int((end+t.interval-1)/t.interval), len(t.buckets))
}
