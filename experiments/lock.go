package experiments

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LockFile is the lock an execution holds on its output directory.
const LockFile = ".lock"

// lockInfo is the content of the lock file: who holds it.
type lockInfo struct {
	PID     int    `json:"pid"`
	Host    string `json:"host"`
	Started string `json:"started"`
	// Job and Attempt name the batch job (and its restart count) the
	// holder runs in, if any.
	Job     string `json:"job,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
}

// dirLock is a held lock on an output directory.
type dirLock struct{ path string }

// lockDir takes the lock of an output directory, so that two executions do
// not write into one directory at once. A lock left by a process of this
// host that no longer exists is taken over, with a note through note.
// So is a lock left by an earlier attempt of the same batch job (job, on
// any host): a batch system runs one attempt of a job at a time, so a
// requeued task takes over the lock its killed predecessor left. A
// directory locked by a live process is a *UsageError naming it.
func lockDir(dir, job string, jobAttempt int, note func(string)) (*dirLock, error) {
	path := filepath.Join(dir, LockFile)
	host, _ := os.Hostname()
	me := lockInfo{PID: os.Getpid(), Host: host, Started: time.Now().UTC().Format(time.RFC3339), Job: job, Attempt: jobAttempt}
	data, err := json.Marshal(me)
	if err != nil {
		return nil, err
	}
	for attempt := 0; attempt < 2; attempt++ {
		err := createLock(path, host, append(data, '\n'))
		if err == nil {
			removeStaleLockTemps(dir, host)
			return &dirLock{path: path}, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		other, err := readLock(path)
		if errors.Is(err, os.ErrNotExist) {
			continue // released between our try and the read
		}
		if err != nil {
			return nil, &UsageError{Msg: fmt.Sprintf("%s is locked by %s, which byzsim cannot read; if no byzsim is writing there, remove that file", dir, path)}
		}
		earlierAttempt := job != "" && other.Job == job && other.Attempt < jobAttempt
		if other.Host == host && !processAlive(other.PID) || earlierAttempt {
			if note != nil {
				why := "no longer running"
				if earlierAttempt {
					why = fmt.Sprintf("attempt %d of batch job %s, now at attempt %d", other.Attempt, job, jobAttempt)
				}
				note(fmt.Sprintf("taking over the stale lock of %s (pid %d on %s, started %s, %s)", dir, other.PID, other.Host, other.Started, why))
			}
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("lock %s: %w", path, err)
			}
			continue
		}
		return nil, &UsageError{Msg: fmt.Sprintf("%s is in use by another byzsim (pid %d on host %s, started %s); wait for it to finish, or remove %s if that process is gone", dir, other.PID, other.Host, other.Started, path)}
	}
	return nil, &UsageError{Msg: fmt.Sprintf("%s: another byzsim took the lock %s at the same time", dir, path)}
}

// createLock creates the lock file at path holding content, failing with
// an error satisfying errors.Is(err, os.ErrExist) if it exists. The file
// appears with its whole content at once: content is written to a private
// temporary file (see lockTempName) that is then hard-linked to path, so a
// concurrent reader never sees an empty lock. Where the file system has
// no hard links, the lock is created with O_EXCL and written after.
func createLock(path, host string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), lockTempName(host))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file private; a lock is readable by all, so
	// that another user's byzsim can name its holder.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := writeAndClose(tmp, content); err != nil {
		return err
	}
	lerr := os.Link(tmp.Name(), path)
	if lerr == nil || errors.Is(lerr, os.ErrExist) {
		return lerr
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := writeAndClose(f, content); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// writeAndClose writes content to f and closes it, returning the first
// error of the two.
func writeAndClose(f *os.File, content []byte) error {
	_, err := f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// lockTempPrefix starts the names of the temporary files createLock
// writes; lockTempName gives the os.CreateTemp pattern for one, naming the
// process and host that write it.
const lockTempPrefix = LockFile + ".tmp-"

func lockTempName(host string) string {
	return fmt.Sprintf("%s%d-*-%s", lockTempPrefix, os.Getpid(), host)
}

// lockTempMaxAge is the age past which any lock temporary file is left
// over: a writer holds one for the microseconds between writing and
// linking it.
const lockTempMaxAge = time.Minute

// removeStaleLockTemps removes the temporary lock files that a process
// killed inside createLock left in dir: those of a process of this host
// that no longer runs, and any older than lockTempMaxAge. The lock holder
// calls it, so no other process is making its lock there at the same time
// for long.
func removeStaleLockTemps(dir, host string) {
	names, err := filepath.Glob(filepath.Join(dir, lockTempPrefix+"*"))
	if err != nil {
		return
	}
	for _, name := range names {
		pidText, rest, _ := strings.Cut(strings.TrimPrefix(filepath.Base(name), lockTempPrefix), "-")
		_, writer, _ := strings.Cut(rest, "-")
		pid, perr := strconv.Atoi(pidText)
		dead := perr == nil && writer == host && pid != os.Getpid() && !processAlive(pid)
		if st, err := os.Stat(name); err == nil && (dead || time.Since(st.ModTime()) > lockTempMaxAge) {
			os.Remove(name)
		}
	}
}

// lockReadTries and lockReadPause bound how long readLock waits for a lock
// file that is still being written (by a holder on a file system without
// hard links, or by an older byzsim): a few hundred milliseconds.
const (
	lockReadTries = 20
	lockReadPause = 20 * time.Millisecond
)

// readLock reads the holder of the lock file at path. A file that is
// empty or not yet whole is read again a few times, since its writer may
// be between creating and writing it. The error wraps os.ErrNotExist if
// the lock is gone.
func readLock(path string) (lockInfo, error) {
	var last error
	for try := 0; try < lockReadTries; try++ {
		if try > 0 {
			time.Sleep(lockReadPause)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return lockInfo{}, err
		}
		var info lockInfo
		if last = json.Unmarshal(raw, &info); last == nil && info.PID > 0 {
			return info, nil
		}
		if last == nil {
			last = fmt.Errorf("no pid in %q", raw)
		}
	}
	return lockInfo{}, last
}

// release removes the lock file.
func (l *dirLock) release() {
	if l != nil {
		os.Remove(l.path)
	}
}
