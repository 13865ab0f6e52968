package results

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// WriteAtomic writes a file atomically: write fills a temporary file in the
// same directory (through a buffer), which is synced and then renamed to
// path, so path holds either its old content or the complete new one, never
// a part. On any error the temporary file is removed and path is untouched.
// The file gets mode 0644; the directory must exist.
func WriteAtomic(path string, write func(w io.Writer) error) error {
	var b Batch
	defer b.Abort()
	if err := b.Write(path, write); err != nil {
		return err
	}
	return b.Commit()
}

// WriteFileAtomic writes data to path atomically (see WriteAtomic).
func WriteFileAtomic(path string, data []byte) error {
	return WriteAtomic(path, writeData(data))
}

// writeData returns a write function (see WriteAtomic) that writes data.
func writeData(data []byte) func(w io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

// A Batch writes several files atomically, each as WriteAtomic does,
// waiting for the disk once for them all instead of once per file: Write
// fills each file's temporary file, and Commit syncs them all at once, then
// renames each to its path in the order they were written. Until Commit no
// path is touched; after it each path holds its complete new content (a
// file renamed before an error in a later rename stays complete). Abort, or
// an error in Commit, removes the temporary files not renamed. The zero value is an empty
// batch; a Batch is not safe for concurrent use.
type Batch struct {
	files []batchFile
	buf   *bufio.Writer
}

// batchFile is a file of a batch: its open temporary file and its path.
type batchFile struct {
	f    *os.File
	path string
}

// maxParallelSyncs bounds the syncs a Batch waits for at once.
const maxParallelSyncs = 16

// Write writes a file of the batch: write fills a temporary file in path's
// directory (which must exist), through a buffer; the file gets mode 0644.
// On an error the temporary file is removed and the batch holds the files
// written before.
func (b *Batch) Write(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("results: writing %s: %w", path, err)
		}
	}()
	if b.buf == nil {
		b.buf = bufio.NewWriterSize(f, 64<<10)
	} else {
		b.buf.Reset(f)
	}
	if err = write(b.buf); err != nil {
		return err
	}
	if err = b.buf.Flush(); err != nil {
		return err
	}
	b.buf.Reset(nil)
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	b.files = append(b.files, batchFile{f, path})
	return nil
}

// WriteFile writes data as a file of the batch (see Write).
func (b *Batch) WriteFile(path string, data []byte) error {
	return b.Write(path, writeData(data))
}

// Commit syncs every file of the batch to disk, all at once (concurrent
// syncs share the filesystem's journal commits instead of waiting for one
// each), closes them and renames each to its path, in the order they were
// written. The batch is empty afterwards, whatever the outcome.
func (b *Batch) Commit() error { return CommitBatches(b) }

// CommitBatches commits the batches bs as one (see Commit): every file of
// them synced at once, then renamed batch after batch, each batch's files
// in the order they were written, up to the first batch with a file that
// failed to sync or to be renamed (that batch and the later ones are not
// renamed); a nil batch is empty. The batches are empty afterwards,
// whatever the outcome.
func CommitBatches(bs ...*Batch) error {
	bs = slices.DeleteFunc(slices.Clone(bs), func(b *Batch) bool { return b == nil })
	var files []batchFile
	for _, b := range bs {
		files = append(files, b.files...)
	}
	defer func() {
		for _, b := range bs {
			b.Abort()
		}
	}()
	errs := make([]error, len(files))
	if len(files) == 1 {
		errs[0] = files[0].f.Sync()
	} else {
		var wg sync.WaitGroup
		sem := make(chan struct{}, maxParallelSyncs)
		for i := range files {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				errs[i] = files[i].f.Sync()
				<-sem
			}()
		}
		wg.Wait()
	}
	for i := range files {
		errs[i] = cmp.Or(errs[i], files[i].f.Close())
	}
	// A batch whose files all synced is renamed even when a later one's
	// did not: the batches before the first failure are complete on disk.
	first := 0
	for _, b := range bs {
		synced := errs[first : first+len(b.files)]
		first += len(b.files)
		for i, err := range synced {
			if err != nil {
				return fmt.Errorf("results: writing %s: %w", b.files[i].path, err)
			}
		}
		for len(b.files) > 0 {
			bf := b.files[0]
			if err := os.Rename(bf.f.Name(), bf.path); err != nil {
				return fmt.Errorf("results: writing %s: %w", bf.path, err)
			}
			b.files = b.files[1:]
		}
	}
	return nil
}

// StartWriteback asks the system to start writing the files written so
// far to disk, without waiting for them: Commit still syncs every file,
// but finds less left to wait for when the caller prepared other files in
// between. Where the system has no such request (sync_file_range, Linux),
// it does nothing.
func (b *Batch) StartWriteback() {
	for _, bf := range b.files {
		startWriteback(bf.f)
	}
}

// Len returns the number of files in the batch not renamed yet; 0 for a
// nil batch.
func (b *Batch) Len() int {
	if b == nil {
		return 0
	}
	return len(b.files)
}

// Start commits the batch in the background (see Commit) and returns a
// function that waits for the commit and returns its error, the same on
// every call. Until it returned, the batch must not be used.
func (b *Batch) Start() (wait func() error) {
	done := make(chan error, 1)
	go func() { done <- b.Commit() }()
	return sync.OnceValue(func() error { return <-done })
}

// Abort removes the temporary files of the batch not renamed yet and
// empties it; it does nothing on an empty batch.
func (b *Batch) Abort() {
	for _, bf := range b.files {
		bf.f.Close() // a second Close only reports os.ErrClosed
		os.Remove(bf.f.Name())
	}
	b.files = nil
}

// put writes a file atomically on its own when b is nil, else into the
// batch b.
func (b *Batch) put(path string, write func(w io.Writer) error) error {
	if b == nil {
		return WriteAtomic(path, write)
	}
	return b.Write(path, write)
}

// putFile is put of data.
func (b *Batch) putFile(path string, data []byte) error {
	return b.put(path, writeData(data))
}
