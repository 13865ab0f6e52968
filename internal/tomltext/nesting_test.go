package tomltext

import (
	"strings"
	"testing"
)

func TestNestedBeyond(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		limit    int
		wantLine int
		beyond   bool
	}{
		{"flat", "a = 1\nb = [1, 2]\n", 1, 0, false},
		{"at the limit", "a = [[1]]\n", 2, 0, false},
		{"one beyond", "a = 1\nb = [[[1]]]\n", 2, 2, true},
		{"inline tables count", "x = {a = {b = 1}}\n", 1, 1, true},
		{"brackets in strings do not count", "a = \"[[[[\"\nb = '{{{{'\n", 1, 0, false},
		{"brackets in comments do not count", "# [[[[[[\na = 1\n", 1, 0, false},
		{"escaped quote stays in the string", "a = \"\\\"[[[\"\n", 1, 0, false},
		{"unterminated string ends at the line", "a = \"[[\nb = [[1]]\n", 1, 2, true},
		{"deep", strings.Repeat("[", 40) + strings.Repeat("]", 40), 32, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, beyond := NestedBeyond([]byte(tt.text), tt.limit)
			if line != tt.wantLine || beyond != tt.beyond {
				t.Errorf("NestedBeyond(%q, %d) = %d, %v; want %d, %v", tt.text, tt.limit, line, beyond, tt.wantLine, tt.beyond)
			}
		})
	}
}
