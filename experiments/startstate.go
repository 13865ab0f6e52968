package experiments

import (
	"errors"
	"fmt"
	"strings"

	"github.com/byzsim/byzsim/protocols"
)

// stateExpectation is one decoded [[expect.state]] table.
type stateExpectation struct {
	// replicas selects the replicas it speaks for; nil means every
	// correct replica.
	replicas []bool
	check    func(protocols.Replica) []string
}

// protocolTable reports whether a key path lies in a table the protocol
// decodes itself ([[start_state]], [[expect.state]]).
func protocolTable(path string) bool {
	return strings.HasPrefix(path, "start_state.") || strings.HasPrefix(path, "expect.state.")
}

// validateStartStates decodes the [[start_state]] tables through the
// protocol and returns, per replica, its start states in file order.
func validateStartStates(p *problems, e *Experiment, proto *protocols.Protocol, clients int) [][]any {
	if len(e.StartStates) == 0 {
		return nil
	}
	n := e.Protocol.N
	if proto.StartState == nil {
		p.add("start_state", "%s takes no start states", proto.Name)
		return nil
	}
	out := make([][]any, n)
	for i, raw := range e.StartStates {
		key := fmt.Sprintf("start_state[%d]", i)
		sel, ok := raw["replicas"]
		if !ok {
			p.add(key+".replicas", `missing (allowed: "*" or an array of replicas like ["replica0"])`)
			continue
		}
		who, ok := replicaSelection(p, key+".replicas", sel, n)
		st, err := proto.StartState(n, e.Protocol.F, clients, withoutKey(raw, "replicas"))
		if err != nil {
			addKeyErrors(p, key, err)
			continue
		}
		if !ok {
			continue
		}
		for id, in := range who {
			if in {
				out[id] = append(out[id], st)
			}
		}
	}
	return out
}

// validateStateExpectations decodes the [[expect.state]] tables.
func validateStateExpectations(p *problems, e *Experiment, proto *protocols.Protocol) []stateExpectation {
	if len(e.Expect.State) == 0 {
		return nil
	}
	if proto.Expect == nil {
		p.add("expect.state", "%s has no state assertions", proto.Name)
		return nil
	}
	var out []stateExpectation
	for i, raw := range e.Expect.State {
		key := fmt.Sprintf("expect.state[%d]", i)
		var x stateExpectation
		if sel, ok := raw["replicas"]; ok {
			who, ok := replicaSelection(p, key+".replicas", sel, e.Protocol.N)
			if !ok {
				continue
			}
			x.replicas = who
		}
		check, err := proto.Expect(e.Protocol.N, e.Protocol.F, withoutKey(raw, "replicas"))
		if err != nil {
			addKeyErrors(p, key, err)
			continue
		}
		x.check = check
		out = append(out, x)
	}
	return out
}

// replicaSelection reads "*" or a non-empty array of replicas ("replicaN"
// or ids) with the shared protocol-table decoder.
func replicaSelection(p *problems, key string, v any, n int) ([]bool, bool) {
	var sel struct {
		Replicas protocols.ReplicaSet `toml:"replicas"`
	}
	d := protocols.DecodeTable(n, map[string]any{"replicas": v}, &sel)
	if err := d.Err(); err != nil {
		addKeyErrors(p, strings.TrimSuffix(key, ".replicas"), err)
		return nil, false
	}
	if len(sel.Replicas.IDs()) == 0 {
		p.add(key, `selects no replica (allowed: "*" or a non-empty array of replicas, replica0 to replica%d)`, n-1)
		return nil, false
	}
	return sel.Replicas.Members, true
}

func withoutKey(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// addKeyErrors records a protocol decoder's errors under the table's key.
func addKeyErrors(p *problems, table string, err error) {
	var kes protocols.KeyErrors
	var ke *protocols.KeyError
	switch {
	case errors.As(err, &kes):
		for _, e := range kes {
			p.add(joinKey(table, e.Key), "%s", e.Msg)
		}
	case errors.As(err, &ke):
		p.add(joinKey(table, ke.Key), "%s", ke.Msg)
	default:
		p.add(table, "%v", err)
	}
}

func joinKey(table, key string) string {
	if key == "" {
		return table
	}
	return table + "." + key
}

// addStartStates hands replica id its start states.
func addStartStates(rep protocols.Replica, starts [][]any, id int) error {
	if id >= len(starts) || len(starts[id]) == 0 {
		return nil
	}
	ss, ok := rep.(protocols.StartStater)
	if !ok {
		return fmt.Errorf("the replica takes no start states")
	}
	for _, st := range starts[id] {
		if err := ss.AddStartState(st); err != nil {
			return err
		}
	}
	return nil
}
