package main

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
)

// searchProgress returns the progress callback of a search of total cases
// (a progress bar on stderr when it is a terminal and not quiet; nil
// otherwise) and the function that ends the bar.
func searchProgress(total int64, desc string, quiet bool, stderr io.Writer) (func(int64), func()) {
	if quiet || !isTerminal(os.Stderr) {
		return nil, func() {}
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish())
	return func(done int64) { _ = bar.Set64(done) }, func() { _ = bar.Finish() }
}

// stoppedBySignal reports whether a search ended with err because of a
// signal (its partial result is then still written).
func stoppedBySignal(sig func() os.Signal, err error) bool {
	return sig() != nil && errors.Is(err, context.Canceled)
}
