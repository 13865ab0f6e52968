package chained

import (
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/byzsim/byzsim/protocols"
	_ "github.com/byzsim/byzsim/protocols/internal/golden"
	"github.com/byzsim/byzsim/sim"
)

func req(client sim.NodeID, id uint64) *protocols.Request {
	return &protocols.Request{Client: client, ID: id, Value: int64(id)}
}

// keyMix returns requests of every kind of key a mempool's index holds:
// count ids of two negative clients (dense rows) and of client, then a far
// id of client (the map) and a client below the lowest.
func keyMix(count uint64, client sim.NodeID) []*protocols.Request {
	var reqs []*protocols.Request
	for id := range count {
		reqs = append(reqs, req(-2, id+1), req(-3, id+1), req(client, id))
	}
	return append(reqs, req(client, 1<<30), req(7, 3))
}

func TestMempool(t *testing.T) {
	m := NewMempool(3)
	for i := range uint64(6) {
		m.Add(req(10, i))
	}
	if _, done := m.Add(req(10, 2)); done || m.Pending() != 6 {
		t.Fatal("duplicate request queued twice")
	}
	got := m.GetTransactions(map[protocols.RequestKey]struct{}{{Client: 10, ID: 0}: {}, {Client: 10, ID: 2}: {}})
	if ids := keys(got); !slices.Equal(ids, []uint64{1, 3, 4}) {
		t.Fatalf("got %v, want [1 3 4] (0 and 2 are on the path)", ids)
	}
	m.Committed(req(10, 1), 77)
	m.Committed(req(10, 3), 77)
	if res, done := m.Add(req(10, 3)); !done || res != 77 {
		t.Fatal("committed request not re-acknowledged")
	}
	if first := m.Committed(req(10, 3), 78); first {
		t.Fatal("request committed twice")
	}
	got = m.GetTransactions(nil)
	if ids := keys(got); !slices.Equal(ids, []uint64{0, 2, 4}) {
		t.Fatalf("got %v, want [0 2 4] after commits", ids)
	}
	if m.Pending() != 4 {
		t.Fatalf("pending %d, want 4 (committed entries dropped by the scan)", m.Pending())
	}
	// A request committed through another replica's block is re-acked.
	m.Committed(req(11, 1), 5)
	if res, done := m.Add(req(11, 1)); !done || res != 5 {
		t.Fatal("request committed elsewhere not re-acknowledged")
	}
}

func keys(qs []*protocols.Request) []uint64 {
	var out []uint64
	for _, q := range qs {
		out = append(out, q.ID)
	}
	return out
}

// TestKeyIndex checks the mempool's request index against a map on keys
// that mix dense ids, far-away ids, huge clients, negative clients and
// clients below the lowest one seen so far.
func TestKeyIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var idx keyIndex
	want := map[protocols.RequestKey]int32{}
	for i := range int32(20000) {
		var k protocols.RequestKey
		switch rng.IntN(7) {
		case 0:
			k = protocols.RequestKey{Client: sim.NodeID(rng.IntN(1 << 20)), ID: rng.Uint64()}
		case 6: // clients around 1,000, some below the lowest so far
			k = protocols.RequestKey{Client: sim.NodeID(900 + rng.IntN(200)), ID: uint64(rng.IntN(300))}
		case 1:
			k = protocols.RequestKey{Client: sim.NodeID(-1 - rng.IntN(5)), ID: uint64(rng.IntN(100))}
		case 2:
			k = protocols.RequestKey{Client: sim.NodeID(4 + rng.IntN(3)), ID: uint64(rng.IntN(1 << 23))}
		default:
			k = protocols.RequestKey{Client: sim.NodeID(4 + rng.IntN(3)), ID: uint64(rng.IntN(5000))}
		}
		if _, ok := want[k]; ok {
			continue
		}
		if _, ok := idx.get(k); ok {
			t.Fatalf("%v found before it was set", k)
		}
		idx.set(k, i)
		want[k] = i
	}
	for k, i := range want {
		if got, ok := idx.get(k); !ok || got != i {
			t.Fatalf("get(%v) = %d, %v; want %d", k, got, ok, i)
		}
	}
}

// TestMempoolLookup checks the mempool's one-probe lookup-or-add against a
// map, on keys that mix dense ids, far-away ids (filed in the map, some
// later covered by their client's grown row), huge and negative clients.
func TestMempoolLookup(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := NewMempool(4)
	want := map[protocols.RequestKey]int32{}
	for range 30000 {
		var k protocols.RequestKey
		switch rng.IntN(7) {
		case 0:
			k = protocols.RequestKey{Client: sim.NodeID(rng.IntN(1 << 20)), ID: rng.Uint64()}
		case 6: // clients around 1,000, some below the lowest so far
			k = protocols.RequestKey{Client: sim.NodeID(900 + rng.IntN(200)), ID: uint64(rng.IntN(300))}
		case 1:
			k = protocols.RequestKey{Client: sim.NodeID(-1 - rng.IntN(5)), ID: uint64(rng.IntN(100))}
		case 2:
			k = protocols.RequestKey{Client: sim.NodeID(4 + rng.IntN(3)), ID: uint64(rng.IntN(1 << 14))}
		default:
			k = protocols.RequestKey{Client: sim.NodeID(4 + rng.IntN(3)), ID: uint64(rng.IntN(5000))}
		}
		q := &protocols.Request{Client: k.Client, ID: k.ID}
		i, found := m.lookup(k, entry{req: q})
		wi, ok := want[k]
		if found != ok || (ok && i != wi) {
			t.Fatalf("lookup(%v) = %d, %v; want %d, %v", k, i, found, wi, ok)
		}
		if !ok {
			want[k] = i
		}
		if m.entries[i].req.Key() != k {
			t.Fatalf("entry %d holds %v, want %v", i, m.entries[i].req.Key(), k)
		}
	}
}

// TestMempoolCopyOf: a mempool copied from one that preloaded requests
// behaves as one that added them itself, whatever the keys (dense rows,
// negative clients, far ids in the map), and the two do not share state.
func TestMempoolCopyOf(t *testing.T) {
	reqs := keyMix(40, 50)
	tmpl := NewMempool(1)
	tmpl.AddAll(reqs)
	own, copied := NewMempool(5), NewMempool(5)
	own.AddAll(reqs)
	if !copied.CopyOf(tmpl) {
		t.Fatal("CopyOf refused an empty mempool")
	}
	if copied.CopyOf(tmpl) {
		t.Fatal("CopyOf accepted a mempool that is not empty")
	}
	// The same operations on both give the same answers.
	steps := []func(m *Mempool) any{
		func(m *Mempool) any { return keys(m.GetTransactions(nil)) },
		func(m *Mempool) any { return m.Committed(reqs[0], 9) },
		func(m *Mempool) any { return m.Committed(req(50, 1<<30), 8) },
		func(m *Mempool) any { d, ok := m.Add(req(-2, 1)); return [2]any{d, ok} },
		func(m *Mempool) any { d, ok := m.Add(req(-2, 900)); return [2]any{d, ok} },
		func(m *Mempool) any {
			d, ok := m.Result(protocols.RequestKey{Client: 50, ID: 1 << 30})
			return [2]any{d, ok}
		},
		func(m *Mempool) any { return keys(m.GetTransactions(nil)) },
		func(m *Mempool) any { return m.Pending() },
	}
	for i, step := range steps {
		if a, b := step(own), step(copied); !reflectEqual(a, b) {
			t.Fatalf("step %d: own %v, copy %v", i, a, b)
		}
	}
	// The template is untouched by the copy's commits and growth.
	if _, done := tmpl.Result(reqs[0].Key()); done || tmpl.Pending() != len(reqs) {
		t.Fatalf("the template changed: %d pending", tmpl.Pending())
	}
}

func reflectEqual(a, b any) bool {
	if x, ok := a.([]uint64); ok {
		return slices.Equal(x, b.([]uint64))
	}
	return a == b
}

// TestCommitPayload checks committing a block's payload at once against
// Committed one request at a time: the same requests marked, with the same
// results, the same first commits reported (of clients from minClient on),
// whatever the hints say — right, wrong, out of range, or left by a
// mempool that holds the requests elsewhere — over requests held and not,
// committed before and not, repeated in one payload, of clients in the
// dense table, negative ones and ids only the map holds.
func TestCommitPayload(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pool := make([]*protocols.Request, 0, 80)
	for c := sim.NodeID(-4); c < 3; c++ {
		for id := range uint64(6) {
			pool = append(pool, req(c+10*sim.NodeID(max(0, int(c))), id))
		}
	}
	pool = append(pool, req(10, 1<<40), req(11, 1<<40+1))
	pick := func() *protocols.Request { return pool[rng.IntN(len(pool))] }
	one, all, other := NewMempool(4), NewMempool(4), NewMempool(4)
	for range 30 {
		q := pick()
		one.Add(q)
		all.Add(q)
	}
	for range 30 { // the same requests in another order: other places
		other.Add(pick())
	}
	const minClient = 10
	for round := range 300 {
		payload := make([]*protocols.Request, rng.IntN(6))
		hints := make([]int32, len(payload))
		for i := range payload {
			payload[i] = pick()
			hints[i] = int32(rng.IntN(40)) - 5
		}
		result := protocols.Digest(round + 1)
		var want []*protocols.Request
		for _, q := range payload {
			if one.Committed(q, result) && q.Client >= minClient {
				want = append(want, q)
			}
		}
		if round%3 == 0 { // hints left by a mempool with other places
			other.CommitPayload(payload, hints, result, minClient, func(*protocols.Request) {})
		}
		var got []*protocols.Request
		all.CommitPayload(payload, hints, result, minClient, func(q *protocols.Request) { got = append(got, q) })
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: first commits %v, one at a time %v", round, keys(got), keys(want))
		}
		if round%2 == 0 { // again, with the hints all just set: nothing is a first commit
			for _, q := range payload {
				one.Committed(q, result+1000)
			}
			all.CommitPayload(payload, hints, result+1000, minClient, func(q *protocols.Request) {
				t.Fatalf("round %d: request %v committed for the first time twice", round, q.Key())
			})
		}
		for _, q := range pool {
			r1, c1 := one.Result(q.Key())
			r2, c2 := all.Result(q.Key())
			if r1 != r2 || c1 != c2 {
				t.Fatalf("round %d: request %v: result %v %v, one at a time %v %v", round, q.Key(), r2, c2, r1, c1)
			}
		}
	}
	if got, want := keys(all.GetTransactions(nil)), keys(one.GetTransactions(nil)); !slices.Equal(got, want) {
		t.Fatalf("proposes %v, one at a time %v", got, want)
	}
}

// TestMempoolCopiesShareSafely: copies share the template's index and
// queue until they write them. The template and three copies,
// each paired with a mempool that added the same requests itself, go
// through the same random operations per pair (different ones across
// pairs: adds of new and held requests, commits one at a time and by
// payload with hints, proposals, corruptions), taking turns; every answer and every
// request's result must match the pair's own mempool at every step, so a
// write that reached another mempool through a shared array shows.
func TestMempoolCopiesShareSafely(t *testing.T) {
	reqs := keyMix(60, 40)
	tmpl := NewMempool(4)
	tmpl.AddAll(reqs)
	pool := slices.Clone(reqs)
	for id := range uint64(30) { // requests no mempool holds at the start
		// (ids 61 on of client −2 and 60 on of 40 have cells in the
		// template's rows: the first add writes into a shared row)
		pool = append(pool, req(-2, 61+id), req(40, 60+id), req(41, id), req(40, 1<<31+id))
	}
	type pair struct{ m, own *Mempool }
	pairs := []pair{{tmpl, NewMempool(4)}}
	pairs[0].own.AddAll(reqs)
	for range 3 {
		c, own := NewMempool(4), NewMempool(4)
		if !c.CopyOf(tmpl) {
			t.Fatal("CopyOf refused an empty mempool")
		}
		own.AddAll(reqs)
		pairs = append(pairs, pair{c, own})
	}
	// The template queues its first entry again (forgotten, then added):
	// the queue slot after the shared ones now holds an entry index a
	// copy's first new entry does not have, so a slot written by both
	// would differ.
	for _, m := range []*Mempool{tmpl, pairs[0].own} {
		m.forget(m.head)
		m.Add(reqs[0])
	}
	rngs := make([]*rand.Rand, len(pairs))
	for p := range pairs {
		rngs[p] = rand.New(rand.NewPCG(uint64(p), 5))
	}
	for step := range 300 { // the mempools take turns
		for p, pr := range pairs {
			// What the other mempools hold, to check that this one's
			// operation did not write through to them.
			var before [][]uint64
			for o := range pairs {
				if o != p {
					before = append(before, snapshot(pairs[o].m, pool))
				}
			}
			rng := rngs[p]
			seed := rng.Uint64()
			var a, b any
			op := rng.IntN(6)
			if step == 0 {
				op = -1 // first, each adds a request of its own, before any proposal copies the queue
			}
			switch op {
			case -1:
				q := req(43, uint64(p))
				d1, ok1 := pr.m.Add(q)
				d2, ok2 := pr.own.Add(q)
				a, b = [2]any{d1, ok1}, [2]any{d2, ok2}
			case 0:
				q := pool[rng.IntN(len(pool))]
				d1, ok1 := pr.m.Add(q)
				d2, ok2 := pr.own.Add(q)
				a, b = [2]any{d1, ok1}, [2]any{d2, ok2}
			case 1:
				q := pool[rng.IntN(len(pool))]
				a, b = pr.m.Committed(q, protocols.Digest(step+1)), pr.own.Committed(q, protocols.Digest(step+1))
			case 2:
				payload := make([]*protocols.Request, 1+rng.IntN(4))
				h1, h2 := make([]int32, len(payload)), make([]int32, len(payload))
				for i := range payload {
					payload[i] = pool[rng.IntN(len(pool))]
					h1[i] = int32(rng.IntN(len(reqs) + 20))
					h2[i] = h1[i]
				}
				var f1, f2 []uint64
				pr.m.CommitPayload(payload, h1, protocols.Digest(step+1), 0, func(q *protocols.Request) { f1 = append(f1, q.ID) })
				pr.own.CommitPayload(payload, h2, protocols.Digest(step+1), 0, func(q *protocols.Request) { f2 = append(f2, q.ID) })
				a, b = f1, f2
			case 3, 4:
				a, b = keys(pr.m.GetTransactions(nil)), keys(pr.own.GetTransactions(nil))
			case 5:
				pr.m.ForgetSome(rand.New(rand.NewPCG(seed, 1)), 3)
				pr.own.ForgetSome(rand.New(rand.NewPCG(seed, 1)), 3)
			}
			if !reflectEqual(a, b) {
				t.Fatalf("mempool %d step %d: %v, its own mempool %v", p, step, a, b)
			}
			if pr.m.Pending() != pr.own.Pending() {
				t.Fatalf("mempool %d step %d: %d pending, its own mempool %d", p, step, pr.m.Pending(), pr.own.Pending())
			}
			for _, q := range pool {
				d1, ok1 := pr.m.Result(q.Key())
				d2, ok2 := pr.own.Result(q.Key())
				if d1 != d2 || ok1 != ok2 {
					t.Fatalf("mempool %d step %d: %v result %v %v, its own mempool %v %v", p, step, q.Key(), d1, ok1, d2, ok2)
				}
			}
			if a, b := queued(pr.m), queued(pr.own); !slices.Equal(a, b) {
				t.Fatalf("mempool %d step %d: queue %v, its own mempool %v", p, step, a, b)
			}
			k := 0
			for o := range pairs {
				if o != p {
					if after := snapshot(pairs[o].m, pool); !slices.Equal(after, before[k]) {
						t.Fatalf("step %d: an operation on mempool %d changed mempool %d", step, p, o)
					}
					k++
				}
			}
			for i, e := range pr.m.entries { // every entry's request indexed at its entry
				if e.req == nil {
					continue // forgotten: no request until it arrives again
				}
				if j, ok := pr.m.index.get(e.req.Key()); !ok || j != int32(i) {
					t.Fatalf("mempool %d step %d: entry %d holds %v, indexed at %d (%v)", p, step, i, e.req.Key(), j, ok)
				}
			}
		}
	}
}

// queued lists the keys of m's queue from its head.
func queued(m *Mempool) []protocols.RequestKey {
	var out []protocols.RequestKey
	for _, i := range m.queue[m.head:] {
		var k protocols.RequestKey // a forgotten request's: the zero key
		if q := m.entries[i].req; q != nil {
			k = q.Key()
		}
		out = append(out, k)
	}
	return out
}

// snapshot describes what m holds: its entries' requests and states, its
// queue from the head, and where its index files each request of pool.
func snapshot(m *Mempool, pool []*protocols.Request) []uint64 {
	var out []uint64
	for _, e := range m.entries {
		if e.req == nil {
			out = append(out, 2) // forgotten
		} else {
			out = append(out, uint64(e.req.Client), e.req.ID)
		}
		out = append(out, uint64(e.result))
		if e.committed() {
			out = append(out, 1)
		}
	}
	for _, i := range m.queue[m.head:] {
		out = append(out, uint64(i))
	}
	for _, q := range pool {
		i, ok := m.index.get(q.Key())
		if !ok {
			i = -1
		}
		out = append(out, uint64(i))
	}
	return out
}

// TestMempoolSharedWrites: each write that may reach an array a copy
// shares (a proposal compacting the queue, an entry added, a request
// queued again, a commit), made by the template or by a copy while the
// others still share, leaves the others as they were.
func TestMempoolSharedWrites(t *testing.T) {
	var reqs []*protocols.Request
	for id := range uint64(20) {
		reqs = append(reqs, req(-2, id+1), req(40, id))
	}
	// 41 requests: the arrays have room past their length.
	reqs = append(reqs, req(40, 20))
	// A cell of the template's row: adding it writes the row.
	fresh := req(-2, 21)
	pool := append(slices.Clone(reqs), fresh, req(41, 1))
	ops := []struct {
		name string
		op   func(m *Mempool)
	}{
		{"a proposal after commits", func(m *Mempool) {
			m.Committed(reqs[0], 1)
			m.Committed(reqs[2], 1)
			m.GetTransactions(nil)
		}},
		{"an entry added", func(m *Mempool) { m.Add(fresh) }},
		{"an entry of a new client added", func(m *Mempool) { m.Add(req(41, 1)) }},
		{"a request queued again", func(m *Mempool) { m.forget(m.head); m.Add(reqs[0]) }},
		{"a commit", func(m *Mempool) { m.Committed(reqs[5], 3) }},
		{"a payload commit", func(m *Mempool) { m.CommitPayload(reqs[6:9], []int32{6, 0, 8}, 4, 0, func(*protocols.Request) {}) }},
		{"a corruption", func(m *Mempool) { m.ForgetSome(rand.New(rand.NewPCG(1, 2)), 2) }},
	}
	for _, first := range ops { // what the template did before the copies, if anything
		for _, o := range ops {
			for writer := range 3 { // the template, or one of two copies
				tmpl := NewMempool(4)
				tmpl.AddAll(reqs)
				ms := []*Mempool{tmpl, NewMempool(4), NewMempool(4)}
				ms[1].CopyOf(tmpl)
				first.op(tmpl)
				ms[2].CopyOf(tmpl)
				var before [][]uint64
				for _, m := range ms {
					before = append(before, snapshot(m, pool))
				}
				o.op(ms[writer])
				for i, m := range ms {
					if i != writer && !slices.Equal(snapshot(m, pool), before[i]) {
						t.Errorf("after %q on the template, %q on mempool %d changed mempool %d", first.name, o.name, writer, i)
					}
				}
			}
		}
	}
}

// TestMempoolLayout: a mempool fills two cache lines, the first holding
// the entries and the index's rows of non-negative clients.
func TestMempoolLayout(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is planned for 64-bit words")
	}
	var m Mempool
	if got := unsafe.Sizeof(m); got != 128 {
		t.Errorf("Mempool is %d bytes, want 128", got)
	}
	if got := unsafe.Offsetof(m.index) + unsafe.Offsetof(m.index.neg); got != 64 {
		t.Errorf("the rows of negative clients start at byte %d, want 64", got)
	}
}

// TestMempoolForgotten: a forgotten request (a corruption) is not
// proposed; arriving again, it is queued again and proposed, unless it was
// committed meanwhile, when it is acknowledged with its result.
func TestMempoolForgotten(t *testing.T) {
	for _, committed := range []bool{false, true} {
		m := NewMempool(4)
		a, b := req(10, 1), req(10, 2)
		m.AddAll([]*protocols.Request{a, b})
		m.forget(m.head) // a
		if got := keysOf(m.GetTransactions(nil)); !slices.Equal(got, []uint64{2}) {
			t.Fatalf("proposed %v with request 1 forgotten, want [2]", got)
		}
		if committed {
			if !m.Committed(a, 7) {
				t.Fatal("the forgotten request's commit was not its first")
			}
		}
		res, done := m.Add(a)
		if done != committed || (committed && res != 7) {
			t.Fatalf("committed %v: the forgotten request arriving again: %v, %v", committed, res, done)
		}
		want := []uint64{2, 1}
		if committed {
			want = []uint64{2}
		}
		if got := keysOf(m.GetTransactions(nil)); !slices.Equal(got, want) {
			t.Fatalf("committed %v: proposed %v after the forgotten request arrived again, want %v", committed, got, want)
		}
		if r, ok := m.Result(a.Key()); ok != committed || (committed && r != 7) {
			t.Fatalf("committed %v: result %v, %v", committed, r, ok)
		}
	}
}

// TestMempoolForgottenArrivesWhileQueued: a forgotten request that
// arrives again before a proposal passed its queue position is proposed
// once, from that position.
func TestMempoolForgottenArrivesWhileQueued(t *testing.T) {
	m := NewMempool(4)
	a, b := req(10, 1), req(10, 2)
	m.AddAll([]*protocols.Request{a, b})
	m.forget(m.head) // a
	if _, done := m.Add(a); done {
		t.Fatal("a forgotten request that was never committed arrived as committed")
	}
	if got := keysOf(m.GetTransactions(nil)); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("proposed %v, want each request once: [1 2]", got)
	}
}

// keysOf returns the ids of reqs.
func keysOf(reqs []*protocols.Request) []uint64 {
	var out []uint64
	for _, q := range reqs {
		out = append(out, q.ID)
	}
	return out
}
