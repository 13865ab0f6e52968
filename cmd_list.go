package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/failures"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/workloads"
)

func listCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	reg := registry()
	if len(pos) > 0 {
		for _, name := range pos {
			p, ok := reg.Lookup(name)
			if !ok {
				return usageErrorf("byzsim list: unknown protocol %q (allowed: %s)", name, strings.Join(reg.Names(), ", "))
			}
			listProtocol(stdout, p)
		}
		return nil
	}
	fmt.Fprintln(stdout, "PROTOCOLS")
	for _, name := range reg.Names() {
		p, _ := reg.Lookup(name)
		listProtocol(stdout, p)
	}
	for i, sec := range listSections() {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintln(stdout, sec.title)
		listNamed(stdout, "  ", sec.items)
	}
	return nil
}

// listSection is one list byzsim list shows after the protocols.
type listSection struct {
	title string
	items []protocols.Named
}

// listSections returns the lists byzsim list shows after the protocols,
// each taken from the package that owns it.
func listSections() []listSection {
	secs := []listSection{{"WORKLOAD TYPES ([[workload]] type)", workloads.Types()}}
	for _, t := range failures.Describe() {
		secs = append(secs, listSection{strings.ToUpper(t.Title), t.Items})
	}
	var kinds, metrics []protocols.Named
	for _, k := range results.PlotKindDocs() {
		kinds = append(kinds, protocols.Named{Name: k.Kind, Doc: k.Doc})
	}
	for _, m := range results.PointMetrics() {
		metrics = append(metrics, protocols.Named{Name: m})
	}
	return append(secs,
		listSection{"DELAY DISTRIBUTIONS ([network.delay] type)", experiments.DelayDistributions()},
		listSection{"CHANNELS ([network] channel)", experiments.Channels()},
		listSection{"PLOT KINDS ([[plot]] kind)", kinds},
		listSection{"PLOT METRICS ([[plot]] y: columns of points.csv)", metrics},
	)
}

func listProtocol(w io.Writer, p *protocols.Protocol) {
	fmt.Fprintf(w, "%s — %s\n", p.Name, p.Doc)
	fmt.Fprintf(w, "  resilience: f <= %s\n", resilience(p))
	fmt.Fprintf(w, "  message kinds: %s\n", strings.Join(p.MessageKinds, ", "))
	if len(p.NextLeaderKinds) > 0 {
		fmt.Fprintf(w, "  sent to the next leader: %s\n", strings.Join(p.NextLeaderKinds, ", "))
	}
	fmt.Fprintln(w, "  parameters ([protocol.params]):")
	for _, s := range p.Params {
		fmt.Fprintf(w, "    %-28s %-8s default %-10v %s%s\n", s.Name, s.Type, formatDefault(s.Default), s.Doc, enumText(s.Enum))
	}
	fmt.Fprintln(w, "  attributes (setattr faults):")
	for _, a := range p.Attributes {
		benign := ""
		if a.Benign {
			benign = " (benign: byzsim explore sets it on correct replicas)"
		}
		fmt.Fprintf(w, "    %-28s %-8s %s%s\n", a.Name, a.Type, a.Doc, benign)
	}
	fmt.Fprintln(w, "  Byzantine behaviours ([[byzantine]] behaviour):")
	listNamed(w, "    ", p.Behaviours)
	if p.SelfStabilizing {
		fmt.Fprintln(w, "  corruption scopes (self-stabilizing: byzsim explore checks transient faults by convergence):")
	} else {
		fmt.Fprintln(w, "  corruption scopes:")
	}
	listNamed(w, "    ", p.CorruptScopes)
	if p.Twins != nil {
		fmt.Fprintln(w, "  Twins planted bugs (byzsim twins --bug, parameter):")
		if len(p.Twins.Bugs) == 0 {
			fmt.Fprintln(w, "    none (Twins runs it without planted bugs)")
		}
		for _, b := range p.Twins.Bugs {
			fmt.Fprintf(w, "    %-28s %-28s %s\n", b.Name, b.Param, b.Doc)
		}
	}
	if len(p.Metrics) > 0 {
		fmt.Fprintln(w, "  metrics (runs.csv and summary.json):")
		for _, m := range p.Metrics {
			fmt.Fprintf(w, "    %-28s %-8s %s\n", m.Name, m.Unit, m.Doc)
		}
	}
	fmt.Fprintln(w)
}

func resilience(p *protocols.Protocol) string {
	var parts []string
	for _, n := range []int{4, 6, 7, 10, 16} {
		parts = append(parts, fmt.Sprintf("%d at n=%d", p.MaxFaulty(n), n))
	}
	return strings.Join(parts, ", ")
}

func formatDefault(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

func enumText(enum []string) string {
	if len(enum) == 0 {
		return ""
	}
	return " (" + strings.Join(enum, " | ") + ")"
}

func listNamed(w io.Writer, indent string, items []protocols.Named) {
	for _, it := range items {
		if it.Doc == "" {
			fmt.Fprintf(w, "%s%s\n", indent, it.Name)
			continue
		}
		fmt.Fprintf(w, "%s%-28s %s\n", indent, it.Name, it.Doc)
	}
}
