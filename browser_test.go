package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium returns the path of a Chromium or Chrome binary: $BYZSIM_CHROMIUM,
// else the first of chromium, chromium-browser, google-chrome on $PATH.
func chromium() string {
	if p := os.Getenv("BYZSIM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestReportInBrowser writes the report of a run of the default experiment
// and of a sweep with a failed run, loads each in headless Chromium from a
// file:// URL, and checks that the page logs no error or exception, that
// every plot is laid out with a non-zero size, and that the sections are
// there; it saves a screenshot of the first screen of each report
// ($BYZSIM_SCREENSHOT_DIR, or the test's temporary directory). Without
// Chromium it skips, or fails when BYZSIM_REQUIRE_BROWSER=1 (as .ci/run
// sets).
func TestReportInBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if os.Getenv("BYZSIM_REQUIRE_BROWSER") == "1" {
			t.Fatal("no chromium found (set BYZSIM_CHROMIUM or install Debian's chromium) and BYZSIM_REQUIRE_BROWSER=1")
		}
		t.Skip("no chromium on $PATH; install Debian's chromium (or set BYZSIM_REQUIRE_BROWSER=1 to fail)")
	}
	out := t.TempDir()
	// A sweep whose runs fail an assertion, for the failed-runs section.
	base, err := os.ReadFile("experiments/testdata/relay-sweep.toml")
	if err != nil {
		t.Fatal(err)
	}
	failing := filepath.Join(t.TempDir(), "failing.toml")
	text := strings.Replace(string(base), `name = "relay-sweep"`, `name = "relay-failing"`, 1) +
		"\n[expect]\nmin_committed = 1000000\n"
	if err := os.WriteFile(failing, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		exp, name  string
		wantFailed bool
	}{
		{"experiments/default.toml", "default", false},
		{failing, "relay-failing", true},
	}
	shots := os.Getenv("BYZSIM_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}
	for _, c := range cases {
		code, _, stderr := byzsim(t, "run", c.exp, "-o", out, "-q")
		if (code != 0) != c.wantFailed {
			t.Fatalf("run %s: exit %d:\n%s", c.exp, code, stderr)
		}
		page := filepath.Join(out, c.name, "report.html")
		html, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		figures := strings.Count(string(html), `<figure class="plot">`)
		if figures < 3 {
			t.Fatalf("%s has %d figures, want the run's timeline and plots at least", page, figures)
		}
		if got := strings.Contains(string(html), "reproduce</code>"); got != c.wantFailed {
			t.Errorf("%s: reproduce commands listed: %v, want %v", page, got, c.wantFailed)
		}
		checkInBrowser(t, bin, page, figures, filepath.Join(shots, c.name+".png"))
	}
}

// checkInBrowser loads page in headless Chromium and checks it.
func checkInBrowser(t *testing.T, bin, page string, figures int, shot string) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	var mu sync.Mutex
	var problems []string
	err := chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value))
				}
				problems = append(problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				problems = append(problems, fmt.Sprintf("log %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	if err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	abs, err := filepath.Abs(page)
	if err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "file", Path: abs}
	type box struct{ W, H float64 }
	if err := chromedp.Do(bctx, chromedp.Navigate(u.String()), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	boxes, err := chromedp.Run(bctx, chromedp.Evaluate[[]box](`Array.from(document.querySelectorAll('figure.plot > svg, figure.plot > img')).map(e => {
		const r = e.getBoundingClientRect();
		const s = getComputedStyle(e);
		return {W: s.visibility === 'visible' ? r.width : 0, H: r.height};
	})`))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	sections, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('h2')).map(h => h.id)`))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	if len(boxes) != figures {
		t.Errorf("%s: the browser laid out %d plots, the page has %d", page, len(boxes), figures)
	}
	for i, b := range boxes {
		if b.W <= 0 || b.H <= 0 {
			t.Errorf("%s: plot %d is not visible (%g × %g)", page, i, b.W, b.H)
		}
	}
	if want := "summary,plots,failed,runs"; strings.Join(sections, ",") != want {
		t.Errorf("%s: sections %v, want %s", page, sections, want)
	}
	mu.Lock()
	for _, p := range problems {
		t.Errorf("%s: %s", page, p)
	}
	mu.Unlock()
	if len(png) == 0 {
		t.Errorf("%s: empty screenshot", page)
	}
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d plots visible; screenshot %s", page, len(boxes), shot)
}
