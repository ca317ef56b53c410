package rulesource

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"panther/alerts"
	"panther/auth"
	"panther/engine"
	"panther/packs"
	"panther/packs/server"
)

const token = "write-token-0123456789abcdef"

func buildPack(t *testing.T, group string) []byte {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"alert_rules/r.yml": "AnalysisType: alert_rule\nAlertRuleID: Route.DB\nWhen: {starts_with: {node: db}}\nThen: [{group: " + group + "}]\n" +
			"Tests:\n  - Name: db\n    Input: {node: db1}\n    Expect: {group: " + group + "}\n",
		"p.yml": "AnalysisType: pack\nPackID: Ops\nPackDefinition:\n  IDs: [Route.DB]\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{})
	b, err := packs.Build(set, "Ops", packs.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b.Zip
}

// TestActivePacksRules: the rules of the active pack version are applied,
// and an activation of another version swaps them within the watch
// interval.
func TestActivePacksRules(t *testing.T) {
	tokens, _ := auth.ParseTokens([]string{token})
	dir := t.TempDir()
	srv, err := server.New(server.Options{DataDir: dir, Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, "", "") }()
	defer func() { cancel(); <-done }()
	cl := &packs.Client{BaseURL: "http://" + ln.Addr().String(), Token: token}
	for _, g := range []string{"dba", "dba-night"} {
		z := buildPack(t, g)
		if _, err := cl.Upload(ctx, bytes.NewReader(z), int64(len(z)), packs.UploadOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := alerts.Open(ctx, alerts.Options{Path: filepath.Join(dir, "alerts.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := &Loader{Packs: srv.Store()}
	if err := l.Watch(ctx, st, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	group := func(node string) string {
		r, err := st.RaiseEvent(ctx, alerts.ConsoleEvent{Node: node, Summary: "x", Severity: alerts.SevLow})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := st.Get(ctx, r.AlertID, alerts.GetOptions{})
		return a.Group
	}
	if g := group("db1"); g != "dba-night" {
		t.Fatalf("version 2 active: group %q", g)
	}
	if _, err := cl.Activate(ctx, "Ops", 1, 0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for i := 2; group("db"+string(rune('0'+i%10))+time.Now().Format("150405.000")) != "dba"; i++ {
		if time.Now().After(deadline) {
			t.Fatal("the activation of version 1 was not picked up")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
