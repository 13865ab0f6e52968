package experiments

import (
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// gstEvent is one observation fed to a gstChecker.
type gstEvent struct {
	at     sim.Time
	node   sim.NodeID
	obs    sim.Observation
	digest protocols.Digest
}

func enter(at sim.Time, node sim.NodeID, round int64) gstEvent {
	return gstEvent{at: at, node: node, obs: protocols.RoundChange{Round: round}}
}

func propose(at sim.Time, node sim.NodeID, round int64) gstEvent {
	return gstEvent{at: at, node: node, obs: protocols.Proposed{Round: round, Digest: protocols.Digest(100 + round)}}
}

// proposeAfter is a proposal whose leader waited for input before it.
func proposeAfter(at sim.Time, node sim.NodeID, round int64, waited sim.Time) gstEvent {
	return gstEvent{at: at, node: node, obs: protocols.Proposed{Round: round, Digest: protocols.Digest(100 + round), Waited: waited}}
}

func timeoutAt(at sim.Time, node sim.NodeID, round int64) gstEvent {
	return gstEvent{at: at, node: node, obs: protocols.Timeout{Round: round}}
}

// commitAll is every one of the four replicas committing round's block.
func commitAll(at sim.Time, height, round int64) []gstEvent {
	var ev []gstEvent
	for id := range sim.NodeID(4) {
		ev = append(ev, commitOf(at, id, height, round))
	}
	return ev
}

func commitOf(at sim.Time, node sim.NodeID, height, round int64) gstEvent {
	return gstEvent{at: at, node: node, obs: protocols.Commit{Height: height, Round: round, Digest: protocols.Digest(100 + round)}}
}

// syncRounds returns the events of rounds from..to on four replicas that
// each round enter at 10 ms steps, the leader (round mod 4) proposing and
// everyone committing round r's block when entering r+2.
func syncRounds(from, to int64, start sim.Time, skipCommit sim.NodeID) []gstEvent {
	var ev []gstEvent
	ms := sim.Millisecond
	for r := from; r <= to; r++ {
		at := start + sim.Time(r-from)*10*ms
		for id := range sim.NodeID(4) {
			ev = append(ev, enter(at, id, r))
		}
		ev = append(ev, propose(at, sim.NodeID(r%4), r))
		if r-2 >= from {
			for id := range sim.NodeID(4) {
				if id != skipCommit {
					ev = append(ev, commitOf(at+ms, id, r-2, r-2))
				}
			}
		}
	}
	return ev
}

func TestGSTChecker(t *testing.T) {
	delta := 10 * sim.Millisecond
	bound := &protocols.CommitBound{Leaders: 3, Within: func(protocols.Params) sim.Time { return 7 * delta }}
	gstAt := func(d sim.Time) *Duration { x := Duration(d); return &x }
	round := func(r int64) *int64 { return &r }
	tests := []struct {
		name      string
		checks    ChecksConfig
		correct   []bool
		events    []gstEvent
		end       sim.Time
		demand    bool
		wantOK    map[string]bool
		wantInAll string
	}{
		{
			name:    "synchronous rounds pass both properties",
			checks:  ChecksConfig{GST: gstAt(0)},
			correct: []bool{true, true, true, true},
			events:  syncRounds(0, 20, 0, -1),
			end:     sim.Second,
			demand:  true,
			wantOK:  map[string]bool{"progress_after_gst": true, "commit_bound": true},
		},
		{
			name:    "a replica that stops committing breaks progress",
			checks:  ChecksConfig{GST: gstAt(0)},
			correct: []bool{true, true, true, true},
			events:  syncRounds(0, 20, 0, 3),
			end:     sim.Second,
			demand:  true,
			wantOK:  map[string]bool{"progress_after_gst": false, "commit_bound": false},
		},
		{
			name:    "a Byzantine replica that stops committing is not counted",
			checks:  ChecksConfig{GST: gstAt(0)},
			correct: []bool{true, true, true, false},
			events:  syncRounds(0, 20, 0, 3),
			end:     sim.Second,
			demand:  true,
			// Rounds with replica3 as one of the three leaders are skipped.
			wantOK: map[string]bool{"progress_after_gst": true, "commit_bound": true},
		},
		{
			name:    "no demand after GST requires nothing",
			checks:  ChecksConfig{GST: gstAt(0)},
			correct: []bool{true, true, true, true},
			events:  []gstEvent{enter(0, 0, 1)},
			end:     sim.Second,
			demand:  false,
			wantOK:  map[string]bool{"progress_after_gst": true, "commit_bound": true},
		},
		{
			name:    "commits slower than the bound break it",
			checks:  ChecksConfig{GST: gstAt(0)},
			correct: []bool{true, true, true, true},
			events: append(syncRounds(0, 3, 0, -1),
				enter(40*sim.Millisecond, 0, 4), propose(40*sim.Millisecond, 0, 4),
				enter(50*sim.Millisecond, 0, 5), propose(50*sim.Millisecond, 1, 5),
				enter(60*sim.Millisecond, 0, 6), propose(60*sim.Millisecond, 2, 6),
				commitOf(200*sim.Millisecond, 0, 2, 4), commitOf(200*sim.Millisecond, 1, 2, 4),
				commitOf(200*sim.Millisecond, 2, 2, 4), commitOf(200*sim.Millisecond, 3, 2, 4)),
			end:       sim.Second,
			demand:    true,
			wantOK:    map[string]bool{"progress_after_gst": true, "commit_bound": false},
			wantInAll: "round 4",
		},
		{
			// Round 6's leader entered at 60 ms with nothing to propose and
			// waited 100 ms for a request: round 4's block commits 125 ms
			// after the round began, late for the 70 ms bound but within it
			// plus the 100 ms wait.
			name:    "a leader's wait for input is not counted",
			checks:  ChecksConfig{GST: gstAt(0)},
			correct: []bool{true, true, true, true},
			events: append(append(append(syncRounds(0, 3, 0, -1), commitAll(41*sim.Millisecond, 2, 2)...), commitAll(51*sim.Millisecond, 3, 3)...),
				enter(40*sim.Millisecond, 0, 4), propose(40*sim.Millisecond, 0, 4),

				enter(50*sim.Millisecond, 0, 5), propose(50*sim.Millisecond, 1, 5),
				enter(60*sim.Millisecond, 0, 6), proposeAfter(160*sim.Millisecond, 2, 6, 100*sim.Millisecond),
				commitOf(165*sim.Millisecond, 0, 2, 4), commitOf(165*sim.Millisecond, 1, 2, 4),
				commitOf(165*sim.Millisecond, 2, 2, 4), commitOf(165*sim.Millisecond, 3, 2, 4)),
			end:    sim.Second,
			demand: true,
			wantOK: map[string]bool{"progress_after_gst": true, "commit_bound": true},
		},
		{
			// A commit 180 ms after the round began is late even with the
			// wait (deadline 40 + 70 + 100 ms).
			name:    "late beyond the leaders' wait",
			checks:  ChecksConfig{GST: gstAt(0)},
			correct: []bool{true, true, true, true},
			events: append(append(append(syncRounds(0, 3, 0, -1), commitAll(41*sim.Millisecond, 2, 2)...), commitAll(51*sim.Millisecond, 3, 3)...),
				enter(40*sim.Millisecond, 0, 4), propose(40*sim.Millisecond, 0, 4),

				enter(50*sim.Millisecond, 0, 5), propose(50*sim.Millisecond, 1, 5),
				enter(60*sim.Millisecond, 0, 6), proposeAfter(160*sim.Millisecond, 2, 6, 100*sim.Millisecond),
				commitOf(220*sim.Millisecond, 0, 2, 4), commitOf(220*sim.Millisecond, 1, 2, 4),
				commitOf(220*sim.Millisecond, 2, 2, 4), commitOf(220*sim.Millisecond, 3, 2, 4)),
			end:       sim.Second,
			demand:    true,
			wantOK:    map[string]bool{"progress_after_gst": true, "commit_bound": false},
			wantInAll: "the leaders waited for input",
		},
		{
			// A replica timed out round 5 while round 6's leader waited: the
			// round is outside the bound's premise and not checked.
			name:    "a wait that ran out a round timer",
			checks:  ChecksConfig{GST: gstAt(0)},
			correct: []bool{true, true, true, true},
			events: append(append(append(syncRounds(0, 3, 0, -1), commitAll(41*sim.Millisecond, 2, 2)...), commitAll(51*sim.Millisecond, 3, 3)...),
				enter(40*sim.Millisecond, 0, 4), propose(40*sim.Millisecond, 0, 4),

				enter(50*sim.Millisecond, 0, 5), propose(50*sim.Millisecond, 1, 5),
				enter(60*sim.Millisecond, 0, 6), timeoutAt(90*sim.Millisecond, 3, 5),
				proposeAfter(160*sim.Millisecond, 2, 6, 100*sim.Millisecond),
				commitOf(400*sim.Millisecond, 0, 2, 4), commitOf(400*sim.Millisecond, 1, 2, 4),
				commitOf(400*sim.Millisecond, 2, 2, 4), commitOf(400*sim.Millisecond, 3, 2, 4)),
			end:    sim.Second,
			demand: true,
			wantOK: map[string]bool{"progress_after_gst": true, "commit_bound": true},
		},
		{
			// Without a wait, a timeout in the chain is no excuse.
			name:    "a timeout with prompt leaders",
			checks:  ChecksConfig{GST: gstAt(0)},
			correct: []bool{true, true, true, true},
			events: append(append(append(syncRounds(0, 3, 0, -1), commitAll(41*sim.Millisecond, 2, 2)...), commitAll(51*sim.Millisecond, 3, 3)...),
				enter(40*sim.Millisecond, 0, 4), propose(40*sim.Millisecond, 0, 4),

				enter(50*sim.Millisecond, 0, 5), propose(50*sim.Millisecond, 1, 5),
				enter(60*sim.Millisecond, 0, 6), propose(60*sim.Millisecond, 2, 6), timeoutAt(90*sim.Millisecond, 3, 5),
				commitOf(400*sim.Millisecond, 0, 2, 4), commitOf(400*sim.Millisecond, 1, 2, 4),
				commitOf(400*sim.Millisecond, 2, 2, 4), commitOf(400*sim.Millisecond, 3, 2, 4)),
			end:       sim.Second,
			demand:    true,
			wantOK:    map[string]bool{"progress_after_gst": true, "commit_bound": false},
			wantInAll: "round 4",
		},
		{
			name:    "GST by round waits for every correct replica",
			checks:  ChecksConfig{GSTRound: round(30)},
			correct: []bool{true, true, true, true},
			events:  syncRounds(0, 20, 0, 3),
			end:     sim.Second,
			demand:  true,
			// Nobody reached round 30: the run ended before GST.
			wantOK:    map[string]bool{"progress_after_gst": true},
			wantInAll: "before GST",
		},
		{
			name:    "bound off",
			checks:  ChecksConfig{GST: gstAt(0), CommitBound: new(bool)},
			correct: []bool{true, true, true, true},
			events:  syncRounds(0, 20, 0, -1),
			end:     sim.Second,
			demand:  true,
			wantOK:  map[string]bool{"progress_after_gst": true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Experiment{Checks: tt.checks}
			proto := &protocols.Protocol{Name: "test", CommitBound: bound}
			leader := func(_ sim.NodeID, r int64) sim.NodeID { return sim.NodeID(r % 4) }
			g := newGSTChecker(e, proto, nil, tt.correct, leader)
			for _, ev := range tt.events {
				switch o := ev.obs.(type) {
				case protocols.RoundChange:
					g.roundChange(ev.at, ev.node, o.Round)
				case protocols.Proposed:
					g.proposed(ev.node, o)
				case protocols.Commit:
					g.commit(ev.at, ev.node, o)
				case protocols.Timeout:
					g.timeout(ev.node, o)
				}
			}
			got := map[string]results.Check{}
			for _, c := range g.checks(tt.end, tt.demand) {
				got[c.Name] = c
			}
			if len(got) != len(tt.wantOK) {
				t.Fatalf("checks %v, want %v", got, tt.wantOK)
			}
			for name, ok := range tt.wantOK {
				c, found := got[name]
				if !found || c.OK != ok {
					t.Errorf("%s: ok = %v (found %v), want %v: %s", name, c.OK, found, ok, c.Detail)
				}
				if tt.wantInAll != "" && !c.OK && !strings.Contains(c.Detail, tt.wantInAll) {
					t.Errorf("%s detail lacks %q: %s", name, tt.wantInAll, c.Detail)
				}
			}
		})
	}
}
