package experiments

import (
	"strings"
	"testing"

	"github.com/byzsim/byzsim/results"
)

const plotsBase = `
[protocol]
name = "relay"
n = 4
f = 1

[[workload]]
type = "open_loop"
rate = 10.0
count = 5
timeout = "5s"

[sweep]
"workload[0].rate" = [10.0, 20.0]

[[sweep.zip]]
"protocol.n" = [4, 7]
"protocol.f" = [1, 2]
`

func TestPlotTables(t *testing.T) {
	tests := []struct {
		name  string
		plots string
		want  string // an error, or "" for none
	}{
		{"metric over a zip", "kind = \"metric\"\nx = \"protocol.n\"\ny = \"throughput_rps\"\nseries = \"workload[0].rate\"", ""},
		{"second key of a zip", "kind = \"metric\"\nx = \"protocol.f\"\ny = \"bytes\"", ""},
		{"where", "kind = \"shares\"\nseries = \"protocol.n\"\nwhere = { \"workload[0].rate\" = 20.0 }", ""},
		{"run timeline", "kind = \"run_timeline\"\nwhere = { \"protocol.n\" = 7 }", ""},
		{"run timeline series", "kind = \"run_timeline\"\nseries = \"protocol.n\"", "plot[0].series: a run_timeline plot draws one run (select it with where)"},
		{"missing kind", "title = \"t\"", "plot[0].kind: missing (allowed: metric,"},
		{"missing x", "kind = \"metric\"\ny = \"bytes\"", "plot[0].x: missing: a metric plot needs x"},
		{"x not used", "kind = \"throughput\"\nx = \"protocol.n\"", "plot[0].x: not used by a throughput plot (it is used by: metric, latency_throughput)"},
		{"y not used", "kind = \"latency_cdf\"\ny = \"bytes\"", "plot[0].y: not used by a latency_cdf plot (it is used by: metric, cdf)"},
		{"series in the x zip", "kind = \"metric\"\nx = \"protocol.n\"\ny = \"bytes\"\nseries = \"protocol.f\"", `plot[0].series: "protocol.f" moves with x "protocol.n"`},
		{"where fixes x", "kind = \"metric\"\nx = \"protocol.n\"\ny = \"bytes\"\nwhere = { \"protocol.f\" = 1 }", `plot[0].where.protocol.f: fixes the x axis "protocol.n"`},
		{"where fixes series", "kind = \"cdf\"\ny = \"bytes\"\nseries = \"protocol.n\"\nwhere = { \"protocol.n\" = 4 }", `plot[0].where.protocol.n: fixes the series "protocol.n"`},
		{"where value", "kind = \"cdf\"\ny = \"bytes\"\nwhere = { \"workload[0].rate\" = 15.0 }", "15.0 is not a swept value of workload[0].rate (allowed: 10.0, 20.0)"},
		{"format", "kind = \"shares\"\nformats = [\"jpg\"]", `plot[0].formats[0]: unknown format "jpg" (allowed: png, svg, pdf)`},
		{"file", "kind = \"shares\"\nfile = \"../x\"", `plot[0].file: "../x" is not a plain file name`},
		{"log", "kind = \"throughput\"\nlog_x = true", "plot[0].log_x: a throughput plot has no log x axis"},
		{"label", "kind = \"shares\"\ny_label = \"%\"", "plot[0].y_label: a shares plot has fixed axis labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := plotsBase + "\n[[plot]]\n" + tt.plots + "\n"
			p, err := LoadBytes("p.toml", []byte(text), testRegistry(), Options{})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Plots) != 1 || len(p.Groups) != 2 || strings.Join(p.Groups[1], ",") != "protocol.n,protocol.f" {
					t.Errorf("plots %+v, groups %v", p.Plots, p.Groups)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !IsInput(err) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "p.toml:") || strings.HasPrefix(err.Error(), "p.toml: ") {
				t.Errorf("error names no line: %v", err)
			}
		})
	}
}

func TestPlotTablesWithoutSweep(t *testing.T) {
	text := strings.Split(plotsBase, "[sweep]")[0] + "\n[[plot]]\nkind = \"metric\"\nx = \"protocol.n\"\ny = \"bytes\"\n"
	_, err := LoadBytes("p.toml", []byte(text), testRegistry(), Options{})
	if err == nil || !strings.Contains(err.Error(), "allowed: none: the experiment has no [sweep]") {
		t.Fatalf("err = %v", err)
	}
	text = strings.Split(plotsBase, "[sweep]")[0] + "\n[[plot]]\nkind = \"latency_cdf\"\n"
	p, err := LoadBytes("p.toml", []byte(text), testRegistry(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Plots[0].File != "latency_cdf" || p.plotSetup().Plots[0].Kind != results.KindLatencyCDF {
		t.Errorf("plots %+v", p.Plots)
	}
}
