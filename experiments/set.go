package experiments

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// splitPath splits "workload[1].timeout", "workload.1.timeout" or
// "protocol.params.block_size" into segments; indices become separate
// segments.
func splitPath(path string) []string {
	path = strings.ReplaceAll(path, "[", ".")
	path = strings.ReplaceAll(path, "]", "")
	var segs []string
	for _, s := range strings.Split(path, ".") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

// canonicalPath writes a path with indices in brackets: workload[1].timeout.
func canonicalPath(path string) string {
	var b strings.Builder
	for i, s := range splitPath(path) {
		if _, err := strconv.Atoi(s); err == nil && i > 0 {
			b.WriteString("[" + s + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// setPath sets the value at a dotted key path of exp. value is a TOML value
// (int64, float64, string, bool, []any, map[string]any) and is converted to
// the field's type with the same rules as the file.
func setPath(exp *Experiment, path string, value any) error {
	segs := splitPath(path)
	if len(segs) == 0 {
		return fmt.Errorf("empty key")
	}
	if segs[0] == "sweep" {
		return fmt.Errorf("the sweep itself cannot be swept or set")
	}
	v := reflect.ValueOf(exp).Elem()
	for i, seg := range segs {
		last := i == len(segs)-1
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Struct:
			f, ok := fieldByTag(v, seg)
			if !ok {
				return fmt.Errorf("unknown key %q (allowed: %s)", seg, strings.Join(structKeys(v.Type()), ", "))
			}
			v = f
		case reflect.Slice:
			idx, err := strconv.Atoi(seg)
			if err != nil || idx < 0 {
				return fmt.Errorf("%q is not an index", seg)
			}
			if idx >= v.Len() {
				return fmt.Errorf("index %d out of range (the file has %d)", idx, v.Len())
			}
			v = v.Index(idx)
		case reflect.Map:
			if !last {
				return fmt.Errorf("%q: cannot descend into a parameter value", seg)
			}
			if v.IsNil() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			v.SetMapIndex(reflect.ValueOf(seg), reflect.ValueOf(value))
			return nil
		default:
			return fmt.Errorf("%q: %s is not a table", seg, strings.Join(segs[:i], "."))
		}
		if last {
			return assign(v, value)
		}
	}
	return nil
}

// assign converts a TOML value to dst's type by decoding it as TOML.
func assign(dst reflect.Value, value any) error {
	text, err := toml.Marshal(map[string]any{"v": value})
	if err != nil {
		return fmt.Errorf("cannot use %v: %v", value, err)
	}
	holder := reflect.New(reflect.StructOf([]reflect.StructField{{
		Name: "V", Type: dst.Type(), Tag: `toml:"v"`,
	}}))
	if _, err := toml.Decode(string(text), holder.Interface()); err != nil {
		msg := err.Error()
		if i := strings.Index(msg, "): "); i >= 0 {
			msg = msg[i+3:]
		}
		return fmt.Errorf("cannot use %s: %s", strings.TrimSpace(strings.TrimPrefix(string(text), "v = ")), strings.TrimPrefix(msg, "toml: "))
	}
	dst.Set(holder.Elem().Field(0))
	return nil
}

// parseValue parses the right-hand side of a --set as a TOML value; a bare
// word that is not valid TOML is taken as a string.
func parseValue(s string) any {
	var holder struct {
		V any `toml:"v"`
	}
	if _, err := toml.Decode("v = "+s, &holder); err == nil {
		return holder.V
	}
	return s
}

func fieldByTag(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if tagName(t.Field(i)) == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func tagName(f reflect.StructField) string {
	tag := f.Tag.Get("toml")
	if i := strings.IndexByte(tag, ','); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

func structKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if n := tagName(t.Field(i)); n != "" && n != "-" {
			keys = append(keys, n)
		}
	}
	sort.Strings(keys)
	return keys
}

// knownKeys returns the keys allowed in a table of the experiment schema,
// given its path without indices ("", "network.delay", "workload").
func knownKeys(table string) ([]string, bool) {
	t := reflect.TypeOf(Experiment{})
	if table != "" {
		for _, seg := range strings.Split(table, ".") {
			for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
				t = t.Elem()
			}
			if t.Kind() != reflect.Struct {
				return nil, false
			}
			found := false
			for i := 0; i < t.NumField(); i++ {
				if tagName(t.Field(i)) == seg {
					t, found = t.Field(i).Type, true
					break
				}
			}
			if !found {
				return nil, false
			}
		}
	}
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	return structKeys(t), true
}
