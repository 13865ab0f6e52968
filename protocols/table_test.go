package protocols

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

type testInner struct {
	A int64  `toml:"a"`
	B string `toml:"b"`
}

type testBase struct {
	ID ReplicaID `toml:"id"`
}

type testTable struct {
	testBase
	Count   int8                         `toml:"count"`
	Flag    *bool                        `toml:"flag"`
	Name    string                       `toml:"name"`
	Ratio   float64                      `toml:"ratio"`
	Inner   *testInner                   `toml:"inner"`
	List    []testInner                  `toml:"list"`
	Ints    []int64                      `toml:"ints"`
	Pair    [2]int64                     `toml:"pair"`
	ByName  map[string]testInner         `toml:"by_name"`
	Set     *ReplicaSet                  `toml:"set"`
	Each    *PerReplica[bool]            `toml:"each"`
	Pairs   *PerReplica[[2]int64]        `toml:"pairs"`
	Wild    *PerReplica[Wildcard[int64]] `toml:"wild"`
	Tables  *PerReplica[testInner]       `toml:"tables"`
	ignored int                          //nolint:unused // not a key
}

func decodeText(t *testing.T, text string) (testTable, error) {
	t.Helper()
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		t.Fatalf("bad test TOML: %v", err)
	}
	var v testTable
	d := DecodeTable(4, raw, &v)
	return v, d.Err()
}

func TestDecodeTable(t *testing.T) {
	v, err := decodeText(t, `
id = "replica3"
count = -5
flag = false
name = "x"
ratio = 2
inner = { a = 1, b = "two" }
list = [{ a = 3 }, { b = "four" }]
ints = [5, 6]
pair = [7, 8]
set = ["replica1", 2]
each = true
pairs = [[0, 1], [1, 1], [2, 1], [3, 1]]
wild = ["*", 1, "*", 2]
tables = [{ a = 1 }, { a = 2 }, { a = 3 }, { a = 4 }]
[by_name.k]
a = 9
`)
	if err != nil {
		t.Fatal(err)
	}
	want := testTable{testBase: testBase{ID: 3}, Count: -5, Flag: new(bool), Name: "x", Ratio: 2,
		Inner: &testInner{1, "two"}, List: []testInner{{A: 3}, {B: "four"}}, Ints: []int64{5, 6}, Pair: [2]int64{7, 8},
		ByName: map[string]testInner{"k": {A: 9}},
		Set:    &ReplicaSet{Members: []bool{false, true, true, false}},
		Each:   &PerReplica[bool]{Values: []bool{true, true, true, true}, One: true},
		Pairs:  &PerReplica[[2]int64]{Values: [][2]int64{{0, 1}, {1, 1}, {2, 1}, {3, 1}}},
		Wild:   &PerReplica[Wildcard[int64]]{Values: []Wildcard[int64]{{Any: true}, {V: 1}, {Any: true}, {V: 2}}},
		Tables: &PerReplica[testInner]{Values: []testInner{{A: 1}, {A: 2}, {A: 3}, {A: 4}}},
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", v, want)
	}
	one, err := decodeText(t, "pairs = [2, 3]\nwild = \"*\"\ntables = { a = 5 }")
	if err != nil {
		t.Fatal(err)
	}
	if !one.Pairs.One || one.Pairs.Values[3] != [2]int64{2, 3} || !one.Wild.One || !one.Wild.Values[2].Any || one.Tables.Values[1].A != 5 {
		t.Errorf("single values for all: %+v %+v %+v", one.Pairs, one.Wild, one.Tables)
	}
}

func TestDecodeTableErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{`nmae = "x"`, "nmae: unknown key (allowed: by_name, count, each, flag, id, inner, ints, list, name, pair, pairs, ratio, set, tables, wild)"},
		{`inner = { a = 1, c = 2 }`, "inner.c: unknown key (allowed: a, b)"},
		{`list = [{ a = 1 }, { z = 1 }]`, "list[1].z: unknown key (allowed: a, b)"},
		{`flag = "yes"`, `flag: "yes" is a string (allowed: true or false)`},
		{`count = 300`, "count: 300 is out of range (allowed: an integer from -128 to 127)"},
		{`name = 3`, "name: 3 is an integer (allowed: a string)"},
		{`inner = 3`, "inner: 3 is an integer (allowed: a table with keys a, b)"},
		{`ints = [1, "2"]`, `ints[1]: "2" is a string (allowed: an integer from`},
		{`ints = 1`, "ints: 1 is an integer (allowed: an array: each an integer"},
		{`pair = [1, 2, 3]`, "pair: value is an array (allowed: an array of 2"},
		{`id = "replica4"`, `id: "replica4" is not a replica (allowed: replica0 to replica3)`},
		{`id = 7`, "id: 7 is out of range (allowed: 0 to 3, or replica0 to replica3)"},
		{`id = true`, "id: true is a boolean (allowed: replica0 to replica3)"},
		{`set = "all"`, `set: "all" is a string (allowed: "*" or an array of replicas (replica0 to replica3))`},
		{`set = ["replica0", "r1"]`, `set[1]: "r1" is not a replica`},
		{`each = [true, false]`, "each: 2 entries, want one per replica (4) or a single value for all"},
		{`each = [true, false, 1, true]`, "each[2]: 1 is an integer (allowed: true or false)"},
		{`wild = ["*", "x", 1, 2]`, `wild[1]: "x" is a string (allowed: an integer`},
		{`by_name = 1`, "by_name: 1 is an integer (allowed: a table: each value a table with keys a, b)"},
		{`by_name = { k = { q = 1 } }`, "by_name.k.q: unknown key (allowed: a, b)"},
	} {
		_, err := decodeText(t, tt.text)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one containing %q", tt.text, err, tt.want)
		}
	}
}

// TestDecodeTableAllErrors reports every problem of a table, in key order.
func TestDecodeTableAllErrors(t *testing.T) {
	_, err := decodeText(t, "name = 1\nflag = 2\nzz = 3")
	var kes KeyErrors
	if !errors.As(err, &kes) || len(kes) != 3 || kes[0].Key != "flag" || kes[1].Key != "name" || kes[2].Key != "zz" {
		t.Errorf("errors %v, want three: flag, name, zz", err)
	}
}

func TestParseReplica(t *testing.T) {
	for _, tt := range []struct {
		s  string
		id int
		ok bool
	}{{"replica0", 0, true}, {"replica3", 3, true}, {"replica4", 0, false}, {"replica01", 0, false}, {"replica-1", 0, false}, {"3", 0, false}, {"replica", 0, false}} {
		if id, ok := ParseReplica(tt.s, 4); id != tt.id || ok != tt.ok {
			t.Errorf("ParseReplica(%q, 4) = %d, %v; want %d, %v", tt.s, id, ok, tt.id, tt.ok)
		}
	}
}
