package results

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

func TestFormatScaled(t *testing.T) {
	tests := []struct {
		v        int64
		decimals int
		want     string
	}{
		{0, 9, "0.000000000"},
		{1, 9, "0.000000001"},
		{1_500_000_000, 9, "1.500000000"},
		{-1_500_000_000, 9, "-1.500000000"},
		{12_345_678, 6, "12.345678"},
		{42, 0, "42"},
		{math.MaxInt64, 9, "9223372036.854775807"},
	}
	for _, tt := range tests {
		if got := formatScaled(tt.v, tt.decimals); got != tt.want {
			t.Errorf("formatScaled(%d, %d) = %q, want %q", tt.v, tt.decimals, got, tt.want)
		}
		back, err := parseScaled(tt.want, tt.decimals)
		if err != nil || back != tt.v {
			t.Errorf("parseScaled(%q, %d) = %d, %v; want %d", tt.want, tt.decimals, back, err, tt.v)
		}
	}
}

func TestParseScaled(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"1.5", 1_500_000_000, false},
		{"2", 2_000_000_000, false},
		{".25", 250_000_000, false},
		{"3.", 3_000_000_000, false},
		{"-0.000000001", -1, false},
		{"0.0000000015", 2, false}, // rounded half away from zero
		{"0.0000000014", 1, false}, // rounded down
		{"", 0, true},
		{".", 0, true},
		{"1e3", 0, true},
		{"1.2.3", 0, true},
		{"+1", 0, true},
		{"abc", 0, true},
		{"99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		got, err := parseScaled(tt.in, secondDecimals)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseScaled(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFloatJSON(t *testing.T) {
	tests := []struct {
		f    Float
		want string
	}{
		{0, "0.000000"},
		{1.5, "1.500000"},
		{1.0 / 3, "0.333333"},
		{-2, "-2.000000"},
		{Float(math.NaN()), "null"},
		{Float(math.Inf(1)), "null"},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.f)
		if err != nil || string(b) != tt.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", float64(tt.f), b, err, tt.want)
		}
	}
	var f Float
	if err := json.Unmarshal([]byte("null"), &f); err != nil || !math.IsNaN(float64(f)) {
		t.Errorf("Unmarshal(null) = %v, %v; want NaN", f, err)
	}
	if err := json.Unmarshal([]byte(`"x"`), &f); err == nil {
		t.Error("Unmarshal of a string succeeded")
	}
}

func TestSecondsJSON(t *testing.T) {
	s := Seconds(1500*sim.Millisecond + 1)
	b, err := json.Marshal(s)
	if err != nil || string(b) != "1.500000001" {
		t.Fatalf("Marshal = %s, %v; want 1.500000001", b, err)
	}
	var back Seconds
	if err := json.Unmarshal(b, &back); err != nil || back != s {
		t.Errorf("round trip = %v, %v; want %v", back, err, s)
	}
	var p *Seconds
	if err := json.Unmarshal([]byte("null"), &p); err != nil || p != nil {
		t.Errorf("Unmarshal(null) into *Seconds = %v, %v; want nil", p, err)
	}
	if err := json.Unmarshal([]byte("1e3"), &back); err == nil {
		t.Error("Unmarshal(1e3) succeeded, want an error")
	}
}
