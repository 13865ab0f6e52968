package experiments

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/failures"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
	"github.com/byzsim/byzsim/workloads"
)

// Limits on experiment sizes, to turn typos into errors rather than runs
// that exhaust memory.
const (
	maxReplicas    = 4096
	maxClients     = 100000
	maxRepetitions = 100000
)

// fillDefaults sets every unset field to its default.
func fillDefaults(e *Experiment) {
	if e.Seed == 0 {
		e.Seed = 1
	}
	if e.Duration == 0 {
		e.Duration = Duration(60 * sim.Second)
	}
	if e.Repetitions == 0 {
		e.Repetitions = 1
	}
	if e.Network.Channel == "" {
		e.Network.Channel = "reliable"
	}
	if e.Network.Delay.Type == "" {
		e.Network.Delay.Type = "constant"
	}
	if e.Costs.Model == "" {
		e.Costs.Model = "default"
	}
	for i := range e.Workloads {
		w := &e.Workloads[i]
		if w.Name == "" {
			w.Name = fmt.Sprintf("w%d", i)
		}
		fillWorkloadDefaults(w)
	}
	for i := range e.Faults {
		if e.Faults[i].Prob == nil {
			one := 1.0
			e.Faults[i].Prob = &one
		}
	}
	fillConvergenceDefaults(&e.Convergence)
	if e.Output.TimelineInterval == 0 {
		// 100ms, or coarser for runs longer than about a day, so that the
		// timeline stays within a million buckets.
		e.Output.TimelineInterval = Duration(max(100*sim.Millisecond, ceilDiv(e.Duration.T()/sim.Millisecond, 1_000_000)*sim.Millisecond))
	}
	if len(e.Output.Formats) == 0 {
		e.Output.Formats = []string{"png", "svg"}
	}
}

// resolved is what validation builds from an experiment: the values the
// world is assembled from.
type resolved struct {
	proto     *protocols.Protocol
	params    protocols.Params
	costs     protocols.Costs
	rules     []failures.Rule
	workloads []workloads.Spec
	schedule  failures.Schedule
	// starts holds each replica's start states in order (nil without any).
	starts [][]any
	// expects are the decoded [[expect.state]] tables.
	expects []stateExpectation
	// transients are the [[transient]] faults.
	transients []failures.Transient
}

// validate checks a defaulted experiment against the registry and returns
// the resolved values, or the problems found (keys without lines).
func validate(e *Experiment, reg *protocols.Registry) (*resolved, Errors) {
	var p problems
	r := &resolved{}
	if e.Duration <= 0 {
		p.add("duration", "must be > 0")
	}
	if e.Repetitions < 1 || e.Repetitions > maxRepetitions {
		p.add("repetitions", "%d is out of range (allowed: 1 to %d)", e.Repetitions, maxRepetitions)
	}
	r.proto = validateProtocol(&p, e, reg)
	n := e.Protocol.N
	if r.proto != nil {
		r.params = validateParams(&p, e.Protocol.Params, r.proto)
	}
	validateNetwork(&p, &e.Network, n)
	if r.proto != nil {
		validateChannels(&p, e.Network.Channels, r.proto)
	}
	if e.Stop.Commits < 0 {
		p.add("stop.commits", "%d is negative (allowed: 0 for no commit target, or a positive count)", e.Stop.Commits)
	}
	validateGST(&p, e, r.proto)
	validateLive(&p, e)
	r.costs = validateCosts(&p, &e.Costs)
	r.workloads = validateWorkloads(&p, e)
	if r.proto != nil && n > 0 {
		r.rules = validateFaults(&p, e.Faults, r.proto, n)
		r.schedule = validateSchedules(&p, e, r.proto)
		clients := 0
		for _, w := range r.workloads {
			if w.Type() != workloads.Saturated { // a saturated workload has no client nodes
				clients += w.Clients
			}
		}
		for i, wc := range e.Workloads {
			if wc.Type == string(workloads.Saturated) && !r.proto.Preloads {
				p.add(fmt.Sprintf("workload[%d].type", i), "protocol %s does not support saturated workloads (its replicas take no preloaded requests); use flood", r.proto.Name)
			}
		}
		r.starts = validateStartStates(&p, e, r.proto, clients)
		r.expects = validateStateExpectations(&p, e, r.proto)
		r.transients = validateTransients(&p, e, r.proto, r.params)
	}
	validateOutput(&p, &e.Output)
	validateName(&p, e)
	validateDurations(&p, e)
	validateBounds(&p, e)
	return r, p.errs
}

func validateProtocol(p *problems, e *Experiment, reg *protocols.Registry) *protocols.Protocol {
	pc := &e.Protocol
	var proto *protocols.Protocol
	switch {
	case pc.Name == "":
		p.add("protocol.name", "missing (allowed: %s)", strings.Join(reg.Names(), ", "))
	default:
		var ok bool
		if proto, ok = reg.Lookup(pc.Name); !ok {
			p.add("protocol.name", "unknown protocol %q (allowed: %s)", pc.Name, strings.Join(reg.Names(), ", "))
		}
	}
	if pc.N < 1 || pc.N > maxReplicas {
		p.add("protocol.n", "%d is out of range (allowed: 1 to %d replicas)", pc.N, maxReplicas)
		return proto
	}
	if pc.F < 0 {
		p.add("protocol.f", "%d is negative", pc.F)
	} else if proto != nil && pc.F > proto.MaxFaulty(pc.N) {
		p.add("protocol.f", "%d is too large for %s with n = %d (allowed: f <= %d)", pc.F, proto.Name, pc.N, proto.MaxFaulty(pc.N))
	}
	return proto
}

// validateParams checks protocol parameters against the protocol's specs
// and returns them with defaults filled.
func validateParams(p *problems, given map[string]any, proto *protocols.Protocol) protocols.Params {
	params := protocols.Defaults(proto.Params)
	names := make([]string, 0, len(given))
	for k := range given {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		key := "protocol.params." + name
		spec, ok := proto.Param(name)
		if !ok {
			p.add(key, "unknown parameter of %s (allowed: %s)", proto.Name, paramNames(proto))
			continue
		}
		v, err := convertParam(spec, given[name])
		if err != nil {
			p.add(key, "%v", err)
			continue
		}
		params[name] = v
	}
	return params
}

func paramNames(proto *protocols.Protocol) string {
	names := make([]string, len(proto.Params))
	for i, s := range proto.Params {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// convertParam converts a decoded TOML value to a parameter's Go type and
// checks its range.
func convertParam(spec protocols.ParamSpec, v any) (any, error) {
	inRange := func(x float64) error {
		if spec.Max > spec.Min && (x < spec.Min || x > spec.Max) {
			return fmt.Errorf("%v is out of range (allowed: %g to %g)", v, spec.Min, spec.Max)
		}
		return nil
	}
	switch spec.Type {
	case protocols.ParamInt:
		x, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("want an integer, got %s", describe(v))
		}
		return x, inRange(float64(x))
	case protocols.ParamFloat:
		var x float64
		switch y := v.(type) {
		case float64:
			x = y
		case int64:
			x = float64(y)
		default:
			return nil, fmt.Errorf("want a number, got %s", describe(v))
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("want a finite number, got %v", x)
		}
		return x, inRange(x)
	case protocols.ParamBool:
		x, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("want true or false, got %s", describe(v))
		}
		return x, nil
	case protocols.ParamString:
		x, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %s", describe(v))
		}
		if len(spec.Enum) > 0 && !containsString(spec.Enum, x) {
			return nil, fmt.Errorf("unknown value %q (allowed: %s)", x, strings.Join(spec.Enum, ", "))
		}
		return x, nil
	case protocols.ParamDuration:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a duration string like \"250ms\", got %s", describe(v))
		}
		d, err := sim.ParseDuration(s)
		if err != nil {
			return nil, err
		}
		if d > maxParamTime {
			return nil, fmt.Errorf("%v is too long (allowed: at most %v)", d, maxParamTime)
		}
		return d, inRange(d.Seconds())
	}
	return nil, fmt.Errorf("parameter of unknown type %v", spec.Type)
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case int64:
		return fmt.Sprintf("the integer %d", x)
	case float64:
		return fmt.Sprintf("the number %g", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// buildDist validates a distribution and builds it.
func buildDist(p *problems, key string, d *DistConfig) sim.Dist {
	switch d.Type {
	case "", "constant":
		return sim.Constant{D: d.Value.T()}
	case "uniform":
		if d.Max < d.Min {
			p.add(key+".max", "%v is below min %v", d.Max.T(), d.Min.T())
		}
		return sim.Uniform{Min: d.Min.T(), Max: d.Max.T()}
	case "normal":
		return sim.Normal{Mu: d.Mean.T(), Sigma: d.Std.T()}
	case "exponential":
		if d.Mean <= 0 {
			p.add(key+".mean", "must be > 0 for an exponential delay")
		}
		return sim.Exponential{M: d.Mean.T()}
	case "lognormal":
		if d.Median <= 0 {
			p.add(key+".median", "must be > 0 for a lognormal delay")
		}
		if d.Sigma < 0 || math.IsNaN(d.Sigma) || d.Sigma > 10 {
			p.add(key+".sigma", "%v is out of range (allowed: 0 to 10)", d.Sigma)
		}
		return sim.LogNormal{Median: d.Median.T(), Sigma: d.Sigma}
	}
	p.add(key+".type", "unknown distribution %q (allowed: %s)", d.Type, namesOf(DelayDistributions()))
	return sim.Constant{}
}

func parseChannel(p *problems, key, s string) sim.Channel {
	switch s {
	case "", "reliable":
		return sim.Reliable
	case "lossy":
		return sim.Lossy
	}
	p.add(key, "unknown channel %q (allowed: %s)", s, namesOf(Channels()))
	return sim.Reliable
}

func checkProb(p *problems, key string, x float64) {
	if math.IsNaN(x) || x < 0 || x > 1 {
		p.add(key, "%v is out of range (allowed: 0 <= %s <= 1)", x, key[strings.LastIndexByte(key, '.')+1:])
	}
}

func validateNetwork(p *problems, nc *NetworkConfig, n int) {
	buildDist(p, "network.delay", &nc.Delay)
	checkProb(p, "network.loss", nc.Loss)
	if nc.Bandwidth < 0 || math.IsNaN(nc.Bandwidth) {
		p.add("network.bandwidth", "must be >= 0 bytes per second (0 is unlimited)")
	}
	parseChannel(p, "network.channel", nc.Channel)
	if rc := nc.Regions; rc != nil {
		validateRegions(p, rc, n)
	}
	for i := range nc.Links {
		l := &nc.Links[i]
		key := fmt.Sprintf("network.link[%d]", i)
		if _, err := parseLinkEnd(l.From, n); err != nil {
			p.add(key+".from", "%v", err)
		}
		if _, err := parseLinkEnd(l.To, n); err != nil {
			p.add(key+".to", "%v", err)
		}
		if l.Delay != nil {
			buildDist(p, key+".delay", l.Delay)
		}
		if l.Loss != nil {
			checkProb(p, key+".loss", *l.Loss)
		}
		if l.Bandwidth != nil && (*l.Bandwidth < 0 || math.IsNaN(*l.Bandwidth)) {
			p.add(key+".bandwidth", "must be >= 0 bytes per second (0 is unlimited)")
		}
		if l.Channel != "" {
			parseChannel(p, key+".channel", l.Channel)
		}
	}
}

func validateChannels(p *problems, channels map[string]string, proto *protocols.Protocol) {
	kinds := make([]string, 0, len(channels))
	for k := range channels {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	allowed := append(append([]string(nil), proto.MessageKinds...), protocols.KindRequest, protocols.KindReply)
	for _, k := range kinds {
		key := "network.channels." + k
		if !containsString(allowed, k) {
			p.add(key, "unknown message kind of %s (allowed: %s)", proto.Name, strings.Join(allowed, ", "))
			continue
		}
		parseChannel(p, key, channels[k])
	}
}

func validateRegions(p *problems, rc *RegionsConfig, n int) {
	if len(rc.Names) == 0 {
		p.add("network.regions.names", "must list at least one region")
		return
	}
	for i, name := range rc.Names {
		if name == "" || containsString(rc.Names[:i], name) {
			p.add(fmt.Sprintf("network.regions.names[%d]", i), "region names must be distinct and not empty")
		}
	}
	if len(rc.Latency) != len(rc.Names) {
		p.add("network.regions.latency", "has %d rows, want one per region (%d)", len(rc.Latency), len(rc.Names))
	}
	for i, row := range rc.Latency {
		if len(row) != len(rc.Names) {
			p.add(fmt.Sprintf("network.regions.latency[%d]", i), "has %d entries, want one per region (%d)", len(row), len(rc.Names))
		}
	}
	if len(rc.Replicas) != n {
		p.add("network.regions.replicas", "has %d entries, want one region per replica (%d)", len(rc.Replicas), n)
	}
	for i, r := range rc.Replicas {
		if !containsString(rc.Names, r) {
			p.add(fmt.Sprintf("network.regions.replicas[%d]", i), "unknown region %q (allowed: %s)", r, strings.Join(rc.Names, ", "))
		}
	}
	if rc.Clients != "" && !containsString(rc.Names, rc.Clients) {
		p.add("network.regions.clients", "unknown region %q (allowed: %s)", rc.Clients, strings.Join(rc.Names, ", "))
	}
	if rc.Jitter != nil {
		buildDist(p, "network.regions.jitter", rc.Jitter)
	}
}

// linkEnd selects link endpoints: a replica, every client, or everyone.
type linkEnd struct {
	any, clients bool
	replica      sim.NodeID
}

func parseLinkEnd(s string, n int) (linkEnd, error) {
	switch s {
	case "", "*":
		return linkEnd{any: true}, nil
	case "clients":
		return linkEnd{clients: true}, nil
	}
	id, err := failures.ParseReplica(s)
	if err != nil {
		return linkEnd{}, fmt.Errorf("invalid endpoint %q (allowed: replicaN, clients, *)", s)
	}
	if int(id) >= n {
		return linkEnd{}, fmt.Errorf("%s does not exist (allowed: replica0 to replica%d, clients, *)", s, n-1)
	}
	return linkEnd{replica: id}, nil
}

func (l linkEnd) matches(id sim.NodeID, n int) bool {
	switch {
	case l.any:
		return true
	case l.clients:
		return int(id) >= n
	}
	return id == l.replica
}

func validateCosts(p *problems, cc *CostsConfig) protocols.Costs {
	var c protocols.Costs
	if cc.File != "" {
		p.add("costs.file", "is resolved when the experiment file is read; give it in the file, not with --set or a sweep")
	}
	switch cc.Model {
	case "", "default":
		c = protocols.DefaultCosts()
	case "zero":
	default:
		p.add("costs.model", "unknown cost model %q (allowed: default, zero)", cc.Model)
	}
	set := func(dst *sim.Time, v *Duration) {
		if v != nil {
			*dst = v.T()
		}
	}
	set(&c.Sign, cc.Sign)
	set(&c.Verify, cc.Verify)
	set(&c.Hash64, cc.Hash64)
	set(&c.Execute, cc.Execute)
	set(&c.PerByte, cc.PerByte)
	set(&c.PerMessage, cc.PerMessage)
	c.RealCrypto = cc.RealCrypto
	return c
}

// validateFaults converts and validates the fault rules.
func validateFaults(p *problems, fcs []FaultConfig, proto *protocols.Protocol, n int) []failures.Rule {
	var rules []failures.Rule
	for i := range fcs {
		fc := &fcs[i]
		key := fmt.Sprintf("fault[%d]", i)
		r, err := convertFault(fc, proto)
		if err == nil {
			err = r.Validate(proto, n)
		}
		if err != nil {
			var fe *failures.FieldError
			if errors.As(err, &fe) && fe.Field != "" {
				field := fe.Field
				if field == "delay" {
					field = "value"
				}
				p.add(key+"."+field, "%s", fe.Msg)
			} else {
				p.add(key, "%v", err)
			}
			continue
		}
		rules = append(rules, r)
	}
	return rules
}

// convertFault turns a [[fault]] table into a rule.
func convertFault(fc *FaultConfig, proto *protocols.Protocol) (failures.Rule, error) {
	var r failures.Rule
	var err error
	field := func(name string, e error) error {
		var fe *failures.FieldError
		if errors.As(e, &fe) {
			return &failures.FieldError{Field: name, Msg: fe.Msg}
		}
		return &failures.FieldError{Field: name, Msg: e.Error()}
	}
	if r.Type, err = failures.ParseRuleType(fc.Type); err != nil {
		return r, field("type", err)
	}
	src, dest := fc.Src, fc.Dest
	if src == "" {
		src = "*"
	}
	if dest == "" {
		dest = "*"
	}
	if r.Src, err = failures.ParseEndpoint(src); err != nil {
		return r, field("src", err)
	}
	if r.Dest, err = failures.ParseEndpoint(dest); err != nil {
		return r, field("dest", err)
	}
	r.Msg = fc.Msg
	if r.Msg == "" {
		r.Msg = failures.AnyKind
	}
	if r.Rounds, err = failures.ParseRounds(fc.Rounds); err != nil {
		return r, field("rounds", err)
	}
	r.Prob = *fc.Prob
	r.From, r.Until = fc.From.T(), fc.Until.T()
	r.Attr = fc.Attr
	switch r.Type {
	case failures.Delay:
		s, ok := fc.Value.(string)
		if !ok {
			return r, field("value", fmt.Errorf("a delay rule needs a duration like \"2s\", got %s", describe(fc.Value)))
		}
		if r.Delay, err = sim.ParseDuration(s); err != nil {
			return r, field("value", err)
		}
		if r.Delay > maxTime {
			return r, field("value", fmt.Errorf("%v is too long (allowed: at most %v)", r.Delay, maxTime))
		}
	case failures.SetAttr:
		spec, ok := proto.Attribute(fc.Attr)
		if !ok {
			return r, nil // Validate names the attribute problem
		}
		if fc.Value == nil {
			return r, field("value", fmt.Errorf("a setattr rule needs a value"))
		}
		if r.Value, err = failures.ParseAttrValue(spec.Type, fc.Value); err != nil {
			return r, field("value", err)
		}
	default:
		if fc.Value != nil {
			return r, field("value", fmt.Errorf("only delay and setattr rules take a value"))
		}
	}
	return r, nil
}

func validateSchedules(p *problems, e *Experiment, proto *protocols.Protocol) failures.Schedule {
	sched := scheduleOf(e)
	if err := sched.Validate(proto, e.Protocol.N); err != nil {
		var fe *failures.FieldError
		if errors.As(err, &fe) {
			p.add(scheduleKey(fe.Field), "%s", fe.Msg)
		} else {
			p.add("crash", "%v", err)
		}
	}
	if byz := byzantineReplicas(e); len(byz) > e.Protocol.F {
		p.add("byzantine", "%d replicas are Byzantine but f = %d", len(byz), e.Protocol.F)
	}
	return sched
}

// scheduleOf converts crashes, partitions and Byzantine switches.
func scheduleOf(e *Experiment) failures.Schedule {
	var s failures.Schedule
	for _, c := range e.Crashes {
		fc := failures.Crash{Replica: sim.NodeID(c.Replica), At: c.At.T()}
		if c.Recover != nil {
			fc.RecoverAt = c.Recover.T()
		}
		s.Crashes = append(s.Crashes, fc)
	}
	for _, pc := range e.Partitions {
		ph := failures.PartitionPhase{At: pc.At.T()}
		for _, g := range pc.Groups {
			ids := make([]sim.NodeID, len(g))
			for i, id := range g {
				ids[i] = sim.NodeID(id)
			}
			ph.Groups = append(ph.Groups, ids)
		}
		s.Partitions = append(s.Partitions, ph)
	}
	for _, b := range e.Byzantine {
		s.Behaviours = append(s.Behaviours, failures.BehaviourSwitch{Replica: sim.NodeID(b.Replica), At: b.At.T(), Name: b.Behaviour})
	}
	return s
}

// scheduleKey maps the fault engine's field names to experiment keys.
func scheduleKey(field string) string {
	for _, m := range [][2]string{
		{"crashes", "crash"}, {"partitions", "partition"}, {"behaviours", "byzantine"},
		{".recover_at", ".recover"}, {".name", ".behaviour"},
	} {
		field = strings.Replace(field, m[0], m[1], 1)
	}
	return field
}

// byzantineReplicas returns the sorted ids of replicas given a Byzantine
// behaviour at any time.
func byzantineReplicas(e *Experiment) []int {
	seen := map[int]bool{}
	var ids []int
	for _, b := range e.Byzantine {
		if b.Behaviour != "" && !seen[b.Replica] {
			seen[b.Replica] = true
			ids = append(ids, b.Replica)
		}
	}
	sort.Ints(ids)
	return ids
}

var plotFormats = []string{"png", "svg", "pdf"}

func validateOutput(p *problems, o *OutputConfig) {
	if o.TimelineInterval <= 0 {
		p.add("output.timeline_interval", "must be > 0")
	}
	for i, f := range o.Formats {
		if !containsString(plotFormats, f) {
			p.add(fmt.Sprintf("output.formats[%d]", i), "unknown format %q (allowed: %s)", f, strings.Join(plotFormats, ", "))
		}
	}
}

// validateGST checks the post-GST check settings.
func validateGST(p *problems, e *Experiment, proto *protocols.Protocol) {
	c := &e.Checks
	if c.GST != nil && c.GSTRound != nil {
		p.add("checks.gst_round", "set together with checks.gst (allowed: one of them)")
	}
	if c.GST != nil && (*c.GST < 0 || *c.GST >= e.Duration) {
		p.add("checks.gst", "%v is outside the run (allowed: 0 to less than duration %v)", c.GST.T(), e.Duration.T())
	}
	if c.GSTRound != nil && *c.GSTRound < 0 {
		p.add("checks.gst_round", "%d is negative", *c.GSTRound)
	}
	if c.CommitBound != nil {
		switch {
		case c.GST == nil && c.GSTRound == nil:
			p.add("checks.commit_bound", "needs checks.gst or checks.gst_round")
		case *c.CommitBound && proto != nil && proto.CommitBound == nil:
			p.add("checks.commit_bound", "%s promises no commit bound (allowed: false)", proto.Name)
		}
	}
}
