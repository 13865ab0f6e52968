package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/batch"
	"github.com/byzsim/byzsim/experiments"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// seedFlag is an optional uint64 flag.
type seedFlag struct{ v *uint64 }

func (s *seedFlag) String() string {
	if s.v == nil {
		return ""
	}
	return strconv.FormatUint(*s.v, 10)
}

func (s *seedFlag) Set(v string) error {
	n, err := experiments.ParseSeed(v)
	if err != nil {
		return err
	}
	s.v = &n
	return nil
}

// parseArgs parses flags that may come before or after the positional
// arguments, and returns the positionals.
func parseArgs(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	fs.SetOutput(stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, errHelp
			}
			return nil, &experiments.UsageError{Msg: "byzsim " + fs.Name() + ": " + err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// oneFile checks that exactly one experiment file was given.
func oneFile(cmd string, pos []string) (string, error) {
	if len(pos) != 1 {
		return "", &experiments.UsageError{Msg: fmt.Sprintf("byzsim %s: want one experiment file, got %d arguments (see byzsim help)", cmd, len(pos))}
	}
	return pos[0], nil
}

// parseShard parses "i/n".
func parseShard(s string) (int, int, error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, &experiments.UsageError{Msg: fmt.Sprintf("--shard %q: want i/n with 0 <= i < n, e.g. --shard 0/4, or auto in a Slurm job array or Kubernetes Indexed Job", s)}
	}
	return i, n, nil
}

// resolveShard reads --shard: "i/n", "auto" (from the batch system's
// environment, with the count n from --shards when it is positive), or ""
// (no sharding: 0, 0).
func resolveShard(shard string, shards int, env batch.Env) (int, int, error) {
	if shards < 0 || shards > 0 && shard != "auto" {
		return 0, 0, usageErrorf("--shards %d: give it, a positive shard count, only with --shard auto", shards)
	}
	if shard != "auto" {
		return parseShard(shard)
	}
	s, err := batch.ShardFromEnv(env, shards)
	if err != nil {
		return 0, 0, &experiments.UsageError{Msg: "byzsim run: " + err.Error()}
	}
	return s.Index, s.Count, nil
}

func usageErrorf(format string, args ...any) error {
	return &experiments.UsageError{Msg: fmt.Sprintf(format, args...)}
}
