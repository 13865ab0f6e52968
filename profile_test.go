package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfileFlags checks that run and twins write a CPU and a memory
// profile (gzip-compressed protobuf, as go tool pprof reads), and that a
// profile file that cannot be created is bad input.
func TestProfileFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"run", []string{"run", "experiments/bench/peer-256.toml", "--set", "protocol.n=4", "--set", "protocol.f=1", "--set", "stop.commits=5", "-q", "-j", "1"}},
		{"twins", []string{"twins", "experiments/twins/default.toml", "--scenarios", "20", "-q", "-j", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cpu, mem := filepath.Join(dir, tc.name+".cpu"), filepath.Join(dir, tc.name+".mem")
			args := append(tc.args, "-o", filepath.Join(dir, "out-"+tc.name), "--cpuprofile", cpu, "--memprofile", mem)
			if code, _, stderr := byzsim(t, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, f := range []string{cpu, mem} {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
					t.Errorf("%s is not a gzip-compressed profile (%d bytes)", filepath.Base(f), len(data))
				}
			}
		})
	}
	for _, flag := range []string{"--cpuprofile", "--memprofile"} {
		bad := filepath.Join(dir, "missing", "p.out")
		code, _, stderr := byzsim(t, "run", "experiments/bench/peer-256.toml", "-q", "-o", filepath.Join(dir, "bad"), flag, bad)
		if code != 2 || !strings.Contains(stderr, flag) {
			t.Errorf("%s into a missing directory: exit %d, stderr %q; want 2 naming the flag", flag, code, stderr)
		}
	}
}
