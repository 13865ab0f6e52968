package failures

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/sim"
)

func TestRuleValidate(t *testing.T) {
	p := prototest.Protocol()
	ok := Rule{Src: Replica(0), Dest: Leader(), Msg: prototest.KindVote, Rounds: Rounds(2, 6), Prob: 1, Type: Loss}
	with := func(f func(r *Rule)) Rule {
		r := ok
		f(&r)
		return r
	}
	cases := []struct {
		name      string
		rule      Rule
		wantField string   // "" means valid
		wantMsg   []string // substrings of the message
	}{
		{"valid loss", ok, "", nil},
		{"valid delay", with(func(r *Rule) { r.Type, r.Delay = Delay, 2*sim.Second }), "", nil},
		{"valid setattr int", with(func(r *Rule) { r.Type, r.Attr, r.Value = SetAttr, "current_round", -5 }), "", nil},
		{"valid setattr replica", with(func(r *Rule) { r.Type, r.Attr, r.Value = SetAttr, "leader", 3 }), "", nil},
		{"valid client kinds", with(func(r *Rule) { r.Msg = protocols.KindRequest }), "", nil},
		{"valid reply", with(func(r *Rule) { r.Msg = protocols.KindReply }), "", nil},
		{"valid wildcard", with(func(r *Rule) { r.Msg, r.Src, r.Dest = AnyKind, Any(), Any() }), "", nil},
		{"valid window", with(func(r *Rule) { r.From, r.Until = sim.Second, 2*sim.Second }), "", nil},
		{"valid from only", with(func(r *Rule) { r.From = sim.Second }), "", nil},

		{"missing type", with(func(r *Rule) { r.Type = 0 }), "type", []string{"missing", "loss, delay, setattr"}},
		{"unknown type", with(func(r *Rule) { r.Type = 9 }), "type", []string{"unknown", "loss, delay, setattr"}},
		{"prob above 1", with(func(r *Rule) { r.Prob = 1.5 }), "prob", []string{"1.5", "0 <= prob <= 1"}},
		{"prob negative", with(func(r *Rule) { r.Prob = -0.1 }), "prob", []string{"0 <= prob <= 1"}},
		{"prob NaN", with(func(r *Rule) { r.Prob = math.NaN() }), "prob", []string{"NaN"}},
		{"unknown kind", with(func(r *Rule) { r.Msg = "prop" }), "msg",
			[]string{`unknown message kind "prop" (allowed: proposal, vote, timeout, request, reply, *)`}},
		{"missing kind", with(func(r *Rule) { r.Msg = "" }), "msg", []string{"missing", "proposal, vote, timeout, request, reply, *"}},
		{"src replica out of range", with(func(r *Rule) { r.Src = Replica(4) }), "src", []string{"no replica 4", "replica0...replica3, leader, *"}},
		{"dest replica out of range", with(func(r *Rule) { r.Dest = Replica(9) }), "dest", []string{"no replica 9", "replica0...replica3"}},
		{"dest negative replica", with(func(r *Rule) { r.Dest = Replica(-1) }), "dest", []string{"no replica -1"}},
		{"unknown endpoint kind", with(func(r *Rule) { r.Src = Endpoint{Kind: 7} }), "src", []string{"replicaN, leader, *"}},
		{"negative round", with(func(r *Rule) { r.Rounds = RoundSet{{0, 1}, {-2, 3}} }), "rounds[1]", []string{"negative", ">= 0"}},
		{"empty range", with(func(r *Rule) { r.Rounds = RoundSet{{5, 2}} }), "rounds[0]", []string{"5-2", "a <= b"}},
		{"negative from", with(func(r *Rule) { r.From = -1 }), "from", []string{"negative", ">= 0"}},
		{"negative until", with(func(r *Rule) { r.Until = -1 }), "until", []string{"negative"}},
		{"until before from", with(func(r *Rule) { r.From, r.Until = 2*sim.Second, sim.Second }), "until", []string{"before from", "time >= from"}},
		{"delay without value", with(func(r *Rule) { r.Type = Delay }), "delay", []string{"needs a delay > 0"}},
		{"delay on a loss rule", with(func(r *Rule) { r.Delay = sim.Second }), "delay", []string{"only delay rules"}},
		{"attr on a loss rule", with(func(r *Rule) { r.Attr = "leader" }), "attr", []string{"only setattr rules"}},
		{"setattr without attr", with(func(r *Rule) { r.Type = SetAttr }), "attr", []string{"missing", "current_round, leader"}},
		{"setattr unknown attr", with(func(r *Rule) { r.Type, r.Attr = SetAttr, "highest_vote_round" }), "attr",
			[]string{`unknown attribute "highest_vote_round" of relay (allowed: current_round, leader)`}},
		{"setattr replica value out of range", with(func(r *Rule) { r.Type, r.Attr, r.Value = SetAttr, "leader", 4 }), "value",
			[]string{"4 is not a replica", "replica0...replica3"}},
		{"setattr replica value negative", with(func(r *Rule) { r.Type, r.Attr, r.Value = SetAttr, "leader", -1 }), "value", []string{"replica id"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.rule.String()
			err := tc.rule.Validate(p, 4)
			if tc.rule.String() != before {
				t.Errorf("Validate modified the rule")
			}
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate = %v, want a *FieldError", err)
			}
			if fe.Field != tc.wantField {
				t.Errorf("field %q, want %q (%v)", fe.Field, tc.wantField, err)
			}
			if !strings.HasPrefix(err.Error(), tc.wantField+": ") {
				t.Errorf("message %q does not start with %q", err, tc.wantField+": ")
			}
			for _, w := range tc.wantMsg {
				if !strings.Contains(fe.Msg, w) {
					t.Errorf("message %q does not contain %q", fe.Msg, w)
				}
			}
		})
	}
}

func TestValidateRulesNamesTheIndex(t *testing.T) {
	p := prototest.Protocol()
	rules := []Rule{{Msg: AnyKind, Prob: 1, Type: Loss}, {Msg: AnyKind, Prob: 2, Type: Loss}}
	err := ValidateRules(rules, p, 4)
	if err == nil || err.Error() != "[1].prob: 2 is out of range (allowed: 0 <= prob <= 1)" {
		t.Errorf("ValidateRules = %v", err)
	}
}

func TestParseAttrValue(t *testing.T) {
	cases := []struct {
		name    string
		typ     protocols.AttrType
		in      any
		want    int64
		wantErr string
	}{
		{"int64", protocols.AttrInt, int64(4), 4, ""},
		{"int", protocols.AttrInt, -3, -3, ""},
		{"integral float", protocols.AttrInt, 7.0, 7, ""},
		{"fractional float", protocols.AttrInt, 7.5, 0, "allowed: an integer"},
		{"string for int", protocols.AttrInt, "replica1", 0, "allowed: an integer"},
		{"replica name", protocols.AttrReplica, "replica2", 2, ""},
		{"replica number", protocols.AttrReplica, int64(1), 1, ""},
		{"bad replica name", protocols.AttrReplica, "node2", 0, "replicaN"},
		{"bool", protocols.AttrReplica, true, 0, "replicaN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAttrValue(tc.typ, tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("ParseAttrValue = %d, %v; want error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseAttrValue = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestParseRuleType(t *testing.T) {
	cases := []struct {
		in      string
		want    RuleType
		wantErr bool
	}{
		{"loss", Loss, false},
		{"delay", Delay, false},
		{"setattr", SetAttr, false},
		{"Loss", 0, true},
		{"", 0, true},
		{"drop", 0, true},
	}
	for _, tc := range cases {
		got, err := ParseRuleType(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseRuleType(%q) = %v, %v", tc.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "allowed: loss, delay, setattr") {
			t.Errorf("ParseRuleType(%q) error %q does not list what is allowed", tc.in, err)
		}
		if err == nil && got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestRuleString(t *testing.T) {
	cases := []struct {
		rule Rule
		want string
	}{
		{Rule{Src: Replica(0), Msg: AnyKind, Rounds: Rounds(2, 6), Prob: 1, Type: Loss}, `loss src=replica0 dest=* msg=* rounds=["2-6"] prob=1`},
		{Rule{Dest: Leader(), Msg: "vote", Prob: 0.5, Type: Delay, Delay: 2 * sim.Second, From: sim.Second, Until: 3 * sim.Second},
			"delay src=* dest=leader msg=vote from=1s until=3s prob=0.5 delay=2s"},
		{Rule{Src: Replica(2), Msg: AnyKind, Rounds: RoundList(1, 3), Prob: 1, Type: SetAttr, Attr: "current_round", Value: 4},
			"setattr src=replica2 dest=* msg=* rounds=[1, 3] prob=1 attr=current_round value=4"},
	}
	for _, tc := range cases {
		if got := tc.rule.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}
