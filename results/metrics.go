package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Metric is the value of one protocol-declared metric in a run: a
// fixed-point decimal, Value units of 10^-Decimals (a duration in seconds
// has 9 decimals: Value is in nanoseconds); Value is nil when the metric
// is undefined in the run. results knows metrics by name only: what they
// mean is the protocol's business.
type Metric struct {
	Name     string
	Decimals int
	Value    *int64
}

// Text returns the value as runs.csv writes it: empty when undefined.
func (m Metric) Text() string {
	if m.Value == nil {
		return ""
	}
	return formatScaled(*m.Value, m.Decimals)
}

// appendJSON appends the value as summary.json writes it: null when
// undefined.
func (m Metric) appendJSON(b []byte) []byte {
	if m.Value == nil {
		return append(b, "null"...)
	}
	return appendScaled(b, *m.Value, m.Decimals)
}

// parseMetric reads a value written by Metric.Text or appendJSON (empty or
// null: undefined); its decimals are those written.
func parseMetric(name, s string) (Metric, error) {
	m := Metric{Name: name}
	if s == "" || s == "null" {
		return m, nil
	}
	_, frac, _ := strings.Cut(s, ".")
	m.Decimals = len(frac)
	v, err := parseScaled(s, m.Decimals)
	if err != nil {
		return m, fmt.Errorf("metric %s: %w", name, err)
	}
	m.Value = &v
	return m, nil
}

// MetricFigure is the default sweep figure of a protocol-declared metric:
// the metric against each swept parameter, drawn when some run of the
// sweep has a value (see PlotSweepDefaults).
type MetricFigure struct {
	// Metric is the metric's column in runs.csv.
	Metric string `json:"metric"`
	// File is the plot's file stem: File-vs-<param>.
	File   string `json:"file"`
	Title  string `json:"title"`
	YLabel string `json:"ylabel"`
	// Summary is how the runs of a point are summarized: "trimmed_mean"
	// (the mean without the minimum and maximum of five or more runs; bars
	// from the minimum to the maximum) or "mean" (95% CI bars).
	Summary string `json:"summary"`
}

// Figure summaries of MetricFigure.Summary.
const (
	FigureTrimmedMean = "trimmed_mean"
	FigureMean        = "mean"
)

// summaryKeys returns the JSON keys of Summary's fields; any other key of
// a summary.json is a metric.
func summaryKeys() map[string]bool {
	keys := make(map[string]bool)
	t := reflect.TypeFor[Summary]()
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if tag != "" && tag != "-" {
			keys[tag] = true
		}
	}
	return keys
}

// metricsJSON returns the metrics as the members of a JSON object,
// each preceded by a comma.
func metricsJSON(ms []Metric) ([]byte, error) {
	var b []byte
	fields := summaryKeys()
	for _, m := range ms {
		if fields[m.Name] {
			return nil, fmt.Errorf("metric name %q is a summary field", m.Name)
		}
		name, err := json.Marshal(m.Name)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, ','), name...), ':')
		b = m.appendJSON(b)
	}
	return b, nil
}

// readMetricsJSON returns, in file order, the members of the JSON object
// data that are not Summary fields: the metrics.
func readMetricsJSON(data []byte) ([]Metric, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("summary is not a JSON object")
	}
	var out []Metric
	fields := summaryKeys()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if fields[key] {
			continue
		}
		m, err := parseMetric(key, string(raw))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
