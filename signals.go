package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Exit statuses besides 0 (passed), 1 (a check failed) and 2 (bad input).
const (
	exitSIGINT     = 130 // 128 + SIGINT: interrupted with Ctrl-C
	exitSIGTERM    = 143 // 128 + SIGTERM: terminated
	exitWallBudget = 124 // --max-wall reached, as timeout(1) does
)

// interruptedError ends a command that was stopped before it finished;
// its exit status is code and its text says how to continue.
type interruptedError struct {
	code int
	msg  string
}

func (e *interruptedError) Error() string { return e.msg }

// signalExit returns the exit status of a command stopped by sig.
func signalExit(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return exitSIGTERM
	}
	return exitSIGINT
}

func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// interruptContext returns a context cancelled by the first SIGINT or
// SIGTERM, a function returning that signal (nil before one), and a stop
// function. A second signal exits the process at once with the exit status
// of that signal.
func interruptContext(stderr io.Writer) (context.Context, func() os.Signal, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	var mu sync.Mutex
	var first os.Signal
	go func() {
		select {
		case s := <-sigs:
			mu.Lock()
			first = s
			mu.Unlock()
			fmt.Fprintf(stderr, "\nbyzsim: %s: stopping the runs in progress and writing the finished ones (a second signal exits at once)\n", signalName(s))
			cancel()
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "byzsim: %s again: exiting now\n", signalName(s))
			os.Exit(signalExit(s))
		case <-done:
		}
	}()
	get := func() os.Signal {
		mu.Lock()
		defer mu.Unlock()
		return first
	}
	stop := func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
	return ctx, get, stop
}
