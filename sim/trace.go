package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// Tracer sees everything that happens in a World, in event order. Tracing
// costs time; it is opt-in.
type Tracer interface {
	// Sent is called when a message leaves its sender (at the sender's
	// local clock), before faults and loss are applied.
	Sent(at Time, from, to NodeID, msg Message)
	// Dropped is called when a message is lost; why says how ("loss",
	// "partition", "crashed", "not started", or an interceptor's reason).
	Dropped(at Time, from, to NodeID, msg Message, why string)
	// Delivered is called when a node starts handling a message.
	Delivered(at Time, from, to NodeID, msg Message)
	// Fired is called when a node starts handling a timer.
	Fired(at Time, node NodeID, t Timer)
	// Observed is called for every observation, at the node's local clock.
	Observed(at Time, node NodeID, o Observation)
}

// Tracers fans events out to several tracers.
type Tracers []Tracer

// Sent implements Tracer.
func (ts Tracers) Sent(at Time, from, to NodeID, msg Message) {
	for _, t := range ts {
		t.Sent(at, from, to, msg)
	}
}

// Dropped implements Tracer.
func (ts Tracers) Dropped(at Time, from, to NodeID, msg Message, why string) {
	for _, t := range ts {
		t.Dropped(at, from, to, msg, why)
	}
}

// Delivered implements Tracer.
func (ts Tracers) Delivered(at Time, from, to NodeID, msg Message) {
	for _, t := range ts {
		t.Delivered(at, from, to, msg)
	}
}

// Fired implements Tracer.
func (ts Tracers) Fired(at Time, node NodeID, tm Timer) {
	for _, t := range ts {
		t.Fired(at, node, tm)
	}
}

// Observed implements Tracer.
func (ts Tracers) Observed(at Time, node NodeID, o Observation) {
	for _, t := range ts {
		t.Observed(at, node, o)
	}
}

// JSONLTracer writes one JSON object per line:
//
//	{"t":1500000,"ev":"send","from":0,"to":1,"kind":"vote","size":120,"msg":"..."}
//
// t is virtual nanoseconds. msg is the message's String() when it has one.
// Call Flush at the end of the run.
type JSONLTracer struct {
	w   *bufio.Writer
	buf []byte
	err error
}

// NewJSONLTracer returns a tracer writing to w.
func NewJSONLTracer(w io.Writer) *JSONLTracer {
	return &JSONLTracer{w: bufio.NewWriterSize(w, 64<<10)}
}

// Flush writes buffered lines and returns the first write error, if any.
func (t *JSONLTracer) Flush() error {
	if err := t.w.Flush(); err != nil && t.err == nil {
		t.err = err
	}
	return t.err
}

func (t *JSONLTracer) head(at Time, ev string) {
	t.buf = append(t.buf[:0], `{"t":`...)
	t.buf = strconv.AppendInt(t.buf, int64(at), 10)
	t.buf = append(t.buf, `,"ev":"`...)
	t.buf = append(t.buf, ev...)
	t.buf = append(t.buf, '"')
}

func (t *JSONLTracer) field(key string, v int64) {
	t.buf = append(t.buf, `,"`...)
	t.buf = append(t.buf, key...)
	t.buf = append(t.buf, `":`...)
	t.buf = strconv.AppendInt(t.buf, v, 10)
}

func (t *JSONLTracer) str(key, v string) {
	t.buf = append(t.buf, `,"`...)
	t.buf = append(t.buf, key...)
	t.buf = append(t.buf, `":`...)
	q, _ := json.Marshal(v)
	t.buf = append(t.buf, q...)
}

func (t *JSONLTracer) message(msg Message) {
	t.str("kind", msg.Kind())
	t.field("size", int64(msg.Size()))
	if s, ok := msg.(fmt.Stringer); ok {
		t.str("msg", s.String())
	}
}

func (t *JSONLTracer) end() {
	t.buf = append(t.buf, "}\n"...)
	if _, err := t.w.Write(t.buf); err != nil && t.err == nil {
		t.err = err
	}
}

func (t *JSONLTracer) msgEvent(at Time, ev string, from, to NodeID, msg Message) {
	t.head(at, ev)
	t.field("from", int64(from))
	t.field("to", int64(to))
	t.message(msg)
}

// Sent implements Tracer.
func (t *JSONLTracer) Sent(at Time, from, to NodeID, msg Message) {
	t.msgEvent(at, "send", from, to, msg)
	t.end()
}

// Dropped implements Tracer.
func (t *JSONLTracer) Dropped(at Time, from, to NodeID, msg Message, why string) {
	t.msgEvent(at, "drop", from, to, msg)
	t.str("why", why)
	t.end()
}

// Delivered implements Tracer.
func (t *JSONLTracer) Delivered(at Time, from, to NodeID, msg Message) {
	t.msgEvent(at, "deliver", from, to, msg)
	t.end()
}

// Fault writes a line for one action of a fault rule on a message sent at
// time at (the message's "send" line precedes it, and its "drop" line, if
// the rule dropped it, follows):
//
//	{"t":1500000,"ev":"fault","rule":2,"type":"loss","from":0,"to":1,"kind":"vote","size":120,"msg":"..."}
//
// rule is the rule's index in experiment order and typ what it did.
func (t *JSONLTracer) Fault(at Time, rule int, typ string, from, to NodeID, msg Message) {
	t.head(at, "fault")
	t.field("rule", int64(rule))
	t.str("type", typ)
	t.field("from", int64(from))
	t.field("to", int64(to))
	t.message(msg)
	t.end()
}

// Fired implements Tracer.
func (t *JSONLTracer) Fired(at Time, node NodeID, tm Timer) {
	t.head(at, "timer")
	t.field("node", int64(node))
	t.field("kind", int64(tm.Kind))
	t.field("data", tm.Data)
	t.end()
}

// Observed implements Tracer.
func (t *JSONLTracer) Observed(at Time, node NodeID, o Observation) {
	t.head(at, "observe")
	t.field("node", int64(node))
	t.str("event", o.Event())
	if s, ok := o.(fmt.Stringer); ok {
		t.str("detail", s.String())
	}
	t.end()
}
