package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// Operator names, as they appear in mutant IDs and reports.
const (
	OpROR = "ror" // relational operator: boundary shift (< ↔ <=, > ↔ >=) or == ↔ !=
	OpLCR = "lcr" // logical connector: && ↔ ||
	OpCST = "cst" // integer constant of a comparison or arithmetic: c → c+1, c → c-1
	OpNEG = "neg" // condition of an if, for or return of a bool: c → !(c)
	OpDEL = "del" // statement dropped: call, assignment, increment, return/continue/break inside a block
)

// Operators lists every operator, in the order a report lists them.
var Operators = []string{OpROR, OpLCR, OpCST, OpNEG, OpDEL}

// edit replaces src[Start:End] with Text.
type edit struct {
	Start, End int
	Text       string
}

// Mutant is one mutation of one file: a stable ID, the operator, where and
// what it changes.
type Mutant struct {
	// ID is protocol/file:line:col/op[-variant], stable for a given tree.
	ID       string
	Protocol string
	File     string // path relative to the module root
	Func     string
	Op       string
	Line     int
	// Orig and Repl describe the change for a report.
	Orig, Repl string
	edits      []edit
}

// Apply returns src with the mutant's change.
func (m *Mutant) Apply(src []byte) []byte {
	out := make([]byte, 0, len(src)+16)
	last := 0
	for _, e := range m.edits {
		out = append(out, src[last:e.Start]...)
		out = append(out, e.Text...)
		last = e.End
	}
	return append(out, src[last:]...)
}

// isHook reports whether an expression refers to a planted bug hook: an
// identifier named bugs, voteLT or starting with bug.
func isHook(e ast.Node) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			name := strings.ToLower(id.Name)
			if strings.HasPrefix(name, "bug") || name == "votelt" {
				found = true
			}
		}
		return !found
	})
	return found
}

// Generate returns the mutants of one file's source, restricted to the
// named functions (methods by their bare name; nil means every function),
// sorted by position and operator. file is the path reported in IDs.
func Generate(protocol, file string, src []byte, funcs []string) ([]Mutant, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	want := map[string]bool{}
	for _, fn := range funcs {
		want[fn] = true
	}
	g := &gen{protocol: protocol, file: file, fset: fset, src: src, bodies: map[*ast.BlockStmt]bool{}}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || (len(want) > 0 && !want[fd.Name.Name]) {
			continue
		}
		g.fn = fd.Name.Name
		g.results = fd.Type.Results
		g.bodies[fd.Body] = true
		g.walk(fd.Body)
	}
	sort.SliceStable(g.out, func(i, j int) bool {
		a, b := g.out[i], g.out[j]
		if a.edits[0].Start != b.edits[0].Start {
			return a.edits[0].Start < b.edits[0].Start
		}
		return a.ID < b.ID
	})
	// Two mutants at the same place by the same operator get distinct IDs.
	seen := map[string]int{}
	for i := range g.out {
		id := g.out[i].ID
		if k := seen[id]; k > 0 {
			g.out[i].ID = fmt.Sprintf("%s.%d", id, k)
		}
		seen[id]++
	}
	return g.out, nil
}

type gen struct {
	protocol, file string
	fset           *token.FileSet
	src            []byte
	fn             string
	results        *ast.FieldList
	bodies         map[*ast.BlockStmt]bool
	out            []Mutant
}

func (g *gen) off(p token.Pos) int { return g.fset.Position(p).Offset }

func (g *gen) text(n ast.Node) string { return string(g.src[g.off(n.Pos()):g.off(n.End())]) }

func (g *gen) add(at token.Pos, op, variant, orig, repl string, edits ...edit) {
	pos := g.fset.Position(at)
	id := fmt.Sprintf("%s/%s:%d:%d/%s", g.protocol, shortFile(g.file), pos.Line, pos.Column, op)
	if variant != "" {
		id += "-" + variant
	}
	g.out = append(g.out, Mutant{ID: id, Protocol: g.protocol, File: g.file, Func: g.fn, Op: op, Line: pos.Line,
		Orig: oneLine(orig), Repl: oneLine(repl), edits: edits})
}

func shortFile(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 70 {
		s = s[:67] + "..."
	}
	return s
}

// walk visits a node, skipping planted bug hooks: the condition and body
// of an if on a hook (its else is visited) and a case on a hook.
func (g *gen) walk(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			// A closure's statements are mutated as the function's.
			g.bodies[n.Body] = true
		case *ast.IfStmt:
			if isHook(n.Cond) {
				if n.Init != nil {
					g.walk(n.Init)
				}
				if n.Else != nil {
					g.walk(n.Else)
				}
				return false
			}
			g.negate(n.Cond)
		case *ast.ForStmt:
			if n.Cond != nil {
				g.negate(n.Cond)
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				if isHook(e) {
					return false
				}
			}
		case *ast.ReturnStmt:
			if len(n.Results) == 1 && g.boolResult() && !isLiteralBool(n.Results[0]) {
				g.negate(n.Results[0])
			}
		case *ast.BlockStmt:
			g.drops(n)
		case *ast.BinaryExpr:
			g.binary(n)
		}
		return true
	})
}

func isLiteralBool(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && (id.Name == "true" || id.Name == "false")
}

func (g *gen) boolResult() bool {
	if g.results == nil || len(g.results.List) != 1 || len(g.results.List[0].Names) > 1 {
		return false
	}
	id, ok := g.results.List[0].Type.(*ast.Ident)
	return ok && id.Name == "bool"
}

// negate adds c → !(c).
func (g *gen) negate(c ast.Expr) {
	orig := g.text(c)
	repl := "!(" + orig + ")"
	if u, ok := c.(*ast.UnaryExpr); ok && u.Op == token.NOT {
		repl = g.text(u.X) // !x → x
	}
	g.add(c.Pos(), OpNEG, "", orig, repl, edit{g.off(c.Pos()), g.off(c.End()), repl})
}

var ror = map[token.Token][]token.Token{
	token.LSS: {token.LEQ}, token.LEQ: {token.LSS},
	token.GTR: {token.GEQ}, token.GEQ: {token.GTR},
	token.EQL: {token.NEQ}, token.NEQ: {token.EQL},
}

var rorName = map[token.Token]string{
	token.LSS: "lt", token.LEQ: "le", token.GTR: "gt", token.GEQ: "ge", token.EQL: "eq", token.NEQ: "ne",
}

func (g *gen) binary(b *ast.BinaryExpr) {
	op := g.off(b.OpPos)
	for _, to := range ror[b.Op] {
		g.add(b.OpPos, OpROR, rorName[to], g.text(b), b.Op.String()+" → "+to.String(),
			edit{op, op + len(b.Op.String()), to.String()})
	}
	switch b.Op {
	case token.LAND:
		g.add(b.OpPos, OpLCR, "or", g.text(b), "&& → ||", edit{op, op + 2, "||"})
	case token.LOR:
		g.add(b.OpPos, OpLCR, "and", g.text(b), "|| → &&", edit{op, op + 2, "&&"})
	case token.ADD, token.SUB, token.MUL, token.QUO,
		token.LSS, token.LEQ, token.GTR, token.GEQ, token.EQL, token.NEQ:
		for _, x := range []ast.Expr{b.X, b.Y} {
			lit, ok := x.(*ast.BasicLit)
			if !ok || lit.Kind != token.INT {
				continue
			}
			v, err := strconv.ParseInt(lit.Value, 0, 64)
			if err != nil {
				continue
			}
			for _, d := range []int64{+1, -1} {
				if v+d < 0 || (b.Op == token.QUO && v+d == 0) || (b.Op == token.MUL && v+d == 0) {
					continue
				}
				variant := "inc"
				if d < 0 {
					variant = "dec"
				}
				nv := strconv.FormatInt(v+d, 10)
				g.add(lit.Pos(), OpCST, variant, g.text(b), lit.Value+" → "+nv,
					edit{g.off(lit.Pos()), g.off(lit.End()), nv})
			}
		}
	}
}

// drops adds a dropped-statement mutant for each droppable statement of a
// block: a call, an assignment with =, op= or an increment, and a return,
// continue or break that is not the last statement of a function body.
func (g *gen) drops(b *ast.BlockStmt) {
	for _, s := range b.List {
		switch s := s.(type) {
		case *ast.ExprStmt:
			if _, ok := s.X.(*ast.CallExpr); !ok {
				continue
			}
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				continue
			}
			if len(s.Lhs) == 1 {
				if id, ok := s.Lhs[0].(*ast.Ident); ok && id.Name == "_" {
					continue
				}
			}
		case *ast.IncDecStmt:
		case *ast.ReturnStmt, *ast.BranchStmt:
			// Only returns/branches nested in a conditional block: the
			// caller of drops for a function body is the body itself, and
			// a terminating return there cannot be dropped.
			if g.isFuncBody(b) {
				continue
			}
			if br, ok := s.(*ast.BranchStmt); ok && br.Tok != token.CONTINUE && br.Tok != token.BREAK {
				continue
			}
		default:
			continue
		}
		g.add(s.Pos(), OpDEL, "", g.text(s), "(dropped)", edit{g.off(s.Pos()), g.off(s.End()), ""})
	}
}

// isFuncBody reports whether b is the body of a function or closure.
func (g *gen) isFuncBody(b *ast.BlockStmt) bool { return g.bodies[b] }
