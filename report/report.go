// Package report writes report.html: an experiment's results on one
// self-contained HTML page — the experiment, the summary table, every plot
// (inline SVG), the failed runs with the commands that reproduce them and
// the timelines of its runs. The page loads nothing: no script, no
// external style sheet, no network access (its Content-Security-Policy
// forbids them). It follows from the output directory's files alone, so
// it is byte-identical whenever they are; the runs byzsim run just ran
// are drawn from memory, to the same bytes.
package report

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"gonum.org/v1/plot/vg/draw"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/report/internal/svgcanvas"
	"github.com/byzsim/byzsim/results"
)

// File is the name of the report in an experiment's output directory.
const File = "report.html"

// MaxTimelines is how many runs' timelines (and plots) the report shows:
// the failed runs first, then the first run of each sweep point, then the
// others in plan order.
const MaxTimelines = 24

// MaxFailedListed is how many failed runs the report lists.
const MaxFailedListed = 500

// MaxSummaryRows is how many sweep points the report's summary table
// shows; summary.md has all of them.
const MaxSummaryRows = 1000

// Write writes dir/report.html atomically, from the directory alone.
func Write(dir string) error {
	write, err := Prepare(dir, Memory{})
	if err != nil {
		return err
	}
	return results.WriteAtomic(filepath.Join(dir, File), write)
}

// Prepare reads what the report of dir shows, with what m has in memory,
// and returns a function that writes the page to w: BuildFrom's bytes,
// written in parts (the figures are not copied into one page first).
func Prepare(dir string, m Memory) (write func(w io.Writer) error, err error) {
	p, err := buildPage(dir, m)
	if err != nil {
		return nil, err
	}
	return p.render, nil
}

// Memory is what a report takes from memory instead of the output
// directory's files, as byzsim run has it for the runs it just ran; the
// zero Memory has nothing.
type Memory struct {
	// Lanes are the timeline lanes of some runs, by run ID
	// (results.LanesOf), instead of their replicas.csv and timeline.csv.
	Lanes map[string]results.TimelineLanes
	// Drawn are the timelines drawn ahead; nil: none.
	Drawn *Timelines
	// Runs and Manifest, when not nil, are the directory's runs.csv and
	// manifest.json as they read back, for a report built before they
	// are in place.
	Runs     *results.RunsTable
	Manifest *experiments.Manifest
	// Summaries are some runs' summaries as their summary.json reads
	// back, by run ID, instead of their files (which may not be in place
	// yet).
	Summaries map[string]results.Summary
	// Plots are the contents of plot files not in place yet, by path.
	Plots map[string][]byte
}

// summary returns the summary of run id, whose directory is rd.
func (m *Memory) summary(id, rd string) (results.Summary, error) {
	if s, ok := m.Summaries[id]; ok {
		return s, nil
	}
	return results.ReadSummary(filepath.Join(rd, results.SummaryFile))
}

// Timelines draws run timelines ahead of the report that shows them, each
// on its own goroutine: byzsim run starts drawing a run's timeline when
// the run ends (experiments.RunOptions.OnTimeline), on another core while
// the run's files are written. The report uses a timeline drawn ahead
// only when it is the one it would draw from the output directory's files
// (equal results.RunTimeline), and draws any other itself. The zero value
// is ready to use; a Timelines is safe for concurrent use.
type Timelines struct {
	mu    sync.Mutex
	byRun map[string]*drawing
}

// drawing is one timeline drawn ahead: svg is set when done is closed.
type drawing struct {
	rt   results.RunTimeline
	done chan struct{}
	svg  string
}

// Start starts drawing the timeline rt of run id, replacing any drawn
// before for the run.
func (t *Timelines) Start(id string, rt results.RunTimeline) {
	d := &drawing{rt: rt, done: make(chan struct{})}
	t.mu.Lock()
	if t.byRun == nil {
		t.byRun = map[string]*drawing{}
	}
	t.byRun[id] = d
	t.mu.Unlock()
	go func() {
		d.svg = timelineSVG(rt)
		close(d.done)
		// The page's template is made ready here, while the run's files
		// are written, unless the page waiting for this timeline did it
		// first (see svg).
		pageTemplate()
	}()
}

// svg returns timelineSVG(rt) if it was drawn ahead for run id (waiting
// for it to be done); ok is false if it was not.
func (t *Timelines) svg(id string, rt results.RunTimeline) (svg string, ok bool) {
	if t == nil {
		return "", false
	}
	t.mu.Lock()
	d := t.byRun[id]
	t.mu.Unlock()
	if d == nil || !sameTimeline(d.rt, rt) {
		return "", false
	}
	select {
	case <-d.done:
	default:
		pageTemplate() // made ready while the timeline is drawn
		<-d.done
	}
	return d.svg, true
}

// sameTimeline reports whether a and b draw the same timeline.
func sameTimeline(a, b results.RunTimeline) bool {
	return a.Title == b.Title && a.Replicas == b.Replicas && a.End == b.End && a.Interval == b.Interval &&
		slices.Equal(a.Rows, b.Rows) && slices.Equal(a.Markers, b.Markers)
}

// figure is one plot of the page: inline SVG or, for a plot drawn only as
// PNG, an image in a data URL.
type figure struct {
	Caption string
	SVG     template.HTML
	PNG     template.URL
}

// failedRun is a run that failed its checks.
type failedRun struct {
	ID, Params, Seed, Reproduce string
	Checks                      []results.Check
}

// runSection is one run's timeline and plots.
type runSection struct {
	ID, Params, Seed, Verdict, Ended string
	Figures                          []figure
}

// page is what the template renders.
type page struct {
	Name, Description string
	Facts             []string
	ExperimentTOML    string
	Note              string
	SummaryHeader     []string
	SummaryRows       [][]string
	SummaryLeft       int
	SummaryMore       int
	Plots             []figure
	Failed            []failedRun
	FailedTotal       int
	Runs              []runSection
	RunsNote          string
}

// Build returns the report of the output directory dir.
func Build(dir string) ([]byte, error) { return BuildFrom(dir, Memory{}) }

// BuildFrom is Build with what m has in memory (see Prepare).
func BuildFrom(dir string, m Memory) ([]byte, error) {
	p, err := buildPage(dir, m)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(p.sizeHint())
	if err := p.render(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// buildPage gathers what the report of dir shows (see BuildFrom).
func buildPage(dir string, mem Memory) (*page, error) {
	var t results.RunsTable
	var err error
	if mem.Runs != nil {
		t = *mem.Runs
	} else if t, err = results.ReadRunsCSV(filepath.Join(dir, results.RunsFile)); err != nil {
		return nil, err
	}
	name := filepath.Base(filepath.Clean(dir))
	p := page{Name: name}
	if err := p.experiment(dir); err != nil {
		return nil, err
	}
	passed := 0
	for _, r := range t.Rows {
		if r.Verdict == results.VerdictPass {
			passed++
		}
	}
	pts := results.Points(t)
	p.Facts = append(p.Facts, fmt.Sprintf("%s, %s: %d passed their checks, %d failed", plural(len(pts), "sweep point"), plural(len(t.Rows), "run"), passed, len(t.Rows)-passed))
	m := mem.Manifest
	if m == nil {
		m, err = experiments.ReadManifest(dir)
	}
	if err == nil {
		if !m.Complete || len(t.Rows) < m.Runs {
			p.Note = fmt.Sprintf("This directory holds %d of the experiment's %d runs (interrupted, a shard, or a partial merge): every table and plot covers those only.", len(t.Rows), m.Runs)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	p.SummaryHeader, p.SummaryRows, p.SummaryLeft = results.SummaryTable(t, pts)
	if n := len(p.SummaryRows); n > MaxSummaryRows {
		p.SummaryRows, p.SummaryMore = p.SummaryRows[:MaxSummaryRows], n-MaxSummaryRows
	}
	if p.Plots, err = plotFigures(filepath.Join(dir, results.PlotsDir), "", mem.Plots); err != nil {
		return nil, err
	}
	if err := p.failed(dir, t, &mem); err != nil {
		return nil, err
	}
	if err := p.runs(dir, t, &mem); err != nil {
		return nil, err
	}
	return &p, nil
}

// figureMark stands in the page for each inline SVG figure while the
// template runs: the figures are then written between its parts, instead
// of through the template, which copies every value it prints (the
// figures are most of the page). No other text of the page has a NUL:
// the template escapes every other value, a NUL to U+FFFD.
const figureMark = "\x00figure\x00"

// render writes the page to w: the template's output with each
// figureMark replaced by its figure, the bytes the template writes with
// the figures in place.
func (p *page) render(w io.Writer) error {
	q := *p
	var svgs []template.HTML
	marked := func(fs []figure) []figure {
		out := slices.Clone(fs)
		for i := range out {
			if out[i].SVG != "" {
				svgs = append(svgs, out[i].SVG)
				out[i].SVG = figureMark
			}
		}
		return out
	}
	q.Plots = marked(p.Plots)
	q.Runs = slices.Clone(p.Runs)
	for i := range q.Runs {
		q.Runs[i].Figures = marked(q.Runs[i].Figures)
	}
	var b bytes.Buffer
	b.Grow(p.textSizeHint())
	if err := pageTemplate().Execute(&b, &q); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	parts := strings.Split(b.String(), figureMark)
	if len(parts) != len(svgs)+1 {
		return fmt.Errorf("report: %d figures, %d places for them", len(svgs), len(parts)-1)
	}
	for i, part := range parts {
		if _, err := io.WriteString(w, part); err != nil {
			return err
		}
		if i < len(svgs) {
			if _, err := io.WriteString(w, string(svgs[i])); err != nil {
				return err
			}
		}
	}
	return nil
}

// sizeHint is about the size of the page: its figures, experiment.toml
// and room for the rest, so that the page is written into one buffer
// (a page with a run timeline is mostly that: about 800 KB at n = 256).
func (p *page) sizeHint() int {
	n := p.textSizeHint()
	figs := func(fs []figure) {
		for _, f := range fs {
			n += len(f.SVG) + len(f.PNG) + len(f.Caption) + 128
		}
	}
	figs(p.Plots)
	for _, r := range p.Runs {
		figs(r.Figures)
	}
	return n
}

// textSizeHint is a guess of the page's size without its figures: its
// tables and text, and the experiment's TOML, escaped.
func (p *page) textSizeHint() int { return 64<<10 + 2*len(p.ExperimentTOML) }

// experiment reads the resolved experiment.toml: its text, description
// and headline settings.
func (p *page) experiment(dir string) error {
	text, err := os.ReadFile(filepath.Join(dir, experiments.ExperimentFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	p.ExperimentTOML = string(text)
	var e struct {
		Name        string
		Description string
		Duration    string
		Repetitions int
		Protocol    struct {
			Name string
			N, F int
		}
	}
	if _, err := toml.Decode(string(text), &e); err != nil {
		return fmt.Errorf("report: %s: %w", filepath.Join(dir, experiments.ExperimentFile), err)
	}
	p.Name = cmp.Or(e.Name, p.Name)
	p.Description = e.Description
	if e.Protocol.Name != "" {
		p.Facts = append(p.Facts, fmt.Sprintf("protocol %s, n = %d, f = %d (before the sweep); duration %s; %s per sweep point",
			e.Protocol.Name, e.Protocol.N, e.Protocol.F, e.Duration, plural(max(e.Repetitions, 1), "repetition")))
	}
	return nil
}

// plotFigures returns the plots of dir whose file names start with prefix,
// by name: each plot's SVG if there is one, else its PNG. pending holds
// files not in place yet, by path: they are read from there, as if in
// place.
func plotFigures(dir, prefix string, pending map[string][]byte) ([]figure, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	for path := range pending {
		if filepath.Dir(path) == filepath.Clean(dir) {
			names = append(names, filepath.Base(path))
		}
	}
	stems := map[string][]string{}
	var order []string
	for _, n := range names {
		if !strings.HasPrefix(n, prefix) {
			continue
		}
		ext := filepath.Ext(n)
		if ext != ".svg" && ext != ".png" {
			continue
		}
		stem := strings.TrimSuffix(n, ext)
		if _, ok := stems[stem]; !ok {
			order = append(order, stem)
		}
		if !slices.Contains(stems[stem], ext) {
			stems[stem] = append(stems[stem], ext)
		}
	}
	slices.Sort(order)
	read := func(name string) ([]byte, error) {
		path := filepath.Join(dir, name)
		if data, ok := pending[path]; ok {
			return data, nil
		}
		return os.ReadFile(path)
	}
	var out []figure
	for _, stem := range order {
		f := figure{Caption: stem}
		if slices.Contains(stems[stem], ".svg") {
			data, err := read(stem + ".svg")
			if err != nil {
				return nil, err
			}
			f.SVG = inlineSVG(string(data))
		} else {
			data, err := read(stem + ".png")
			if err != nil {
				return nil, err
			}
			f.PNG = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(data))
		}
		out = append(out, f)
	}
	return out, nil
}

// inlineSVG returns an SVG document as an element to put into HTML: from
// its <svg tag on, without the XML prolog.
func inlineSVG(doc string) template.HTML {
	if i := strings.Index(doc, "<svg"); i >= 0 {
		doc = doc[i:]
	}
	return template.HTML(doc) // written by byzsim's plots: no user markup
}

// plural writes "1 run", "2 runs".
func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// paramText writes a run's parameters as "k=v, k=v".
func paramText(keys, vals []string) string {
	parts := make([]string, len(keys))
	for i := range keys {
		parts[i] = keys[i] + "=" + vals[i]
	}
	return strings.Join(parts, ", ")
}

// reproduce is the command that re-runs run id from the experiment's
// output directory: the resolved experiment.toml holds every key,
// override and seed.
func reproduce(id string) string {
	return "byzsim run experiment.toml --run " + id + " -o reproduce"
}

// failed lists the runs that failed their checks with the checks that
// failed.
func (p *page) failed(dir string, t results.RunsTable, mem *Memory) error {
	for _, r := range t.Rows {
		if r.Verdict == results.VerdictPass {
			continue
		}
		p.FailedTotal++
		if len(p.Failed) >= MaxFailedListed {
			continue
		}
		f := failedRun{ID: r.ID, Params: paramText(t.Params, r.Params), Seed: fmt.Sprint(r.Seed), Reproduce: reproduce(r.ID)}
		rd, err := results.SafeJoin(filepath.Join(dir, "runs"), r.ID)
		if err != nil {
			return err
		}
		s, err := mem.summary(r.ID, rd)
		if err != nil {
			return err
		}
		for _, c := range s.Checks {
			if !c.OK {
				f.Checks = append(f.Checks, c)
			}
		}
		p.Failed = append(p.Failed, f)
	}
	return nil
}

// shownRuns returns the indices of the rows whose timelines the report
// shows: failed runs first, then the first run of each sweep point, then
// the others, in plan order, at most MaxTimelines.
func shownRuns(t results.RunsTable) []int {
	var failed, firsts, rest []int
	seen := map[string]bool{}
	for i, r := range t.Rows {
		key := strings.Join(r.Params, "\x00")
		switch {
		case r.Verdict != results.VerdictPass:
			failed = append(failed, i)
		case !seen[key]:
			firsts = append(firsts, i)
		default:
			rest = append(rest, i)
		}
		seen[key] = true
	}
	all := append(append(failed, firsts...), rest...)
	all = all[:min(len(all), MaxTimelines)]
	slices.SortStableFunc(all, func(a, b int) int {
		return cmp.Compare(rank(t, a), rank(t, b))
	})
	return all
}

// rank orders the shown runs: failed ones first, then plan order.
func rank(t results.RunsTable, i int) int {
	if t.Rows[i].Verdict != results.VerdictPass {
		return i - len(t.Rows)
	}
	return i
}

// runs adds the timeline and plots of each shown run, its timeline drawn
// from mem's lanes when they have the run's, or taken from mem's drawn
// ones.
func (p *page) runs(dir string, t results.RunsTable, mem *Memory) error {
	shown := shownRuns(t)
	if len(shown) < len(t.Rows) {
		p.RunsNote = fmt.Sprintf("%d of %d runs shown: the failed runs first, then the first run of each sweep point, then the others in plan order (at most %d). A [[plot]] table of kind run_timeline draws any other.", len(shown), len(t.Rows), MaxTimelines)
	}
	// Drawing the timelines is most of the report's work: the runs are
	// drawn on every core, and their sections put in order.
	secs := make([]runSection, len(shown))
	errs := make([]error, len(shown))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(shown)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				secs[k], errs[k] = runSectionOf(dir, t, t.Rows[shown[k]], mem)
			}
		}()
	}
	for k := range shown {
		next <- k
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err // the first shown run's, whatever the order they were drawn in
		}
	}
	p.Runs = append(p.Runs, secs...)
	return nil
}

// runSectionOf returns the section of run r: its timeline, drawn from
// mem's lanes when they have the run's (or taken from mem's drawn ones),
// and its plots.
func runSectionOf(dir string, t results.RunsTable, r results.RunRow, mem *Memory) (runSection, error) {
	rd, err := results.SafeJoin(filepath.Join(dir, "runs"), r.ID)
	if err != nil {
		return runSection{}, err
	}
	s, err := mem.summary(r.ID, rd)
	if err != nil {
		return runSection{}, err
	}
	sec := runSection{ID: r.ID, Params: paramText(t.Params, r.Params), Seed: fmt.Sprint(r.Seed), Verdict: r.Verdict, Ended: s.Ended}
	var rt results.RunTimeline
	if l, ok := mem.Lanes[r.ID]; ok {
		rt = results.RunTimelineOf(rd, s, l)
	} else {
		rt, err = results.ReadRunTimeline(rd)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A directory written before replicas.csv existed.
	case err != nil:
		return runSection{}, err
	default:
		svg, ok := mem.Drawn.svg(r.ID, rt)
		if !ok {
			svg = timelineSVG(rt)
		}
		sec.Figures = append(sec.Figures, figure{Caption: "timeline", SVG: inlineSVG(svg)})
	}
	figs, err := plotFigures(rd, "plot-", mem.Plots)
	if err != nil {
		return runSection{}, err
	}
	sec.Figures = append(sec.Figures, figs...)
	return sec, nil
}

// timelineSVG returns rt drawn as an SVG document, the bytes
// results.RunTimelineSVG writes, on the faster canvas.
func timelineSVG(rt results.RunTimeline) string {
	w, h, paint := results.RunTimelineDrawing(rt)
	c := svgcanvas.New(w, h)
	paint(draw.New(c))
	return c.String()
}

// pageTemplate parses the page on first use: a run that writes no report
// does not pay for it.
var pageTemplate = sync.OnceValue(parsePage)

// parsePage parses the page's template and has html/template escape it,
// which it does at the first execution: an empty page is executed, so
// that the page written later pays for neither.
func parsePage() *template.Template {
	t := pageText()
	if err := t.Execute(io.Discard, &page{}); err != nil {
		panic("report: the page's template fails on an empty page: " + err.Error())
	}
	return t
}

// pageText parses the page's template.
func pageText() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"right": func(i, left int) bool { return i >= left },
	}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>byzsim report: {{.Name}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.85rem; }
pre { background: #f6f6f6; padding: 0.75rem; overflow-x: auto; }
figure { margin: 1rem 0; }
figure svg, figure img { display: block; max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #666; font-size: 0.85rem; }
.note { background: #fff6d5; padding: 0.5rem 0.75rem; }
.fail { color: #b00020; font-weight: bold; }
.pass { color: #1a7f37; }
</style>
</head>
<body>
<h1>{{.Name}}</h1>
{{if .Description}}<p>{{.Description}}</p>{{end}}
<ul>{{range .Facts}}<li>{{.}}</li>{{end}}</ul>
{{if .Note}}<p class="note">{{.Note}}</p>{{end}}
{{if .ExperimentTOML}}<details><summary>experiment.toml (as resolved)</summary><pre>{{.ExperimentTOML}}</pre></details>{{end}}

<h2 id="summary">Summary</h2>
<p>Per sweep point: mean ± half-width of the 95% confidence interval (Student t) over the runs that passed their checks; one run has no interval; – no value.</p>
<table>
<tr>{{range $i, $h := .SummaryHeader}}<th{{if right $i $.SummaryLeft}} class="num"{{end}}>{{$h}}</th>{{end}}</tr>
{{range .SummaryRows}}<tr>{{range $i, $c := .}}<td{{if right $i $.SummaryLeft}} class="num"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table>
{{if .SummaryMore}}<p>… {{.SummaryMore}} more sweep points in <code>summary.md</code>.</p>{{end}}

<h2 id="plots">Plots</h2>
{{range .Plots}}<figure class="plot">{{if .SVG}}{{.SVG}}{{else}}<img src="{{.PNG}}" alt="{{.Caption}}">{{end}}<figcaption>plots/{{.Caption}}</figcaption></figure>
{{else}}<p>No sweep plots (a single sweep point, or output.sweep_plots = false); each run's plots are below.</p>
{{end}}
<h2 id="failed">Failed runs</h2>
{{if .Failed}}<p>{{.FailedTotal}} runs failed their checks{{if gt .FailedTotal (len .Failed)}} (the first {{len .Failed}} listed){{end}}. Each command, typed in this directory, re-runs one of them exactly into <code>reproduce/</code>.</p>
<table>
<tr><th>run</th><th>parameters</th><th class="num">seed</th><th>failed checks</th><th>reproduce</th></tr>
{{range .Failed}}<tr><td>{{.ID}}</td><td>{{.Params}}</td><td class="num">{{.Seed}}</td><td>{{range .Checks}}<div><b>{{.Name}}</b>: {{.Detail}}</div>{{end}}</td><td><code>{{.Reproduce}}</code></td></tr>
{{end}}</table>
{{else}}<p class="pass">Every run passed its checks.</p>
{{end}}
<h2 id="runs">Runs</h2>
{{if .RunsNote}}<p>{{.RunsNote}}</p>{{end}}
{{range .Runs}}<section class="run">
<h3>Run {{.ID}}{{if .Params}} ({{.Params}}){{end}}: <span class="{{.Verdict}}">{{.Verdict}}</span></h3>
<p>seed {{.Seed}}; ended: {{.Ended}}</p>
{{range .Figures}}<figure class="plot">{{if .SVG}}{{.SVG}}{{else}}<img src="{{.PNG}}" alt="{{.Caption}}">{{end}}<figcaption>{{.Caption}}</figcaption></figure>
{{end}}</section>
{{end}}
</body>
</html>
`))
}
