package experiments

import (
	"errors"
	"fmt"

	"github.com/byzsim/byzsim/sim"
	"github.com/byzsim/byzsim/workloads"
)

// workloadSpec converts a [[workload]] table to a workload spec (defaults
// not yet filled).
func workloadSpec(p *problems, key string, wc *WorkloadConfig) workloads.Spec {
	s := workloads.Spec{
		Name:            wc.Name,
		Type:            workloads.Type(wc.Type),
		Count:           wc.Count,
		Clients:         wc.Clients,
		Timeout:         wc.Timeout.T(),
		Start:           wc.Start.T(),
		Payload:         wc.Payload,
		Rate:            wc.Rate,
		Outstanding:     wc.Outstanding,
		RetransmitAfter: retransmitAfter(wc.RetransmitAfter),
		InitialTimeout:  wc.InitialTimeout.T(),
		MaxTimeout:      wc.MaxTimeout.T(),
		Backoff:         wc.Backoff,
		Decay:           wc.Decay,
	}
	for _, d := range wc.Delays {
		s.Delays = append(s.Delays, d.T())
	}
	if wc.Think != nil {
		s.Think = buildDist(p, key+".think", wc.Think)
	}
	return s
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
	for i := range e.Workloads {
		key := fmt.Sprintf("workload[%d]", i)
		s := workloadSpec(p, key, &e.Workloads[i]).WithDefaults()
		if err := s.Validate(); err != nil {
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
	var ignored problems
	s := workloadSpec(&ignored, "", wc).WithDefaults()
	wc.Clients = s.Clients
	wc.Outstanding = s.Outstanding
	wc.InitialTimeout = Duration(s.InitialTimeout)
	wc.MaxTimeout = Duration(s.MaxTimeout)
	wc.Backoff = s.Backoff
	wc.Decay = s.Decay
	switch s.RetransmitAfter {
	case 0:
	case workloads.NoRetransmit:
		wc.RetransmitAfter = new(Duration)
	default:
		d := Duration(s.RetransmitAfter)
		wc.RetransmitAfter = &d
	}
}
