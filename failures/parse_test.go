package failures

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

func TestParseEndpoint(t *testing.T) {
	cases := []struct {
		in      string
		want    Endpoint
		wantErr bool
	}{
		{"*", Any(), false},
		{"_", Any(), false},
		{"leader", Leader(), false},
		{"replica0", Replica(0), false},
		{"replica12", Replica(12), false},
		{"replica", Endpoint{}, true},
		{"replica01", Endpoint{}, true},
		{"replica-1", Endpoint{}, true},
		{"replica+1", Endpoint{}, true},
		{"replica1x", Endpoint{}, true},
		{"replica99999999999999999999", Endpoint{}, true},
		{"Replica1", Endpoint{}, true},
		{"Leader", Endpoint{}, true},
		{"", Endpoint{}, true},
		{" *", Endpoint{}, true},
	}
	for _, tc := range cases {
		got, err := ParseEndpoint(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseEndpoint(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			continue
		}
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "allowed: replicaN, leader, *") {
				t.Errorf("ParseEndpoint(%q) error %v does not say what is allowed", tc.in, err)
			}
		}
	}
}

func TestEndpointString(t *testing.T) {
	for _, e := range []Endpoint{Any(), Leader(), Replica(0), Replica(7)} {
		back, err := ParseEndpoint(e.String())
		if err != nil || back != e {
			t.Errorf("ParseEndpoint(%q) = %v, %v; want %v", e.String(), back, err, e)
		}
	}
}

func TestParseRounds(t *testing.T) {
	cases := []struct {
		name      string
		in        []any
		want      RoundSet
		wantField string
	}{
		{"empty means all", []any{}, RoundSet{}, ""},
		{"ints and ranges", []any{int64(1), int64(3), "5-9"}, RoundSet{{1, 1}, {3, 3}, {5, 9}}, ""},
		{"go ints", []any{2, 4}, RoundSet{{2, 2}, {4, 4}}, ""},
		{"json floats", []any{2.0, "7"}, RoundSet{{2, 2}, {7, 7}}, ""},
		{"range with spaces", []any{" 5 - 9 "}, RoundSet{{5, 9}}, ""},
		{"single-round range", []any{"4-4"}, RoundSet{{4, 4}}, ""},
		{"negative int", []any{int64(1), int64(-1)}, nil, "[1]"},
		{"reversed range", []any{"9-5"}, nil, "[0]"},
		{"open range", []any{"5-"}, nil, "[0]"},
		{"negative range", []any{"-3-5"}, nil, "[0]"},
		{"fraction", []any{1.5}, nil, "[0]"},
		{"word", []any{int64(1), int64(2), "all"}, nil, "[2]"},
		{"bool", []any{true}, nil, "[0]"},
		{"overflow", []any{"99999999999999999999"}, nil, "[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRounds(tc.in)
			if tc.wantField != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.wantField || !strings.Contains(fe.Msg, "allowed:") {
					t.Errorf("ParseRounds = %v, %v; want a FieldError on %s saying what is allowed", got, err, tc.wantField)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseRounds = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestParseRoundSpec(t *testing.T) {
	cases := []struct {
		in      string
		want    RoundSet
		wantErr bool
	}{
		{"", nil, false},
		{"*", nil, false},
		{"1, 3, 5-9", RoundSet{{1, 1}, {3, 3}, {5, 9}}, false},
		{"0-6", RoundSet{{0, 6}}, false},
		{"1,,2", nil, true},
		{"1-2-3", nil, true},
		{"a", nil, true},
	}
	for _, tc := range cases {
		got, err := ParseRoundSpec(tc.in)
		if (err != nil) != tc.wantErr || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseRoundSpec(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestRoundSet(t *testing.T) {
	cases := []struct {
		name      string
		set       RoundSet
		in, out   []int64
		normal    RoundSet
		rendering string
	}{
		{"empty is all", nil, []int64{0, 5, 1 << 40}, nil, nil, "*"},
		{"list", RoundList(2, 3, 5), []int64{2, 3, 5}, []int64{1, 4, 6}, RoundSet{{2, 3}, {5, 5}}, "[2, 3, 5]"},
		{"overlapping ranges", RoundSet{{5, 9}, {0, 2}, {3, 6}}, []int64{0, 4, 9}, []int64{10}, RoundSet{{0, 9}}, `["5-9", "0-2", "3-6"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orig := append(RoundSet(nil), tc.set...)
			for _, r := range tc.in {
				if !tc.set.Contains(r) {
					t.Errorf("Contains(%d) = false", r)
				}
			}
			for _, r := range tc.out {
				if tc.set.Contains(r) {
					t.Errorf("Contains(%d) = true", r)
				}
			}
			if got := tc.set.Normalize(); !reflect.DeepEqual(got, tc.normal) {
				t.Errorf("Normalize = %v, want %v", got, tc.normal)
			}
			if !reflect.DeepEqual(orig, append(RoundSet(nil), tc.set...)) {
				t.Errorf("Normalize modified its input")
			}
			if got := tc.set.String(); got != tc.rendering {
				t.Errorf("String = %s, want %s", got, tc.rendering)
			}
		})
	}
}

func FuzzParseRounds(f *testing.F) {
	for _, s := range []string{"", "*", "1, 3, 5-9", "0-6", "9-5", "-1", "1--2", "99999999999999999999", " 7 ", "3-3,4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseRoundSpec(s)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FieldError", err)
			}
			return
		}
		if err := set.validate(); err != nil {
			t.Fatalf("ParseRoundSpec(%q) = %v, invalid: %v", s, set, err)
		}
		// The list form parses to the same set.
		items := make([]any, len(set))
		for i, rr := range set {
			items[i] = rr.Lo
			if rr.Hi != rr.Lo {
				items[i] = strconv.FormatInt(rr.Lo, 10) + "-" + strconv.FormatInt(rr.Hi, 10)
			}
		}
		again, err := ParseRounds(items)
		if err != nil || !reflect.DeepEqual(again, append(RoundSet{}, set...)) {
			t.Fatalf("ParseRounds(%v) = %v, %v; want %v", items, again, err, set)
		}
		// Normalization keeps membership.
		norm := set.Normalize()
		for _, rr := range set {
			for _, r := range []int64{rr.Lo, rr.Hi} {
				if !norm.Contains(r) {
					t.Fatalf("normalized %v lost round %d of %v", norm, r, set)
				}
			}
		}
	})
}

func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"*", "_", "leader", "replica0", "replica12", "replica", "replica01", "replica-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEndpoint(s)
		if err != nil {
			return
		}
		back, err := ParseEndpoint(e.String())
		if err != nil || back != e {
			t.Fatalf("ParseEndpoint(%q) = %v, and its String %q parses to %v, %v", s, e, e.String(), back, err)
		}
		if e.Kind == ReplicaEndpoint && (e.ID < 0 || e.ID > sim.NodeID(maxReplicaID)) {
			t.Fatalf("ParseEndpoint(%q) gave id %d", s, e.ID)
		}
	})
}
