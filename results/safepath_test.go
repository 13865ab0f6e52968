package results

import (
	"path/filepath"
	"testing"
)

func TestSafeJoin(t *testing.T) {
	root := filepath.Join("out", "exp")
	good := [][]string{{"runs", "07"}, {"manifest.json"}, {"a..b"}, {".pending"}}
	for _, elems := range good {
		p, err := SafeJoin(root, elems...)
		if err != nil {
			t.Errorf("%q: %v", elems, err)
			continue
		}
		if want := filepath.Join(append([]string{root}, elems...)...); p != want {
			t.Errorf("%q: %s, want %s", elems, p, want)
		}
	}
	bad := [][]string{{".."}, {"../../x"}, {"/etc/passwd"}, {"a/b"}, {`a\b`}, {""}, {"."}, {"runs", ".."}, {"x\x00y"}, {}}
	for _, elems := range bad {
		if p, err := SafeJoin(root, elems...); err == nil {
			t.Errorf("%q: accepted as %s", elems, p)
		}
	}
}
