package results

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/byzsim/byzsim/sim"
)

// MaxTimelineLanes bounds the replica lanes of a run-timeline plot; the
// replicas beyond are left out and the title says so.
const MaxTimelineLanes = 64

// RunTimeline is what a run-timeline plot draws: one lane per replica with
// its round or view over time, its commits, timeouts, view resets,
// crashes, recoveries, Byzantine behaviour, partition group and transient
// faults, above them a lane for the network's partitions and one per
// fault rule that acted.
type RunTimeline struct {
	// Title of the plot.
	Title string
	// Replicas is the number of replica lanes.
	Replicas int
	// End is the virtual time the run ended, Interval the bucket width of
	// Rows.
	End, Interval sim.Time
	// Rows are the run's replicas.csv rows.
	Rows []ReplicaRow
	// Markers are the run's markers (summary.json).
	Markers []Marker
}

// ReadRunTimeline reads what the timeline of the run in dir draws from its
// summary.json, replicas.csv and timeline.csv. The replicas are those
// replicas.csv and the markers name.
func ReadRunTimeline(dir string) (RunTimeline, error) {
	s, err := ReadSummary(filepath.Join(dir, SummaryFile))
	if err != nil {
		return RunTimeline{}, err
	}
	rows, err := ReadReplicasCSV(filepath.Join(dir, ReplicasFile))
	if err != nil {
		return RunTimeline{}, err
	}
	tl, err := ReadTimelineCSV(filepath.Join(dir, TimelineFile))
	if err != nil {
		return RunTimeline{}, err
	}
	lanes := TimelineLanes{Rows: rows, Interval: DefaultInterval}
	if len(tl) >= 2 {
		lanes.Interval = tl[1].Start - tl[0].Start
	}
	for _, r := range rows {
		lanes.Replicas = max(lanes.Replicas, r.Replica+1)
	}
	return RunTimelineOf(dir, s, lanes), nil
}

// TimelineLanes is what a run's timeline draws of its replicas.csv and
// timeline.csv.
type TimelineLanes struct {
	// Rows are replicas.csv's rows, in its order, at least those of the
	// replicas below MaxTimelineLanes (the others are not drawn).
	Rows []ReplicaRow
	// Replicas is one more than the largest replica with a row, 0 if none.
	Replicas int
	// Interval is the bucket width of timeline.csv, DefaultInterval if it
	// has fewer than two rows.
	Interval sim.Time
}

// LanesOf returns the timeline lanes of a run from what WriteRun writes
// its files from: the lanes ReadRunTimeline reads back from them, without
// the rows of replicas that are not drawn. ok is false for a run without
// a replica log, whose directory has no replicas.csv.
func LanesOf(in RunInput) (lanes TimelineLanes, ok bool) {
	if in.Replicas == nil {
		return TimelineLanes{}, false
	}
	lanes.Interval = DefaultInterval
	if in.Timeline != nil && in.Timeline.rowCount(in.End) >= 2 {
		lanes.Interval = in.Timeline.Interval()
	}
	lanes.Rows, lanes.Replicas = in.Replicas.lanes(MaxTimelineLanes)
	return lanes, true
}

// RunTimelineOf returns the timeline of the run in dir from its summary
// and lanes, as ReadRunTimeline does.
func RunTimelineOf(dir string, s Summary, lanes TimelineLanes) RunTimeline {
	rt := RunTimeline{
		Title:    "Timeline of run " + s.runName(dir),
		End:      s.VirtualSeconds.Time(),
		Interval: lanes.Interval,
		Replicas: lanes.Replicas,
		Rows:     lanes.Rows,
		Markers:  s.Markers,
	}
	for _, m := range s.Markers {
		for _, id := range markerReplicas(m.Label) {
			rt.Replicas = max(rt.Replicas, id+1)
		}
	}
	return rt
}

// TimelineOf returns the timeline of the run in dir that WriteRun writes
// from in, with its lanes (LanesOf): what ReadRunTimeline reads back from
// the files WriteRun writes, without writing or reading them.
func TimelineOf(dir string, in RunInput, lanes TimelineLanes) RunTimeline {
	s := Summary{RunID: in.RunID, VirtualSeconds: Seconds(in.End)}
	if in.Timeline != nil {
		s.Markers = in.Timeline.Markers()
	}
	return RunTimelineOf(dir, s, lanes)
}

// markerReplicas returns the replicas a marker label names ("crash
// replica1", "transient replica0,replica2 ve", "partition [replica0
// replica1] [replica2]").
func markerReplicas(label string) []int {
	var ids []int
	for _, f := range strings.FieldsFunc(label, func(r rune) bool { return r == ' ' || r == ',' || r == '[' || r == ']' }) {
		if n, ok := strings.CutPrefix(f, "replica"); ok {
			if id, err := strconv.Atoi(n); err == nil && id >= 0 && id < maxReplicas {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// Colours of the run timeline.
var (
	tlRound     = color.NRGBA{R: 0, G: 114, B: 178, A: 255}   // blue
	tlCommit    = color.NRGBA{R: 0, G: 158, B: 115, A: 255}   // bluish green
	tlTimeout   = color.NRGBA{R: 213, G: 94, B: 0, A: 255}    // vermilion
	tlTransient = color.NRGBA{R: 204, G: 121, B: 167, A: 255} // reddish purple
	tlDown      = color.NRGBA{R: 80, G: 80, B: 80, A: 110}
	tlByzantine = color.NRGBA{R: 120, G: 40, B: 160, A: 90}
	tlRule      = color.NRGBA{R: 230, G: 159, B: 0, A: 200} // orange
	tlLaneShade = color.NRGBA{R: 0, G: 0, B: 0, A: 10}
	tlGroups    = []color.Color{
		color.NRGBA{R: 86, G: 180, B: 233, A: 255}, // sky blue
		color.NRGBA{R: 240, G: 228, B: 66, A: 255}, // yellow
		color.NRGBA{R: 0, G: 158, B: 115, A: 255},
		color.NRGBA{R: 204, G: 121, B: 167, A: 255},
		color.NRGBA{R: 213, G: 94, B: 0, A: 255},
		color.NRGBA{R: 0, G: 114, B: 178, A: 255},
	}
)

// timelineSpan is a labelled span of a lane.
type timelineSpan struct {
	from, until float64 // s
	label       string
	group       int // partition group, -1 for none
}

// timelineLayout is the run timeline resolved into lanes: from the top,
// one per fault rule that acted, the network (with partitions), then the
// replicas.
type timelineLayout struct {
	rt       RunTimeline
	replicas int // lanes drawn
	rules    []string
	ruleSpan [][]timelineSpan
	network  bool
	parts    []timelineSpan   // partition phases
	groups   [][]timelineSpan // per replica: its group during each phase
	down     [][]timelineSpan // per replica
	byz      [][]timelineSpan // per replica: Byzantine behaviour
	points   []timelinePoint
	rmin     int64
	rmax     int64
	hasRound bool
}

// timelinePoint is a glyph on a lane: crash, recovery, transient fault.
type timelinePoint struct {
	at      float64
	replica int // -1: the network lane
	kind    string
}

func layoutTimeline(rt RunTimeline) *timelineLayout {
	n := min(rt.Replicas, MaxTimelineLanes)
	lay := &timelineLayout{rt: rt, replicas: n, groups: make([][]timelineSpan, n),
		down: make([][]timelineSpan, n), byz: make([][]timelineSpan, n)}
	end := rt.End.Seconds()
	inLanes := func(id int) bool { return id >= 0 && id < n }
	type beh struct {
		at   float64
		name string
	}
	behaviours := make([][]beh, n)
	var phases []Marker
	for _, m := range rt.Markers {
		at := m.At.Time().Seconds()
		switch l := m.Label; {
		case m.IsSpan() && strings.HasPrefix(l, "rule "):
			i := slices.Index(lay.rules, l)
			if i < 0 {
				i = len(lay.rules)
				lay.rules = append(lay.rules, l)
				lay.ruleSpan = append(lay.ruleSpan, nil)
			}
			lay.ruleSpan[i] = append(lay.ruleSpan[i], timelineSpan{from: at, until: m.Until.Time().Seconds(), group: -1})
		case m.IsSpan() && strings.HasSuffix(l, " down"):
			if ids := markerReplicas(l); len(ids) == 1 && inLanes(ids[0]) {
				lay.down[ids[0]] = append(lay.down[ids[0]], timelineSpan{from: at, until: m.Until.Time().Seconds(), label: "down", group: -1})
			}
		case m.IsSpan():
			// "partitioned": drawn from the partition markers.
		case strings.HasPrefix(l, "crash ") || strings.HasPrefix(l, "recover "):
			kind, _, _ := strings.Cut(l, " ")
			for _, id := range markerReplicas(l) {
				if inLanes(id) {
					lay.points = append(lay.points, timelinePoint{at, id, kind})
				}
			}
		case strings.HasPrefix(l, "behaviour "):
			f := strings.Fields(l)
			if ids := markerReplicas(l); len(f) == 3 && len(ids) == 1 && inLanes(ids[0]) {
				behaviours[ids[0]] = append(behaviours[ids[0]], beh{at, f[2]})
			}
		case strings.HasPrefix(l, "partition") || l == "heal":
			phases = append(phases, m)
		case strings.HasPrefix(l, "transient"):
			ids := markerReplicas(l)
			if strings.HasPrefix(l, "transient all") {
				ids = nil
				for id := range n {
					ids = append(ids, id)
				}
			}
			if len(ids) == 0 {
				lay.points = append(lay.points, timelinePoint{at, -1, "transient"})
				lay.network = true
			}
			for _, id := range ids {
				if inLanes(id) {
					lay.points = append(lay.points, timelinePoint{at, id, "transient"})
				}
			}
		}
	}
	for id, bs := range behaviours {
		for i, b := range bs {
			until := end
			if i+1 < len(bs) {
				until = bs[i+1].at
			}
			if b.name != "honest" && until > b.at {
				lay.byz[id] = append(lay.byz[id], timelineSpan{from: b.at, until: until, label: b.name, group: -1})
			}
		}
	}
	for i, ph := range phases {
		if ph.Label == "heal" {
			continue
		}
		from, until := ph.At.Time().Seconds(), end
		if i+1 < len(phases) {
			until = phases[i+1].At.Time().Seconds()
		}
		if until <= from {
			continue
		}
		lay.network = true
		groups := strings.Split(strings.TrimSpace(strings.TrimPrefix(ph.Label, "partition")), "] [")
		var short []string
		for g, grp := range groups {
			ids := markerReplicas(grp)
			var names []string
			for _, id := range ids {
				names = append(names, strconv.Itoa(id))
				if inLanes(id) {
					lay.groups[id] = append(lay.groups[id], timelineSpan{from: from, until: until, group: g})
				}
			}
			short = append(short, "{"+strings.Join(names, ",")+"}")
		}
		lay.parts = append(lay.parts, timelineSpan{from: from, until: until, label: strings.Join(short, " "), group: -1})
	}
	for _, r := range rt.Rows {
		if !r.HasRound || r.Replica >= n {
			continue
		}
		if !lay.hasRound || r.Round < lay.rmin {
			lay.rmin = r.Round
		}
		if !lay.hasRound || r.Round > lay.rmax {
			lay.rmax = r.Round
		}
		lay.hasRound = true
	}
	return lay
}

// present says which kinds of event the timeline shows (commit, timeout,
// reset, crash, recover, down, byzantine, transient, rule), for the legend.
func (lay *timelineLayout) present() map[string]bool {
	has := map[string]bool{}
	var commit, timeout, reset bool
	for i := range lay.rt.Rows {
		if r := &lay.rt.Rows[i]; r.Replica < lay.replicas {
			commit = commit || r.Commits > 0
			timeout = timeout || r.Timeouts > 0
			reset = reset || r.Resets > 0
		}
	}
	has["commit"], has["timeout"], has["reset"] = commit, timeout, reset
	for _, pt := range lay.points {
		has[pt.kind] = true
	}
	for id := range lay.replicas {
		has["down"] = has["down"] || len(lay.down[id]) > 0
		has["byzantine"] = has["byzantine"] || len(lay.byz[id]) > 0
	}
	has["rule"] = len(lay.rules) > 0
	return has
}

// lanes returns the number of lanes.
func (lay *timelineLayout) lanes() int {
	n := lay.replicas + len(lay.rules)
	if lay.network {
		n++
	}
	return n
}

// replicaY is the bottom of replica id's lane; lanes run from the top.
func (lay *timelineLayout) replicaY(id int) float64 { return float64(lay.replicas - 1 - id) }

// networkY is the bottom of the network lane.
func (lay *timelineLayout) networkY() float64 { return float64(lay.replicas) }

// ruleY is the bottom of rule i's lane.
func (lay *timelineLayout) ruleY(i int) float64 {
	y := float64(lay.replicas + len(lay.rules) - 1 - i)
	if lay.network {
		y++
	}
	return y
}

// ticks labels the lanes at their middles.
func (lay *timelineLayout) ticks() plot.ConstantTicks {
	var t []plot.Tick
	for id := range lay.replicas {
		t = append(t, plot.Tick{Value: lay.replicaY(id) + 0.5, Label: " " + ReplicaLabel(id)})
	}
	if lay.network {
		t = append(t, plot.Tick{Value: lay.networkY() + 0.5, Label: " network"})
	}
	for i, r := range lay.rules {
		// " rule 0 loss proposal": the leading space keeps the first
		// letter off the image's edge.
		t = append(t, plot.Tick{Value: lay.ruleY(i) + 0.5, Label: " " + r})
	}
	slices.SortFunc(t, func(a, b plot.Tick) int { return cmp.Compare(a.Value, b.Value) })
	return t
}

// ReplicaLabel names replica id as the markers do: "replica0".
func ReplicaLabel(id int) string { return "replica" + strconv.Itoa(id) }

// roundY maps a round to a height within a lane.
func (lay *timelineLayout) roundY(round int64) float64 {
	if lay.rmax == lay.rmin {
		return 0.5
	}
	return 0.2 + 0.6*float64(round-lay.rmin)/float64(lay.rmax-lay.rmin)
}

// Plot implements plot.Plotter: it draws every lane.
func (lay *timelineLayout) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	band := func(col color.Color, x0, x1, y0, y1 float64) {
		a, b := trX(x0), trX(x1)
		b = max(b, a+minSpanWidth)
		a, b = max(a, c.Min.X), min(b, c.Max.X)
		if a >= b {
			return
		}
		lo, hi := trY(y0), trY(y1)
		c.FillPolygon(col, []vg.Point{{X: a, Y: lo}, {X: b, Y: lo}, {X: b, Y: hi}, {X: a, Y: hi}})
	}
	text := draw.TextStyle{Color: color.Black, Font: plot.DefaultFont, Handler: plot.DefaultTextHandler}
	text.Font.Size = vg.Points(7)
	label := func(x, y float64, s string) {
		if s == "" {
			return
		}
		c.FillText(text, vg.Point{X: max(trX(x), c.Min.X) + vg.Points(2), Y: trY(y)}, s)
	}
	end := lay.rt.End.Seconds()
	for id := range lay.replicas {
		y := lay.replicaY(id)
		if id%2 == 0 {
			band(tlLaneShade, 0, end, y, y+1)
		}
		for _, s := range lay.groups[id] {
			band(tlGroups[s.group%len(tlGroups)], s.from, s.until, y+0.88, y+0.98)
		}
		for _, s := range lay.byz[id] {
			band(tlByzantine, s.from, s.until, y+0.02, y+0.98)
			label(s.from, y+0.5, s.label)
		}
		for _, s := range lay.down[id] {
			band(tlDown, s.from, s.until, y+0.02, y+0.98)
			label(s.from+lay.rt.End.Seconds()/100, y+0.3, s.label)
		}
	}
	for i, spans := range lay.ruleSpan {
		for _, s := range spans {
			band(tlRule, s.from, s.until, lay.ruleY(i)+0.2, lay.ruleY(i)+0.8)
		}
	}
	for _, s := range lay.parts {
		y := lay.networkY()
		band(color.NRGBA{R: 0, G: 0, B: 0, A: 40}, s.from, s.until, y+0.2, y+0.8)
		label(s.from, y+0.5, s.label)
	}
	// Rounds: a step line per lane, each value holding from the middle of
	// its bucket to the next one's and the last to the end of the run.
	// Points closer than half a point are merged (see stepPath), and
	// ticks and glyphs closer than minGap are drawn once, so that the
	// drawing stays small however many buckets the run has.
	line := draw.LineStyle{Color: tlRound, Width: vg.Points(1.2)}
	paths := make([]stepPath, lay.replicas)
	// The lanes' vertices start in one array, about two per row of the
	// lane (a lane that needs more grows on its own).
	perLane := make([]int, lay.replicas)
	for i := range lay.rt.Rows {
		if r := lay.rt.Rows[i].Replica; r < lay.replicas {
			perLane[r]++
		}
	}
	total := 0
	for _, n := range perLane {
		total += 2*n + 4
	}
	slab := make([]vg.Point, total)
	for id, n := range perLane {
		paths[id].pts, slab = slab[:0:2*n+4], slab[2*n+4:]
	}
	lastRound := make([]*ReplicaRow, lay.replicas)
	lastY := make([]vg.Length, lay.replicas) // lastRound's y, transformed
	lastTick := make([]vg.Length, lay.replicas)
	lastTimeout := make([]vg.Length, lay.replicas)
	lastReset := make([]vg.Length, lay.replicas)
	tickY := make([][2]vg.Length, lay.replicas) // a commit tick's ends, per lane
	for i := range lastTick {
		lastTick[i], lastTimeout[i], lastReset[i] = c.Min.X-100, c.Min.X-100, c.Min.X-100
		y := lay.replicaY(i)
		tickY[i] = [2]vg.Length{trY(y + 0.03), trY(y + 0.15)}
	}
	tickPath := make(vg.Path, 0, 2) // reused: the canvas keeps no path
	var xAt struct {
		start sim.Time
		x     vg.Length
		ok    bool
	}
	half := lay.rt.Interval.Seconds() / 2
	tick := draw.LineStyle{Color: tlCommit, Width: vg.Points(0.8)}
	timeout := draw.GlyphStyle{Color: tlTimeout, Radius: vg.Points(2.2), Shape: draw.CrossGlyph{}}
	reset := draw.GlyphStyle{Color: color.Black, Radius: vg.Points(2), Shape: draw.RingGlyph{}}
	clampX := func(x vg.Length) vg.Length { return min(max(x, c.Min.X), c.Max.X) }
	for i := range lay.rt.Rows {
		r := &lay.rt.Rows[i]
		if r.Replica >= lay.replicas {
			continue
		}
		y := lay.replicaY(r.Replica)
		if !xAt.ok || r.Start != xAt.start {
			// The rows of a bucket (one per replica) share their x.
			xAt.start, xAt.x, xAt.ok = r.Start, trX(r.Start.Seconds()+half), true
		}
		x := xAt.x
		if r.HasRound {
			// The step from the lane's last round, whose y was
			// transformed for its own row (the same y when the round
			// did not change), to this row's.
			prev, from := lastRound[r.Replica], lastY[r.Replica]
			if prev == nil || prev.Round != r.Round {
				lastY[r.Replica] = trY(y + lay.roundY(r.Round))
			}
			if prev != nil {
				paths[r.Replica].step(clampX(x), from, lastY[r.Replica])
			} else {
				paths[r.Replica].add(clampX(x), lastY[r.Replica])
			}
			lastRound[r.Replica] = r
		}
		if x < c.Min.X || x > c.Max.X {
			continue
		}
		if r.Commits > 0 && x-lastTick[r.Replica] >= minGap {
			// What StrokeLine2 draws, without allocating a path per tick.
			c.SetLineStyle(tick)
			tickPath = tickPath[:0]
			tickPath.Move(vg.Point{X: x, Y: tickY[r.Replica][0]})
			tickPath.Line(vg.Point{X: x, Y: tickY[r.Replica][1]})
			c.Stroke(tickPath)
			lastTick[r.Replica] = x
		}
		if r.Timeouts > 0 && x-lastTimeout[r.Replica] >= 2*minGap {
			c.DrawGlyph(timeout, vg.Point{X: x, Y: trY(y + 0.9)})
			lastTimeout[r.Replica] = x
		}
		if r.Resets > 0 && x-lastReset[r.Replica] >= 2*minGap {
			c.DrawGlyph(reset, vg.Point{X: x, Y: trY(y + 0.5)})
			lastReset[r.Replica] = x
		}
	}
	var stepLine vg.Path
	for id, prev := range lastRound {
		if prev == nil {
			continue
		}
		y := lay.replicaY(id) + lay.roundY(prev.Round)
		paths[id].add(clampX(trX(end)), trY(y))
		if pts := paths[id].points(); len(pts) >= 2 {
			// What StrokeLines draws, through one reused path.
			c.SetLineStyle(line)
			stepLine = stepLine[:0]
			stepLine.Move(pts[0])
			for _, pt := range pts[1:] {
				stepLine.Line(pt)
			}
			c.Stroke(stepLine)
		}
		label(end, y, strconv.FormatInt(prev.Round, 10))
	}
	for _, pt := range lay.points {
		x := trX(pt.at)
		if x < c.Min.X || x > c.Max.X {
			continue
		}
		y := lay.networkY() + 0.5
		if pt.replica >= 0 {
			y = lay.replicaY(pt.replica) + 0.5
			if pt.kind == "transient" {
				y += 0.2 // above a view reset at the same time
			}
		}
		c.DrawGlyph(timelineGlyph(pt.kind), vg.Point{X: x, Y: trY(y)})
	}
}

// minGap is the least distance between two commit ticks of a lane (twice
// that between timeout and reset glyphs); closer ones are drawn once.
var minGap = vg.Points(1)

// stepPath collects the vertices of a step line, merging the vertices
// that fall within half a point of x of each other into one vertical
// stroke (entry, lowest, highest, exit), so that a line of any number of
// steps has at most four vertices per half point of width.
type stepPath struct {
	pts                 []vg.Point
	open                bool
	cell                float64
	x                   vg.Length
	first, lo, hi, last vg.Length
}

// add appends the vertex (x, y); x must not decrease.
func (s *stepPath) add(x, y vg.Length) {
	cell := math.Floor(float64(x / vg.Points(0.5)))
	if s.open && cell == s.cell {
		s.lo, s.hi, s.last = min(s.lo, y), max(s.hi, y), y
		return
	}
	s.flush()
	s.open, s.cell, s.x = true, cell, x
	s.first, s.lo, s.hi, s.last = y, y, y, y
}

// step appends the vertices (x, from) and (x, to), as add does for each,
// x's cell computed once.
func (s *stepPath) step(x, from, to vg.Length) {
	s.add(x, from)
	s.lo, s.hi, s.last = min(s.lo, to), max(s.hi, to), to
}

func (s *stepPath) flush() {
	if !s.open {
		return
	}
	for _, y := range []vg.Length{s.first, s.lo, s.hi, s.last} {
		p := vg.Point{X: s.x, Y: y}
		if n := len(s.pts); n == 0 || s.pts[n-1] != p {
			s.pts = append(s.pts, p)
		}
	}
	s.open = false
}

// points returns the vertices.
func (s *stepPath) points() []vg.Point {
	s.flush()
	return s.pts
}

// timelineGlyph is the glyph of a point event.
func timelineGlyph(kind string) draw.GlyphStyle {
	switch kind {
	case "crash":
		return draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3.5), Shape: draw.PyramidGlyph{}}
	case "recover":
		return draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3.5), Shape: draw.TriangleGlyph{}}
	}
	return draw.GlyphStyle{Color: tlTransient, Radius: vg.Points(4), Shape: draw.BoxGlyph{}}
}

// boxThumb is a legend entry drawn as a filled box.
type boxThumb struct{ c color.Color }

// Thumbnail implements plot.Thumbnailer.
func (b boxThumb) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(b.c, []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}})
}

// glyphThumb is a legend entry drawn as a glyph or a short vertical tick.
type glyphThumb struct {
	g    draw.GlyphStyle
	tick *draw.LineStyle
}

// Thumbnail implements plot.Thumbnailer.
func (g glyphThumb) Thumbnail(c *draw.Canvas) {
	mid := vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}
	if g.tick != nil {
		c.StrokeLine2(*g.tick, mid.X, c.Min.Y, mid.X, c.Max.Y)
		return
	}
	c.DrawGlyph(g.g, mid)
}

// PlotRunTimeline draws rt and saves it to stem in the formats of
// SavePlot; the image grows with the number of lanes.
func PlotRunTimeline(stem string, rt RunTimeline, formats ...string) error {
	w, h, paint := RunTimelineDrawing(rt)
	return saveDrawing(stem, w, h, formats, paint)
}

// RunTimelineSVG returns rt drawn as an SVG document, as PlotRunTimeline
// writes it.
func RunTimelineSVG(rt RunTimeline) ([]byte, error) {
	w, h, paint := RunTimelineDrawing(rt)
	c, err := draw.NewFormattedCanvas(w, h, SVG)
	if err != nil {
		return nil, err
	}
	paint(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// RunTimelineDrawing returns the size of rt's image and what draws it, for
// drawing it on a canvas of the caller's (RunTimelineSVG draws it on
// gonum's SVG canvas).
func RunTimelineDrawing(rt RunTimeline) (vg.Length, vg.Length, func(draw.Canvas)) {
	lay := layoutTimeline(rt)
	f := newFigure(PlotStyle{Legend: LegendRight})
	p := f.p
	p.Title.Text = rt.Title
	if rt.Replicas > lay.replicas {
		p.Title.Text += fmt.Sprintf(" (first %d of %d replicas)", lay.replicas, rt.Replicas)
	}
	p.X.Label.Text = "time (s)"
	p.Add(lay)
	p.X.Min, p.X.Max = 0, math.Max(rt.End.Seconds(), 1e-9)
	p.X.Tick.Marker = NiceTicks{}
	p.Y.Min, p.Y.Max = 0, float64(max(lay.lanes(), 1))
	p.Y.Tick.Marker = lay.ticks()
	p.Y.Tick.Length = 0
	p.Y.Tick.Label.Font.Size = vg.Points(8)
	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	p.Add(grid)

	rounds := fmt.Sprintf("round/view (%d–%d)", lay.rmin, lay.rmax)
	if !lay.hasRound {
		rounds = "round/view (none)"
	}
	roundLine := &plotter.Line{LineStyle: draw.LineStyle{Color: tlRound, Width: vg.Points(1.2)}}
	f.addLegend(rounds, roundLine)
	commit := draw.LineStyle{Color: tlCommit, Width: vg.Points(1)}
	has := lay.present()
	add := func(what, label string, t plot.Thumbnailer) {
		if has[what] {
			f.addLegend(label, t)
		}
	}
	add("commit", "commit", glyphThumb{tick: &commit})
	add("timeout", "timeout", glyphThumb{g: draw.GlyphStyle{Color: tlTimeout, Radius: vg.Points(2.2), Shape: draw.CrossGlyph{}}})
	add("reset", "view reset", glyphThumb{g: draw.GlyphStyle{Color: color.Black, Radius: vg.Points(2), Shape: draw.RingGlyph{}}})
	add("crash", "crash", glyphThumb{g: timelineGlyph("crash")})
	add("recover", "recovery", glyphThumb{g: timelineGlyph("recover")})
	add("down", "down", boxThumb{tlDown})
	add("byzantine", "Byzantine", boxThumb{tlByzantine})
	add("transient", "transient fault", glyphThumb{g: timelineGlyph("transient")})
	add("rule", "fault rule acted", boxThumb{tlRule})
	if len(lay.parts) > 0 {
		groups := 0
		for _, gs := range lay.groups {
			for _, s := range gs {
				groups = max(groups, s.group+1)
			}
		}
		for g := range min(groups, len(tlGroups)) {
			f.addLegend(fmt.Sprintf("partition group %d", g+1), boxThumb{tlGroups[g]})
		}
	}
	lw, _ := newLegendLayout(f.style.fontSize()).size(f.entries, 1)
	f.style.Width = defaultPlotWidth + lw
	f.style.Height = max(defaultPlotHeight, vg.Points(22)*vg.Length(lay.lanes())+vg.Inch)
	return f.style.Width, f.style.Height, f.draw
}

// renderRunTimeline draws the timeline of one run of the points that
// s.Where selects: the first, in plan order, that failed its checks, or
// else the first.
func (d *specData) renderRunTimeline(s PlotSpec, lines []specLine, stem string, formats []string) error {
	var pick *RunRow
	for _, l := range lines {
		for _, r := range d.rowsOf(l, false) {
			if pick == nil || r.Verdict != VerdictPass && pick.Verdict == VerdictPass {
				pick = r
			}
		}
	}
	if pick == nil {
		return fmt.Errorf("no run matches where")
	}
	dir, err := SafeJoin(filepath.Join(d.dir, "runs"), pick.ID)
	if err != nil {
		return err
	}
	rt, err := ReadRunTimeline(dir)
	if err != nil {
		return err
	}
	if pick.Verdict != VerdictPass {
		rt.Title += " (failed its checks)"
	}
	rt.Title = cmp.Or(s.Title, rt.Title)
	return PlotRunTimeline(stem, rt, formats...)
}
