package twins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestStirling(t *testing.T) {
	tests := []struct {
		m, p int
		want int64
	}{
		{0, 0, 1}, {1, 1, 1}, {3, 2, 3}, {4, 2, 7}, {5, 2, 15}, {5, 3, 25}, {6, 3, 90},
		{7, 2, 63}, {4, 4, 1}, {10, 3, 9330}, {5, 6, 0}, {3, 0, 0},
	}
	for _, tt := range tests {
		if got := Stirling(tt.m, tt.p); got.Cmp(big.NewInt(tt.want)) != 0 {
			t.Errorf("Stirling(%d, %d) = %v, want %d", tt.m, tt.p, got, tt.want)
		}
	}
}

func TestPartitionsMatchStirlingAndAreValid(t *testing.T) {
	for m := 1; m <= 7; m++ {
		for p := 1; p <= m; p++ {
			parts := Partitions(m, p)
			if want := Stirling(m, p).Int64(); int64(len(parts)) != want {
				t.Fatalf("Partitions(%d, %d): %d partitions, want S = %d", m, p, len(parts), want)
			}
			seen := map[string]bool{}
			for _, part := range parts {
				var all uint64
				for i, b := range part {
					if b == 0 || all&b != 0 {
						t.Fatalf("Partitions(%d, %d): %v has an empty or overlapping bucket", m, p, part)
					}
					if i > 0 && lowest(part[i-1]) > lowest(b) {
						t.Fatalf("Partitions(%d, %d): %v buckets not ordered by smallest process", m, p, part)
					}
					all |= b
				}
				if all != 1<<m-1 {
					t.Fatalf("Partitions(%d, %d): %v does not cover every process", m, p, part)
				}
				k := fmt.Sprint(part)
				if seen[k] {
					t.Fatalf("Partitions(%d, %d): %v twice", m, p, part)
				}
				seen[k] = true
			}
		}
	}
}

func lowest(b uint64) int {
	for i := 0; i < 64; i++ {
		if b&(1<<i) != 0 {
			return i
		}
	}
	return 64
}

func TestPartitionsOrder(t *testing.T) {
	// Restricted growth strings 001, 010, 011 in lexicographic order.
	want := [][]uint64{{0b011, 0b100}, {0b101, 0b010}, {0b001, 0b110}}
	if got := Partitions(3, 2); !reflect.DeepEqual(got, want) {
		t.Fatalf("Partitions(3, 2) = %b, want %b", got, want)
	}
}

func small(p Params) Params {
	if p.Leaders == "" {
		p.Leaders = LeadersAny
	}
	return p
}

func mustNew(t *testing.T, p Params) *Generator {
	t.Helper()
	g, err := New(small(p))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestEnumerationOrderSkipLimit(t *testing.T) {
	g := mustNew(t, Params{N: 4, F: 1, T: 1, Partitions: 2, Rounds: 2, GST: 2})
	var all []Scenario
	st := g.Enumerate(0, -1, func(s Scenario) bool { all = append(all, s); return true })
	if !st.Exhausted || st.Generated != int64(len(all)) {
		t.Fatalf("stats %+v for %d scenarios", st, len(all))
	}
	if int64(len(all))+st.Removed != g.Space().Int64() {
		t.Fatalf("generated %d + removed %d != space %v", len(all), st.Removed, g.Space())
	}
	// Strictly increasing in (round 0, round 1) configuration order.
	idx := func(s Scenario) [2]int32 {
		var out [2]int32
		for i := 0; i < 2; i++ {
			k := roundKey(s.Rounds[i])
			for c := range g.configs {
				if roundKey(g.configs[c].round) == k {
					out[i] = int32(c)
				}
			}
		}
		return out
	}
	for i := 1; i < len(all); i++ {
		a, b := idx(all[i-1]), idx(all[i])
		if !(a[0] < b[0] || a[0] == b[0] && a[1] < b[1]) {
			t.Fatalf("scenario %d %v not after %v", i, b, a)
		}
		if all[i].Index != int64(i) || all[i].GST != 2 || len(all[i].Rounds) != 4 {
			t.Fatalf("scenario %d: index %d, gst %d, %d rounds", i, all[i].Index, all[i].GST, len(all[i].Rounds))
		}
	}
	for _, tt := range []struct{ skip, limit int64 }{{0, 5}, {7, 3}, {int64(len(all)) - 2, 10}} {
		var got []Scenario
		g.Enumerate(tt.skip, tt.limit, func(s Scenario) bool { got = append(got, s); return true })
		end := min(tt.skip+tt.limit, int64(len(all)))
		if !reflect.DeepEqual(got, all[tt.skip:end]) {
			t.Errorf("skip %d limit %d: got %d scenarios, not the slice of the full enumeration", tt.skip, tt.limit, len(got))
		}
	}
}

func roundKey(r Round) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// bruteClasses counts the classes of scenarios (tuples of R rounds drawn
// from rounds) under renaming, renaming the round data directly.
func bruteClasses(rounds []Round, R, n, t int) int {
	m := n + t
	var renamings [][]int // process maps
	var ids [][]int
	for _, pt := range permutations(t) {
		for _, pc := range permutations(n - t) {
			for swap := 0; swap < 1<<t; swap++ {
				id := make([]int, n)
				for i := 0; i < n; i++ {
					if i < t {
						id[i] = pt[i]
					} else {
						id[i] = t + pc[i-t]
					}
				}
				proc := make([]int, m)
				for p := 0; p < m; p++ {
					j := id[Identity(p, n)]
					twin := p >= n
					if j < t && swap&(1<<j) != 0 {
						twin = !twin
					}
					proc[p] = j
					if twin {
						proc[p] = n + j
					}
				}
				renamings = append(renamings, proc)
				ids = append(ids, id)
			}
		}
	}
	norm := func(r Round, g int) string {
		var buckets []string
		for _, b := range r.Partition {
			var ps []int
			for _, p := range b {
				ps = append(ps, renamings[g][p])
			}
			sort.Ints(ps)
			buckets = append(buckets, fmt.Sprint(ps))
		}
		sort.Strings(buckets)
		var drops []string
		for _, d := range r.Drops {
			drops = append(drops, fmt.Sprint(renamings[g][d.Src], renamings[g][d.Dst], d.Msg))
		}
		sort.Strings(drops)
		return fmt.Sprint(ids[g][r.Leader], buckets, drops)
	}
	classes := map[string]bool{}
	cur := make([]int, R)
	for {
		best := ""
		for g := range renamings {
			var parts []string
			for _, c := range cur {
				parts = append(parts, norm(rounds[c], g))
			}
			k := strings.Join(parts, "|")
			if best == "" || k < best {
				best = k
			}
		}
		classes[best] = true
		i := R - 1
		for ; i >= 0; i-- {
			if cur[i]++; cur[i] < len(rounds) {
				break
			}
			cur[i] = 0
		}
		if i < 0 {
			return len(classes)
		}
	}
}

func TestSymmetryReductionAgainstBruteForce(t *testing.T) {
	tests := []Params{
		{N: 4, F: 1, T: 1, Partitions: 2, Rounds: 2, Leaders: LeadersAny},
		{N: 4, F: 1, T: 1, Partitions: 2, Rounds: 2, Leaders: LeadersTwins},
		{N: 4, F: 1, T: 1, Partitions: 3, Rounds: 1, Leaders: LeadersAny, Drops: 1},
		{N: 4, F: 1, T: 1, Partitions: 2, Rounds: 2, Leaders: LeadersAny, QuorumFilter: true, Quorum: 3},
		{N: 4, F: 1, T: 0, Partitions: 2, Rounds: 2, Leaders: LeadersAny},
		{N: 7, F: 2, T: 2, Partitions: 2, Rounds: 1, Leaders: LeadersTwins},
		{N: 5, F: 1, T: 1, Partitions: 3, Rounds: 1, Leaders: LeadersAny},
	}
	for _, p := range tests {
		t.Run(fmt.Sprintf("%+v", p), func(t *testing.T) {
			g := mustNew(t, p)
			st := g.Enumerate(0, -1, func(Scenario) bool { return true })
			rounds := make([]Round, len(g.configs))
			for i := range g.configs {
				rounds[i] = g.configs[i].round
			}
			want := bruteClasses(rounds, p.Rounds, p.N, p.T)
			if st.Generated != int64(want) {
				t.Errorf("generated %d scenarios, brute force finds %d classes", st.Generated, want)
			}
			if st.Generated+st.Removed != g.Space().Int64() {
				t.Errorf("generated %d + removed %d != space %v", st.Generated, st.Removed, g.Space())
			}
			if p.T > 0 && st.Removed == 0 {
				t.Errorf("nothing removed")
			}
		})
	}
}

func TestSamplingVariesEveryRound(t *testing.T) {
	g := mustNew(t, Params{N: 4, F: 1, T: 1, Partitions: 2, Rounds: 7, Leaders: LeadersTwins, GST: 7})
	distinct := make([]map[string]bool, 7)
	for i := range distinct {
		distinct[i] = map[string]bool{}
	}
	var first []Scenario
	st := g.Sample(42, 0, 300, func(s Scenario) bool {
		first = append(first, s)
		for i := 0; i < 7; i++ {
			distinct[i][roundKey(s.Rounds[i])] = true
		}
		for i := 7; i < 14; i++ {
			if len(s.Rounds[i].Partition) != 1 || s.Rounds[i].Leader < 1 {
				t.Fatalf("round %d is not a GST round: %+v", i, s.Rounds[i])
			}
		}
		return true
	})
	if st.Generated != 300 {
		t.Fatalf("generated %d", st.Generated)
	}
	for i, d := range distinct {
		// 15 configurations per round; 300 draws see nearly all of them.
		if len(d) < 12 {
			t.Errorf("round %d took only %d distinct configurations over 300 samples", i, len(d))
		}
	}
	var again []Scenario
	g.Sample(42, 0, 300, func(s Scenario) bool { again = append(again, s); return true })
	if !reflect.DeepEqual(first, again) {
		t.Error("sampling with the same seed differs")
	}
	var skipped []Scenario
	g.Sample(42, 100, 50, func(s Scenario) bool { skipped = append(skipped, s); return true })
	if !reflect.DeepEqual(skipped, first[100:150]) {
		t.Error("skip 100 limit 50 is not the slice [100:150] of the sample")
	}
	var other []Scenario
	g.Sample(43, 0, 300, func(s Scenario) bool { other = append(other, s); return true })
	if reflect.DeepEqual(first, other) {
		t.Error("seeds 42 and 43 give the same sample")
	}
}

func TestSamplingRemovesRenamings(t *testing.T) {
	// A tiny space: 15 configurations, one round, 12 renamings.
	g := mustNew(t, Params{N: 4, F: 1, T: 1, Partitions: 2, Rounds: 1, Leaders: LeadersTwins})
	var got []Scenario
	st := g.Sample(1, 0, 1000, func(s Scenario) bool { got = append(got, s); return true })
	var enumerated int64
	g.Enumerate(0, -1, func(Scenario) bool { enumerated++; return true })
	if !st.Exhausted || st.Generated != enumerated {
		t.Fatalf("sampling generated %d (exhausted %v), want every one of the %d classes", st.Generated, st.Exhausted, enumerated)
	}
	if st.Removed == 0 {
		t.Fatal("no draw removed")
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	g := mustNew(t, Params{N: 4, F: 1, T: 1, Partitions: 3, Rounds: 3, Drops: 1, GST: 2})
	var scens []Scenario
	g.Sample(7, 0, 50, func(s Scenario) bool { scens = append(scens, s); return true })
	h := Header{N: 4, F: 1, T: 1, Delta: "1s", Delay: "500ms", TimerFactor: 4, Seed: 9, Bugs: []string{"small_quorum"}}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	for i := range scens {
		if err := w.Write(&scens[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	h2, back, err := ReadScenarios(&buf, "x.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	h.Format = Format
	if !reflect.DeepEqual(h, h2) || !reflect.DeepEqual(scens, back) {
		t.Fatal("round trip changed the scenarios or the header")
	}
}

func TestReaderErrors(t *testing.T) {
	head := `{"format":"byzsim-twins/1","n":4,"f":1,"t":1,"delta":"1s","delay":"500ms","timer_factor":4,"seed":1}` + "\n"
	full := `{"leader":1,"partition":[[0,1,2,3,4]]}`
	tests := []struct{ text, want string }{
		{"", "x.jsonl:1: empty file"},
		{`{"format":"v0"}`, `x.jsonl:1: header: format`},
		{`{"format":"byzsim-twins/1","n":4,"f":2,"t":1}`, "x.jsonl:1: header: f:"},
		{`{"format":"byzsim-twins/1","n":4,"f":1,"t":1,"colour":1}`, `unknown field "colour"`},
		{head + `{"gst":0,"rounds":[]}`, "x.jsonl:2: rounds: want 1"},
		{head + "\n" + `{"gst":1,"rounds":[{"leader":0,"partition":[[0,1],[2,3]]}]}`, "x.jsonl:3: rounds[0].partition: process 4 is in no bucket"},
		{head + `{"gst":1,"rounds":[{"leader":0,"partition":[[0,1,1],[2,3,4]]}]}`, "process 1 is also in bucket 0"},
		{head + `{"gst":1,"rounds":[{"leader":4,"partition":[[0,1,2,3,4]]}]}`, "rounds[0].leader: must be a replica in [0, 3]"},
		{head + `{"gst":1,"rounds":[{"leader":0,"partition":[[0,1],[2,3,4]],"drops":[{"src":0,"dst":2,"msg":"vote"}]}]}`, "in different buckets"},
		{head + `{"gst":1,"rounds":[{"leader":0,"partition":[[0,1,2,3,4]],"drops":[{"src":0,"dst":2,"msg":"ping"}]}]}`, `unknown message type "ping"`},
		{head + `{"gst":0,"rounds":[{"leader":0,"partition":[[0,1,2,3,4]]}]}`, "a GST round (≥ gst = 0) has a correct leader"},
		{head + `{"gst":0,"rounds":[{"leader":1,"partition":[[0,1],[2,3,4]]}]}`, "a GST round (≥ gst = 0) has one bucket"},
		{head + `{"gst":2,"rounds":[` + full + `]}`, "gst: must be in [0, 1]"},
		{head + `{"gst":1,"rounds":[` + full + `]} {}`, "trailing data"},
		{head + `{"gst":1,"rounds":[` + full + `]` + "\n", "x.jsonl:2: scenario: unexpected EOF"},
	}
	for _, tt := range tests {
		_, _, err := ReadScenarios(strings.NewReader(tt.text), "x.jsonl")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadScenarios(%q) = %v, want an error containing %q", tt.text, err, tt.want)
		}
	}
}

func TestParamsValidate(t *testing.T) {
	ok := Params{N: 4, F: 1, T: 1, Partitions: 2, Rounds: 7, Leaders: LeadersTwins, GST: 7}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mod  func(*Params)
		want string
	}{
		{func(p *Params) { p.Partitions = 6 }, "partitions: must be in [1, n+t = 5]"},
		{func(p *Params) { p.Rounds = 0 }, "rounds:"},
		{func(p *Params) { p.Leaders = "all" }, "leaders:"},
		{func(p *Params) { p.T = 0 }, `leaders: "twins" needs t ≥ 1`},
		{func(p *Params) { p.T = 2 }, "t: must be in [0, f = 1]"},
		{func(p *Params) { p.Drops = 9 }, "drops:"},
		{func(p *Params) { p.F = 2 }, "f: must satisfy"},
	}
	for _, tt := range tests {
		p := ok
		tt.mod(&p)
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", p, err, tt.want)
		}
	}
}

func FuzzReadScenarios(f *testing.F) {
	head := `{"format":"byzsim-twins/1","n":4,"f":1,"t":1,"delta":"1s","delay":"500ms","timer_factor":4,"seed":1}` + "\n"
	f.Add(head + `{"index":0,"gst":1,"rounds":[{"leader":0,"partition":[[0,1],[2,3,4]],"drops":[{"src":0,"dst":1,"msg":"vote"}]},{"leader":1,"partition":[[0,1,2,3,4]]}]}`)
	f.Add(head)
	f.Add(`{"format":"byzsim-twins/1","n":1,"f":0,"t":0}` + "\n" + `{"gst":0,"rounds":[{"leader":0,"partition":[[0]]}]}`)
	f.Fuzz(func(t *testing.T, text string) {
		h, scens, err := ReadScenarios(strings.NewReader(text), "fuzz")
		if err != nil {
			return
		}
		for i := range scens {
			if err := scens[i].Validate(h.N, h.T); err != nil {
				t.Fatalf("accepted an invalid scenario: %v", err)
			}
		}
		var buf bytes.Buffer
		w, err := NewWriter(&buf, h)
		if err != nil {
			t.Fatal(err)
		}
		for i := range scens {
			if err := w.Write(&scens[i]); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()
		h2, back, err := ReadScenarios(&buf, "again")
		if err != nil || h2.N != h.N || len(back) != len(scens) {
			t.Fatalf("re-reading what was written: %v", err)
		}
	})
}

// TestReaderBounds checks that a scenario file is refused as soon as it
// holds more scenarios or more bytes than allowed, and accepted at the
// bounds.
func TestReaderBounds(t *testing.T) {
	head := `{"format":"byzsim-twins/1","n":4,"f":1,"t":1,"delta":"1s","delay":"500ms","timer_factor":4,"seed":1}` + "\n"
	scen := `{"gst":0,"rounds":[{"leader":1,"partition":[[0,1,2,3,4]]}]}` + "\n"
	text := head + strings.Repeat(scen, 3)
	tests := []struct {
		name                   string
		maxBytes, maxScenarios int
		want                   string // "" accepts the file
	}{
		{"at both bounds", len(text), 3, ""},
		{"one scenario too many", len(text), 2, "x.jsonl:4: more than 2 scenarios (allowed: at most 2 per file)"},
		{"one byte too many", len(text) - 1, 3, "x.jsonl:4: the file is larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, scens, err := readScenarios(strings.NewReader(text), "x.jsonl", tt.maxBytes, tt.maxScenarios)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == "" && len(scens) != 3:
				t.Fatalf("%d scenarios, want 3", len(scens))
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
