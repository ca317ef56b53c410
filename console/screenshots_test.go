package console_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestScreenshots takes the README's pictures of each screen from the
// samples of `make run`: `make screenshots` runs it against `make demo`.
func TestScreenshots(t *testing.T) {
	base, token := os.Getenv("PANTHER_CONSOLE_URL"), os.Getenv("PANTHER_CONSOLE_TOKEN")
	if base == "" || token == "" {
		t.Skip("make screenshots runs this against make demo (PANTHER_CONSOLE_URL and PANTHER_CONSOLE_TOKEN unset)")
	}
	dir := os.Getenv("PANTHER_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "docs", "console")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e := &env{url: base}
	ctx := tab(t)
	shot := func(name string) {
		t.Helper()
		b := value(t, ctx, chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, e.signIn(token), chromedp.Navigate(base+"/alerts?status=OPEN,TRIAGED&sort=-severity"), chromedp.WaitVisible("#alerts"))
	shot("alerts")
	do(t, ctx, chromedp.Click("#alerts a.title"), chromedp.WaitVisible("#summary"), chromedp.WaitVisible("#events table, #events p:not(.loading)"),
		chromedp.WaitVisible("#related ul, #related p:not(.loading)"))
	shot("alert")
	do(t, ctx, chromedp.Navigate(base+"/search?kind=ip&value=203.0.113.200&from=2026-11-10&to=2026-11-11"), chromedp.WaitVisible("#search-info, #search-error"))
	shot("search")
	do(t, ctx, chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible("#chart-series"), chromedp.WaitVisible("#dash-ingest h2"))
	shot("dashboard")
	do(t, ctx, chromedp.Navigate(base+"/packs"), chromedp.WaitVisible("#detections table, #detections p:not(.loading)"))
	shot("packs")
	do(t, ctx, chromedp.Navigate(base+"/ingest"), chromedp.WaitVisible("#pipeline"))
	shot("ingest")
	do(t, ctx, chromedp.Navigate(base+"/alerts?status=OPEN,TRIAGED&sort=-severity"), chromedp.WaitVisible("#alerts"), chromedp.Click("#theme"))
	shot("alerts-dark")
}
