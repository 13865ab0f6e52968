package experiments

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLockHeldByLiveProcess: a second lockDir on a held directory is a
// usage error naming the holder, and the lock is free after release.
func TestLockHeldByLiveProcess(t *testing.T) {
	dir := t.TempDir()
	held, err := lockDir(dir, "", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, LockFile)); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o644 {
		t.Errorf("lock file mode %v, want readable by all (0644)", st.Mode().Perm())
	}
	_, err = lockDir(dir, "", 0, nil)
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), fmt.Sprintf("in use by another byzsim (pid %d", os.Getpid())) {
		t.Fatalf("second lock: %v, want a usage error naming pid %d", err, os.Getpid())
	}
	held.release()
	again, err := lockDir(dir, "", 0, nil)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again.release()
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("files left in the directory: %v", left)
	}
}

// TestLockNeverSeenEmpty races lockers on one directory: whoever loses
// must see the winner's pid, never an empty or partial lock file.
func TestLockNeverSeenEmpty(t *testing.T) {
	dir := t.TempDir()
	const workers, rounds = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				l, err := lockDir(dir, "", 0, nil)
				if err == nil {
					l.release()
					continue
				}
				if !strings.Contains(err.Error(), "in use by another byzsim") && !strings.Contains(err.Error(), "took the lock") {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestLockBeingWritten: a lock file that is still empty when read is read
// again, so a holder between creating and writing it is named, not
// reported as unreadable; one that stays empty is unreadable.
func TestLockBeingWritten(t *testing.T) {
	t.Run("written later", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, LockFile)
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			time.Sleep(3 * lockReadPause)
			content := fmt.Sprintf(`{"pid":%d,"host":"elsewhere","started":"2026-01-01T00:00:00Z"}`, os.Getpid())
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Error(err)
			}
		}()
		_, err := lockDir(dir, "", 0, nil)
		<-done
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("pid %d on host elsewhere", os.Getpid())) {
			t.Fatalf("lock: %v, want the holder named", err)
		}
	})
	t.Run("stays empty", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, LockFile), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := lockDir(dir, "", 0, nil)
		if err == nil || !strings.Contains(err.Error(), "which byzsim cannot read") {
			t.Fatalf("lock: %v, want an unreadable-lock error", err)
		}
	})
}

// TestStaleLockTempsRemoved: the temporary files of a process killed
// while taking a lock are removed by the next holder — those of a process
// of this host that is gone, and any older than lockTempMaxAge — while a
// live writer's is kept.
func TestStaleLockTempsRemoved(t *testing.T) {
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatalf("cannot run true: %v", err)
	}
	host, _ := os.Hostname()
	dir := t.TempDir()
	temp := func(pid int, host string, age time.Duration) string {
		name := filepath.Join(dir, fmt.Sprintf("%s%d-42-%s", lockTempPrefix, pid, host))
		if err := os.WriteFile(name, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		if age > 0 {
			old := time.Now().Add(-age)
			if err := os.Chtimes(name, old, old); err != nil {
				t.Fatal(err)
			}
		}
		return name
	}
	deadHere := temp(gone.Process.Pid, host, 0)
	liveHere := temp(os.Getpid(), host, 0)
	elsewhere := temp(gone.Process.Pid, "other-host.example", 0)
	oldElsewhere := temp(gone.Process.Pid+1, "other-host.example", 2*lockTempMaxAge)
	l, err := lockDir(dir, "", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.release()
	for _, c := range []struct {
		name string
		kept bool
	}{{deadHere, false}, {liveHere, true}, {elsewhere, true}, {oldElsewhere, false}} {
		if fileExists(c.name) != c.kept {
			t.Errorf("%s: kept %v, want %v", filepath.Base(c.name), !c.kept, c.kept)
		}
	}
}
