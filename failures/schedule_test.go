package failures

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/sim"
)

// TestScheduleApply runs schedules in a world of four relay replicas (whose
// round timers make every live replica send timeouts each second) and
// probes the world at given times.
func TestScheduleApply(t *testing.T) {
	type probe struct {
		at    sim.Time
		check func(s *relaySystem) bool
		what  string
	}
	crashed := func(id sim.NodeID, want bool) func(*relaySystem) bool {
		return func(s *relaySystem) bool { return s.w.Crashed(id) == want }
	}
	partitioned := func(a, b sim.NodeID, want bool) func(*relaySystem) bool {
		return func(s *relaySystem) bool { return s.w.Network().Partitioned(a, b) == want }
	}
	cases := []struct {
		name   string
		sched  Schedule
		probes []probe
	}{
		{"crash and recover", Schedule{Crashes: []Crash{{Replica: 1, At: sim.Second, RecoverAt: 3 * sim.Second}}}, []probe{
			{sim.Second / 2, crashed(1, false), "replica1 up before its crash"},
			{2 * sim.Second, crashed(1, true), "replica1 crashed at 2s"},
			{2 * sim.Second, crashed(0, false), "replica0 untouched"},
			{4 * sim.Second, crashed(1, false), "replica1 recovered at 4s"},
		}},
		{"crash forever and twice", Schedule{Crashes: []Crash{
			{Replica: 2, At: 3 * sim.Second},
			{Replica: 2, At: 0, RecoverAt: sim.Second},
		}}, []probe{
			{sim.Second / 2, crashed(2, true), "crashed from the start"},
			{2 * sim.Second, crashed(2, false), "recovered in between"},
			{10 * sim.Second, crashed(2, true), "crashed for good"},
		}},
		{"partition timeline", Schedule{Partitions: []PartitionPhase{
			{At: sim.Second, Groups: [][]sim.NodeID{{0, 1}, {2, 3}}},
			{At: 2 * sim.Second, Groups: [][]sim.NodeID{{0}, {1, 2, 3}}},
			{At: 3 * sim.Second},
		}}, []probe{
			{sim.Second / 2, partitioned(0, 2, false), "no partition yet"},
			{1500 * sim.Millisecond, partitioned(0, 2, true), "0 and 2 apart in phase 1"},
			{1500 * sim.Millisecond, partitioned(0, 1, false), "0 and 1 together in phase 1"},
			{2500 * sim.Millisecond, partitioned(0, 1, true), "0 alone in phase 2"},
			{2500 * sim.Millisecond, partitioned(1, 2, false), "1 and 2 together in phase 2"},
			{2500 * sim.Millisecond, partitioned(0, 4, false), "clients reach everyone"},
			{3500 * sim.Millisecond, partitioned(0, 1, false), "healed"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newRelaySystem(t, 1, 4)
			s.addClient(0, 0)
			if err := tc.sched.Apply(s.w, s.p, s.replicas); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			for _, pr := range tc.probes {
				s.w.Run(pr.at)
				if !pr.check(s) {
					t.Errorf("at %v: %s does not hold", pr.at, pr.what)
				}
			}
		})
	}
}

func TestScheduleBehaviourSwitch(t *testing.T) {
	s := newRelaySystem(t, 1, 4)
	rec := &recorder{}
	s.w.SetTracer(rec)
	sched := Schedule{Behaviours: []BehaviourSwitch{
		{Replica: 1, At: 1500 * sim.Millisecond, Name: "silent"},
		{Replica: 1, At: 4500 * sim.Millisecond, Name: Honest},
	}}
	if err := sched.Apply(s.w, s.p, s.replicas); err != nil {
		t.Fatal(err)
	}
	s.w.Run(8 * sim.Second)
	sentBy1 := func(from, until sim.Time) int {
		return len(rec.filter("sent", func(r record) bool { return r.from == 1 && r.at >= from && r.at < until }))
	}
	cases := []struct {
		name        string
		from, until sim.Time
		wantSilent  bool
	}{
		{"honest before the switch", 0, 1500 * sim.Millisecond, false},
		{"silent in between", 1500 * sim.Millisecond, 4500 * sim.Millisecond, true},
		{"honest again", 4500 * sim.Millisecond, 8 * sim.Second, false},
	}
	for _, tc := range cases {
		if got := sentBy1(tc.from, tc.until) == 0; got != tc.wantSilent {
			t.Errorf("%s: replica1 silent = %v, want %v", tc.name, got, tc.wantSilent)
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	p := prototest.Protocol()
	cases := []struct {
		name      string
		sched     Schedule
		wantField string
		wantMsg   string
	}{
		{"valid", Schedule{
			Crashes:    []Crash{{Replica: 0, At: 0, RecoverAt: sim.Second}, {Replica: 0, At: 2 * sim.Second}, {Replica: 3, At: sim.Second}},
			Partitions: []PartitionPhase{{At: 0, Groups: [][]sim.NodeID{{0}, {1, 2}}}, {At: sim.Second}},
			Behaviours: []BehaviourSwitch{{Replica: 1, Name: "silent"}, {Replica: 1, At: sim.Second, Name: Honest}, {Replica: 2, Name: ""}},
		}, "", ""},
		{"crash replica out of range", Schedule{Crashes: []Crash{{Replica: 4}}}, "crashes[0].replica", "replica0...replica3"},
		{"crash negative time", Schedule{Crashes: []Crash{{Replica: 1, At: -1}}}, "crashes[0].at", "time >= 0"},
		{"recover before crash", Schedule{Crashes: []Crash{{Replica: 1, At: 2 * sim.Second, RecoverAt: sim.Second}}}, "crashes[0].recover_at", "a time > at"},
		{"recover at crash time", Schedule{Crashes: []Crash{{Replica: 1, At: sim.Second, RecoverAt: sim.Second}}}, "crashes[0].recover_at", "a time > at"},
		{"crash while crashed", Schedule{Crashes: []Crash{{Replica: 1, At: 5 * sim.Second}, {Replica: 1, At: sim.Second, RecoverAt: 6 * sim.Second}}},
			"crashes[0].at", "still crashed by entry 1"},
		{"crash after a crash forever", Schedule{Crashes: []Crash{{Replica: 1, At: sim.Second}, {Replica: 1, At: 5 * sim.Second}}},
			"crashes[1].at", "still crashed by entry 0"},
		{"partition negative time", Schedule{Partitions: []PartitionPhase{{At: -1}}}, "partitions[0].at", "time >= 0"},
		{"partition out of order", Schedule{Partitions: []PartitionPhase{{At: 2 * sim.Second}, {At: sim.Second}}}, "partitions[1].at", "increasing time order"},
		{"partition same time", Schedule{Partitions: []PartitionPhase{{At: sim.Second}, {At: sim.Second}}}, "partitions[1].at", "increasing time order"},
		{"partition unknown replica", Schedule{Partitions: []PartitionPhase{{Groups: [][]sim.NodeID{{0, 1}, {2, 7}}}}}, "partitions[0].groups[1][1]", "no replica 7"},
		{"partition replica twice", Schedule{Partitions: []PartitionPhase{{Groups: [][]sim.NodeID{{0, 1}, {2, 1}}}}}, "partitions[0].groups[1][1]", "already in group 0"},
		{"partition empty group", Schedule{Partitions: []PartitionPhase{{Groups: [][]sim.NodeID{{0, 1}, {}}}}}, "partitions[0].groups[1]", "empty group"},
		{"behaviour unknown", Schedule{Behaviours: []BehaviourSwitch{{Replica: 1, Name: "equivocate"}}}, "behaviours[0].name",
			`unknown behaviour "equivocate" of relay (allowed: silent, honest)`},
		{"behaviour replica out of range", Schedule{Behaviours: []BehaviourSwitch{{Replica: 5, Name: "silent"}}}, "behaviours[0].replica", "no replica 5"},
		{"behaviour negative time", Schedule{Behaviours: []BehaviourSwitch{{Replica: 1, At: -5, Name: "silent"}}}, "behaviours[0].at", "time >= 0"},
		{"behaviour twice at once", Schedule{Behaviours: []BehaviourSwitch{{Replica: 1, At: sim.Second, Name: "silent"}, {Replica: 1, At: sim.Second}}},
			"behaviours[1].at", "already switches behaviour"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.sched.Validate(p, 4)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.wantField || !strings.Contains(fe.Msg, tc.wantMsg) {
				t.Errorf("Validate = %v; want field %s with %q", err, tc.wantField, tc.wantMsg)
			}
		})
	}
}

func TestScheduleApplyRejects(t *testing.T) {
	s := newRelaySystem(t, 1, 4)
	s.w.Run(5 * sim.Second)
	cases := []struct {
		name      string
		sched     Schedule
		wantField string
	}{
		{"crash in the past", Schedule{Crashes: []Crash{{Replica: 1, At: sim.Second}}}, "crashes[0].at"},
		{"behaviour in the past after valid entries", Schedule{Partitions: []PartitionPhase{{At: 6 * sim.Second}, {At: 7 * sim.Second}, {At: 8 * sim.Second}}, Crashes: []Crash{{Replica: 1, At: 6 * sim.Second}}, Behaviours: []BehaviourSwitch{{Replica: 1, At: 4 * sim.Second}}}, "behaviours[0].at"},
		{"invalid", Schedule{Crashes: []Crash{{Replica: 9, At: 6 * sim.Second}}}, "crashes[0].replica"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pending := s.w.Pending()
			err := tc.sched.Apply(s.w, s.p, s.replicas)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.wantField {
				t.Errorf("Apply = %v, want a FieldError on %s", err, tc.wantField)
			}
			if s.w.Pending() != pending {
				t.Errorf("Apply scheduled events although it failed")
			}
		})
	}
}

func TestScheduleMarkers(t *testing.T) {
	sched := Schedule{
		Crashes:    []Crash{{Replica: 1, At: 2 * sim.Second, RecoverAt: 4 * sim.Second}},
		Partitions: []PartitionPhase{{At: sim.Second, Groups: [][]sim.NodeID{{0, 1}, {2, 3}}}, {At: 3 * sim.Second}},
		Behaviours: []BehaviourSwitch{{Replica: 2, At: 2 * sim.Second, Name: "silent"}, {Replica: 2, At: 5 * sim.Second}},
	}
	want := []Marker{
		{sim.Second, "partition [replica0 replica1] [replica2 replica3]"},
		{2 * sim.Second, "crash replica1"},
		{2 * sim.Second, "behaviour replica2 silent"},
		{3 * sim.Second, "heal"},
		{4 * sim.Second, "recover replica1"},
		{5 * sim.Second, "behaviour replica2 honest"},
	}
	if got := sched.Markers(); !reflect.DeepEqual(got, want) {
		t.Errorf("Markers =\n%v\nwant\n%v", got, want)
	}
}

func TestDescribe(t *testing.T) {
	topics := Describe()
	if len(topics) == 0 {
		t.Fatal("no topics")
	}
	for _, tp := range topics {
		seen := map[string]bool{}
		if tp.Title == "" || len(tp.Items) == 0 {
			t.Errorf("topic %q is empty", tp.Title)
		}
		for _, it := range tp.Items {
			if it.Name == "" || it.Doc == "" || seen[it.Name] {
				t.Errorf("topic %q: bad or duplicate item %+v", tp.Title, it)
			}
			seen[it.Name] = true
		}
	}
	// Every rule type is described under its parseable name.
	var names []string
	for _, it := range topics[0].Items {
		if _, err := ParseRuleType(it.Name); err != nil {
			t.Errorf("described rule type %q does not parse: %v", it.Name, err)
		}
		names = append(names, it.Name)
	}
	if want := []string{"loss", "delay", "setattr"}; !reflect.DeepEqual(names, want) {
		t.Errorf("rule types %v, want %v", names, want)
	}
	// Every endpoint example parses.
	for _, ex := range []string{"replica0", "leader", "*"} {
		if _, err := ParseEndpoint(ex); err != nil {
			t.Errorf("endpoint %q: %v", ex, err)
		}
	}
}
