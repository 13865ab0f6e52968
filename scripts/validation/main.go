// Command validation compares simulated and live runs of the validation
// experiments (experiments/validation): for each run, the median latency,
// the throughput and the two-sample Kolmogorov–Smirnov distance between
// the latency distributions, as a Markdown table on standard output, and a
// figure per experiment overlaying the simulated and live latency CDFs.
//
//	go run ./scripts/validation SIM_OUT LIVE_OUT FIGURE_DIR
//
// SIM_OUT and LIVE_OUT are the -o directories of byzsim run and byzsim
// live on the same experiment files.
package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: validation SIM_OUT LIVE_OUT FIGURE_DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "validation:", err)
		os.Exit(1)
	}
}

// side is one run's latencies (ms, sorted) and throughput.
type side struct {
	lat        []float64
	throughput float64
}

func load(dir string) (side, error) {
	recs, err := results.ReadLatencyCSV(filepath.Join(dir, results.LatencyFile))
	if err != nil {
		return side{}, err
	}
	s, err := results.ReadSummary(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		return side{}, err
	}
	if s.Verdict != results.VerdictPass {
		return side{}, fmt.Errorf("%s: the run did not pass its checks", dir)
	}
	out := side{throughput: float64(s.ThroughputRPS)}
	for _, r := range recs {
		out.lat = append(out.lat, r.Latency.Milliseconds())
	}
	sort.Float64s(out.lat)
	return out, nil
}

func median(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// ks is the two-sample Kolmogorov–Smirnov distance of sorted samples.
func ks(a, b []float64) float64 {
	i, j, d := 0, 0, 0.0
	for i < len(a) && j < len(b) {
		x := math.Min(a[i], b[j])
		for i < len(a) && a[i] <= x {
			i++
		}
		for j < len(b) && b[j] <= x {
			j++
		}
		d = math.Max(d, math.Abs(float64(i)/float64(len(a))-float64(j)/float64(len(b))))
	}
	return d
}

func run(simOut, liveOut, figDir string) error {
	exps, err := filepath.Glob(filepath.Join(simOut, "validation-*"))
	if err != nil {
		return err
	}
	if len(exps) == 0 {
		return fmt.Errorf("no validation-* experiment in %s", simOut)
	}
	fmt.Println("| experiment | link delay | median sim (ms) | median live (ms) | Δ median | throughput sim (req/s) | throughput live (req/s) | Δ throughput | KS distance |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, exp := range exps {
		name := filepath.Base(exp)
		runsTable, err := results.ReadRunsCSV(filepath.Join(exp, results.RunsFile))
		if err != nil {
			return err
		}
		p := plot.New()
		p.Title.Text = strings.TrimPrefix(name, "validation-") + ": request latency, simulated (dashed) and live (solid)"
		p.X.Label.Text = "latency (ms)"
		p.Y.Label.Text = "fraction of requests"
		p.Legend.Top, p.Legend.Left = false, false
		p.Legend.XOffs = -4 * vg.Centimeter // between the 20 ms and 50 ms curves
		for k, row := range runsTable.Rows {
			delay := strings.Join(row.Params, " ")
			sim, err := load(filepath.Join(exp, "runs", row.ID))
			if err != nil {
				return err
			}
			lv, err := load(filepath.Join(liveOut, name, "runs", row.ID))
			if err != nil {
				return err
			}
			ms, ml := median(sim.lat), median(lv.lat)
			fmt.Printf("| %s | %s | %.1f | %.1f | %+.0f%% | %.1f | %.1f | %+.0f%% | %.2f |\n",
				strings.TrimPrefix(name, "validation-"), delay, ms, ml, 100*(ml-ms)/ms,
				sim.throughput, lv.throughput, 100*(lv.throughput-sim.throughput)/sim.throughput, ks(sim.lat, lv.lat))
			c := palette[k%len(palette)]
			for _, s := range []struct {
				lat    []float64
				dashed bool
				label  string
			}{{sim.lat, true, delay + " sim"}, {lv.lat, false, delay + " live"}} {
				pts := make(plotter.XYs, len(s.lat))
				for i, x := range s.lat {
					pts[i] = plotter.XY{X: x, Y: float64(i+1) / float64(len(s.lat))}
				}
				line, err := plotter.NewLine(pts)
				if err != nil {
					return err
				}
				line.Color = c
				line.Width = vg.Points(1.5)
				if s.dashed {
					line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
				}
				p.Add(line)
				p.Legend.Add(s.label, line)
			}
		}
		p.Y.Min, p.Y.Max = 0, 1
		for _, format := range []string{"svg", "png"} {
			if err := p.Save(16*vg.Centimeter, 10*vg.Centimeter, filepath.Join(figDir, name+"."+format)); err != nil {
				return err
			}
		}
	}
	return nil
}

var palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xb2, 0xff},
	color.RGBA{0xd5, 0x5e, 0x00, 0xff},
	color.RGBA{0x00, 0x9e, 0x73, 0xff},
	color.RGBA{0xcc, 0x79, 0xa7, 0xff},
}
