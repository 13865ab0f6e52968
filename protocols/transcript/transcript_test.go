package transcript

import (
	"os"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols/prototest"
)

// TestRelayTranscript runs every command on the relay protocol.
func TestRelayTranscript(t *testing.T) {
	RunFile(t, prototest.Protocol(), "testdata/relay.txt")
}

func TestParseAndFormat(t *testing.T) {
	in := "# lead\n\ncmd a=1\n----\nout 1\nout 2\n\n# between\ncmd2\n----\n\n# tail\n"
	s, err := parse("x.txt", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.steps) != 2 || s.steps[0].command != "cmd a=1" || s.steps[0].line != 3 || s.steps[1].line != 9 {
		t.Fatalf("parsed %+v", s.steps)
	}
	if got := strings.Join(s.steps[0].output, "|"); got != "out 1|out 2" {
		t.Fatalf("output %q", got)
	}
	outs := [][]string{s.steps[0].output, s.steps[1].output}
	if got := s.format(outs); got != in {
		t.Fatalf("format changed the file:\n%s\nwant:\n%s", got, in)
	}
	// Rewriting with new outputs changes only the outputs.
	want := strings.Replace(in, "out 1\nout 2\n", "new\n", 1)
	if got := s.format([][]string{{"new"}, nil}); got != want {
		t.Fatalf("rewrite gave:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"----\n", "x.txt:1: \"----\" without a command"},
		{"cmd\n", "x.txt:1: command \"cmd\" is not followed"},
		{"# c\ncmd\nout\n", "x.txt:3: want \"----\" after the command on line 2"},
	} {
		_, err := parse("x.txt", strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestCommandErrors checks that a malformed command stops the transcript
// with its file, line and what is allowed.
func TestCommandErrors(t *testing.T) {
	start := "new n=4 f=1\n----\n\nstart\n----\n\n"
	for _, tc := range []struct{ script, want string }{
		{"start\n----\n", `x.txt:1: no replicas yet`},
		{"new n=4 f=2\n----\n", "x.txt:1: new: f=2: relay tolerates 0 … 1 faults with n=4"},
		{"new n=4 f=1 colour=red\n----\n", "unknown argument colour (allowed: n, f, seed, clients and the parameters of relay)"},
		{"new n=4 f=1 block_size=0\n----\n", "block_size=0: want 1 … 1.048576e+06"},
		{"new n=4 f=1 round_timeout=fast\n----\n", "round_timeout=fast: invalid duration"},
		{start + "frobnicate\n----\n", "x.txt:7: unknown command \"frobnicate\" (known: behaviour, corrupt, crash, deliver"},
		{start + "deliver kind=gossip\n----\n", "x.txt:7: deliver: kind=gossip: relay has no message kind \"gossip\" (kinds: proposal, vote, timeout)"},
		{start + "deliver to=0..9\n----\n", "replica 4 is not one of 0..3"},
		{start + "deliver from=client9\n----\n", "from=client9: no such client (clients are 4..4)"},
		{start + "set-attribute 0 colour=1\n----\n", "relay has no attribute \"colour\" (attributes: current_round, leader)"},
		{start + "corrupt 0 scope=heap\n----\n", "relay has no corruption scope \"heap\" (scopes: round)"},
		{start + "behaviour 0 lying\n----\n", "relay has no behaviour \"lying\""},
		{start + "fire-timer 0 kind=9\n----\n", "replica 0 has no pending timer of kind 9"},
		{start + "tick soon\n----\n", "tick: invalid duration"},
		{start + "start 0\n----\n", "replica 0 is already started"},
		{start + "request\n----\n", "missing id=I"},
		{start + "stabilize max=1\n----\n\nrequest id=1\n----\n\nstabilize max=1\n----\n", "x.txt:13: stabilize: still 7 messages in flight after 1 deliveries"},
		{start + "crash 0\n----\n\nfire-timer 0\n----\n", "x.txt:10: fire-timer: replica 0 crashed"},
	} {
		s, err := parse("x.txt", strings.NewReader(tc.script))
		if err != nil {
			t.Fatal(err)
		}
		_, err = execute(prototest.Protocol(), s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.script, err, tc.want)
		}
	}
}

// TestDifferencesReported checks that a wrong expected output is reported
// with the step's line, and a right one is not.
func TestDifferencesReported(t *testing.T) {
	in := "new n=4 f=1\n----\n4 replicas of relay (f=1), clients 4..4\n\nstart 0\n----\nwrong\n"
	s, err := parse("x.txt", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	got, err := execute(prototest.Protocol(), s)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{s.steps[0].output, s.steps[1].output}
	d := differences(s, want, got)
	if len(d) != 1 || !strings.HasPrefix(d[0], "x.txt:5: start 0\n--- want\nwrong\n--- got\n0 start\n") {
		t.Fatalf("differences = %q", d)
	}
}

// TestDocListsEveryCommand keeps the package documentation and the
// command table in step.
func TestDocListsEveryCommand(t *testing.T) {
	data, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for name, c := range commands() {
		if !strings.Contains(doc, "//\t"+name+" ") && !strings.Contains(doc, "//\t"+name+"\n") {
			t.Errorf("doc.go does not list command %s (%s)", name, c.usage)
		}
		if c.doc == "" || !strings.HasPrefix(c.usage, name) {
			t.Errorf("command %s: usage %q, doc %q", name, c.usage, c.doc)
		}
	}
}
