package sim

import "testing"

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    Time
		wantErr bool
	}{
		{"250ms", 250 * Millisecond, false},
		{"2s", 2 * Second, false},
		{"1m30s", 90 * Second, false},
		{"0", 0, false},
		{" 15us ", 15 * Microsecond, false},
		{"1.5s", 1500 * Millisecond, false},
		{"100ns", 100, false},
		{"-1s", 0, true},
		{"", 0, true},
		{"10", 0, true},
		{"fast", 0, true},
	}
	for _, tc := range tests {
		got, err := ParseDuration(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestTimeFormatting(t *testing.T) {
	tests := []struct {
		t    Time
		want string
		secs float64
	}{
		{1500 * Millisecond, "1.5s", 1.5},
		{250 * Millisecond, "250ms", 0.25},
		{0, "0s", 0},
		{Never, "never", Never.Seconds()},
	}
	for _, tc := range tests {
		if tc.t.String() != tc.want || tc.t.Seconds() != tc.secs {
			t.Errorf("%d: %q %g, want %q %g", int64(tc.t), tc.t.String(), tc.t.Seconds(), tc.want, tc.secs)
		}
	}
	if FromSeconds(0.0015) != 1500*Microsecond || (2*Millisecond).Milliseconds() != 2 {
		t.Error("FromSeconds or Milliseconds wrong")
	}
}

func TestDeriveSeed(t *testing.T) {
	tests := []struct {
		name string
		a, b func() uint64
	}{
		{"labels (1,23) vs (12,3)", func() uint64 { return DeriveSeed(1, "link", 1, 23) }, func() uint64 { return DeriveSeed(1, "link", 12, 3) }},
		{"labels swapped", func() uint64 { return DeriveSeed(1, "link", 0, 1) }, func() uint64 { return DeriveSeed(1, "link", 1, 0) }},
		{"name vs label", func() uint64 { return DeriveSeed(1, "node", 1) }, func() uint64 { return DeriveSeed(1, "link", 1) }},
		{"seed", func() uint64 { return DeriveSeed(1, "node", 1) }, func() uint64 { return DeriveSeed(2, "node", 1) }},
		{"one label vs two", func() uint64 { return DeriveSeed(1, "x", 0) }, func() uint64 { return DeriveSeed(1, "x", 0, 0) }},
		{"no label vs zero", func() uint64 { return DeriveSeed(1, "x") }, func() uint64 { return DeriveSeed(1, "x", 0) }},
	}
	for _, tc := range tests {
		if tc.a() == tc.b() {
			t.Errorf("%s: seeds collide", tc.name)
		}
	}
	if DeriveSeed(9, "link", 3, 4) != DeriveSeed(9, "link", 3, 4) {
		t.Error("DeriveSeed is not a function of its inputs")
	}
	a, b := Stream(9, "link", 3, 4), Stream(9, "link", 3, 4)
	for range 100 {
		if a.Uint64() != b.Uint64() {
			t.Fatal("equal streams diverge")
		}
	}
}
