package experiments

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
)

// startMeter starts the meter of the run's protocol-declared metrics; a
// protocol without metrics has none.
func (in *instance) startMeter(reg *protocols.Registry) {
	in.metricSpecs = reg.Metrics()
	p := in.res.proto
	if p.NewMeter == nil {
		return
	}
	e := in.run.Exp
	in.meter = p.NewMeter(protocols.MeterConfig{N: e.Protocol.N, F: e.Protocol.F, Byzantine: in.byzantine})
}

// metrics returns the values of every registered protocol's metrics in
// this run: the meter's for those of the run's protocol, undefined for the
// others (every run carries the same metrics, so the runs of protocols
// compared in one sweep share their runs.csv columns).
func (in *instance) metrics() []results.Metric {
	p := in.res.proto
	var values []protocols.MetricValue
	if in.meter != nil {
		values = in.meter.Values()
	}
	out := make([]results.Metric, len(in.metricSpecs))
	for i, spec := range in.metricSpecs {
		out[i] = results.Metric{Name: spec.Name, Decimals: spec.Unit.Decimals()}
		for j, own := range p.Metrics {
			if own.Name == spec.Name && j < len(values) && values[j].OK {
				v := values[j].V
				out[i].Value = &v
			}
		}
	}
	return out
}

// metricNames returns the names of metrics, in order.
func metricNames(specs []protocols.MetricSpec) []string {
	names := make([]string, len(specs))
	for i, m := range specs {
		names[i] = m.Name
	}
	return names
}

// metricFigures returns the default sweep figures of the metrics that
// declare one.
func metricFigures(specs []protocols.MetricSpec) []results.MetricFigure {
	var out []results.MetricFigure
	for _, m := range specs {
		f := m.Figure
		if f.File == "" {
			continue
		}
		summary := results.FigureMean
		if f.Summary == protocols.SummaryTrimmedMean {
			summary = results.FigureTrimmedMean
		}
		out = append(out, results.MetricFigure{Metric: m.Name, File: f.File, Title: f.Title, YLabel: f.YLabel, Summary: summary})
	}
	return out
}

// MetricFigures returns the default sweep figures of the metrics of reg's
// protocols (for an output directory whose manifest predates them).
func MetricFigures(reg *protocols.Registry) []results.MetricFigure {
	return metricFigures(reg.Metrics())
}
