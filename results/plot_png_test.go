package results

import (
	"bytes"
	"image"
	"testing"

	"github.com/byzsim/byzsim/sim"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestPNGAsTheCanvasWrites: the run plots' PNG files, written by
// writeCanvas from the canvas's image, have the bytes the raster canvas
// writes itself (image/png), for plots with and without data; and the
// canvas is one whose image writeCanvas encodes itself.
func TestPNGAsTheCanvasWrites(t *testing.T) {
	ms := sim.Millisecond
	var recs []LatencyRecord
	var rows []TimelineRow
	for i := range 300 {
		lat := sim.Time(5+i*i%97) * ms
		recs = append(recs, LatencyRecord{Workload: []string{"reads", "writes"}[i%2], Client: sim.NodeID(i % 3), ID: uint64(i), Sent: sim.Time(i) * 10 * ms, Latency: lat})
	}
	for i := range 40 {
		rows = append(rows, TimelineRow{Start: sim.Time(i) * 100 * ms, Completed: uint64(i * 7 % 23), ThroughputRPS: float64(i*7%23) * 10})
	}
	markers := []Marker{{At: Seconds(800 * ms), Label: "partition"}, {At: Seconds(1500 * ms), Until: Seconds(2500 * ms), Label: "replica 1 down"}}
	figures := map[string]func() (*figure, error){
		"latency CDF": func() (*figure, error) {
			return latencyCDFFigure("Latency CDF, run r0001", "", false, CDFSeriesOf(recs), PlotStyle{})
		},
		"throughput": func() (*figure, error) {
			return throughputFigure("Throughput over time, run r0001", []ThroughputSeries{{Name: "completed requests", Rows: rows}}, markers, PlotStyle{})
		},
		"empty CDF": func() (*figure, error) {
			return latencyCDFFigure("Latency CDF, run r0002", "", true, nil, PlotStyle{})
		},
	}
	for name, mk := range figures {
		f, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		files, err := f.render("plot", []string{PNG})
		if err != nil {
			t.Fatal(err)
		}
		c, err := draw.NewFormattedCanvas(f.style.width(), f.style.height(), PNG)
		if err != nil {
			t.Fatal(err)
		}
		if pc, ok := c.(vgimg.PngCanvas); !ok {
			t.Fatalf("the PNG canvas is a %T, not the vgimg.PngCanvas whose image writeCanvas encodes", c)
		} else if _, ok := pc.Image().(*image.RGBA); !ok {
			t.Fatalf("the PNG canvas's image is a %T, not an *image.RGBA", pc.Image())
		}
		f.draw(draw.New(c))
		var want bytes.Buffer
		if _, err := c.WriteTo(&want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(files[0].data, want.Bytes()) {
			t.Errorf("%s: %d bytes, the canvas writes %d; they differ", name, len(files[0].data), want.Len())
		}
	}
}
