package batch

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// parseYAML reads the block-style YAML subset yamlText writes (mappings,
// sequences of scalars or mappings, double-quoted strings, integers,
// booleans, {} and [], # comment lines) into maps, slices, string, int and
// bool, so that the test checks the text a user applies.
func parseYAML(text string) (any, error) {
	type line struct {
		n, indent int
		s         string
	}
	var lines []line
	for i, l := range strings.Split(text, "\n") {
		t := strings.TrimLeft(l, " ")
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		lines = append(lines, line{i + 1, len(l) - len(t), t})
	}
	pos := 0
	var block func(indent int) (any, error)
	value := func(s string, n int) (any, error) {
		switch {
		case s == "{}":
			return map[string]any{}, nil
		case s == "[]":
			return []any{}, nil
		case s == "true" || s == "false":
			return s == "true", nil
		case strings.HasPrefix(s, `"`):
			var v string
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			return v, nil
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: unquoted scalar %q", n, s)
		}
		return v, nil
	}
	// entry reads "key: value" or "key:" and the block below it.
	entry := func(m map[string]any, s string, n, indent int) error {
		k, v, ok := strings.Cut(s, ":")
		if !ok || k == "" {
			return fmt.Errorf("line %d: want key: value, got %q", n, s)
		}
		if _, dup := m[k]; dup {
			return fmt.Errorf("line %d: key %s twice", n, k)
		}
		v = strings.TrimSpace(v)
		if v != "" {
			x, err := value(v, n)
			m[k] = x
			return err
		}
		if pos >= len(lines) || lines[pos].indent <= indent {
			return fmt.Errorf("line %d: %s: no value", n, k)
		}
		x, err := block(lines[pos].indent)
		m[k] = x
		return err
	}
	block = func(indent int) (any, error) {
		if strings.HasPrefix(lines[pos].s, "- ") {
			var out []any
			for pos < len(lines) && lines[pos].indent == indent && strings.HasPrefix(lines[pos].s, "- ") {
				l := lines[pos]
				pos++
				item := l.s[2:]
				if k, _, ok := strings.Cut(item, ":"); ok && !strings.HasPrefix(item, `"`) && k != "" {
					m := map[string]any{}
					if err := entry(m, item, l.n, indent+2); err != nil {
						return nil, err
					}
					for pos < len(lines) && lines[pos].indent == indent+2 && !strings.HasPrefix(lines[pos].s, "- ") {
						l := lines[pos]
						pos++
						if err := entry(m, l.s, l.n, indent+2); err != nil {
							return nil, err
						}
					}
					out = append(out, m)
					continue
				}
				x, err := value(item, l.n)
				if err != nil {
					return nil, err
				}
				out = append(out, x)
			}
			return out, nil
		}
		m := map[string]any{}
		for pos < len(lines) && lines[pos].indent == indent {
			l := lines[pos]
			pos++
			if err := entry(m, l.s, l.n, indent); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	v, err := block(0)
	if err == nil && pos < len(lines) {
		err = fmt.Errorf("line %d: unexpected indentation", lines[pos].n)
	}
	return v, err
}

// schema is a node of the subset of the Kubernetes batch/v1 Job schema
// (and core/v1 PodSpec) that the manifests use: an object's known fields
// and required ones, an array's items, a scalar's type and allowed values.
type schema struct {
	typ      string // object, map (string keys, free), array, string, integer, boolean, quantity
	fields   map[string]*schema
	required []string
	items    *schema
	values   *schema // map values
	enum     []string
	pattern  *regexp.Regexp
	min      *int
}

func obj_(req []string, f map[string]*schema) *schema {
	return &schema{typ: "object", fields: f, required: req}
}
func arr(items *schema) *schema { return &schema{typ: "array", items: items} }
func str() *schema              { return &schema{typ: "string"} }
func enum(v ...string) *schema  { return &schema{typ: "string", enum: v} }
func int32s(min int) *schema    { return &schema{typ: "integer", min: &min} }

var (
	dnsLabel  = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	dnsSub    = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`)
	envName   = regexp.MustCompile(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`)
	labelKey  = regexp.MustCompile(`^([a-z0-9.-]+/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
	quantity  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$`)
	absPathRe = regexp.MustCompile(`^/`)
)

// jobSchema is the part of batch/v1 Job (Kubernetes 1.24+) the manifests
// use, with the API server's validation of those fields: required fields,
// types, enums (completionMode, restartPolicy: a Job's pods may only use
// OnFailure or Never), name formats.
func jobSchema() *schema {
	resources := &schema{typ: "map", values: &schema{typ: "quantity"}}
	container := obj_([]string{"name", "image"}, map[string]*schema{
		"name":    {typ: "string", pattern: dnsLabel},
		"image":   str(),
		"command": arr(str()),
		"args":    arr(str()),
		"env": arr(obj_([]string{"name"}, map[string]*schema{
			"name": {typ: "string", pattern: envName}, "value": str(),
		})),
		"resources": obj_(nil, map[string]*schema{"requests": resources, "limits": resources}),
		"volumeMounts": arr(obj_([]string{"name", "mountPath"}, map[string]*schema{
			"name": {typ: "string", pattern: dnsLabel}, "mountPath": {typ: "string", pattern: absPathRe}, "readOnly": {typ: "boolean"},
		})),
		"workingDir": str(),
	})
	podSpec := obj_([]string{"containers"}, map[string]*schema{
		"restartPolicy": enum("OnFailure", "Never"),
		"containers":    arr(container),
		"volumes": arr(obj_([]string{"name"}, map[string]*schema{
			"name": {typ: "string", pattern: dnsLabel},
			"persistentVolumeClaim": obj_([]string{"claimName"}, map[string]*schema{
				"claimName": {typ: "string", pattern: dnsSub}, "readOnly": {typ: "boolean"},
			}),
		})),
	})
	meta := obj_([]string{"name"}, map[string]*schema{
		"name":   {typ: "string", pattern: dnsLabel},
		"labels": {typ: "map", values: str()},
	})
	return obj_([]string{"apiVersion", "kind", "metadata", "spec"}, map[string]*schema{
		"apiVersion": enum("batch/v1"),
		"kind":       enum("Job"),
		"metadata":   meta,
		"spec": obj_([]string{"template"}, map[string]*schema{
			"completionMode":          enum("NonIndexed", "Indexed"),
			"completions":             int32s(0),
			"parallelism":             int32s(0),
			"backoffLimit":            int32s(0),
			"activeDeadlineSeconds":   int32s(1),
			"ttlSecondsAfterFinished": int32s(0),
			"template": obj_([]string{"spec"}, map[string]*schema{
				"metadata": obj_(nil, map[string]*schema{"labels": {typ: "map", values: str()}}),
				"spec":     podSpec,
			}),
		}),
	})
}

// validate returns the schema violations of v at path.
func validate(s *schema, v any, path string) []string {
	var errs []string
	bad := func(format string, args ...any) []string {
		return append(errs, path+": "+fmt.Sprintf(format, args...))
	}
	switch s.typ {
	case "object", "map":
		m, ok := v.(map[string]any)
		if !ok {
			return bad("want an object, got %T", v)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s.typ == "map" {
				if !labelKey.MatchString(k) {
					errs = append(errs, fmt.Sprintf("%s: key %q is not a valid key", path, k))
				}
				errs = append(errs, validate(s.values, m[k], path+"."+k)...)
				continue
			}
			f, ok := s.fields[k]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s: unknown field %q", path, k))
				continue
			}
			errs = append(errs, validate(f, m[k], path+"."+k)...)
		}
		for _, r := range s.required {
			if _, ok := m[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required field %q missing", path, r))
			}
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			return bad("want an array, got %T", v)
		}
		for i, x := range l {
			errs = append(errs, validate(s.items, x, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case "string", "quantity":
		x, ok := v.(string)
		if !ok {
			return bad("want a string, got %T %v", v, v)
		}
		if s.typ == "quantity" && !quantity.MatchString(x) {
			return bad("%q is not a quantity", x)
		}
		if len(s.enum) > 0 && !contains(s.enum, x) {
			return bad("%q is not one of %v", x, s.enum)
		}
		if s.pattern != nil && !s.pattern.MatchString(x) {
			return bad("%q does not match %s", x, s.pattern)
		}
	case "integer":
		x, ok := v.(int)
		if !ok {
			return bad("want an integer, got %T %v", v, v)
		}
		if x > 1<<31-1 || s.min != nil && x < *s.min {
			return bad("%d is out of range", x)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad("want a boolean, got %T", v)
		}
	}
	return errs
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

var k8sBase = K8sConfig{
	Name: "latency-vs-load", Image: "registry.example.com/byzsim:1.0",
	Experiment: "/experiments/figures/latency_vs_load.toml", Claim: "byzsim-results",
	Shards: 16, Parallelism: 8, CPU: 2, Memory: "2Gi",
}

func TestK8sManifests(t *testing.T) {
	noMem := k8sBase
	noMem.Memory, noMem.RunArgs = "", []string{"--set", "protocol.n=7"}
	for _, tc := range []struct {
		name string
		cfg  K8sConfig
	}{{"full", k8sBase}, {"nomem", noMem}} {
		files, err := K8sManifests(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			golden(t, filepath.Join("k8s-"+tc.name, f.Name), f.Text)
			doc, err := parseYAML(f.Text)
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			for _, e := range validate(jobSchema(), doc, "Job") {
				t.Errorf("%s/%s: %s", tc.name, f.Name, e)
			}
			spec := doc.(map[string]any)["spec"].(map[string]any)
			if f.Name != SweepManifest {
				continue
			}
			// An Indexed Job needs completions; the count byzsim reads
			// must be that same number.
			if spec["completionMode"] != "Indexed" || spec["completions"] != tc.cfg.Shards {
				t.Errorf("%s: completionMode %v, completions %v; want Indexed, %d", f.Name, spec["completionMode"], spec["completions"], tc.cfg.Shards)
			}
			c := spec["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
			env := c["env"].([]any)[0].(map[string]any)
			if env["name"] != ShardsVar || env["value"] != strconv.Itoa(tc.cfg.Shards) {
				t.Errorf("%s: env %v, want %s=%d", f.Name, env, ShardsVar, tc.cfg.Shards)
			}
			if args := c["args"].([]any)[0].(string); !strings.Contains(args, "--shard auto") || !strings.Contains(args, "--resume") || !strings.Contains(args, "$JOB_COMPLETION_INDEX") {
				t.Errorf("%s: args %q", f.Name, args)
			}
		}
	}
}

// TestSchemaCatches makes sure the validation is not vacuous: each broken
// manifest must be refused.
func TestSchemaCatches(t *testing.T) {
	files, err := K8sManifests(k8sBase)
	if err != nil {
		t.Fatal(err)
	}
	good := files[0].Text
	for _, tc := range []struct{ from, to string }{
		{`completionMode: "Indexed"`, `completionMode: "indexed"`},
		{`restartPolicy: "OnFailure"`, `restartPolicy: "Always"`},
		{`completions: 16`, `completions: "16"`},
		{`apiVersion: "batch/v1"`, `apiVersion: "batch/v2"`},
		{`claimName: "byzsim-results"`, `claimname: "byzsim-results"`},
		{`name: "shard"`, `name: "Shard_0"`},
		{`memory: "2Gi"`, `memory: "2 GB"`},
		{"          image: \"registry.example.com/byzsim:1.0\"\n", ""},
	} {
		bad := strings.Replace(good, tc.from, tc.to, 1)
		if bad == good {
			t.Fatalf("%q is not in the manifest", tc.from)
		}
		doc, err := parseYAML(bad)
		if err != nil {
			t.Fatalf("%q → %q: %v", tc.from, tc.to, err)
		}
		if errs := validate(jobSchema(), doc, "Job"); len(errs) == 0 {
			t.Errorf("%q → %q: accepted", tc.from, tc.to)
		}
	}
}

func TestJobName(t *testing.T) {
	for in, want := range map[string]string{
		"latency-vs-load":       "byzsim-latency-vs-load",
		"My_Sweep.v2":           "byzsim-my-sweep-v2",
		strings.Repeat("a", 80): "byzsim-" + strings.Repeat("a", 50),
	} {
		if got := JobName(in); got != want || !dnsLabel.MatchString(got+"-merge") {
			t.Errorf("JobName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestK8sConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		change func(*K8sConfig)
		want   string
	}{
		{func(c *K8sConfig) { c.Image = "" }, "--image"},
		{func(c *K8sConfig) { c.Claim = "" }, "--claim"},
		{func(c *K8sConfig) { c.Shards = 0 }, "--shards"},
		{func(c *K8sConfig) { c.CPU = 0 }, "--cpu"},
		{func(c *K8sConfig) { c.Memory = "2 GB" }, "--memory"},
	} {
		c := k8sBase
		tc.change(&c)
		if _, err := K8sManifests(c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
	}
}
