package results

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SafeJoin joins elems under root and returns the path, or an error when
// an element is empty, absolute, "." or "..", holds a path separator or a
// NUL byte, or the result does not lie strictly under root. Every path
// byzsim writes below an output directory is built with it, so a name taken
// from an experiment or a manifest cannot make byzsim write elsewhere.
func SafeJoin(root string, elems ...string) (string, error) {
	for _, e := range elems {
		if err := CheckPathElem(e); err != nil {
			return "", fmt.Errorf("results: %q under %s: %w", e, root, err)
		}
	}
	p := filepath.Join(append([]string{root}, elems...)...)
	rel, err := filepath.Rel(filepath.Clean(root), p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("results: %s is not under the output directory %s", p, root)
	}
	return p, nil
}

// CheckPathElem checks that name can be one element of a path below an
// output directory: not empty, not "." or "..", no '/' or '\\', no NUL or
// other control character, at most 200 bytes.
func CheckPathElem(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty name")
	case name == "." || name == "..":
		return fmt.Errorf("%q names a directory, not a file (allowed: letters, digits, '.', '-', '_')", name)
	case len(name) > 200:
		return fmt.Errorf("%d bytes long (allowed: at most 200)", len(name))
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("holds a path separator (allowed: one file name, no '/' or '\\')")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("holds a control character (allowed: letters, digits, '.', '-', '_')")
		}
	}
	return nil
}

// SameDir reports whether a and b name the same directory (or file), even
// through different paths or links.
func SameDir(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}
