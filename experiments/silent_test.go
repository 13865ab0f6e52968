package experiments

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/protocols/prototest"
)

// TestSilentEveryProtocol runs each protocol with replica1 under the
// generic behaviour "silent" from 0 to 3s and honest again afterwards: the
// trace must show no message sent by replica1 while it is silent and some
// after it is honest again, and the workloads of the other replicas' must
// complete (liveness and safety checks pass).
func TestSilentEveryProtocol(t *testing.T) {
	reg := protocols.NewRegistry(bftlist.Protocol(), diembft.Protocol(), prototest.Protocol())
	for _, tc := range []struct {
		proto string
		n     int
		extra string
	}{
		{"relay", 4, ""},
		{"diembft", 4, ""},
		{"bftlist", 6, "[network.channels]\nfd_token = \"lossy\"\nfd_ack = \"lossy\"\nefd_token = \"lossy\"\n"},
	} {
		t.Run(tc.proto, func(t *testing.T) {
			if !protoHas(reg, tc.proto, protocols.Silent) {
				t.Fatalf("%s does not list %q", tc.proto, protocols.Silent)
			}
			src := fmt.Sprintf(`name = "silent-%[1]s"
seed = 1
duration = "6s"

[protocol]
name = %[1]q
n = %[2]d
f = 1

[network.delay]
type = "uniform"
min = "1ms"
max = "5ms"

%[3]s
[[workload]]
type = "retransmit"
count = 10
clients = 2
timeout = "5s"

[[byzantine]]
replica = 1
behaviour = "silent"

[[byzantine]]
replica = 1
behaviour = "honest"
at = "3s"

[stop]
when_done = false

[output]
trace = true
formats = ["svg"]
`, tc.proto, tc.n, tc.extra)
			path := filepath.Join(t.TempDir(), "silent.toml")
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			plan, err := Load(path, reg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			rep := executePassing(t, plan, t.TempDir())
			before, after, others := tracedSends(t, filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID, TraceFile), 1, 3e9)
			if before != 0 {
				t.Errorf("replica1 sent %d messages while silent", before)
			}
			if after == 0 {
				t.Error("replica1 sent nothing after switching back to honest")
			}
			if others == 0 {
				t.Error("the other replicas sent nothing")
			}
		})
	}
}

func protoHas(reg *protocols.Registry, name, behaviour string) bool {
	p, ok := reg.Lookup(name)
	return ok && p.HasBehaviour(behaviour)
}

// tracedSends counts the send lines of a trace: by replica id before and
// at-or-after switchAt (virtual ns), and by the other replicas.
func tracedSends(t *testing.T, path string, id int, switchAt int64) (before, after, others int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			T    int64  `json:"t"`
			Ev   string `json:"ev"`
			From *int   `json:"from"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if l.Ev != "send" || l.From == nil {
			continue
		}
		switch {
		case *l.From != id:
			others++
		case l.T < switchAt:
			before++
		default:
			after++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return before, after, others
}
