package experiments

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestCloneIsDecodedAgain checks, for every committed experiment that
// parses, that a run's copy of the experiment (Source.fresh) equals the
// experiment decoded from the text again, nil and empty values included,
// and shares no pointer, slice, map or interface value with the source's
// own copy or with another run's.
func TestCloneIsDecodedAgain(t *testing.T) {
	var files []string
	for _, pattern := range []string{"*.toml", "*/*.toml", "testdata/*.toml", "testdata/*/*.toml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	parsed := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		src, err := parse(file, data)
		if err != nil {
			continue // a malformed experiment
		}
		parsed++
		var again Experiment
		if _, err := toml.Decode(src.Text, &again); err != nil {
			t.Fatalf("%s: decoded once but not twice: %v", file, err)
		}
		if again.Name == "" {
			again.Name = defaultName(file)
		}
		if again.Costs.File != "" {
			inc, err := readCostsFile(src, again.Costs.File)
			if err != nil {
				t.Fatal(err)
			}
			again.Costs.include(inc)
		}
		a, b := src.fresh(), src.fresh()
		if !reflect.DeepEqual(a, &again) {
			t.Errorf("%s: the copy differs from the experiment decoded again:\n%+v\n%+v", file, a, &again)
		}
		for _, other := range []*Experiment{src.parsed, b} {
			if shared := sharedRefs(reflect.ValueOf(a), reflect.ValueOf(other)); len(shared) > 0 {
				t.Errorf("%s: the copy shares %d references (%v)", file, len(shared), shared[0])
			}
		}
	}
	if parsed < 20 {
		t.Errorf("only %d experiments parsed", parsed)
	}
}

// TestDeepCopyKinds checks deepCopy on the kinds TOML decodes into an any
// value and on nil and empty values.
func TestDeepCopyKinds(t *testing.T) {
	one := 1.5
	v := struct {
		A    any
		M    map[string]any
		S    []int
		E    []int
		N    []int
		P    *float64
		Nil  *float64
		Arr  [2][]string
		NilM map[string]any
	}{
		A:   []any{int64(1), "x", map[string]any{"k": []any{true}}},
		M:   map[string]any{"a": map[string]any{"b": []any{int64(2)}}},
		S:   []int{1, 2},
		E:   []int{},
		P:   &one,
		Arr: [2][]string{{"a"}, nil},
	}
	c := reflect.New(reflect.TypeOf(v)).Elem()
	deepCopy(c, reflect.ValueOf(v))
	if !reflect.DeepEqual(c.Interface(), v) {
		t.Fatalf("copy %+v, want %+v", c.Interface(), v)
	}
	if shared := sharedRefs(c, reflect.ValueOf(v)); len(shared) > 0 {
		t.Errorf("the copy shares %v", shared)
	}
	got := c.Interface().(struct {
		A    any
		M    map[string]any
		S    []int
		E    []int
		N    []int
		P    *float64
		Nil  *float64
		Arr  [2][]string
		NilM map[string]any
	})
	if got.E == nil || got.N != nil || got.Nil != nil || got.NilM != nil || got.Arr[1] != nil {
		t.Errorf("nil and empty values not kept: %+v", got)
	}
}

// sharedRefs returns the references (pointers, slices' arrays, maps) that
// a and b both hold.
func sharedRefs(a, b reflect.Value) []uintptr {
	refs := func(v reflect.Value) map[uintptr]bool {
		out := map[uintptr]bool{}
		var walk func(reflect.Value)
		walk = func(v reflect.Value) {
			switch v.Kind() {
			case reflect.Pointer:
				if !v.IsNil() {
					out[v.Pointer()] = true
					walk(v.Elem())
				}
			case reflect.Interface:
				if !v.IsNil() {
					walk(v.Elem())
				}
			case reflect.Slice:
				if v.Cap() > 0 {
					out[v.Pointer()] = true
				}
				for i := range v.Len() {
					walk(v.Index(i))
				}
			case reflect.Array:
				for i := range v.Len() {
					walk(v.Index(i))
				}
			case reflect.Map:
				if !v.IsNil() {
					out[v.Pointer()] = true
					it := v.MapRange()
					for it.Next() {
						walk(it.Value())
					}
				}
			case reflect.Struct:
				for i := range v.NumField() {
					if v.Type().Field(i).IsExported() {
						walk(v.Field(i))
					}
				}
			}
		}
		walk(v)
		return out
	}
	ra, rb := refs(a), refs(b)
	var shared []uintptr
	for r := range ra {
		if rb[r] {
			shared = append(shared, r)
		}
	}
	return shared
}
