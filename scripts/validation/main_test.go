package main

import (
	"math"
	"testing"
)

func TestKS(t *testing.T) {
	for _, tc := range []struct {
		a, b []float64
		want float64
	}{
		{[]float64{1, 2, 3}, []float64{1, 2, 3}, 0},
		{[]float64{1, 2}, []float64{3, 4}, 1},
		{[]float64{1, 2, 3, 4}, []float64{3, 4, 5, 6}, 0.5},
		{[]float64{1, 1, 2}, []float64{1, 2, 2}, 1.0 / 3},
	} {
		if got := ks(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("ks(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestMedian(t *testing.T) {
	if m := median([]float64{1, 2, 3}); m != 2 {
		t.Errorf("median = %v", m)
	}
	if m := median([]float64{1, 2, 3, 5}); m != 2.5 {
		t.Errorf("median = %v", m)
	}
	if m := median(nil); !math.IsNaN(m) {
		t.Errorf("median of nothing = %v", m)
	}
}
