package experiments

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

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
// table, in the schema's order, for the workload type's Kind to decode:
// every WorkloadConfig field but the common ones, by its TOML key, set when
// not zero. Durations become sim.Time, lists of durations []sim.Time,
// distributions sim.Dist; an optional duration (*Duration) is set when
// present, "0s" meaning workloads.NoRetransmit. A workload type with a key
// no type has yet adds only its field to WorkloadConfig.
func workloadValues(p *problems, key string, wc *WorkloadConfig) workloads.Values {
	var v workloads.Values
	rv := reflect.ValueOf(wc).Elem()
	for i := range rv.NumField() {
		name := tomlKey(rv.Type().Field(i))
		f := rv.Field(i)
		if commonWorkloadKey(name) || f.IsZero() {
			continue
		}
		var x any
		switch val := f.Interface().(type) {
		case Duration:
			x = val.T()
		case *Duration:
			x = retransmitAfter(val)
		case []Duration:
			var ts []sim.Time
			for _, d := range val {
				ts = append(ts, d.T())
			}
			if ts == nil {
				continue
			}
			x = ts
		case *DistConfig:
			d := buildDist(p, key+"."+name, val)
			if d == nil {
				continue
			}
			x = d
		case int, float64:
			x = val
		default:
			panic(fmt.Sprintf("experiments: workload key %s has an unsupported type %T", name, val))
		}
		v = append(v, workloads.Value{Key: name, V: x})
	}
	return v
}

// commonWorkloadKey reports whether every workload type has key.
func commonWorkloadKey(key string) bool {
	switch key {
	case "name", "type", "count", "clients", "timeout", "start", "payload":
		return true
	}
	return false
}

func tomlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
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
// table, so experiment.toml shows the values used: the clients and the
// type's scalar parameters (durations, counts and factors), by TOML key.
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
	rv := reflect.ValueOf(wc).Elem()
	for _, x := range s.Params.Values() {
		for i := range rv.NumField() {
			if tomlKey(rv.Type().Field(i)) == x.Key {
				setWorkloadField(rv.Field(i), x.V)
			}
		}
	}
}

// setWorkloadField writes a scalar parameter's value into its field.
func setWorkloadField(f reflect.Value, v any) {
	switch p := f.Addr().Interface().(type) {
	case *Duration:
		*p = Duration(v.(sim.Time))
	case **Duration:
		switch t := v.(sim.Time); t {
		case 0:
		case workloads.NoRetransmit:
			*p = new(Duration)
		default:
			d := Duration(t)
			*p = &d
		}
	case *int:
		*p = v.(int)
	case *float64:
		*p = v.(float64)
	}
}
