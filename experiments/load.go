package experiments

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// Source is an experiment file as read: its name, text and key positions,
// so that problems found later can still name a line.
type Source struct {
	File  string
	Text  string
	lines keyLines
	// overridden lists key paths set from the command line or a sweep, whose
	// values did not come from the file.
	overridden map[string]string
	// keyOrder lists the file's keys in order, for sweep axes.
	keyOrder []string
	// parsed is the experiment as the text decodes, its costs.file
	// included and its name filled; never handed out (see fresh).
	parsed *Experiment
}

// locate fills the file and line of problems and sorts them.
func (s *Source) locate(es Errors) Errors {
	for _, e := range es {
		e.File = s.File
		if e.Line != 0 {
			continue
		}
		if origin, ok := s.overriddenBy(e.Key); ok {
			e.Key = e.Key + " (" + origin + ")"
			continue
		}
		e.Line = s.lines.line(e.Key)
		if e.Line == 0 {
			e.Line = s.lines.loose(e.Key)
		}
	}
	return es.sorted()
}

func (s *Source) overriddenBy(key string) (string, bool) {
	keys := make([]string, 0, len(s.overridden))
	for k := range s.overridden {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if key == k || strings.HasPrefix(key, k+".") || strings.HasPrefix(key, k+"[") {
			return s.overridden[k], true
		}
	}
	return "", false
}

// ReadFile reads and decodes an experiment file strictly: a syntax error, a
// value of the wrong type or an unknown key is an error naming the line.
// Defaults are not filled and values are not validated yet.
func ReadFile(path string) (*Experiment, *Source, error) {
	data, err := readText(path)
	if err != nil {
		return nil, nil, err
	}
	return Parse(path, data)
}

// readText reads an experiment file's text; an error names the file.
func readText(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot read experiment: %v", unwrapPath(err))}
	}
	return data, nil
}

// Parse decodes experiment text; name is the file name used in errors and
// for the default experiment name.
func Parse(name string, data []byte) (*Experiment, *Source, error) {
	src, err := parse(name, data)
	if err != nil {
		return nil, nil, err
	}
	return src.fresh(), src, nil
}

// parse is Parse without a copy of the experiment for the caller.
func parse(name string, data []byte) (*Source, error) {
	if err := checkText(name, data); err != nil {
		return nil, err
	}
	src := &Source{File: name, Text: string(data), lines: locateKeys(string(data))}
	var exp Experiment
	md, err := toml.Decode(src.Text, &exp)
	if err != nil {
		return nil, src.decodeError(err)
	}
	for _, k := range md.Keys() {
		if len(k) == 2 && k[0] == "sweep" {
			src.keyOrder = append(src.keyOrder, k[1])
		}
		if len(k) == 3 && k[0] == "sweep" && k[1] == "zip" {
			src.keyOrder = append(src.keyOrder, k[2])
		}
	}
	var es Errors
	for _, k := range md.Undecoded() {
		path := keyPath(k)
		if strings.HasPrefix(path, "sweep.") || strings.HasPrefix(path, "protocol.params.") || protocolTable(path) {
			continue // free-form tables, checked later
		}
		es = append(es, &Error{Key: path, Msg: "unknown key" + suggest(path)})
	}
	if len(es) > 0 {
		return nil, src.locate(es)
	}
	if exp.Costs.File != "" {
		inc, err := readCostsFile(src, exp.Costs.File)
		if err != nil {
			return nil, err
		}
		exp.Costs.include(inc)
	}
	if exp.Name == "" {
		exp.Name = defaultName(name)
	}
	src.parsed = &exp
	return src, nil
}

// readCostsFile reads the [costs] table of the file that the experiment
// exp names in costs.file, resolved relative to exp's directory, strictly:
// an unknown key or a bad value is an error naming that file's line.
func readCostsFile(exp *Source, file string) (*CostsConfig, error) {
	path := file
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(exp.File), file)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, exp.locate(Errors{{Key: "costs.file", Msg: fmt.Sprintf("cannot read %s: %v", path, unwrapPath(err))}})
	}
	src := &Source{File: path, Text: string(data), lines: locateKeys(string(data))}
	var inc struct {
		Costs *CostsConfig `toml:"costs"`
	}
	md, err := toml.Decode(src.Text, &inc)
	if err != nil {
		return nil, src.decodeError(err)
	}
	var es Errors
	for _, k := range md.Undecoded() {
		path := keyPath(k)
		es = append(es, &Error{Key: path, Msg: "unknown key" + suggest(path)})
	}
	switch {
	case inc.Costs == nil && len(es) == 0:
		es = append(es, &Error{Key: "costs", Line: 1, Msg: "no [costs] table"})
	case inc.Costs != nil && inc.Costs.File != "":
		es = append(es, &Error{Key: "costs.file", Msg: "an included costs table cannot include another"})
	}
	if len(es) > 0 {
		return nil, src.locate(es)
	}
	return inc.Costs, nil
}

// include fills the entries c does not set from inc (an included file's
// table) and clears File: the values are now c's own.
func (c *CostsConfig) include(inc *CostsConfig) {
	c.File = ""
	if inc == nil {
		return
	}
	if c.Model == "" {
		c.Model = inc.Model
	}
	for _, f := range []struct{ dst, src **Duration }{
		{&c.Sign, &inc.Sign}, {&c.Verify, &inc.Verify}, {&c.Hash64, &inc.Hash64}, {&c.Execute, &inc.Execute},
		{&c.PerByte, &inc.PerByte}, {&c.PerMessage, &inc.PerMessage},
	} {
		if *f.dst == nil && *f.src != nil {
			v := **f.src
			*f.dst = &v
		}
	}
	c.RealCrypto = c.RealCrypto || inc.RealCrypto
}

// decodeError turns a TOML decoding error into an Error with a line.
func (s *Source) decodeError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Error()
		if i := strings.Index(msg, "): "); i >= 0 && strings.Contains(msg[:i], "(last key") {
			msg = msg[i+3:]
		} else if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "toml: line") {
			msg = msg[i+2:]
		}
		msg = strings.TrimPrefix(msg, "toml: ")
		if strings.HasSuffix(msg, "is out of range for int64") {
			msg += " (TOML integers end at 9223372036854775807; write a larger seed as a string, e.g. seed = \"18446744073709551615\")"
		}
		return Errors{{File: s.File, Line: pe.Position.Line, Key: pe.LastKey, Msg: msg}}
	}
	if m := typeErrRE().FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		e := &Error{File: s.File, Line: line, Key: strings.ReplaceAll(m[2], `\"`, `"`), Msg: m[3]}
		if line == 0 {
			e.Line = s.lines.loose(e.Key)
		}
		return Errors{e}
	}
	return Errors{{File: s.File, Msg: strings.TrimPrefix(err.Error(), "toml: ")}}
}

// typeErrRE matches the decoder's type errors:
// toml: line 5 (last key "protocol.n"): incompatible types: ...
// (a quoted part of the key is escaped: "plot.labels.\"protocol.n\""),
// compiled when first needed rather than by every byzsim command.
var typeErrRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "((?:[^"\\]|\\.)*)"\): (.*)$`)
})

func keyPath(k toml.Key) string { return strings.Join(k, ".") }

// stripIndices removes "[i]" parts of a key path.
func stripIndices(path string) string {
	var b strings.Builder
	skip := false
	for _, c := range path {
		switch {
		case c == '[':
			skip = true
		case c == ']':
			skip = false
		case !skip:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// suggest names the known keys of the table an unknown key is in.
func suggest(path string) string {
	table := ""
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		table = path[:i]
	}
	keys, ok := knownKeys(stripIndices(table))
	if !ok {
		return ""
	}
	return " (allowed: " + strings.Join(keys, ", ") + ")"
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// defaultName is an experiment's name when the file gives none: the file
// name without its extension.
func defaultName(file string) string {
	return strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
}
