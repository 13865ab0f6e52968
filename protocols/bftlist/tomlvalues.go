package bftlist

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// values reads decoded TOML values (int64, bool, string, []any,
// map[string]any) strictly, recording every problem under its key path.
type values struct {
	n, clients int
	errs       protocols.KeyErrors
}

// maxEntries bounds the lists of a start state.
const maxEntries = 1 << 16

func kind(v any) string {
	switch v.(type) {
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func (r *values) bad(key string, v any, want string) {
	r.errs.Add(key, "%s is %s (allowed: %s)", describe(v), kind(v), want)
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case []any, map[string]any:
		return "value"
	}
	return fmt.Sprint(v)
}

func (r *values) int(key string, v any, lo, hi int64) (int64, bool) {
	x, ok := v.(int64)
	if !ok {
		r.bad(key, v, fmt.Sprintf("an integer from %d to %d", lo, hi))
		return 0, false
	}
	if x < lo || x > hi {
		r.errs.Add(key, "%d is out of range (allowed: %d to %d)", x, lo, hi)
		return 0, false
	}
	return x, true
}

func (r *values) bool(key string, v any) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		r.bad(key, v, "true or false")
	}
	return b, ok
}

func (r *values) list(key string, v any) ([]any, bool) {
	l, ok := v.([]any)
	if !ok {
		r.bad(key, v, "an array")
		return nil, false
	}
	if len(l) > maxEntries {
		r.errs.Add(key, "%d entries (allowed: at most %d)", len(l), maxEntries)
		return nil, false
	}
	return l, true
}

func (r *values) table(key string, v any) (map[string]any, bool) {
	t, ok := v.(map[string]any)
	if !ok {
		r.bad(key, v, "a table")
	}
	return t, ok
}

// unknown reports a key of a table that nobody reads.
func (r *values) unknown(key string, allowed ...string) {
	r.errs.Add(key, "unknown key (allowed: %s)", strings.Join(allowed, ", "))
}

func idx(key string, i int) string { return key + "[" + strconv.Itoa(i) + "]" }

func join(table, key string) string {
	if table == "" {
		return key
	}
	return table + "." + key
}

// replica reads a replica id: an integer 0 … n−1 or "replicaN".
func (r *values) replica(key string, v any) (int, bool) {
	if s, ok := v.(string); ok {
		id, err := strconv.Atoi(strings.TrimPrefix(s, "replica"))
		if !strings.HasPrefix(s, "replica") || err != nil || id < 0 || id >= r.n {
			r.errs.Add(key, "%q is not a replica (allowed: replica0 to replica%d)", s, r.n-1)
			return 0, false
		}
		return id, true
	}
	x, ok := r.int(key, v, 0, int64(r.n-1))
	return int(x), ok
}

// set reads a set of replicas: "*" (all) or an array of replicas.
func (r *values) set(key string, v any) (idset, bool) {
	if s, ok := v.(string); ok && s == "*" {
		return full(r.n), true
	}
	l, ok := v.([]any)
	if !ok {
		r.bad(key, v, `"*" or an array of replicas`)
		return idset{}, false
	}
	var s idset
	good := true
	for i, x := range l {
		id, ok := r.replica(idx(key, i), x)
		good = good && ok
		s.put(id)
	}
	return s, good
}

// view reads a view: −1 (⊥) … n−1.
func (r *values) view(key string, v any) (int64, bool) { return r.int(key, v, TEE, int64(r.n-1)) }

// pair reads a view pair [current, next].
func (r *values) pair(key string, v any) (ViewPair, bool) {
	l, ok := v.([]any)
	if !ok || len(l) != 2 {
		r.errs.Add(key, "%s is not a view pair (allowed: [current, next] with current −1 … %d and next 0 … %d)", describe(v), r.n-1, r.n-1)
		return ViewPair{}, false
	}
	c, ok1 := r.view(idx(key, 0), l[0])
	n, ok2 := r.int(idx(key, 1), l[1], 0, int64(r.n-1))
	return ViewPair{c, n}, ok1 && ok2
}

// isPair reports whether v looks like one view pair rather than a list of them.
func isPair(v any) bool {
	l, ok := v.([]any)
	if !ok || len(l) != 2 {
		return false
	}
	_, a := l[0].(int64)
	_, b := l[1].(int64)
	return a && b
}

// perReplica reads a value for every replica: one value for all, or an
// array of n values. each reads one value.
func perReplica[T any](r *values, key string, v any, one func(any) bool, each func(string, any) (T, bool)) ([]T, bool) {
	out := make([]T, r.n)
	if one(v) {
		x, ok := each(key, v)
		for i := range out {
			out[i] = x
		}
		return out, ok
	}
	l, ok := v.([]any)
	if !ok {
		each(key, v) // report the type
		return nil, false
	}
	if len(l) != r.n {
		r.errs.Add(key, "%d entries, want one per replica (%d) or a single value for all", len(l), r.n)
		return nil, false
	}
	good := true
	for i, x := range l {
		y, ok := each(idx(key, i), x)
		good = good && ok
		out[i] = y
	}
	return out, good
}

func isScalar(v any) bool {
	_, l := v.([]any)
	return !l
}

// clientReq reads a client request table {client, ts, op, value, payload};
// client −1 is the gap-filling NO_OP. extra names keys the caller reads.
func (r *values) clientReq(key string, t map[string]any, extra ...string) (ClientReq, bool) {
	allowed := append([]string{"client", "op", "payload", "ts", "value"}, extra...)
	q := ClientReq{Op: protocols.OpAppend}
	good := true
	c, has := t["client"]
	if !has {
		r.errs.Add(join(key, "client"), "missing (allowed: a client index 0 … 63, or −1 for the gap-filling NO_OP)")
		return q, false
	}
	ci, ok := r.int(join(key, "client"), c, -1, 63)
	if !ok {
		return q, false
	}
	if ci == -1 {
		for _, k := range protocols.SortedKeys(t) {
			if k != "client" && !contains(extra, k) {
				r.errs.Add(join(key, k), "the gap-filling NO_OP (client −1) takes no %s", k)
				good = false
			}
		}
		return dummyReq, good
	}
	q.Client = sim.NodeID(r.n + int(ci))
	for _, k := range protocols.SortedKeys(t) {
		v := t[k]
		kk := join(key, k)
		switch k {
		case "client":
		case "ts":
			x, ok := r.int(kk, v, 0, 1<<62)
			q.TS, good = uint64(x), good && ok
		case "op":
			switch v {
			case "append":
				q.Op = protocols.OpAppend
			case "noop":
				q.Op = protocols.OpNoop
			default:
				r.errs.Add(kk, "%s is not an operation (allowed: \"append\", \"noop\")", describe(v))
				good = false
			}
		case "value":
			x, ok := r.int(kk, v, -1<<62, 1<<62)
			q.Value, good = x, good && ok
		case "payload":
			x, ok := r.int(kk, v, 0, 1<<20)
			q.Payload, good = int32(x), good && ok
		default:
			if !contains(extra, k) {
				r.unknown(kk, allowed...)
				good = false
			}
		}
	}
	return q, good
}

// req reads an assigned request: a client request plus view and seq.
func (r *values) req(key string, t map[string]any, extra ...string) (Req, bool) {
	q, good := r.clientReq(key, t, append([]string{"seq", "view"}, extra...)...)
	out := Req{Q: q}
	for _, k := range []string{"view", "seq"} {
		v, has := t[k]
		if !has {
			r.errs.Add(join(key, k), "missing (an assigned request has a view and a sequence number)")
			good = false
			continue
		}
		if k == "view" {
			x, ok := r.int(join(key, k), v, 0, int64(r.n-1))
			out.View, good = x, good && ok
		} else {
			x, ok := r.int(join(key, k), v, 0, maxSeq)
			out.Seq, good = x, good && ok
		}
	}
	return out, good
}

// tables reads an array of tables and calls each for every element.
func (r *values) tables(key string, v any, each func(string, map[string]any) bool) bool {
	l, ok := r.list(key, v)
	if !ok {
		return false
	}
	good := true
	for i, x := range l {
		t, ok := r.table(idx(key, i), x)
		if !ok {
			good = false
			continue
		}
		good = each(idx(key, i), t) && good
	}
	return good
}

var statusNames = map[string]Status{"pre_prep": PrePrep, "prep": Prep, "commit": Commit}

func (r *values) status(key string, v any) (Status, bool) {
	l, ok := r.list(key, v)
	if !ok {
		return 0, false
	}
	var s Status
	for i, x := range l {
		st, ok := statusNames[fmt.Sprint(x)]
		if _, str := x.(string); !ok || !str {
			r.errs.Add(idx(key, i), "%s is not a status (allowed: \"pre_prep\", \"prep\", \"commit\")", describe(x))
			return 0, false
		}
		s |= st
	}
	return s, true
}

var vstatusNames = map[string]VStatus{"ok": OK, "no_service": NoService, "v_change": VChange}

func (r *values) vstatus(key string, v any) (VStatus, bool) {
	s, _ := v.(string)
	st, ok := vstatusNames[strings.ToLower(s)]
	if !ok {
		r.errs.Add(key, "%s is not a monitoring status (allowed: \"ok\", \"no_service\", \"v_change\")", describe(v))
	}
	return st, ok
}

func (r *values) ints(key string, v any, lo, hi int64) ([]int64, bool) {
	l, ok := r.list(key, v)
	if !ok {
		return nil, false
	}
	out := make([]int64, 0, len(l))
	good := true
	for i, x := range l {
		y, ok := r.int(idx(key, i), x, lo, hi)
		good = good && ok
		out = append(out, y)
	}
	return out, good
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
