package transcript

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// args are a command's arguments: positional words and key=value pairs.
type args struct {
	pos  []string
	keys map[string]string
	used map[string]bool
}

func parseArgs(words []string) (*args, error) {
	a := &args{keys: map[string]string{}, used: map[string]bool{}}
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			a.pos = append(a.pos, w)
			continue
		}
		if k == "" {
			return nil, fmt.Errorf("argument %q has no key", w)
		}
		if _, dup := a.keys[k]; dup {
			return nil, fmt.Errorf("argument %s given twice", k)
		}
		a.keys[k] = v
	}
	return a, nil
}

func (a *args) get(k string) (string, bool) {
	v, ok := a.keys[k]
	if ok {
		a.used[k] = true
	}
	return v, ok
}

func (a *args) int(k string, def int) (int, error) {
	v, ok := a.get(k)
	if !ok {
		return def, nil
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%s: want an integer", k, v)
	}
	return i, nil
}

// unused returns an error naming keys no one read.
func (a *args) unused(allowed string) error {
	var extra []string
	for k := range a.keys {
		if !a.used[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	return fmt.Errorf("unknown argument %s (allowed: %s)", strings.Join(extra, ", "), allowed)
}

// positional returns at most max positional words.
func (a *args) positional(max int, what string) ([]string, error) {
	if len(a.pos) > max {
		return nil, fmt.Errorf("unexpected %q (want %s)", a.pos[max], what)
	}
	return a.pos, nil
}

// command is one transcript command.
type command struct {
	usage string
	doc   string
	run   func(h *harness, a *args) error
}

// commands lists every command by name.
func commands() map[string]command {
	return map[string]command{
		"new": {"new n=N f=F [seed=S] [clients=C] [param=value ...]",
			"builds n replicas tolerating f faults with the protocol's parameters (defaults for those not given)", cmdNew},
		"start": {"start [ids]", "starts replicas (default all)", cmdStart},
		"request": {"request id=I [client=C] [value=V] [op=append|noop] [payload=B] [to=ids]",
			"a client sends a request to replicas (default all); it is in flight until delivered", cmdRequest},
		"deliver": {"deliver [from=ids|clientN] [to=ids] [kind=k,...] [count=N]",
			"delivers the matching messages in flight, in send order (not those sent meanwhile)", cmdDeliver},
		"drop":    {"drop [from=ids|clientN] [to=ids] [kind=k,...] [count=N]", "drops matching messages in flight", cmdDrop},
		"pending": {"pending", "lists the messages in flight", cmdPending},
		"stabilize": {"stabilize [quiet] [max=N]",
			"delivers the oldest message in flight until none is left; quiet counts the deliveries without visible effects instead of showing them", cmdStabilize},
		"tick": {"tick DURATION", "advances the clock, firing the timers due in (time, order set) order", cmdTick},
		"run": {"run DURATION [quiet]",
			"tick with instant delivery: every message in flight is delivered before the next timer fires; deliveries without visible effects are counted; quiet shows only observations and messages to clients, each with its time", cmdRun},
		"fire-timer":    {"fire-timer ID [kind=K]", "fires replica ID's earliest pending timer (of kind K), moving the clock to its time if later", cmdFireTimer},
		"crash":         {"crash ID", "the replica stops: it handles no more input, its timers and the messages in flight to it are dropped, and so is whatever is sent to it later", cmdCrash},
		"timers":        {"timers [ids]", "lists pending timers", cmdTimers},
		"set-attribute": {"set-attribute ID name=value", "the SetAttribute fault", cmdSetAttribute},
		"behaviour":     {"behaviour ID [name]", "switches a replica to a Byzantine behaviour, or back to honest", cmdBehaviour},
		"corrupt":       {"corrupt ID [scope=s,...] [seed=S]", "a transient fault of the named state", cmdCorrupt},
		"state":         {"state [ids]", "prints replicas' snapshots: round, committed log, protocol state", cmdState},
		"hide": {"hide [kind=k,...] [timer=K,...]",
			"stops showing sends of these message kinds and these timer kinds (they still happen); no arguments shows everything again", cmdHide},
	}
}

// run executes one command line.
func (h *harness) run(line string) error {
	words := strings.Fields(line)
	table := commands()
	c, ok := table[words[0]]
	if !ok {
		names := make([]string, 0, len(table))
		for n := range table {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("unknown command %q (known: %s)", words[0], strings.Join(names, ", "))
	}
	a, err := parseArgs(words[1:])
	if err != nil {
		return fmt.Errorf("%s: %w (usage: %s)", words[0], err, c.usage)
	}
	if words[0] != "new" && h.reps == nil {
		return errNoCluster
	}
	if err := c.run(h, a); err != nil {
		return fmt.Errorf("%s: %w (usage: %s)", words[0], err, c.usage)
	}
	return nil
}

// ids parses "all", "2", "0..3" or "0,2,5" into replica ids (clients
// when allowClients).
func (h *harness) ids(s string) ([]sim.NodeID, error) {
	if s == "all" || s == "" {
		out := make([]sim.NodeID, h.n)
		for i := range out {
			out[i] = sim.NodeID(i)
		}
		return out, nil
	}
	var out []sim.NodeID
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "..")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a > b {
			return nil, fmt.Errorf("bad replica list %q (want all, 2, 0..3 or 0,2,5)", s)
		}
		for i := a; i <= b; i++ {
			if i < 0 || i >= h.n {
				return nil, fmt.Errorf("replica %d is not one of 0..%d", i, h.n-1)
			}
			out = append(out, sim.NodeID(i))
		}
	}
	return out, nil
}

// idSet parses an optional key holding a replica list; nil means any.
func (h *harness) idSet(a *args, key string) (map[sim.NodeID]bool, error) {
	v, ok := a.get(key)
	if !ok {
		return nil, nil
	}
	set := map[sim.NodeID]bool{}
	if key == "from" && strings.HasPrefix(v, "client") {
		// Clients are named clientN, N their node id.
		c, err := strconv.Atoi(strings.TrimPrefix(v, "client"))
		if err != nil || c < h.n || c >= h.n+h.clients {
			return nil, fmt.Errorf("from=%s: no such client (clients are %d..%d)", v, h.n, h.n+h.clients-1)
		}
		set[sim.NodeID(c)] = true
		return set, nil
	}
	ids, err := h.ids(v)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		set[id] = true
	}
	return set, nil
}

// oneID parses the single positional replica id of a command.
func (h *harness) oneID(a *args) (sim.NodeID, error) {
	if len(a.pos) == 0 {
		return 0, fmt.Errorf("missing replica id")
	}
	i, err := strconv.Atoi(a.pos[0])
	if err != nil || i < 0 || i >= h.n {
		return 0, fmt.Errorf("replica %q is not one of 0..%d", a.pos[0], h.n-1)
	}
	if !h.started[i] {
		return 0, fmt.Errorf("replica %d is not started", i)
	}
	if h.crashed[i] {
		return 0, fmt.Errorf("replica %d crashed", i)
	}
	return sim.NodeID(i), nil
}

func cmdNew(h *harness, a *args) error {
	if _, err := a.positional(0, "key=value arguments"); err != nil {
		return err
	}
	n, err := a.int("n", 0)
	if err != nil {
		return err
	}
	f, err := a.int("f", -1)
	if err != nil {
		return err
	}
	clients, err := a.int("clients", 1)
	if err != nil {
		return err
	}
	seed, err := a.int("seed", 1)
	if err != nil {
		return err
	}
	switch {
	case n < 1 || n > 64:
		return fmt.Errorf("n=%d: want 1 … 64 replicas", n)
	case f < 0 || f > h.proto.MaxFaulty(n):
		return fmt.Errorf("f=%d: %s tolerates 0 … %d faults with n=%d", f, h.proto.Name, h.proto.MaxFaulty(n), n)
	case clients < 0 || clients > 16:
		return fmt.Errorf("clients=%d: want 0 … 16", clients)
	case seed < 0:
		return fmt.Errorf("seed=%d: want a non-negative seed", seed)
	}
	params := protocols.Defaults(h.proto.Params)
	for k, v := range a.keys {
		if a.used[k] {
			continue
		}
		spec, ok := h.proto.Param(k)
		if !ok {
			continue // reported by unused below
		}
		a.used[k] = true
		val, err := convertParam(spec, v)
		if err != nil {
			return fmt.Errorf("%s=%s: %w", k, v, err)
		}
		params[k] = val
	}
	if err := a.unused("n, f, seed, clients and the parameters of " + h.proto.Name); err != nil {
		return err
	}
	if err := h.build(n, f, clients, uint64(seed), params); err != nil {
		return err
	}
	h.printf("%d replicas of %s (f=%d), clients %d..%d", n, h.proto.Name, f, n, n+clients-1)
	return nil
}

// convertParam converts a parameter's text to its spec's Go type.
func convertParam(spec protocols.ParamSpec, v string) (any, error) {
	var out any
	var num float64
	switch spec.Type {
	case protocols.ParamInt:
		i, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want an integer")
		}
		out, num = i, float64(i)
	case protocols.ParamFloat:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("want a number")
		}
		out, num = x, x
	case protocols.ParamBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("want true or false")
		}
		return b, nil
	case protocols.ParamString:
		if len(spec.Enum) > 0 && !slices.Contains(spec.Enum, v) {
			return nil, fmt.Errorf("want one of %s", strings.Join(spec.Enum, ", "))
		}
		return v, nil
	case protocols.ParamDuration:
		d, err := sim.ParseDuration(v)
		if err != nil {
			return nil, err
		}
		out, num = d, float64(d)
	default:
		return nil, fmt.Errorf("parameter type %v is not supported", spec.Type)
	}
	if spec.Max > spec.Min && (num < spec.Min || num > spec.Max) {
		return nil, fmt.Errorf("want %v … %v", spec.Min, spec.Max)
	}
	return out, nil
}

// onlyReplicas reads the argument of a command that takes one replica list
// and no key=value argument.
func onlyReplicas(h *harness, a *args) ([]sim.NodeID, error) {
	pos, err := a.positional(1, "a replica list")
	if err != nil {
		return nil, err
	}
	if err := a.unused("none"); err != nil {
		return nil, err
	}
	return h.ids(strings.Join(pos, ""))
}

func cmdStart(h *harness, a *args) error {
	ids, err := onlyReplicas(h, a)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if h.started[id] {
			return fmt.Errorf("replica %d is already started", id)
		}
		h.started[id] = true
		if _, err := h.input(id, fmt.Sprintf("%d start", id), false, false, func(r protocols.Replica, e sim.Env) { r.Start(e) }); err != nil {
			return err
		}
	}
	return nil
}

func cmdRequest(h *harness, a *args) error {
	if _, err := a.positional(0, "key=value arguments"); err != nil {
		return err
	}
	if h.clients == 0 {
		return fmt.Errorf("the replicas were built with clients=0")
	}
	id, err := a.int("id", -1)
	if err != nil {
		return err
	}
	client, err := a.int("client", h.n)
	if err != nil {
		return err
	}
	value, err := a.int("value", id)
	if err != nil {
		return err
	}
	payload, err := a.int("payload", 16)
	if err != nil {
		return err
	}
	op := protocols.OpAppend
	if v, ok := a.get("op"); ok {
		switch v {
		case "append":
		case "noop":
			op = protocols.OpNoop
		default:
			return fmt.Errorf("op=%s: want append or noop", v)
		}
	}
	to, err := h.ids(valueOr(a, "to", "all"))
	if err != nil {
		return err
	}
	if err := a.unused("id, client, value, op, payload, to"); err != nil {
		return err
	}
	switch {
	case id < 0:
		return fmt.Errorf("missing id=I (I ≥ 0)")
	case client < h.n || client >= h.n+h.clients:
		return fmt.Errorf("client=%d: clients are %d..%d", client, h.n, h.n+h.clients-1)
	case payload < 0 || payload > protocols.MaxPayload:
		return fmt.Errorf("payload=%d: want 0 … %d bytes", payload, protocols.MaxPayload)
	}
	q := &protocols.Request{Client: sim.NodeID(client), ID: uint64(id), Op: op, Value: int64(value), Payload: payload}
	names := make([]string, len(to))
	for i, r := range to {
		names[i] = strconv.Itoa(int(r))
		h.enqueue(q.Client, r, q)
	}
	h.printf("client %d: send %s %s", client, strings.Join(names, ","), describe(q))
	return nil
}

func valueOr(a *args, k, def string) string {
	if v, ok := a.get(k); ok {
		return v
	}
	return def
}

// filter selects messages in flight.
type filter struct {
	from, to map[sim.NodeID]bool
	kinds    map[string]bool
	count    int
}

func (h *harness) parseFilter(a *args) (filter, error) {
	var f filter
	var err error
	if _, err = a.positional(0, "key=value arguments"); err != nil {
		return f, err
	}
	if f.from, err = h.idSet(a, "from"); err != nil {
		return f, err
	}
	if f.to, err = h.idSet(a, "to"); err != nil {
		return f, err
	}
	if v, ok := a.get("kind"); ok {
		f.kinds = map[string]bool{}
		for _, k := range strings.Split(v, ",") {
			if !h.proto.HasKind(k) && k != protocols.KindRequest {
				return f, fmt.Errorf("kind=%s: %s has no message kind %q (kinds: %s)", v, h.proto.Name, k, strings.Join(h.proto.MessageKinds, ", "))
			}
			f.kinds[k] = true
		}
	}
	if f.count, err = a.int("count", -1); err != nil {
		return f, err
	}
	return f, a.unused("from, to, kind, count")
}

func (f filter) match(m envelope) bool {
	return (f.from == nil || f.from[m.from]) && (f.to == nil || f.to[m.to]) && (f.kinds == nil || f.kinds[m.msg.Kind()])
}

// selected returns the indices of the matching messages in flight, at most
// count of them.
func (h *harness) selected(f filter) []int {
	var out []int
	for i, m := range h.inflight {
		if f.count >= 0 && len(out) == f.count {
			break
		}
		if f.match(m) {
			out = append(out, i)
		}
	}
	return out
}

func cmdDeliver(h *harness, a *args) error {
	f, err := h.parseFilter(a)
	if err != nil {
		return err
	}
	// Deliver the messages in flight now, not those sent meanwhile: mark
	// them by identity of their position among the current ones.
	batch := make([]envelope, 0)
	for _, i := range h.selected(f) {
		batch = append(batch, h.inflight[i])
	}
	if len(batch) == 0 {
		h.printf("(no message in flight matches)")
		return nil
	}
	q := quietCounter{}
	for _, m := range batch {
		if !h.started[m.to] {
			return fmt.Errorf("replica %d is not started", m.to)
		}
		i := h.index(m)
		if err := h.deliver(i, false, q); err != nil {
			return err
		}
	}
	q.print(h)
	return nil
}

// index finds a message in flight (the first with its sender, receiver
// and payload: delivering it keeps per-link FIFO order).
func (h *harness) index(m envelope) int {
	for i, x := range h.inflight {
		if x.from == m.from && x.to == m.to && sameMessage(x.msg, m.msg) {
			return i
		}
	}
	panic("transcript: a selected message left the network")
}

func cmdDrop(h *harness, a *args) error {
	f, err := h.parseFilter(a)
	if err != nil {
		return err
	}
	sel := h.selected(f)
	if len(sel) == 0 {
		h.printf("(no message in flight matches)")
		return nil
	}
	for _, i := range sel {
		m := h.inflight[i]
		h.printf("dropped %d->%d %s", m.from, m.to, describe(m.msg))
	}
	for k := len(sel) - 1; k >= 0; k-- {
		h.inflight = append(h.inflight[:sel[k]], h.inflight[sel[k]+1:]...)
	}
	return nil
}

func cmdPending(h *harness, a *args) error {
	if _, err := a.positional(0, "no arguments"); err != nil {
		return err
	}
	if err := a.unused("none"); err != nil {
		return err
	}
	if len(h.inflight) == 0 {
		h.printf("(no message in flight)")
	}
	for _, m := range h.inflight {
		h.printf("%d->%d %s", m.from, m.to, describe(m.msg))
	}
	return nil
}

func cmdStabilize(h *harness, a *args) error {
	pos, err := a.positional(1, "quiet")
	if err != nil {
		return err
	}
	quiet := len(pos) == 1 && pos[0] == "quiet"
	if len(pos) == 1 && !quiet {
		return fmt.Errorf("unexpected %q (want quiet)", pos[0])
	}
	limit, err := a.int("max", defaultMaxSteps)
	if err != nil {
		return err
	}
	if err := a.unused("max"); err != nil {
		return err
	}
	q := quietCounter{}
	for steps := 0; ; steps++ {
		i := h.nextDelivery()
		if i < 0 {
			if steps == 0 {
				h.printf("(no message in flight)")
			}
			break
		}
		if steps == limit {
			q.print(h)
			return fmt.Errorf("still %d messages in flight after %d deliveries", len(h.inflight), limit)
		}
		if err := h.deliver(i, quiet, q); err != nil {
			return err
		}
	}
	q.print(h)
	return nil
}

func cmdTick(h *harness, a *args) error {
	pos, err := a.positional(1, "one duration")
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("missing duration")
	}
	d, err := sim.ParseDuration(pos[0])
	if err != nil {
		return err
	}
	if err := a.unused("none"); err != nil {
		return err
	}
	until := h.now + d
	q := quietCounter{}
	for steps := 0; ; steps++ {
		i := h.earliest(func(t timer) bool { return t.at <= until })
		if i < 0 {
			break
		}
		if steps == defaultMaxSteps {
			return fmt.Errorf("more than %d timers fire before %v", defaultMaxSteps, until)
		}
		if err := h.fire(i, false, q); err != nil {
			return err
		}
	}
	h.now = until
	q.print(h)
	h.printf("now %v", h.now)
	return nil
}

// earliest returns the index of the first pending timer by (time, id)
// that ok accepts, or −1.
func (h *harness) earliest(ok func(timer) bool) int {
	best := -1
	for i, t := range h.timers {
		if !ok(t) {
			continue
		}
		if best < 0 || t.at < h.timers[best].at || (t.at == h.timers[best].at && t.id < h.timers[best].id) {
			best = i
		}
	}
	return best
}

func cmdFireTimer(h *harness, a *args) error {
	if _, err := a.positional(1, "one replica id"); err != nil {
		return err
	}
	id, err := h.oneID(a)
	if err != nil {
		return err
	}
	kind, err := a.int("kind", -1)
	if err != nil {
		return err
	}
	if err := a.unused("kind"); err != nil {
		return err
	}
	i := h.earliest(func(t timer) bool { return t.node == id && (kind < 0 || t.kind == kind) })
	if i < 0 {
		return fmt.Errorf("replica %d has no pending timer of kind %d", id, kind)
	}
	return h.fire(i, false, quietCounter{})
}

func cmdTimers(h *harness, a *args) error {
	ids, err := onlyReplicas(h, a)
	if err != nil {
		return err
	}
	want := map[sim.NodeID]bool{}
	for _, id := range ids {
		want[id] = true
	}
	ts := append([]timer(nil), h.timers...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].at < ts[j].at || (ts[i].at == ts[j].at && ts[i].id < ts[j].id) })
	shown := 0
	for _, t := range ts {
		if want[t.node] && !h.hideTimers[t.kind] {
			h.printf("%d %s", t.node, h.describeTimer(t))
			shown++
		}
	}
	if shown == 0 {
		h.printf("(no pending timer)")
	}
	return nil
}

func cmdSetAttribute(h *harness, a *args) error {
	if _, err := a.positional(1, "one replica id"); err != nil {
		return err
	}
	id, err := h.oneID(a)
	if err != nil {
		return err
	}
	if len(a.keys) != 1 {
		return fmt.Errorf("want exactly one name=value")
	}
	for name, v := range a.keys {
		a.used[name] = true
		spec, ok := h.proto.Attribute(name)
		if !ok {
			return fmt.Errorf("%s has no attribute %q (attributes: %s)", h.proto.Name, name, h.proto.AttributeList())
		}
		if spec.Type == protocols.AttrReplica {
			v = strings.TrimPrefix(v, "replica")
		}
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%s=%s: want an integer", name, v)
		}
		if err := h.reps[id].SetAttribute(name, x); err != nil {
			h.printf("error: %v", err)
			return nil
		}
		h.printf("%d: %s = %d", id, name, x)
	}
	return nil
}

func cmdBehaviour(h *harness, a *args) error {
	pos, err := a.positional(2, "a replica id and a behaviour")
	if err != nil {
		return err
	}
	i, err := strconv.Atoi(valueAt(pos, 0))
	if err != nil || i < 0 || i >= h.n {
		return fmt.Errorf("replica %q is not one of 0..%d", valueAt(pos, 0), h.n-1)
	}
	if err := a.unused("none"); err != nil {
		return err
	}
	name := valueAt(pos, 1)
	if name != "" && !h.proto.HasBehaviour(name) {
		return fmt.Errorf("%s has no behaviour %q", h.proto.Name, name)
	}
	if err := h.reps[i].SetBehaviour(name); err != nil {
		h.printf("error: %v", err)
		return nil
	}
	if name == "" {
		name = "honest"
	}
	h.printf("%d: behaviour %s", i, name)
	return nil
}

func valueAt(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

func cmdCorrupt(h *harness, a *args) error {
	if _, err := a.positional(1, "one replica id"); err != nil {
		return err
	}
	id, err := h.oneID(a)
	if err != nil {
		return err
	}
	var scope []string
	if v, ok := a.get("scope"); ok {
		scope = strings.Split(v, ",")
		for _, s := range scope {
			if !h.proto.HasScope(s) {
				return fmt.Errorf("scope=%s: %s has no corruption scope %q (scopes: %s)", v, h.proto.Name, s, h.proto.ScopeList())
			}
		}
	}
	seed, err := a.int("seed", 1)
	if err != nil {
		return err
	}
	if err := a.unused("scope, seed"); err != nil {
		return err
	}
	if err := h.reps[id].Corrupt(h.rng("corrupt", int64(id), int64(seed)), scope); err != nil {
		h.printf("error: %v", err)
		return nil
	}
	h.printf("%d: corrupted %s", id, strings.Join(append([]string(nil), scopeOrAll(scope)...), ","))
	return nil
}

func scopeOrAll(scope []string) []string {
	if len(scope) == 0 {
		return []string{"everything"}
	}
	return scope
}

func cmdState(h *harness, a *args) error {
	ids, err := onlyReplicas(h, a)
	if err != nil {
		return err
	}
	for _, id := range ids {
		s := h.reps[id].Snapshot()
		log := make([]string, len(s.Log))
		for i, d := range s.Log {
			log[i] = strconv.FormatUint(uint64(d), 16)
		}
		line := fmt.Sprintf("%d: round:%d log:[%s]", id, s.Round, strings.Join(log, " "))
		if s.State != nil {
			line += fmt.Sprintf(" state:%+v", s.State)
		}
		h.printf("%s", line)
	}
	return nil
}

func cmdHide(h *harness, a *args) error {
	if _, err := a.positional(0, "key=value arguments"); err != nil {
		return err
	}
	h.hideKinds, h.hideTimers = map[string]bool{}, map[int]bool{}
	if v, ok := a.get("kind"); ok {
		for _, k := range strings.Split(v, ",") {
			if !h.proto.HasKind(k) && k != protocols.KindRequest {
				return fmt.Errorf("kind=%s: %s has no message kind %q", v, h.proto.Name, k)
			}
			h.hideKinds[k] = true
		}
	}
	if v, ok := a.get("timer"); ok {
		for _, k := range strings.Split(v, ",") {
			x, err := strconv.Atoi(k)
			if err != nil {
				return fmt.Errorf("timer=%s: want timer kinds (integers)", v)
			}
			h.hideTimers[x] = true
		}
	}
	if err := a.unused("kind, timer"); err != nil {
		return err
	}
	h.printf("ok")
	return nil
}

func cmdRun(h *harness, a *args) error {
	pos, err := a.positional(2, "a duration and quiet")
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("missing duration")
	}
	d, err := sim.ParseDuration(pos[0])
	if err != nil {
		return err
	}
	quiet := len(pos) == 2 && pos[1] == "quiet"
	if len(pos) == 2 && !quiet {
		return fmt.Errorf("unexpected %q (want quiet)", pos[1])
	}
	if err := a.unused("none"); err != nil {
		return err
	}
	until := h.now + d
	q := quietCounter{}
	timers, deliveries := 0, 0
	for steps := 0; ; steps++ {
		if steps == defaultMaxSteps {
			return fmt.Errorf("more than %d inputs before %v", defaultMaxSteps, until)
		}
		if next := h.nextDelivery(); next >= 0 {
			deliveries++
			if quiet {
				m := h.inflight[next]
				h.inflight = append(h.inflight[:next], h.inflight[next+1:]...)
				err = h.observeOnly(m.to, func(r protocols.Replica) { r.Deliver(m.from, m.msg) })
			} else {
				err = h.deliver(next, true, q)
			}
			if err != nil {
				return err
			}
			continue
		}
		i := h.earliest(func(t timer) bool { return t.at <= until })
		if i < 0 {
			break
		}
		timers++
		if quiet {
			t := h.timers[i]
			h.timers = append(h.timers[:i], h.timers[i+1:]...)
			h.now = max(h.now, t.at)
			err = h.observeOnly(t.node, func(r protocols.Replica) { r.Fire(sim.Timer{ID: t.id, Kind: t.kind, Data: t.data}) })
		} else {
			err = h.fire(i, false, q)
		}
		if err != nil {
			return err
		}
	}
	h.now = until
	q.print(h)
	h.printf("now %v after %d timers and %d deliveries", h.now, timers, deliveries)
	return nil
}

// nextDelivery returns the index of the oldest message in flight to a
// started replica, or −1.
func (h *harness) nextDelivery() int {
	for k, m := range h.inflight {
		if h.started[m.to] {
			return k
		}
	}
	return -1
}

// observeOnly runs one input and prints only its observations.
func (h *harness) observeOnly(id sim.NodeID, run func(protocols.Replica)) (err error) {
	e := h.envs[id]
	e.charged, e.effects = 0, e.effects[:0]
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("replica %d panicked: %v", id, p)
		}
	}()
	run(h.reps[id])
	for _, ef := range e.effects {
		switch {
		case ef.kind == effObserve:
			h.printf("%v %d observe %s", h.now, id, describeObservation(ef.obs))
		case ef.kind == effSend && int(ef.to) >= h.n && !h.hideKinds[ef.msg.Kind()]:
			h.printf("%v %d send %d %s", h.now, id, ef.to, describe(ef.msg))
		}
	}
	return nil
}

func cmdCrash(h *harness, a *args) error {
	if _, err := a.positional(1, "one replica id"); err != nil {
		return err
	}
	id, err := h.oneID(a)
	if err != nil {
		return err
	}
	if err := a.unused("none"); err != nil {
		return err
	}
	h.crashed[id] = true
	kept := h.inflight[:0]
	dropped := 0
	for _, m := range h.inflight {
		if m.to == id {
			dropped++
			continue
		}
		kept = append(kept, m)
	}
	h.inflight = kept
	timers := h.timers[:0]
	for _, t := range h.timers {
		if t.node != id {
			timers = append(timers, t)
		}
	}
	h.printf("%d crashed: dropped %d messages in flight to it and %d timers", id, dropped, len(h.timers)-len(timers))
	h.timers = timers
	return nil
}
