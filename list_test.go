package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/failures"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/workloads"
)

// listOutput splits byzsim list's output into its lists: the names under
// each heading, a heading being a line indented by indent − 2 spaces that
// ends with ":" (protocol sections) or has no indentation (the rest).
func listOutput(out string, indent int) map[string][]string {
	lists := map[string][]string{}
	head := ""
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		depth := len(line) - len(trimmed)
		switch {
		case trimmed == "":
		case depth == indent-2 && (indent == 2 || strings.HasSuffix(trimmed, ":")):
			head = trimmed
			lists[head] = []string{}
		case depth == indent && head != "":
			name := trimmed
			if i := strings.Index(trimmed, "  "); i >= 0 {
				name = trimmed[:i]
			} else if len(strings.Fields(trimmed)) > 1 && indent == 4 {
				name = strings.Fields(trimmed)[0]
			}
			lists[head] = append(lists[head], name)
		}
	}
	return lists
}

func names(items []protocols.Named) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out
}

// TestListFromOwners: every list byzsim list shows equals the list of the
// package that owns it, in order.
func TestListFromOwners(t *testing.T) {
	code, stdout, _ := byzsim(t, "list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lists := listOutput(stdout[strings.Index(stdout, "WORKLOAD TYPES"):], 2)
	var kinds []string
	for _, k := range results.PlotKindDocs() {
		kinds = append(kinds, k.Kind)
	}
	want := map[string][]string{
		"WORKLOAD TYPES ([[workload]] type)":               names(workloads.Types()),
		"DELAY DISTRIBUTIONS ([network.delay] type)":       names(experiments.DelayDistributions()),
		"CHANNELS ([network] channel)":                     names(experiments.Channels()),
		"PLOT KINDS ([[plot]] kind)":                       kinds,
		"PLOT METRICS ([[plot]] y: columns of points.csv)": results.PointMetrics(),
	}
	for _, topic := range failures.Describe() {
		want[strings.ToUpper(topic.Title)] = names(topic.Items)
	}
	if len(lists) != len(want) {
		t.Errorf("list shows %d lists after the protocols, want %d", len(lists), len(want))
	}
	for head, w := range want {
		if got, ok := lists[head]; !ok || !slices.Equal(got, w) {
			t.Errorf("%s: list shows %v, want %v", head, got, w)
		}
	}
	if !slices.Equal(results.PlotKinds(), kinds) {
		t.Errorf("plot kinds %v, documented %v", results.PlotKinds(), kinds)
	}

	reg := registry()
	for _, name := range reg.Names() {
		p, _ := reg.Lookup(name)
		code, out, _ := byzsim(t, "list", name)
		if code != 0 {
			t.Fatalf("list %s: exit %d", name, code)
		}
		lists := listOutput(out, 4)
		var params, attrs, metrics []string
		for _, s := range p.Params {
			params = append(params, s.Name)
		}
		for _, a := range p.Attributes {
			attrs = append(attrs, a.Name)
		}
		for _, m := range p.Metrics {
			metrics = append(metrics, m.Name)
		}
		scopes := "corruption scopes:"
		if p.SelfStabilizing {
			scopes = "corruption scopes (self-stabilizing: byzsim explore checks transient faults by convergence):"
		}
		want := map[string][]string{
			"parameters ([protocol.params]):":                 params,
			"attributes (setattr faults):":                    attrs,
			"Byzantine behaviours ([[byzantine]] behaviour):": names(p.Behaviours),
			scopes: names(p.CorruptScopes),
		}
		if len(metrics) > 0 {
			want["metrics (runs.csv and summary.json):"] = metrics
		}
		if p.Twins != nil {
			bugs := []string{"none"}
			if len(p.Twins.Bugs) > 0 {
				bugs = p.Twins.BugNames()
			}
			want["Twins planted bugs (byzsim twins --bug, parameter):"] = bugs
		}
		for head, w := range want {
			if got := lists[head]; !slices.Equal(got, w) && !(len(got) == 0 && len(w) == 0) {
				t.Errorf("list %s: %s shows %v, want %v", name, head, got, w)
			}
		}
		if len(lists) != len(want) {
			t.Errorf("list %s shows lists %v, want %d", name, lists, len(want))
		}
	}
}

// TestVocabularyValidated: the experiment loader accepts exactly the delay
// distributions and channels byzsim list shows.
func TestVocabularyValidated(t *testing.T) {
	for _, d := range experiments.DelayDistributions() {
		text := "[protocol]\nname = \"relay\"\nn = 4\nf = 1\n[network.delay]\ntype = \"" + d.Name + "\"\nvalue = \"1ms\"\nmin = \"1ms\"\nmax = \"2ms\"\nmean = \"1ms\"\nstd = \"1ms\"\nmedian = \"1ms\"\nsigma = 0.5\n"
		if _, err := experiments.LoadBytes("d.toml", []byte(text), registry(), experiments.Options{}); err != nil {
			t.Errorf("distribution %s: %v", d.Name, err)
		}
	}
	for _, c := range experiments.Channels() {
		text := "[protocol]\nname = \"relay\"\nn = 4\nf = 1\n[network]\nchannel = \"" + c.Name + "\"\n"
		if _, err := experiments.LoadBytes("c.toml", []byte(text), registry(), experiments.Options{}); err != nil {
			t.Errorf("channel %s: %v", c.Name, err)
		}
	}
	_, err := experiments.LoadBytes("c.toml", []byte("[protocol]\nname = \"relay\"\nn = 4\nf = 1\n[network]\nchannel = \"pigeon\"\n"), registry(), experiments.Options{})
	if err == nil || !strings.Contains(err.Error(), "allowed: reliable, lossy") {
		t.Errorf("unknown channel: %v", err)
	}
}
