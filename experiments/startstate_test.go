package experiments

import (
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
)

// TestReplicaSelection reads the replicas of [[start_state]] and
// [[expect.state]] with the shared decoder, naming file, line and key.
func TestReplicaSelection(t *testing.T) {
	reg := protocols.NewRegistry(bftlist.Protocol())
	for _, tt := range []struct{ sel, want string }{
		{`"*"`, ""},
		{`["replica0", 5]`, ""},
		{`[]`, `t.toml:6: start_state[0].replicas: selects no replica (allowed: "*" or a non-empty array of replicas, replica0 to replica5)`},
		{`"all"`, `t.toml:6: start_state[0].replicas: "all" is a string (allowed: "*" or an array of replicas (replica0 to replica5))`},
		{`["replica1", 6]`, `t.toml:6: start_state[0].replicas[1]: 6 is out of range (allowed: 0 to 5, or replica0 to replica5)`},
		{`[true]`, `t.toml:6: start_state[0].replicas[0]: true is a boolean (allowed: replica0 to replica5)`},
	} {
		text := "[protocol]\nname = \"bftlist\"\nn = 6\nf = 1\n[[start_state]]\nreplicas = " + tt.sel + "\n[start_state.fd]\ncnt = 3\n"
		_, err := LoadBytes("t.toml", []byte(text), reg, Options{})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("replicas = %s: %v", tt.sel, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("replicas = %s: error %v, want one containing %q", tt.sel, err, tt.want)
		}
	}
}
