package results

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// readFiles returns the contents of every file in dir by name.
func readFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range entries(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := WriteFileAtomic(path, []byte("one\n")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("two\n")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "two\n" {
		t.Errorf("content = %q, %v; want %q", b, err, "two\n")
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != "out.txt" {
		t.Errorf("directory holds %v, want only out.txt", got)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, %v; want 0644", fi.Mode().Perm(), err)
	}
}

func TestWriteAtomicFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := WriteFileAtomic(path, []byte("old\n")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "half a fi")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap %v", err, boom)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "old\n" {
		t.Errorf("content after failed write = %q, want %q", b, "old\n")
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only out.txt (no temporary file)", got)
	}
}

func TestWriteAtomicMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "out.txt")
	if err := WriteFileAtomic(path, nil); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestBatch(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "b.txt")
	if err := WriteFileAtomic(old, []byte("old b\n")); err != nil {
		t.Fatal(err)
	}
	var b Batch
	for _, name := range []string{"a.txt", "b.txt", "c.txt"} {
		if err := b.WriteFile(filepath.Join(dir, name), []byte(name+"\n")); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing is in place before Commit.
	if got, _ := os.ReadFile(old); string(got) != "old b\n" {
		t.Errorf("b.txt before Commit = %q, want the old content", got)
	}
	if fileExistsT(filepath.Join(dir, "a.txt")) {
		t.Error("a.txt exists before Commit")
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	got := readFiles(t, dir)
	if len(got) != 3 {
		t.Errorf("directory holds %v, want a.txt, b.txt and c.txt only", entries(t, dir))
	}
	for _, name := range []string{"a.txt", "b.txt", "c.txt"} {
		if string(got[name]) != name+"\n" {
			t.Errorf("%s = %q, want %q", name, got[name], name+"\n")
		}
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, %v; want 0644", name, fi.Mode().Perm(), err)
		}
	}
	// The batch is empty after Commit: a second one renames nothing.
	if err := b.Commit(); err != nil {
		t.Errorf("empty Commit: %v", err)
	}
}

func TestBatchAbortAndFailedWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keep.txt")
	if err := WriteFileAtomic(path, []byte("old\n")); err != nil {
		t.Fatal(err)
	}
	var b Batch
	if err := b.WriteFile(path, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := b.Write(filepath.Join(dir, "half.txt"), func(w io.Writer) error {
		io.WriteString(w, "half a fi")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap %v", err, boom)
	}
	if got := entries(t, dir); len(got) != 2 {
		t.Errorf("after a failed write the directory holds %v, want keep.txt and the batch's one temporary file", got)
	}
	b.Abort()
	if got := entries(t, dir); len(got) != 1 || got[0] != "keep.txt" {
		t.Errorf("after Abort the directory holds %v, want only keep.txt", got)
	}
	if got, _ := os.ReadFile(path); string(got) != "old\n" {
		t.Errorf("keep.txt after Abort = %q, want the old content", got)
	}
	if err := b.Commit(); err != nil {
		t.Errorf("Commit after Abort: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old\n" {
		t.Errorf("keep.txt after Abort and Commit = %q, want the old content", got)
	}
}

// TestBatchRenameFailure: a rename that fails (the path is a non-empty
// directory) leaves the files before it in place and removes the temporary
// files of it and those after it.
func TestBatchRenameFailure(t *testing.T) {
	dir := t.TempDir()
	blocked := filepath.Join(dir, "2-blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	var b Batch
	for _, name := range []string{"1-first", "2-blocked", "3-last"} {
		if err := b.WriteFile(filepath.Join(dir, name), []byte(name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err == nil {
		t.Fatal("Commit renamed a file over a non-empty directory")
	}
	got := entries(t, dir)
	if len(got) != 2 || got[0] != "1-first" || got[1] != "2-blocked" {
		t.Errorf("directory holds %v, want 1-first (renamed before the failure) and the directory 2-blocked", got)
	}
}

// TestCommitBatches: batches committed as one are renamed batch after
// batch (a rename that fails stops the renames of later batches too, so a
// later batch's file is never in place before an earlier one's), and are
// all empty afterwards; a nil batch is empty.
func TestCommitBatches(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a2-blocked", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	var a, b Batch
	for _, f := range []struct {
		b    *Batch
		name string
	}{{&b, "b1"}, {&a, "a1"}, {&a, "a2-blocked"}, {&b, "b2"}} {
		if err := f.b.WriteFile(filepath.Join(dir, f.name), []byte(f.name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := CommitBatches(&a, nil, &b); err == nil {
		t.Fatal("CommitBatches renamed a file over a non-empty directory")
	}
	if got := entries(t, dir); strings.Join(got, " ") != "a1 a2-blocked" {
		t.Errorf("directory holds %v, want a1 (renamed before the failure) and the directory a2-blocked", got)
	}
	if len(a.files)+len(b.files) != 0 {
		t.Errorf("%d and %d files left in the batches, want none", len(a.files), len(b.files))
	}
	for _, name := range []string{"c1", "c2"} {
		if err := b.WriteFile(filepath.Join(dir, name), []byte(name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := CommitBatches(nil, &a, &b); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"c1", "c2"} {
		if got, err := os.ReadFile(filepath.Join(dir, name)); string(got) != name {
			t.Errorf("%s = %q, %v after CommitBatches, want %q", name, got, err, name)
		}
	}
}

// TestCommitBatchesSyncFailure: a file of a later batch that fails to
// sync leaves that batch and the later ones unrenamed, and the batches
// before it complete on disk (a run's files committed with the final
// files are kept when one of those fails).
func TestCommitBatchesSyncFailure(t *testing.T) {
	dir := t.TempDir()
	var run, final, after Batch
	for _, f := range []struct {
		b    *Batch
		name string
	}{{&run, "summary.json"}, {&final, "runs.csv"}, {&final, "manifest.json"}, {&after, "late"}} {
		if err := f.b.WriteFile(filepath.Join(dir, f.name), []byte(f.name)); err != nil {
			t.Fatal(err)
		}
	}
	final.files[0].f.Close() // its Sync fails: "file already closed"
	err := CommitBatches(&run, &final, &after)
	if err == nil || !strings.Contains(err.Error(), "runs.csv") {
		t.Fatalf("CommitBatches = %v, want runs.csv's sync error", err)
	}
	if got := entries(t, dir); strings.Join(got, " ") != "summary.json" {
		t.Errorf("directory holds %v, want only the first batch's summary.json", got)
	}
	if run.Len()+final.Len()+after.Len() != 0 {
		t.Errorf("files left in the batches: %d, %d, %d", run.Len(), final.Len(), after.Len())
	}
}

func fileExistsT(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestBatchStart(t *testing.T) {
	dir := t.TempDir()
	var b Batch
	if err := b.WriteFile(filepath.Join(dir, "a.txt"), []byte("a")); err != nil {
		t.Fatal(err)
	}
	wait := b.Start()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "a.txt")); err != nil || string(got) != "a" {
		t.Errorf("a.txt after the wait = %q, %v", got, err)
	}
	if err := wait(); err != nil {
		t.Errorf("second wait: %v", err)
	}
	// A commit that fails reports it on every wait.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFile(blocked, []byte("b")); err != nil {
		t.Fatal(err)
	}
	wait = b.Start()
	if err1, err2 := wait(), wait(); err1 == nil || err2 != err1 {
		t.Errorf("waits on a failed commit: %v, %v; want the same error twice", err1, err2)
	}
	if got := entries(t, dir); len(got) != 2 {
		t.Errorf("directory holds %v, want a.txt and blocked", got)
	}
}

// TestBatchStartWriteback checks that a batch whose first files were sent
// on their way to the disk ahead still puts nothing in place before Commit,
// takes files written afterwards, and commits them all, in order; and that
// Abort still removes them.
func TestBatchStartWriteback(t *testing.T) {
	dir := t.TempDir()
	var b Batch
	big := strings.Repeat("replica,round\n", 1<<16)
	for _, name := range []string{"replicas.csv", "summary.json"} {
		if err := b.WriteFile(filepath.Join(dir, name), []byte(name+big)); err != nil {
			t.Fatal(err)
		}
	}
	b.StartWriteback()
	if err := b.WriteFile(filepath.Join(dir, "manifest.json"), []byte("m")); err != nil {
		t.Fatal(err)
	}
	b.StartWriteback() // again, with a file written since
	if got := entries(t, dir); len(got) != 3 || !strings.HasPrefix(got[0], ".") {
		t.Errorf("before Commit the directory holds %v, want three temporary files", got)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	got := readFiles(t, dir)
	if len(got) != 3 || string(got["replicas.csv"]) != "replicas.csv"+big || string(got["summary.json"]) != "summary.json"+big || string(got["manifest.json"]) != "m" {
		t.Errorf("directory holds %v after Commit", entries(t, dir))
	}
	var aborted Batch
	if err := aborted.WriteFile(filepath.Join(dir, "late"), []byte(big)); err != nil {
		t.Fatal(err)
	}
	aborted.StartWriteback()
	aborted.Abort()
	if got := entries(t, dir); len(got) != 3 {
		t.Errorf("after Abort the directory holds %v", got)
	}
	var empty Batch
	empty.StartWriteback()
}
