package results

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestSummaryMetricsJSON writes protocol-declared metrics into
// summary.json as members of their own, before "events", and reads them
// back with their values, decimals and order.
func TestSummaryMetricsJSON(t *testing.T) {
	v, c := int64(1_250_000_007), int64(42)
	in := RunInput{RunID: "m", Metrics: []Metric{
		{Name: "view_change_s", Decimals: 9, Value: &v},
		{Name: "undefined_s", Decimals: 9},
		{Name: "resets", Value: &c},
	}}
	path := filepath.Join(t.TempDir(), SummaryFile)
	if err := WriteSummary(path, Summarize(in)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `  "transient_safety_violations": 0,
  "view_change_s": 1.250000007,
  "undefined_s": null,
  "resets": 42,
  "events": 0,`
	if !bytes.Contains(b, []byte(want)) {
		t.Errorf("summary.json:\n%s\nwant it to contain\n%s", b, want)
	}
	s, err := ReadSummary(path)
	if err != nil {
		t.Fatal(err)
	}
	wantMetrics := []Metric{{Name: "view_change_s", Decimals: 9, Value: &v}, {Name: "undefined_s"}, {Name: "resets", Value: &c}}
	if !reflect.DeepEqual(s.Metrics, wantMetrics) {
		t.Errorf("read metrics %+v, want %+v", s.Metrics, wantMetrics)
	}
	row := RowOf(s, nil, []string{"resets", "missing", "view_change_s"})
	if got := strings.Join(row.Metrics, ","); got != "42,,1.250000007" {
		t.Errorf("RowOf metrics = %q, want 42,,1.250000007", got)
	}
}

// TestSummaryMetricErrors rejects a metric named like a summary field and a
// metric value that is not a decimal.
func TestSummaryMetricErrors(t *testing.T) {
	if _, err := Summarize(RunInput{Metrics: []Metric{{Name: "events"}}}).MarshalJSON(); err == nil || !strings.Contains(err.Error(), `"events" is a summary field`) {
		t.Errorf("metric named events: err = %v", err)
	}
	var s Summary
	if err := s.UnmarshalJSON([]byte(`{"run_id":"x","view_change_s":"soon"}`)); err == nil || !strings.Contains(err.Error(), "view_change_s") {
		t.Errorf("metric value a string: err = %v", err)
	}
}
