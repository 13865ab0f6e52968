package twinsrun

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/failures/twins"
	"github.com/byzsim/byzsim/protocols/diembft"
)

// TestProtocolWithoutTwinsRefused: a protocol without Twins support, or
// an unknown one, is refused at its key with the protocols that have it.
func TestProtocolWithoutTwinsRefused(t *testing.T) {
	ps := testProtocols()
	if got := ps.Supported(); !reflect.DeepEqual(got, []string{"diembft", "relay"}) {
		t.Fatalf("Supported() = %v, want [diembft relay]", got)
	}
	tests := []struct {
		text string
		ov   Overrides
		want string
	}{
		{"n = 4\nprotocol = \"bftlist\"\n", Overrides{}, "x.toml:2: protocol: protocol bftlist cannot run Twins scenarios: it declares no Twins support (protocols that do: diembft, relay)"},
		{"n = 4\nprotocol = \"pbft\"\n", Overrides{}, `x.toml:2: protocol: unknown protocol "pbft" (allowed: diembft, relay)`},
		{"n = 4\n", Overrides{Protocol: "bftlist"}, "--protocol: protocol bftlist cannot run Twins scenarios"},
		{"n = 4\nprotocol = \"relay\"\nbugs = [\"small_quorum\"]\n", Overrides{}, `x.toml:3: bugs: unknown bug "small_quorum" (allowed: none: relay plants no bug)`},
	}
	for _, tt := range tests {
		_, err := Parse("x.toml", []byte(tt.text), tt.ov, ps)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q, %+v) = %v, want %q", tt.text, tt.ov, err, tt.want)
		}
	}
	base := settings()
	h := base.Header()
	h.Protocol = "bftlist"
	if _, err := FromHeader(h, ps); err == nil || !strings.Contains(err.Error(), "protocol: protocol bftlist cannot run Twins scenarios") {
		t.Errorf("FromHeader with bftlist: %v", err)
	}
	if _, err := FromBase(Base{Name: "x", Protocol: "bftlist", Protocols: ps, N: 4, F: 1, Seed: 1, Scenarios: 1}); err == nil ||
		!strings.Contains(err.Error(), "explore.generator: protocol bftlist cannot run Twins scenarios") {
		t.Errorf("FromBase with bftlist: %v", err)
	}
}

// TestHeaderNamesProtocol: scenario files name the protocol only when it
// is not the default, and read back to the same settings.
func TestHeaderNamesProtocol(t *testing.T) {
	ps := testProtocols()
	for _, tc := range []struct{ text, wantField string }{
		{"n = 4\n", ""},
		{"n = 4\nprotocol = \"diembft\"\n", ""},
		{"n = 4\nprotocol = \"relay\"\n", `"protocol":"relay"`},
	} {
		e, err := Parse("x.toml", []byte(tc.text), Overrides{}, ps)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w, err := twins.NewWriter(&buf, e.Settings.Header())
		if err != nil {
			t.Fatal(err)
		}
		w.Flush()
		line := buf.String()
		if tc.wantField == "" && strings.Contains(line, `"protocol"`) || tc.wantField != "" && !strings.Contains(line, tc.wantField) {
			t.Errorf("%q: header %s, want protocol field %q", tc.text, line, tc.wantField)
		}
		h, _, err := twins.ReadScenarios(&buf, "h.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		s, err := FromHeader(h, ps)
		if err != nil {
			t.Fatal(err)
		}
		if s.Protocol.Name != e.Settings.Protocol.Name || s.Named != e.Settings.Named {
			t.Errorf("%q: read back %s (named %v), wrote %s (named %v)", tc.text, s.Protocol.Name, s.Named, e.Settings.Protocol.Name, e.Settings.Named)
		}
	}
}

// TestRelayTwins: Twins runs on a protocol that knows nothing of DiemBFT
// (relay, through its TwinsSupport alone) and, relay not being Byzantine
// fault tolerant, finds conflicting commits of a twinned leader (P2),
// which a minimized counterexample reproduces. Relay emits no QCs and
// declares no commit bound, so P1, NQ and P4 never fire.
func TestRelayTwins(t *testing.T) {
	e, err := Parse("relay.toml", []byte("protocol = \"relay\"\nn = 4\n"), Overrides{}, testProtocols())
	if err != nil {
		t.Fatal(err)
	}
	s := e.Settings
	if s.Protocol.Name != "relay" || s.F != 1 || s.T != 1 || e.Params.Quorum != 3 {
		t.Fatalf("settings %+v, params %+v", s, e.Params)
	}
	rep, err := Execute(context.Background(), s, sample(t, e.Params, 1, 200), Options{Jobs: 2, Counterexamples: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ByProperty[PropChain] == 0 {
		t.Fatalf("no conflicting commits in 200 scenarios on relay (violations by property: %v)", rep.ByProperty)
	}
	for _, p := range []string{PropCertified, PropNoQuorum, PropLatency} {
		if rep.ByProperty[p] != 0 {
			t.Errorf("%s violated %d times on relay, which emits no QC and declares no commit bound", p, rep.ByProperty[p])
		}
	}
	var cx *Counterexample
	for i := range rep.Counterexamples {
		if rep.Counterexamples[i].Check == PropChain {
			cx = &rep.Counterexamples[i]
		}
	}
	if cx == nil {
		t.Fatal("no P2 counterexample")
	}
	rn, err := NewRunner(s)
	if err != nil {
		t.Fatal(err)
	}
	min := cx.Case
	res, err := rn.Run(&min)
	if err != nil || !res.Has(PropChain) || len(min.Rounds) >= len(cx.Found.Rounds) {
		t.Fatalf("minimized counterexample (%d of %d rounds) replayed: %+v, %v", len(min.Rounds), len(cx.Found.Rounds), res, err)
	}
	text := Explain(&s, &min, res.Violations[0])
	if !strings.Contains(text, "System: relay, n=4") || !strings.Contains(text, "conflicting commits at height") {
		t.Errorf("explanation:\n%s", text)
	}
}

// TestDiemBFTPropertyText: P4's statement is DiemBFT's commit bound, 7Δ
// with three correct leaders.
func TestDiemBFTPropertyText(t *testing.T) {
	s := settings()
	want := "with correct leaders for r, r+1, r+2 after GST, every correct replica commits r's block within 7Δ of the first correct replica entering r"
	if got := s.PropertyText(PropLatency); got != want {
		t.Errorf("P4: %q, want %q", got, want)
	}
	if s.Protocol.Name != diembft.Name {
		t.Fatal("tests' settings are not DiemBFT's")
	}
}
