package cmd

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// --year places year-less RFC 3164 timestamps in the archive's year, and
// the lines after New Year in the next (without it the year is the one
// that puts them in the last twelve months).
func TestYearFlag(t *testing.T) {
	t.Parallel()
	logs := "Dec 31 23:59:58 bastion sshd[1]: Connection closed by 192.0.2.1 port 4000 [preauth]\n" +
		"Jan  1 00:00:02 bastion sshd[2]: Connection closed by 192.0.2.1 port 4001 [preauth]\n"
	times := func(out string) []string {
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var ev map[string]any
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatalf("%v: %s", err, l)
			}
			got = append(got, fmt.Sprint(ev["p_event_time"]))
		}
		return got
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--year", "2019"}, "2019-12-31T23:59:58Z 2020-01-01T00:00:02Z"},
		{[]string{"--year", "2019", "--log-type", "Syslog.RFC3164"}, "2019-12-31T23:59:58Z 2020-01-01T00:00:02Z"},
	} {
		out, errOut, code := parseCLI(t, logs, append([]string{"parse"}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		if got := strings.Join(times(out), " "); got != tc.want {
			t.Errorf("parse %v: %s, want %s", tc.args, got, tc.want)
		}
	}
	if _, errOut, code := parseCLI(t, logs, "parse", "--year", "12"); code != ExitUsage || !strings.Contains(errOut, "--year 12") {
		t.Errorf("--year 12: exit %d, %s", code, errOut)
	}

	// Replay: the alert lands in the archive's year.
	dir := t.TempDir()
	var b strings.Builder
	for i := range 10 {
		fmt.Fprintf(&b, "Mar  5 14:%02d:01 bastion sshd[%d]: Failed password for root from 203.0.113.9 port %d ssh2\n", i, 100+i, 40000+i)
	}
	file := writeTree(t, map[string]string{"auth.log": b.String()})
	out, errOut, code := run(t, dir, "replay", filepath.Join(file, "auth.log"), "--year", "2017", "--format", "jsonl", "--quiet",
		"--rule", "Syslog.SSH.BruteForce")
	if code != 0 {
		t.Fatalf("replay: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"first_event_time":"2017-03-05T14:00:01Z"`) {
		t.Errorf("replay --year 2017: %s", out)
	}
}

// The internal networks setting reaches the rules through replay: a lab
// whose own network is 10.0.0.0/8 says so, and RDP from 192.168.0.66 (on
// the private ranges, so internal by default) is from outside. The flag,
// the environment and .panther.yml set it alike.
func TestInternalNetworksThroughReplay(t *testing.T) {
	t.Parallel()
	rdp := `{"_path":"rdp","ts":1711965614.258458,"uid":"CMwJl820SlYyy434c8","id.orig_h":"192.168.0.66","id.orig_p":39681,` +
		`"id.resp_h":"10.0.0.12","id.resp_p":3389,"cookie":"administrator","result":"encrypted","security_protocol":"HYBRID","cert_count":0}` + "\n"
	logs := writeTree(t, map[string]string{"rdp.json": rdp})
	in := filepath.Join(logs, "rdp.json")
	replay := func(dir string, args ...string) string {
		out, errOut, code := run(t, dir, append([]string{"replay", in, "--format", "jsonl", "--quiet", "--rule", "Zeek.RDP.InboundFromInternet"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	const alert = `"title":"RDP from internet host 192.168.0.66 to internal host 10.0.0.12"`
	if out := replay(t.TempDir()); strings.Contains(out, alert) {
		t.Errorf("default (private ranges internal): %s", out)
	}
	if out := replay(t.TempDir(), "--internal-networks", "10.0.0.0/8"); !strings.Contains(out, alert) {
		t.Errorf("--internal-networks 10.0.0.0/8: no alert: %s", out)
	}
	// Private ranges, but not the lab's 192.168.0.0/24.
	if out := replay(t.TempDir(), "--internal-networks", "private,!192.168.0.0/24"); !strings.Contains(out, alert) {
		t.Errorf("--internal-networks private,!192.168.0.0/24: no alert: %s", out)
	}
	cfg := writeTree(t, map[string]string{".panther.yml": "internal_networks: [10.0.0.0/8]\n"})
	if out := replay(cfg); !strings.Contains(out, alert) {
		t.Errorf(".panther.yml internal_networks: no alert: %s", out)
	}
	if _, errOut, code := run(t, t.TempDir(), "replay", in, "--internal-networks", "10.0.0.0/33"); code != ExitUsage || !strings.Contains(errOut, "internal_networks") {
		t.Errorf("bad setting: exit %d: %s", code, errOut)
	}
}
