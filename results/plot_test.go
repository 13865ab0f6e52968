package results

import (
	"bytes"
	"cmp"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// checkPNG checks that path is a PNG image of a plausible size.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if r := img.Bounds(); r.Dx() < 100 || r.Dy() < 100 {
		t.Errorf("%s is %v, want a plot-sized image", path, r)
	}
}

// checkSVG checks that path is a non-empty SVG document containing each of
// the texts.
func checkSVG(t *testing.T, path string, texts ...string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, "<svg") || !strings.HasSuffix(strings.TrimSpace(s), "</svg>") {
		t.Fatalf("%s is not an SVG document", path)
	}
	for _, txt := range texts {
		if !strings.Contains(s, txt) {
			t.Errorf("%s does not contain %q", path, txt)
		}
	}
}

func TestPlotLatencyCDF(t *testing.T) {
	many := make([]sim.Time, 3*maxCDFPoints+7) // sampled down
	for i := range many {
		many[i] = sim.Time(i%97) * sim.Millisecond
	}
	tests := []struct {
		name   string
		series []CDFSeries
	}{
		{"two workloads", []CDFSeries{
			{Name: "write", Latencies: []sim.Time{30 * sim.Millisecond, 10 * sim.Millisecond, 20 * sim.Millisecond}},
			{Name: "read", Latencies: []sim.Time{5 * sim.Millisecond}},
		}},
		{"many points", []CDFSeries{{Name: "flood", Latencies: many}}},
		{"no series", nil},
		{"empty series", []CDFSeries{{Name: "idle"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stem := filepath.Join(t.TempDir(), "cdf")
			if err := PlotLatencyCDF(stem, "", tt.series); err != nil {
				t.Fatal(err)
			}
			checkPNG(t, stem+".png")
			checkSVG(t, stem+".svg", "Latency CDF", "latency (ms)")
		})
	}
}

func TestPlotThroughput(t *testing.T) {
	in, _ := fixture()
	rows := in.Timeline.Rows(in.End)
	tests := []struct {
		name    string
		series  []ThroughputSeries
		markers []Marker
		texts   []string
	}{
		{"with markers", []ThroughputSeries{{Name: "diembft", Rows: rows}}, in.Timeline.Markers(),
			[]string{"time (s)", "throughput (requests/s, 100 ms buckets)", "diembft", "partition"}},
		{"two series, no markers", []ThroughputSeries{{Name: "a", Rows: rows}, {Name: "b", Rows: rows[:1]}}, nil,
			[]string{"Throughput over time"}},
		{"nothing", nil, []Marker{{At: Seconds(sim.Second), Label: "crash"}}, []string{"crash"}},
		{"fault spans and a point", []ThroughputSeries{{Name: "diembft", Rows: rows}}, []Marker{
			{At: Seconds(20 * sim.Millisecond), Until: Seconds(90 * sim.Millisecond), Label: "rule 0 loss vote ×3"},
			{At: Seconds(100 * sim.Millisecond), Label: "crash replica1"},
			{At: Seconds(150 * sim.Millisecond), Until: Seconds(150*sim.Millisecond + 1), Label: "rule 1 setattr proposal ×1"},
		}, []string{"rule 0 loss vote ×3", "rule 1 setattr proposal ×1", "crash replica1", spanFillSVG}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stem := filepath.Join(t.TempDir(), "tput")
			if err := PlotThroughput(stem, "", tt.series, tt.markers); err != nil {
				t.Fatal(err)
			}
			checkPNG(t, stem+".png")
			checkSVG(t, stem+".svg", tt.texts...)
		})
	}
}

// spanFillSVG is how the SVG writer spells spanFill.
const spanFillSVG = "fill:#E57713;fill-opacity:0.21961"

// TestPlotThroughputShadesOnlySpans checks that point markers are not
// shaded: the span colour appears only with a span marker.
func TestPlotThroughputShadesOnlySpans(t *testing.T) {
	in, _ := fixture()
	series := []ThroughputSeries{{Name: "x", Rows: in.Timeline.Rows(in.End)}}
	for _, tt := range []struct {
		markers []Marker
		shaded  bool
	}{
		{[]Marker{{At: Seconds(50 * sim.Millisecond), Label: "crash"}}, false},
		{[]Marker{{At: Seconds(50 * sim.Millisecond), Until: Seconds(60 * sim.Millisecond), Label: "rule 0"}}, true},
	} {
		stem := filepath.Join(t.TempDir(), "tput")
		if err := PlotThroughput(stem, "", series, tt.markers, SVG); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(stem + ".svg")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(b), spanFillSVG); got != tt.shaded {
			t.Errorf("markers %v: shaded %v, want %v", tt.markers, got, tt.shaded)
		}
	}
}

func TestPlotsAreDeterministic(t *testing.T) {
	in, recs := fixture()
	render := func(dir string) map[string][]byte {
		stem := filepath.Join(dir, "p")
		if err := PlotLatencyCDF(stem+"-cdf", "", CDFSeriesOf(recs), PNG, SVG, PDF); err != nil {
			t.Fatal(err)
		}
		series := []ThroughputSeries{{Name: "x", Rows: in.Timeline.Rows(in.End)}}
		if err := PlotThroughput(stem+"-tput", "", series, in.Timeline.Markers(), PDF); err != nil {
			t.Fatal(err)
		}
		return readFiles(t, dir)
	}
	a, b := render(t.TempDir()), render(t.TempDir())
	if len(a) != 4 {
		t.Fatalf("wrote %d files, want 4", len(a))
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two renderings of the same data", name)
		}
	}
	if !bytes.HasPrefix(a["p-cdf.pdf"], []byte("%PDF")) || !bytes.Contains(a["p-cdf.pdf"], []byte("(D:20000101000000)")) {
		t.Error("p-cdf.pdf is not a PDF with the fixed date")
	}
}

func TestSavePlotFormats(t *testing.T) {
	tests := []struct {
		name    string
		formats []string
		want    []string // files written
		wantErr string
	}{
		{"default", nil, []string{"p.png", "p.svg"}, ""},
		{"pdf only", []string{PDF}, []string{"p.pdf"}, ""},
		{"unknown", []string{PNG, "gif"}, nil, `unknown plot format "gif"`},
		{"twice", []string{SVG, SVG}, nil, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			err := PlotLatencyCDF(filepath.Join(dir, "p"), "", nil, tt.formats...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			got := entries(t, dir)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("directory holds %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPlotRun(t *testing.T) {
	in, recs := fixture()
	dir := t.TempDir()
	if _, err := WriteRun(dir, in, recs); err != nil {
		t.Fatal(err)
	}
	stem := filepath.Join(t.TempDir(), "r0003")
	if err := PlotRun(dir, stem); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, stem+"-latency-cdf.png")
	checkSVG(t, stem+"-latency-cdf.svg", "write", "read")
	checkPNG(t, stem+"-throughput.png")
	checkSVG(t, stem+"-throughput.svg", "heal")
}

// TestWriteRunPlots: the plots WriteRunTo draws with a run's files, from
// the values in memory, are the bytes PlotRun draws from those files read
// back, and WriteRunTo adds them to the batch before summary.json.
func TestWriteRunPlots(t *testing.T) {
	ms := sim.Millisecond
	odd := func() (RunInput, []LatencyRecord) {
		in, recs := fixture()
		// Throughputs that round when written (1 request in 30 ms), a
		// last bucket cut short, a workload name that reads back
		// otherwise ("\r\n" becomes "\n" in a CSV field).
		tl := NewTimeline(30 * ms)
		recs = append(recs, LatencyRecord{Workload: "two\r\nlines", Client: 7, ID: 1, Sent: 20 * ms, Latency: 3 * ms})
		for _, r := range recs {
			tl.Complete(r.Sent + r.Latency)
		}
		tl.Mark(40*ms, "partition")
		tl.MarkSpan(50*ms, 90*ms, "replica1 down")
		in.Timeline, in.Latency, in.End = tl, LatencyOf(recs), 215*ms
		return in, recs
	}
	empty := func() (RunInput, []LatencyRecord) { return RunInput{RunID: "r0000", End: sim.Second}, nil }
	tests := []struct {
		name    string
		input   func() (RunInput, []LatencyRecord)
		formats []string
	}{
		{"fixture", fixture, nil},
		{"rounded throughputs, odd workload", odd, []string{SVG, PNG, PDF}},
		{"nothing recorded", empty, []string{SVG}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, recs := tt.input()
			// From the files, as byzsim plot draws them.
			want := t.TempDir()
			if _, err := WriteRun(want, in, recs); err != nil {
				t.Fatal(err)
			}
			if err := PlotRun(want, filepath.Join(want, "plot"), tt.formats...); err != nil {
				t.Fatal(err)
			}
			// With the files, from memory.
			got := t.TempDir()
			var b Batch
			defer b.Abort()
			if _, err := WriteRunTo(&b, got, in, recs, &RunPlots{Stem: filepath.Join(got, "plot"), Formats: tt.formats}); err != nil {
				t.Fatal(err)
			}
			if last := b.files[len(b.files)-1].path; filepath.Base(last) != SummaryFile {
				t.Errorf("the batch renames %s last, want %s", last, SummaryFile)
			}
			if err := b.Commit(); err != nil {
				t.Fatal(err)
			}
			wantFiles, gotFiles := readFiles(t, want), readFiles(t, got)
			formats := cmp.Or(len(tt.formats), len(DefaultFormats()))
			if n := 4 + 2*formats; len(wantFiles) != n {
				t.Fatalf("PlotRun and WriteRun wrote %v, want %d files", entries(t, want), n)
			}
			for name, data := range wantFiles {
				if !bytes.Equal(gotFiles[name], data) {
					t.Errorf("%s: %d bytes from memory, %d from the files read back; they differ", name, len(gotFiles[name]), len(data))
				}
			}
			for name := range gotFiles {
				if _, ok := wantFiles[name]; !ok {
					t.Errorf("%s written from memory only", name)
				}
			}
		})
	}
}

func TestCDFPoints(t *testing.T) {
	ms := sim.Millisecond
	pts := cdfPoints([]sim.Time{1 * ms, 2 * ms, 2 * ms, 4 * ms})
	want := []struct{ x, y float64 }{{1, 0}, {1, 0.25}, {2, 0.5}, {2, 0.75}, {4, 1}}
	if len(pts) != len(want) {
		t.Fatalf("cdfPoints = %v, want %v", pts, want)
	}
	for i, w := range want {
		if pts[i].X != w.x || pts[i].Y != w.y {
			t.Errorf("point %d = %v, want %v", i, pts[i], w)
		}
	}
	big := make([]sim.Time, 10*maxCDFPoints)
	pts = cdfPoints(big)
	if len(pts) != maxCDFPoints+1 || pts[len(pts)-1].Y != 1 {
		t.Errorf("cdfPoints of %d values: %d points ending at y=%v, want %d ending at 1",
			len(big), len(pts), pts[len(pts)-1].Y, maxCDFPoints+1)
	}
}

func TestDrawPlotPanicIsAnError(t *testing.T) {
	r := drawPlot("7", func() ([]renderedFile, error) { panic("broken axis") })
	if r.err == nil || !strings.Contains(r.err.Error(), "run 7") || !strings.Contains(r.err.Error(), "broken axis") {
		t.Errorf("a panicking plot gave %+v, want an error naming the run and the panic", r)
	}
	want := []renderedFile{{}}
	if r := drawPlot("7", func() ([]renderedFile, error) { return want, nil }); r.err != nil || len(r.files) != 1 {
		t.Errorf("a plot drawn gave %+v", r)
	}
}
