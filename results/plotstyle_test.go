package results

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/byzsim/byzsim/sim"
)

// TestSeriesStylesDistinct checks that the first 12 series differ in
// (color, marker, dash) and, printed in greyscale, in (grey level, marker,
// dash) — in fact in (marker, dash) alone, so no two lines look alike
// even where two colors print as the same grey.
func TestSeriesStylesDistinct(t *testing.T) {
	const n = 12
	type triple struct {
		color, marker, dash string
	}
	var colored, grey []triple
	markerDash := map[[2]string]int{}
	for i := range n {
		marker := fmt.Sprintf("%T%+v", SeriesShape(i), SeriesShape(i))
		dash := fmt.Sprint(SeriesDashes(i))
		r, g, b, _ := SeriesColor(i).RGBA()
		colored = append(colored, triple{fmt.Sprint(r, g, b), marker, dash})
		grey = append(grey, triple{fmt.Sprintf("%.0f", luminance(SeriesColor(i))), marker, dash})
		if j, ok := markerDash[[2]string{marker, dash}]; ok {
			t.Errorf("series %d and %d have the same marker and dash (%s, %s)", j, i, marker, dash)
		}
		markerDash[[2]string{marker, dash}] = i
	}
	for i := range n {
		for j := range i {
			if colored[i] == colored[j] {
				t.Errorf("series %d and %d look alike: %v", j, i, colored[i])
			}
			if grey[i] == grey[j] {
				t.Errorf("series %d and %d look alike in greyscale: %v", j, i, grey[i])
			}
		}
	}
	// The eight colors are the Okabe–Ito palette, each once.
	seen := map[string]bool{}
	for i := range 8 {
		seen[fmt.Sprint(SeriesColor(i))] = true
	}
	if len(seen) != 8 || SeriesColor(8) != SeriesColor(0) {
		t.Errorf("%d distinct colors in the first 8 series, want 8 repeating after them", len(seen))
	}
}

func tickLabels(ts []plotTick) []string {
	var out []string
	for _, t := range ts {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

type plotTick = struct {
	Value float64
	Label string
}

func labelsOf(lo, hi float64, log bool) []string {
	var out []string
	var ticks []plotTick
	if log {
		for _, t := range (NiceLogTicks{}).Ticks(lo, hi) {
			ticks = append(ticks, plotTick(t))
		}
	} else {
		for _, t := range (NiceTicks{}).Ticks(lo, hi) {
			ticks = append(ticks, plotTick(t))
		}
	}
	out = tickLabels(ticks)
	return out
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		log    bool
		want   []string
	}{
		{0, 9, false, []string{"0", "2", "4", "6", "8"}},
		{0, 1, false, []string{"0", "0.2", "0.4", "0.6", "0.8", "1"}},
		{2.5, 17.5, false, []string{"4", "6", "8", "10", "12", "14", "16"}},
		{0, 17.5, false, []string{"0", "5", "10", "15"}},
		{0, 0.035, false, []string{"0", "0.005", "0.01", "0.015", "0.02", "0.025", "0.03", "0.035"}},
		{-20, 20, false, []string{"-20", "-10", "0", "10", "20"}},
		{0, 1400, false, []string{"0", "200", "400", "600", "800", "1000", "1200", "1400"}},
		{0, 3e7, false, []string{"0", "5e6", "1e7", "1.5e7", "2e7", "2.5e7", "3e7"}},
		{2, 200, true, []string{"2", "5", "10", "20", "50", "100", "200"}},
		{1, 1e6, true, []string{"1", "10", "100", "1000", "10000", "100000", "1e6"}},
		{0.01, 1e12, true, []string{"0.01", "1", "100", "10000", "1e6", "1e8", "1e10", "1e12"}},
		{3, 8, true, []string{"3", "4", "5", "6", "7", "8"}},
		{5, 5, false, nil},
	}
	for _, tt := range tests {
		if got := labelsOf(tt.lo, tt.hi, tt.log); !slices.Equal(got, tt.want) {
			t.Errorf("[%v, %v] log=%v: labels %q, want %q", tt.lo, tt.hi, tt.log, got, tt.want)
		}
	}
	// Over any span, after widening the axis to its ticks, 4 to 8 labels,
	// none with a trailing zero after the point.
	trailing := regexp.MustCompile(`\.\d*0$`)
	for _, span := range []float64{0.7, 1, 1.3, 2.4, 3.1, 7, 9.9, 13, 27, 55, 99, 140, 333} {
		for _, lo := range []float64{0, 0.3, -4} {
			a := newPlot(PlotStyle{}).Y
			a.Min, a.Max = lo, lo+span
			niceAxis(&a)
			got := labelsOf(a.Min, a.Max, false)
			if len(got) < 4 || len(got) > 8 {
				t.Errorf("[%v, %v] widened to [%v, %v]: %d labels %q, want 4 to 8", lo, lo+span, a.Min, a.Max, len(got), got)
			}
			for _, l := range got {
				if trailing.MatchString(l) {
					t.Errorf("[%v, %v]: label %q has a trailing zero", lo, lo+span, l)
				}
			}
			if a.Min > lo || a.Max < lo+span {
				t.Errorf("[%v, %v] widened to [%v, %v], which does not hold it", lo, lo+span, a.Min, a.Max)
			}
		}
	}
}

func TestParseLength(t *testing.T) {
	tests := []struct {
		in   string
		want vg.Length
		err  string
	}{
		{"72pt", 72, ""},
		{"1in", 72, ""},
		{"2.54cm", 72, ""},
		{"25.4mm", 72, ""},
		{" 12cm ", vg.Length(12 * 72 / 2.54), ""},
		{"12", 0, "has no unit"},
		{"cm", 0, "not a positive length"},
		{"-3cm", 0, "not a positive length"},
		{"0pt", 0, "not a positive length"},
		{"NaNin", 0, "not a positive length"},
		{"3 furlongs", 0, "has no unit"},
	}
	for _, tt := range tests {
		got, err := ParseLength(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || math.Abs(float64(got-tt.want)) > 1e-9 {
			t.Errorf("%q = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestSpecStyle(t *testing.T) {
	st, err := PlotSpec{Width: "12cm", Height: "3in", FontSize: "9pt", Legend: LegendBelow}.Style()
	want := PlotStyle{Width: vg.Length(12 * 72 / 2.54), Height: 216, FontSize: 9, Legend: LegendBelow}
	if err != nil || math.Abs(float64(st.Width-want.Width)) > 1e-9 || st.Height != want.Height || st.FontSize != want.FontSize || st.Legend != want.Legend {
		t.Errorf("style %+v, %v; want %+v", st, err, want)
	}
	for _, tt := range []struct {
		spec PlotSpec
		want string
	}{
		{PlotSpec{Width: "0.5in"}, `width: "0.5in" is out of range (allowed: 1in to 40in)`},
		{PlotSpec{Height: "2m"}, `height: "2m" has no unit`},
		{PlotSpec{FontSize: "40pt"}, `font_size: "40pt" is out of range (allowed: 4pt to 36pt)`},
		{PlotSpec{Legend: "centre"}, `legend: unknown legend position "centre"`},
	} {
		if _, err := tt.spec.Style(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want %q", tt.spec, err, tt.want)
		}
	}
}

func TestSpecLabels(t *testing.T) {
	s := PlotSpec{Labels: map[string]string{
		"diembft": "DiemBFT", "self_stabilizing=true": "self-stabilizing",
		"protocol.n": "replicas", "protocol.f=2": "two faults",
	}}
	tests := []struct{ key, v, want string }{
		{"protocol.name", "diembft", "DiemBFT"},
		{"protocol.name", "bftlist", "name=bftlist"},
		{"protocol.params.self_stabilizing", "true", "self-stabilizing"},
		{"protocol.params.self_stabilizing", "false", "self_stabilizing=false"},
		{"protocol.n", "6", "replicas=6"},
		{"protocol.f", "2", "two faults"},
		{"protocol.f", "1", "f=1"},
	}
	for _, tt := range tests {
		if got := s.Label(tt.key, tt.v); got != tt.want {
			t.Errorf("Label(%q, %q) = %q, want %q", tt.key, tt.v, got, tt.want)
		}
	}
}

func TestThroughputBuckets(t *testing.T) {
	rows := func(n int, rps float64) []TimelineRow {
		out := make([]TimelineRow, n)
		for i := range out {
			out[i] = TimelineRow{Start: sim.Time(i) * 100 * sim.Millisecond, ThroughputRPS: rps, Completed: uint64(rps / 10)}
		}
		return out
	}
	tests := []struct {
		name  string
		s     []ThroughputSeries
		k     int
		width string
	}{
		{"busy: 100 ms kept", []ThroughputSeries{{Rows: rows(400, 500)}}, 1, "100 ms"},
		{"10 requests/s over 40 s: 1 s buckets", []ThroughputSeries{{Rows: rows(400, 10)}}, 10, "1 s"},
		{"1 request/s over 300 s: 10 s buckets", []ThroughputSeries{{Rows: rows(3000, 1)}}, 100, "10 s"},
		{"short: at least 25 buckets", []ThroughputSeries{{Rows: rows(60, 1)}}, 2, "200 ms"},
		{"nothing", nil, 1, ""},
	}
	for _, tt := range tests {
		k, w := throughputBuckets(tt.s)
		got := ""
		if w > 0 {
			got = formatWidth(w)
		}
		if k != tt.k || got != tt.width {
			t.Errorf("%s: %d rows of %s, want %d of %s", tt.name, k, got, tt.k, tt.width)
		}
	}
	m := mergeBuckets([]TimelineRow{
		{Start: 0, Completed: 1, ThroughputRPS: 10},
		{Start: 100 * sim.Millisecond, Completed: 3, ThroughputRPS: 30},
		{Start: 200 * sim.Millisecond, Completed: 0, ThroughputRPS: math.NaN()},
	}, 2)
	if len(m) != 2 || m[0].Completed != 4 || m[0].ThroughputRPS != 20 || m[1].Start != 200*sim.Millisecond || !math.IsNaN(m[1].ThroughputRPS) {
		t.Errorf("merged rows %+v", m)
	}
}

// TestLegendAuto checks that the automatic legend takes the first inside
// corner free of data, and goes below when every corner has data.
func TestLegendAuto(t *testing.T) {
	line := func(pts ...float64) plotter.XYs {
		var xy plotter.XYs
		for i := 0; i < len(pts); i += 2 {
			xy = append(xy, plotter.XY{X: pts[i], Y: pts[i+1]})
		}
		return xy
	}
	tests := []struct {
		name string
		data []plotter.XYs
		want string
	}{
		{"rising line: top left is taken, bottom right free", []plotter.XYs{line(0, 0, 10, 10)}, LegendTopLeft},
		{"falling line", []plotter.XYs{line(0, 10, 10, 0)}, LegendTopRight},
		{"flat at the bottom", []plotter.XYs{line(0, 0, 10, 0.5), line(0, 10, 0.1, 10)}, LegendTopRight},
		{"a box around the edges", []plotter.XYs{line(0, 0, 10, 0, 10, 10, 0, 10, 0, 0)}, LegendBelow},
		{"points in each corner", []plotter.XYs{line(0.2, 0.2), line(9.8, 9.8), line(0.2, 9.8), line(9.8, 0.2)}, LegendBelow},
	}
	for _, tt := range tests {
		f := newFigure(PlotStyle{})
		f.p.X.Min, f.p.X.Max, f.p.Y.Min, f.p.Y.Max = 0, 10, 0, 10
		for _, d := range tt.data {
			f.avoidData(d)
		}
		f.addLegend("a series", &plotter.Line{LineStyle: SeriesLineStyle(0)})
		f.addLegend("another", &plotter.Line{LineStyle: SeriesLineStyle(1)})
		c := draw.Canvas{Canvas: &recorder.Canvas{}, Rectangle: vg.Rectangle{Max: vg.Point{X: 432, Y: 288}}}
		if got := f.autoLegend(c, newLegendLayout(f.style.fontSize())); got != tt.want {
			// "rising line" can also leave the bottom right free; the
			// order tried is top right, top left, bottom right, bottom left.
			t.Errorf("%s: legend %s, want %s", tt.name, got, tt.want)
		}
	}
	if !segmentHitsRect(vg.Point{X: 0, Y: 0}, vg.Point{X: 10, Y: 10}, vg.Rectangle{Min: vg.Point{X: 4, Y: 4}, Max: vg.Point{X: 5, Y: 5}}) ||
		segmentHitsRect(vg.Point{X: 0, Y: 0}, vg.Point{X: 10, Y: 0}, vg.Rectangle{Min: vg.Point{X: 4, Y: 1}, Max: vg.Point{X: 5, Y: 5}}) {
		t.Error("segmentHitsRect is wrong")
	}
}

// TestPDFEmbedsFonts checks that a PDF plot embeds every font it uses (a
// FontFile2 stream per TrueType font), so LaTeX includes it as is, and,
// where poppler's pdffonts is installed (required when
// BYZSIM_REQUIRE_PDFFONTS is set, as .ci/run does), that pdffonts agrees.
func TestPDFEmbedsFonts(t *testing.T) {
	stem := filepath.Join(t.TempDir(), "fig")
	mp := MetricPlot{Title: "Throughput", XLabel: "replicas", YLabel: "throughput (requests/s)", Series: []MetricSeries{
		{Name: "DiemBFT", Points: []MetricPoint{{4, 950, 30}, {7, 800, 45}}},
	}}
	if err := mp.Save(stem, PDF); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(stem + ".pdf")
	if err != nil {
		t.Fatal(err)
	}
	fonts := bytes.Count(b, []byte("/Type /Font"))
	descriptors := bytes.Count(b, []byte("/Type /FontDescriptor"))
	embedded := bytes.Count(b, []byte("/FontFile2"))
	if fonts == 0 || descriptors == 0 || embedded != descriptors {
		t.Errorf("%d fonts, %d font descriptors, %d embedded font files; want every font embedded", fonts, descriptors, embedded)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
		t.Error("not a complete PDF file")
	}
	if bytes.Contains(b, []byte("/CreationDate (D:2")) && !bytes.Contains(b, []byte("/CreationDate (D:20000101000000)")) {
		t.Error("the PDF carries the wall-clock date")
	}
	path, err := exec.LookPath("pdffonts")
	if err != nil {
		if os.Getenv("BYZSIM_REQUIRE_PDFFONTS") != "" {
			t.Fatal("pdffonts (poppler-utils) is not installed and BYZSIM_REQUIRE_PDFFONTS is set")
		}
		t.Log("pdffonts not installed; checked the PDF's font dictionaries only")
		return
	}
	out, err := exec.Command(path, stem+".pdf").CombinedOutput()
	if err != nil {
		t.Fatalf("pdffonts: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 3 {
		t.Fatalf("pdffonts lists no font:\n%s", out)
	}
	for _, l := range lines[2:] {
		// name type encoding emb sub uni object ID: emb is the third
		// field from the end of "... yes no yes 7 0".
		f := strings.Fields(l)
		if len(f) < 5 || f[len(f)-5] != "yes" {
			t.Errorf("pdffonts: font not embedded: %s", l)
		}
	}
}

// FuzzParseLength feeds arbitrary text to ParseLength: it returns a
// positive finite length or an error, never panics.
func FuzzParseLength(f *testing.F) {
	for _, s := range []string{"12cm", "4in", "300pt", "9.5mm", "", "cm", "1e400in", "-1pt", "NaNcm", "0x10pt"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLength(s)
		if err == nil && (l <= 0 || !isFinite(float64(l))) {
			t.Fatalf("ParseLength(%q) = %v, want a positive finite length or an error", s, l)
		}
	})
}
