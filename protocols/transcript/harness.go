package transcript

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// envelope is a message in flight: sent, not yet delivered or dropped.
type envelope struct {
	from, to sim.NodeID
	msg      sim.Message
}

// timer is a pending timer of a replica.
type timer struct {
	id   sim.TimerID
	node sim.NodeID
	at   sim.Time
	kind int
	data int64
}

// defaultMaxSteps bounds the inputs of one stabilize or tick.
const defaultMaxSteps = 100000

// harness drives the replicas of one protocol input by input. The network
// is a list of messages in flight in send order; nothing is delivered and
// no timer fires unless a command says so.
type harness struct {
	proto   *protocols.Protocol
	n, f    int
	clients int
	seed    uint64
	reps    []protocols.Replica
	envs    []*env
	started []bool
	crashed []bool

	now       sim.Time
	inflight  []envelope
	timers    []timer // pending, in the order they were set
	nextTimer sim.TimerID

	hideKinds  map[string]bool
	hideTimers map[int]bool

	out []string
}

func newHarness(p *protocols.Protocol) *harness {
	return &harness{proto: p, hideKinds: map[string]bool{}, hideTimers: map[int]bool{}}
}

// printf adds one output line.
func (h *harness) printf(format string, args ...any) {
	h.out = append(h.out, oneLine(fmt.Sprintf(format, args...)))
}

// oneLine keeps an output on a single non-blank line.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", `\n`)
	if strings.TrimSpace(s) == "" {
		return "(empty)"
	}
	return s
}

func (h *harness) enqueue(from, to sim.NodeID, msg sim.Message) {
	if to >= 0 && int(to) < h.n && !h.crashed[to] {
		h.inflight = append(h.inflight, envelope{from: from, to: to, msg: msg})
	}
}

func (h *harness) addTimer(node sim.NodeID, at sim.Time, kind int, data int64) timer {
	h.nextTimer++
	t := timer{id: h.nextTimer, node: node, at: at, kind: kind, data: data}
	h.timers = append(h.timers, t)
	return t
}

func (h *harness) cancelTimer(node sim.NodeID, id sim.TimerID) (timer, bool) {
	for i, t := range h.timers {
		if t.id == id && t.node == node {
			h.timers = append(h.timers[:i], h.timers[i+1:]...)
			return t, true
		}
	}
	return timer{}, false
}

// input runs one input of replica id and prints it: the header line, then
// its visible effects indented. It reports whether anything was visible
// besides the header and the CPU charged. When quiet is set, an input
// without observations that is hidden (its message or timer kind) or has
// no visible effect prints nothing.
func (h *harness) input(id sim.NodeID, header string, hidden, quiet bool, run func(r protocols.Replica, e sim.Env)) (visible bool, err error) {
	e := h.envs[id]
	e.charged, e.effects = 0, e.effects[:0]
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("replica %d panicked on %s: %v", id, header, p)
		}
	}()
	run(h.reps[id], e)
	lines := h.effectLines(e.effects)
	observed := false
	for _, ef := range e.effects {
		observed = observed || ef.kind == effObserve
	}
	// Observations are always shown, with the input they came from.
	if quiet && !observed && (hidden || len(lines) == 0) {
		return false, nil
	}
	h.printf("%s", header)
	for _, l := range lines {
		h.printf("  %s", l)
	}
	if e.charged > 0 {
		h.printf("  cpu %v", e.charged)
	}
	return len(lines) > 0, nil
}

// effectLines formats effects; consecutive sends of one message to
// several nodes share a line.
func (h *harness) effectLines(effs []effect) []string {
	var lines []string
	for i := 0; i < len(effs); i++ {
		ef := effs[i]
		switch ef.kind {
		case effSend:
			if h.hideKinds[ef.msg.Kind()] {
				continue
			}
			// Consecutive sends that print alike share a line.
			to := []string{strconv.Itoa(int(ef.to))}
			text := describe(ef.msg)
			for i+1 < len(effs) && effs[i+1].kind == effSend && (sameMessage(effs[i+1].msg, ef.msg) || describe(effs[i+1].msg) == text) {
				i++
				to = append(to, strconv.Itoa(int(effs[i].to)))
			}
			lines = append(lines, fmt.Sprintf("send %s %s", strings.Join(to, ","), text))
		case effBroadcast:
			if !h.hideKinds[ef.msg.Kind()] {
				lines = append(lines, "broadcast "+describe(ef.msg))
			}
		case effSetTimer:
			if !h.hideTimers[ef.timer.kind] {
				lines = append(lines, "set "+h.describeTimer(ef.timer))
			}
		case effCancelTimer:
			if !h.hideTimers[ef.timer.kind] {
				lines = append(lines, "cancel "+h.describeTimer(ef.timer))
			}
		case effObserve:
			lines = append(lines, "observe "+describeObservation(ef.obs))
		}
	}
	return lines
}

// sameMessage reports whether a and b are one message (one payload).
func sameMessage(a, b sim.Message) (same bool) {
	defer func() {
		if recover() != nil {
			same = false // incomparable values are not one payload
		}
	}()
	return a == b
}

// describe prints a message through its String method, or its kind.
func describe(m sim.Message) string {
	if s, ok := m.(fmt.Stringer); ok {
		return s.String()
	}
	return m.Kind() + "{}"
}

func describeObservation(o sim.Observation) string {
	if s, ok := o.(fmt.Stringer); ok {
		return o.Event() + " " + s.String()
	}
	return o.Event()
}

func (h *harness) describeTimer(t timer) string {
	return fmt.Sprintf("timer #%d kind:%d data:%d at %v", t.id, t.kind, t.data, t.at)
}

// quietCounter counts the inputs a command did not print, by label.
type quietCounter map[string]int

func (q quietCounter) print(h *harness) {
	if len(q) == 0 {
		return
	}
	labels := make([]string, 0, len(q))
	total := 0
	for l, c := range q {
		labels = append(labels, l)
		total += c
	}
	sort.Strings(labels)
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = fmt.Sprintf("%s %d", l, q[l])
	}
	h.printf("(%d more inputs without visible effects: %s)", total, strings.Join(parts, ", "))
}

// deliver hands message i of the network to its receiver.
func (h *harness) deliver(i int, quiet bool, q quietCounter) error {
	m := h.inflight[i]
	h.inflight = append(h.inflight[:i], h.inflight[i+1:]...)
	header := fmt.Sprintf("%d->%d %s", m.from, m.to, describe(m.msg))
	hidden := h.hideKinds[m.msg.Kind()]
	shown, err := h.input(m.to, header, hidden, quiet || hidden, func(r protocols.Replica, _ sim.Env) { r.Deliver(m.from, m.msg) })
	if err == nil && !shown && (quiet || hidden) {
		q[m.msg.Kind()]++
	}
	return err
}

// fire fires pending timer i.
func (h *harness) fire(i int, quiet bool, q quietCounter) error {
	t := h.timers[i]
	h.timers = append(h.timers[:i], h.timers[i+1:]...)
	h.now = max(h.now, t.at)
	header := fmt.Sprintf("%d fires %s", t.node, h.describeTimer(t))
	hidden := h.hideTimers[t.kind]
	shown, err := h.input(t.node, header, hidden, quiet || hidden, func(r protocols.Replica, _ sim.Env) {
		r.Fire(sim.Timer{ID: t.id, Kind: t.kind, Data: t.data})
	})
	if err == nil && !shown && (quiet || hidden) {
		q[fmt.Sprintf("timer:%d", t.kind)]++
	}
	return err
}

// errNoCluster is returned by commands that need a "new" first.
var errNoCluster = errors.New(`no replicas yet: the transcript must start with "new"`)

// build makes the replicas.
func (h *harness) build(n, f, clients int, seed uint64, params protocols.Params) error {
	h.n, h.f, h.clients, h.seed = n, f, clients, seed
	h.reps, h.envs, h.started, h.crashed = make([]protocols.Replica, n), make([]*env, n), make([]bool, n), make([]bool, n)
	h.now, h.inflight, h.timers, h.nextTimer = 0, nil, nil, 0
	for i := range n {
		id := sim.NodeID(i)
		r, err := h.proto.New(protocols.Config{ID: id, N: n, F: f, Clients: clients, Params: params,
			Costs: protocols.DefaultCosts(), Seed: seed})
		if err != nil {
			return fmt.Errorf("replica %d: %w", i, err)
		}
		h.reps[i] = r
		h.envs[i] = &env{h: h, id: id, rng: sim.Stream(seed, "transcript", int64(i))}
	}
	return nil
}

// rng returns a stream for a command's random choices (corrupt).
func (h *harness) rng(name string, labels ...int64) *rand.Rand {
	return sim.Stream(h.seed, "transcript/"+name, labels...)
}
