package experiments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/protocols/prototest"
)

func TestLiveConfig(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol(), prototest.Protocol())
	base, err := os.ReadFile("testdata/live-diembft.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ extra, want string }{
		{"[live]\ntcp_port = 65534\n", "live.tcp_port"},
		{"[live]\nudp_port = -1\n", "live.udp_port"},
		{"[live]\nhost = \"localhost:1\"\n", "live.host"},
		{"[live]\nrest_pot = 4000\n", "rest_pot"},
	} {
		_, err := LoadBytes("x.toml", append(append([]byte{}, base...), tc.extra...), reg, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one naming %s", tc.extra, err, tc.want)
		}
	}
	plan, err := LoadBytes("x.toml", append(append([]byte{}, base...), "[live]\nmetrics_port = 9000\ntcp_port = 0\n"...), reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := plan.Runs[0].Exp
	addrs, eps := LiveAddrs(e, 6, false)
	if eps[2].Metrics != "127.0.0.1:9002" || eps[3].REST != "127.0.0.1:4003" || addrs[5].UDP != "127.0.0.1:7005" || addrs[1].TCP != "127.0.0.1:0" {
		t.Errorf("addresses %v %v", addrs, eps)
	}
	if probs := LiveProblems(e, lookup(reg, e.Protocol.Name)); len(probs) != 0 {
		t.Errorf("problems %v", probs)
	}
	gst, err := LoadBytes("x.toml", append(append([]byte{}, base...), "[stop]\nevents = 1000\n"...), reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if probs := LiveProblems(gst.Runs[0].Exp, lookup(reg, "diembft")); len(probs) != 1 || !strings.Contains(probs[0], "stop.events") {
		t.Errorf("problems %v, want stop.events", probs)
	}
	relay, _ := reg.Lookup("relay")
	if probs := LiveProblems(e, relay); len(probs) != 1 || !strings.Contains(probs[0], "no wire encoding") {
		t.Errorf("problems %v, want no wire encoding", probs)
	}
}

func TestClusterFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ text, want string }{
		{"[[node]]\ntcp = \"127.0.0.1:1\"\n", "experiment"},
		{"experiment = \"x.toml\"\nbogus = 1\n", "bogus"},
		{"experiment = [\n", "cluster.toml"},
	} {
		path := filepath.Join(dir, "cluster.toml")
		if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadClusterFile(path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one naming %s", tc.text, err, tc.want)
		}
	}
	reg := protocols.NewRegistry(diembft.Protocol())
	abs, _ := filepath.Abs("testdata/live-diembft.toml")
	cf := &ClusterFile{Experiment: abs, Nodes: []ClusterNode{{TCP: "127.0.0.1:0", UDP: "127.0.0.1:0"}}}
	if _, err := StartLiveNode(cf, reg, 0); err == nil || !strings.Contains(err.Error(), "lists 1 nodes") {
		t.Errorf("a cluster file with too few nodes: %v", err)
	}
}

func lookup(reg *protocols.Registry, name string) *protocols.Protocol {
	p, _ := reg.Lookup(name)
	return p
}
