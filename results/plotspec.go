package results

import (
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot/vg"
)

// Kinds of a PlotSpec.
const (
	// KindMetric: a metric of points.csv (Y) against a swept key (X), the
	// mean over repetitions with 95% CI error bars.
	KindMetric = "metric"
	// KindLatencyThroughput: p50 and p99 latency against the throughput
	// reached, one point per sweep point, connected in the order of X (the
	// offered load) when given, else in plan order.
	KindLatencyThroughput = "latency_throughput"
	// KindThroughput: throughput over time (timeline.csv), averaged bucket
	// by bucket over the runs of a line.
	KindThroughput = "throughput"
	// KindLatencyCDF: the CDF of the per-request latencies (latency.csv) of
	// all runs of a line.
	KindLatencyCDF = "latency_cdf"
	// KindCDF: the CDF over runs of a metric of runs.csv (Y).
	KindCDF = "cdf"
	// KindShares: message and byte shares by message kind (messages.csv,
	// summed over the runs of a bar), one bar per line.
	KindShares = "shares"
	// KindRequestLatency: the latency of each request against its index in
	// send order (latency.csv), averaged over the runs of a line.
	KindRequestLatency = "request_latency"
	// KindRunTimeline: the timeline of one run (replicas.csv and the
	// markers of summary.json), see PlotRunTimeline.
	KindRunTimeline = "run_timeline"
)

// PlotKinds returns the kinds of a PlotSpec.
func PlotKinds() []string {
	return []string{KindMetric, KindLatencyThroughput, KindThroughput, KindLatencyCDF, KindCDF, KindShares, KindRequestLatency, KindRunTimeline}
}

// PlotSpec is one plot an experiment asks for (a [[plot]] table), drawn
// from the CSV files of its output directory.
//
// The lines of a plot: the sweep points whose values match Where are
// grouped into one line (one bar for KindShares) per value of Series and
// of every other swept key that is neither X nor fixed by Where and takes
// more than one value among them. Zipped keys form one axis: naming any
// key of a zip group names the group, and its keys move together.
type PlotSpec struct {
	Kind string `json:"kind"`
	// X is a swept key: the x axis of KindMetric, the load order of
	// KindLatencyThroughput.
	X string `json:"x,omitempty"`
	// Y is a metric of runs.csv (see PointMetrics), for KindMetric and
	// KindCDF.
	Y string `json:"y,omitempty"`
	// Series is a swept key giving one line per value.
	Series string `json:"series,omitempty"`
	// Where selects sweep points by the values of swept keys.
	Where []Param `json:"where,omitempty"`
	// Title, XLabel and YLabel replace the defaults when not empty.
	Title  string `json:"title,omitempty"`
	XLabel string `json:"x_label,omitempty"`
	YLabel string `json:"y_label,omitempty"`
	// LogX and LogY put an axis on a log scale.
	LogX bool `json:"log_x,omitempty"`
	LogY bool `json:"log_y,omitempty"`
	// Formats of the files; empty: those RenderPlotSpecs is given.
	Formats []string `json:"formats,omitempty"`
	// Labels rename what the legend and the axes show (see Label): a
	// swept value ("myproto": "MyProto"), a value of one key
	// ("self_stabilizing=true": "self-stabilizing"), or a swept key
	// ("protocol.n": "replicas").
	Labels map[string]string `json:"labels,omitempty"`
	// Legend is the legend position (see LegendPositions); empty: auto.
	Legend string `json:"legend,omitempty"`
	// Width, Height and FontSize are lengths with a unit ("12cm", "4in",
	// "9pt"; see ParseLength); empty: the defaults of PlotStyle.
	Width    string `json:"width,omitempty"`
	Height   string `json:"height,omitempty"`
	FontSize string `json:"font_size,omitempty"`
	// File is the file name stem in the plots directory.
	File string `json:"file"`
}

// Style returns the figure style of s, or an error naming the key whose
// value is wrong.
func (s PlotSpec) Style() (PlotStyle, error) {
	st := PlotStyle{Legend: s.Legend}
	for _, f := range []struct {
		key, val string
		dst      *vg.Length
		lo, hi   vg.Length
		allowed  string
	}{
		{"width", s.Width, &st.Width, minPlotSide, maxPlotSide, "1in to 40in"},
		{"height", s.Height, &st.Height, minPlotSide, maxPlotSide, "1in to 40in"},
		{"font_size", s.FontSize, &st.FontSize, minFontSize, maxFontSize, "4pt to 36pt"},
	} {
		if f.val == "" {
			continue
		}
		l, err := ParseLength(f.val)
		if err != nil {
			return st, fmt.Errorf("%s: %w", f.key, err)
		}
		if l < f.lo || l > f.hi {
			return st, fmt.Errorf("%s: %q is out of range (allowed: %s)", f.key, f.val, f.allowed)
		}
		*f.dst = l
	}
	if err := st.Validate(); err != nil {
		return st, fmt.Errorf("legend: %w", err)
	}
	return st, nil
}

// Label returns how the legend shows value v of swept key key: the label
// of "key=v", of "<last part of key>=v" or of v if one is given (the key is
// then left out), else "<key label>=v", where a key's label is its own
// label, else that of its last part, else its last part.
func (s PlotSpec) Label(key, v string) string {
	for _, k := range []string{key + "=" + v, shortKey(key) + "=" + v, v} {
		if l, ok := s.Labels[k]; ok {
			return l
		}
	}
	return s.KeyLabel(key) + "=" + v
}

// KeyLabel returns the label of a swept key: its own label, else that of
// its last part, else its last part ("protocol.n" → "n").
func (s PlotSpec) KeyLabel(key string) string {
	for _, k := range []string{key, shortKey(key)} {
		if l, ok := s.Labels[k]; ok {
			return l
		}
	}
	return shortKey(key)
}

// DefaultStem returns the file name stem of a spec without File:
// "<kind>[-<y>][-vs-<x>][-by-<series>]", made safe for file names.
func (s PlotSpec) DefaultStem() string {
	stem := s.Kind
	if s.Y != "" {
		stem += "-" + s.Y
	}
	if s.X != "" {
		stem += "-vs-" + s.X
	}
	if s.Series != "" {
		stem += "-by-" + s.Series
	}
	return fileSafe(stem)
}

// RenderPlotSpecs draws each spec into dir/plots from dir/runs.csv,
// dir/points.csv and the files of dir/runs/<id>. groups lists the swept
// keys that move together (a [[sweep.zip]] group, or one key alone); a
// swept key of runs.csv in no group is an axis of its own. formats apply
// to the specs that give none (DefaultFormats if empty). The plots follow
// from the files alone, so they are byte-identical when re-rendered.
func RenderPlotSpecs(dir string, specs []PlotSpec, groups [][]string, formats []string) error {
	if len(specs) == 0 {
		return nil
	}
	t, pts, out, err := readSweep(dir)
	if err != nil {
		return err
	}
	d := &specData{dir: dir, t: t, pts: pts, dims: specDims(t.Params, groups)}
	for i, s := range specs {
		fs := s.Formats
		if len(fs) == 0 {
			fs = formats
		}
		stem, err := SafeJoin(out, cmp.Or(s.File, s.DefaultStem()))
		if err != nil {
			return fmt.Errorf("plot %d (%s): %w", i, s.Kind, err)
		}
		style, err := s.Style()
		if err != nil {
			return fmt.Errorf("plot %d (%s): %w", i, s.Kind, err)
		}
		if err := d.render(s, style, stem, fs); err != nil {
			return fmt.Errorf("plot %d (%s, %s): %w", i, s.Kind, filepath.Base(stem), err)
		}
	}
	return nil
}

// specDim is one axis of a sweep: keys that move together and their
// columns in runs.csv.
type specDim struct {
	keys []string
	cols []int
}

// specDims returns the axes of the parameters params.
func specDims(params []string, groups [][]string) []specDim {
	var dims []specDim
	used := make([]bool, len(params))
	for _, g := range groups {
		var d specDim
		for _, k := range g {
			if c := slices.Index(params, k); c >= 0 && !used[c] {
				used[c] = true
				d.keys = append(d.keys, k)
				d.cols = append(d.cols, c)
			}
		}
		if len(d.keys) > 0 {
			dims = append(dims, d)
		}
	}
	for c, p := range params {
		if !used[c] {
			dims = append(dims, specDim{keys: []string{p}, cols: []int{c}})
		}
	}
	return dims
}

// specData is the data of an output directory that specs are drawn from.
type specData struct {
	dir  string
	t    RunsTable
	pts  []Point
	dims []specDim
}

// dimOf returns the index of the axis holding key, or -1.
func (d *specData) dimOf(key string) int {
	for i, dm := range d.dims {
		if slices.Contains(dm.keys, key) {
			return i
		}
	}
	return -1
}

// specLine is one line (or bar) of a plot: its legend name, the indices
// of its points in d.pts, in plan order, and how many of the points' runs
// there are and failed their checks.
type specLine struct {
	name         string
	pts          []int
	runs, failed int
}

// legend returns the line's name for a plot that leaves failed runs out:
// the name, followed by how many of its runs failed their checks, if any.
func (l specLine) legend() string { return l.name + failedNote(l.failed, l.runs) }

// failedNote is the legend note of a line of which failed of runs runs
// failed their checks and were left out: "" when none failed.
func failedNote(failed, runs int) string {
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d of %d runs failed checks, excluded)", failed, runs)
}

// lines selects the points matching s.Where and groups them into lines,
// in the order of each line's first point.
func (d *specData) lines(s PlotSpec) ([]specLine, error) {
	xd := -1
	if s.X != "" {
		if xd = d.dimOf(s.X); xd < 0 {
			return nil, fmt.Errorf("x %q is not a swept key of %s (swept: %s)", s.X, RunsFile, strings.Join(d.t.Params, ", "))
		}
	}
	fixed := map[int]bool{}
	var match []int
	for i := range d.pts {
		ok := true
		for _, w := range s.Where {
			c := slices.Index(d.t.Params, w.Name)
			if c < 0 {
				return nil, fmt.Errorf("where: %q is not a swept key of %s (swept: %s)", w.Name, RunsFile, strings.Join(d.t.Params, ", "))
			}
			fixed[d.dimOf(w.Name)] = true
			ok = ok && d.pts[i].Params[c] == w.Value
		}
		if ok {
			match = append(match, i)
		}
	}
	sd := -1
	if s.Series != "" {
		if sd = d.dimOf(s.Series); sd < 0 {
			return nil, fmt.Errorf("series %q is not a swept key of %s (swept: %s)", s.Series, RunsFile, strings.Join(d.t.Params, ", "))
		}
	}
	// The line axes: the series first, then every other free axis that
	// varies among the matching points.
	var lineDims []int
	if sd >= 0 {
		lineDims = append(lineDims, sd)
	}
	for i, dm := range d.dims {
		if i == xd || i == sd || fixed[i] {
			continue
		}
		vals := map[string]bool{}
		for _, p := range match {
			vals[d.pts[p].Params[dm.cols[0]]] = true
		}
		if len(vals) > 1 {
			lineDims = append(lineDims, i)
		}
	}
	var out []specLine
	index := map[string]int{}
	for _, p := range match {
		var parts []string
		for _, ld := range lineDims {
			dm := d.dims[ld]
			for j, k := range dm.keys {
				parts = append(parts, s.Label(k, d.pts[p].Params[dm.cols[j]]))
			}
		}
		name := strings.Join(parts, ", ")
		li, ok := index[name]
		if !ok {
			li = len(out)
			index[name] = li
			out = append(out, specLine{name: cmp.Or(name, "all runs")})
		}
		out[li].pts = append(out[li].pts, p)
		out[li].runs += d.pts[p].Runs
		out[li].failed += d.pts[p].Excluded
	}
	return out, nil
}

// shortKey is the last part of a dotted key: "protocol.n" → "n",
// "workload[0].rate" → "rate".
func shortKey(k string) string {
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[i+1:]
	}
	return k
}

// runsOf returns the rows of runs.csv of the points of line l that passed
// their checks, point by point, each point's rows in file order.
func (d *specData) runsOf(l specLine) []*RunRow { return d.rowsOf(l, true) }

// rowsOf returns the rows of runs.csv of the points of line l (only those
// that passed their checks if passed is set), point by point, each point's
// rows in file order.
func (d *specData) rowsOf(l specLine, passed bool) []*RunRow {
	var out []*RunRow
	for _, p := range l.pts {
		for i := range d.t.Rows {
			if passed && d.t.Rows[i].Verdict != VerdictPass {
				continue
			}
			if slices.Equal(d.t.Rows[i].Params, d.pts[p].Params) {
				out = append(out, &d.t.Rows[i])
			}
		}
	}
	return out
}

// runFile returns the path of a file of run r.
func (d *specData) runFile(r *RunRow, name string) string {
	return filepath.Join(d.dir, "runs", r.ID, name)
}

func (d *specData) render(s PlotSpec, style PlotStyle, stem string, formats []string) error {
	lines, err := d.lines(s)
	if err != nil {
		return err
	}
	switch s.Kind {
	case KindMetric:
		return d.renderMetric(s, style, lines, stem, formats)
	case KindLatencyThroughput:
		return d.renderLatencyThroughput(s, style, lines, stem, formats)
	case KindThroughput:
		return d.renderThroughput(s, style, lines, stem, formats)
	case KindLatencyCDF:
		return d.renderLatencyCDF(s, style, lines, stem, formats)
	case KindCDF:
		return d.renderCDF(s, style, lines, stem, formats)
	case KindShares:
		return d.renderShares(s, style, lines, stem, formats)
	case KindRequestLatency:
		return d.renderRequestLatency(s, style, lines, stem, formats)
	case KindRunTimeline:
		return d.renderRunTimeline(s, lines, stem, formats)
	}
	return fmt.Errorf("unknown kind %q (allowed: %s)", s.Kind, strings.Join(PlotKinds(), ", "))
}

// xAxis returns the x axis of s: its column in runs.csv, its distinct
// values among the points and their numbers (nil when not all numeric).
func (d *specData) xAxis(s PlotSpec) (col int, values []string, nums map[string]float64, unit string) {
	col = slices.Index(d.t.Params, s.X)
	for _, p := range d.pts {
		if !slices.Contains(values, p.Params[col]) {
			values = append(values, p.Params[col])
		}
	}
	nums, unit = numericValues(values)
	return col, values, nums, unit
}

// metricLabel returns the default axis label of a metric of runs.csv.
func metricLabel(name string) string {
	for _, u := range []struct{ suffix, unit string }{{"_ms", "ms"}, {"_rps", "requests/s"}, {"_s", "s"}} {
		if base, ok := strings.CutSuffix(name, u.suffix); ok {
			return strings.ReplaceAll(base, "_", " ") + " (" + u.unit + ")"
		}
	}
	return strings.ReplaceAll(name, "_", " ")
}

// xLabel returns the label of the x key (its label in s, else the key),
// naming the keys zipped with it.
func (d *specData) xLabel(s PlotSpec, key, unit string) string {
	l := key
	if v, ok := s.Labels[key]; ok {
		l = v
	}
	if dm := d.dims[d.dimOf(key)]; len(dm.keys) > 1 {
		var others []string
		for _, k := range dm.keys {
			if k != key {
				others = append(others, k)
			}
		}
		l += " (with " + strings.Join(others, ", ") + ")"
	}
	if unit != "" {
		l += " (" + unit + ")"
	}
	return l
}

func (d *specData) renderMetric(s PlotSpec, style PlotStyle, lines []specLine, stem string, formats []string) error {
	if _, ok := (&Point{}).Metric(s.Y); !ok {
		return fmt.Errorf("y %q is not a metric (allowed: %s)", s.Y, strings.Join(PointMetrics(), ", "))
	}
	col, values, nums, unit := d.xAxis(s)
	mp := MetricPlot{
		Title:  s.Title,
		XLabel: cmp.Or(s.XLabel, d.xLabel(s, s.X, unit)),
		YLabel: cmp.Or(s.YLabel, metricLabel(s.Y)),
		LogX:   s.LogX,
		LogY:   s.LogY,
		Style:  style,
	}
	if nums == nil {
		for _, v := range values {
			l, ok := s.Labels[s.X+"="+v]
			if !ok {
				l = cmp.Or(s.Labels[shortKey(s.X)+"="+v], s.Labels[v], v)
			}
			mp.XLabels = append(mp.XLabels, l)
		}
	}
	for _, l := range lines {
		ms := MetricSeries{Name: l.legend()}
		for _, p := range l.pts {
			a, _ := d.pts[p].Metric(s.Y)
			v := d.pts[p].Params[col]
			x := nums[v]
			if nums == nil {
				x = float64(slices.Index(values, v))
			}
			ms.Points = append(ms.Points, MetricPoint{X: x, Y: float64(a.Mean), CI: float64(a.CI95)})
		}
		slices.SortStableFunc(ms.Points, func(a, b MetricPoint) int { return cmp.Compare(a.X, b.X) })
		mp.Series = append(mp.Series, ms)
	}
	return mp.Save(stem, formats...)
}

func (d *specData) renderLatencyThroughput(s PlotSpec, style PlotStyle, lines []specLine, stem string, formats []string) error {
	var series []LoadSeries
	for _, l := range lines {
		order := slices.Clone(l.pts)
		if s.X != "" {
			col, _, nums, _ := d.xAxis(s)
			if nums != nil {
				slices.SortStableFunc(order, func(a, b int) int {
					return cmp.Compare(nums[d.pts[a].Params[col]], nums[d.pts[b].Params[col]])
				})
			}
		}
		ls := LoadSeries{Name: l.legend()}
		for _, p := range order {
			pt := &d.pts[p]
			ls.Points = append(ls.Points, LoadPoint{
				ThroughputRPS: float64(pt.ThroughputRPS.Mean),
				P50MS:         float64(pt.LatencyP50MS.Mean),
				P99MS:         float64(pt.LatencyP99MS.Mean),
			})
		}
		series = append(series, ls)
	}
	opt := axisOptions{xLabel: s.XLabel, yLabel: s.YLabel, logX: s.LogX, logY: s.LogY, style: style}
	return plotLatencyThroughput(stem, s.Title, opt, series, formats)
}

func (d *specData) renderThroughput(s PlotSpec, style PlotStyle, lines []specLine, stem string, formats []string) error {
	var series []ThroughputSeries
	for _, l := range lines {
		var sum []TimelineRow
		runs := d.runsOf(l)
		for _, r := range runs {
			rows, err := ReadTimelineCSV(d.runFile(r, TimelineFile))
			if err != nil {
				return err
			}
			for i, row := range rows {
				if i == len(sum) {
					sum = append(sum, TimelineRow{Start: row.Start})
				}
				if sum[i].Start != row.Start {
					return fmt.Errorf("run %s: %s: bucket %d starts at %v, other runs at %v (one timeline interval for all runs)",
						r.ID, TimelineFile, i, row.Start, sum[i].Start)
				}
				sum[i].ThroughputRPS += row.ThroughputRPS
			}
		}
		for i := range sum {
			sum[i].ThroughputRPS /= float64(len(runs))
		}
		series = append(series, ThroughputSeries{Name: l.legend(), Rows: sum})
	}
	return plotThroughput(stem, s.Title, series, nil, style, formats)
}

// latencies returns the latency records of each run of line l, in run
// order.
func (d *specData) latencies(l specLine) ([][]LatencyRecord, error) {
	var out [][]LatencyRecord
	for _, r := range d.runsOf(l) {
		recs, err := ReadLatencyCSV(d.runFile(r, LatencyFile))
		if err != nil {
			return nil, err
		}
		out = append(out, recs)
	}
	return out, nil
}

func (d *specData) renderLatencyCDF(s PlotSpec, style PlotStyle, lines []specLine, stem string, formats []string) error {
	var series []CDFSeries
	for _, l := range lines {
		runs, err := d.latencies(l)
		if err != nil {
			return err
		}
		cs := CDFSeries{Name: l.legend()}
		for _, recs := range runs {
			for _, rec := range recs {
				cs.Latencies = append(cs.Latencies, rec.Latency)
			}
		}
		series = append(series, cs)
	}
	return plotLatencyCDF(stem, s.Title, s.XLabel, s.LogX, series, style, formats)
}

func (d *specData) renderCDF(s PlotSpec, style PlotStyle, lines []specLine, stem string, formats []string) error {
	i := slices.IndexFunc(pointMetrics(), func(m pointMetric) bool { return m.name == s.Y })
	if i < 0 {
		return fmt.Errorf("y %q is not a metric (allowed: %s)", s.Y, strings.Join(PointMetrics(), ", "))
	}
	m := pointMetrics()[i]
	var series []ValueSeries
	for _, l := range lines {
		// Every run counts, failed or not: the CDF shows each run, and a
		// run that did not converge is censored rather than dropped.
		vs := ValueSeries{Name: l.name}
		for _, r := range d.rowsOf(l, false) {
			// An undefined value is left out; a censored one (+Inf, a
			// run that did not converge) counts in the total.
			if v := m.value(r); !math.IsNaN(v) {
				vs.Values = append(vs.Values, v)
			}
		}
		series = append(series, vs)
	}
	title := cmp.Or(s.Title, "CDF of "+metricLabel(s.Y)+" over runs")
	return plotValueCDF(stem, title, cmp.Or(s.XLabel, metricLabel(s.Y)), cmp.Or(s.YLabel, "fraction of runs"), s.LogX, series, style, formats)
}

func (d *specData) renderShares(s PlotSpec, style PlotStyle, lines []specLine, stem string, formats []string) error {
	var bars []KindBar
	for _, l := range lines {
		bar := KindBar{Label: l.legend()}
		for _, r := range d.runsOf(l) {
			kinds, err := ReadMessagesCSV(d.runFile(r, MessagesFile))
			if err != nil {
				return err
			}
			for _, k := range kinds {
				j := slices.IndexFunc(bar.Kinds, func(b KindCount) bool { return b.Kind == k.Kind })
				if j < 0 {
					bar.Kinds = append(bar.Kinds, KindCount{Kind: k.Kind})
					j = len(bar.Kinds) - 1
				}
				bar.Kinds[j].Sent += k.Sent
				bar.Kinds[j].Bytes += k.Bytes
			}
		}
		bars = append(bars, bar)
	}
	if style.Legend == "" {
		style.Legend = LegendRight
	}
	return plotKindShares(stem, s.Title, bars, style, formats)
}

func (d *specData) renderRequestLatency(s PlotSpec, style PlotStyle, lines []specLine, stem string, formats []string) error {
	mp := MetricPlot{
		Title:     cmp.Or(s.Title, "Latency of each request"),
		XLabel:    cmp.Or(s.XLabel, "request index (in send order)"),
		YLabel:    cmp.Or(s.YLabel, "latency (ms)"),
		LogX:      s.LogX,
		LogY:      s.LogY,
		NoMarkers: true,
		Style:     style,
	}
	for _, l := range lines {
		runs, err := d.latencies(l)
		if err != nil {
			return err
		}
		var sum []float64
		var count []int
		for _, recs := range runs {
			for i, rec := range recs {
				if i == len(sum) {
					sum, count = append(sum, 0), append(count, 0)
				}
				sum[i] += rec.Latency.Milliseconds()
				count[i]++
			}
		}
		ms := MetricSeries{Name: l.legend()}
		for i := range sum {
			ms.Points = append(ms.Points, MetricPoint{X: float64(i + 1), Y: sum[i] / float64(count[i]), CI: math.NaN()})
		}
		mp.Series = append(mp.Series, ms)
	}
	return mp.Save(stem, formats...)
}
