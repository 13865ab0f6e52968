package sim

// TransitAction is what CorruptTransit does to one message in transit.
type TransitAction uint8

const (
	// TransitKeep leaves the message as it is.
	TransitKeep TransitAction = iota
	// TransitDrop drops the message: it is never delivered (dropped with
	// reason "transient").
	TransitDrop
	// TransitDuplicate delivers a copy of the message now, on top of the
	// original, which keeps its arrival time.
	TransitDuplicate
	// TransitReplace replaces the message's payload by another message,
	// delivered at the original's arrival time.
	TransitReplace
)

// Transit is a message between its send and its delivery, as
// CorruptTransit shows it.
type Transit struct {
	From, To NodeID
	Msg      Message
}

// CorruptTransit visits every message in transit — sent, not yet arrived at
// its receiver; not those waiting in a busy node's input queue — in a
// deterministic order (the order of the kernel's slots), and applies the
// action visit returns for it; replace is the new payload of a
// TransitReplace and is ignored otherwise. It models a transient fault of
// the network. Messages added by the visit itself (duplicates) are not
// visited. It returns how many messages it changed.
func (w *World) CorruptTransit(visit func(t Transit) (a TransitAction, replace Message)) int {
	changed := 0
	end := len(w.msgs.slots)
	for i := 0; i < end; i++ {
		f := &w.msgs.slots[i]
		if f.msg == nil || f.to < 0 {
			continue // a free slot, or already dropped
		}
		a, repl := visit(Transit{From: f.from, To: f.to, Msg: f.msg})
		switch a {
		case TransitDrop:
			f.to = ^f.to // delivery sees a negative receiver and drops it
		case TransitDuplicate:
			w.deliverAt(w.now, f.from, f.to, f.msg, int(f.kind))
			f = &w.msgs.slots[i] // the table may have grown
		case TransitReplace:
			if repl == nil {
				panic("sim: CorruptTransit: TransitReplace without a message")
			}
			f.msg = repl
			f.kind = int32(w.net.kinds.Index(repl.Kind()))
		default:
			continue
		}
		changed++
	}
	return changed
}

// SetClockOffset shifts the local clock of node id (what Env.Now returns)
// by d from now on; timers stay relative and keep their durations. It
// models a transient fault of a node's clock.
func (w *World) SetClockOffset(id NodeID, d Time) { w.state(id).clockOffset = d }

// ClockOffset returns the local clock offset of node id.
func (w *World) ClockOffset(id NodeID) Time { return w.state(id).clockOffset }
