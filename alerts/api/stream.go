package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"panther/auth"
)

type flusher struct{ rc *http.ResponseController }

func (f flusher) Flush() { _ = f.rc.Flush() }

// heartbeat keeps idle streams (and the proxies between) alive.
var heartbeat = 15 * time.Second

// stream is GET /api/v1/alerts/stream: server-sent events, one per change
// of an alert ("event: alert", data: {seq, id, action, version, status,
// at}; the event id is seq). A client that reconnects with Last-Event-ID
// (or ?after=SEQ) gets the changes it missed while the server still has
// them; if it missed more, it first gets "event: reset" and should reload
// its list. The stream ends at shutdown, and when the client is too slow
// to keep up (it reconnects and resumes).
func (a *API) stream(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	rc := http.NewResponseController(w)
	fl := flusher{rc}
	after := int64(0)
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("after")
	}
	if last != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(last), 10, 64)
		if err != nil || n < 0 {
			a.fail(w, r, badRequest("the seq of the last event seen", "bad Last-Event-ID %q", last))
			return
		}
		after = n
	}
	sub, backlog, complete := a.store.Subscribe(after, 256)
	defer sub.Cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 2000\n\n")
	if !complete {
		fmt.Fprintf(w, "event: reset\ndata: {\"seq\":%d}\n\n", a.store.LastSeq())
	}
	for _, e := range backlog {
		b, _ := json.Marshal(e)
		fmt.Fprintf(w, "id: %d\nevent: alert\ndata: %s\n\n", e.Seq, b)
	}
	fl.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-a.opts.Done:
			return
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			fl.Flush()
		case e, ok := <-sub.C:
			if !ok {
				return
			}
			b, _ := json.Marshal(e)
			fmt.Fprintf(w, "id: %d\nevent: alert\ndata: %s\n\n", e.Seq, b)
			// Send what else is ready in the same write.
			for more := true; more; {
				select {
				case e, ok := <-sub.C:
					if !ok {
						fl.Flush()
						return
					}
					b, _ := json.Marshal(e)
					fmt.Fprintf(w, "id: %d\nevent: alert\ndata: %s\n\n", e.Seq, b)
				default:
					more = false
				}
			}
			fl.Flush()
		}
	}
}
