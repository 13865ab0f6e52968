package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// docCommand is a byzsim command line found in the documentation.
type docCommand struct {
	where string   // file:line
	args  []string // after "byzsim" (or "go run ."), shell words
	// synopsis is set for a usage line ("FILE [-o DIR] ..."): only its
	// flags are checked.
	synopsis bool
}

// shellBlocks are the languages of fenced code blocks holding shell
// commands ("" for an untyped block).
var shellBlocks = []string{"", "sh", "bash", "shell", "console"}

// inlineCode matches a code span in Markdown text.
var inlineCode = regexp.MustCompile("`([^`]+)`")

// docCommands returns the byzsim command lines of a Markdown file: the
// lines of its shell code blocks and its code spans that start with
// byzsim, ./byzsim or go run . (after a prompt, a command prefix such as
// /usr/bin/time -v or exec, or a && of an earlier command).
func docCommands(path string) ([]docCommand, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []docCommand
	inBlock, shell := false, false
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		line, n := lines[i], i+1
		if fence, ok := strings.CutPrefix(strings.TrimSpace(line), "```"); ok {
			inBlock = !inBlock
			shell = inBlock && slices.Contains(shellBlocks, strings.TrimSpace(fence))
			continue
		}
		var candidates []string
		if inBlock {
			if !shell {
				continue
			}
			for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
				i++
				line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(lines[i])
			}
			candidates = append(candidates, stripComment(line))
		} else {
			for _, m := range inlineCode.FindAllStringSubmatch(line, -1) {
				candidates = append(candidates, m[1])
			}
		}
		for _, c := range candidates {
			for _, part := range splitCommands(c) {
				words := shellWords(part)
				args, ok := byzsimArgs(words)
				if !ok || len(args) == 0 || strings.HasSuffix(args[0], ":") || args[0] == "…" || args[0] == "..." { // a message quoted or an ellipsis, not a command
					continue
				}
				out = append(out, docCommand{
					where:    fmt.Sprintf("%s:%d", path, n),
					args:     args,
					synopsis: strings.ContainsAny(part, "[|") || strings.Contains(part, "..."),
				})
			}
		}
	}
	return out, nil
}

// stripComment removes a shell comment (" # ...") outside quotes.
func stripComment(line string) string {
	quote := rune(0)
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return line[:i]
		}
	}
	return line
}

// splitCommands splits a command line at &&, || and ;.
func splitCommands(s string) []string {
	s = strings.NewReplacer("&&", "\x00", "||", "\x00", ";", "\x00").Replace(s)
	return strings.Split(s, "\x00")
}

// shellWords splits a command into words, removing quotes.
func shellWords(s string) []string {
	var words []string
	var b strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				b.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, b.String())
	}
	return words
}

// byzsimArgs returns the arguments of a byzsim invocation: words that
// start with byzsim, ./byzsim or go run ., after a prompt ($), variable
// assignments and the prefixes time, /usr/bin/time -v and exec.
func byzsimArgs(words []string) ([]string, bool) {
	for len(words) > 0 && (slices.Contains([]string{"$", "time", "/usr/bin/time", "-v", "exec"}, words[0]) ||
		strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-")) {
		words = words[1:]
	}
	switch {
	case len(words) > 0 && (words[0] == "byzsim" || words[0] == "./byzsim"):
		return words[1:], true
	case len(words) > 2 && words[0] == "go" && words[1] == "run" && words[2] == ".":
		return words[3:], true
	}
	return nil, false
}

// placeholder reports whether a word stands for something the reader
// chooses: an upper-case name (FILE, OUT, SHARD_DIR), a shell variable, a
// glob, or <...>.
func placeholder(w string) bool {
	if strings.ContainsAny(w, "$*<>") {
		return true
	}
	base := strings.TrimSuffix(strings.TrimSuffix(w, "..."), ".toml")
	return base != "" && strings.ToUpper(base) == base && strings.ToLower(base) != base
}

// exampleFiles are experiment file names the documentation uses for "your
// own experiment" (the scaling examples) or for the resolved experiment
// an output directory holds; they are not in the repository.
var exampleFiles = []string{"sweep.toml", "experiment.toml"}

// commandFlags returns the flags of a byzsim command, read from its -h
// output: each flag and whether it takes a value.
func commandFlags(t *testing.T, cmd string) map[string]bool {
	t.Helper()
	code, _, stderr := byzsim(t, cmd, "-h")
	if code != 0 {
		t.Fatalf("byzsim %s -h: exit %d:\n%s", cmd, code, stderr)
	}
	flags := map[string]bool{}
	re := regexp.MustCompile(`^  -(\S+)( \S+)?`)
	for _, l := range strings.Split(stderr, "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			flags[m[1]] = m[2] != ""
		}
	}
	if len(flags) == 0 && !strings.Contains(stderr, "Usage of "+cmd) {
		t.Fatalf("byzsim %s -h printed no usage:\n%s", cmd, stderr)
	}
	return flags
}

// parseDocArgs parses args with the flags of a command as byzsim does
// (flags and positional arguments in any order), returning the positional
// arguments and the flags given.
func parseDocArgs(flags map[string]bool, args []string) (pos []string, given map[string][]string, err error) {
	fs := flag.NewFlagSet("doc", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	given = map[string][]string{}
	for name, value := range flags {
		if value {
			fs.Func(name, "", func(v string) error { given[name] = append(given[name], v); return nil })
		} else {
			fs.BoolFunc(name, "", func(v string) error { given[name] = append(given[name], v); return nil })
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, given, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// TestDocCommands checks every byzsim command line of README.md and
// docs/*.md as a reader from a fresh clone would type it: the command
// exists, each flag is one the command has (with a value if it takes
// one), every experiment or scenario file named exists, each run or check
// of an experiment file passes byzsim check with the same --seed, --set
// and --force, and each list runs.
func TestDocCommands(t *testing.T) {
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{"README.md"}, files...)
	var cmds []docCommand
	for _, f := range files {
		c, err := docCommands(f)
		if err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c...)
	}
	if len(cmds) < 20 {
		t.Fatalf("found %d byzsim commands in the documentation; the extraction is broken", len(cmds))
	}
	t.Logf("%d byzsim command lines in %d files", len(cmds), len(files))
	known := map[string]bool{}
	for _, c := range commands() {
		known[c.name] = true
	}
	flagsOf := map[string]map[string]bool{}
	checked := map[string]bool{}
	for _, c := range cmds {
		name := c.args[0]
		if !known[name] {
			t.Errorf("%s: byzsim %s: no such command", c.where, strings.Join(c.args, " "))
			continue
		}
		if flagsOf[name] == nil {
			flagsOf[name] = commandFlags(t, name)
		}
		if c.synopsis {
			for _, w := range c.args[1:] {
				w = strings.Trim(w, "[]|")
				if f := strings.TrimLeft(w, "-"); strings.HasPrefix(w, "-") {
					if _, has := flagsOf[name][f]; !has {
						t.Errorf("%s: byzsim %s: no flag -%s", c.where, name, f)
					}
				}
			}
			continue
		}
		pos, given, err := parseDocArgs(flagsOf[name], c.args[1:])
		if err != nil {
			t.Errorf("%s: byzsim %s: %v", c.where, strings.Join(c.args, " "), err)
			continue
		}
		var inputs []string
		for _, p := range append(pos, given["replay"]...) {
			if (strings.HasSuffix(p, ".toml") || strings.HasSuffix(p, ".jsonl")) && !placeholder(p) &&
				!strings.HasPrefix(p, "out/") && !slices.Contains(exampleFiles, p) {
				inputs = append(inputs, p)
			}
		}
		for _, in := range inputs {
			if _, err := os.Stat(in); err != nil {
				t.Errorf("%s: byzsim %s: %v", c.where, strings.Join(c.args, " "), err)
			}
		}
		if name == "list" {
			if code, _, stderr := byzsim(t, c.args...); code != 0 {
				t.Errorf("%s: byzsim %s: exit %d:\n%s", c.where, strings.Join(c.args, " "), code, stderr)
			}
			continue
		}
		if (name == "run" || name == "check") && len(inputs) == 1 && strings.HasSuffix(inputs[0], ".toml") {
			args := []string{"check", inputs[0]}
			for _, s := range given["set"] {
				args = append(args, "--set", s)
			}
			for _, s := range given["seed"] {
				args = append(args, "--seed", s)
			}
			if len(given["force"]) > 0 {
				args = append(args, "--force")
			}
			key := strings.Join(args, "\x00")
			if checked[key] {
				continue
			}
			checked[key] = true
			t.Logf("%s: byzsim %s", c.where, strings.Join(args, " "))
			if code, _, stderr := byzsim(t, args...); code != 0 {
				t.Errorf("%s: byzsim %s: check exits %d:\n%s", c.where, strings.Join(c.args, " "), code, stderr)
			}
		}
	}
}

// TestDocCommandExtraction checks the extraction on a small document.
func TestDocCommandExtraction(t *testing.T) {
	doc := "Run `byzsim run a.toml -o out` or:\n\n```sh\n$ go run . check b.toml --set 'protocol.n=7' # a comment\n" +
		"cd x && ./byzsim list diembft\nbyzsim merge out \\\n  shards/0\n/usr/bin/time -v byzsim run -q c.toml\n```\n\n" +
		"```toml\nname = \"byzsim run d.toml\"\n```\n```\nbyzsim run FILE [-o DIR]\n```\n"
	path := filepath.Join(t.TempDir(), "doc.md")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	cmds, err := docCommands(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cmds {
		got = append(got, fmt.Sprintf("%s %q %v", filepath.Base(c.where), c.args, c.synopsis))
	}
	want := []string{
		`doc.md:1 ["run" "a.toml" "-o" "out"] false`,
		`doc.md:4 ["check" "b.toml" "--set" "protocol.n=7"] false`,
		`doc.md:5 ["list" "diembft"] false`,
		`doc.md:6 ["merge" "out" "shards/0"] false`,
		`doc.md:8 ["run" "-q" "c.toml"] false`,
		`doc.md:15 ["run" "FILE" "[-o" "DIR]"] true`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("commands\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, w := range []string{"FILE", "SHARD_DIR...", "FILE.toml", "$OUT", "out/*", "<file>"} {
		if !placeholder(w) {
			t.Errorf("%q is not taken for a placeholder", w)
		}
	}
	for _, w := range []string{"a.toml", "experiments/default.toml", "7"} {
		if placeholder(w) {
			t.Errorf("%q is taken for a placeholder", w)
		}
	}
}
