package batch

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// K8sConfig describes the Kubernetes Jobs of a sweep.
type K8sConfig struct {
	// Name is the experiment's name; the Jobs are byzsim-<name> and
	// byzsim-<name>-merge (made a valid Kubernetes name).
	Name string
	// Image holds byzsim (on the PATH), a shell and the experiment file.
	Image string
	// Experiment is the experiment file's path inside the image.
	Experiment string
	// Claim is the ReadWriteMany PersistentVolumeClaim every pod mounts at
	// /results; the sweep writes to /results/<name>.
	Claim string
	// Shards is the Job's completions; Parallelism the pods at a time.
	Shards, Parallelism int
	// CPU is each pod's CPU request, and the runs it runs at once.
	CPU int
	// Memory is each pod's memory request and limit ("" for none).
	Memory string
	// RunArgs are more arguments of byzsim run (--set, --seed).
	RunArgs []string
}

// Generated manifest names.
const (
	SweepManifest = "sweep-job.yaml"
	MergeManifest = "merge-job.yaml"
)

// MountPath is where the pods mount the results volume.
const MountPath = "/results"

// quantityRe matches a Kubernetes memory quantity (compiled when first
// needed rather than by every byzsim command).
var quantityRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$`)
})

// JobName returns the Kubernetes name of a sweep's Job: "byzsim-" and the
// experiment name in lower case, with every character outside a-z, 0-9
// and '-' replaced by '-', cut to leave room for "-merge" within 63.
func JobName(experiment string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(experiment) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	name := "byzsim-" + strings.Trim(b.String(), "-")
	if len(name) > 63-len("-merge") {
		name = name[:63-len("-merge")]
	}
	return strings.TrimRight(name, "-")
}

// K8sManifests returns the manifests of a Kubernetes Indexed Job running
// the shards (completions = parallel indices = shards; each pod runs
// byzsim run --shard auto with $BYZSIM_SHARDS set to the count, into
// /results/<name>/shards/<index>) and of the Job merging them into
// /results/<name>/merged.
func K8sManifests(c K8sConfig) ([]File, error) {
	switch {
	case c.Image == "":
		return nil, fmt.Errorf("--image: want the container image holding byzsim")
	case c.Claim == "":
		return nil, fmt.Errorf("--claim: want the name of a ReadWriteMany PersistentVolumeClaim")
	case c.Shards < 1:
		return nil, fmt.Errorf("--shards %d: want at least 1", c.Shards)
	case c.Parallelism < 1:
		return nil, fmt.Errorf("--parallelism %d: want at least 1", c.Parallelism)
	case c.CPU < 1:
		return nil, fmt.Errorf("--cpu %d: want at least 1", c.CPU)
	case c.Memory != "" && !quantityRe().MatchString(c.Memory):
		return nil, fmt.Errorf("--memory %q: want a Kubernetes quantity such as 2Gi or 512Mi", c.Memory)
	}
	job := JobName(c.Name)
	dir := MountPath + "/" + c.Name
	if shellQuote(c.Name) != c.Name {
		return nil, fmt.Errorf("experiment name %q: want letters, digits and . _ - only in a Kubernetes sweep", c.Name)
	}
	run := []string{"exec byzsim run", shellQuote(c.Experiment)}
	for _, a := range c.RunArgs {
		run = append(run, shellQuote(a))
	}
	run = append(run, "-o", `"`+dir+`/shards/$JOB_COMPLETION_INDEX"`, "-q --resume --shard auto -j", strconv.Itoa(c.CPU))
	resources := obj{{"requests", obj{{"cpu", strconv.Itoa(c.CPU)}}}}
	if c.Memory != "" {
		resources = obj{
			{"requests", obj{{"cpu", strconv.Itoa(c.CPU)}, {"memory", c.Memory}}},
			{"limits", obj{{"memory", c.Memory}}},
		}
	}
	volumes := list{obj{{"name", "results"}, {"persistentVolumeClaim", obj{{"claimName", c.Claim}}}}}
	mounts := list{obj{{"name", "results"}, {"mountPath", MountPath}}}
	sweep := obj{
		{"apiVersion", "batch/v1"},
		{"kind", "Job"},
		{"metadata", obj{{"name", job}, {"labels", obj{{"app.kubernetes.io/name", "byzsim"}}}}},
		{"spec", obj{
			{"completionMode", "Indexed"},
			{"completions", c.Shards},
			{"parallelism", min(c.Parallelism, c.Shards)},
			{"backoffLimit", 3 * c.Shards},
			{"template", obj{
				{"spec", obj{
					{"restartPolicy", "OnFailure"},
					{"containers", list{obj{
						{"name", "shard"},
						{"image", c.Image},
						{"command", list{"/bin/sh", "-c"}},
						{"args", list{strings.Join(run, " ")}},
						{"env", list{obj{{"name", ShardsVar}, {"value", strconv.Itoa(c.Shards)}}}},
						{"resources", resources},
						{"volumeMounts", mounts},
					}}},
					{"volumes", volumes},
				}},
			}},
		}},
	}
	merge := obj{
		{"apiVersion", "batch/v1"},
		{"kind", "Job"},
		{"metadata", obj{{"name", job + "-merge"}, {"labels", obj{{"app.kubernetes.io/name", "byzsim"}}}}},
		{"spec", obj{
			{"backoffLimit", 0},
			{"template", obj{
				{"spec", obj{
					{"restartPolicy", "Never"},
					{"containers", list{obj{
						{"name", "merge"},
						{"image", c.Image},
						{"command", list{"/bin/sh", "-c"}},
						{"args", list{"rm -rf " + dir + "/merged && exec byzsim merge " + dir + "/merged " + dir + "/shards"}},
						{"resources", obj{{"requests", obj{{"cpu", "1"}}}}},
						{"volumeMounts", mounts},
					}}},
					{"volumes", volumes},
				}},
			}},
		}},
	}
	header := func(what string) string {
		return fmt.Sprintf("# byzsim experiment %s: %s (written by byzsim k8s).\n", c.Name, what)
	}
	return []File{
		{SweepManifest, header(fmt.Sprintf("Indexed Job: %d shards, %d pods at a time, into %s/shards/<index>", c.Shards, min(c.Parallelism, c.Shards), dir)) + yamlText(sweep), false},
		{MergeManifest, header(fmt.Sprintf("Job merging the shards into %s/merged/%s; apply it when %s completed", dir, c.Name, job)) + yamlText(merge), false},
	}, nil
}
