package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/byzsim/byzsim/batch"
	"github.com/byzsim/byzsim/experiments"
)

// k8sCmd writes the Kubernetes manifests of a sweep: an Indexed Job for the
// shards and a Job for the merge.
func k8sCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("k8s", flag.ContinueOnError)
	out := fs.String("o", "", "`dir`ectory for the manifests (default k8s-<experiment>)")
	image := fs.String("image", "", "container `image` holding byzsim on the PATH, /bin/sh and the experiment file")
	inImage := fs.String("file-in-image", "", "the experiment file's `path` in the image (default: FILE as given)")
	claim := fs.String("claim", "byzsim-results", "ReadWriteMany PersistentVolumeClaim mounted at /results")
	shards := fs.Int("shards", 0, "completions, one shard each (default: one per run, at most 64)")
	parallelism := fs.Int("parallelism", 0, "pods at a time (default: the shards)")
	cpu := fs.Int("cpu", 1, "CPUs each pod requests; byzsim runs that many runs at once")
	memory := fs.String("memory", "", "memory each pod requests and is limited to (e.g. 2Gi)")
	var seed seedFlag
	fs.Var(&seed, "seed", "replace the experiment's seed")
	var sets stringList
	fs.Var(&sets, "set", "override a key: --set protocol.n=7 (repeatable)")
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	file, err := oneFile("k8s", pos)
	if err != nil {
		return err
	}
	plan, err := experiments.Load(file, registry(), experiments.Options{Seed: seed.v, Sets: sets})
	if err != nil {
		return err
	}
	n := *shards
	if n == 0 {
		n = min(len(plan.Runs), 64)
	}
	par := *parallelism
	if par == 0 {
		par = n
	}
	inFile := *inImage
	if inFile == "" {
		inFile = file
	}
	files, err := batch.K8sManifests(batch.K8sConfig{
		Name: plan.Base.Name, Image: *image, Experiment: inFile, Claim: *claim,
		Shards: n, Parallelism: par, CPU: *cpu, Memory: *memory, RunArgs: runArgs(seed, sets),
	})
	if err != nil {
		return usageErrorf("byzsim k8s: %v", err)
	}
	dir := *out
	if dir == "" {
		dir = "k8s-" + plan.Base.Name
	}
	if err := writeFiles(dir, files); err != nil {
		return err
	}
	job := batch.JobName(plan.Base.Name)
	fmt.Fprintf(stdout, "wrote %s/%s (%d shards) and %s/%s; then:\n", dir, batch.SweepManifest, n, dir, batch.MergeManifest)
	fmt.Fprintf(stdout, "  kubectl apply -f %s/%s\n", dir, batch.SweepManifest)
	fmt.Fprintf(stdout, "  kubectl wait --for=condition=complete --timeout=24h job/%s\n", job)
	fmt.Fprintf(stdout, "  kubectl apply -f %s/%s && kubectl wait --for=condition=complete --timeout=1h job/%s-merge\n", dir, batch.MergeManifest, job)
	fmt.Fprintf(stdout, "merged results: %s/%s/merged/%s on the volume %s\n", batch.MountPath, plan.Base.Name, plan.Base.Name, *claim)
	return nil
}
