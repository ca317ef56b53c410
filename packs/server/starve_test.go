package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/packs"
	"panther/tester"
)

// spinPack is pack S: one rule whose 60 tests each spin until their budget.
func spinPack() map[string]string {
	var spec strings.Builder
	spec.WriteString("AnalysisType: rule\nRuleID: Spin\nFilename: spin.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nTests:\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&spec, "  - Name: t%d\n    ExpectedResult: true\n    Log: {eventName: X}\n", i)
	}
	return map[string]string{
		"rules/spin.yml": spec.String(),
		"rules/spin.lua": "function rule(e) while true do end end\n",
		"packs/s.yml":    "AnalysisType: pack\nPackID: S\nPackDefinition:\n  IDs: [Spin]\n",
	}
}

// Two uploads whose tests spin hold the server for their check budget;
// a third, small upload beside them still goes through at once. Before,
// the two took both check slots (GOMAXPROCS) and every other upload
// waited for them.
func TestSpinningUploadsDoNotStarveOthers(t *testing.T) {
	t.Parallel()
	ts := startServer(t, func(o *Options) {
		o.Tests = tester.Options{Budget: 200 * time.Millisecond}
		o.CheckTimeout = 4 * time.Second
	})
	c := ts.client(writeToken)
	spin := buildZip(t, spinPack(), "S")
	small := buildZip(t, packTree(1, false), "P")
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := upload(t, c, spin.Zip, packs.UploadOptions{DryRun: true})
			mu.Lock()
			order = append(order, "spin")
			mu.Unlock()
			if ae := apiErr(t, err); ae.Status != 422 || ae.Code != "checks_timeout" {
				t.Errorf("spinning pack: got %d %s (%s), want 422 checks_timeout", ae.Status, ae.Code, ae.Message)
			}
		}()
	}
	waitFor(t, func() bool { return len(ts.checks) == 2 })
	start := time.Now()
	res, err := upload(t, c, small.Zip, packs.UploadOptions{})
	took := time.Since(start)
	mu.Lock()
	order = append(order, "small")
	mu.Unlock()
	if err != nil || res.Version != 1 {
		t.Fatalf("small upload: %+v %v", res, err)
	}
	wg.Wait()
	if order[0] != "small" {
		t.Errorf("the small upload waited for the spinning ones: %v (it took %v)", order, took)
	}
}

// Clients that trickle their bodies are cut off at the body timeout and
// leave nothing behind; past MaxConcurrentUploads an upload is refused at
// once; the server answers others meanwhile.
func TestSlowBodiesDoNotHoldTheServer(t *testing.T) {
	t.Parallel()
	ts := startServer(t, func(o *Options) {
		// Long enough that the 60 connections are all in before the first
		// is cut off, even on a loaded machine.
		o.BodyTimeout = 2 * time.Second
		o.MaxConcurrentUploads = 20
	})
	const slow = 60
	statuses := make(chan int, slow)
	var conns []net.Conn
	for i := 0; i < slow; i++ {
		conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		fmt.Fprintf(conn, "POST /api/v1/packs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 100000\r\n\r\nPK", writeToken)
		go func() {
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// The server answers others meanwhile.
	if _, err := ts.client(readToken).List(t.Context()); err != nil {
		t.Errorf("list while slow uploads hang: %v", err)
	}
	counts := map[int]int{}
	deadline := time.After(20 * time.Second)
	for i := 0; i < slow; i++ {
		select {
		case s := <-statuses:
			counts[s]++
		case <-deadline:
			t.Fatalf("slow connections still held after 20s: %v", counts)
		}
	}
	// 20 are admitted and cut off; the others are refused at once, unless
	// the machine was so slow that a slot freed before they arrived (then
	// they are admitted and cut off too).
	if counts[503]+counts[400] != slow || counts[400] < 20 || counts[503] < slow-30 {
		t.Errorf("statuses %v: want about %d refused at once (503) and 20 cut off at the body timeout (400), nothing else", counts, slow-20)
	}
	waitFor(t, func() bool { return len(files(t, filepath.Join(ts.Data, "tmp"))) == 0 })
	good := buildZip(t, packTree(1, false), "P")
	if _, err := upload(t, ts.client(writeToken), good.Zip, packs.UploadOptions{}); err != nil {
		t.Errorf("upload after the slow ones: %v", err)
	}
}
