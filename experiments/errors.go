package experiments

import (
	"fmt"
	"sort"
	"strings"
)

// Error is a problem with an experiment, located by file, line and key.
type Error struct {
	File string
	Line int    // 0 when unknown
	Key  string // dotted key path, e.g. workload[1].timeout
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is a list of experiment problems, reported together.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted orders errors by line, then key, for a stable report.
func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Key < es[j].Key
	})
	return es
}

// IsInput reports whether err is bad input (an experiment or flag problem,
// exit status 2) rather than a failure while running.
func IsInput(err error) bool {
	switch err.(type) {
	case *Error, Errors, *UsageError:
		return true
	}
	return false
}

// UsageError is a bad command-line value.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// problems collects validation errors with their key paths.
type problems struct {
	errs Errors
}

func (p *problems) add(key, format string, args ...any) {
	p.errs = append(p.errs, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
}

// wrap records err, whose text may start with "field: ", under key.
func (p *problems) wrap(key string, err error) {
	msg := err.Error()
	p.errs = append(p.errs, &Error{Key: key, Msg: msg})
}
