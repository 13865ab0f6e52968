package main

import (
	"bytes"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// typeCheck type-checks a one-file package that imports the standard
// library only.
func typeCheck(src []byte) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		return err
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	_, err = conf.Check("x", fset, []*ast.File{f}, nil)
	return err
}

// TestOperators: each operator's mutants of a source, by ID suffix and
// mutated source line, and every mutant still compiles.
func TestOperators(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string // "op[-variant] → mutated body"
	}{
		{"ror", "func f(a, b int) bool { return a < b }", []string{
			"neg → return !(a < b)",
			"ror-le → return a <= b",
		}},
		{"ror-eq", "func f(a, b int) bool { if a != b { return true }; return false }", []string{
			"neg → if !(a != b) { return true }; return false",
			"ror-eq → if a == b { return true }; return false",
			"del → if a != b {  }; return false",
		}},
		{"lcr", "func f(a, b bool) bool { return a && b }", []string{
			"neg → return !(a && b)",
			"lcr-or → return a || b",
		}},
		{"cst", "func f(n, k int) int { return 2*k + 1 }", []string{
			"cst-dec → return 1*k + 1",
			"cst-inc → return 3*k + 1",
			"cst-dec → return 2*k + 0",
			"cst-inc → return 2*k + 2",
		}},
		{"cst-quo", "func f(n int) int { return n / 1 }", []string{
			"cst-inc → return n / 2",
		}},
		{"neg-not", "func f(ok bool) int { if !ok { return 1 }; return 0 }", []string{
			"neg → if ok { return 1 }; return 0",
			"del → if !ok {  }; return 0",
		}},
		{"del", "func f(xs []int) int { s := 0; for _, x := range xs { if x < 0 { continue }; s += x }; g(); return s }\nfunc g() {}", []string{
			"neg → s := 0; for _, x := range xs { if !(x < 0) { continue }; s += x }; g(); return s",
			"ror-le → s := 0; for _, x := range xs { if x <= 0 { continue }; s += x }; g(); return s",
			"cst-inc → s := 0; for _, x := range xs { if x < 1 { continue }; s += x }; g(); return s",
			"del → s := 0; for _, x := range xs { if x < 0 {  }; s += x }; g(); return s",
			"del → s := 0; for _, x := range xs { if x < 0 { continue };  }; g(); return s",
			"del → s := 0; for _, x := range xs { if x < 0 { continue }; s += x }; ; return s",
		}},
		{"hook", "type P struct{ bugs struct{ Lt bool } }\nfunc (p P) f(a, b int) bool { if p.bugs.Lt { return a < b } else if a <= b { return true }; return false }", []string{
			"neg → if p.bugs.Lt { return a < b } else if !(a <= b) { return true }; return false",
			"ror-lt → if p.bugs.Lt { return a < b } else if a < b { return true }; return false",
			"del → if p.bugs.Lt { return a < b } else if a <= b {  }; return false",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte("package x\n\n" + tc.body + "\n")
			ms, err := Generate("p", "dir/x.go", src, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				op := m.ID[strings.LastIndexByte(m.ID, '/')+1:]
				out := m.Apply(src)
				body := string(out[len("package x\n\n"):])
				body = strings.TrimSuffix(body, "\n")
				if i := strings.Index(body, "{ "); i >= 0 && strings.HasPrefix(body, "func") {
					body = body[i+2 : strings.LastIndex(body, " }")]
				} else if i := strings.Index(body, "bool { "); i >= 0 {
					body = body[i+7 : strings.LastIndex(body, " }")]
				}
				body = strings.SplitN(body, " }\nfunc g", 2)[0]
				got = append(got, op+" → "+body)
				if err := typeCheck(out); err != nil {
					t.Errorf("mutant %s does not compile: %v\n%s", m.ID, err, out)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("mutants:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestFuncFilter: only the named functions are mutated.
func TestFuncFilter(t *testing.T) {
	src := []byte("package x\n\nfunc a(x int) bool { return x < 1 }\nfunc b(x int) bool { return x > 1 }\n")
	ms, err := Generate("p", "x.go", src, []string{"b"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Func != "b" {
			t.Errorf("mutant %s in %s, want only b", m.ID, m.Func)
		}
	}
	if len(ms) == 0 {
		t.Fatal("no mutant of b")
	}
}

// TestTargetsStable: the repository's targets give the same mutant IDs, in
// the same order, on every generation; IDs are unique; every named function
// exists; every mutant changes the source and still compiles (checked with
// the protocol package's other files).
func TestTargetsStable(t *testing.T) {
	root := filepath.Join("..", "..")
	set, err := loadTargets(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Protocols) < 2 {
		t.Fatalf("targets of %v, want at least two protocols", set.Protocols)
	}
	first, err := mutants(root, set, set.Protocols)
	if err != nil {
		t.Fatal(err)
	}
	again, err := mutants(root, set, set.Protocols)
	if err != nil {
		t.Fatal(err)
	}
	// The upper bound guards against a target list that explodes (a file
	// named without its functions, an operator that fires everywhere), not
	// a budget: the targets give about 500 mutants, so 600 leaves room for
	// a few more named functions and still fails on a list several times
	// that size.
	if len(first) == 0 || len(first) > 600 {
		t.Fatalf("%d mutants, want 1 to 600", len(first))
	}
	ids := map[string]bool{}
	for i, m := range first {
		if m.ID != again[i].ID {
			t.Fatalf("mutant %d: %s then %s", i, m.ID, again[i].ID)
		}
		if ids[m.ID] {
			t.Errorf("duplicate ID %s", m.ID)
		}
		ids[m.ID] = true
	}
	for p, ts := range set.Targets {
		for _, tg := range ts {
			src, err := os.ReadFile(filepath.Join(root, tg.File))
			if err != nil {
				t.Fatal(err)
			}
			for _, fn := range tg.Funcs {
				ms, _ := Generate(p, tg.File, src, []string{fn})
				if !bytes.Contains(src, []byte(" "+fn+"(")) && !bytes.Contains(src, []byte(" "+fn+"[")) {
					t.Errorf("%s: no function %s", tg.File, fn)
				} else if len(ms) == 0 {
					t.Errorf("%s: function %s has no mutant", tg.File, fn)
				}
			}
		}
	}
}

// TestDocumentedIDsExist: every mutant docs/testing.md names by its full
// ID (protocol/file:line:col/operator) is one the targets give, so that
// the scores and survivors it reports stay tied to mutants -list shows
// (a change that moves a cited line fails here until the page is
// updated).
func TestDocumentedIDsExist(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "testing.md"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := loadTargets(root)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := mutants(root, set, set.Protocols)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, m := range ms {
		ids[m.ID] = true
	}
	pattern := `(` + strings.Join(set.Protocols, "|") + `)/[\w.]+:\d+:\d+/[\w-]+`
	cited := regexp.MustCompile(pattern).FindAllString(string(doc), -1)
	if len(cited) == 0 {
		t.Fatal("docs/testing.md cites no mutant ID")
	}
	for _, id := range cited {
		if !ids[id] {
			t.Errorf("docs/testing.md cites %s, which the targets do not give", id)
		}
	}
}

// TestBadFlags: bad arguments exit 2 with a message.
func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-proto", "pbft"}, {"-j", "0"}, {"extra"}, {"-only", "nope", "-list", "-root", "../.."}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errb.String())
		}
	}
}

// TestLoadTargets: a protocol package's testdata/mutants.txt gives its
// targets (comments and blank lines skipped); a line that is not a Go file
// of the package is an error naming the file and line.
func TestLoadTargets(t *testing.T) {
	for _, tc := range []struct {
		text    string
		want    []Target
		wantErr string
	}{
		{"# c\n\nsafety.go\nquorum.go Quorum Amplify\n", []Target{{File: "protocols/p/safety.go"}, {File: "protocols/p/quorum.go", Funcs: []string{"Quorum", "Amplify"}}}, ""},
		{"safety.go\n../x.go f\n", nil, "mutants.txt:2: \"../x.go\" is not a Go file"},
		{"README.md\n", nil, "mutants.txt:1: \"README.md\" is not a Go file"},
	} {
		root := t.TempDir()
		dir := filepath.Join(root, "protocols", "p", "testdata")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "mutants.txt"), []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		set, err := loadTargets(root)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.text, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if !reflect.DeepEqual(set.Protocols, []string{"p"}) || !reflect.DeepEqual(set.Targets["p"], tc.want) {
			t.Errorf("%q: got %v %v, want [p] %v", tc.text, set.Protocols, set.Targets["p"], tc.want)
		}
	}
}
