package workloads

// Flood sends every request at the start and never resends (the
// reference's flood).
const Flood Type = "flood"

func floodKind() Kind {
	return Kind{
		Type:   Flood,
		Doc:    "all requests sent at the start, never resent",
		Decode: func(Values) Params { return &FloodParams{} },
	}
}

// FloodParams are the parameters of a flood workload: none.
type FloodParams struct{ clientDefaults }

// Type implements Params.
func (*FloodParams) Type() Type { return Flood }

// WithDefaults implements Params.
func (p *FloodParams) WithDefaults() Params { d := *p; return &d }

// Validate implements Params.
func (*FloodParams) Validate(*Spec) *FieldError { return nil }

// Values implements Params.
func (*FloodParams) Values() Values { return nil }

func (*FloodParams) start(c *Client) {
	for c.next < c.spec.Count {
		c.issue()
	}
}
