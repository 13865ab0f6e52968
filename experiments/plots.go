package experiments

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/results"
)

// PlotConfig is one [[plot]] table: a plot drawn from the experiment's
// CSV files after its runs (and again by byzsim plot). See results.PlotSpec
// for what each kind draws and how points are grouped into lines.
type PlotConfig struct {
	// Kind is metric, latency_throughput, throughput, latency_cdf, cdf,
	// shares, request_latency or run_timeline.
	Kind string `toml:"kind"`
	// X is a swept key: the x axis of a metric plot, the load order of a
	// latency_throughput plot. A key of a [[sweep.zip]] group stands for the
	// whole group.
	X string `toml:"x,omitempty"`
	// Y is a metric of runs.csv (metric and cdf plots), e.g. latency_p50_ms.
	Y string `toml:"y,omitempty"`
	// Series is a swept key giving one line per value, e.g. protocol.name.
	Series string `toml:"series,omitempty"`
	// Where keeps the sweep points whose swept keys have these values, e.g.
	// { "protocol.n" = 6 }.
	Where map[string]any `toml:"where,omitempty"`
	// Title, XLabel and YLabel replace the kind's defaults.
	Title  string `toml:"title,omitempty"`
	XLabel string `toml:"x_label,omitempty"`
	YLabel string `toml:"y_label,omitempty"`
	// LogX and LogY put an axis on a log scale.
	LogX bool `toml:"log_x,omitempty"`
	LogY bool `toml:"log_y,omitempty"`
	// Formats of this plot (png, svg, pdf); default output.formats.
	Formats []string `toml:"formats,omitempty"`
	// File is the file name, without extension, in plots/; default
	// <kind>[-<y>][-vs-<x>][-by-<series>].
	File string `toml:"file,omitempty"`
	// Labels rename swept values and keys in the legend and on the axes,
	// e.g. { myproto = "MyProto", "self_stabilizing=true" =
	// "self-stabilizing", "protocol.n" = "replicas" }.
	Labels map[string]string `toml:"labels,omitempty"`
	// Legend is where the legend goes: auto, right, below, top-left,
	// top-right, bottom-left, bottom-right or none.
	Legend string `toml:"legend,omitempty"`
	// Width, Height and FontSize are lengths with a unit: "12cm", "4in",
	// "9pt".
	Width    string `toml:"width,omitempty"`
	Height   string `toml:"height,omitempty"`
	FontSize string `toml:"font_size,omitempty"`
}

// plotRule states which keys of a [[plot]] table a kind uses.
type plotRule struct {
	x, y         byte // 'r' required, 'o' optional, 0 not allowed
	logX, logY   bool
	xLabel, yLab bool
}

func plotRules() map[string]plotRule {
	return map[string]plotRule{
		results.KindMetric:            {x: 'r', y: 'r', logX: true, logY: true, xLabel: true, yLab: true},
		results.KindLatencyThroughput: {x: 'o', logX: true, logY: true, xLabel: true, yLab: true},
		results.KindThroughput:        {},
		results.KindLatencyCDF:        {logX: true, xLabel: true},
		results.KindCDF:               {y: 'r', logX: true, xLabel: true, yLab: true},
		results.KindShares:            {},
		results.KindRequestLatency:    {logX: true, logY: true, xLabel: true, yLab: true},
		results.KindRunTimeline:       {},
	}
}

// validatePlots checks the [[plot]] tables against the sweep's axes and
// returns them as plot specs.
func validatePlots(plots []PlotConfig, axes []axis) ([]results.PlotSpec, Errors) {
	var p problems
	var swept []string
	groupOf := map[string]int{}
	values := map[string][]string{}
	for gi, ax := range axes {
		for ki, k := range ax.keys {
			swept = append(swept, k)
			groupOf[k] = gi
			for _, tuple := range ax.values {
				values[k] = append(values[k], formatValue(tuple[ki]))
			}
		}
	}
	sweptList := strings.Join(swept, ", ")
	if sweptList == "" {
		sweptList = "none: the experiment has no [sweep]"
	}
	kinds := results.PlotKinds()
	rules := plotRules()
	var specs []results.PlotSpec
	files := map[string]string{}
	for i, pc := range plots {
		key := fmt.Sprintf("plot[%d]", i)
		rule, ok := rules[pc.Kind]
		if !ok {
			if pc.Kind == "" {
				p.add(key+".kind", "missing (allowed: %s)", strings.Join(kinds, ", "))
			} else {
				p.add(key+".kind", "unknown plot kind %q (allowed: %s)", pc.Kind, strings.Join(kinds, ", "))
			}
			continue
		}
		n := len(p.errs)
		checkKey := func(name, val string, need byte) {
			switch {
			case need == 0 && val != "":
				p.add(key+"."+name, "not used by a %s plot (it is used by: %s)", pc.Kind, kindsUsing(name))
			case need == 'r' && val == "":
				p.add(key+"."+name, "missing: a %s plot needs %s", pc.Kind, name)
			}
		}
		checkKey("x", pc.X, rule.x)
		checkKey("y", pc.Y, rule.y)
		if pc.X != "" && rule.x != 0 {
			if _, ok := groupOf[pc.X]; !ok {
				p.add(key+".x", "%q is not a swept key (allowed: %s)", pc.X, sweptList)
			}
		}
		if pc.Y != "" && rule.y != 0 && !slices.Contains(results.PointMetrics(), pc.Y) {
			p.add(key+".y", "unknown metric %q (allowed: %s)", pc.Y, strings.Join(results.PointMetrics(), ", "))
		}
		if pc.Series != "" && pc.Kind == results.KindRunTimeline {
			p.add(key+".series", "a %s plot draws one run (select it with where)", pc.Kind)
		} else if pc.Series != "" {
			g, ok := groupOf[pc.Series]
			switch {
			case !ok:
				p.add(key+".series", "%q is not a swept key (allowed: %s)", pc.Series, sweptList)
			case pc.X != "" && isSwept(groupOf, pc.X) && groupOf[pc.X] == g:
				p.add(key+".series", "%q moves with x %q (one axis of the sweep); choose another swept key", pc.Series, pc.X)
			}
		}
		if pc.LogX && !rule.logX {
			p.add(key+".log_x", "a %s plot has no log x axis", pc.Kind)
		}
		if pc.LogY && !rule.logY {
			p.add(key+".log_y", "a %s plot has no log y axis", pc.Kind)
		}
		if pc.XLabel != "" && !rule.xLabel {
			p.add(key+".x_label", "a %s plot has fixed axis labels", pc.Kind)
		}
		if pc.YLabel != "" && !rule.yLab {
			p.add(key+".y_label", "a %s plot has fixed axis labels", pc.Kind)
		}
		var where []results.Param
		for _, wk := range sortedAnyKeys(pc.Where) {
			wkey := key + ".where." + wk
			g, ok := groupOf[wk]
			switch {
			case !ok:
				p.add(wkey, "%q is not a swept key (allowed: %s)", wk, sweptList)
				continue
			case pc.X != "" && isSwept(groupOf, pc.X) && groupOf[pc.X] == g:
				p.add(wkey, "fixes the x axis %q", pc.X)
				continue
			case pc.Series != "" && isSwept(groupOf, pc.Series) && groupOf[pc.Series] == g:
				p.add(wkey, "fixes the series %q", pc.Series)
				continue
			}
			v := formatValue(pc.Where[wk])
			if !slices.Contains(values[wk], v) {
				p.add(wkey, "%s is not a swept value of %s (allowed: %s)", v, wk, strings.Join(values[wk], ", "))
				continue
			}
			where = append(where, results.Param{Name: wk, Value: v})
		}
		for j, f := range pc.Formats {
			if !containsString(plotFormats, f) {
				p.add(fmt.Sprintf("%s.formats[%d]", key, j), "unknown format %q (allowed: %s)", f, strings.Join(plotFormats, ", "))
			}
		}
		for _, f := range []struct {
			name string
			spec results.PlotSpec
		}{
			{"legend", results.PlotSpec{Legend: pc.Legend}},
			{"width", results.PlotSpec{Width: pc.Width}},
			{"height", results.PlotSpec{Height: pc.Height}},
			{"font_size", results.PlotSpec{FontSize: pc.FontSize}},
		} {
			if _, err := f.spec.Style(); err != nil {
				p.add(key+"."+f.name, "%s", strings.TrimPrefix(err.Error(), f.name+": "))
			}
		}
		for _, lk := range sortedStringKeys(pc.Labels) {
			if msg := checkLabel(lk, pc.Labels[lk], values); msg != "" {
				p.add(key+".labels."+lk, "%s", msg)
			}
		}
		spec := results.PlotSpec{
			Kind: pc.Kind, X: pc.X, Y: pc.Y, Series: pc.Series, Where: where,
			Title: pc.Title, XLabel: pc.XLabel, YLabel: pc.YLabel, LogX: pc.LogX, LogY: pc.LogY,
			Formats: pc.Formats, File: pc.File,
			Labels: pc.Labels, Legend: pc.Legend, Width: pc.Width, Height: pc.Height, FontSize: pc.FontSize,
		}
		if spec.File == "" {
			spec.File = spec.DefaultStem()
		} else if !plainFileName(spec.File) {
			p.add(key+".file", "%q is not a plain file name (allowed: letters, digits, '.', '-', '_'; no extension needed)", spec.File)
		}
		if prev, ok := files[spec.File]; ok {
			p.add(key+".file", "%q is also the file of %s; give one of them another file name", spec.File, prev)
		}
		files[spec.File] = key
		if len(p.errs) == n {
			specs = append(specs, spec)
		}
	}
	return specs, p.errs
}

// checkLabel returns what is wrong with a labels entry of a [[plot]]
// table ("" if nothing): its key must be a swept key (or the last part of
// one), a swept value, or "<key>=<value>" of a swept key and one of its
// values; its label must not be empty. values maps each swept key to its
// values.
func checkLabel(key, label string, values map[string][]string) string {
	if strings.TrimSpace(label) == "" {
		return "empty label"
	}
	keys := sortedStringKeys(values)
	matchKey := func(k string) []string {
		var out []string
		for _, sk := range keys {
			if sk == k || sk[strings.LastIndexByte(sk, '.')+1:] == k {
				out = append(out, sk)
			}
		}
		return out
	}
	if len(matchKey(key)) > 0 {
		return ""
	}
	if k, v, ok := strings.Cut(key, "="); ok {
		ks := matchKey(k)
		if len(ks) == 0 {
			return fmt.Sprintf("%q is not a swept key (allowed: %s)", k, strings.Join(keys, ", "))
		}
		for _, sk := range ks {
			if slices.Contains(values[sk], v) {
				return ""
			}
		}
		return fmt.Sprintf("%s is not a swept value of %s (allowed: %s)", v, k, strings.Join(values[ks[0]], ", "))
	}
	for _, sk := range keys {
		if slices.Contains(values[sk], key) {
			return ""
		}
	}
	var all []string
	for _, sk := range keys {
		for _, v := range values[sk] {
			if !slices.Contains(all, v) {
				all = append(all, v)
			}
		}
	}
	return fmt.Sprintf("%q is neither a swept key nor a swept value (allowed: a key of %s, a value of %s, or key=value)",
		key, strings.Join(keys, ", "), strings.Join(all, ", "))
}

func sortedStringKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isSwept reports whether key is in the sweep.
func isSwept(groupOf map[string]int, key string) bool {
	_, ok := groupOf[key]
	return ok
}

// kindsUsing lists the plot kinds that use a key of [[plot]].
func kindsUsing(name string) string {
	var out []string
	for _, k := range results.PlotKinds() {
		r := plotRules()[k]
		if name == "x" && r.x != 0 || name == "y" && r.y != 0 {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}

func sortedAnyKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// plainFileName reports whether s is a non-empty name of letters, digits,
// '.', '-' and '_' that does not start with '.'.
func plainFileName(s string) bool {
	if s == "" || s[0] == '.' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// axisGroups returns the swept keys of each axis, in order: a zip group's
// keys together, a plain key alone.
func axisGroups(axes []axis) [][]string {
	out := make([][]string, len(axes))
	for i, ax := range axes {
		out[i] = slices.Clone(ax.keys)
	}
	return out
}

// PlotSetup is what the plots of an output directory are drawn from
// besides its CSV files; manifest.json keeps it, so byzsim plot and byzsim
// merge draw the same plots as byzsim run.
type PlotSetup struct {
	// Points is the number of sweep points.
	Points int `json:"points"`
	// RunPlots is output.plots: each run's plots.
	RunPlots bool `json:"run_plots"`
	// SweepPlots is output.sweep_plots: the default sweep plots when there
	// are no [[plot]] tables.
	SweepPlots bool `json:"sweep_plots"`
	// Formats is output.formats.
	Formats []string `json:"formats"`
	// Groups are the swept keys by axis (zipped keys together).
	Groups [][]string `json:"axis_groups"`
	// Plots are the [[plot]] tables.
	Plots []results.PlotSpec `json:"plots"`
	// Metrics are the default figures of the protocol-declared metrics.
	Metrics []results.MetricFigure `json:"metric_figures"`
}

// plotSetup returns the plot setup of a plan.
func (p *Plan) plotSetup() PlotSetup {
	return PlotSetup{
		Points:     p.Points,
		RunPlots:   boolOr(p.Base.Output.Plots, true),
		SweepPlots: boolOr(p.Base.Output.SweepPlots, true),
		Formats:    slices.Clone(p.Base.Output.Formats),
		Groups:     slices.Clone(p.Groups),
		Plots:      slices.Clone(p.Plots),
		Metrics:    metricFigures(p.reg.Metrics()),
	}
}

// draws says whether DrawPlots draws anything with this setup.
func (ps PlotSetup) draws() bool {
	return len(ps.Plots) > 0 || ps.SweepPlots && ps.Points >= 2
}

// DrawPlots draws the experiment-level plots of an output directory from
// its CSV files: the [[plot]] tables when there are some, else (with
// output.sweep_plots) the default sweep plots of a sweep with several
// points.
// Formats, when not empty, replace every format the setup asks for.
func DrawPlots(dir string, ps PlotSetup, formats []string) error {
	if !ps.draws() {
		return nil
	}
	if len(ps.Plots) == 0 {
		if err := results.PlotSweepDefaults(dir, ps.Metrics, cmpFormats(formats, ps.Formats)...); err != nil {
			return fmt.Errorf("sweep plots: %w", err)
		}
		return nil
	}
	specs := ps.Plots
	if len(formats) > 0 {
		specs = slices.Clone(specs)
		for i := range specs {
			specs[i].Formats = formats
		}
	}
	return results.RenderPlotSpecs(dir, specs, ps.Groups, ps.Formats)
}

func cmpFormats(a, b []string) []string {
	if len(a) > 0 {
		return a
	}
	return b
}
