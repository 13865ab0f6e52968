package experiments

import (
	"errors"
	"fmt"

	"github.com/byzsim/byzsim/sim"
	"github.com/byzsim/byzsim/workloads"
)

// workloadCommon returns the fields of a [[workload]] table every workload
// type has.
func workloadCommon(wc *WorkloadConfig) workloads.Spec {
	return workloads.Spec{Name: wc.Name, Count: wc.Count, Clients: wc.Clients, Timeout: wc.Timeout.T(),
		Start: wc.Start.T(), Payload: wc.Payload}
}

// workloadValues returns the type-specific keys set in a [[workload]]
// table, in the schema's order, for the workload type's Kind to decode.
// This is the one place that maps WorkloadConfig's typed TOML fields to
// workloads.Values; a workload type with a key no type has yet adds its
// field to WorkloadConfig and one line here.
func workloadValues(p *problems, key string, wc *WorkloadConfig) workloads.Values {
	var v workloads.Values
	add := func(k string, set bool, x any) {
		if set {
			v = append(v, workloads.Value{Key: k, V: x})
		}
	}
	var delays []sim.Time
	for _, d := range wc.Delays {
		delays = append(delays, d.T())
	}
	add("delays", delays != nil, delays)
	add("rate", wc.Rate != 0, wc.Rate)
	add("outstanding", wc.Outstanding != 0, wc.Outstanding)
	if wc.Think != nil {
		think := buildDist(p, key+".think", wc.Think)
		add("think", think != nil, think)
	}
	add("retransmit_after", wc.RetransmitAfter != nil, retransmitAfter(wc.RetransmitAfter))
	add("initial_timeout", wc.InitialTimeout != 0, wc.InitialTimeout.T())
	add("max_timeout", wc.MaxTimeout != 0, wc.MaxTimeout.T())
	add("backoff", wc.Backoff != 0, wc.Backoff)
	add("decay", wc.Decay != 0, wc.Decay)
	return v
}

// retransmitAfter converts retransmit_after: unset is 0 (the workload's
// default), "0s" is workloads.NoRetransmit.
func retransmitAfter(d *Duration) sim.Time {
	switch {
	case d == nil:
		return 0
	case *d == 0:
		return workloads.NoRetransmit
	}
	return d.T()
}

// validateWorkloads checks every workload, their names' uniqueness and the
// total number of clients.
func validateWorkloads(p *problems, e *Experiment) []workloads.Spec {
	var specs []workloads.Spec
	names := map[string]int{}
	clients := 0
	kinds := workloads.Builtin()
	for i := range e.Workloads {
		key := fmt.Sprintf("workload[%d]", i)
		wc := &e.Workloads[i]
		s, err := kinds.Build(workloadCommon(wc), wc.Type, workloadValues(p, key, wc))
		if err != nil {
			var fe *workloads.FieldError
			if errors.As(err, &fe) {
				p.add(key+"."+fe.Field, "%s", fe.Msg)
			} else {
				p.add(key, "%v", err)
			}
			continue
		}
		if j, dup := names[s.Name]; dup {
			p.add(key+".name", "%q is already the name of workload[%d]", s.Name, j)
		}
		names[s.Name] = i
		clients += s.Clients
		specs = append(specs, s)
	}
	for i, wc := range e.Workloads {
		if wc.Type == string(workloads.Saturated) && len(e.Workloads) > 1 {
			p.add(fmt.Sprintf("workload[%d].type", i), "a saturated workload must be the experiment's only workload (it counts every committed request as its own); this experiment has %d", len(e.Workloads))
			break
		}
	}
	if clients > maxClients {
		p.add("workload", "%d clients in all (allowed: at most %d)", clients, maxClients)
	}
	return specs
}

// fillWorkloadDefaults writes the workload package's defaults back into the
// table, so experiment.toml shows the values used.
func fillWorkloadDefaults(wc *WorkloadConfig) {
	s := workloadCommon(wc)
	if k, ok := workloads.Builtin().Lookup(workloads.Type(wc.Type)); ok {
		var ignored problems
		s.Params = k.Decode(workloadValues(&ignored, "", wc))
	}
	s = s.WithDefaults()
	wc.Clients = s.Clients
	if s.Params == nil {
		return
	}
	for _, x := range s.Params.Values() {
		switch v := x.V.(type) {
		case sim.Time:
			setWorkloadTime(wc, x.Key, v)
		case int:
			if x.Key == "outstanding" {
				wc.Outstanding = v
			}
		case float64:
			switch x.Key {
			case "backoff":
				wc.Backoff = v
			case "decay":
				wc.Decay = v
			}
		}
	}
}

// setWorkloadTime writes a duration key's default back.
func setWorkloadTime(wc *WorkloadConfig, key string, t sim.Time) {
	switch key {
	case "initial_timeout":
		wc.InitialTimeout = Duration(t)
	case "max_timeout":
		wc.MaxTimeout = Duration(t)
	case "retransmit_after":
		switch t {
		case 0:
		case workloads.NoRetransmit:
			wc.RetransmitAfter = new(Duration)
		default:
			d := Duration(t)
			wc.RetransmitAfter = &d
		}
	}
}
