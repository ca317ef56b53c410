package destinations

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"panther/alerts"
)

// BenchmarkDeliveries10k sends 10,000 deliveries to a loopback webhook
// that fails one request in ten (503), and checks the bar: every
// delivery ends sent or dead, and none is sent twice to a destination
// that answered 2xx.
func BenchmarkDeliveries10k(b *testing.B) {
	const n = 10_000
	for b.Loop() {
		var mu sync.Mutex
		okByDelivery := map[string]int{}
		var requests, failed atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			if requests.Add(1)%10 == 0 {
				failed.Add(1)
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			mu.Lock()
			okByDelivery[r.Header.Get("X-Panther-Delivery")]++
			mu.Unlock()
		}))
		s := openStore(b, alerts.Routing{BySeverity: map[alerts.Severity][]string{alerts.SevHigh: {"hook"}}})
		for i := range n {
			if _, err := s.RaiseEvent(bg, alerts.ConsoleEvent{Node: "host-" + strconv.Itoa(i), Summary: "s", Severity: alerts.SevHigh}); err != nil {
				b.Fatal(err)
			}
		}
		d := &Dispatcher{Store: s, Senders: map[string]Sender{"hook": &Webhook{URL: srv.URL, Secret: "s3cret-s3cret", HTTP: srv.Client()}},
			Workers: map[string]int{"hook": 8}, Retry: Retry{Attempts: 4, Base: time.Millisecond, Max: 10 * time.Millisecond}}
		start := time.Now()
		run(b, d)
		var sent, dead int
		for {
			counts, err := s.DeliveryCounts(bg)
			if err != nil {
				b.Fatal(err)
			}
			sent, dead = int(counts[alerts.DeliverySent]), int(counts[alerts.DeliveryDead])
			if sent+dead == n {
				break
			}
			if time.Since(start) > 10*time.Minute {
				b.Fatalf("after 10 minutes: %d sent, %d dead of %d", sent, dead, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		elapsed := time.Since(start)
		srv.Close()
		twice := 0
		for _, c := range okByDelivery {
			if c > 1 {
				twice++
			}
		}
		if twice > 0 || len(okByDelivery) != sent {
			b.Fatalf("%d deliveries answered 2xx more than once; %d answered 2xx, %d recorded sent", twice, len(okByDelivery), sent)
		}
		b.ReportMetric(float64(n)/elapsed.Seconds(), "deliveries/s")
		b.ReportMetric(float64(failed.Load()), "503s")
		b.ReportMetric(float64(dead), "dead")
	}
}
